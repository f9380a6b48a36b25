/* c8y_telemetry: measurements, units, events and alarms -> Cumulocity
 * (mapper-c8y.md §4.1-§4.4). Payloads are written into the state's fixed
 * buffers; nothing is allocated besides jansson's parse tree. */
#include <stdio.h>
#include <string.h>

#include "tedge/c8y_internal.h"
#include "tedge/log.h"
#include "tedge/numfmt.h"

#define SNIP_BYTES 50

/* A ',' unless the object was just opened. */
static void json_sep(te_c8y_buf_t *b)
{
    if (b->len && b->data[b->len - 1] != '{')
        te_c8y_buf_raw(b, ",", 1);
}

static void external_source(te_c8y_buf_t *b, const te_c8y_entity_t *e)
{
    json_sep(b);
    te_c8y_buf_str(b, "\"externalSource\":{\"externalId\":");
    te_c8y_json_cstring(b, e->xid);
    te_c8y_buf_str(b, ",\"type\":\"c8y_Serial\"}");
}

static void snip(const char *payload, size_t len, char *buf, size_t buflen)
{
    size_t n = len < SNIP_BYTES ? len : SNIP_BYTES;
    if (n >= buflen)
        n = buflen - 1;
    memcpy(buf, payload, n);
    buf[n] = '\0';
}

/* The unit of a series from the retained m/<type>/meta (§4.2). Two forms
 * are read: "group.name": {"unit": u} and a group object
 * "group": {"name": {"unit": u}} (thin-edge.io json.rs Units). */
static const char *unit_of(const te_c8y_entity_t *e, const char *mtype, const char *group, const char *name)
{
    if (!e->meta)
        return NULL;
    const json_t *meta = json_object_get(e->meta, mtype);
    if (!meta)
        return NULL;
    const json_t *entry;
    if (group) {
        char key[2 * TE_TOPIC_NAME_MAX + 2];
        int n = snprintf(key, sizeof key, "%s.%s", group, name);
        entry = n > 0 && (size_t)n < sizeof key ? json_object_get(meta, key) : NULL;
        if (!entry) {
            const json_t *g = json_object_get(meta, group);
            if (json_is_object(g) && !json_object_get(g, "unit"))
                entry = json_object_get(g, name);
        }
    } else {
        entry = json_object_get(meta, name);
    }
    return json_string_value(json_object_get(entry, "unit"));
}

static void write_value(te_c8y_buf_t *b, const te_measurement_value_t *v, const char *unit)
{
    te_c8y_json_cstring(b, v->name);
    te_c8y_buf_str(b, ":{\"value\":");
    te_c8y_json_double(b, v->value);
    if (unit) {
        te_c8y_buf_str(b, ",\"unit\":");
        te_c8y_json_cstring(b, unit);
    }
    te_c8y_buf_raw(b, "}", 1);
}

/* True when key is already a member of the measurement's output (type, time,
 * a series or a group, externalSource): a `properties` member of that name
 * is left out rather than written twice (fuzz_c8y). */
static bool written_key(const te_measurement_t *m, const char *key)
{
    if (strcmp(key, "type") == 0 || strcmp(key, "time") == 0 || strcmp(key, "externalSource") == 0)
        return true;
    for (size_t i = 0; i < m->count; i++)
        if (strcmp(m->values[i].group ? m->values[i].group : m->values[i].name, key) == 0)
            return true;
    return false;
}

/* The members of an object `properties`, copied to the top level (§4.2). */
static void write_properties(te_c8y_buf_t *b, const te_measurement_t *m)
{
    const char *key;
    json_t *member;
    if (!json_is_object(m->properties))
        return;
    json_object_foreach((json_t *)m->properties, key, member) {
        if (written_key(m, key))
            continue; /* a second member of that name: Cumulocity keeps either one */
        json_sep(b);
        te_c8y_json_cstring(b, key);
        te_c8y_buf_raw(b, ":", 1);
        if (te_c8y_json_value(b, member) != TE_OK)
            b->overflow = true;
    }
}

te_err_t c8y_measurement(te_c8y_t *st, te_c8y_entity_t *e, const char *type, const te_msg_t *msg, te_out_t *out)
{
    te_measurement_t *m = &st->meas;
    char err[TE_TEJSON_ERR_MAX];
    te_err_t rc = te_tejson_measurement_parse(msg->payload, msg->len, m, err, sizeof err);
    if (rc != TE_OK) {
        bool not_tejson = strncmp(err, "Invalid JSON", 12) == 0 || strncmp(err, "invalid type: sequence", 22) == 0;
        c8y_flow_error(st, out, "measurements", "%s%s", not_tejson ? "Not a thin-edge measurement: " : "", err);
        te_tejson_measurement_free(m);
        return rc;
    }
    if (json_object_get(m->root, "externalSource")) {
        c8y_flow_error(st, out, "measurements", "Unexpected measurement name: \"externalSource\" is a reserved word.");
        te_tejson_measurement_free(m);
        return TE_ERR_PARSE;
    }
    const char *default_type = type[0] ? type : "ThinEdgeMeasurement";
    char when[TE_TIME_STR_MAX];
    te_c8y_buf_t b;
    te_c8y_buf_init(&b, st->json_mem, st->json_cap);
    /* thin-edge.io's serializer (c8y_mapper_ext serializer.rs) writes the
     * source first, then the members in input order, then the time and type
     * it added; its tests compare these payloads byte for byte. */
    te_c8y_buf_raw(&b, "{", 1);
    if (e->type != TE_C8Y_MAIN_DEVICE)
        external_source(&b, e);
    const char *key;
    json_t *member;
    size_t i = 0;
    json_object_foreach(m->root, key, member) {
        if (strcmp(key, "time") == 0) {
            if (te_time_format_rfc3339(&m->time, when, sizeof when) != TE_OK) {
                c8y_flow_error(st, out, "measurements", "Invalid time: cannot be written as RFC 3339");
                te_tejson_measurement_free(m);
                return TE_ERR_RANGE;
            }
            json_sep(&b);
            te_c8y_buf_str(&b, "\"time\":");
            te_c8y_json_cstring(&b, when);
        } else if (strcmp(key, "type") == 0) {
            json_sep(&b);
            te_c8y_buf_str(&b, "\"type\":");
            te_c8y_json_cstring(&b, m->type);
        } else if (strcmp(key, "properties") == 0) {
            write_properties(&b, m);
        } else if (i < m->count && json_is_number(member)) {
            json_sep(&b);
            te_c8y_json_cstring(&b, key);
            te_c8y_buf_raw(&b, ":{", 2);
            write_value(&b, &m->values[i], unit_of(e, type, NULL, key));
            te_c8y_buf_raw(&b, "}", 1);
            i++;
        } else if (i < m->count && json_is_object(member)) {
            json_sep(&b);
            te_c8y_json_cstring(&b, key);
            te_c8y_buf_raw(&b, ":{", 2);
            for (size_t j = i; i < m->count && m->values[i].group == m->values[j].group; i++) {
                if (i > j)
                    te_c8y_buf_raw(&b, ",", 1);
                write_value(&b, &m->values[i], unit_of(e, type, key, m->values[i].name));
            }
            te_c8y_buf_raw(&b, "}", 1);
        }
    }
    if (!m->has_time) {
        te_time_t t = c8y_now(st);
        te_time_truncate_ms(&t);
        if (te_time_format_rfc3339(&t, when, sizeof when) != TE_OK) {
            c8y_flow_error(st, out, "measurements", "Invalid time: cannot be written as RFC 3339");
            te_tejson_measurement_free(m);
            return TE_ERR_RANGE;
        }
        json_sep(&b);
        te_c8y_buf_str(&b, "\"time\":");
        te_c8y_json_cstring(&b, when);
    }
    if (!m->type) {
        json_sep(&b);
        te_c8y_buf_str(&b, "\"type\":");
        te_c8y_json_cstring(&b, default_type);
    }
    te_c8y_buf_raw(&b, "}", 1);
    te_tejson_measurement_free(m);
    char topic[TE_TOPIC_MAX];
    c8y_topic(st, "measurement/measurements/create", topic, sizeof topic);
    return c8y_emit_checked(st, out, topic, &b, "measurements");
}

te_err_t c8y_measurement_meta(te_c8y_t *st, te_c8y_entity_t *e, const char *type, const te_msg_t *msg,
                              te_out_t *out)
{
    if (msg->len == 0) {
        if (e->meta)
            json_object_del(e->meta, type);
        return TE_OK;
    }
    char err[TE_TEJSON_ERR_MAX];
    te_err_t rc;
    json_t *meta = te_tejson_load(msg->payload, msg->len, &rc, err, sizeof err);
    if (!meta) {
        c8y_flow_error(st, out, "units", "Invalid measurement metadata: %s", err);
        return rc;
    }
    if (!json_is_object(meta)) {
        json_decref(meta);
        c8y_flow_error(st, out, "units", "Invalid measurement metadata: expected a JSON object");
        return TE_ERR_PARSE;
    }
    if (!e->meta && !(e->meta = json_object())) {
        json_decref(meta);
        return TE_ERR_NOMEM;
    }
    json_object_set_new(e->meta, type, meta);
    return TE_OK;
}

/* Appends the members of extras except externalSource when skip_source. */
static void write_extras(te_c8y_buf_t *b, const json_t *extras, bool skip_source)
{
    const char *key;
    json_t *member;
    json_object_foreach((json_t *)extras, key, member) {
        if (skip_source && strcmp(key, "externalSource") == 0)
            continue;
        te_c8y_buf_raw(b, ",", 1);
        te_c8y_json_cstring(b, key);
        te_c8y_buf_raw(b, ":", 1);
        if (te_c8y_json_value(b, member) != TE_OK)
            b->overflow = true;
    }
}

te_err_t c8y_event(te_c8y_t *st, te_c8y_entity_t *e, const char *type, const te_msg_t *msg, te_out_t *out)
{
    te_event_t ev;
    char err[TE_TEJSON_ERR_MAX];
    te_err_t rc = te_tejson_event_parse(msg->payload, msg->len, &ev, err, sizeof err);
    if (rc != TE_OK) {
        char sn[SNIP_BYTES + 1];
        snip(msg->payload, msg->len, sn, sizeof sn);
        c8y_flow_error(st, out, "events",
                       "Not an event payload: Parsing of event message received on topic: %s failed due to error: "
                       "%s. Snipped payload: %s", msg->topic, err, sn);
        te_tejson_event_free(&ev);
        return rc;
    }
    const char *out_type = ev.type ? ev.type : type[0] ? type : "ThinEdgeEvent";
    const char *text = ev.text ? ev.text : out_type;
    te_time_t t = ev.has_time ? ev.time : c8y_now(st);
    char when[TE_TIME_STR_MAX];
    if (te_time_format_rfc3339(&t, when, sizeof when) != TE_OK) {
        te_tejson_event_free(&ev);
        c8y_flow_error(st, out, "events", "Invalid time: cannot be written as RFC 3339");
        return TE_ERR_RANGE;
    }
    bool is_main = e->type == TE_C8Y_MAIN_DEVICE;
    bool extras = ev.extras && json_object_size(ev.extras) > 0;
    char topic[TE_TOPIC_MAX];
    te_c8y_buf_t b;
    if (is_main && !extras) {
        /* thin-edge.io writes the text quoted and unescaped (§4.3 quirk). */
        te_c8y_buf_init(&b, st->line_mem, sizeof st->line_mem);
        te_c8y_buf_str(&b, "400");
        te_c8y_csv_raw(&b, out_type); /* thin-edge.io mea/events.rs: not quoted either */
        te_c8y_buf_str(&b, ",\"");
        te_c8y_buf_str(&b, text);
        te_c8y_buf_raw(&b, "\"", 1);
        te_c8y_csv_field(&b, when);
        te_tejson_event_free(&ev);
        c8y_smartrest_topic(st, e, topic, sizeof topic);
        return c8y_emit_checked(st, out, topic, &b, "events");
    }
    te_c8y_buf_init(&b, st->json_mem, st->json_cap);
    te_c8y_buf_str(&b, "{\"type\":");
    te_c8y_json_cstring(&b, out_type);
    te_c8y_buf_str(&b, ",\"time\":");
    te_c8y_json_cstring(&b, when);
    te_c8y_buf_str(&b, ",\"text\":");
    te_c8y_json_cstring(&b, text);
    if (extras)
        write_extras(&b, ev.extras, !is_main);
    if (!is_main)
        external_source(&b, e);
    te_c8y_buf_raw(&b, "}", 1);
    te_tejson_event_free(&ev);
    c8y_topic(st, "event/events/create", topic, sizeof topic);
    return c8y_emit_checked(st, out, topic, &b, "events");
}

static const char *const severity_upper[] = {"CRITICAL", "MAJOR", "MINOR", "WARNING"};
static const char *const severity_code[] = {"301", "302", "303", "304"};

te_err_t c8y_alarm(te_c8y_t *st, te_c8y_entity_t *e, const char *type, const te_msg_t *msg, te_out_t *out)
{
    te_alarm_t al;
    char err[TE_TEJSON_ERR_MAX];
    te_err_t rc = te_tejson_alarm_parse(msg->payload, msg->len, &al, err, sizeof err);
    if (rc != TE_OK) {
        char sn[SNIP_BYTES + 1];
        snip(msg->payload, msg->len, sn, sizeof sn);
        c8y_flow_error(st, out, "alarms",
                       "Alarm conversion error: Parsing of alarm message for the type: %s failed due to error: %s. "
                       "Snipped payload: %s", type, err, sn);
        te_tejson_alarm_free(&al);
        return rc;
    }
    const char *out_type = al.type ? al.type : type[0] ? type : "ThinEdgeAlarm";
    char topic[TE_TOPIC_MAX];
    te_c8y_buf_t b;
    if (al.clear) {
        te_c8y_buf_init(&b, st->line_mem, sizeof st->line_mem);
        te_c8y_buf_str(&b, "306");
        te_c8y_csv_field(&b, out_type);
        te_tejson_alarm_free(&al);
        c8y_smartrest_topic(st, e, topic, sizeof topic);
        rc = c8y_emit_checked(st, out, topic, &b, "alarms");
        return rc == TE_OK ? c8y_alarm_journal(st, msg, true, NULL, out) : rc;
    }
    const char *text = al.text ? al.text : out_type;
    bool has_time = al.has_time;
    te_time_t t = al.has_time ? al.time : c8y_now(st);
    char when[TE_TIME_STR_MAX];
    if (te_time_format_rfc3339(&t, when, sizeof when) != TE_OK) {
        te_tejson_alarm_free(&al);
        c8y_flow_error(st, out, "alarms", "Invalid time: cannot be written as RFC 3339");
        return TE_ERR_RANGE;
    }
    if (al.extras)
        json_object_del(al.extras, "externalSource");
    bool extras = al.extras && json_object_size(al.extras) > 0;
    unsigned sev = (unsigned)al.severity < 4 ? (unsigned)al.severity : (unsigned)TE_ALARM_MINOR;
    if (!extras) {
        te_c8y_buf_init(&b, st->line_mem, sizeof st->line_mem);
        te_c8y_buf_str(&b, severity_code[sev]);
        te_c8y_csv_field(&b, out_type);
        te_c8y_csv_field(&b, text);
        te_c8y_csv_field(&b, when);
        te_tejson_alarm_free(&al);
        c8y_smartrest_topic(st, e, topic, sizeof topic);
        rc = c8y_emit_checked(st, out, topic, &b, "alarms");
        return rc == TE_OK ? c8y_alarm_journal(st, msg, has_time, when, out) : rc;
    }
    te_c8y_buf_init(&b, st->json_mem, st->json_cap);
    /* field order of thin-edge.io's C8yCreateAlarm (c8y_api json_c8y.rs) */
    te_c8y_buf_str(&b, "{\"type\":");
    te_c8y_json_cstring(&b, out_type);
    if (e->type != TE_C8Y_MAIN_DEVICE)
        external_source(&b, e);
    te_c8y_buf_str(&b, ",\"severity\":\"");
    te_c8y_buf_str(&b, severity_upper[sev]);
    te_c8y_buf_str(&b, "\",\"text\":");
    te_c8y_json_cstring(&b, text);
    te_c8y_buf_str(&b, ",\"time\":");
    te_c8y_json_cstring(&b, when);
    write_extras(&b, al.extras, false);
    te_c8y_buf_raw(&b, "}", 1);
    te_tejson_alarm_free(&al);
    c8y_topic(st, "alarm/alarms/create", topic, sizeof topic);
    rc = c8y_emit_checked(st, out, topic, &b, "alarms");
    return rc == TE_OK ? c8y_alarm_journal(st, msg, has_time, when, out) : rc;
}
