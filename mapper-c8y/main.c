/* tedge-mapper-c8y: translates the local te/ API for Cumulocity IoT
 * (mapper-c8y.md). The converter lives in common/ (c8y_mapper.h); this file
 * wires it to the shared runtime and adds the process's own I/O: the
 * inputs named by the spec besides c8y.topics (and the alarm journal, whose
 * start-up sync window starts here), the second client carrying
 * the last will on <c8y>/s/us, and the watch of the operations directory. */
#include <stdio.h>
#include <string.h>

#include "tedge/c8y_mapper.h"
#include "tedge/log.h"
#include "tedge/mapper.h"
#include "tedge/mqtt_packet.h"

static struct {
    te_mapper_t *rt;
    te_bus_t *will_bus;
    uv_fs_event_t watch;
    bool watching;
} app;

static te_err_t c8y_init(void **state, te_config_t *cfg, te_out_t *out)
{
    te_c8y_config_t c8y_cfg;
    char err[512];
    te_err_t rc = te_c8y_config_load(cfg, &c8y_cfg, err, sizeof err);
    if (rc == TE_ERR_NOTFOUND) {
        /* A device without an identity yet (tests, first boot): stay up as a
         * service so health and `tedge connect` work, convert nothing. */
        te_log_error("%s; nothing is converted until the mapper is restarted with one", err);
        *state = NULL;
        return TE_OK;
    }
    if (rc != TE_OK) {
        te_out_errorf(out, "%s", err);
        return TE_ERR_CONFIG;
    }
    te_c8y_t *st;
    if (te_c8y_new(&st, &c8y_cfg) != TE_OK)
        return TE_ERR_NOMEM;
    if (te_c8y_start(st, out) != TE_OK) {
        te_c8y_free(st);
        return TE_ERR_IO;
    }
    *state = st;
    return TE_OK;
}

static te_err_t c8y_convert(void *state, const te_msg_t *msg, te_out_t *out)
{
    return state ? te_c8y_convert(state, msg, out) : TE_OK;
}

static void c8y_tick(void *state, uint64_t now_ms, te_out_t *out)
{
    if (state)
        te_c8y_tick(state, now_ms, out);
}

static void c8y_free(void *state)
{
    te_c8y_free(state);
}

static void reload_ops(void *state, te_out_t *out, void *arg)
{
    (void)arg;
    te_c8y_reload_main_ops(state, out);
}

static void on_ops_dir(uv_fs_event_t *handle, const char *filename, int events, int status)
{
    (void)handle;
    (void)events;
    if (status < 0) {
        te_log_warn("watching the operations directory: %s", uv_strerror(status));
        return;
    }
    te_log_debug("operations directory changed (%s)", filename ? filename : "?");
    te_mapper_produce(app.rt, reload_ops, NULL);
}

/* Subscribes filter unless one of the c8y.topics filters already matches
 * topic (the bus would deliver it twice). */
static te_err_t subscribe_once(te_config_t *cfg, const char *filter)
{
    const char *const *items;
    size_t n;
    /* (a filter with wildcards is never covered: as libmosquitto did) */
    if (te_mqtt_topic_valid(filter, strlen(filter)) &&
        te_config_get_list(cfg, "c8y.topics", &items, &n) == TE_OK) {
        for (size_t i = 0; i < n; i++)
            if (te_mqtt_filter_valid(items[i], strlen(items[i])) &&
                te_mqtt_topic_matches(items[i], filter, strlen(filter)))
                return TE_OK;
    }
    return te_mapper_subscribe(app.rt, filter);
}

static te_err_t open_will_client(te_config_t *cfg)
{
    te_c8y_config_t c8y_cfg;
    char err[512], will_topic[128], will_payload[512], client_id[128];
    if (te_c8y_config_load(cfg, &c8y_cfg, err, sizeof err) != TE_OK ||
        te_c8y_last_will(&c8y_cfg, will_topic, sizeof will_topic, will_payload, sizeof will_payload) != TE_OK)
        return TE_ERR_CONFIG;
    snprintf(client_id, sizeof client_id, "last_will_%s_mapper", c8y_cfg.prefix);
    int64_t port = 1883;
    if (te_config_get_int(cfg, "mqtt.client.port", &port) != TE_OK)
        port = 1883;
    te_bus_opts_t opts = {
        .host = te_config_get(cfg, "mqtt.client.host"),
        .port = (int)port,
        .client_id = client_id,
        .clean_session = true,
        .username = te_config_get(cfg, "mqtt.client.auth.username"),
        .ca_file = te_config_get(cfg, "mqtt.client.auth.ca_file"),
        .ca_dir = te_config_get(cfg, "mqtt.client.auth.ca_dir"),
        .cert_file = te_config_get(cfg, "mqtt.client.auth.cert_file"),
        .key_file = te_config_get(cfg, "mqtt.client.auth.key_file"),
        .will_topic = will_topic,
        .will_payload = will_payload,
        .will_qos = 1,
        .will_retain = false,
    };
    return te_bus_open(&app.will_bus, te_mapper_loop(app.rt), &opts);
}

static te_err_t c8y_attach(void *state, te_mapper_t *rt)
{
    te_c8y_t *st = state;
    app.rt = rt;
    if (!st)
        return TE_OK;
    te_config_t *cfg = te_mapper_config(rt);
    const char *root = te_config_get(cfg, "mqtt.topic_root");
    const char *prefix = te_config_get(cfg, "c8y.bridge.topic_prefix");
    root = root ? root : "te";
    prefix = prefix ? prefix : "c8y";
    char filter[256];
    const char *const te_filters[] = {"%s/+/+/+/+/cmd/+", "%s/+/+/+/+/cmd/+/+",
                                      "%s/device/main/service/tedge-mapper-%s/signal/+"};
    for (size_t i = 0; i < sizeof te_filters / sizeof te_filters[0]; i++) {
        snprintf(filter, sizeof filter, te_filters[i], root, prefix);
        if (subscribe_once(cfg, filter) != TE_OK)
            return TE_ERR_CONFIG;
    }
    const char *const c8y_filters[] = {"%s/s/ds", "%s/devicecontrol/notifications"};
    for (size_t i = 0; i < sizeof c8y_filters / sizeof c8y_filters[0]; i++) {
        snprintf(filter, sizeof filter, c8y_filters[i], prefix);
        if (subscribe_once(cfg, filter) != TE_OK)
            return TE_ERR_CONFIG;
    }
    if (subscribe_once(cfg, te_c8y_bridge_health_topic(st)) != TE_OK)
        return TE_ERR_CONFIG;
    /* §4.4: the alarm journal, and 3 s in which alarms are only collected */
    if (te_mapper_subscribe(rt, "c8y-internal/alarms/#") != TE_OK ||
        te_c8y_alarm_sync_begin(st, uv_now(te_mapper_loop(rt)) + TE_C8Y_ALARM_SYNC_MS) != TE_OK)
        return TE_ERR_NOMEM;
    te_err_t rc = open_will_client(cfg);
    if (rc != TE_OK) {
        te_log_error("cannot set up the last-will client: %s", te_strerror(rc));
        return rc;
    }
    if (uv_fs_event_init(te_mapper_loop(rt), &app.watch) == 0) {
        app.watching = true;
        int err = uv_fs_event_start(&app.watch, on_ops_dir, te_c8y_ops_dir(st), 0);
        if (err < 0)
            te_log_warn("cannot watch %s: %s", te_c8y_ops_dir(st), uv_strerror(err));
    }
    return TE_OK;
}

static void c8y_stop(void *state, te_out_t *out)
{
    (void)state;
    (void)out;
    if (app.watching) {
        uv_close((uv_handle_t *)&app.watch, NULL);
        app.watching = false;
    }
    if (app.will_bus) {
        /* abrupt on purpose: the broker then publishes the 102 ... down will */
        te_bus_close(app.will_bus);
        app.will_bus = NULL;
    }
}

static const te_mapper_def_t c8y_mapper = {
    .name = "tedge-mapper-c8y",
    .summary = "tedge-mapper-c8y: translates the local te/ MQTT API for Cumulocity IoT",
    .topics_key = "c8y.topics",
    /* the service is tedge-mapper-<c8y.bridge.topic_prefix> (mapper-c8y.md §1) */
    .name_key = "c8y.bridge.topic_prefix",
    .init = c8y_init,
    .convert = c8y_convert,
    .tick = c8y_tick,
    .free = c8y_free,
    .stop = c8y_stop,
    .attach = c8y_attach,
};

int main(int argc, char **argv)
{
    return te_mapper_main(&c8y_mapper, argc, argv);
}
