/* Unit tests for the AWS mapper's converter (cloudmap with TE_CLOUD_AWS,
 * conv_aws): spec/mapper-az-aws.md §4.5-4.7, §6 and §7, one row per case. */
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
#include "tedge/conv_aws.h"

#define FLOW "/etc/tedge/mappers/aws/flows/mea.toml"
#define ERR "Error in " FLOW ": Input message cannot be processed: "

/* §4.5: the topic table, and the shapes that are dropped */
typedef struct topic_case {
    const char *in;
    const char *out; /* NULL: dropped */
} topic_case_t;

static const topic_case_t TOPICS[] = {
    {"te/device/main///m/environment", "aws/td/device:main/m/environment"},
    {"te/device/main///m/", "aws/td/device:main/m/"},
    {"te/device/main///e/login", "aws/td/device:main/e/login"},
    {"te/device/main///a/temp_high", "aws/td/device:main/a/temp_high"},
    {"te/device/main///status/health", "aws/td/device:main/status/health"},
    {"te/device/child1///a/temp_high", "aws/td/device:child1/a/temp_high"},
    {"te/device/main/service/app/e/login", "aws/td/device:main:service:app/e/login"},
    {"te/device/child/service/svc/m/x", "aws/td/device:child:service:svc/m/x"},
    {"te/factory/line1/plc/s1/m/", "aws/td/factory:line1:plc:s1/m/"},
    {"te/device/main/service/tedge-agent/status/health", "aws/td/device:main:service:tedge-agent/status/health"},
    {"te/a//b//m/t", "aws/td/a:b/m/t"},
    {"te/////m/t", "aws/td//m/t"},
    {"te/dev:ice/x:y///e/t", "aws/td/dev:ice:x:y/e/t"},  /* no escaping of ':' */
    {"other/device/main///m/t", "aws/td/device:main/m/t"}, /* the root is not checked */
    {"te/device/main///cmd/restart", NULL},
    {"te/device/main///twin/x", NULL},
    {"te/device/main///status/other", NULL},
    {"te/device/main///m/x/meta", NULL},
    {"te/device/main//m/x", NULL},
    {"te/device/main", NULL},
    {"te/device/main//", NULL},
    {"my/own/topic", NULL},
    {"te/device/main///health/status", NULL},
    {"te/device/main///M/x", NULL},
};

static void test_topic_table(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof TOPICS / sizeof TOPICS[0]; i++) {
        char buf[256];
        te_err_t rc = te_cloudmap_aws_topic("aws", TOPICS[i].in, buf, sizeof buf);
        if (TOPICS[i].out) {
            if (rc != TE_OK || strcmp(buf, TOPICS[i].out) != 0)
                fail_msg("%s: rc %d topic %s, want %s", TOPICS[i].in, rc, rc == TE_OK ? buf : "", TOPICS[i].out);
        } else if (rc != TE_ERR_NOTFOUND) {
            fail_msg("%s: rc %d, want dropped", TOPICS[i].in, rc);
        }
    }
}

static void test_topic_buffer_too_small(void **state)
{
    (void)state;
    char buf[64];
    const char *want = "aws/td/device:main/m/environment";
    size_t n = strlen(want);
    assert_int_equal(te_cloudmap_aws_topic("aws", "te/device/main///m/environment", buf, n), TE_ERR_TOOBIG);
    assert_int_equal(te_cloudmap_aws_topic("aws", "te/device/main///m/environment", buf, n + 1), TE_OK);
    assert_string_equal(buf, want);
}

enum { UNIX = 0, RFC = 1, NO_TS = 2 };

typedef struct aws_case {
    const char *name;
    int mode;
    uint32_t max;              /* 0: 131072 */
    const char *topic;
    const char *payload;
    int qos;
    bool retain;
    const char *out_topic;     /* NULL: nothing forwarded */
    const char *out_payload;
    const char *error;
} aws_case_t;

static const te_time_t NOW = {.unix_s = 1765877875, .nsec = 135000000, .utc_z = true};

static const aws_case_t CASES[] = {
    /* §4.6 */
    {"main measurement", UNIX, 0, "te/device/main///m/environment", "{\"temperature\": 21.3}", 1, false,
     "aws/td/device:main/m/environment", "{\"temperature\":21.3,\"time\":1765877875.135}", NULL},
    {"child alarm unix", UNIX, 0, "te/device/child1///a/temp_high",
     "{\"text\":\"hot\",\"severity\":\"major\",\"time\":\"2021-04-23T19:00:00+05:00\"}", 1, false,
     "aws/td/device:child1/a/temp_high", "{\"severity\":\"major\",\"text\":\"hot\",\"time\":1619186400.0}", NULL},
    {"child alarm rfc-3339 untouched", RFC, 0, "te/device/child1///a/temp_high",
     "{\"text\":\"hot\",\"severity\":\"major\",\"time\":\"2021-04-23T19:00:00+05:00\"}", 1, false,
     "aws/td/device:child1/a/temp_high",
     "{\"severity\":\"major\",\"text\":\"hot\",\"time\":\"2021-04-23T19:00:00+05:00\"}", NULL},
    {"service event", UNIX, 0, "te/device/main/service/app/e/login", "{\"text\":\"user in\"}", 1, false,
     "aws/td/device:main:service:app/e/login", "{\"text\":\"user in\",\"time\":1765877875.135}", NULL},
    {"child service measurement", RFC, 0, "te/device/child/service/svc/m/x", "{\"temperature\": 23.0}", 1, false,
     "aws/td/device:child:service:svc/m/x", "{\"temperature\":23.0,\"time\":\"2025-12-16T09:37:55.135Z\"}", NULL},
    {"custom scheme, empty type", UNIX, 0, "te/factory/line1/plc/s1/m/", "{\"x\":1}", 1, false,
     "aws/td/factory:line1:plc:s1/m/", "{\"time\":1765877875.135,\"x\":1}", NULL},
    {"agent health", UNIX, 0, "te/device/main/service/tedge-agent/status/health",
     "{\"pid\":7,\"status\":\"up\",\"time\":1765877000.5}", 1, true,
     "aws/td/device:main:service:tedge-agent/status/health", "{\"pid\":7,\"status\":\"up\",\"time\":1765877000.5}",
     NULL},
    {"health kept as is without timestamping", NO_TS, 0, "te/device/main/service/test-service/status/health",
     "{\"pid\":1234,\"status\":\"up\"}", 1, false, "aws/td/device:main:service:test-service/status/health",
     "{\"pid\":1234,\"status\":\"up\"}", NULL},
    {"bridge notification dropped", UNIX, 0, "te/device/main/service/mosquitto-aws-bridge/status/health", "1", 1,
     true, NULL, NULL, NULL},
    {"other bridge notification dropped", NO_TS, 0, "te/device/main/service/mosquitto-xyz-bridge/status/health",
     "0", 1, true, NULL, NULL, NULL},
    /* §4.5: other shapes dropped silently */
    {"command topic dropped", UNIX, 0, "te/device/main///cmd/restart/1", "{\"status\":\"init\"}", 1, false, NULL,
     NULL, NULL},
    {"user topic dropped", UNIX, 0, "my/own/topic", "{}", 1, false, NULL, NULL, NULL},
    {"meta topic dropped", UNIX, 0, "te/device/main///m/x/meta", "{}", 1, false, NULL, NULL, NULL},
    /* §7 */
    {"not json forwarded as is", UNIX, 0, "te/device/main///m/", "This is not Thin Edge JSON", 0, true,
     "aws/td/device:main/m/", "This is not Thin Edge JSON", NULL},
    {"alarm clear forwarded empty", UNIX, 0, "te/device/main///a/temp_high", "", 1, true,
     "aws/td/device:main/a/temp_high", "", NULL},
    {"bad time string", UNIX, 0, "te/device/main///m/", "{\"time\":\"oops\"}", 1, false, NULL, NULL,
     ERR "Failed to format message timestamp as unix"},
    {"null time rfc", RFC, 0, "te/device/main///e/x", "{\"time\":null}", 1, false, NULL, NULL,
     ERR "Failed to format message timestamp as rfc3339"},
    {"oops kept with rfc-3339", RFC, 0, "te/device/main///e/x", "{\"time\":\"oops\"}", 1, false,
     "aws/td/device:main/e/x", "{\"time\":\"oops\"}", NULL},
    {"unix integer to rfc", RFC, 0, "te/device/main///m/", "{\"time\":1702029646,\"temperature\":23.0}", 1, false,
     "aws/td/device:main/m/", "{\"temperature\":23.0,\"time\":\"2023-12-08T10:00:46Z\"}", NULL},
    {"too large", UNIX, 10, "te/device/main///m/", "{\"temperature\": 21.3}", 1, false, NULL, NULL,
     ERR "Payload is too large >10"},
    {"too large is checked before the topic", NO_TS, 10, "my/own/topic", "{}", 1, false, NULL, NULL,
     ERR "Payload is too large >10"},
    {"timestamp off: bytes kept", NO_TS, 0, "te/device/main///m/", "{ \"b\" : 1e3 }", 0, true,
     "aws/td/device:main/m/", "{ \"b\" : 1e3 }", NULL},
};

/* thin-edge.io's test clock in aws_mapper_ext converter.rs (AwsFlows::try_convert). */
static const te_time_t TEDGE_NOW = {.unix_s = 1617822000, .nsec = 0, .utc_z = true};

/* Ported from thin-edge.io crates/extensions/aws_mapper_ext/src/converter.rs
 * (the flows version: TimeFormat::Rfc3339, prefix aws, limit 131072); each
 * comment names the test. */
static const aws_case_t TEDGE_CASES[] = {
    /* try_convert_invalid_json_skips_message: not JSON, forwarded as is */
    {"try_convert_invalid_json_skips_message", NO_TS, 0, "te/device/main///m/", "This is not Thin Edge JSON", 1, false, "aws/td/device:main/m/", "This is not Thin Edge JSON", NULL},
    /* try_convert_exceeding_threshold_returns_error */
    {"try_convert_exceeding_threshold_returns_error", NO_TS, 1, "te/device/main///m/", "{\"temperature\": 21.3}", 1, false, NULL, NULL, ERR "Payload is too large >1"},
    /* converting_input_without_timestamp_produces_output_without_timestamp_given_add_timestamp_is_false */
    {"without_timestamp_given_add_timestamp_is_false", NO_TS, 0, "te/device/main///m/", "{\n            \"temperature\": 23.0\n         }", 1, false, "aws/td/device:main/m/", "{\n            \"temperature\": 23.0\n         }", NULL},
    /* converting_input_with_timestamp_produces_output_with_timestamp_given_add_timestamp_is_false */
    {"with_timestamp_given_add_timestamp_is_false", NO_TS, 0, "te/device/main///m/", "{\n            \"time\" : \"2013-06-22T17:03:14.000+02:00\",\n            \"temperature\": 23.0\n        }", 1, false, "aws/td/device:main/m/", "{\n            \"time\" : \"2013-06-22T17:03:14.000+02:00\",\n            \"temperature\": 23.0\n        }", NULL},
    /* unix_timestamp_is_converted_to_rfc3339 */
    {"unix_timestamp_is_converted_to_rfc3339", RFC, 0, "te/device/main///m/", "{\n            \"time\" : 1702029646,\n            \"temperature\": 23.0\n        }", 1, false, "aws/td/device:main/m/", "{\"temperature\":23.0,\"time\":\"2023-12-08T10:00:46Z\"}", NULL},
    /* converting_input_with_timestamp_produces_output_with_timestamp_given_add_timestamp_is_true */
    {"with_timestamp_given_add_timestamp_is_true", RFC, 0, "te/device/main///m/", "{\n            \"time\" : \"2013-06-22T17:03:14.000+02:00\",\n            \"temperature\": 23.0\n        }", 1, false, "aws/td/device:main/m/", "{\"temperature\":23.0,\"time\":\"2013-06-22T17:03:14.000+02:00\"}", NULL},
    /* converting_input_without_timestamp_produces_output_with_timestamp_given_add_timestamp_is_true */
    {"without_timestamp_given_add_timestamp_is_true", RFC, 0, "te/device/main///m/", "{\n            \"temperature\": 23.0\n         }", 1, false, "aws/td/device:main/m/", "{\"temperature\":23.0,\"time\":\"2021-04-07T19:00:00Z\"}", NULL},
    /* converting_input_with_measurement_type */
    {"converting_input_with_measurement_type", RFC, 0, "te/device/main///m/test_type", "{\n            \"temperature\": 23.0\n         }", 1, false, "aws/td/device:main/m/test_type", "{\"temperature\":23.0,\"time\":\"2021-04-07T19:00:00Z\"}", NULL},
    /* converting_input_for_child_device_with_measurement_type */
    {"converting_input_for_child_device_with_measurement_type", RFC, 0, "te/device/child///m/test_type", "{\n            \"temperature\": 23.0\n         }", 1, false, "aws/td/device:child/m/test_type", "{\"temperature\":23.0,\"time\":\"2021-04-07T19:00:00Z\"}", NULL},
    /* converting_input_for_main_device_service_with_measurement_type */
    {"converting_input_for_main_device_service_with_measurement_type", RFC, 0, "te/device/main/service/main_service/m/test_type", "{\n            \"temperature\": 23.0\n         }", 1, false, "aws/td/device:main:service:main_service/m/test_type", "{\"temperature\":23.0,\"time\":\"2021-04-07T19:00:00Z\"}", NULL},
    /* converting_input_for_child_device_service_with_measurement_type */
    {"converting_input_for_child_device_service_with_measurement_type", RFC, 0, "te/device/child/service/child_service/m/test_type", "{\n            \"temperature\": 23.0\n         }", 1, false, "aws/td/device:child:service:child_service/m/test_type", "{\"temperature\":23.0,\"time\":\"2021-04-07T19:00:00Z\"}", NULL},
    /* skip_converting_bridge_health_status */
    {"skip_converting_bridge_health_status", NO_TS, 0, "te/device/main/service/mosquitto-aws-bridge/status/health", "0", 1, false, NULL, NULL, NULL},
    /* skip_converting_bridge_health_status_for_different_bridge_topic */
    {"skip_converting_bridge_health_status_for_different_bridge_topic", NO_TS, 0, "te/device/main/service/mosquitto-xyz-bridge/status/health", "0", 1, false, NULL, NULL, NULL},
    /* converting_event_for_main_device */
    {"converting_event_for_main_device", RFC, 0, "te/device/main///e/event_type", "{\n            \"text\": \"I raised it\",\n            \"time\": \"2021-04-23T19:00:00+05:00\"\n        }", 1, false, "aws/td/device:main/e/event_type", "{\"text\":\"I raised it\",\"time\":\"2021-04-23T19:00:00+05:00\"}", NULL},
    /* converting_event_for_child_device */
    {"converting_event_for_child_device", RFC, 0, "te/device/child///e/event_type", "{\n            \"text\": \"I raised it\",\n            \"time\": \"2021-04-23T19:00:00+05:00\"\n        }", 1, false, "aws/td/device:child/e/event_type", "{\"text\":\"I raised it\",\"time\":\"2021-04-23T19:00:00+05:00\"}", NULL},
    /* converting_event_for_main_device_service */
    {"converting_event_for_main_device_service", RFC, 0, "te/device/main/service/main_service/e/event_type", "{\n            \"text\": \"I raised it\",\n            \"time\": \"2021-04-23T19:00:00+05:00\"\n        }", 1, false, "aws/td/device:main:service:main_service/e/event_type", "{\"text\":\"I raised it\",\"time\":\"2021-04-23T19:00:00+05:00\"}", NULL},
    /* converting_event_for_child_device_service */
    {"converting_event_for_child_device_service", RFC, 0, "te/device/child/service/child_service/e/event_type", "{\n            \"text\": \"I raised it\",\n            \"time\": \"2021-04-23T19:00:00+05:00\"\n        }", 1, false, "aws/td/device:child:service:child_service/e/event_type", "{\"text\":\"I raised it\",\"time\":\"2021-04-23T19:00:00+05:00\"}", NULL},
    /* converting_alarm_for_main_device */
    {"converting_alarm_for_main_device", RFC, 0, "te/device/main///a/alarm_type", "{\n            \"text\":\"I raised it\",\n            \"severity\":\"critical\",\n            \"time\": \"2021-04-23T19:00:00+05:00\"\n        }", 1, false, "aws/td/device:main/a/alarm_type", "{\"severity\":\"critical\",\"text\":\"I raised it\",\"time\":\"2021-04-23T19:00:00+05:00\"}", NULL},
    /* converting_alarm_for_main_service */
    {"converting_alarm_for_main_service", RFC, 0, "te/device/main/service/cservice/a/alarm_type", "{\n            \"text\":\"I raised it\",\n            \"severity\":\"critical\",\n            \"time\": \"2021-04-23T19:00:00+05:00\"\n        }", 1, false, "aws/td/device:main:service:cservice/a/alarm_type", "{\"severity\":\"critical\",\"text\":\"I raised it\",\"time\":\"2021-04-23T19:00:00+05:00\"}", NULL},
    /* converting_alarm_for_child_device */
    {"converting_alarm_for_child_device", RFC, 0, "te/device/child///a/alarm_type", "{\n            \"text\":\"I raised it\",\n            \"severity\":\"critical\",\n            \"time\": \"2021-04-23T19:00:00+05:00\"\n        }", 1, false, "aws/td/device:child/a/alarm_type", "{\"severity\":\"critical\",\"text\":\"I raised it\",\"time\":\"2021-04-23T19:00:00+05:00\"}", NULL},
    /* converting_alarm_for_child_service */
    {"converting_alarm_for_child_service", RFC, 0, "te/device/child/service/cservice/a/alarm_type", "{\n            \"text\":\"I raised it\",\n            \"severity\":\"critical\",\n            \"time\": \"2021-04-23T19:00:00+05:00\"\n        }", 1, false, "aws/td/device:child:service:cservice/a/alarm_type", "{\"severity\":\"critical\",\"text\":\"I raised it\",\"time\":\"2021-04-23T19:00:00+05:00\"}", NULL},
    /* converting_service_health_status_up_message */
    {"converting_service_health_status_up_message", NO_TS, 0, "te/device/main/service/test-service/status/health", "{\"pid\":1234,\"status\":\"up\"}", 1, false, "aws/td/device:main:service:test-service/status/health", "{\"pid\":1234,\"status\":\"up\"}", NULL},
    /* converting_service_health_status_down_message */
    {"converting_service_health_status_down_message", NO_TS, 0, "te/device/main/service/test-service/status/health", "{\"pid\":1234,\"status\":\"up\"}", 1, false, "aws/td/device:main:service:test-service/status/health", "{\"pid\":1234,\"status\":\"up\"}", NULL},
};

/* Ported from thin-edge.io tests/RobotFramework/tests/aws/aws_telemetry.robot
 * (defaults: unix, 131072; tedge mqtt pub is QoS 0); the publish time is NOW. */
static const aws_case_t ROBOT_CASES[] = {
    {"robot: Publish measurements to te measurement topic", UNIX, 0, "te/device/main///m/", "{\"temperature\": 10}", 0, false, "aws/td/device:main/m/", "{\"temperature\":10,\"time\":1765877875.135}", NULL},
    {"robot: Publish measurements to te measurement topic with measurement type", UNIX, 0, "te/device/main///m/test-type", "{\"temperature\": 10}", 0, false, "aws/td/device:main/m/test-type", "{\"temperature\":10,\"time\":1765877875.135}", NULL},
    {"robot: Publish service measurements to te measurement topic with measurement type", UNIX, 0, "te/device/main/service/test_service/m/test-type", "{\"temperature\": 10}", 0, false, "aws/td/device:main:service:test_service/m/test-type", "{\"temperature\":10,\"time\":1765877875.135}", NULL},
    {"robot: Publish child measurements to te measurement topic with measurement type", UNIX, 0, "te/device/child///m/test-type", "{\"temperature\": 10}", 0, false, "aws/td/device:child/m/test-type", "{\"temperature\":10,\"time\":1765877875.135}", NULL},
    {"robot: Publish main device event to te event topic with event type", UNIX, 0, "te/device/main///e/event-type", "{\"text\": \"someone logged-in\"}", 0, false, "aws/td/device:main/e/event-type", "{\"text\":\"someone logged-in\",\"time\":1765877875.135}", NULL},
    {"robot: Publish child device event to te event topic with event type", UNIX, 0, "te/device/child///e/event-type", "{\"text\": \"someone logged-in\"}", 0, false, "aws/td/device:child/e/event-type", "{\"text\":\"someone logged-in\",\"time\":1765877875.135}", NULL},
    {"robot: Publish main device alarm to te alarm topic with alarm type", UNIX, 0, "te/device/main///a/alarm-type", "{\"severity\":\"critical\",\"text\": \"someone logged-in\"}", 0, false, "aws/td/device:main/a/alarm-type", "{\"severity\":\"critical\",\"text\":\"someone logged-in\",\"time\":1765877875.135}", NULL},
    {"robot: Publish child device alarm to te alarm topic with alarm type", UNIX, 0, "te/device/child///a/alarm-type", "{\"severity\":\"major\",\"text\": \"someone logged-in\"}", 0, false, "aws/td/device:child/a/alarm-type", "{\"severity\":\"major\",\"text\":\"someone logged-in\",\"time\":1765877875.135}", NULL},
    {"robot: Publish health status message for main device service", UNIX, 0, "te/device/main/service/test-service/status/health", "{\"status\":\"up\"}", 0, false, "aws/td/device:main:service:test-service/status/health", "{\"status\":\"up\",\"time\":1765877875.135}", NULL},
};

static void run_case(const aws_case_t *c, size_t i, const te_time_t *now, const char *prefix)
{
    te_cloudmap_opts_t opts = {
        .cloud = TE_CLOUD_AWS,
        .add_timestamp = c->mode != NO_TS,
        .rfc3339 = c->mode == RFC,
        .max_payload_size = c->max ? c->max : 131072,
        .topic_prefix = prefix,
        .flow_file = FLOW,
    };
    te_cloudmap_t m;
    assert_int_equal(te_cloudmap_init(&m, &opts), TE_OK);
    te_out_t out;
    assert_int_equal(te_out_init(&out, 4, 64 * 1024), TE_OK);
    te_msg_t in = {.topic = c->topic, .payload = c->payload, .len = strlen(c->payload), .qos = c->qos,
                   .retain = c->retain};
    te_err_t rc = te_cloudmap_convert(&m, &in, now, &out);
    if (c->error) {
        if (rc == TE_OK || strcmp(out.error, c->error) != 0)
            fail_msg("case %zu (%s): rc %d error \"%s\"", i, c->name, rc, out.error);
        assert_int_equal(out.n, 0);
    } else if (rc != TE_OK || out.error[0]) {
        fail_msg("case %zu (%s): rc %d error \"%s\"", i, c->name, rc, out.error);
    } else if (!c->out_topic) {
        if (out.n != 0)
            fail_msg("case %zu (%s): forwarded on %s", i, c->name, out.msgs[0].topic);
    } else {
        if (out.n != 1)
            fail_msg("case %zu (%s): %zu messages", i, c->name, out.n);
        if (strcmp(out.msgs[0].topic, c->out_topic) != 0 || strcmp(out.msgs[0].payload, c->out_payload) != 0)
            fail_msg("case %zu (%s): %s %s", i, c->name, out.msgs[0].topic, out.msgs[0].payload);
        assert_int_equal(out.msgs[0].len, strlen(c->out_payload));
        /* §4.5: always QoS 1, not retained */
        if (out.msgs[0].qos != 1 || out.msgs[0].retain)
            fail_msg("case %zu (%s): qos %d retain %d", i, c->name, out.msgs[0].qos, out.msgs[0].retain);
    }
    te_out_free(&out);
    te_cloudmap_free(&m);
}

static void test_table(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof CASES / sizeof CASES[0]; i++)
        run_case(&CASES[i], i, &NOW, "aws");
}

static void test_thin_edge_cases(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof TEDGE_CASES / sizeof TEDGE_CASES[0]; i++)
        run_case(&TEDGE_CASES[i], i, &TEDGE_NOW, "aws");
    for (size_t i = 0; i < sizeof ROBOT_CASES / sizeof ROBOT_CASES[0]; i++)
        run_case(&ROBOT_CASES[i], i, &NOW, "aws");
    /* converter.rs: converting_input_uses_custom_topic_prefix */
    static const aws_case_t custom = {"converting_input_uses_custom_topic_prefix", RFC, 0, "te/device/main///m/",
                                      "{\n            \"temperature\": 23.0\n         }", 1, false,
                                      "custom-prefix/td/device:main/m/",
                                      "{\"temperature\":23.0,\"time\":\"2021-04-07T19:00:00Z\"}", NULL};
    run_case(&custom, 0, &TEDGE_NOW, "custom-prefix");
}

static void test_custom_prefix(void **state)
{
    (void)state;
    te_cloudmap_opts_t opts = {.cloud = TE_CLOUD_AWS, .add_timestamp = true, .max_payload_size = 131072,
                               .topic_prefix = "custom-prefix", .flow_file = FLOW};
    te_cloudmap_t m;
    assert_int_equal(te_cloudmap_init(&m, &opts), TE_OK);
    te_out_t out;
    assert_int_equal(te_out_init(&out, 4, 4096), TE_OK);
    te_msg_t in = {.topic = "te/device/main///m/", .payload = "{\"temperature\": 23.0}", .len = 21, .qos = 1};
    assert_int_equal(te_cloudmap_convert(&m, &in, &NOW, &out), TE_OK);
    assert_string_equal(out.msgs[0].topic, "custom-prefix/td/device:main/m/");
    te_out_free(&out);
    te_cloudmap_free(&m);
}

/* The AWS limit is measured like Azure's, on the input topic. */
static void test_default_aws_limit(void **state)
{
    (void)state;
    size_t n = 131072 - 1 - 3 - 2 - 19 - 2; /* packet of exactly 131072 bytes */
    char *big = malloc(n + 1);
    memset(big, 'x', n + 1);
    te_cloudmap_opts_t opts = {.cloud = TE_CLOUD_AWS, .add_timestamp = true, .max_payload_size = 131072,
                               .topic_prefix = "aws", .flow_file = FLOW};
    te_cloudmap_t m;
    assert_int_equal(te_cloudmap_init(&m, &opts), TE_OK);
    te_out_t out;
    assert_int_equal(te_out_init(&out, 4, TE_CLOUDMAP_OUT_ARENA), TE_OK);
    te_msg_t in = {.topic = "te/device/main///m/", .payload = big, .len = n, .qos = 1};
    assert_int_equal(te_cloudmap_convert(&m, &in, &NOW, &out), TE_OK);
    assert_int_equal(out.n, 1);
    te_out_reset(&out);
    in.len = n + 1;
    assert_int_equal(te_cloudmap_convert(&m, &in, &NOW, &out), TE_ERR_TOOBIG);
    assert_string_equal(out.error, ERR "Payload is too large >131072");
    assert_int_equal(out.n, 0);
    te_out_free(&out);
    te_cloudmap_free(&m);
    free(big);
}

/* A re-serialised payload larger than the limit never fits the scratch
 * buffer: rejected as too large, whatever the input size. */
static void test_growth_past_the_limit_is_too_large(void **state)
{
    (void)state;
    char payload[4096];
    size_t n = 0;
    payload[n++] = '[';
    for (int i = 0; i < 200; i++) {
        memcpy(payload + n, "1e15,", 5);
        n += 5;
    }
    payload[n - 1] = ']';
    char doc[4200];
    int len = snprintf(doc, sizeof doc, "{\"v\":%.*s}", (int)n, payload);
    te_cloudmap_opts_t opts = {.cloud = TE_CLOUD_AWS, .add_timestamp = true, .max_payload_size = 2000,
                               .topic_prefix = "aws", .flow_file = FLOW};
    te_cloudmap_t m;
    assert_int_equal(te_cloudmap_init(&m, &opts), TE_OK);
    te_out_t out;
    assert_int_equal(te_out_init(&out, 4, 64 * 1024), TE_OK);
    te_msg_t in = {.topic = "te/device/main///m/", .payload = doc, .len = (size_t)len, .qos = 1};
    assert_true(len < 2000);
    assert_int_equal(te_cloudmap_convert(&m, &in, &NOW, &out), TE_ERR_TOOBIG);
    assert_string_equal(out.error, ERR "Payload is too large >2000");
    te_out_free(&out);
    te_cloudmap_free(&m);
}

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static void test_conv_aws_reads_its_config_keys(void **state)
{
    (void)state;
    char dir[] = "/tmp/test_aws_XXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[256];
    snprintf(path, sizeof path, "%s/tedge.toml", dir);
    write_file(path, "");
    te_config_t *cfg = NULL;
    char err[512];
    assert_int_equal(te_config_load(&cfg, dir, true, err, sizeof err), TE_OK);
    te_out_t out;
    assert_int_equal(te_out_init(&out, 4, 4096), TE_OK);
    void *conv = NULL;
    assert_int_equal(te_conv_aws_init(&conv, cfg, &out), TE_OK);
    te_cloudmap_t *m = conv;
    assert_int_equal(m->cloud, TE_CLOUD_AWS);
    assert_true(m->add_timestamp);
    assert_false(m->rfc3339);
    assert_int_equal(m->max_payload_size, 131072);
    assert_string_equal(m->prefix, "aws");
    char want[300];
    snprintf(want, sizeof want, "%s/mappers/aws/flows/mea.toml", te_config_dir(cfg));
    assert_string_equal(m->flow_file, want);
    te_msg_t in = {.topic = "te/device/main///m/t", .payload = "{\"time\":1}", .len = 10, .qos = 0};
    assert_int_equal(te_conv_aws_convert(conv, &in, &out), TE_OK);
    assert_string_equal(out.msgs[0].topic, "aws/td/device:main/m/t");
    assert_string_equal(out.msgs[0].payload, "{\"time\":1}");
    te_conv_aws_free(conv);
    te_config_free(cfg);

    write_file(path, "[aws]\nbridge.topic_prefix = \"x\"\nmapper.timestamp = false\n"
                     "mapper.timestamp_format = \"rfc-3339\"\n");
    assert_int_equal(te_config_load(&cfg, dir, true, err, sizeof err), TE_OK);
    assert_int_equal(te_conv_aws_init(&conv, cfg, &out), TE_OK);
    m = conv;
    assert_false(m->add_timestamp);
    assert_true(m->rfc3339);
    assert_string_equal(m->prefix, "x");
    te_conv_aws_free(conv);
    te_config_free(cfg);
    unlink(path);
    rmdir(dir);
    te_out_free(&out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_topic_table),
        cmocka_unit_test(test_topic_buffer_too_small),
        cmocka_unit_test(test_table),
        cmocka_unit_test(test_thin_edge_cases),
        cmocka_unit_test(test_custom_prefix),
        cmocka_unit_test(test_default_aws_limit),
        cmocka_unit_test(test_growth_past_the_limit_is_too_large),
        cmocka_unit_test(test_conv_aws_reads_its_config_keys),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
