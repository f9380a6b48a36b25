/* cloudmap: the az/aws telemetry pipeline of spec/mapper-az-aws.md §4.
 *
 * Where thin-edge.io's serde_json and jansson differ, the parse is made to
 * behave like serde_json: a repeated key keeps its last value (no error), a
 * \u0000 escape is allowed, a document nested deeper than 127 containers is
 * not JSON, and numbers are read as serde_json computes them (serdenum).
 * Residual differences from serde_json: a key holding \u0000 makes the
 * payload pass through unchanged; a payload that holds the text \u0001
 * reads its u64-only integers as floats. */
#include "tedge/cloudmap.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tedge/jsonw.h"
#include "tedge/serdenum.h"
#include "tedge/topic.h"

#define ERR_PREFIX "Error in %s: Input message cannot be processed: "

typedef enum stamp_result {
    STAMP_UNCHANGED,  /* not a JSON object: the original bytes go on */
    STAMP_REWRITTEN,  /* m->payload holds the new payload */
    STAMP_BAD_TIME,   /* `time` cannot be read or formatted */
    STAMP_TOO_LARGE,  /* the new payload does not fit m->payload */
    STAMP_NOMEM,
} stamp_result_t;

te_err_t te_cloudmap_init(te_cloudmap_t *m, const te_cloudmap_opts_t *opts)
{
    if (!m)
        return TE_ERR_INVAL;
    memset(m, 0, sizeof *m);
    if (!opts || !opts->topic_prefix || !opts->topic_prefix[0] || opts->max_payload_size == 0)
        return TE_ERR_INVAL;
    const char *flow = opts->flow_file ? opts->flow_file : "mea.toml";
    if (strlen(opts->topic_prefix) >= sizeof m->prefix || strlen(flow) >= sizeof m->flow_file)
        return TE_ERR_INVAL;
    m->cloud = opts->cloud;
    m->add_timestamp = opts->add_timestamp;
    m->rfc3339 = opts->rfc3339;
    m->max_payload_size = opts->max_payload_size;
    strcpy(m->prefix, opts->topic_prefix);
    strcpy(m->flow_file, flow);
    m->payload_cap = opts->max_payload_size < TE_CLOUDMAP_MAX_OUTPUT ? opts->max_payload_size
                                                                    : TE_CLOUDMAP_MAX_OUTPUT;
    /* AWS: "<prefix>/td/" + at most the input topic + "/"; Azure: fixed. */
    m->topic_cap = strlen(m->prefix) + (opts->cloud == TE_CLOUD_AWS ? TE_TOPIC_MQTT_MAX : 0) + 32;
    m->payload = m->add_timestamp ? malloc(m->payload_cap + 1) : NULL;
    m->topic = malloc(m->topic_cap);
    if ((m->add_timestamp && !m->payload) || !m->topic) {
        te_cloudmap_free(m);
        return TE_ERR_NOMEM;
    }
    if (m->cloud == TE_CLOUD_AZ)
        snprintf(m->topic, m->topic_cap, "%s/messages/events/", m->prefix);
    return TE_OK;
}

te_err_t te_cloudmap_init_config(te_cloudmap_t *m, te_cloud_t cloud, te_config_t *cfg,
                                 char *err, size_t errlen)
{
    const char *c = cloud == TE_CLOUD_AZ ? "az" : "aws";
    char key[96];
    te_cloudmap_opts_t opts = {.cloud = cloud, .add_timestamp = true};

    snprintf(key, sizeof key, "%s.mapper.timestamp", c);
    if (te_config_get_bool(cfg, key, &opts.add_timestamp) != TE_OK)
        opts.add_timestamp = true;
    snprintf(key, sizeof key, "%s.mapper.timestamp_format", c);
    const char *format = te_config_get(cfg, key);
    opts.rfc3339 = format && strncmp(format, "rfc", 3) == 0;
    snprintf(key, sizeof key, "%s.mapper.mqtt.max_payload_size", c);
    int64_t limit = 0;
    if (te_config_get_int(cfg, key, &limit) != TE_OK || limit < 1 || limit > 268435455) {
        snprintf(err, errlen, "%s: expected a size between 1 and 268435455 bytes", key);
        return TE_ERR_CONFIG;
    }
    opts.max_payload_size = (uint32_t)limit;
    snprintf(key, sizeof key, "%s.bridge.topic_prefix", c);
    opts.topic_prefix = te_config_get(cfg, key);
    if (!opts.topic_prefix || !opts.topic_prefix[0] || strpbrk(opts.topic_prefix, "#+")) {
        snprintf(err, errlen, "%s: a topic prefix must be non-empty, without '#' or '+'", key);
        return TE_ERR_CONFIG;
    }
    char flow[4096];
    int n = snprintf(flow, sizeof flow, "%s/mappers/%s/flows/mea.toml", te_config_dir(cfg), c);
    if (n < 0 || (size_t)n >= sizeof flow) {
        snprintf(err, errlen, "the config dir path is too long");
        return TE_ERR_CONFIG;
    }
    opts.flow_file = flow;
    te_err_t rc = te_cloudmap_init(m, &opts);
    if (rc == TE_ERR_INVAL) {
        snprintf(err, errlen, "%s: the topic prefix is too long", key);
        return TE_ERR_CONFIG;
    }
    if (rc != TE_OK)
        snprintf(err, errlen, "%s", te_strerror(rc));
    return rc;
}

void te_cloudmap_free(te_cloudmap_t *m)
{
    if (!m)
        return;
    free(m->payload);
    free(m->topic);
    m->payload = m->topic = NULL;
    m->payload_cap = m->topic_cap = 0;
}

size_t te_cloudmap_wire_size(size_t topic_len, int qos, size_t payload_len)
{
    size_t rem = 2 + topic_len + (qos > 0 ? 2 : 0) + payload_len;
    size_t varint = 1;
    for (size_t v = rem; v >= 128; v /= 128)
        varint++;
    return 1 + varint + rem;
}

bool te_cloudmap_is_bridge_notification(const char *topic, const void *payload, size_t len)
{
    static const char suffix[] = "/status/health";
    if (len != 1 || (((const char *)payload)[0] != '0' && ((const char *)payload)[0] != '1'))
        return false;
    size_t n = strlen(topic), slashes = 0;
    for (size_t i = 0; i < n; i++)
        slashes += topic[i] == '/';
    return slashes == 6 && n >= sizeof suffix - 1 &&
           memcmp(topic + n - (sizeof suffix - 1), suffix, sizeof suffix - 1) == 0;
}

te_err_t te_cloudmap_aws_topic(const char *prefix, const char *topic, char *buf, size_t buflen)
{
    const char *level[7];
    size_t level_len[7];
    size_t count = 0;
    const char *p = topic;
    for (;;) {
        const char *slash = strchr(p, '/');
        size_t n = slash ? (size_t)(slash - p) : strlen(p);
        if (count == 7)
            return TE_ERR_NOTFOUND;
        level[count] = p;
        level_len[count++] = n;
        if (!slash)
            break;
        p = slash + 1;
    }
    if (count != 7)
        return TE_ERR_NOTFOUND;
#define IS(i, s) (level_len[i] == sizeof(s) - 1 && memcmp(level[i], s, sizeof(s) - 1) == 0)
    bool telemetry = IS(5, "m") || IS(5, "e") || IS(5, "a");
    if (!telemetry && !(IS(5, "status") && IS(6, "health")))
        return TE_ERR_NOTFOUND;
#undef IS
    size_t need = strlen(prefix) + 4 + level_len[5] + level_len[6] + 2, parts = 0;
    for (int i = 1; i <= 4; i++) {
        need += level_len[i];
        parts += level_len[i] > 0;
    }
    need += parts > 1 ? parts - 1 : 0; /* the ':' separators */
    if (need + 1 > buflen)
        return TE_ERR_TOOBIG;
    size_t at = (size_t)sprintf(buf, "%s/td/", prefix);
    bool first = true;
    for (int i = 1; i <= 4; i++) {
        if (level_len[i] == 0)
            continue;
        if (!first)
            buf[at++] = ':';
        memcpy(buf + at, level[i], level_len[i]);
        at += level_len[i];
        first = false;
    }
    at += (size_t)sprintf(buf + at, "/%.*s/%.*s", (int)level_len[5], level[5], (int)level_len[6],
                          level[6]);
    buf[at] = '\0';
    return TE_OK;
}

double te_cloudmap_unix_seconds(const te_time_t *t)
{
    /* unix_timestamp_nanos() as f64 / 1e9, as thin-edge.io's TimeFormat::to_json. */
    if (t->unix_s > -9223372035LL && t->unix_s < 9223372035LL)
        return (double)(t->unix_s * 1000000000LL + t->nsec) / 1e9;
#ifdef __SIZEOF_INT128__
    return (double)((__int128)t->unix_s * 1000000000 + t->nsec) / 1e9;
#else
    return te_time_to_unix_double(t);
#endif
}

/* A string value te_serdenum_rewrite wrote for a u64 integer. */
static bool is_u64_mark(const json_t *v)
{
    return json_is_string(v) && json_string_length(v) > 1 && json_string_value(v)[0] == TE_SERDENUM_U64_MARK;
}

/* A u64 marker can only stand for a value: one read as an object key was a
 * number in key position, so the payload was not JSON to begin with. Called
 * on a tree depth_within has accepted. */
static bool has_marked_key(const json_t *v)
{
    if (json_is_array(v)) {
        for (size_t i = 0; i < json_array_size(v); i++)
            if (has_marked_key(json_array_get(v, i)))
                return true;
        return false;
    }
    if (!json_is_object(v))
        return false;
    const char *key;
    json_t *member;
    json_object_foreach((json_t *)v, key, member) {
        if (key[0] == TE_SERDENUM_U64_MARK || has_marked_key(member))
            return true;
    }
    return false;
}

/* serde_json refuses documents nested deeper than 127 containers. */
static bool depth_within(const json_t *v, int depth)
{
    if (!json_is_object(v) && !json_is_array(v))
        return true;
    if (depth >= TE_JSONW_MAX_DEPTH)
        return false;
    if (json_is_array(v)) {
        for (size_t i = 0; i < json_array_size(v); i++)
            if (!depth_within(json_array_get(v, i), depth + 1))
                return false;
        return true;
    }
    const char *key;
    json_t *member;
    json_object_foreach((json_t *)v, key, member) {
        if (!depth_within(member, depth + 1))
            return false;
    }
    return true;
}

/* The new `time` value (a new reference), NULL when the old one stays; sets
 * *bad when the value cannot be read or formatted. */
static json_t *new_time_value(const te_cloudmap_t *m, const json_t *time, const te_time_t *now,
                              bool *bad)
{
    te_time_t t;
    *bad = false;
    if (time == NULL) {
        t = *now;
    } else if ((json_is_number(time) || is_u64_mark(time)) && !m->rfc3339) {
        return NULL;
    } else if (is_u64_mark(time)) {
        /* thin-edge.io: visit_u64 wants an i64, beyond it is an error */
        *bad = true;
        return NULL;
    } else if (json_is_string(time) && m->rfc3339) {
        return NULL;
    } else if (json_is_string(time)) {
        if (te_time_parse_rfc3339(json_string_value(time), json_string_length(time), &t, NULL, 0) != TE_OK) {
            *bad = true;
            return NULL;
        }
    } else if (json_is_integer(time)) {
        if (te_time_from_unix_s((int64_t)json_integer_value(time), &t, NULL, 0) != TE_OK) {
            *bad = true;
            return NULL;
        }
    } else if (json_is_real(time)) {
        if (te_time_from_unix_double(json_real_value(time), &t, NULL, 0) != TE_OK) {
            *bad = true;
            return NULL;
        }
    } else {
        *bad = true;
        return NULL;
    }
    json_t *value;
    if (m->rfc3339) {
        char text[TE_TIME_STR_MAX];
        if (te_time_format_rfc3339_utc(&t, -1, text, sizeof text) != TE_OK) {
            *bad = true;
            return NULL;
        }
        value = json_string(text);
    } else {
        value = json_real(te_cloudmap_unix_seconds(&t));
    }
    return value;
}

static stamp_result_t add_timestamp(te_cloudmap_t *m, const te_msg_t *in, const te_time_t *now,
                                    size_t *out_len)
{
    json_error_t je;
    char *text = NULL;
    size_t text_len = 0;
    bool marks = false;
    te_err_t rewrite = te_serdenum_rewrite(in->payload, in->len, &text, &text_len, &marks);
    if (rewrite == TE_ERR_NOMEM)
        return STAMP_NOMEM;
    if (rewrite != TE_OK)
        return STAMP_UNCHANGED; /* a number serde_json rejects: not JSON */
    json_t *root = text ? json_loadb(text, text_len, JSON_ALLOW_NUL, &je)
                        : json_loadb(in->payload, in->len, JSON_ALLOW_NUL, &je);
    free(text);
    if (!root)
        return json_error_code(&je) == json_error_out_of_memory ? STAMP_NOMEM : STAMP_UNCHANGED;
    if (!json_is_object(root) || !depth_within(root, 0) || (marks && has_marked_key(root))) {
        json_decref(root);
        return STAMP_UNCHANGED;
    }
    bool bad;
    json_t *time = new_time_value(m, json_object_get(root, "time"), now, &bad);
    stamp_result_t result = STAMP_REWRITTEN;
    if (bad) {
        result = STAMP_BAD_TIME;
    } else if (time && json_object_set_new(root, "time", time) != 0) {
        result = STAMP_NOMEM;
    } else {
        te_jsonw_t w;
        te_jsonw_init(&w, m->payload, m->payload_cap);
        te_err_t rc = te_jsonw_json(&w, root);
        if (rc == TE_OK)
            rc = te_jsonw_finish(&w, out_len);
        if (rc == TE_OK && marks)
            *out_len = te_serdenum_unmark(m->payload, *out_len);
        if (rc == TE_ERR_TOOBIG)
            result = STAMP_TOO_LARGE;
        else if (rc != TE_OK)
            result = STAMP_NOMEM;
    }
    json_decref(root);
    return result;
}

te_err_t te_cloudmap_convert(te_cloudmap_t *m, const te_msg_t *in, const te_time_t *now, te_out_t *out)
{
    if (!m || !in || !in->topic || (!in->payload && in->len) || !now || !out)
        return TE_ERR_INVAL;
    if (te_cloudmap_is_bridge_notification(in->topic, in->payload, in->len))
        return TE_OK;

    const char *payload = in->payload ? in->payload : "";
    size_t len = in->len;
    bool rewritten = false;
    if (m->add_timestamp) {
        switch (add_timestamp(m, in, now, &len)) {
        case STAMP_UNCHANGED:
            len = in->len;
            break;
        case STAMP_REWRITTEN:
            payload = m->payload;
            rewritten = true;
            break;
        case STAMP_BAD_TIME:
            te_out_errorf(out, ERR_PREFIX "Failed to format message timestamp as %s", m->flow_file,
                          m->rfc3339 ? "rfc3339" : "unix");
            return TE_ERR_PARSE;
        case STAMP_TOO_LARGE:
            len = SIZE_MAX - 64; /* over any limit: reported below */
            break;
        case STAMP_NOMEM:
        default:
            return TE_ERR_NOMEM;
        }
    }

    if (len > m->max_payload_size ||
        te_cloudmap_wire_size(strlen(in->topic), in->qos, len) > m->max_payload_size) {
        te_out_errorf(out, ERR_PREFIX "Payload is too large >%u", m->flow_file, (unsigned)m->max_payload_size);
        return TE_ERR_TOOBIG;
    }

    int qos = 1;
    bool retain = false;
    if (m->cloud == TE_CLOUD_AWS) {
        te_err_t rc = te_cloudmap_aws_topic(m->prefix, in->topic, m->topic, m->topic_cap);
        if (rc == TE_ERR_NOTFOUND)
            return TE_OK;
        if (rc != TE_OK)
            return rc;
    } else if (!rewritten) {
        qos = in->qos;
        retain = in->retain;
    }
    return te_out_add(out, m->topic, payload, len, qos, retain);
}
