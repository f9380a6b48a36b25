/* Unit tests for the Azure mapper's converter (cloudmap with TE_CLOUD_AZ,
 * conv_az): spec/mapper-az-aws.md §4, §6 and §7, one table row per case. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "tedge/cloudmap.h"
#include "tedge/conv_az.h"

#define FLOW "/etc/tedge/mappers/az/flows/mea.toml"
#define ERR "Error in " FLOW ": Input message cannot be processed: "
#define BAD_UNIX ERR "Failed to format message timestamp as unix"
#define BAD_RFC ERR "Failed to format message timestamp as rfc3339"
#define OUT "az/messages/events/"

enum { UNIX = 0, RFC = 1, NO_TS = 2 };

typedef struct az_case {
    const char *name;
    int mode;                /* UNIX, RFC or NO_TS (timestamp = false) */
    uint32_t max;            /* 0: 262144 */
    const char *topic;
    const char *payload;
    size_t len;              /* 0: strlen(payload) */
    int qos;
    bool retain;
    /* expected: out_payload NULL = nothing forwarded */
    const char *out_payload;
    size_t out_len;          /* 0: strlen(out_payload) */
    int out_qos;
    bool out_retain;
    const char *error;       /* exact <root>/errors text, or NULL */
} az_case_t;

/* now = 2025-12-16T09:37:55.135Z for unix cases (the spec's 1765877875.135) */
static const te_time_t NOW = {.unix_s = 1765877875, .nsec = 135000000, .utc_z = true};

static const az_case_t CASES[] = {
    /* §4.6 examples */
    {"measurement gets unix time", UNIX, 0, "te/device/main///m/environment", "{\"temperature\": 21.3}", 0, 1, false,
     "{\"temperature\":21.3,\"time\":1765877875.135}", 0, 1, false, NULL},
    {"child alarm rfc3339 string to unix", UNIX, 0, "te/device/child1///a/temp_high",
     "{\"text\":\"hot\",\"severity\":\"major\",\"time\":\"2021-04-23T19:00:00+05:00\"}", 0, 1, false,
     "{\"severity\":\"major\",\"text\":\"hot\",\"time\":1619186400.0}", 0, 1, false, NULL},
    {"child alarm rfc-3339 string untouched", RFC, 0, "te/device/child1///a/temp_high",
     "{\"text\":\"hot\",\"severity\":\"major\",\"time\":\"2021-04-23T19:00:00+05:00\"}", 0, 1, false,
     "{\"severity\":\"major\",\"text\":\"hot\",\"time\":\"2021-04-23T19:00:00+05:00\"}", 0, 1, false, NULL},
    {"service event", UNIX, 0, "te/device/main/service/app/e/login", "{\"text\":\"user in\"}", 0, 1, false,
     "{\"text\":\"user in\",\"time\":1765877875.135}", 0, 1, false, NULL},
    {"child service measurement", UNIX, 0, "te/device/child/service/svc/m/x", "{\"x\":1}", 0, 1, false,
     "{\"time\":1765877875.135,\"x\":1}", 0, 1, false, NULL},
    {"custom scheme measurement", UNIX, 0, "te/factory/line1/plc/s1/m/", "{\"x\":2.0}", 0, 1, false,
     "{\"time\":1765877875.135,\"x\":2.0}", 0, 1, false, NULL},
    {"service health json kept", UNIX, 0, "te/device/main/service/tedge-agent/status/health",
     "{\"pid\":7,\"status\":\"up\",\"time\":1765877000.5}", 0, 1, true,
     "{\"pid\":7,\"status\":\"up\",\"time\":1765877000.5}", 0, 1, false, NULL},
    /* §4.1 bridge notifications */
    {"mosquitto bridge up dropped", UNIX, 0, "te/device/main/service/mosquitto-az-bridge/status/health", "1", 0, 1,
     true, NULL, 0, 0, false, NULL},
    {"mosquitto bridge down dropped", UNIX, 0, "te/device/main/service/mosquitto-az-bridge/status/health", "0", 0,
     1, true, NULL, 0, 0, false, NULL},
    {"other service 0/1 dropped too", NO_TS, 0, "te/device/main/service/mosquitto-xyz-bridge/status/health", "1",
     0, 0, false, NULL, 0, 0, false, NULL},
    {"device health 1 dropped", UNIX, 0, "te/device/child///status/health", "1", 0, 1, false, NULL, 0, 0, false,
     NULL},
    {"health 2 is not a notification", NO_TS, 0, "te/device/main/service/x/status/health", "2", 0, 1, false, "2",
     0, 1, false, NULL},
    {"health 1 on 6 levels forwarded", NO_TS, 0, "te/device/main/service/status/health", "1", 0, 1, false, "1", 0,
     1, false, NULL},
    {"health with newline forwarded", NO_TS, 0, "te/device/main/service/x/status/health", "1\n", 0, 1, false,
     "1\n", 0, 1, false, NULL},
    /* §4.2 timestamp table */
    {"no time: now added", UNIX, 0, "te/device/main///m/", "{\"temperature\": 23.0}", 0, 1, false,
     "{\"temperature\":23.0,\"time\":1765877875.135}", 0, 1, false, NULL},
    {"no time rfc: now added", RFC, 0, "te/device/main///m/", "{\"temperature\": 23.0}", 0, 1, false,
     "{\"temperature\":23.0,\"time\":\"2025-12-16T09:37:55.135Z\"}", 0, 1, false, NULL},
    {"unix integer kept", UNIX, 0, "te/device/main///m/", "{\"time\" : 1702029646, \"temperature\": 23.0}", 0, 1,
     false, "{\"temperature\":23.0,\"time\":1702029646}", 0, 1, false, NULL},
    {"unix number kept unvalidated", UNIX, 0, "te/device/main///m/", "{\"time\":1e300}", 0, 1, false,
     "{\"time\":1e300}", 0, 1, false, NULL},
    {"unix negative number kept", UNIX, 0, "te/device/main///m/", "{\"time\":-5}", 0, 1, false, "{\"time\":-5}", 0,
     1, false, NULL},
    {"rfc string kept unvalidated", RFC, 0, "te/device/main///m/", "{\"time\":\"oops\",\"t\":1}", 0, 1, false,
     "{\"t\":1,\"time\":\"oops\"}", 0, 1, false, NULL},
    {"unix string to float", UNIX, 0, "te/device/main///m/",
     "{\"time\" : \"2013-06-22T17:03:14.000+02:00\", \"temperature\": 23.0}", 0, 1, false,
     "{\"temperature\":23.0,\"time\":1371913394.0}", 0, 1, false, NULL},
    {"unix string with fraction", UNIX, 0, "te/device/main///e/x", "{\"time\":\"2023-12-08T10:00:46.5Z\"}", 0, 1,
     false, "{\"time\":1702029646.5}", 0, 1, false, NULL},
    {"unix string as thin-edge divides nanos", UNIX, 0, "te/device/main///e/x",
     "{\"time\":\"2024-05-02T18:59:21.361Z\"}", 0, 1, false, "{\"time\":1714676361.3609998}", 0, 1, false, NULL},
    {"unix string nanoseconds kept", UNIX, 0, "te/device/main///e/x",
     "{\"time\":\"2021-04-07T19:00:00.000000001Z\"}", 0, 1, false, "{\"time\":1617822000.0}", 0, 1, false, NULL},
    {"rfc integer to utc string", RFC, 0, "te/device/main///m/", "{\"time\" : 1702029646, \"temperature\": 23.0}",
     0, 1, false, "{\"temperature\":23.0,\"time\":\"2023-12-08T10:00:46Z\"}", 0, 1, false, NULL},
    {"rfc float fraction", RFC, 0, "te/device/main///m/", "{\"time\":1702029646.5}", 0, 1, false,
     "{\"time\":\"2023-12-08T10:00:46.5Z\"}", 0, 1, false, NULL},
    {"rfc float kept to ms", RFC, 0, "te/device/main///m/", "{\"time\":1702029646.1239}", 0, 1, false,
     "{\"time\":\"2023-12-08T10:00:46.123Z\"}", 0, 1, false, NULL},
    {"rfc zero", RFC, 0, "te/device/main///m/", "{\"time\":0}", 0, 1, false, "{\"time\":\"1970-01-01T00:00:00Z\"}",
     0, 1, false, NULL},
    {"rfc negative integer", RFC, 0, "te/device/main///m/", "{\"time\":-1}", 0, 1, false,
     "{\"time\":\"1969-12-31T23:59:59Z\"}", 0, 1, false, NULL},
    {"rfc last second", RFC, 0, "te/device/main///m/", "{\"time\":253402300799}", 0, 1, false,
     "{\"time\":\"9999-12-31T23:59:59Z\"}", 0, 1, false, NULL},
    /* §4.2 / §7: invalid time */
    {"unix bad string", UNIX, 0, "te/device/main///m/", "{\"time\":\"oops\"}", 0, 1, false, NULL, 0, 0, false,
     BAD_UNIX},
    {"unix null", UNIX, 0, "te/device/main///m/", "{\"time\":null}", 0, 1, false, NULL, 0, 0, false, BAD_UNIX},
    {"unix bool", UNIX, 0, "te/device/main///e/x", "{\"time\":true}", 0, 1, false, NULL, 0, 0, false, BAD_UNIX},
    {"unix object", UNIX, 0, "te/device/main///a/x", "{\"time\":{}}", 0, 1, false, NULL, 0, 0, false, BAD_UNIX},
    {"unix array", UNIX, 0, "te/device/main///a/x", "{\"time\":[1]}", 0, 1, false, NULL, 0, 0, false, BAD_UNIX},
    {"unix string without offset", UNIX, 0, "te/device/main///m/", "{\"time\":\"2021-04-23T19:00:00\"}", 0, 1,
     false, NULL, 0, 0, false, BAD_UNIX},
    {"rfc null", RFC, 0, "te/device/main///m/", "{\"time\":null}", 0, 1, false, NULL, 0, 0, false, BAD_RFC},
    {"rfc bool", RFC, 0, "te/device/main///m/", "{\"time\":false}", 0, 1, false, NULL, 0, 0, false, BAD_RFC},
    {"rfc object", RFC, 0, "te/device/main///m/", "{\"time\":{\"a\":1}}", 0, 1, false, NULL, 0, 0, false, BAD_RFC},
    {"rfc integer out of range", RFC, 0, "te/device/main///m/", "{\"time\":253402300800}", 0, 1, false, NULL, 0, 0,
     false, BAD_RFC},
    {"rfc float out of range", RFC, 0, "te/device/main///m/", "{\"time\":1e20}", 0, 1, false, NULL, 0, 0, false,
     BAD_RFC},
    {"rfc huge integer", RFC, 0, "te/device/main///m/", "{\"time\":18446744073709551615}", 0, 1, false, NULL, 0, 0,
     false, BAD_RFC},
    {"rfc year before 0000", RFC, 0, "te/device/main///m/", "{\"time\":-62167219201}", 0, 1, false, NULL, 0, 0,
     false, BAD_RFC},
    /* §7: payloads that are not a JSON object pass unchanged, no error */
    {"not json", UNIX, 0, "te/device/main///m/", "This is not Thin Edge JSON", 0, 0, true,
     "This is not Thin Edge JSON", 0, 0, true, NULL},
    {"non utf-8", UNIX, 0, "te/device/main///m/", "{\"a\":\"\xff\xfe\"}", 0, 1, false, "{\"a\":\"\xff\xfe\"}", 0, 1,
     false, NULL},
    {"empty alarm clear stays retained", UNIX, 0, "te/device/main///a/temp_high", "", 0, 1, true, "", 0, 1, true,
     NULL},
    {"json array", UNIX, 0, "te/device/main///m/", "[1, 2]", 0, 1, false, "[1, 2]", 0, 1, false, NULL},
    {"json string", UNIX, 0, "te/device/main///m/", "\"x\"", 0, 1, false, "\"x\"", 0, 1, false, NULL},
    {"json number", UNIX, 0, "te/device/main///m/", " 42 ", 0, 1, false, " 42 ", 0, 1, false, NULL},
    {"truncated json", UNIX, 0, "te/device/main///m/", "{\"a\":", 0, 1, false, "{\"a\":", 0, 1, false, NULL},
    {"trailing garbage", UNIX, 0, "te/device/main///m/", "{\"a\":1}x", 0, 1, false, "{\"a\":1}x", 0, 1, false,
     NULL},
    {"number overflow is not json", UNIX, 0, "te/device/main///m/", "{\"a\":1e400}", 0, 1, false, "{\"a\":1e400}",
     0, 1, false, NULL},
    {"string measurement not checked", UNIX, 0, "te/device/main///m/", "{\"temperature\":\"hot\"}", 0, 1, false,
     "{\"temperature\":\"hot\",\"time\":1765877875.135}", 0, 1, false, NULL},
    /* re-serialisation: compact, sorted, canonical numbers */
    {"numbers canonical", UNIX, 0, "te/device/main///m/", "{ \"b\": 1e3, \"a\": 23.0, \"c\": [1, 2.50] }", 0, 1,
     false, "{\"a\":23.0,\"b\":1000.0,\"c\":[1,2.5],\"time\":1765877875.135}", 0, 1, false, NULL},
    {"repeated key keeps the last", UNIX, 0, "te/device/main///m/", "{\"a\":1,\"a\":2,\"time\":5,\"time\":6}", 0, 1,
     false, "{\"a\":2,\"time\":6}", 0, 1, false, NULL},
    {"nul escape allowed", UNIX, 0, "te/device/main///e/x", "{\"text\":\"a\\u0000b\",\"time\":1}", 0, 1, false,
     "{\"text\":\"a\\u0000b\",\"time\":1}", 0, 1, false, NULL},
    /* integer tokens as serde_json reads them (de.rs parse_number,
     * parse_long_integer): u64 exact, beyond u64 / below i64 floats, -0 is -0.0;
     * the other integers of the payload stay integers */
    {"u64 integer kept exact", UNIX, 0, "te/device/main///m/", "{\"a\":1,\"b\":18446744073709551615}", 0, 1, false,
     "{\"a\":1,\"b\":18446744073709551615,\"time\":1765877875.135}", 0, 1, false, NULL},
    {"i64::MAX + 1 kept exact", UNIX, 0, "te/device/main///m/", "{\"k\":[9223372036854775808,{\"x\":1}]}", 0, 1,
     false, "{\"k\":[9223372036854775808,{\"x\":1}],\"time\":1765877875.135}", 0, 1, false, NULL},
    {"i64::MIN kept exact", UNIX, 0, "te/device/main///m/", "{\"a\":-9223372036854775808}", 0, 1, false,
     "{\"a\":-9223372036854775808,\"time\":1765877875.135}", 0, 1, false, NULL},
    {"beyond u64 is a float", UNIX, 0, "te/device/main///m/", "{\"a\":18446744073709551616,\"b\":2}", 0, 1, false,
     "{\"a\":1.8446744073709552e19,\"b\":2,\"time\":1765877875.135}", 0, 1, false, NULL},
    {"below i64 is a float", UNIX, 0, "te/device/main///m/", "{\"a\":-9223372036854775809}", 0, 1, false,
     "{\"a\":-9.223372036854776e18,\"time\":1765877875.135}", 0, 1, false, NULL},
    {"-0 is the float -0.0", UNIX, 0, "te/device/main///m/", "{\"a\":[-0,0,-0.0]}", 0, 1, false,
     "{\"a\":[-0.0,0,-0.0],\"time\":1765877875.135}", 0, 1, false, NULL},
    {"digits in strings untouched", UNIX, 0, "te/device/main///m/", "{\"s\\\"\":\"18446744073709551615\",\"t\":\"\\\\\"}",
     0, 1, false, "{\"s\\\"\":\"18446744073709551615\",\"t\":\"\\\\\",\"time\":1765877875.135}", 0, 1, false, NULL},
    {"with \\u0001 in the payload a u64 reads as a float", UNIX, 0, "te/device/main///m/",
     "{\"s\":\"\\u0001\",\"a\":18446744073709551615}", 0, 1, false,
     "{\"a\":1.8446744073709552e19,\"s\":\"\\u0001\",\"time\":1765877875.135}", 0, 1, false, NULL},
    {"unix u64 time kept", UNIX, 0, "te/device/main///m/", "{\"time\":18446744073709551615}", 0, 1, false,
     "{\"time\":18446744073709551615}", 0, 1, false, NULL},
    {"unix -0 time kept as -0.0", UNIX, 0, "te/device/main///m/", "{\"time\":-0}", 0, 1, false, "{\"time\":-0.0}", 0, 1,
     false, NULL},
    {"rfc -0 time is the epoch", RFC, 0, "te/device/main///m/", "{\"time\":-0}", 0, 1, false,
     "{\"time\":\"1970-01-01T00:00:00Z\"}", 0, 1, false, NULL},
    {"rfc i64::MAX + 1 time", RFC, 0, "te/device/main///m/", "{\"time\":9223372036854775808}", 0, 1, false, NULL, 0, 0,
     false, BAD_RFC},
    {"leading zero is not json", UNIX, 0, "te/device/main///m/", "{\"a\":012}", 0, 1, false, "{\"a\":012}", 0, 1, false,
     NULL},
    {"u64 number as a key is not json", UNIX, 0, "te/device/main///m/", "{\"a\":{18446744073709551615:1}}", 0, 1,
     false, "{\"a\":{18446744073709551615:1}}", 0, 1, false, NULL},
    /* floats as serde_json computes them (serdenum): one multiplication or
     * division by a power of ten, not strtod's correct rounding */
    {"17-digit float read as serde_json does", UNIX, 0, "te/device/main///m/", "{\"temperature\":968.7302436888135}",
     0, 1, false, "{\"temperature\":968.7302436888136,\"time\":1765877875.135}", 0, 1, false, NULL},
    {"unix float time kept as serde_json reads it", UNIX, 0, "te/device/main///m/", "{\"time\":1626175065.5934923}",
     0, 1, false, "{\"time\":1626175065.5934925}", 0, 1, false, NULL},
    {"float beyond double range is not json", UNIX, 0, "te/device/main///m/", "{\"a\":1e309}", 0, 1, false,
     "{\"a\":1e309}", 0, 1, false, NULL},
    /* strings as serde_json reads and writes them: a lone surrogate escape
     * is an error (not JSON), a pair is one character written raw, "\/" is "/" */
    {"lone leading surrogate is not json", UNIX, 0, "te/device/main///m/", "{\"a\":\"\\ud800\"}", 0, 1, false,
     "{\"a\":\"\\ud800\"}", 0, 1, false, NULL},
    {"lone trailing surrogate is not json", UNIX, 0, "te/device/main///m/", "{\"a\":\"\\udc00\"}", 0, 1, false,
     "{\"a\":\"\\udc00\"}", 0, 1, false, NULL},
    {"surrogate pair written as utf-8", UNIX, 0, "te/device/main///m/", "{\"a\":\"\\ud83d\\ude00\\/\"}", 0, 1, false,
     "{\"a\":\"\xf0\x9f\x98\x80/\",\"time\":1765877875.135}", 0, 1, false, NULL},
    {"nested objects sorted, empty key first", UNIX, 0, "te/device/main///m/",
     "{\"b\":[],\"a\":{\"d\":null,\"c\":true},\"\":1}", 0, 1, false,
     "{\"\":1,\"a\":{\"c\":true,\"d\":null},\"b\":[],\"time\":1765877875.135}", 0, 1, false, NULL},
    {"timestamp off: bytes untouched", NO_TS, 0, "te/device/main///m/", "{ \"b\" : 1e3 }", 0, 0, true,
     "{ \"b\" : 1e3 }", 0, 0, true, NULL},
    {"timestamp off: bad time forwarded", NO_TS, 0, "te/device/main///m/", "{\"time\":null}", 0, 1, false,
     "{\"time\":null}", 0, 1, false, NULL},
    /* §4.4: QoS/retain kept when not rewritten, else QoS 1 not retained */
    {"rewritten is qos1 not retained", UNIX, 0, "te/device/main///m/", "{\"a\":1}", 0, 0, true,
     "{\"a\":1,\"time\":1765877875.135}", 0, 1, false, NULL},
    {"user topic goes to the events topic", UNIX, 0, "my/own/topic", "{\"a\":1}", 0, 1, false,
     "{\"a\":1,\"time\":1765877875.135}", 0, 1, false, NULL},
};

/* thin-edge.io's own test clocks: 2021-04-07T19:00:00Z (aws_mapper_ext
 * converter.rs, AwsFlows::try_convert) and the robot suites' publish time. */
static const te_time_t TEDGE_NOW = {.unix_s = 1617822000, .nsec = 0, .utc_z = true};
#define TOO_LARGE_128 ERR "Payload is too large >128"
/* {"text": "some digits: " + 100 x "1234"} of azure_telemetry.robot */
#define DIGITS_25 "1234123412341234123412341234123412341234123412341234123412341234123412341234123412341234123412341234"
#define DIGITS_400 DIGITS_25 DIGITS_25 DIGITS_25 DIGITS_25

/* Cases ported from thin-edge.io; each comment names the file and test. */
static const az_case_t TEDGE_CASES[] = {
    /* crates/extensions/az_mapper_ext/src/converter.rs (te/ topics, before flows):
     * try_convert_invalid_json_skips_message dropped the message; the flows
     * mapper forwards it (aws_mapper_ext converter.rs, same test name), and
     * the spec (§7) follows the flows mapper. */
    {"try_convert_invalid_json_skips_message (flows: forwarded)", NO_TS, 0, "te/device/main///m/",
     "This is not Thin Edge JSON", 0, 1, false, "This is not Thin Edge JSON", 0, 1, false, NULL},
    /* converter.rs: try_convert_exceeding_threshold_returns_error */
    {"try_convert_exceeding_threshold_returns_error", NO_TS, 1, "te/device/main///m/",
     "{\n            \"temperature\": 23.0\n         }", 0, 1, false, NULL, 0, 0, false,
     ERR "Payload is too large >1"},
    /* converter.rs: converting_input_without_timestamp_produces_output_without_timestamp_given_add_timestamp_is_false */
    {"without_timestamp_given_add_timestamp_is_false", NO_TS, 0, "te/device/main///m/",
     "{\n            \"temperature\": 23.0\n         }", 0, 1, false,
     "{\n            \"temperature\": 23.0\n         }", 0, 1, false, NULL},
    /* converter.rs: converting_input_with_timestamp_produces_output_with_timestamp_given_add_timestamp_is_false */
    {"with_timestamp_given_add_timestamp_is_false", NO_TS, 0, "te/device/main///m/",
     "{\n            \"time\" : \"2013-06-22T17:03:14.000+02:00\",\n            \"temperature\": 23.0\n        }", 0,
     1, false,
     "{\n            \"time\" : \"2013-06-22T17:03:14.000+02:00\",\n            \"temperature\": 23.0\n        }", 0,
     1, false, NULL},
    /* converter.rs: converting_input_with_timestamp_produces_output_with_timestamp_given_add_timestamp_is_true */
    {"with_timestamp_given_add_timestamp_is_true", RFC, 0, "te/device/main///m/",
     "{\n            \"time\" : \"2013-06-22T17:03:14.000+02:00\",\n            \"temperature\": 23.0\n        }", 0,
     1, false, "{\"temperature\":23.0,\"time\":\"2013-06-22T17:03:14.000+02:00\"}", 0, 1, false, NULL},
    /* converter.rs: converting_input_with_unix_timestamp_produces_output_with_rfc3339_timestamp_given_add_timestamp_is_true
     * and converting_input_with_unix_timestamp_preserved */
    {"with_unix_timestamp_produces_output_with_rfc3339_timestamp", RFC, 0, "te/device/main///m/",
     "{\n            \"time\" : 1702029646,\n            \"temperature\": 23.0\n        }", 0, 1, false,
     "{\"temperature\":23.0,\"time\":\"2023-12-08T10:00:46Z\"}", 0, 1, false, NULL},
    /* converter.rs: converting_input_without_timestamp_produces_output_with_timestamp_given_add_timestamp_is_true
     * (its test clock had +05:00; the flows mapper stamps the UTC system time) */
    {"without_timestamp_given_add_timestamp_is_true", RFC, 0, "te/device/main///m/",
     "{\n            \"temperature\": 23.0\n         }", 0, 1, false,
     "{\"temperature\":23.0,\"time\":\"2021-04-07T19:00:00Z\"}", 0, 1, false, NULL},
    /* converter.rs: converting_az_telemetry, its twelve test_case rows: the
     * rfc-3339 payload comes out byte for byte on az/messages/events/ */
    {"converting_az_telemetry: main device measurement", RFC, 0, "te/device/main///m/m_type",
     "{\"temperature\":23.0,\"time\":\"2021-04-08T00:00:00+05:00\"}", 0, 1, false,
     "{\"temperature\":23.0,\"time\":\"2021-04-08T00:00:00+05:00\"}", 0, 1, false, NULL},
    {"converting_az_telemetry: child device measurement", RFC, 0, "te/device/child///m/m_type",
     "{\"temperature\":23.0,\"time\":\"2021-04-08T00:00:00+05:00\"}", 0, 1, false,
     "{\"temperature\":23.0,\"time\":\"2021-04-08T00:00:00+05:00\"}", 0, 1, false, NULL},
    {"converting_az_telemetry: main device service measurement", RFC, 0,
     "te/device/main/service/m_service/m/m_type", "{\"temperature\":23.0,\"time\":\"2021-04-08T00:00:00+05:00\"}",
     0, 1, false, "{\"temperature\":23.0,\"time\":\"2021-04-08T00:00:00+05:00\"}", 0, 1, false, NULL},
    {"converting_az_telemetry: child device service measurement", RFC, 0,
     "te/device/child/service/c_service/m/m_type", "{\"temperature\":23.0,\"time\":\"2021-04-08T00:00:00+05:00\"}",
     0, 1, false, "{\"temperature\":23.0,\"time\":\"2021-04-08T00:00:00+05:00\"}", 0, 1, false, NULL},
    {"converting_az_telemetry: main device event", RFC, 0, "te/device/main///e/e_type",
     "{\"text\":\"someone logged-in\",\"time\":\"2021-04-08T00:00:00+05:00\"}", 0, 1, false,
     "{\"text\":\"someone logged-in\",\"time\":\"2021-04-08T00:00:00+05:00\"}", 0, 1, false, NULL},
    {"converting_az_telemetry: child device event", RFC, 0, "te/device/child///e/e_type",
     "{\"text\":\"someone logged-in\",\"time\":\"2021-04-08T00:00:00+05:00\"}", 0, 1, false,
     "{\"text\":\"someone logged-in\",\"time\":\"2021-04-08T00:00:00+05:00\"}", 0, 1, false, NULL},
    {"converting_az_telemetry: main device service event", RFC, 0, "te/device/main/service/m_service/e/e_type",
     "{\"text\":\"someone logged-in\",\"time\":\"2021-04-08T00:00:00+05:00\"}", 0, 1, false,
     "{\"text\":\"someone logged-in\",\"time\":\"2021-04-08T00:00:00+05:00\"}", 0, 1, false, NULL},
    {"converting_az_telemetry: child device service event", RFC, 0, "te/device/child/service/c_service/e/e_type",
     "{\"text\":\"someone logged-in\",\"time\":\"2021-04-08T00:00:00+05:00\"}", 0, 1, false,
     "{\"text\":\"someone logged-in\",\"time\":\"2021-04-08T00:00:00+05:00\"}", 0, 1, false, NULL},
    {"converting_az_telemetry: main device alarm", RFC, 0, "te/device/main///a/a_type",
     "{\"severity\":\"critical\",\"time\":\"2021-04-08T00:00:00+05:00\"}", 0, 1, false,
     "{\"severity\":\"critical\",\"time\":\"2021-04-08T00:00:00+05:00\"}", 0, 1, false, NULL},
    {"converting_az_telemetry: child device alarm", RFC, 0, "te/device/child///a/a_type",
     "{\"severity\":\"critical\",\"time\":\"2021-04-08T00:00:00+05:00\"}", 0, 1, false,
     "{\"severity\":\"critical\",\"time\":\"2021-04-08T00:00:00+05:00\"}", 0, 1, false, NULL},
    {"converting_az_telemetry: main device service alarm", RFC, 0, "te/device/main/service/m_service/a/a_type",
     "{\"severity\":\"critical\",\"time\":\"2021-04-08T00:00:00+05:00\"}", 0, 1, false,
     "{\"severity\":\"critical\",\"time\":\"2021-04-08T00:00:00+05:00\"}", 0, 1, false, NULL},
    {"converting_az_telemetry: child device service alarm", RFC, 0, "te/device/child/service/c_service/a/a_type",
     "{\"severity\":\"critical\",\"time\":\"2021-04-08T00:00:00+05:00\"}", 0, 1, false,
     "{\"severity\":\"critical\",\"time\":\"2021-04-08T00:00:00+05:00\"}", 0, 1, false, NULL},
    /* converter.rs: skip_converting_bridge_health_status and
     * skip_converting_bridge_health_status_for_different_bridge_topic */
    {"skip_converting_bridge_health_status", NO_TS, 0, "te/device/main/service/mosquitto-az-bridge/status/health",
     "0", 0, 1, false, NULL, 0, 0, false, NULL},
    {"skip_converting_bridge_health_status_for_different_bridge_topic", NO_TS, 0,
     "te/device/main/service/mosquitto-xyz-bridge/status/health", "0", 0, 1, false, NULL, 0, 0, false, NULL},
    /* converter.rs: converting_service_health_status_up_message (unix, no
     * timestamping) and the same with timestamping on: the number is kept */
    {"converting_service_health_status_up_message", NO_TS, 0, "te/device/main/service/tedge-mapper-az/status/health",
     "{\"pid\":1234,\"status\":\"up\",\"time\":1694586060}", 0, 1, false,
     "{\"pid\":1234,\"status\":\"up\",\"time\":1694586060}", 0, 1, false, NULL},
    {"converting_service_health_status_up_message, timestamp on", UNIX, 0,
     "te/device/main/service/tedge-mapper-az/status/health", "{\"pid\":1234,\"status\":\"up\",\"time\":1694586060}",
     0, 1, false, "{\"pid\":1234,\"status\":\"up\",\"time\":1694586060}", 0, 1, false, NULL},
    /* converter.rs: converting_service_health_status_down_message */
    {"converting_service_health_status_down_message", NO_TS, 0,
     "te/device/main/service/tedge-mapper-az/status/health", "{\"pid\":1234,\"status\":\"up\"}", 0, 1, false,
     "{\"pid\":1234,\"status\":\"up\"}", 0, 1, false, NULL},

    /* crates/extensions/tedge_flows/src/transformers/limit_payload_size.rs:
     * forwards_message_within_packet_limit (max = the packet size) and
     * rejects_message_whose_packet_exceeds_limit_even_if_body_fits */
    {"forwards_message_within_packet_limit", NO_TS, 18, "topic", "payload", 0, 1, false, "payload", 0, 1, false,
     NULL},
    {"rejects_message_whose_packet_exceeds_limit_even_if_body_fits", NO_TS, 12, "some/topic", "xxxxxxxxxx", 0, 1,
     false, NULL, 0, 0, false, ERR "Payload is too large >12"},
};

/* Ported from thin-edge.io's Robot Framework suites; the publish time is NOW. */
static const az_case_t ROBOT_CASES[] = {
    /* tests/RobotFramework/tests/azure/azure_telemetry.robot (timestamp
     * format unix, az.mapper.mqtt.max_payload_size 128, tedge mqtt pub: QoS 0) */
    {"robot: Publish measurements to te measurement topic with measurement type", UNIX, 128,
     "te/device/main///m/test-type", "{\"pressure\": 10}", 0, 0, false,
     "{\"pressure\":10,\"time\":1765877875.135}", 0, 1, false, NULL},
    {"robot: Publish measurements to te measurement topic without measurement type", UNIX, 128,
     "te/device/main///m/", "{\"windspeed\": 10}", 0, 0, false, "{\"time\":1765877875.135,\"windspeed\":10}", 0, 1,
     false, NULL},
    {"robot: Publish service measurements to te measurement topic with measurement type", UNIX, 128,
     "te/device/main/service/test_service/m/test-type", "{\"temp\": 10}", 0, 0, false,
     "{\"temp\":10,\"time\":1765877875.135}", 0, 1, false, NULL},
    {"robot: Publish child measurements to te measurement topic with measurement type", UNIX, 128,
     "te/device/child///m/test-type", "{\"temperature_child\": 10}", 0, 0, false,
     "{\"temperature_child\":10,\"time\":1765877875.135}", 0, 1, false, NULL},
    {"robot: Publish main device event to te event topic with event type", UNIX, 128, "te/device/main///e/event-type",
     "{\"text\": \"someone logged-in\"}", 0, 0, false, "{\"text\":\"someone logged-in\",\"time\":1765877875.135}", 0,
     1, false, NULL},
    {"robot: Publish main device event to te event topic without event type", UNIX, 128, "te/device/main///e/",
     "{\"text\": \"someone logged-off\"}", 0, 0, false, "{\"text\":\"someone logged-off\",\"time\":1765877875.135}", 0,
     1, false, NULL},
    {"robot: Publish child device event to te event topic with event type", UNIX, 128,
     "te/device/child///e/event-type", "{\"text\": \"child_device event\"}", 0, 0, false,
     "{\"text\":\"child_device event\",\"time\":1765877875.135}", 0, 1, false, NULL},
    {"robot: Publish main device alarm to te alarm topic with alarm type", UNIX, 128, "te/device/main///a/alarm-type",
     "{\"severity\":\"critical\",\"text\": \"someone logged-in\"}", 0, 0, false,
     "{\"severity\":\"critical\",\"text\":\"someone logged-in\",\"time\":1765877875.135}", 0, 1, false, NULL},
    {"robot: Publish main device alarm to te alarm topic without alarm type", UNIX, 128, "te/device/main///a/",
     "{\"severity\":\"major\",\"text\": \"someone logged-in\"}", 0, 0, false,
     "{\"severity\":\"major\",\"text\":\"someone logged-in\",\"time\":1765877875.135}", 0, 1, false, NULL},
    {"robot: Publish child device alarm to te alarm topic with alarm type", UNIX, 128,
     "te/device/child///a/alarm-type", "{\"severity\":\"minor\",\"text\": \"someone logged-in\"}", 0, 0, false,
     "{\"severity\":\"minor\",\"text\":\"someone logged-in\",\"time\":1765877875.135}", 0, 1, false, NULL},
    {"robot: Publish health status message for main device service", UNIX, 128,
     "te/device/main/service/test-service/status/health", "{\"status\":\"up\"}", 0, 0, false,
     "{\"status\":\"up\",\"time\":1765877875.135}", 0, 1, false, NULL},
    {"robot: Discard messages that are too large", UNIX, 128, "te/device/main///e/event-type",
     "{\"text\": \"some digits: " DIGITS_400 "\"}", 0, 0, false, NULL, 0, 0, false, TOO_LARGE_128},
    {"robot: Discard mosquitto health status", UNIX, 128, "te/device/main/service/mosquitto-c8y-bridge/status/health",
     "1", 0, 0, false, NULL, 0, 0, false, NULL},
    {"robot: Reformat timestamps", UNIX, 128, "te/device/main///m/", "{\"time\":\"2025-12-16T09:37:55.135+00:00\"}", 0,
     0, false, "{\"time\":1765877875.135}", 0, 1, false, NULL},

    /* tests/RobotFramework/tests/azure/extensible_mapper.robot: Legacy
     * behavior (unix) and Updating the builtin flow definition (rfc3339) */
    {"robot: Legacy behavior", UNIX, 128, "te/device/child-az///m/env", "{\"temperature\":10, \"time\":1768404563.338 }",
     0, 0, false, "{\"temperature\":10,\"time\":1768404563.338}", 0, 1, false, NULL},
    {"robot: Updating the builtin flow definition (rfc3339)", RFC, 128, "te/device/child-az///m/env",
     "{\"temperature\":10, \"time\":1768404563.338 }", 0, 0, false,
     "{\"temperature\":10,\"time\":\"2026-01-14T15:29:23.338Z\"}", 0, 1, false, NULL},
};

static void run_case(const az_case_t *c, size_t index, const te_time_t *now)
{
    te_cloudmap_opts_t opts = {
        .cloud = TE_CLOUD_AZ,
        .add_timestamp = c->mode != NO_TS,
        .rfc3339 = c->mode == RFC,
        .max_payload_size = c->max ? c->max : 262144,
        .topic_prefix = "az",
        .flow_file = FLOW,
    };
    te_cloudmap_t m;
    assert_int_equal(te_cloudmap_init(&m, &opts), TE_OK);
    te_out_t out;
    assert_int_equal(te_out_init(&out, 4, 64 * 1024), TE_OK);
    size_t len = c->len ? c->len : strlen(c->payload);
    te_msg_t in = {.topic = c->topic, .payload = c->payload, .len = len, .qos = c->qos, .retain = c->retain};
    te_err_t rc = te_cloudmap_convert(&m, &in, now, &out);
    if (c->error) {
        if (rc == TE_OK)
            fail_msg("case %zu (%s): accepted", index, c->name);
        if (strcmp(out.error, c->error) != 0)
            fail_msg("case %zu (%s): error \"%s\", want \"%s\"", index, c->name, out.error, c->error);
        assert_int_equal(out.n, 0);
    } else {
        if (rc != TE_OK || out.error[0])
            fail_msg("case %zu (%s): rc %d error \"%s\"", index, c->name, rc, out.error);
        if (!c->out_payload) {
            if (out.n != 0)
                fail_msg("case %zu (%s): forwarded %s", index, c->name, out.msgs[0].payload);
        } else {
            if (out.n != 1)
                fail_msg("case %zu (%s): %zu messages", index, c->name, out.n);
            size_t want_len = c->out_len ? c->out_len : strlen(c->out_payload);
            assert_string_equal(out.msgs[0].topic, OUT);
            if (out.msgs[0].len != want_len || memcmp(out.msgs[0].payload, c->out_payload, want_len) != 0)
                fail_msg("case %zu (%s): payload %s, want %s", index, c->name, out.msgs[0].payload, c->out_payload);
            if (out.msgs[0].qos != c->out_qos || out.msgs[0].retain != c->out_retain)
                fail_msg("case %zu (%s): qos %d retain %d", index, c->name, out.msgs[0].qos, out.msgs[0].retain);
        }
    }
    te_out_free(&out);
    te_cloudmap_free(&m);
}

static void test_table(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof CASES / sizeof CASES[0]; i++)
        run_case(&CASES[i], i, &NOW);
}

static void test_thin_edge_cases(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof TEDGE_CASES / sizeof TEDGE_CASES[0]; i++)
        run_case(&TEDGE_CASES[i], i, &TEDGE_NOW);
    for (size_t i = 0; i < sizeof ROBOT_CASES / sizeof ROBOT_CASES[0]; i++)
        run_case(&ROBOT_CASES[i], i, &NOW);
}

/* §4.3: the whole PUBLISH packet is measured on the input topic and QoS. */
static void test_size_guard_counts_the_whole_packet(void **state)
{
    (void)state;
    const char *topic = "te/device/main///m/"; /* 19 bytes */
    const char *payload = "{\"temperature\":23.0}"; /* 20 bytes */
    for (int qos = 0; qos <= 1; qos++) {
        size_t wire = 1 + 1 + 2 + 19 + (qos ? 2 : 0) + 20;
        assert_int_equal(te_cloudmap_wire_size(19, qos, 20), wire);
        for (size_t max = wire - 1; max <= wire; max++) {
            te_cloudmap_opts_t opts = {.cloud = TE_CLOUD_AZ, .max_payload_size = (uint32_t)max,
                                       .topic_prefix = "az", .flow_file = FLOW};
            te_cloudmap_t m;
            assert_int_equal(te_cloudmap_init(&m, &opts), TE_OK);
            te_out_t out;
            assert_int_equal(te_out_init(&out, 4, 4096), TE_OK);
            te_msg_t in = {.topic = topic, .payload = payload, .len = 20, .qos = qos};
            te_err_t rc = te_cloudmap_convert(&m, &in, &NOW, &out);
            if (max == wire) {
                assert_int_equal(rc, TE_OK);
                assert_int_equal(out.n, 1);
            } else {
                char want[256];
                snprintf(want, sizeof want, ERR "Payload is too large >%zu", max);
                assert_int_equal(rc, TE_ERR_TOOBIG);
                assert_string_equal(out.error, want);
                assert_int_equal(out.n, 0);
            }
            te_out_free(&out);
            te_cloudmap_free(&m);
        }
    }
}

typedef struct wire_case {
    size_t topic_len;
    int qos;
    size_t payload_len;
    size_t wire;
} wire_case_t;

static void test_wire_size_varint_lengths(void **state)
{
    (void)state;
    static const wire_case_t cases[] = {
        {0, 0, 0, 4},                        /* rem 2 */
        {10, 1, 113, 1 + 1 + 127},           /* rem 127: one length byte */
        {10, 1, 114, 1 + 2 + 128},           /* rem 128: two */
        {19, 2, 16360, 1 + 2 + 16383},       /* rem 16383 */
        {19, 2, 16361, 1 + 3 + 16384},       /* rem 16384: three */
        {0, 0, 2097149, 1 + 3 + 2097151},    /* rem 2097151 */
        {0, 0, 2097150, 1 + 4 + 2097152},    /* four */
        {19, 1, 262144, 1 + 3 + 262167},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        assert_int_equal(te_cloudmap_wire_size(cases[i].topic_len, cases[i].qos, cases[i].payload_len),
                         cases[i].wire);
}

/* A payload of the default limit can never pass: the packet is larger. */
static void test_default_limit_rejects_a_payload_of_its_own_size(void **state)
{
    (void)state;
    size_t n = 262144;
    char *big = malloc(n);
    memset(big, 'x', n);
    te_cloudmap_opts_t opts = {.cloud = TE_CLOUD_AZ, .add_timestamp = true, .max_payload_size = 262144,
                               .topic_prefix = "az", .flow_file = FLOW};
    te_cloudmap_t m;
    assert_int_equal(te_cloudmap_init(&m, &opts), TE_OK);
    te_out_t out;
    assert_int_equal(te_out_init(&out, 4, TE_CLOUDMAP_OUT_ARENA), TE_OK);
    te_msg_t in = {.topic = "te/device/main///m/", .payload = big, .len = n, .qos = 1};
    assert_int_equal(te_cloudmap_convert(&m, &in, &NOW, &out), TE_ERR_TOOBIG);
    assert_string_equal(out.error, ERR "Payload is too large >262144");
    /* just under: 262144 - 1 - 3 - 2 - 19 - 2 bytes of payload fit */
    te_out_reset(&out);
    in.len = 262144 - 27;
    assert_int_equal(te_cloudmap_convert(&m, &in, &NOW, &out), TE_OK);
    assert_int_equal(out.n, 1);
    assert_int_equal(out.msgs[0].len, in.len);
    te_out_free(&out);
    te_cloudmap_free(&m);
    free(big);
}

/* The limit applies to the re-serialised payload: adding `time` can push it over. */
static void test_size_guard_measures_the_rewritten_payload(void **state)
{
    (void)state;
    const char *payload = "{\"a\":1}"; /* 7 bytes; rewritten: {"a":1,"time":1765877875.135} = 29 */
    size_t rewritten_wire = te_cloudmap_wire_size(19, 1, 29);
    te_cloudmap_opts_t opts = {.cloud = TE_CLOUD_AZ, .add_timestamp = true,
                               .max_payload_size = (uint32_t)rewritten_wire - 1, .topic_prefix = "az",
                               .flow_file = FLOW};
    te_cloudmap_t m;
    assert_int_equal(te_cloudmap_init(&m, &opts), TE_OK);
    te_out_t out;
    assert_int_equal(te_out_init(&out, 4, 4096), TE_OK);
    te_msg_t in = {.topic = "te/device/main///m/", .payload = payload, .len = 7, .qos = 1};
    assert_int_equal(te_cloudmap_convert(&m, &in, &NOW, &out), TE_ERR_TOOBIG);
    assert_int_equal(out.n, 0);
    te_cloudmap_free(&m);
    opts.max_payload_size = (uint32_t)rewritten_wire;
    assert_int_equal(te_cloudmap_init(&m, &opts), TE_OK);
    te_out_reset(&out);
    assert_int_equal(te_cloudmap_convert(&m, &in, &NOW, &out), TE_OK);
    assert_int_equal(out.n, 1);
    assert_int_equal(out.msgs[0].len, 29);
    te_out_free(&out);
    te_cloudmap_free(&m);
}

static void test_custom_prefix_names_the_output_topic(void **state)
{
    (void)state;
    te_cloudmap_opts_t opts = {.cloud = TE_CLOUD_AZ, .add_timestamp = true, .max_payload_size = 262144,
                               .topic_prefix = "custom-prefix", .flow_file = FLOW};
    te_cloudmap_t m;
    assert_int_equal(te_cloudmap_init(&m, &opts), TE_OK);
    te_out_t out;
    assert_int_equal(te_out_init(&out, 4, 4096), TE_OK);
    te_msg_t in = {.topic = "te/device/main///m/", .payload = "{}", .len = 2, .qos = 1};
    assert_int_equal(te_cloudmap_convert(&m, &in, &NOW, &out), TE_OK);
    assert_string_equal(out.msgs[0].topic, "custom-prefix/messages/events/");
    assert_string_equal(out.msgs[0].payload, "{\"time\":1765877875.135}");
    te_out_free(&out);
    te_cloudmap_free(&m);
}

static void test_rfc3339_now_keeps_nanoseconds_trimmed(void **state)
{
    (void)state;
    static const struct { int32_t nsec; const char *want; } cases[] = {
        {0, "{\"time\":\"2021-04-07T19:00:00Z\"}"},
        {500000000, "{\"time\":\"2021-04-07T19:00:00.5Z\"}"},
        {123456789, "{\"time\":\"2021-04-07T19:00:00.123456789Z\"}"},
        {120, "{\"time\":\"2021-04-07T19:00:00.00000012Z\"}"},
    };
    te_cloudmap_opts_t opts = {.cloud = TE_CLOUD_AZ, .add_timestamp = true, .rfc3339 = true,
                               .max_payload_size = 262144, .topic_prefix = "az", .flow_file = FLOW};
    te_cloudmap_t m;
    assert_int_equal(te_cloudmap_init(&m, &opts), TE_OK);
    te_out_t out;
    assert_int_equal(te_out_init(&out, 4, 4096), TE_OK);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        te_time_t now = {.unix_s = 1617822000, .nsec = cases[i].nsec, .utc_z = true};
        te_msg_t in = {.topic = "te/device/main///m/", .payload = "{}", .len = 2, .qos = 1};
        te_out_reset(&out);
        assert_int_equal(te_cloudmap_convert(&m, &in, &now, &out), TE_OK);
        assert_string_equal(out.msgs[0].payload, cases[i].want);
    }
    te_out_free(&out);
    te_cloudmap_free(&m);
}

/* serde_json's recursion limit: deeper documents are not JSON to thin-edge.io. */
static void test_too_deep_document_passes_unchanged(void **state)
{
    (void)state;
    char deep[600], ok[600];
    size_t n = 0, k = 0;
    deep[n++] = '{'; ok[k++] = '{';
    memcpy(deep + n, "\"a\":", 4); n += 4;
    memcpy(ok + k, "\"a\":", 4); k += 4;
    for (int i = 0; i < 127; i++) deep[n++] = '[';
    for (int i = 0; i < 126; i++) ok[k++] = '[';
    for (int i = 0; i < 127; i++) deep[n++] = ']';
    for (int i = 0; i < 126; i++) ok[k++] = ']';
    deep[n++] = '}'; ok[k++] = '}';
    te_cloudmap_opts_t opts = {.cloud = TE_CLOUD_AZ, .add_timestamp = true, .max_payload_size = 262144,
                               .topic_prefix = "az", .flow_file = FLOW};
    te_cloudmap_t m;
    assert_int_equal(te_cloudmap_init(&m, &opts), TE_OK);
    te_out_t out;
    assert_int_equal(te_out_init(&out, 4, 4096), TE_OK);
    te_msg_t in = {.topic = "te/device/main///m/", .payload = deep, .len = n, .qos = 1};
    assert_int_equal(te_cloudmap_convert(&m, &in, &NOW, &out), TE_OK);
    assert_int_equal(out.msgs[0].len, n);
    assert_memory_equal(out.msgs[0].payload, deep, n);
    te_out_reset(&out);
    in.payload = ok;
    in.len = k;
    assert_int_equal(te_cloudmap_convert(&m, &in, &NOW, &out), TE_OK);
    assert_int_equal(out.msgs[0].len, k + strlen(",\"time\":1765877875.135"));
    te_out_free(&out);
    te_cloudmap_free(&m);
}

static void test_init_rejects_bad_options(void **state)
{
    (void)state;
    te_cloudmap_t m;
    te_cloudmap_opts_t opts = {.cloud = TE_CLOUD_AZ, .max_payload_size = 0, .topic_prefix = "az"};
    assert_int_equal(te_cloudmap_init(&m, &opts), TE_ERR_INVAL);
    opts.max_payload_size = 1;
    opts.topic_prefix = "";
    assert_int_equal(te_cloudmap_init(&m, &opts), TE_ERR_INVAL);
    opts.topic_prefix = NULL;
    assert_int_equal(te_cloudmap_init(&m, &opts), TE_ERR_INVAL);
    assert_int_equal(te_cloudmap_init(&m, NULL), TE_ERR_INVAL);
    te_cloudmap_free(&m);
}

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

/* §2: the mapper reads az.mapper.* and az.bridge.topic_prefix. */
static void test_conv_az_reads_its_config_keys(void **state)
{
    (void)state;
    char dir[] = "/tmp/test_az_XXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[256];
    snprintf(path, sizeof path, "%s/tedge.toml", dir);
    write_file(path, "[az]\nbridge.topic_prefix = \"myaz\"\nmapper.timestamp_format = \"rfc3339\"\n"
                     "mapper.mqtt.max_payload_size = 1000\n");
    te_config_t *cfg = NULL;
    char err[512];
    assert_int_equal(te_config_load(&cfg, dir, true, err, sizeof err), TE_OK);
    te_out_t out;
    assert_int_equal(te_out_init(&out, 4, 4096), TE_OK);
    void *conv = NULL;
    assert_int_equal(te_conv_az_init(&conv, cfg, &out), TE_OK);
    te_cloudmap_t *m = conv;
    assert_true(m->add_timestamp);
    assert_true(m->rfc3339);
    assert_int_equal(m->max_payload_size, 1000);
    assert_string_equal(m->prefix, "myaz");
    char want[300];
    snprintf(want, sizeof want, "%s/mappers/az/flows/mea.toml", te_config_dir(cfg));
    assert_string_equal(m->flow_file, want);
    te_msg_t in = {.topic = "te/device/main///m/", .payload = "{\"time\":0}", .len = 10, .qos = 1};
    assert_int_equal(te_conv_az_convert(conv, &in, &out), TE_OK);
    assert_string_equal(out.msgs[0].topic, "myaz/messages/events/");
    assert_string_equal(out.msgs[0].payload, "{\"time\":\"1970-01-01T00:00:00Z\"}");
    te_conv_az_free(conv);
    te_config_free(cfg);

    /* defaults: timestamp on, unix, 262144, prefix az */
    write_file(path, "");
    assert_int_equal(te_config_load(&cfg, dir, true, err, sizeof err), TE_OK);
    assert_int_equal(te_conv_az_init(&conv, cfg, &out), TE_OK);
    m = conv;
    assert_true(m->add_timestamp);
    assert_false(m->rfc3339);
    assert_int_equal(m->max_payload_size, 262144);
    assert_string_equal(m->prefix, "az");
    te_conv_az_free(conv);
    te_config_free(cfg);

    write_file(path, "[az.mapper]\ntimestamp = false\n");
    assert_int_equal(te_config_load(&cfg, dir, true, err, sizeof err), TE_OK);
    assert_int_equal(te_conv_az_init(&conv, cfg, &out), TE_OK);
    assert_false(((te_cloudmap_t *)conv)->add_timestamp);
    te_conv_az_free(conv);
    te_config_free(cfg);

    unlink(path);
    rmdir(dir);
    te_out_free(&out);
}

/* §2/§7: the config module rejects what the mappers cannot use. */
typedef struct config_case {
    const char *key;
    const char *value;
    const char *reason; /* NULL: accepted */
} config_case_t;

static void test_config_validation_of_the_mapper_keys(void **state)
{
    (void)state;
    static const config_case_t cases[] = {
        /* crates/common/tedge_utils/src/timestamp.rs: time_format_deserialize_unix,
         * time_format_deserialize, time_format_deserialize_no_hyphen and
         * time_format_invalid_value_shows_accepted_values */
        {"az.mapper.timestamp_format", "unix", NULL},
        {"az.mapper.timestamp_format", "rfc-3339", NULL},
        {"az.mapper.timestamp_format", "rfc3339", NULL},
        {"az.mapper.timestamp_format", "iso8601",
         "Failed to parse flag: iso8601. Supported values are: 'rfc-3339' or 'unix'"},
        {"aws.mapper.timestamp_format", "UNIX",
         "Failed to parse flag: UNIX. Supported values are: 'rfc-3339' or 'unix'"},
        {"az.mapper.mqtt.max_payload_size", "1", NULL},
        {"az.mapper.mqtt.max_payload_size", "268435455", NULL},
        {"az.mapper.mqtt.max_payload_size", "0", ""},
        {"aws.mapper.mqtt.max_payload_size", "268435456", ""},
        {"az.bridge.topic_prefix", "", ""},
        {"az.bridge.topic_prefix", "a#", ""},
        {"aws.bridge.topic_prefix", "a+b", ""},
        {"aws.bridge.topic_prefix", "custom", NULL},
        {"az.mapper.timestamp", "yes", ""},
        {"az.topics", "te/#/x", NULL}, /* accepted as thin-edge.io does: the mapper skips it */
        {"aws.topics", "te/+/+/+/+/m/+,te/+/+/+/+/e/+", NULL},
    };
    te_config_t *cfg = NULL;
    char err[512];
    char dir[] = "/tmp/test_azc_XXXXXX";
    assert_non_null(mkdtemp(dir));
    assert_int_equal(te_config_load(&cfg, dir, true, err, sizeof err), TE_OK);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        err[0] = '\0';
        te_err_t rc = te_config_set(cfg, cases[i].key, cases[i].value, err, sizeof err);
        if (!cases[i].reason) {
            if (rc != TE_OK)
                fail_msg("%s=%s refused: %s", cases[i].key, cases[i].value, err);
        } else {
            if (rc != TE_ERR_CONFIG)
                fail_msg("%s=%s accepted", cases[i].key, cases[i].value);
            if (cases[i].reason[0] && strcmp(err, cases[i].reason) != 0)
                fail_msg("%s=%s: \"%s\"", cases[i].key, cases[i].value, err);
        }
    }
    te_config_free(cfg);
    rmdir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table),
        cmocka_unit_test(test_thin_edge_cases),
        cmocka_unit_test(test_size_guard_counts_the_whole_packet),
        cmocka_unit_test(test_wire_size_varint_lengths),
        cmocka_unit_test(test_default_limit_rejects_a_payload_of_its_own_size),
        cmocka_unit_test(test_size_guard_measures_the_rewritten_payload),
        cmocka_unit_test(test_custom_prefix_names_the_output_topic),
        cmocka_unit_test(test_rfc3339_now_keeps_nanoseconds_trimmed),
        cmocka_unit_test(test_too_deep_document_passes_unchanged),
        cmocka_unit_test(test_init_rejects_bad_options),
        cmocka_unit_test(test_conv_az_reads_its_config_keys),
        cmocka_unit_test(test_config_validation_of_the_mapper_keys),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
