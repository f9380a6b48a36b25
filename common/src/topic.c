/* topic: the `te/` topic grammar (mqtt-api.md §1.2), both ways, plus entity
 * topic id helpers and MQTT topic/filter syntax checks.
 *
 * Deliberate strictness beyond thin-edge.io (which trims every '/' after the
 * id and accepts empty operations, command ids and signal types): a channel
 * must start right after the 4th '/', and op, cmd_id and signal type must be
 * non-empty. Such topics are ignored as invalid channels. */
#include "tedge/topic.h"

#include <stdio.h>
#include <string.h>

#include "tedge/text.h"

#define ID_SEGMENTS 4

static const char MSG_TOO_MANY_SEGMENTS[] =
    "An entity topic identifier has at most 4 segments";
static const char MSG_NOT_MQTT[] =
    "An entity topic identifier must be a valid MQTT topic";

static void set_err(char *err, size_t errlen, const char *msg)
{
    if (err != NULL && errlen > 0)
        snprintf(err, errlen, "%s", msg);
}

static bool root_valid(const char *root, size_t *root_len)
{
    size_t len = strlen(root);
    if (len == 0 || len >= TE_TOPIC_ROOT_MAX || strpbrk(root, "/+#") != NULL)
        return false;
    *root_len = len;
    return true;
}

static bool seg_is(const char *seg, size_t len, const char *word)
{
    return strlen(word) == len && memcmp(seg, word, len) == 0;
}

/* Copies a channel name segment into a fixed field. */
static te_err_t copy_name(char dst[TE_TOPIC_NAME_MAX], const char *src, size_t len)
{
    if (len >= TE_TOPIC_NAME_MAX)
        return TE_ERR_RANGE;
    memcpy(dst, src, len);
    dst[len] = '\0';
    return TE_OK;
}

/* Channel grammar of §1.2 on the text after the id's 4th '/'. */
static te_err_t parse_channel(const char *ch, size_t ch_len, te_topic_t *out)
{
    const char *seg[3];
    size_t len[3];
    int n = 0;
    size_t start = 0;
    for (size_t i = 0; i <= ch_len; i++) {
        if (i == ch_len || ch[i] == '/') {
            if (n == 3)
                return TE_ERR_PARSE;
            seg[n] = ch + start;
            len[n] = i - start;
            n++;
            start = i + 1;
        }
    }

    if (n == 1 && len[0] == 0) {
        out->kind = TE_CH_REGISTRATION;
        return TE_OK;
    }
    if (n == 1 && seg_is(seg[0], len[0], "config")) {
        out->kind = TE_CH_CONFIG;
        return TE_OK;
    }
    if (n == 2 && seg_is(seg[0], len[0], "twin")) {
        out->kind = TE_CH_TWIN;
        return copy_name(out->name, seg[1], len[1]);
    }
    static const struct {
        const char *letter;
        te_channel_kind_t kind, meta_kind;
    } telemetry[] = {
        { "m", TE_CH_MEASUREMENT, TE_CH_MEASUREMENT_META },
        { "e", TE_CH_EVENT, TE_CH_EVENT_META },
        { "a", TE_CH_ALARM, TE_CH_ALARM_META },
    };
    for (size_t i = 0; i < sizeof telemetry / sizeof telemetry[0]; i++) {
        if (!seg_is(seg[0], len[0], telemetry[i].letter))
            continue;
        if (n == 2)
            out->kind = telemetry[i].kind;
        else if (n == 3 && seg_is(seg[2], len[2], "meta"))
            out->kind = telemetry[i].meta_kind;
        else
            return TE_ERR_PARSE;
        return copy_name(out->name, seg[1], len[1]);
    }
    if (seg_is(seg[0], len[0], "cmd") && n >= 2 && len[1] > 0) {
        if (n == 2) {
            out->kind = TE_CH_CAPABILITY;
            return copy_name(out->name, seg[1], len[1]);
        }
        if (len[2] == 0)
            return TE_ERR_PARSE;
        out->kind = seg_is(seg[1], len[1], "health") && seg_is(seg[2], len[2], "check")
                        ? TE_CH_HEALTH_CHECK
                        : TE_CH_COMMAND;
        te_err_t rc = copy_name(out->name, seg[1], len[1]);
        return rc != TE_OK ? rc : copy_name(out->cmd_id, seg[2], len[2]);
    }
    if (n == 2 && seg_is(seg[0], len[0], "signal") && len[1] > 0) {
        out->kind = TE_CH_SIGNAL;
        return copy_name(out->name, seg[1], len[1]);
    }
    if (n == 2 && seg_is(seg[0], len[0], "status") && seg_is(seg[1], len[1], "health")) {
        out->kind = TE_CH_HEALTH;
        return TE_OK;
    }
    return TE_ERR_PARSE;
}

te_err_t te_topic_parse(const char *root, const char *topic, size_t topic_len,
                        te_topic_t *out)
{
    size_t root_len;
    if (root == NULL || topic == NULL || out == NULL)
        return TE_ERR_INVAL;
    memset(out, 0, sizeof *out);
    if (!root_valid(root, &root_len))
        return TE_ERR_INVAL;
    if (topic_len <= root_len || memcmp(topic, root, root_len) != 0 ||
        topic[root_len] != '/')
        return TE_ERR_NOTFOUND;
    for (size_t i = 0; i < topic_len; i++) {
        if (topic[i] == '+' || topic[i] == '#' || topic[i] == '\0')
            return TE_ERR_PARSE;
    }

    const char *rest = topic + root_len + 1;
    size_t rest_len = topic_len - root_len - 1;
    size_t slashes = 0, id_len = rest_len;
    for (size_t i = 0; i < rest_len; i++) {
        if (rest[i] == '/' && ++slashes == ID_SEGMENTS) {
            id_len = i;
            break;
        }
    }
    size_t pad = slashes < ID_SEGMENTS ? ID_SEGMENTS - 1 - slashes : 0;
    if (id_len + pad >= TE_TOPIC_ID_MAX)
        return TE_ERR_RANGE;
    memcpy(out->entity_id, rest, id_len);
    memset(out->entity_id + id_len, '/', pad);
    out->entity_id[id_len + pad] = '\0';

    te_err_t rc = TE_OK;
    if (slashes < ID_SEGMENTS)
        out->kind = TE_CH_REGISTRATION;
    else
        rc = parse_channel(rest + id_len + 1, rest_len - id_len - 1, out);
    if (rc != TE_OK)
        memset(out, 0, sizeof *out);
    return rc;
}

/* A channel name for building: no '/', '+', '#'; within the cap. */
static te_err_t check_name(const char *name, bool may_be_empty)
{
    if (name == NULL)
        return TE_ERR_INVAL;
    size_t len = strlen(name);
    if ((len == 0 && !may_be_empty) || strpbrk(name, "/+#") != NULL)
        return TE_ERR_INVAL;
    return len >= TE_TOPIC_NAME_MAX ? TE_ERR_RANGE : TE_OK;
}

te_err_t te_topic_build_for(const char *root, const char *entity_id,
                            te_channel_kind_t kind, const char *name,
                            const char *cmd_id, char *buf, size_t buflen)
{
    size_t root_len;
    if (buf != NULL && buflen > 0)
        buf[0] = '\0';
    if (root == NULL || entity_id == NULL || buf == NULL || !root_valid(root, &root_len))
        return TE_ERR_INVAL;
    char id[TE_TOPIC_ID_MAX];
    te_err_t rc = te_topic_id_normalize(entity_id, id, sizeof id, NULL, 0);
    if (rc == TE_ERR_TOOBIG)
        rc = TE_ERR_RANGE;
    else if (rc == TE_ERR_PARSE)
        rc = TE_ERR_INVAL;
    if (rc != TE_OK)
        return rc;

    const char *fmt;
    switch (kind) {
    case TE_CH_REGISTRATION: fmt = "%s/%s"; break;
    case TE_CH_CONFIG: fmt = "%s/%s/config"; break;
    case TE_CH_HEALTH_CHECK: fmt = "%s/%s/cmd/health/check"; break;
    case TE_CH_HEALTH: fmt = "%s/%s/status/health"; break;
    case TE_CH_TWIN: fmt = "%s/%s/twin/%s"; break;
    case TE_CH_MEASUREMENT: fmt = "%s/%s/m/%s"; break;
    case TE_CH_MEASUREMENT_META: fmt = "%s/%s/m/%s/meta"; break;
    case TE_CH_EVENT: fmt = "%s/%s/e/%s"; break;
    case TE_CH_EVENT_META: fmt = "%s/%s/e/%s/meta"; break;
    case TE_CH_ALARM: fmt = "%s/%s/a/%s"; break;
    case TE_CH_ALARM_META: fmt = "%s/%s/a/%s/meta"; break;
    case TE_CH_CAPABILITY: fmt = "%s/%s/cmd/%s"; break;
    case TE_CH_COMMAND: fmt = "%s/%s/cmd/%s/%s"; break;
    case TE_CH_SIGNAL: fmt = "%s/%s/signal/%s"; break;
    default: return TE_ERR_INVAL;
    }
    bool uses_name = kind != TE_CH_REGISTRATION && kind != TE_CH_CONFIG &&
                     kind != TE_CH_HEALTH_CHECK && kind != TE_CH_HEALTH;
    if (uses_name) {
        bool may_be_empty = kind != TE_CH_CAPABILITY && kind != TE_CH_COMMAND &&
                            kind != TE_CH_SIGNAL;
        if ((rc = check_name(name, may_be_empty)) != TE_OK)
            return rc;
    }
    if (kind == TE_CH_COMMAND) {
        if ((rc = check_name(cmd_id, false)) != TE_OK)
            return rc;
        if (strcmp(name, "health") == 0 && strcmp(cmd_id, "check") == 0)
            return TE_ERR_INVAL;
    }

    int n = snprintf(buf, buflen, fmt, root, id, uses_name ? name : "",
                     kind == TE_CH_COMMAND ? cmd_id : "");
    if (n < 0 || (size_t)n >= buflen) {
        if (buflen > 0)
            buf[0] = '\0';
        return TE_ERR_TOOBIG;
    }
    return TE_OK;
}

te_err_t te_topic_build(const char *root, const te_topic_t *t, char *buf,
                        size_t buflen)
{
    if (t == NULL) {
        if (buf != NULL && buflen > 0)
            buf[0] = '\0';
        return TE_ERR_INVAL;
    }
    return te_topic_build_for(root, t->entity_id, t->kind, t->name, t->cmd_id,
                              buf, buflen);
}

te_err_t te_topic_errors(const char *root, char *buf, size_t buflen)
{
    size_t root_len;
    if (buf == NULL || buflen == 0)
        return TE_ERR_TOOBIG;
    buf[0] = '\0';
    if (root == NULL || !root_valid(root, &root_len))
        return TE_ERR_INVAL;
    int n = snprintf(buf, buflen, "%s/errors", root);
    if (n < 0 || (size_t)n >= buflen) {
        buf[0] = '\0';
        return TE_ERR_TOOBIG;
    }
    return TE_OK;
}

te_err_t te_topic_id_normalize(const char *in, char *out, size_t outlen,
                               char *err, size_t errlen)
{
    if (in == NULL || out == NULL) {
        set_err(err, errlen, "no entity topic identifier");
        return TE_ERR_INVAL;
    }
    size_t len = strlen(in), slashes = 0;
    bool wildcard = false;
    for (size_t i = 0; i < len; i++) {
        slashes += in[i] == '/';
        wildcard |= in[i] == '+' || in[i] == '#';
    }
    if (slashes >= ID_SEGMENTS) {
        set_err(err, errlen, MSG_TOO_MANY_SEGMENTS);
        return TE_ERR_PARSE;
    }
    if (wildcard) {
        set_err(err, errlen, MSG_NOT_MQTT);
        return TE_ERR_PARSE;
    }
    size_t pad = ID_SEGMENTS - 1 - slashes;
    if (len + pad >= TE_TOPIC_ID_MAX) {
        set_err(err, errlen, "An entity topic identifier is at most 255 bytes long");
        return TE_ERR_RANGE;
    }
    if (len + pad >= outlen) {
        set_err(err, errlen, "output buffer too small for the entity topic identifier");
        return TE_ERR_TOOBIG;
    }
    memmove(out, in, len);
    memset(out + len, '/', pad);
    out[len + pad] = '\0';
    return TE_OK;
}

te_err_t te_topic_id_split(const char *id, const char *seg[4], size_t seg_len[4])
{
    if (id == NULL)
        return TE_ERR_PARSE;
    int n = 0;
    const char *start = id;
    for (const char *p = id;; p++) {
        if (*p == '/' || *p == '\0') {
            if (n == ID_SEGMENTS)
                return TE_ERR_PARSE;
            seg[n] = start;
            seg_len[n] = (size_t)(p - start);
            n++;
            start = p + 1;
            if (*p == '\0')
                break;
        }
    }
    return n == ID_SEGMENTS ? TE_OK : TE_ERR_PARSE;
}

/* Which default-scheme shape id has: 0 none, 1 device, 2 service. */
static int default_shape(const char *id, const char *seg[4], size_t len[4])
{
    if (te_topic_id_split(id, seg, len) != TE_OK || !seg_is(seg[0], len[0], "device") ||
        len[1] == 0)
        return 0;
    if (len[2] == 0 && len[3] == 0)
        return 1;
    if (seg_is(seg[2], len[2], "service") && len[3] > 0)
        return 2;
    return 0;
}

bool te_topic_id_is_default_scheme(const char *id)
{
    const char *seg[4];
    size_t len[4];
    return default_shape(id, seg, len) != 0;
}

bool te_topic_id_is_default_service(const char *id)
{
    const char *seg[4];
    size_t len[4];
    return default_shape(id, seg, len) == 2;
}

static te_err_t copy_out(const char *src, size_t len, char *out, size_t outlen)
{
    if (out == NULL || len >= outlen) {
        if (out != NULL && outlen > 0)
            out[0] = '\0';
        return TE_ERR_TOOBIG;
    }
    memcpy(out, src, len);
    out[len] = '\0';
    return TE_OK;
}

te_err_t te_topic_id_device_name(const char *id, char *out, size_t outlen)
{
    const char *seg[4];
    size_t len[4];
    if (default_shape(id, seg, len) == 0)
        return TE_ERR_NOTFOUND;
    return copy_out(seg[1], len[1], out, outlen);
}

te_err_t te_topic_id_service_name(const char *id, char *out, size_t outlen)
{
    const char *seg[4];
    size_t len[4];
    if (default_shape(id, seg, len) != 2)
        return TE_ERR_NOTFOUND;
    return copy_out(seg[3], len[3], out, outlen);
}

te_err_t te_topic_id_default_parent(const char *id, bool is_service,
                                    const char *main_id, char *out, size_t outlen)
{
    const char *seg[4];
    size_t len[4];
    if (id == NULL || out == NULL)
        return TE_ERR_INVAL;
    if (main_id == NULL)
        main_id = TE_TOPIC_ID_MAIN;
    if (is_service && default_shape(id, seg, len) == 2) {
        /* "device/<d>//" */
        if (len[1] + 9 >= outlen) { /* 7 + len + 2 chars and a NUL */
            if (outlen > 0)
                out[0] = '\0';
            return TE_ERR_TOOBIG;
        }
        snprintf(out, outlen, "device/%.*s//", (int)len[1], seg[1]);
        return TE_OK;
    }
    return copy_out(main_id, strlen(main_id), out, outlen);
}

bool te_topic_filter_valid(const char *filter)
{
    if (filter == NULL)
        return false;
    size_t len = strlen(filter);
    if (len == 0 || len > TE_TOPIC_MQTT_MAX || !te_utf8_valid(filter, len))
        return false;
    size_t level_start = 0;
    for (size_t i = 0; i <= len; i++) {
        if (i < len && filter[i] != '/')
            continue;
        /* level is filter[level_start .. i) */
        for (size_t j = level_start; j < i; j++) {
            if (filter[j] == '+' && i - level_start != 1)
                return false;
            if (filter[j] == '#' && (i - level_start != 1 || i != len))
                return false;
        }
        level_start = i + 1;
    }
    return true;
}

bool te_topic_name_valid(const char *topic)
{
    if (topic == NULL)
        return false;
    size_t len = strlen(topic);
    return len > 0 && len <= TE_TOPIC_MQTT_MAX && strpbrk(topic, "+#") == NULL &&
           te_utf8_valid(topic, len);
}

const char *te_topic_kind_name(te_channel_kind_t kind)
{
    switch (kind) {
    case TE_CH_REGISTRATION: return "registration";
    case TE_CH_TWIN: return "twin";
    case TE_CH_CONFIG: return "config";
    case TE_CH_MEASUREMENT: return "measurement";
    case TE_CH_MEASUREMENT_META: return "measurement metadata";
    case TE_CH_EVENT: return "event";
    case TE_CH_EVENT_META: return "event metadata";
    case TE_CH_ALARM: return "alarm";
    case TE_CH_ALARM_META: return "alarm metadata";
    case TE_CH_CAPABILITY: return "capability";
    case TE_CH_COMMAND: return "command";
    case TE_CH_HEALTH_CHECK: return "health check";
    case TE_CH_SIGNAL: return "signal";
    case TE_CH_HEALTH: return "health";
    }
    return "unknown";
}
