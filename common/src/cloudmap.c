/* cloudmap: the az/aws telemetry pipeline of spec/mapper-az-aws.md §4.
 *
 * Where thin-edge.io's serde_json and jansson differ, the parse is made to
 * behave like serde_json: a repeated key keeps its last value (no error), a
 * \u0000 escape is allowed, a document nested deeper than 127 containers is
 * not JSON, and integer tokens are read as serde_json reads them ("-0" and
 * integers outside i64/u64 are floats, 2^63..2^64-1 stay exact integers).
 * Residual differences from serde_json: a key holding \u0000 makes the
 * payload pass through unchanged; a payload that holds the text \u0001
 * reads its u64-only integers as floats. */
#include "tedge/cloudmap.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "tedge/jsonw.h"
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

/* ---- integer tokens serde_json reads differently from jansson ----
 *
 * serde_json (de.rs parse_number / parse_long_integer): "-0" is the float
 * -0.0, an integer above u64::MAX or below i64::MIN is a float, and one in
 * i64::MAX+1..=u64::MAX is an exact u64. jansson holds int64 only, so before
 * parsing such tokens are rewritten: floats get ".0" appended, and a u64 one
 * becomes the string U64_MARK + digits, which te_cloudmap's writer turns
 * back into the bare digits. The marker is U+0001; it is used only when the
 * payload does not contain the text \u0001 (a JSON string can hold U+0001
 * only through that escape), so no other string can carry it. */
#define U64_MARK "\\u0001"
#define U64_MARK_LEN 6

typedef enum int_kind { INT_PLAIN, INT_AS_REAL, INT_AS_U64 } int_kind_t;

/* Compares two digit strings without leading zeros as numbers. */
static int digits_cmp(const char *a, size_t na, const char *b)
{
    size_t nb = strlen(b);
    if (na != nb)
        return na < nb ? -1 : 1;
    return memcmp(a, b, na);
}

/* tok[0..n) is [-]digits, a valid JSON integer (no leading zero). */
static int_kind_t classify_integer(const char *tok, size_t n, bool u64_mark_ok)
{
    bool negative = tok[0] == '-';
    const char *d = tok + negative;
    size_t nd = n - negative;
    if (negative) {
        if (nd == 1 && d[0] == '0')
            return INT_AS_REAL;
        return digits_cmp(d, nd, "9223372036854775808") > 0 ? INT_AS_REAL : INT_PLAIN;
    }
    if (digits_cmp(d, nd, "18446744073709551615") > 0)
        return INT_AS_REAL;
    if (digits_cmp(d, nd, "9223372036854775807") > 0)
        return u64_mark_ok ? INT_AS_U64 : INT_AS_REAL;
    return INT_PLAIN;
}

/* Calls fn(ctx, token, length, kind) for every integer token outside
 * strings that is not INT_PLAIN; returns how many there were. */
typedef void (*int_token_fn)(void *ctx, const char *tok, size_t n, int_kind_t kind);

static size_t scan_integers(const char *text, size_t len, bool u64_mark_ok, int_token_fn fn, void *ctx)
{
    size_t count = 0;
    for (size_t i = 0; i < len;) {
        char c = text[i];
        if (c == '"') {
            for (i++; i < len && text[i] != '"'; i++)
                if (text[i] == '\\')
                    i++;
            i++;
            continue;
        }
        if (c != '-' && (c < '0' || c > '9')) {
            i++;
            continue;
        }
        size_t start = i++;
        bool integer = true;
        while (i < len && ((text[i] >= '0' && text[i] <= '9') || strchr(".eE+-", text[i]) != NULL)) {
            if (text[i] < '0' || text[i] > '9')
                integer = false;
            i++;
        }
        const char *d = text + start + (c == '-');
        size_t nd = i - start - (c == '-');
        if (!integer || nd == 0 || (nd > 1 && d[0] == '0'))
            continue; /* a float, or not JSON at all: jansson decides */
        int_kind_t kind = classify_integer(text + start, i - start, u64_mark_ok);
        if (kind != INT_PLAIN) {
            count++;
            if (fn)
                fn(ctx, text + start, i - start, kind);
        }
    }
    return count;
}

typedef struct rewrite {
    char *buf;
    size_t len;
    const char *text; /* the original, up to `done` already copied */
    size_t done;
} rewrite_t;

static void rewrite_token(void *ctx, const char *tok, size_t n, int_kind_t kind)
{
    rewrite_t *r = ctx;
    size_t before = (size_t)(tok - r->text) - r->done;
    memcpy(r->buf + r->len, r->text + r->done, before);
    r->len += before;
    if (kind == INT_AS_U64) {
        memcpy(r->buf + r->len, "\"" U64_MARK, 1 + U64_MARK_LEN);
        r->len += 1 + U64_MARK_LEN;
        memcpy(r->buf + r->len, tok, n);
        r->len += n;
        r->buf[r->len++] = '"';
    } else {
        memcpy(r->buf + r->len, tok, n);
        r->len += n;
        memcpy(r->buf + r->len, ".0", 2);
        r->len += 2;
    }
    r->done = (size_t)(tok - r->text) + n;
}

/* The payload as jansson must read it: *out is NULL when it reads it as it
 * is, else a malloc'd copy (the caller frees it) of *out_len bytes. *marks
 * tells whether u64 markers were written. Returns false on NOMEM. */
static bool rewrite_integers(const char *text, size_t len, char **out, size_t *out_len, bool *marks)
{
    *out = NULL;
    *marks = false;
    bool mark_ok = true;
    for (size_t i = 0; i + U64_MARK_LEN <= len && mark_ok; i++)
        if (text[i] == '\\' && strncasecmp(text + i, U64_MARK, U64_MARK_LEN) == 0)
            mark_ok = false;
    size_t count = scan_integers(text, len, mark_ok, NULL, NULL);
    if (count == 0)
        return true;
    /* each token grows by at most 2 quotes + the marker */
    rewrite_t r = {.buf = malloc(len + count * (2 + U64_MARK_LEN) + 1), .text = text};
    if (!r.buf)
        return false;
    scan_integers(text, len, mark_ok, rewrite_token, &r);
    memcpy(r.buf + r.len, text + r.done, len - r.done);
    r.len += len - r.done;
    *out = r.buf;
    *out_len = r.len;
    *marks = mark_ok;
    return true;
}

/* A string value written by rewrite_integers for a u64 integer. */
static bool is_u64_mark(const json_t *v)
{
    return json_is_string(v) && json_string_length(v) > 1 && json_string_value(v)[0] == '\x01';
}

/* Turns every "\u0001<digits>" string of the written payload back into the
 * bare digits (the output only shrinks). Returns the new length. */
static size_t unmark_u64(char *buf, size_t len)
{
    static const char pattern[] = "\"\\u0001";
    size_t w = 0;
    for (size_t r = 0; r < len;) {
        if (len - r > sizeof pattern - 1 && memcmp(buf + r, pattern, sizeof pattern - 1) == 0) {
            r += sizeof pattern - 1;
            while (r < len && buf[r] != '"')
                buf[w++] = buf[r++];
            r++; /* the closing quote */
            continue;
        }
        buf[w++] = buf[r++];
    }
    buf[w] = '\0';
    return w;
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
    if (!rewrite_integers(in->payload, in->len, &text, &text_len, &marks))
        return STAMP_NOMEM;
    json_t *root = text ? json_loadb(text, text_len, JSON_ALLOW_NUL, &je)
                        : json_loadb(in->payload, in->len, JSON_ALLOW_NUL, &je);
    free(text);
    if (!root)
        return json_error_code(&je) == json_error_out_of_memory ? STAMP_NOMEM : STAMP_UNCHANGED;
    if (!json_is_object(root) || !depth_within(root, 0)) {
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
            *out_len = unmark_u64(m->payload, *out_len);
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
