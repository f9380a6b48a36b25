/* tejson: Thin-Edge JSON measurement, event and alarm parsers.
 *
 * jansson choices: JSON_DECODE_ANY so a non-object top level gets the serde
 * style "invalid type: sequence" message rather than a syntax error;
 * JSON_REJECT_DUPLICATES (the C port rejects a repeated "time", and any
 * other repeated key with it). jansson refuses integers beyond int64 that
 * serde reads as float64, so such a payload is parsed again with
 * JSON_DECODE_INT_AS_REAL (every integer then arrives as a real; a `time`
 * integer then takes the decimal path, which gives the same instant). */
#include "tedge/tejson.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "tedge/numfmt.h"
#include "tedge/text.h"

#define EXCERPT_MAX 80
#define QUOTE_MAX 64

static const char MSG_EMPTY[] =
    "Empty Thin Edge measurement: it must contain at least one measurement";
static const char MSG_RESERVED_TYPE[] =
    "Unexpected measurement name: \"type\" is a reserved word.";
static const char MSG_TIME_EXPECTED[] =
    "expected a date formatted as a unix timestamp (as an integer number of "
    "seconds) or an ISO-8601 string";


/* Appends s[0..len) to buf (size buflen, at *pos) while it fits. */
static void append(char *buf, size_t buflen, size_t *pos, const char *s, size_t len)
{
    if (*pos >= buflen)
        return;
    size_t room = buflen - 1 - *pos;
    if (len > room)
        len = room;
    memcpy(buf + *pos, s, len);
    *pos += len;
    buf[*pos] = '\0';
}

/* Length of the well-formed UTF-8 sequence at s (<= avail bytes), 0 if none. */
static size_t utf8_seq_len(const char *s, size_t avail)
{
    unsigned char c = (unsigned char)*s;
    size_t n = c < 0x80 ? 1 : (c & 0xe0) == 0xc0 ? 2 : (c & 0xf0) == 0xe0 ? 3
             : (c & 0xf8) == 0xf0 ? 4 : 0;
    if (n == 0 || n > avail || !te_utf8_valid(s, n))
        return 0;
    return n;
}

/* Writes s as a Rust {:?} style quoted string, escaped, cut at QUOTE_MAX
 * bytes of input (then "..." after the closing quote). */
static void quote(const char *s, size_t len, char *buf, size_t buflen)
{
    size_t pos = 0;
    if (buflen == 0)
        return;
    buf[0] = '\0';
    append(buf, buflen, &pos, "\"", 1);
    size_t i = 0;
    while (i < len && i < QUOTE_MAX) {
        unsigned char c = (unsigned char)s[i];
        char esc[8];
        if (c == '"' || c == '\\') {
            esc[0] = '\\';
            esc[1] = (char)c;
            append(buf, buflen, &pos, esc, 2);
        } else if (c == '\n') {
            append(buf, buflen, &pos, "\\n", 2);
        } else if (c == '\t') {
            append(buf, buflen, &pos, "\\t", 2);
        } else if (c == '\r') {
            append(buf, buflen, &pos, "\\r", 2);
        } else if (c < 0x20 || c == 0x7f) {
            snprintf(esc, sizeof esc, "\\u{%x}", c);
            append(buf, buflen, &pos, esc, strlen(esc));
        } else {
            size_t n = utf8_seq_len(s + i, len - i);
            if (n == 0) {
                append(buf, buflen, &pos, "\\u{fffd}", 8);
                n = 1;
            } else {
                append(buf, buflen, &pos, s + i, n);
            }
            i += n;
            continue;
        }
        i++;
    }
    append(buf, buflen, &pos, "\"", 1);
    if (i < len)
        append(buf, buflen, &pos, "...", 3);
}

void te_tejson_describe(const json_t *value, char *buf, size_t buflen)
{
    char tmp[QUOTE_MAX * 2 + 32];
    if (buf == NULL || buflen == 0)
        return;
    switch (value == NULL ? JSON_NULL : json_typeof(value)) {
    case JSON_NULL: snprintf(buf, buflen, "null"); break;
    case JSON_TRUE: snprintf(buf, buflen, "boolean `true`"); break;
    case JSON_FALSE: snprintf(buf, buflen, "boolean `false`"); break;
    case JSON_INTEGER:
        snprintf(buf, buflen, "integer `%lld`", (long long)json_integer_value(value));
        break;
    case JSON_REAL:
        if (te_numfmt_double(json_real_value(value), tmp, sizeof tmp) != TE_OK)
            snprintf(tmp, sizeof tmp, "%g", json_real_value(value));
        snprintf(buf, buflen, "floating point `%s`", tmp);
        break;
    case JSON_STRING:
        quote(json_string_value(value), json_string_length(value), tmp, sizeof tmp);
        snprintf(buf, buflen, "string %s", tmp);
        break;
    case JSON_ARRAY: snprintf(buf, buflen, "sequence"); break;
    case JSON_OBJECT: snprintf(buf, buflen, "map"); break;
    }
}

/* Up to EXCERPT_MAX bytes of payload around byte pos, on UTF-8 boundaries,
 * invalid bytes shown as '?'. */
static void excerpt(const char *payload, size_t len, size_t pos, char *buf,
                    size_t buflen)
{
    size_t start = pos > EXCERPT_MAX / 2 ? pos - EXCERPT_MAX / 2 : 0;
    if (start > len)
        start = len;
    while (start < len && ((unsigned char)payload[start] & 0xc0) == 0x80)
        start++; /* do not begin inside a character */
    size_t end = len - start > EXCERPT_MAX ? start + EXCERPT_MAX : len;
    size_t out = 0;
    buf[0] = '\0';
    for (size_t i = start; i < end;) {
        size_t n = utf8_seq_len(payload + i, end - i);
        if (n == 0) {
            if (end < len && utf8_seq_len(payload + i, len - i) > 0)
                break; /* a character cut by the window's end */
            append(buf, buflen, &out, "?", 1);
            i++;
        } else {
            append(buf, buflen, &out, payload + i, n);
            i += n;
        }
    }
}

json_t *te_tejson_load(const char *payload, size_t len, te_err_t *rc, char *err,
                       size_t errlen)
{
    te_err_t dummy;
    if (rc == NULL)
        rc = &dummy;
    if (payload == NULL) {
        *rc = TE_ERR_INVAL;
        te_errf(err, errlen, "Invalid JSON: no payload");
        return NULL;
    }
    json_error_t je;
    const size_t flags = JSON_REJECT_DUPLICATES | JSON_DECODE_ANY;
    json_t *root = json_loadb(payload, len, flags, &je);
    if (root == NULL && json_error_code(&je) == json_error_numeric_overflow &&
        strncmp(je.text, "too big", 7) == 0)
        root = json_loadb(payload, len, flags | JSON_DECODE_INT_AS_REAL, &je);
    if (root != NULL) {
        *rc = TE_OK;
        return root;
    }

    enum json_error_code code = json_error_code(&je);
    if (code == json_error_out_of_memory) {
        *rc = TE_ERR_NOMEM;
        te_errf(err, errlen, "Invalid JSON: out of memory");
        return NULL;
    }
    char near[EXCERPT_MAX * 2 + 8];
    excerpt(payload, len, je.position > 0 ? (size_t)je.position : 0, near, sizeof near);
    if (code == json_error_numeric_overflow) {
        *rc = TE_ERR_RANGE;
        te_errf(err, errlen, "Invalid JSON: number out of range at line %d column %d: `%s`",
                je.line, je.column, near);
    } else {
        *rc = TE_ERR_PARSE;
        te_errf(err, errlen, "Invalid JSON: %s at line %d column %d: `%s`", je.text,
                je.line, je.column, near);
    }
    return NULL;
}

te_err_t te_tejson_time_from_json(const json_t *value, te_time_t *out, char *err,
                                  size_t errlen)
{
    if (out == NULL)
        return TE_ERR_INVAL;
    if (json_is_string(value)) {
        const char *s = json_string_value(value);
        size_t len = json_string_length(value);
        char detail[160], quoted[QUOTE_MAX * 2 + 16];
        if (te_time_parse_rfc3339(s, len, out, detail, sizeof detail) == TE_OK)
            return TE_OK;
        quote(s, len, quoted, sizeof quoted);
        te_errf(err, errlen,
                "Invalid ISO8601 timestamp (expected YYYY-MM-DDThh:mm:ss.sss.±hh:mm): "
                "%s: %s", quoted, detail);
        return TE_ERR_PARSE;
    }
    if (json_is_integer(value))
        return te_time_from_unix_s((int64_t)json_integer_value(value), out, err, errlen);
    if (json_is_real(value))
        return te_time_from_unix_double(json_real_value(value), out, err, errlen);
    char what[QUOTE_MAX * 2 + 32];
    te_tejson_describe(value, what, sizeof what);
    te_errf(err, errlen, "invalid type: %s, %s", what, MSG_TIME_EXPECTED);
    return TE_ERR_PARSE;
}

/* ---- measurements ---- */

static te_err_t add_value(te_measurement_t *m, const char *group, const char *name,
                          const json_t *v, char *err, size_t errlen)
{
    double d = json_is_integer(v) ? (double)json_integer_value(v) : json_real_value(v);
    if (d != 0.0 && !isnormal(d)) {
        char quoted[QUOTE_MAX * 2 + 16];
        quote(name, strlen(name), quoted, sizeof quoted);
        te_errf(err, errlen,
                "Number out-of-range: the %s value is too large to be represented as a float64.",
                quoted);
        return TE_ERR_RANGE;
    }
    if (m->count == TE_TEJSON_MAX_VALUES) {
        te_errf(err, errlen, "Too many measurement values: at most %d in one message",
                TE_TEJSON_MAX_VALUES);
        return TE_ERR_TOOBIG;
    }
    m->values[m->count++] = (te_measurement_value_t){ group, name, d };
    return TE_OK;
}

static te_err_t add_group(te_measurement_t *m, const char *group, json_t *members,
                          char *err, size_t errlen)
{
    char what[QUOTE_MAX * 2 + 32];
    const char *name;
    json_t *v;
    if (json_object_size(members) == 0) {
        quote(group, strlen(group), what, sizeof what);
        te_errf(err, errlen,
                "Empty Thin Edge measurement: %s must contain at least one measurement", what);
        return TE_ERR_PARSE;
    }
    json_object_foreach(members, name, v) {
        if (strcmp(name, "time") == 0) {
            te_errf(err, errlen, "Unexpected time stamp within a group");
            return TE_ERR_PARSE;
        }
        if (strcmp(name, "type") == 0) {
            te_errf(err, errlen, "%s", MSG_RESERVED_TYPE);
            return TE_ERR_PARSE;
        }
        te_err_t rc;
        switch (json_typeof(v)) {
        case JSON_INTEGER:
        case JSON_REAL:
            if ((rc = add_value(m, group, name, v, err, errlen)) != TE_OK)
                return rc;
            break;
        case JSON_STRING:
            te_errf(err, errlen, "Unexpected type within a group");
            return TE_ERR_PARSE;
        case JSON_OBJECT:
            te_errf(err, errlen, "Expect single-value measurement");
            return TE_ERR_PARSE;
        default:
            te_tejson_describe(v, what, sizeof what);
            te_errf(err, errlen,
                    "invalid type: %s, expected ThinEdge single-value measurement", what);
            return TE_ERR_PARSE;
        }
    }
    return TE_OK;
}

static te_err_t measurement_members(te_measurement_t *m, char *err, size_t errlen)
{
    char what[QUOTE_MAX * 2 + 32];
    const char *key;
    json_t *v;
    te_err_t rc;
    json_object_foreach(m->root, key, v) {
        if (strcmp(key, "time") == 0) {
            if ((rc = te_tejson_time_from_json(v, &m->time, err, errlen)) != TE_OK)
                return rc;
            m->has_time = true;
            continue;
        }
        if (strcmp(key, "properties") == 0) {
            m->properties = v;
            continue;
        }
        if (strcmp(key, "type") == 0) {
            if (!json_is_string(v)) {
                te_errf(err, errlen, "%s", MSG_RESERVED_TYPE);
                return TE_ERR_PARSE;
            }
            m->type = json_string_value(v);
            continue;
        }
        switch (json_typeof(v)) {
        case JSON_STRING:
            break; /* other top-level strings are accepted and ignored */
        case JSON_INTEGER:
        case JSON_REAL:
            if ((rc = add_value(m, NULL, key, v, err, errlen)) != TE_OK)
                return rc;
            break;
        case JSON_OBJECT:
            if ((rc = add_group(m, key, v, err, errlen)) != TE_OK)
                return rc;
            break;
        default:
            te_tejson_describe(v, what, sizeof what);
            te_errf(err, errlen,
                    "invalid type: %s, expected ThinEdge single or multi-value measurement",
                    what);
            return TE_ERR_PARSE;
        }
    }
    if (m->count == 0) {
        te_errf(err, errlen, "%s", MSG_EMPTY);
        return TE_ERR_PARSE;
    }
    return TE_OK;
}

te_err_t te_tejson_measurement_parse(const char *payload, size_t len,
                                     te_measurement_t *out, char *err, size_t errlen)
{
    if (out == NULL)
        return TE_ERR_INVAL;
    memset(out, 0, sizeof *out);
    te_err_t rc;
    json_t *root = te_tejson_load(payload, len, &rc, err, errlen);
    if (root == NULL)
        return rc;
    if (!json_is_object(root)) {
        char what[QUOTE_MAX * 2 + 32];
        te_tejson_describe(root, what, sizeof what);
        te_errf(err, errlen, "invalid type: %s, expected ThinEdge JSON", what);
        json_decref(root);
        return TE_ERR_PARSE;
    }
    out->root = root;
    rc = measurement_members(out, err, errlen);
    if (rc != TE_OK)
        te_tejson_measurement_free(out);
    return rc;
}

void te_tejson_measurement_free(te_measurement_t *m)
{
    if (m == NULL)
        return;
    json_decref(m->root);
    memset(m, 0, sizeof *m);
}

/* ---- events and alarms ---- */

/* The fields events and alarms share, taken out of the payload object so
 * what remains is the custom fragments. */
typedef struct common_fields {
    const char *text;
    const char *type;
    bool has_time;
    te_time_t time;
} common_fields_t;

/* Takes key out of obj; a string value is kept alive in *held. null is
 * absent; another type is an error when must_be_string, else dropped. */
static te_err_t take_string(json_t *obj, const char *key, bool must_be_string,
                            json_t **held, const char **out, char *err, size_t errlen)
{
    json_t *v = json_object_get(obj, key);
    if (v == NULL)
        return TE_OK;
    if (json_is_string(v)) {
        *held = json_incref(v);
        *out = json_string_value(v);
    } else if (!json_is_null(v) && must_be_string) {
        char what[QUOTE_MAX * 2 + 32];
        te_tejson_describe(v, what, sizeof what);
        te_errf(err, errlen, "invalid type: %s, expected a string for \"%s\"", what, key);
        return TE_ERR_PARSE;
    }
    return json_object_del(obj, key) == 0 ? TE_OK : TE_ERR_NOMEM;
}

static te_err_t take_common(json_t *obj, common_fields_t *f, json_t *held[2],
                            char *err, size_t errlen)
{
    te_err_t rc = take_string(obj, "text", true, &held[0], &f->text, err, errlen);
    if (rc != TE_OK)
        return rc;
    json_t *v = json_object_get(obj, "time");
    if (v != NULL) {
        if (!json_is_null(v)) {
            if ((rc = te_tejson_time_from_json(v, &f->time, err, errlen)) != TE_OK)
                return rc;
            f->has_time = true;
        }
        if (json_object_del(obj, "time") != 0)
            return TE_ERR_NOMEM;
    }
    if ((rc = take_string(obj, "type", false, &held[1], &f->type, err, errlen)) != TE_OK)
        return rc;
    if (f->type != NULL && f->type[0] == '\0')
        f->type = NULL; /* an empty type does not override the topic's */
    return TE_OK;
}

/* Loads an object payload; "what" names the expected thing in errors. */
static json_t *load_object(const char *payload, size_t len, const char *what,
                           te_err_t *rc, char *err, size_t errlen)
{
    json_t *root = te_tejson_load(payload, len, rc, err, errlen);
    if (root != NULL && !json_is_object(root)) {
        char desc[QUOTE_MAX * 2 + 32];
        te_tejson_describe(root, desc, sizeof desc);
        te_errf(err, errlen, "invalid type: %s, expected %s", desc, what);
        json_decref(root);
        *rc = TE_ERR_PARSE;
        return NULL;
    }
    return root;
}

te_err_t te_tejson_event_parse(const char *payload, size_t len, te_event_t *out,
                               char *err, size_t errlen)
{
    if (out == NULL)
        return TE_ERR_INVAL;
    memset(out, 0, sizeof *out);
    if (len == 0)
        return TE_OK;
    te_err_t rc;
    json_t *root = load_object(payload, len, "an event object", &rc, err, errlen);
    if (root == NULL)
        return rc;
    out->extras = root;
    common_fields_t f = { 0 };
    rc = take_common(root, &f, out->held_, err, errlen);
    if (rc != TE_OK) {
        te_tejson_event_free(out);
        return rc;
    }
    out->text = f.text;
    out->type = f.type;
    out->has_time = f.has_time;
    out->time = f.time;
    return TE_OK;
}

void te_tejson_event_free(te_event_t *ev)
{
    if (ev == NULL)
        return;
    json_decref(ev->extras);
    for (size_t i = 0; i < sizeof ev->held_ / sizeof ev->held_[0]; i++)
        json_decref(ev->held_[i]);
    memset(ev, 0, sizeof *ev);
}

static const char *const SEVERITY_NAMES[] = {
    [TE_ALARM_CRITICAL] = "critical",
    [TE_ALARM_MAJOR] = "major",
    [TE_ALARM_MINOR] = "minor",
    [TE_ALARM_WARNING] = "warning",
};

const char *te_tejson_severity_name(te_alarm_severity_t severity)
{
    if ((unsigned)severity < sizeof SEVERITY_NAMES / sizeof SEVERITY_NAMES[0])
        return SEVERITY_NAMES[severity];
    return "minor";
}

te_err_t te_tejson_alarm_parse(const char *payload, size_t len, te_alarm_t *out,
                               char *err, size_t errlen)
{
    if (out == NULL)
        return TE_ERR_INVAL;
    memset(out, 0, sizeof *out);
    out->severity = TE_ALARM_MINOR;
    if (len == 0) {
        out->clear = true;
        return TE_OK;
    }
    te_err_t rc;
    json_t *root = load_object(payload, len, "an alarm object", &rc, err, errlen);
    if (root == NULL)
        return rc;
    out->extras = root;
    rc = take_string(root, "severity", true, &out->held_[2], &out->severity_text, err,
                     errlen);
    common_fields_t f = { 0 };
    if (rc == TE_OK)
        rc = take_common(root, &f, out->held_, err, errlen);
    if (rc != TE_OK) {
        te_tejson_alarm_free(out);
        return rc;
    }
    for (size_t i = 0; out->severity_text != NULL &&
                       i < sizeof SEVERITY_NAMES / sizeof SEVERITY_NAMES[0]; i++) {
        if (strcmp(out->severity_text, SEVERITY_NAMES[i]) == 0) {
            out->severity = (te_alarm_severity_t)i;
            out->severity_known = true;
        }
    }
    out->text = f.text;
    out->type = f.type;
    out->has_time = f.has_time;
    out->time = f.time;
    return TE_OK;
}

void te_tejson_alarm_free(te_alarm_t *al)
{
    if (al == NULL)
        return;
    json_decref(al->extras);
    for (size_t i = 0; i < sizeof al->held_ / sizeof al->held_[0]; i++)
        json_decref(al->held_[i]);
    memset(al, 0, sizeof *al);
}
