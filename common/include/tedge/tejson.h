/* tejson: Thin-Edge JSON measurements, events and alarms (mqtt-api.md
 * §3.2-3.4) parsed into structs, with the error texts of §7.
 *
 * The payload is parsed once by jansson (duplicate keys rejected, depth
 * bounded by jansson's 2048 levels, \u0000 rejected); the structs point into
 * that tree, which they own through `root`/`extras` and release in
 * te_tejson_*_free(). Nothing else is allocated, nothing is global. The
 * caller bounds the payload size (the bus and the mappers cap it). */
#ifndef TEDGE_TEJSON_H
#define TEDGE_TEJSON_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include "tedge/err.h"
#include "tedge/timefmt.h"

/* Numeric values one measurement message may carry (single values plus the
 * members of every group). More is TE_ERR_TOOBIG. */
#define TE_TEJSON_MAX_VALUES 256

/* Longest error text written (a caller buffer of this size never truncates
 * the fixed parts of a message). */
#define TE_TEJSON_ERR_MAX 512

typedef struct te_measurement_value {
    const char *group; /* NULL for a top-level single value */
    const char *name;
    double value;      /* integers are read as float64 */
} te_measurement_value_t;

/* A measurement. Large (about 6 KiB): keep one per converter, not per call
 * frame if stack is tight. Strings point into root. */
typedef struct te_measurement {
    json_t *root;               /* owned; te_tejson_measurement_free releases */
    bool has_time;
    te_time_t time;
    const char *type;           /* top-level "type" string (may be ""), else NULL */
    const json_t *properties;   /* top-level "properties" (any JSON), else NULL */
    size_t count;
    te_measurement_value_t values[TE_TEJSON_MAX_VALUES]; /* document order */
} te_measurement_t;

typedef struct te_event {
    /* owned: the payload object without "text", "time" and "type" (the
     * custom fragments, kept as they came); NULL for an empty payload */
    json_t *extras;
    const char *text;   /* NULL when absent or null */
    const char *type;   /* non-empty "type" string, else NULL */
    bool has_time;      /* false: absent or null, the consumer stamps now */
    te_time_t time;
    json_t *held_[2];   /* private: keep text and type alive */
} te_event_t;

typedef enum te_alarm_severity {
    TE_ALARM_CRITICAL,
    TE_ALARM_MAJOR,
    TE_ALARM_MINOR,
    TE_ALARM_WARNING,
} te_alarm_severity_t;

typedef struct te_alarm {
    bool clear;                   /* empty payload: clear the alarm */
    te_alarm_severity_t severity; /* missing or unknown -> TE_ALARM_MINOR */
    const char *severity_text;    /* the "severity" string as given, else NULL */
    bool severity_known;          /* severity_text is one of the four names */
    json_t *extras;               /* as te_event_t, without "severity" too */
    const char *text;
    const char *type;
    bool has_time;
    te_time_t time;
    json_t *held_[3];
} te_alarm_t;

/* Parses a measurement payload (§3.2). out is reset first. On success the
 * caller owns out->root and calls te_tejson_measurement_free(); on failure
 * nothing is held (free is still safe). err gets the reason:
 *  - syntax: "Invalid JSON: <reason> at line L column C: `<excerpt>`"
 *  - top level not an object: "invalid type: sequence, expected ThinEdge JSON"
 *  - no numeric value: "Empty Thin Edge measurement: it must contain at least
 *    one measurement"; empty group: "... \"<g>\" must contain ..."
 *  - value bool/null/array: "invalid type: boolean `true`, expected ThinEdge
 *    single or multi-value measurement"; group in a group: "Expect
 *    single-value measurement"; string in a group: "Unexpected type within
 *    a group"; "time" in a group: "Unexpected time stamp within a group";
 *    non-string top-level "type" or "type" in a group: "Unexpected
 *    measurement name: \"type\" is a reserved word."
 *  - time: see te_tejson_time_from_json (null is an error here)
 * Returns TE_OK, TE_ERR_PARSE, TE_ERR_RANGE (number overflowing float64,
 * subnormal, time out of range), TE_ERR_TOOBIG (more than
 * TE_TEJSON_MAX_VALUES values), TE_ERR_NOMEM or TE_ERR_INVAL. */
te_err_t te_tejson_measurement_parse(const char *payload, size_t len,
                                     te_measurement_t *out, char *err,
                                     size_t errlen) TE_MUST_USE;
/* Releases m->root and resets m. NULL or already-freed is fine. */
void te_tejson_measurement_free(te_measurement_t *m);

/* Parses an event payload (§3.3); len 0 is an event with all defaults.
 * "text" must be a string or null, "time" as te_tejson_time_from_json or
 * null, "type" is used when a non-empty string and otherwise dropped.
 * Ownership as for measurements (te_tejson_event_free).
 * Returns TE_OK, TE_ERR_PARSE (invalid JSON, not an object, wrong type:
 * "invalid type: integer `5`, expected a string for \"text\""),
 * TE_ERR_RANGE, TE_ERR_NOMEM or TE_ERR_INVAL. */
te_err_t te_tejson_event_parse(const char *payload, size_t len, te_event_t *out,
                               char *err, size_t errlen) TE_MUST_USE;
/* Releases ev->extras and the held strings, resets ev. NULL-safe, idempotent. */
void te_tejson_event_free(te_event_t *ev);

/* Parses an alarm payload (§3.4); len 0 sets out->clear. "severity" must be
 * a string or null; otherwise as events. Ownership and errors as events
 * (te_tejson_alarm_free). */
te_err_t te_tejson_alarm_parse(const char *payload, size_t len, te_alarm_t *out,
                               char *err, size_t errlen) TE_MUST_USE;
/* Releases al->extras and the held strings, resets al. NULL-safe, idempotent. */
void te_tejson_alarm_free(te_alarm_t *al);

/* "critical", "major", "minor" or "warning". */
const char *te_tejson_severity_name(te_alarm_severity_t severity);

/* Reads a Thin-Edge `time` value (§3.1): RFC 3339 string, integer unix
 * seconds, or decimal unix seconds (kept to ms). value is only read.
 * err on failure:
 *  - "Invalid ISO8601 timestamp (expected YYYY-MM-DDThh:mm:ss.sss.±hh:mm):
 *    \"<v>\": <detail>"                                     (TE_ERR_PARSE)
 *  - "Invalid unix timestamp (reading integer value in seconds): <v>;
 *    timestamp must be in the range -377705116800..=253402300799"
 *                                                           (TE_ERR_RANGE)
 *  - "invalid type: null, expected a date formatted as a unix timestamp (as
 *    an integer number of seconds) or an ISO-8601 string"  (TE_ERR_PARSE)
 * Returns TE_OK, TE_ERR_PARSE, TE_ERR_RANGE or TE_ERR_INVAL (NULL out). */
te_err_t te_tejson_time_from_json(const json_t *value, te_time_t *out,
                                  char *err, size_t errlen) TE_MUST_USE;

/* Parses any JSON document with the rules above (duplicates rejected, huge
 * integers read as float64, overflow "number out of range") for other
 * modules that want the same error texts. Returns a new reference the
 * caller json_decref()s, or NULL with *rc (TE_ERR_PARSE, TE_ERR_RANGE,
 * TE_ERR_NOMEM, TE_ERR_INVAL for a NULL payload) and err set. rc and err
 * may be NULL. */
json_t *te_tejson_load(const char *payload, size_t len, te_err_t *rc, char *err,
                       size_t errlen);

/* Describes a JSON value the way serde does in "invalid type" messages:
 * "null", "boolean `true`", "integer `5`", "floating point `1.5`",
 * "string \"abc\"", "sequence", "map". Writes into buf (truncated safely). */
void te_tejson_describe(const json_t *value, char *buf, size_t buflen);

#endif
