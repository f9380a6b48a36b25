/* c8y_mapper: state, start-up, dispatch, registrations (§3.2), twin (§3.3),
 * health (§4.5), signals (§4.6) and availability (§4.7) of the c8y converter.
 * See c8y_mapper.h for what survives a restart (retained messages). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tedge/c8y_internal.h"
#include "tedge/fsutil.h"
#include "tedge/log.h"
#include "tedge/text.h"

#define JSON_BUF_MIN (64u * 1024u)

/* ---- helpers shared with c8y_telemetry.c and c8y_ops.c ---- */

te_time_t c8y_now(te_c8y_t *st)
{
    return st->clock ? st->clock(st->clock_ctx) : te_time_now();
}

void c8y_topic(const te_c8y_t *st, const char *suffix, char *buf, size_t len)
{
    snprintf(buf, len, "%s/%s", st->cfg.prefix, suffix);
}

void c8y_smartrest_topic(const te_c8y_t *st, const te_c8y_entity_t *e, char *buf, size_t len)
{
    if (!e || e->type == TE_C8Y_MAIN_DEVICE)
        snprintf(buf, len, "%s/s/us", st->cfg.prefix);
    else
        snprintf(buf, len, "%s/s/us/%s", st->cfg.prefix, e->xid);
}

void c8y_parent_smartrest_topic(const te_c8y_t *st, const te_c8y_entity_t *e, char *buf, size_t len)
{
    c8y_smartrest_topic(st, te_c8y_entity_find(&st->store, e->parent), buf, len);
}

const char *c8y_twin_string(const te_c8y_entity_t *e, const char *key)
{
    return json_string_value(json_object_get(e->twin, key));
}

size_t te_c8y_packet_size(size_t topic_len, size_t payload_len)
{
    size_t remaining = 2 + topic_len + 2 + payload_len;
    size_t rl_bytes = remaining < 128 ? 1 : remaining < 16384 ? 2 : remaining < 2097152 ? 3 : 4;
    return 1 + rl_bytes + remaining;
}

te_err_t c8y_emit(te_c8y_t *st, te_out_t *out, const char *topic, const char *payload, size_t len)
{
    (void)st;
    te_err_t rc = te_out_add(out, topic, payload, len, 1, false);
    if (rc != TE_OK)
        te_out_errorf(out, "cannot queue a message on %s: %s", topic, te_strerror(rc));
    return rc;
}

void c8y_flow_error(te_c8y_t *st, te_out_t *out, const char *flow, const char *fmt, ...)
{
    char detail[sizeof out->error];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(detail, sizeof detail, fmt, ap);
    va_end(ap);
    te_out_errorf(out, "Error in %s/%s.toml: Input message cannot be processed: %s", st->flows_dir, flow, detail);
}

te_err_t c8y_emit_checked(te_c8y_t *st, te_out_t *out, const char *topic, const te_c8y_buf_t *b,
                          const char *flow)
{
    size_t size = te_c8y_packet_size(strlen(topic), b->len);
    if (b->overflow || size > st->cfg.max_payload_bytes) {
        const char *extra = flow && strcmp(flow, "events") == 0
            ? " (sending over-size events over HTTP is not supported yet)" : "";
        if (flow)
            c8y_flow_error(st, out, flow, "Payload is too large >%zu%s", st->cfg.max_payload_bytes, extra);
        else
            te_out_errorf(out, "Payload is too large >%zu: message for %s dropped", st->cfg.max_payload_bytes, topic);
        return TE_ERR_TOOBIG;
    }
    return c8y_emit(st, out, topic, b->data, b->len);
}

/* ---- config ---- */

void te_c8y_config_defaults(te_c8y_config_t *c, const char *device_id, const char *config_dir)
{
    memset(c, 0, sizeof *c);
    snprintf(c->device_id, sizeof c->device_id, "%s", device_id);
    snprintf(c->prefix, sizeof c->prefix, "c8y");
    snprintf(c->root, sizeof c->root, "te");
    snprintf(c->service_type, sizeof c->service_type, "service");
    snprintf(c->config_dir, sizeof c->config_dir, "%s", config_dir);
    c->max_payload_bytes = 16184;
    c->availability = true;
    c->availability_interval_s = 3600;
    c->enable_log_upload = c->enable_config_snapshot = c->enable_config_update = true;
    c->enable_firmware_update = c->enable_device_profile = c->enable_device_restart = true;
    c->enable_software_update = true;
}

static bool cfg_bool(te_config_t *cfg, const char *key, bool dflt)
{
    bool v;
    return te_config_get_bool(cfg, key, &v) == TE_OK ? v : dflt;
}

te_err_t te_c8y_config_load(te_config_t *cfg, te_c8y_config_t *c, char *err, size_t errlen)
{
    const char *dev = te_config_get(cfg, "c8y.device.id");
    if (!dev || !dev[0]) {
        snprintf(err, errlen, "c8y.device.id is not set: set device.id or create a device certificate "
                              "(tedge cert create --device-id <id>)");
        return TE_ERR_NOTFOUND;
    }
    te_c8y_config_defaults(c, dev, te_config_dir(cfg));
    const char *prefix = te_config_get(cfg, "c8y.bridge.topic_prefix");
    if (prefix) {
        if (!prefix[0] || strpbrk(prefix, "+#") || strcmp(prefix, "c8y-internal") == 0 ||
            strlen(prefix) >= sizeof c->prefix) {
            snprintf(err, errlen, "c8y.bridge.topic_prefix '%s' is invalid: not empty, no '+' or '#', "
                                  "not 'c8y-internal'", prefix);
            return TE_ERR_CONFIG;
        }
        snprintf(c->prefix, sizeof c->prefix, "%s", prefix);
    }
    const char *root = te_config_get(cfg, "mqtt.topic_root");
    if (root)
        snprintf(c->root, sizeof c->root, "%s", root);
    const char *stype = te_config_get(cfg, "service.type");
    if (stype && stype[0])
        snprintf(c->service_type, sizeof c->service_type, "%s", stype);
    int64_t n;
    if (te_config_get_int(cfg, "c8y.mapper.mqtt.max_payload_size", &n) == TE_OK && n > 0)
        c->max_payload_bytes = (size_t)n;
    if (te_config_get_duration_s(cfg, "c8y.availability.interval", &n) == TE_OK && n >= 0)
        c->availability_interval_s = n;
    c->device_marker = cfg_bool(cfg, "c8y.smartrest.child_device.create_with_device_marker", false);
    c->availability = cfg_bool(cfg, "c8y.availability.enable", true);
    c->builtin_bridge = cfg_bool(cfg, "mqtt.bridge.built_in", false);
    c->with_types = cfg_bool(cfg, "c8y.software_management.with_types", false);
    c->enable_log_upload = cfg_bool(cfg, "c8y.enable.log_upload", true);
    c->enable_config_snapshot = cfg_bool(cfg, "c8y.enable.config_snapshot", true);
    c->enable_config_update = cfg_bool(cfg, "c8y.enable.config_update", true);
    c->enable_firmware_update = cfg_bool(cfg, "c8y.enable.firmware_update", true);
    c->enable_device_profile = cfg_bool(cfg, "c8y.enable.device_profile", true);
    c->enable_device_restart = cfg_bool(cfg, "c8y.enable.device_restart", true);
    c->enable_software_update = cfg_bool(cfg, "c8y.enable.software_update", true);
    return TE_OK;
}

te_err_t te_c8y_last_will(const te_c8y_config_t *c, char *topic, size_t topic_len, char *payload,
                          size_t payload_len)
{
    int a = snprintf(topic, topic_len, "%s/s/us", c->prefix);
    /* the service is tedge-mapper-<c8y.bridge.topic_prefix> (mapper-c8y.md §1) */
    int b = snprintf(payload, payload_len, "102,%s:device:main:service:tedge-mapper-%s,%s,tedge-mapper-%s,down",
                     c->device_id, c->prefix, c->service_type[0] ? c->service_type : "service", c->prefix);
    return a < 0 || (size_t)a >= topic_len || b < 0 || (size_t)b >= payload_len ? TE_ERR_TOOBIG : TE_OK;
}

/* ---- state ---- */

te_err_t te_c8y_new(te_c8y_t **out_st, const te_c8y_config_t *cfg)
{
    te_c8y_t *st = calloc(1, sizeof *st);
    if (!st)
        return TE_ERR_NOMEM;
    st->cfg = *cfg;
    if (!st->cfg.service_type[0])
        snprintf(st->cfg.service_type, sizeof st->cfg.service_type, "service"); /* issue 2383 */
    te_c8y_store_init(&st->store);
    st->json_cap = cfg->max_payload_bytes + 1 > JSON_BUF_MIN ? cfg->max_payload_bytes + 1 : JSON_BUF_MIN;
    st->json_mem = malloc(st->json_cap);
    te_c8y_entity_t *main_dev = te_c8y_entity_new();
    if (!st->json_mem || !main_dev) {
        te_c8y_entity_free(main_dev);
        te_c8y_free(st);
        return TE_ERR_NOMEM;
    }
    snprintf(st->ops_dir, sizeof st->ops_dir, "%s/operations/%s", cfg->config_dir, "c8y");
    snprintf(st->flows_dir, sizeof st->flows_dir, "%s/mappers/%s/flows", cfg->config_dir, "c8y");
    snprintf(st->bridge_health_topic, sizeof st->bridge_health_topic,
             "%s/device/main/service/mosquitto-%s-bridge/status/health", cfg->root, cfg->prefix);
    snprintf(main_dev->id, sizeof main_dev->id, "%s", C8Y_MAIN_ID);
    snprintf(main_dev->xid, sizeof main_dev->xid, "%s", cfg->device_id);
    main_dev->type = TE_C8Y_MAIN_DEVICE;
    if (te_c8y_entity_add(&st->store, main_dev) != TE_OK) {
        te_c8y_entity_free(main_dev);
        te_c8y_free(st);
        return TE_ERR_NOMEM;
    }
    *out_st = st;
    return TE_OK;
}

void te_c8y_free(te_c8y_t *st)
{
    if (!st)
        return;
    te_tejson_measurement_free(&st->meas);
    c8y_alarm_sync_free(st);
    te_c8y_store_free(&st->store);
    free(st->json_mem);
    free(st);
}

void te_c8y_set_clock(te_c8y_t *st, te_c8y_clock_fn now, void *ctx)
{
    st->clock = now;
    st->clock_ctx = ctx;
}

const char *te_c8y_ops_dir(const te_c8y_t *st) { return st->ops_dir; }
const char *te_c8y_bridge_health_topic(const te_c8y_t *st) { return st->bridge_health_topic; }
size_t te_c8y_pending_entities(const te_c8y_t *st) { return st->store.npending; }
unsigned long te_c8y_dropped_messages(const te_c8y_t *st) { return st->store.dropped_msgs; }

static int64_t availability_minutes(const te_c8y_t *st)
{
    return st->cfg.availability_interval_s / 60;
}

/* The c8y_Agent fragment thin-edge.io's mapper publishes first on start
 * (c8y_mapper_ext tests.rs mapper_publishes_init_messages_on_startup; its
 * skip_init_messages waits for it). Keys in serde_json's sorted order. */
static te_err_t send_agent_fragment(te_c8y_t *st, te_out_t *out)
{
    te_c8y_entity_t *main_dev = te_c8y_entity_find(&st->store, C8Y_MAIN_ID);
    char suffix[TE_C8Y_XID_MAX + 64];
    snprintf(suffix, sizeof suffix, "inventory/managedObjects/update/%s", main_dev->xid);
    char topic[TE_TOPIC_MAX + TE_C8Y_XID_MAX];
    c8y_topic(st, suffix, topic, sizeof topic);
    te_c8y_buf_t b;
    te_c8y_buf_init(&b, st->line_mem, sizeof st->line_mem);
    te_c8y_buf_str(&b, "{\"c8y_Agent\":{\"name\":\"thin-edge.io\",\"url\":\"https://thin-edge.io\",\"version\":");
    te_c8y_json_cstring(&b, TEDGE_VERSION);
    te_c8y_buf_str(&b, "}}");
    return c8y_emit_checked(st, out, topic, &b, NULL);
}

static te_err_t send_init(te_c8y_t *st, te_out_t *out)
{
    te_c8y_entity_t *main_dev = te_c8y_entity_find(&st->store, C8Y_MAIN_ID);
    te_err_t rc = send_agent_fragment(st, out);
    if (rc != TE_OK)
        return rc;
    te_c8y_buf_t b;
    te_c8y_buf_init(&b, st->line_mem, sizeof st->line_mem);
    if (!c8y_ops_read(st->ops_dir, &b))
        te_c8y_buf_str(&b, "114");
    free(main_dev->ops);
    main_dev->ops = strdup(b.data);
    char topic[TE_TOPIC_MAX];
    c8y_smartrest_topic(st, main_dev, topic, sizeof topic);
    rc = c8y_emit(st, out, topic, b.data, b.len);
    if (rc == TE_OK)
        rc = c8y_emit(st, out, topic, "500", 3);
    st->bridge_seen = true;
    return rc;
}

te_err_t te_c8y_start(te_c8y_t *st, te_out_t *out)
{
    te_err_t rc = te_fs_mkdir_p(st->ops_dir, 0755);
    if (rc != TE_OK) {
        te_out_errorf(out, "cannot create the operations directory %s: %s", st->ops_dir, te_strerror(rc));
        return TE_ERR_IO;
    }
    if (st->cfg.availability) {
        char line[64], topic[TE_TOPIC_MAX];
        int n = snprintf(line, sizeof line, "117,%lld", (long long)availability_minutes(st));
        c8y_smartrest_topic(st, NULL, topic, sizeof topic);
        if ((rc = c8y_emit(st, out, topic, line, (size_t)n)) != TE_OK)
            return rc;
    }
    if (st->cfg.builtin_bridge)
        return send_init(st, out);
    te_c8y_entity_t *main_dev = te_c8y_entity_find(&st->store, C8Y_MAIN_ID);
    te_c8y_buf_t b;
    te_c8y_buf_init(&b, st->line_mem, sizeof st->line_mem);
    if (!c8y_ops_read(st->ops_dir, &b))
        te_c8y_buf_str(&b, "114");
    main_dev->ops = strdup(b.data);
    return TE_OK;
}

/* ---- health (§4.5) ---- */

static bool is_bridge_service(const char *svc)
{
    size_t n = strlen(svc);
    return strncmp(svc, "mosquitto-", 10) == 0 && n > 17 && strcmp(svc + n - 7, "-bridge") == 0;
}

static void health_status(const char *svc, const te_msg_t *msg, char *status, size_t len)
{
    snprintf(status, len, "unknown");
    if (is_bridge_service(svc)) {
        if (msg->len == 1 && ((const char *)msg->payload)[0] == '1')
            snprintf(status, len, "up");
        else if (msg->len == 1 && ((const char *)msg->payload)[0] == '0')
            snprintf(status, len, "down");
        return;
    }
    json_t *v = msg->len ? json_loadb(msg->payload, msg->len, JSON_REJECT_DUPLICATES, NULL) : NULL;
    const char *s = json_string_value(json_object_get(v, "status"));
    if (s && s[0])
        snprintf(status, len, "%s", s);
    json_decref(v);
}

static te_err_t health(te_c8y_t *st, te_c8y_entity_t *e, const te_msg_t *msg, te_out_t *out)
{
    char svc[TE_TOPIC_ID_MAX] = "";
    if (te_topic_id_service_name(e->id, svc, sizeof svc) != TE_OK)
        svc[0] = '\0';
    health_status(svc, msg, e->status, sizeof e->status);
    if (e->type != TE_C8Y_SERVICE)
        return TE_OK;
    const char *name = c8y_twin_string(e, "name");
    const char *type = c8y_twin_string(e, "type");
    te_c8y_buf_t b;
    te_c8y_buf_init(&b, st->line_mem, sizeof st->line_mem);
    te_c8y_buf_str(&b, "102");
    te_c8y_csv_field(&b, e->xid);
    te_c8y_csv_field(&b, type ? type : "service");
    te_c8y_csv_field(&b, name ? name : svc[0] ? svc : e->xid);
    te_c8y_csv_field(&b, e->status);
    char topic[TE_TOPIC_MAX + TE_C8Y_XID_MAX];
    c8y_parent_smartrest_topic(st, e, topic, sizeof topic);
    te_err_t rc = c8y_emit_checked(st, out, topic, &b, NULL);
    char builtin[128];
    snprintf(builtin, sizeof builtin, "tedge-mapper-bridge-%s", st->cfg.prefix);
    char mosq[128];
    snprintf(mosq, sizeof mosq, "mosquitto-%s-bridge", st->cfg.prefix);
    if (rc == TE_OK && strcmp(e->status, "up") == 0 && (strcmp(svc, mosq) == 0 || strcmp(svc, builtin) == 0)) {
        c8y_smartrest_topic(st, NULL, topic, sizeof topic);
        rc = c8y_emit(st, out, topic, "500", 3);
    }
    return rc;
}

/* ---- dispatch ---- */

te_err_t c8y_dispatch_data(te_c8y_t *st, te_c8y_entity_t *e, const te_topic_t *t, const te_msg_t *msg,
                           te_out_t *out)
{
    switch (t->kind) {
    case TE_CH_MEASUREMENT:
        return c8y_measurement(st, e, t->name, msg, out);
    case TE_CH_MEASUREMENT_META:
        return c8y_measurement_meta(st, e, t->name, msg, out);
    case TE_CH_EVENT:
        return c8y_event(st, e, t->name, msg, out);
    case TE_CH_ALARM:
        return c8y_alarm(st, e, t->name, msg, out);
    case TE_CH_TWIN:
        return c8y_twin(st, e, t->name, msg, out);
    case TE_CH_CAPABILITY:
        return c8y_capability(st, e, t->name, msg, out);
    case TE_CH_HEALTH:
        return health(st, e, msg, out);
    default:
        return TE_OK;
    }
}

static bool buffered_kind(te_channel_kind_t kind, size_t len)
{
    switch (kind) {
    case TE_CH_MEASUREMENT:
    case TE_CH_EVENT:
        return true;
    case TE_CH_MEASUREMENT_META:
    case TE_CH_ALARM:
    case TE_CH_TWIN:
    case TE_CH_CAPABILITY:
    case TE_CH_HEALTH:
        return len > 0; /* clearing what was never seen: nothing to keep */
    default:
        return false;
    }
}

static bool bridge_status_valid(const te_msg_t *msg)
{
    return msg->len == 1 && (((const char *)msg->payload)[0] == '1' || ((const char *)msg->payload)[0] == '0');
}

te_err_t te_c8y_convert(te_c8y_t *st, const te_msg_t *msg, te_out_t *out)
{
    te_err_t rc;
    if (!st->bridge_seen && strcmp(msg->topic, st->bridge_health_topic) == 0 && bridge_status_valid(msg)) {
        if ((rc = send_init(st, out)) != TE_OK)
            return rc;
    }
    if (c8y_is_journal_topic(msg->topic)) {
        (void)c8y_alarm_sync_collect(st, msg); /* after the sync: our own echo */
        return TE_OK;
    }
    te_topic_t t;
    rc = te_topic_parse(st->cfg.root, msg->topic, strlen(msg->topic), &t);
    if (rc == TE_ERR_NOTFOUND)
        return TE_OK; /* c8y/... inputs: operations (later) */
    if (rc != TE_OK) {
        te_log_debug("ignoring %s: not a valid %s/ topic (%s)", msg->topic, st->cfg.root, te_strerror(rc));
        return TE_OK;
    }
    switch (t.kind) {
    case TE_CH_SIGNAL:
        if (strncmp(t.entity_id, "device/main/service/tedge-mapper-", 33) == 0 &&
            strcmp(t.entity_id + 33, st->cfg.prefix) == 0 && strcmp(t.name, "sync") == 0)
            c8y_ops_sync(st, out);
        return TE_OK;
    case TE_CH_COMMAND:
    case TE_CH_HEALTH_CHECK:
    case TE_CH_CONFIG:
    case TE_CH_EVENT_META:
    case TE_CH_ALARM_META:
        return TE_OK;
    default:
        break;
    }
    if (!te_utf8_valid(msg->payload, msg->len)) {
        te_out_errorf(out, "Failed to convert a message on topic '%s': Not an UTF8 payload", msg->topic);
        return TE_ERR_PARSE;
    }
    if (t.kind == TE_CH_ALARM && c8y_alarm_sync_collect(st, msg))
        return TE_OK;
    if (t.kind == TE_CH_REGISTRATION)
        return c8y_registration(st, t.entity_id, msg, out);
    te_c8y_entity_t *e = te_c8y_entity_find(&st->store, t.entity_id);
    if (e)
        return c8y_dispatch_data(st, e, &t, msg, out);
    if (!buffered_kind(t.kind, msg->len))
        return TE_OK;
    unsigned long dropped = 0;
    rc = te_c8y_pending_push(&st->store, t.entity_id, msg->topic, msg->payload, msg->len, msg->retain, &dropped);
    if (rc != TE_OK) {
        te_out_errorf(out, "Message on %s dropped: %s is not registered and the buffers for unregistered "
                      "entities are full (%u bytes)", msg->topic, t.entity_id, TE_C8Y_PENDING_BYTES);
        return rc;
    }
    if (dropped)
        te_out_errorf(out, "%lu early message(s) dropped while buffering %s: %s is not registered "
                      "(at most %d messages per entity, %d entities)", dropped, msg->topic, t.entity_id,
                      TE_C8Y_PENDING_PER_ENTITY, TE_C8Y_MAX_PENDING);
    return TE_OK;
}

/* ---- availability heartbeat (§4.7) ---- */

static bool device_up(const te_c8y_t *st, const te_c8y_entity_t *d)
{
    char source[TE_TOPIC_ID_MAX + 32];
    if (d->health[0]) {
        snprintf(source, sizeof source, "%s", d->health);
    } else {
        char name[TE_TOPIC_ID_MAX];
        if (te_topic_id_device_name(d->id, name, sizeof name) != TE_OK)
            return false; /* custom scheme without @health: not monitored */
        snprintf(source, sizeof source, "device/%s/service/tedge-agent", name);
    }
    const te_c8y_entity_t *s = te_c8y_entity_find(&st->store, source);
    return s && strcmp(s->status, "up") == 0;
}

void te_c8y_tick(te_c8y_t *st, uint64_t now_ms, te_out_t *out)
{
    c8y_alarm_sync_tick(st, now_ms, out);
    if (!st->cfg.availability || st->cfg.availability_interval_s < 60)
        return;
    uint64_t period_ms = (uint64_t)st->cfg.availability_interval_s * 1000 / 2;
    if (!st->next_heartbeat_ms) {
        st->next_heartbeat_ms = now_ms + period_ms;
        return;
    }
    if (now_ms < st->next_heartbeat_ms)
        return;
    st->next_heartbeat_ms = now_ms + period_ms;
    for (te_c8y_entity_t *e = st->store.first; e; e = e->lnext) {
        if (e->type == TE_C8Y_SERVICE || !device_up(st, e))
            continue;
        char suffix[TE_C8Y_XID_MAX + 64];
        snprintf(suffix, sizeof suffix, "inventory/managedObjects/update/%s", e->xid);
        char topic[TE_TOPIC_MAX + TE_C8Y_XID_MAX];
        c8y_topic(st, suffix, topic, sizeof topic);
        if (c8y_emit(st, out, topic, "{}", 2) != TE_OK)
            return;
    }
}
