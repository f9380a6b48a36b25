/* Unit tests for tejson: Thin-Edge JSON measurements, events and alarms
 * (mqtt-api.md §3.1-3.4 and the texts of §7, mapper-c8y.md §10). */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "tedge/tejson.h"

static te_measurement_t M; /* 6 KiB: one shared instance */

/* ---- measurements: accepted ---- */

typedef struct value_want {
    const char *group;
    const char *name;
    double value;
} value_want_t;

static void assert_values(const te_measurement_t *m, const value_want_t *want, size_t n)
{
    assert_int_equal(m->count, n);
    for (size_t i = 0; i < n; i++) {
        if (want[i].group == NULL)
            assert_null(m->values[i].group);
        else
            assert_string_equal(m->values[i].group, want[i].group);
        assert_string_equal(m->values[i].name, want[i].name);
        if (m->values[i].value != want[i].value)
            fail_msg("value %zu (%s): %.17g, want %.17g", i, want[i].name,
                     m->values[i].value, want[i].value);
    }
}

static void parse_ok(const char *payload)
{
    char err[TE_TEJSON_ERR_MAX] = "";
    te_err_t rc = te_tejson_measurement_parse(payload, strlen(payload), &M, err, sizeof err);
    if (rc != TE_OK)
        fail_msg("%s: rc %d: %s", payload, rc, err);
}

static void test_measurement_single_value(void **state)
{
    (void)state;
    parse_ok("{\"temperature\":23.4}");
    static const value_want_t want[] = { { NULL, "temperature", 23.4 } };
    assert_values(&M, want, 1);
    assert_false(M.has_time);
    assert_null(M.type);
    assert_null(M.properties);
    te_tejson_measurement_free(&M);
    assert_null(M.root);
}

static void test_measurement_spec_example_with_group_time_and_properties(void **state)
{
    (void)state;
    parse_ok("{\"time\":1619802194,\"voltage\":229.8,\"phase\":{\"a\":4.1,\"b\":3.9,\"c\":4.0},"
             "\"properties\":{\"meter\":\"EM-24\"}}");
    static const value_want_t want[] = {
        { NULL, "voltage", 229.8 }, { "phase", "a", 4.1 }, { "phase", "b", 3.9 },
        { "phase", "c", 4.0 },
    };
    assert_values(&M, want, 4);
    assert_true(M.has_time);
    assert_int_equal(M.time.unix_s, 1619802194);
    assert_true(json_is_object(M.properties));
    assert_string_equal(json_string_value(json_object_get(M.properties, "meter")), "EM-24");
    te_tejson_measurement_free(&M);
}

static void test_measurement_c8y_example_keeps_time_offset(void **state)
{
    (void)state;
    parse_ok("{\"temperature\":23,\"Climate\":{\"Humidity\":95.0},"
             "\"time\":\"2021-04-22T17:05:26.958+02:00\"}");
    static const value_want_t want[] = { { NULL, "temperature", 23.0 },
                                         { "Climate", "Humidity", 95.0 } };
    assert_values(&M, want, 2);
    char buf[TE_TIME_STR_MAX];
    assert_int_equal(te_time_format_rfc3339(&M.time, buf, sizeof buf), TE_OK);
    assert_string_equal(buf, "2021-04-22T17:05:26.958+02:00");
    te_tejson_measurement_free(&M);
}

static void test_measurement_type_string_overrides_and_other_strings_ignored(void **state)
{
    (void)state;
    parse_ok("{\"type\":\"custom\",\"note\":\"hello\",\"t\":1}");
    assert_string_equal(M.type, "custom");
    static const value_want_t want[] = { { NULL, "t", 1.0 } };
    assert_values(&M, want, 1);
    te_tejson_measurement_free(&M);
}

static void test_measurement_properties_may_be_any_json(void **state)
{
    (void)state;
    parse_ok("{\"properties\":[1,true,null],\"t\":1}");
    assert_true(json_is_array(M.properties));
    te_tejson_measurement_free(&M);
}

static void test_measurement_key_charset_not_enforced(void **state)
{
    (void)state;
    parse_ok("{\"escaped\\\\\":123.0,\"with space\":1,\"a-b\":-2,\"_x\":0,\"\":5}");
    static const value_want_t want[] = {
        { NULL, "escaped\\", 123.0 }, { NULL, "with space", 1 }, { NULL, "a-b", -2 },
        { NULL, "_x", 0 },            { NULL, "", 5 },
    };
    assert_values(&M, want, 5);
    te_tejson_measurement_free(&M);
}

static void test_measurement_numbers_integer_negative_zero_exponent(void **state)
{
    (void)state;
    parse_ok("{\"a\":-31,\"b\":0,\"c\":-0.0,\"d\":1e3,\"e\":1.7976931348623157e308,"
             "\"f\":2.2250738585072014e-308,\"g\":9007199254740993}");
    static const value_want_t want[] = {
        { NULL, "a", -31 },  { NULL, "b", 0 },      { NULL, "c", 0 },
        { NULL, "d", 1000 }, { NULL, "e", 1.7976931348623157e308 },
        { NULL, "f", 2.2250738585072014e-308 },     { NULL, "g", 9007199254740992.0 },
    };
    assert_values(&M, want, 7);
    te_tejson_measurement_free(&M);
}

static void test_measurement_integer_beyond_int64_read_as_float(void **state)
{
    (void)state;
    parse_ok("{\"time\":1701949168,\"big\":99999999999999999999,\"neg\":-99999999999999999999}");
    static const value_want_t want[] = { { NULL, "big", 1e20 }, { NULL, "neg", -1e20 } };
    assert_values(&M, want, 2);
    /* the retry reads every integer as a real: time keeps its instant */
    assert_true(M.has_time);
    assert_int_equal(M.time.unix_s, 1701949168);
    assert_int_equal(M.time.nsec, 0);
    te_tejson_measurement_free(&M);
}

static void test_measurement_underflow_to_zero_is_accepted(void **state)
{
    (void)state;
    parse_ok("{\"tiny\":1e-400}");
    assert_true(M.values[0].value == 0.0);
    te_tejson_measurement_free(&M);
}

static void test_measurement_decimal_time_truncated_to_ms(void **state)
{
    (void)state;
    parse_ok("{\"time\":1701949168.0019,\"t\":1}");
    assert_int_equal(M.time.unix_s, 1701949168);
    assert_int_equal(M.time.nsec, 1000000);
    te_tejson_measurement_free(&M);
}

static void test_measurement_exactly_max_values_fit(void **state)
{
    (void)state;
    char *payload = malloc(16 * (TE_TEJSON_MAX_VALUES + 2));
    size_t len = (size_t)sprintf(payload, "{\"g\":{");
    for (int i = 0; i < TE_TEJSON_MAX_VALUES; i++)
        len += (size_t)sprintf(payload + len, "%s\"v%d\":%d", i ? "," : "", i, i);
    strcpy(payload + len, "}}");
    parse_ok(payload);
    assert_int_equal(M.count, TE_TEJSON_MAX_VALUES);
    assert_string_equal(M.values[TE_TEJSON_MAX_VALUES - 1].name, "v255");
    te_tejson_measurement_free(&M);
    free(payload);
}

/* ---- measurements: rejected (one named test per row) ---- */

typedef struct bad_case {
    const char *name;
    const char *payload;
    size_t len; /* 0: strlen */
    te_err_t rc;
    const char *err;   /* exact text, or NULL */
    const char *part1; /* substrings the text must hold, or NULL */
    const char *part2;
} bad_case_t;

#define EXACT(n, p, rc, e) { n, p, 0, rc, e, NULL, NULL }
#define HOLDS(n, p, rc, a, b) { n, p, 0, rc, NULL, a, b }

static const char EMPTY_MSG[] =
    "Empty Thin Edge measurement: it must contain at least one measurement";
static const char RESERVED_MSG[] = "Unexpected measurement name: \"type\" is a reserved word.";
static const char TIME_TYPE_TAIL[] =
    ", expected a date formatted as a unix timestamp (as an integer number of seconds) or "
    "an ISO-8601 string";

static const bad_case_t MEASUREMENT_BAD[] = {
    HOLDS("truncated_json_reports_position_and_excerpt", "{\"temperature\": 23",
          TE_ERR_PARSE, "Invalid JSON: ", "at line 1 column 18: `{\"temperature\": 23`"),
    HOLDS("syntax_error_reports_line", "{\n\"a\": 1,\n\"b\" 2}", TE_ERR_PARSE,
          "Invalid JSON: ", "at line 3 column"),
    HOLDS("trailing_garbage", "{\"t\":1} x", TE_ERR_PARSE, "Invalid JSON: ", "line 1"),
    HOLDS("nan_literal", "{\"t\":NaN}", TE_ERR_PARSE, "Invalid JSON: ", NULL),
    HOLDS("infinity_literal", "{\"t\":Infinity}", TE_ERR_PARSE, "Invalid JSON: ", NULL),
    HOLDS("single_quotes", "{'t':1}", TE_ERR_PARSE, "Invalid JSON: ", NULL),
    HOLDS("empty_payload", "", TE_ERR_PARSE, "Invalid JSON: ", NULL),
    HOLDS("duplicate_time_key", "{\"time\":1,\"time\":2,\"t\":1}", TE_ERR_PARSE,
          "Invalid JSON: duplicate object key", NULL),
    HOLDS("duplicate_value_key", "{\"t\":1,\"t\":2}", TE_ERR_PARSE, "duplicate object key",
          NULL),
    HOLDS("nul_escape_in_key", "{\"a\\u0000b\":1}", TE_ERR_PARSE, "Invalid JSON: ", NULL),
    HOLDS("invalid_utf8_shown_as_question_mark", "{\"t\xff\":1}", TE_ERR_PARSE,
          "Invalid JSON: ", "`{\"t?\":1}`"),
    EXACT("top_level_array", "[50,23]", TE_ERR_PARSE,
          "invalid type: sequence, expected ThinEdge JSON"),
    EXACT("top_level_string", "\"abc\"", TE_ERR_PARSE,
          "invalid type: string \"abc\", expected ThinEdge JSON"),
    EXACT("top_level_integer", "5", TE_ERR_PARSE,
          "invalid type: integer `5`, expected ThinEdge JSON"),
    EXACT("top_level_float", "1.5", TE_ERR_PARSE,
          "invalid type: floating point `1.5`, expected ThinEdge JSON"),
    EXACT("top_level_null", "null", TE_ERR_PARSE, "invalid type: null, expected ThinEdge JSON"),
    EXACT("empty_object", "{}", TE_ERR_PARSE, EMPTY_MSG),
    EXACT("only_time", "{\"time\":1619802194}", TE_ERR_PARSE, EMPTY_MSG),
    EXACT("only_time_and_properties", "{\"time\":1619802194,\"properties\":{\"a\":1}}",
          TE_ERR_PARSE, EMPTY_MSG),
    EXACT("only_strings", "{\"type\":\"x\",\"note\":\"y\"}", TE_ERR_PARSE, EMPTY_MSG),
    EXACT("empty_group", "{\"g\":{}}", TE_ERR_PARSE,
          "Empty Thin Edge measurement: \"g\" must contain at least one measurement"),
    EXACT("boolean_value", "{\"t\":true}", TE_ERR_PARSE,
          "invalid type: boolean `true`, expected ThinEdge single or multi-value measurement"),
    EXACT("false_value", "{\"t\":false}", TE_ERR_PARSE,
          "invalid type: boolean `false`, expected ThinEdge single or multi-value measurement"),
    EXACT("null_value", "{\"t\":null}", TE_ERR_PARSE,
          "invalid type: null, expected ThinEdge single or multi-value measurement"),
    EXACT("array_value", "{\"t\":[1,2]}", TE_ERR_PARSE,
          "invalid type: sequence, expected ThinEdge single or multi-value measurement"),
    EXACT("boolean_in_group", "{\"g\":{\"t\":true}}", TE_ERR_PARSE,
          "invalid type: boolean `true`, expected ThinEdge single-value measurement"),
    EXACT("nested_group", "{\"g\":{\"h\":{\"x\":1}}}", TE_ERR_PARSE,
          "Expect single-value measurement"),
    EXACT("string_in_group", "{\"g\":{\"x\":\"str\"}}", TE_ERR_PARSE,
          "Unexpected type within a group"),
    EXACT("time_in_group", "{\"g\":{\"time\":\"2021-04-30T17:03:14Z\"}}", TE_ERR_PARSE,
          "Unexpected time stamp within a group"),
    EXACT("type_in_group", "{\"g\":{\"type\":1}}", TE_ERR_PARSE, RESERVED_MSG),
    EXACT("numeric_type", "{\"type\":5,\"t\":1}", TE_ERR_PARSE, RESERVED_MSG),
    EXACT("object_type", "{\"type\":{\"a\":1}}", TE_ERR_PARSE, RESERVED_MSG),
    HOLDS("overflowing_number", "{\"t\":10e99999}", TE_ERR_RANGE,
          "Invalid JSON: number out of range at line 1 column", NULL),
    HOLDS("overflowing_negative_number", "{\"t\":-10e99999}", TE_ERR_RANGE,
          "number out of range", NULL),
    EXACT("subnormal_number", "{\"t\":1e-310}", TE_ERR_RANGE,
          "Number out-of-range: the \"t\" value is too large to be represented as a float64."),
    EXACT("subnormal_in_group_names_member", "{\"g\":{\"x\":-4.9e-324}}", TE_ERR_RANGE,
          "Number out-of-range: the \"x\" value is too large to be represented as a float64."),
    EXACT("time_null", "{\"time\":null,\"t\":1}", TE_ERR_PARSE, NULL),
    EXACT("time_boolean", "{\"time\":true,\"t\":1}", TE_ERR_PARSE, NULL),
    EXACT("time_object", "{\"time\":{},\"t\":1}", TE_ERR_PARSE, NULL),
    EXACT("time_date_only", "{\"time\":\"2013-06-22\",\"t\":1}", TE_ERR_PARSE,
          "Invalid ISO8601 timestamp (expected YYYY-MM-DDThh:mm:ss.sss.±hh:mm): "
          "\"2013-06-22\": expected 'T' between date and time at byte 10, found end of input"),
    EXACT("time_with_3am", "{\"time\":\"2013-06-22 3am\",\"t\":1}", TE_ERR_PARSE,
          "Invalid ISO8601 timestamp (expected YYYY-MM-DDThh:mm:ss.sss.±hh:mm): "
          "\"2013-06-22 3am\": expected 'T' between date and time at byte 10, found ' '"),
    EXACT("time_integer_out_of_range", "{\"time\":253402300800,\"t\":1}", TE_ERR_RANGE,
          "Invalid unix timestamp (reading integer value in seconds): 253402300800; "
          "timestamp must be in the range -377705116800..=253402300799"),
    HOLDS("time_decimal_out_of_range", "{\"time\":-377705116801.5,\"t\":1}", TE_ERR_RANGE,
          "Invalid unix timestamp (reading decimal value in seconds): -377705116801.5", NULL),
};

static void run_bad_case(void **state, te_err_t (*parse)(const bad_case_t *, char *, size_t))
{
    const bad_case_t *c = *state;
    char err[TE_TEJSON_ERR_MAX] = "";
    te_err_t rc = parse(c, err, sizeof err);
    if (rc != c->rc)
        fail_msg("%s: rc %d, want %d (%s)", c->payload, rc, c->rc, err);
    if (c->err)
        assert_string_equal(err, c->err);
    if (c->part1 && strstr(err, c->part1) == NULL)
        fail_msg("\"%s\" lacks \"%s\"", err, c->part1);
    if (c->part2 && strstr(err, c->part2) == NULL)
        fail_msg("\"%s\" lacks \"%s\"", err, c->part2);
}

static te_err_t parse_measurement_case(const bad_case_t *c, char *err, size_t errlen)
{
    te_err_t rc = te_tejson_measurement_parse(c->payload, c->len ? c->len : strlen(c->payload),
                                              &M, err, errlen);
    /* a failed parse holds nothing */
    if (rc != TE_OK) {
        assert_null(M.root);
        assert_int_equal(M.count, 0);
    }
    te_tejson_measurement_free(&M);
    return rc;
}

static void run_measurement_bad(void **state)
{
    const bad_case_t *c = *state;
    run_bad_case(state, parse_measurement_case);
    if (strncmp(c->name, "time_", 5) == 0 && c->err == NULL && c->part1 == NULL) {
        char err[TE_TEJSON_ERR_MAX];
        (void)parse_measurement_case(c, err, sizeof err);
        if (strstr(err, TIME_TYPE_TAIL) == NULL || strncmp(err, "invalid type: ", 14) != 0)
            fail_msg("time type error text: %s", err);
    }
}

static void test_measurement_time_null_text(void **state)
{
    (void)state;
    char err[TE_TEJSON_ERR_MAX];
    const char *p = "{\"time\":null,\"t\":1}";
    assert_int_equal(te_tejson_measurement_parse(p, strlen(p), &M, err, sizeof err),
                     TE_ERR_PARSE);
    assert_string_equal(err, "invalid type: null, expected a date formatted as a unix "
                             "timestamp (as an integer number of seconds) or an ISO-8601 "
                             "string");
}

static void test_measurement_too_many_values_is_toobig(void **state)
{
    (void)state;
    char *payload = malloc(16 * (TE_TEJSON_MAX_VALUES + 3));
    size_t len = (size_t)sprintf(payload, "{");
    for (int i = 0; i <= TE_TEJSON_MAX_VALUES; i++)
        len += (size_t)sprintf(payload + len, "%s\"v%d\":%d", i ? "," : "", i, i);
    strcpy(payload + len, "}");
    char err[TE_TEJSON_ERR_MAX];
    assert_int_equal(te_tejson_measurement_parse(payload, strlen(payload), &M, err, sizeof err),
                     TE_ERR_TOOBIG);
    assert_string_equal(err, "Too many measurement values: at most 256 in one message");
    assert_null(M.root);
    free(payload);
}

static void test_measurement_deep_nesting_is_rejected_not_crashing(void **state)
{
    (void)state;
    size_t depth = 100000;
    char *payload = malloc(2 * depth + 16);
    size_t len = 0;
    for (size_t i = 0; i < depth; i++)
        payload[len++] = '[';
    for (size_t i = 0; i < depth; i++)
        payload[len++] = ']';
    char err[TE_TEJSON_ERR_MAX];
    assert_int_equal(te_tejson_measurement_parse(payload, len, &M, err, sizeof err),
                     TE_ERR_PARSE);
    assert_non_null(strstr(err, "maximum parsing depth"));
    free(payload);
}

static void test_invalid_json_excerpt_is_at_most_80_bytes(void **state)
{
    (void)state;
    char payload[400];
    size_t len = (size_t)sprintf(payload, "{\"a\":1");
    while (len < 300)
        len += (size_t)sprintf(payload + len, ",\"k%zu\":1", len);
    payload[len++] = ',';
    payload[len] = '\0';
    char err[TE_TEJSON_ERR_MAX];
    assert_int_equal(te_tejson_measurement_parse(payload, len, &M, err, sizeof err),
                     TE_ERR_PARSE);
    const char *open = strchr(err, '`');
    assert_non_null(open);
    const char *close = strchr(open + 1, '`');
    assert_non_null(close);
    assert_true(close - open - 1 <= 80);
    assert_true(close - open - 1 > 20);
    /* the excerpt is taken around the error: it holds the end of the input */
    assert_memory_equal(close - 2, "1,", 2);
}

static void test_excerpt_never_splits_a_utf8_character(void **state)
{
    (void)state;
    /* 2-byte characters so that some window edge falls inside one */
    char payload[600];
    size_t len = (size_t)sprintf(payload, "{\"t\":\"");
    for (int i = 0; i < 100; i++)
        len += (size_t)sprintf(payload + len, "\xc3\xa9");
    len += (size_t)sprintf(payload + len, "\" x");
    char err[TE_TEJSON_ERR_MAX];
    for (size_t cut = len - 3; cut <= len; cut++) {
        assert_int_equal(te_tejson_measurement_parse(payload, cut, &M, err, sizeof err),
                         TE_ERR_PARSE);
        assert_null(strchr(err, '?'));
    }
}

static void test_measurement_free_is_idempotent_and_null_safe(void **state)
{
    (void)state;
    parse_ok("{\"t\":1}");
    te_tejson_measurement_free(&M);
    te_tejson_measurement_free(&M);
    te_tejson_measurement_free(NULL);
    assert_int_equal(te_tejson_measurement_parse("{}", 2, NULL, NULL, 0), TE_ERR_INVAL);
    assert_int_equal(te_tejson_measurement_parse(NULL, 3, &M, NULL, 0), TE_ERR_INVAL);
}

/* ---- events ---- */

static void test_event_spec_example(void **state)
{
    (void)state;
    const char *p = "{\"text\":\"user admin logged in\",\"time\":\"2021-01-01T05:30:45+00:00\","
                    "\"ip\":\"10.0.0.3\"}";
    te_event_t ev;
    char err[TE_TEJSON_ERR_MAX] = "";
    assert_int_equal(te_tejson_event_parse(p, strlen(p), &ev, err, sizeof err), TE_OK);
    assert_string_equal(ev.text, "user admin logged in");
    assert_null(ev.type);
    assert_true(ev.has_time);
    assert_int_equal(ev.time.unix_s, 1609479045);
    assert_false(ev.time.utc_z);
    assert_int_equal(json_object_size(ev.extras), 1);
    assert_string_equal(json_string_value(json_object_get(ev.extras, "ip")), "10.0.0.3");
    te_tejson_event_free(&ev);
    assert_null(ev.extras);
}

static void test_event_empty_payload_has_all_defaults(void **state)
{
    (void)state;
    te_event_t ev;
    assert_int_equal(te_tejson_event_parse("", 0, &ev, NULL, 0), TE_OK);
    assert_null(ev.extras);
    assert_null(ev.text);
    assert_null(ev.type);
    assert_false(ev.has_time);
    te_tejson_event_free(&ev);
    assert_int_equal(te_tejson_event_parse(NULL, 0, &ev, NULL, 0), TE_OK);
}

static void test_event_empty_object_and_nulls_are_defaults(void **state)
{
    (void)state;
    te_event_t ev;
    assert_int_equal(te_tejson_event_parse("{}", 2, &ev, NULL, 0), TE_OK);
    assert_non_null(ev.extras);
    assert_int_equal(json_object_size(ev.extras), 0);
    te_tejson_event_free(&ev);
    const char *p = "{\"text\":null,\"time\":null,\"type\":null}";
    assert_int_equal(te_tejson_event_parse(p, strlen(p), &ev, NULL, 0), TE_OK);
    assert_null(ev.text);
    assert_false(ev.has_time);
    assert_null(ev.type);
    assert_int_equal(json_object_size(ev.extras), 0);
    te_tejson_event_free(&ev);
}

static void test_event_type_override_only_when_non_empty_string(void **state)
{
    (void)state;
    static const struct {
        const char *payload;
        const char *type;
    } cases[] = {
        { "{\"type\":\"custom\"}", "custom" },
        { "{\"type\":\"\"}", NULL },
        { "{\"type\":5}", NULL },
        { "{\"type\":{\"a\":1}}", NULL },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        te_event_t ev;
        assert_int_equal(te_tejson_event_parse(cases[i].payload, strlen(cases[i].payload), &ev,
                                               NULL, 0),
                         TE_OK);
        if (cases[i].type)
            assert_string_equal(ev.type, cases[i].type);
        else
            assert_null(ev.type);
        /* "type" is never a custom fragment */
        assert_int_equal(json_object_size(ev.extras), 0);
        te_tejson_event_free(&ev);
    }
}

static void test_event_nested_fragments_kept_verbatim(void **state)
{
    (void)state;
    const char *p = "{\"text\":\"x\",\"c8y_Position\":{\"lat\":1.5,\"lng\":[2,3]},\"n\":null}";
    te_event_t ev;
    assert_int_equal(te_tejson_event_parse(p, strlen(p), &ev, NULL, 0), TE_OK);
    assert_int_equal(json_object_size(ev.extras), 2);
    char *dump = json_dumps(ev.extras, JSON_COMPACT | JSON_SORT_KEYS);
    assert_string_equal(dump, "{\"c8y_Position\":{\"lat\":1.5,\"lng\":[2,3]},\"n\":null}");
    free(dump);
    assert_string_equal(ev.text, "x");
    te_tejson_event_free(&ev);
}

static te_err_t parse_event_case(const bad_case_t *c, char *err, size_t errlen)
{
    te_event_t ev;
    te_err_t rc = te_tejson_event_parse(c->payload, c->len ? c->len : strlen(c->payload), &ev,
                                        err, errlen);
    if (rc != TE_OK) {
        assert_null(ev.extras);
        assert_null(ev.held_[0]);
    }
    te_tejson_event_free(&ev);
    return rc;
}

static void run_event_bad(void **state)
{
    run_bad_case(state, parse_event_case);
}

static const bad_case_t EVENT_BAD[] = {
    HOLDS("event_invalid_json", "{\"text\":", TE_ERR_PARSE, "Invalid JSON: ", "line 1"),
    EXACT("event_not_an_object", "[1]", TE_ERR_PARSE,
          "invalid type: sequence, expected an event object"),
    EXACT("event_string_payload", "\"hi\"", TE_ERR_PARSE,
          "invalid type: string \"hi\", expected an event object"),
    EXACT("event_text_not_string", "{\"text\":5}", TE_ERR_PARSE,
          "invalid type: integer `5`, expected a string for \"text\""),
    EXACT("event_text_object", "{\"text\":{}}", TE_ERR_PARSE,
          "invalid type: map, expected a string for \"text\""),
    HOLDS("event_bad_time_string", "{\"time\":\"yesterday\"}", TE_ERR_PARSE,
          "Invalid ISO8601 timestamp", "\"yesterday\""),
    EXACT("event_time_out_of_range", "{\"time\":-377705116801}", TE_ERR_RANGE,
          "Invalid unix timestamp (reading integer value in seconds): -377705116801; "
          "timestamp must be in the range -377705116800..=253402300799"),
    HOLDS("event_time_boolean", "{\"time\":false}", TE_ERR_PARSE,
          "invalid type: boolean `false`, expected a date formatted", NULL),
    HOLDS("event_duplicate_key", "{\"ip\":1,\"ip\":2}", TE_ERR_PARSE, "duplicate object key",
          NULL),
};

/* ---- alarms ---- */

static void test_alarm_spec_example(void **state)
{
    (void)state;
    const char *p = "{\"severity\":\"major\",\"text\":\"Temperature 91\xc2\xb0" "C\"}";
    te_alarm_t al;
    assert_int_equal(te_tejson_alarm_parse(p, strlen(p), &al, NULL, 0), TE_OK);
    assert_false(al.clear);
    assert_int_equal(al.severity, TE_ALARM_MAJOR);
    assert_true(al.severity_known);
    assert_string_equal(al.severity_text, "major");
    assert_string_equal(al.text, "Temperature 91\xc2\xb0" "C");
    assert_false(al.has_time);
    assert_int_equal(json_object_size(al.extras), 0);
    te_tejson_alarm_free(&al);
}

static void test_alarm_empty_payload_clears(void **state)
{
    (void)state;
    te_alarm_t al;
    assert_int_equal(te_tejson_alarm_parse("", 0, &al, NULL, 0), TE_OK);
    assert_true(al.clear);
    assert_null(al.extras);
    te_tejson_alarm_free(&al);
}

static void test_alarm_empty_object_raises_with_defaults(void **state)
{
    (void)state;
    te_alarm_t al;
    assert_int_equal(te_tejson_alarm_parse("{}", 2, &al, NULL, 0), TE_OK);
    assert_false(al.clear);
    assert_int_equal(al.severity, TE_ALARM_MINOR);
    assert_null(al.severity_text);
    assert_false(al.severity_known);
    assert_null(al.text);
    assert_null(al.type);
    te_tejson_alarm_free(&al);
}

static void test_alarm_severity_table(void **state)
{
    (void)state;
    static const struct {
        const char *payload;
        te_alarm_severity_t severity;
        bool known;
        const char *text;
    } cases[] = {
        { "{\"severity\":\"critical\"}", TE_ALARM_CRITICAL, true, "critical" },
        { "{\"severity\":\"major\"}", TE_ALARM_MAJOR, true, "major" },
        { "{\"severity\":\"minor\"}", TE_ALARM_MINOR, true, "minor" },
        { "{\"severity\":\"warning\"}", TE_ALARM_WARNING, true, "warning" },
        { "{\"severity\":\"fatal\"}", TE_ALARM_MINOR, false, "fatal" },
        { "{\"severity\":\"MAJOR\"}", TE_ALARM_MINOR, false, "MAJOR" },
        { "{\"severity\":\"\"}", TE_ALARM_MINOR, false, "" },
        { "{\"severity\":null}", TE_ALARM_MINOR, false, NULL },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        te_alarm_t al;
        assert_int_equal(te_tejson_alarm_parse(cases[i].payload, strlen(cases[i].payload), &al,
                                               NULL, 0),
                         TE_OK);
        assert_int_equal(al.severity, cases[i].severity);
        assert_int_equal(al.severity_known, cases[i].known);
        if (cases[i].text)
            assert_string_equal(al.severity_text, cases[i].text);
        else
            assert_null(al.severity_text);
        assert_int_equal(json_object_size(al.extras), 0);
        te_tejson_alarm_free(&al);
    }
}

static void test_alarm_extras_are_only_custom_fragments(void **state)
{
    (void)state;
    const char *p = "{\"severity\":\"critical\",\"text\":\"t\",\"time\":1701949168,"
                    "\"type\":\"x\",\"foo\":{\"bar\":1},\"externalSource\":2}";
    te_alarm_t al;
    assert_int_equal(te_tejson_alarm_parse(p, strlen(p), &al, NULL, 0), TE_OK);
    assert_int_equal(al.severity, TE_ALARM_CRITICAL);
    assert_string_equal(al.type, "x");
    assert_true(al.has_time);
    assert_int_equal(al.time.unix_s, 1701949168);
    char *dump = json_dumps(al.extras, JSON_COMPACT | JSON_SORT_KEYS);
    assert_string_equal(dump, "{\"externalSource\":2,\"foo\":{\"bar\":1}}");
    free(dump);
    te_tejson_alarm_free(&al);
}

static te_err_t parse_alarm_case(const bad_case_t *c, char *err, size_t errlen)
{
    te_alarm_t al;
    te_err_t rc = te_tejson_alarm_parse(c->payload, c->len ? c->len : strlen(c->payload), &al,
                                        err, errlen);
    if (rc != TE_OK) {
        assert_null(al.extras);
        assert_null(al.held_[2]);
    }
    te_tejson_alarm_free(&al);
    return rc;
}

static void run_alarm_bad(void **state)
{
    run_bad_case(state, parse_alarm_case);
}

static const bad_case_t ALARM_BAD[] = {
    HOLDS("alarm_invalid_json", "{severity:1}", TE_ERR_PARSE, "Invalid JSON: ", NULL),
    EXACT("alarm_not_an_object", "true", TE_ERR_PARSE,
          "invalid type: boolean `true`, expected an alarm object"),
    EXACT("alarm_severity_not_string", "{\"severity\":3}", TE_ERR_PARSE,
          "invalid type: integer `3`, expected a string for \"severity\""),
    EXACT("alarm_text_not_string", "{\"severity\":\"major\",\"text\":[1]}", TE_ERR_PARSE,
          "invalid type: sequence, expected a string for \"text\""),
    HOLDS("alarm_bad_time", "{\"time\":\"2021-02-30T00:00:00Z\"}", TE_ERR_PARSE,
          "Invalid ISO8601 timestamp", "day 30 out of range 1..=28 for 2021-02"),
    HOLDS("alarm_time_decimal_out_of_range", "{\"time\":1e300}", TE_ERR_RANGE,
          "reading decimal value in seconds", "1e300"),
};

static void test_severity_names(void **state)
{
    (void)state;
    assert_string_equal(te_tejson_severity_name(TE_ALARM_CRITICAL), "critical");
    assert_string_equal(te_tejson_severity_name(TE_ALARM_MAJOR), "major");
    assert_string_equal(te_tejson_severity_name(TE_ALARM_MINOR), "minor");
    assert_string_equal(te_tejson_severity_name(TE_ALARM_WARNING), "warning");
    assert_string_equal(te_tejson_severity_name((te_alarm_severity_t)42), "minor");
}

/* ---- time values and descriptions ---- */

static void test_time_from_json_each_form(void **state)
{
    (void)state;
    te_time_t t;
    char err[TE_TEJSON_ERR_MAX];
    json_t *v = json_string("2021-04-30T17:03:14.123+02:00");
    assert_int_equal(te_tejson_time_from_json(v, &t, err, sizeof err), TE_OK);
    assert_int_equal(t.offset_min, 120);
    json_decref(v);
    v = json_integer(1701949168);
    assert_int_equal(te_tejson_time_from_json(v, &t, err, sizeof err), TE_OK);
    assert_int_equal(t.unix_s, 1701949168);
    json_decref(v);
    v = json_real(1701949168.001);
    assert_int_equal(te_tejson_time_from_json(v, &t, err, sizeof err), TE_OK);
    assert_int_equal(t.nsec, 1000000);
    json_decref(v);
    v = json_array();
    assert_int_equal(te_tejson_time_from_json(v, &t, err, sizeof err), TE_ERR_PARSE);
    assert_string_equal(err, "invalid type: sequence, expected a date formatted as a unix "
                             "timestamp (as an integer number of seconds) or an ISO-8601 "
                             "string");
    json_decref(v);
    assert_int_equal(te_tejson_time_from_json(NULL, &t, err, sizeof err), TE_ERR_PARSE);
    assert_int_equal(te_tejson_time_from_json(NULL, NULL, err, sizeof err), TE_ERR_INVAL);
}

static void test_describe_like_serde(void **state)
{
    (void)state;
    char buf[200];
    json_t *v;
    static const struct {
        const char *json;
        const char *text;
    } cases[] = {
        { "null", "null" },
        { "true", "boolean `true`" },
        { "-7", "integer `-7`" },
        { "2.0", "floating point `2.0`" },
        { "\"a\\\"b\\\\c\\n\"", "string \"a\\\"b\\\\c\\n\"" },
        { "\"\\u0001\"", "string \"\\u{1}\"" },
        { "[]", "sequence" },
        { "{}", "map" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        v = json_loads(cases[i].json, JSON_DECODE_ANY, NULL);
        assert_non_null(v);
        te_tejson_describe(v, buf, sizeof buf);
        assert_string_equal(buf, cases[i].text);
        json_decref(v);
    }
    /* long strings are cut, at a character boundary */
    char longs[300];
    memset(longs, 'x', 200);
    longs[200] = '\0';
    v = json_string(longs);
    te_tejson_describe(v, buf, sizeof buf);
    assert_int_equal(strlen(buf), strlen("string \"\"...") + 64);
    json_decref(v);
    te_tejson_describe(NULL, buf, sizeof buf);
    assert_string_equal(buf, "null");
}

static void test_load_reports_nomem_free_errors_as_codes(void **state)
{
    (void)state;
    te_err_t rc = TE_OK;
    char err[TE_TEJSON_ERR_MAX];
    json_t *v = te_tejson_load("{\"a\":[1,2]}", 11, &rc, err, sizeof err);
    assert_non_null(v);
    assert_int_equal(rc, TE_OK);
    json_decref(v);
    assert_null(te_tejson_load("{\"a\":1e999}", 11, &rc, err, sizeof err));
    assert_int_equal(rc, TE_ERR_RANGE);
    assert_null(te_tejson_load("{", 1, &rc, NULL, 0));
    assert_int_equal(rc, TE_ERR_PARSE);
    assert_null(te_tejson_load(NULL, 1, &rc, err, sizeof err));
    assert_int_equal(rc, TE_ERR_INVAL);
}

#define ROW_TESTS(table, runner)                                                   \
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)                    \
        tests[n++] = (struct CMUnitTest){ table[i].name, runner, NULL, NULL,       \
                                          (void *)&table[i] }

int main(void)
{
    static struct CMUnitTest tests[160];
    size_t n = 0;
    const struct CMUnitTest fixed[] = {
        cmocka_unit_test(test_measurement_single_value),
        cmocka_unit_test(test_measurement_spec_example_with_group_time_and_properties),
        cmocka_unit_test(test_measurement_c8y_example_keeps_time_offset),
        cmocka_unit_test(test_measurement_type_string_overrides_and_other_strings_ignored),
        cmocka_unit_test(test_measurement_properties_may_be_any_json),
        cmocka_unit_test(test_measurement_key_charset_not_enforced),
        cmocka_unit_test(test_measurement_numbers_integer_negative_zero_exponent),
        cmocka_unit_test(test_measurement_integer_beyond_int64_read_as_float),
        cmocka_unit_test(test_measurement_underflow_to_zero_is_accepted),
        cmocka_unit_test(test_measurement_decimal_time_truncated_to_ms),
        cmocka_unit_test(test_measurement_exactly_max_values_fit),
        cmocka_unit_test(test_measurement_time_null_text),
        cmocka_unit_test(test_measurement_too_many_values_is_toobig),
        cmocka_unit_test(test_measurement_deep_nesting_is_rejected_not_crashing),
        cmocka_unit_test(test_invalid_json_excerpt_is_at_most_80_bytes),
        cmocka_unit_test(test_excerpt_never_splits_a_utf8_character),
        cmocka_unit_test(test_measurement_free_is_idempotent_and_null_safe),
        cmocka_unit_test(test_event_spec_example),
        cmocka_unit_test(test_event_empty_payload_has_all_defaults),
        cmocka_unit_test(test_event_empty_object_and_nulls_are_defaults),
        cmocka_unit_test(test_event_type_override_only_when_non_empty_string),
        cmocka_unit_test(test_event_nested_fragments_kept_verbatim),
        cmocka_unit_test(test_alarm_spec_example),
        cmocka_unit_test(test_alarm_empty_payload_clears),
        cmocka_unit_test(test_alarm_empty_object_raises_with_defaults),
        cmocka_unit_test(test_alarm_severity_table),
        cmocka_unit_test(test_alarm_extras_are_only_custom_fragments),
        cmocka_unit_test(test_severity_names),
        cmocka_unit_test(test_time_from_json_each_form),
        cmocka_unit_test(test_describe_like_serde),
        cmocka_unit_test(test_load_reports_nomem_free_errors_as_codes),
    };
    for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++)
        tests[n++] = fixed[i];
    ROW_TESTS(MEASUREMENT_BAD, run_measurement_bad);
    ROW_TESTS(EVENT_BAD, run_event_bad);
    ROW_TESTS(ALARM_BAD, run_alarm_bad);
    return _cmocka_run_group_tests("tejson", tests, n, NULL, NULL);
}
