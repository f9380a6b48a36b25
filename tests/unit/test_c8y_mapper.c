/* Unit tests: the c8y converter (mapper-c8y.md §1, §3-§5, §10), one table
 * row per spec example or bad-input row. Each case feeds its inputs in
 * order to a fresh converter (device id "mydev", clock fixed at
 * 2024-05-01T10:00:00.123456789Z) and compares every output, one
 * "topic payload" line each, and the last error. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "tedge/c8y_mapper.h"
#include "tedge/c8y_smartrest.h"

#define NOW "2024-05-01T10:00:00.123456789Z"
#define NOW_MS "2024-05-01T10:00:00.123Z"
#define MEAS "c8y/measurement/measurements/create "
#define JOURNAL "c8y-internal/alarms/"
/* the c8y_Agent fragment published before 114 on start */
#define AGENT(dev) "c8y/inventory/managedObjects/update/" dev " {\"c8y_Agent\":{\"name\":\"thin-edge.io\"," \
                   "\"url\":\"https://thin-edge.io\",\"version\":\"" TEDGE_VERSION "\"}}\n"
#define CHILD_REG {"te/device/child01//", "{\"@type\":\"child-device\",\"name\":\"child01\",\"type\":\"SmartHomeHub\"}"}
#define CHILD_101 "c8y/s/us 101,mydev:device:child01,child01,SmartHomeHub,false\n" \
                  "c8y/s/us/mydev:device:child01 117,60\n"

static te_time_t fixed_now(void *ctx)
{
    (void)ctx;
    return (te_time_t){.unix_s = 1714557600, .nsec = 123456789, .utc_z = true};
}

typedef struct fixture {
    char dir[64];
    te_c8y_t *st;
    te_out_t out;
    char got[65536];
    char error[1024];
} fixture_t;

static int setup(void **state)
{
    fixture_t *f = calloc(1, sizeof *f);
    snprintf(f->dir, sizeof f->dir, "/tmp/test_c8y_XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    te_c8y_config_t cfg;
    te_c8y_config_defaults(&cfg, "mydev", f->dir);
    assert_int_equal(te_c8y_new(&f->st, &cfg), TE_OK);
    te_c8y_set_clock(f->st, fixed_now, NULL);
    assert_int_equal(te_out_init(&f->out, 4096, 4u * 1024 * 1024), TE_OK);
    assert_int_equal(te_c8y_start(f->st, &f->out), TE_OK);
    te_out_reset(&f->out);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture_t *f = *state;
    te_c8y_free(f->st);
    te_out_free(&f->out);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", f->dir);
    assert_int_equal(system(cmd), 0);
    free(f);
    return 0;
}

/* Feeds one message; appends its outputs to f->got; returns the rc. */
static te_err_t feed_len(fixture_t *f, const char *topic, const char *payload, size_t len)
{
    te_out_reset(&f->out);
    te_msg_t msg = {.topic = topic, .payload = payload, .len = len, .qos = 1};
    te_err_t rc = te_c8y_convert(f->st, &msg, &f->out);
    for (size_t i = 0; i < f->out.n; i++) {
        size_t n = strlen(f->got);
        snprintf(f->got + n, sizeof f->got - n, "%s %.*s\n", f->out.msgs[i].topic, (int)f->out.msgs[i].len,
                 f->out.msgs[i].payload);
    }
    if (f->out.error[0])
        snprintf(f->error, sizeof f->error, "%s", f->out.error);
    return rc;
}

static te_err_t feed(fixture_t *f, const char *topic, const char *payload)
{
    return feed_len(f, topic, payload, strlen(payload));
}

#define MAX_STEPS 12

typedef struct step {
    const char *topic;
    const char *payload;
} step_t;

typedef struct conv_case {
    const char *name;
    step_t steps[MAX_STEPS];
    const char *expected;   /* all outputs, "topic payload\n" each */
    const char *error;      /* substring of the last error, NULL: none */
} conv_case_t;

static const conv_case_t cases[] = {
    /* §4.2 measurements */
    {"measurement_spec_example",
     {{"te/device/main///m/environment",
       "{\"temperature\":23,\"Climate\":{\"Humidity\":95.0},\"time\":\"2021-04-22T17:05:26.958+02:00\"}"}},
     MEAS "{\"temperature\":{\"temperature\":{\"value\":23.0}},\"Climate\":{\"Humidity\":{\"value\":95.0}},"
          "\"time\":\"2021-04-22T17:05:26.958+02:00\",\"type\":\"environment\"}\n", NULL},
    {"measurement_without_type_or_time_gets_defaults_ms",
     {{"te/device/main///m/", "{\"t\":0.002}"}},
     MEAS "{\"t\":{\"t\":{\"value\":0.002}},\"time\":\"" NOW_MS "\",\"type\":\"ThinEdgeMeasurement\"}\n", NULL},
    {"measurement_payload_type_wins_other_strings_ignored",
     {{"te/device/main///m/env", "{\"type\":\"mytype\",\"x\":1e21,\"note\":\"hi\",\"time\":1701949168.001}"}},
     MEAS "{\"type\":\"mytype\",\"x\":{\"x\":{\"value\":1e21}},\"time\":\"2023-12-07T11:39:28.001Z\"}\n", NULL},
    {"measurement_properties_copied_to_top_level",
     {{"te/device/main///m/e", "{\"v\":1,\"properties\":{\"meter\":\"EM-24\",\"n\":2}}"}},
     MEAS "{\"v\":{\"v\":{\"value\":1.0}},\"meter\":\"EM-24\",\"n\":2,\"time\":\"" NOW_MS "\",\"type\":\"e\"}\n", NULL},
    {"measurement_properties_never_repeat_a_member",  /* fuzz_c8y: duplicate keys */
     {{"te/device/main///m/e", "{\"v\":1,\"g\":{\"a\":2},\"properties\":{\"v\":5,\"g\":{},\"type\":\"x\","
       "\"time\":\"y\",\"externalSource\":1,\"meter\":\"EM\"}}"}},
     MEAS "{\"v\":{\"v\":{\"value\":1.0}},\"g\":{\"a\":{\"value\":2.0}},\"meter\":\"EM\","
          "\"time\":\"" NOW_MS "\",\"type\":\"e\"}\n", NULL},
    {"measurement_units_from_meta",
     {{"te/device/main///m/env/meta", "{\"Pressure\":{\"unit\":\"bar\"},\"Climate.Temperature\":{\"unit\":\"\xc2\xb0" "C\"}}"},
      {"te/device/main///m/env", "{\"Pressure\":1.5,\"Climate\":{\"Temperature\":20,\"Other\":1}}"},
      {"te/device/main///m/env/meta", ""},
      {"te/device/main///m/env", "{\"Pressure\":1.5}"}},
     MEAS "{\"Pressure\":{\"Pressure\":{\"value\":1.5,\"unit\":\"bar\"}},"
          "\"Climate\":{\"Temperature\":{\"value\":20.0,\"unit\":\"\xc2\xb0" "C\"},\"Other\":{\"value\":1.0}},"
          "\"time\":\"" NOW_MS "\",\"type\":\"env\"}\n"
     MEAS "{\"Pressure\":{\"Pressure\":{\"value\":1.5}},\"time\":\"" NOW_MS "\",\"type\":\"env\"}\n", NULL},
    {"measurement_of_child_has_external_source",
     {CHILD_REG, {"te/device/child01///m/t", "{\"v\":-1}"}},
     CHILD_101 MEAS "{\"externalSource\":{\"externalId\":\"mydev:device:child01\",\"type\":\"c8y_Serial\"},"
                    "\"v\":{\"v\":{\"value\":-1.0}},\"time\":\"" NOW_MS "\",\"type\":\"t\"}\n", NULL},
    /* §4.3 events */
    {"event_spec_example_smartrest",
     {{"te/device/main///e/login_event", "{\"text\":\"A user just logged in\",\"time\":\"2021-01-01T05:30:45+00:00\"}"}},
     "c8y/s/us 400,login_event,\"A user just logged in\",2021-01-01T05:30:45Z\n", NULL},
    {"event_empty_payload_defaults",
     {{"te/device/main///e/", ""}},
     "c8y/s/us 400,ThinEdgeEvent,\"ThinEdgeEvent\"," NOW "\n", NULL},
    {"event_payload_type_and_offset_kept",
     {{"te/device/main///e/x", "{\"type\":\"y\",\"text\":\"t, with comma\",\"time\":\"2021-04-22T17:05:26.958+05:30\"}"}},
     "c8y/s/us 400,y,\"t, with comma\",2021-04-22T17:05:26.958+05:30\n", NULL},
    {"event_with_fragment_is_json",
     {{"te/device/main///e/login", "{\"text\":\"in\",\"ip\":\"10.0.0.3\",\"o\":{\"a\":[1,2.5,true,null]}}"}},
     "c8y/event/events/create {\"type\":\"login\",\"time\":\"" NOW "\",\"text\":\"in\",\"ip\":\"10.0.0.3\","
     "\"o\":{\"a\":[1,2.5,true,null]}}\n", NULL},
    {"event_of_child_is_json_with_external_source",
     {CHILD_REG, {"te/device/child01///e/ev", "{\"text\":\"hi\"}"}},
     CHILD_101 "c8y/event/events/create {\"type\":\"ev\",\"time\":\"" NOW "\",\"text\":\"hi\",\"externalSource\":"
               "{\"externalId\":\"mydev:device:child01\",\"type\":\"c8y_Serial\"}}\n", NULL},
    /* §4.4 alarms */
    {"alarm_spec_example",
     {{"te/device/main///a/temperature_high", "{\"severity\":\"critical\",\"text\":\"Temperature is very high\"}"}},
     "c8y/s/us 301,temperature_high,Temperature is very high," NOW "\n"
     JOURNAL "te/device/main///a/temperature_high {\"severity\":\"critical\",\"text\":\"Temperature is very high\","
     "\"time\":\"" NOW "\"}\n", NULL},
    {"alarm_severities_and_unknown_is_minor",
     {{"te/device/main///a/a", "{\"severity\":\"major\",\"text\":\"x\"}"},
      {"te/device/main///a/a", "{\"severity\":\"minor\",\"text\":\"x\"}"},
      {"te/device/main///a/a", "{\"severity\":\"warning\",\"text\":\"x\"}"},
      {"te/device/main///a/a", "{\"severity\":\"bogus\",\"text\":\"x\"}"}},
     "c8y/s/us 302,a,x," NOW "\n" JOURNAL "te/device/main///a/a {\"severity\":\"major\",\"text\":\"x\",\"time\":\"" NOW "\"}\n"
     "c8y/s/us 303,a,x," NOW "\n" JOURNAL "te/device/main///a/a {\"severity\":\"minor\",\"text\":\"x\",\"time\":\"" NOW "\"}\n"
     "c8y/s/us 304,a,x," NOW "\n" JOURNAL "te/device/main///a/a {\"severity\":\"warning\",\"text\":\"x\",\"time\":\"" NOW "\"}\n"
     "c8y/s/us 303,a,x," NOW "\n" JOURNAL "te/device/main///a/a {\"severity\":\"bogus\",\"text\":\"x\",\"time\":\"" NOW "\"}\n",
     NULL},
    {"alarm_empty_object_defaults",
     {{"te/device/main///a/", "{}"}},
     "c8y/s/us 303,ThinEdgeAlarm,ThinEdgeAlarm," NOW "\n" JOURNAL "te/device/main///a/ {\"time\":\"" NOW "\"}\n", NULL},
    {"alarm_clear_is_306",
     {{"te/device/main///a/temperature_high", ""}},
     "c8y/s/us 306,temperature_high\n" JOURNAL "te/device/main///a/temperature_high \n", NULL},
    {"alarm_text_quoted_when_needed",
     {{"te/device/main///a/t", "{\"text\":\"a \\\"b\\\", c\",\"time\":\"2021-01-01T00:00:00Z\"}"}},
     "c8y/s/us 303,t,\"a \"\"b\"\", c\",2021-01-01T00:00:00Z\n"
     JOURNAL "te/device/main///a/t {\"text\":\"a \\\"b\\\", c\",\"time\":\"2021-01-01T00:00:00Z\"}\n", NULL},
    {"alarm_with_fragment_is_json_and_external_source_dropped",
     {{"te/device/main///a/t", "{\"severity\":\"major\",\"text\":\"x\",\"extra\":{\"k\":1},\"externalSource\":5} "}},
     "c8y/alarm/alarms/create {\"type\":\"t\",\"severity\":\"MAJOR\",\"text\":\"x\",\"time\":\"" NOW "\","
     "\"extra\":{\"k\":1}}\n"
     JOURNAL "te/device/main///a/t {\"severity\":\"major\",\"text\":\"x\",\"extra\":{\"k\":1},\"externalSource\":5,"
     "\"time\":\"" NOW "\"}\n", NULL},
    {"alarm_of_child_on_child_topic",
     {CHILD_REG, {"te/device/child01///a/t", "{\"severity\":\"warning\",\"text\":\"w\"}"},
      {"te/device/child01///a/t", ""}},
     CHILD_101 "c8y/s/us/mydev:device:child01 304,t,w," NOW "\n"
     JOURNAL "te/device/child01///a/t {\"severity\":\"warning\",\"text\":\"w\",\"time\":\"" NOW "\"}\n"
     "c8y/s/us/mydev:device:child01 306,t\n" JOURNAL "te/device/child01///a/t \n", NULL},
    {"alarm_journal_replaces_a_null_time",
     {{"te/device/main///a/n", "{ \"time\" : null, \"text\" : \"x\" }"}},
     "c8y/s/us 303,n,x," NOW "\n" JOURNAL "te/device/main///a/n {\"time\":\"" NOW "\",\"text\":\"x\"}\n", NULL},
    {"alarm_not_converted_has_no_journal",
     {{"te/device/main///a/t", "{\"text\":5}"}}, "", "Alarm conversion error"},
    {"alarm_journal_echo_ignored_after_start",
     {{"c8y-internal/alarms/te/device/main///a/t", "{\"text\":\"x\"}"}}, "", NULL},
    /* §3.2 registrations */
    {"registration_child_device", {CHILD_REG}, CHILD_101, NULL},
    {"registration_with_explicit_id",
     {{"te/device/child01//", "{\"@type\":\"child-device\",\"@id\":\"child01\",\"name\":\"child01\",\"type\":\"SmartHomeHub\"}"}},
     "c8y/s/us 101,child01,child01,SmartHomeHub,false\nc8y/s/us/child01 117,60\n", NULL},
    {"registration_nested_goes_to_parent_topic",
     {CHILD_REG, {"te/device/nested//", "{\"@type\":\"child-device\",\"@parent\":\"device/child01//\"}"}},
     CHILD_101 "c8y/s/us/mydev:device:child01 101,mydev:device:nested,mydev:device:nested,thin-edge.io-child,false\n"
               "c8y/s/us/mydev:device:nested 117,60\n", NULL},
    {"registration_held_until_parent_then_data_replayed_in_order",
     {{"te/device/nested//", "{\"@type\":\"child-device\",\"@parent\":\"device/child01\"}"},
      {"te/device/nested///m/", "{\"a\":1}"},
      {"te/device/nested///m/", "{\"a\":2}"},
      CHILD_REG},
     CHILD_101 "c8y/s/us/mydev:device:child01 101,mydev:device:nested,mydev:device:nested,thin-edge.io-child,false\n"
               "c8y/s/us/mydev:device:nested 117,60\n"
               MEAS "{\"externalSource\":{\"externalId\":\"mydev:device:nested\",\"type\":\"c8y_Serial\"},"
               "\"a\":{\"a\":{\"value\":1.0}},\"time\":\"" NOW_MS "\",\"type\":\"ThinEdgeMeasurement\"}\n"
               MEAS "{\"externalSource\":{\"externalId\":\"mydev:device:nested\",\"type\":\"c8y_Serial\"},"
               "\"a\":{\"a\":{\"value\":2.0}},\"time\":\"" NOW_MS "\",\"type\":\"ThinEdgeMeasurement\"}\n", NULL},
    {"registration_service_of_main",
     {{"te/device/main/service/nodered", "{\"@type\":\"service\",\"name\":\"Node-Red\",\"type\":\"systemd\"}"}},
     "c8y/s/us 102,mydev:device:main:service:nodered,systemd,Node-Red,up\n", NULL},
    {"registration_service_of_child_defaults",
     {CHILD_REG, {"te/device/child01/service/nodered", "{\"@type\":\"service\"}"}},
     CHILD_101 "c8y/s/us/mydev:device:child01 102,mydev:device:child01:service:nodered,service,nodered,up\n", NULL},
    {"registration_duplicate_is_silent", {CHILD_REG, CHILD_REG}, CHILD_101, NULL},
    {"registration_other_keys_become_inventory_updates",
     {{"te/device/c2//", "{\"@type\":\"child-device\",\"area\":\"packaging\"}"}},
     "c8y/s/us 101,mydev:device:c2,mydev:device:c2,thin-edge.io-child,false\n"
     "c8y/inventory/managedObjects/update/mydev:device:c2 {\"area\":\"packaging\"}\n"
     "c8y/s/us/mydev:device:c2 117,60\n", NULL},
    {"registration_of_main_device_is_silent",
     {{"te/device/main//", "{\"@type\":\"device\",\"name\":\"x\"}"}}, "", NULL},
    {"deregistration_forgets_entity_and_children",
     {CHILD_REG, {"te/device/child01/service/s", "{\"@type\":\"service\"}"}, {"te/device/child01//", ""},
      {"te/device/child01///m/", "{\"a\":1}"}, {"te/device/child01/service/s/status/health", "{\"status\":\"up\"}"}},
     CHILD_101 "c8y/s/us/mydev:device:child01 102,mydev:device:child01:service:s,service,s,up\n", NULL},
    /* §3.3 twin */
    {"twin_agent_renamed",
     {{"te/device/main///twin/agent", "{\"name\":\"thin-edge.io\",\"url\":\"https://thin-edge.io\",\"version\":\"1.x\"}"}},
     "c8y/inventory/managedObjects/update/mydev {\"c8y_Agent\":{\"name\":\"thin-edge.io\",\"url\":"
     "\"https://thin-edge.io\",\"version\":\"1.x\"}}\n", NULL},
    {"twin_string_value_dedup_and_delete",
     {{"te/device/main///twin/subtype", "\"my-custom-type\""}, {"te/device/main///twin/subtype", "\"my-custom-type\""},
      {"te/device/main///twin/subtype", ""}, {"te/device/main///twin/subtype", ""}},
     "c8y/inventory/managedObjects/update/mydev {\"subtype\":\"my-custom-type\"}\n"
     "c8y/inventory/managedObjects/update/mydev {\"subtype\":null}\n", NULL},
    {"twin_registration_values_are_cached",
     {CHILD_REG, {"te/device/child01///twin/name", "\"child01\""}, {"te/device/child01///twin/firmware", "{\"v\":1}"}},
     CHILD_101 "c8y/inventory/managedObjects/update/mydev:device:child01 {\"c8y_Firmware\":{\"v\":1}}\n", NULL},
    {"twin_service_type_renamed",
     {{"te/device/main/service/s", "{\"@type\":\"service\"}"}, {"te/device/main/service/s/twin/type", "\"systemd\""}},
     "c8y/s/us 102,mydev:device:main:service:s,service,s,up\n"
     "c8y/inventory/managedObjects/update/mydev:device:main:service:s {\"serviceType\":\"systemd\"}\n", NULL},
    /* §4.5 health */
    {"health_of_child_service",
     {CHILD_REG, {"te/device/child01/service/svc1", "{\"@type\":\"service\"}"},
      {"te/device/child01/service/svc1/status/health", "{\"status\":\"up\"}"},
      {"te/device/child01/service/svc1/status/health", "not json"}},
     CHILD_101 "c8y/s/us/mydev:device:child01 102,mydev:device:child01:service:svc1,service,svc1,up\n"
               "c8y/s/us/mydev:device:child01 102,mydev:device:child01:service:svc1,service,svc1,up\n"
               "c8y/s/us/mydev:device:child01 102,mydev:device:child01:service:svc1,service,svc1,unknown\n", NULL},
    {"health_uses_twin_name_but_literal_service_type",
     {{"te/device/main/service/a", "{\"@type\":\"service\",\"name\":\"A, b\"}"},
      {"te/device/main/service/a/status/health", "{\"status\":\"down\",\"pid\":1}"}},
     "c8y/s/us 102,mydev:device:main:service:a,service,\"A, b\",up\n"
     "c8y/s/us 102,mydev:device:main:service:a,service,\"A, b\",down\n", NULL},
    {"health_of_devices_ignored",
     {{"te/device/main///status/health", "{\"status\":\"up\"}"}}, "", NULL},
    {"bridge_health_gates_init_then_500_when_up",
     {{"te/device/main/service/mosquitto-c8y-bridge/status/health", "1"},
      {"te/device/main/service/mosquitto-c8y-bridge", "{\"@type\":\"service\"}"},
      {"te/device/main/service/mosquitto-c8y-bridge/status/health", "0"},
      {"te/device/main/service/mosquitto-c8y-bridge/status/health", "1"}},
     AGENT("mydev") "c8y/s/us 114\nc8y/s/us 500\n"
     /* the registration, then the health buffered before it */
     "c8y/s/us 102,mydev:device:main:service:mosquitto-c8y-bridge,service,mosquitto-c8y-bridge,up\n"
     "c8y/s/us 102,mydev:device:main:service:mosquitto-c8y-bridge,service,mosquitto-c8y-bridge,up\n"
     "c8y/s/us 500\n"
     "c8y/s/us 102,mydev:device:main:service:mosquitto-c8y-bridge,service,mosquitto-c8y-bridge,down\n"
     "c8y/s/us 102,mydev:device:main:service:mosquitto-c8y-bridge,service,mosquitto-c8y-bridge,up\n"
     "c8y/s/us 500\n", NULL},
    /* §5 capabilities */
    {"capability_restart_and_log_types",
     {{"te/device/main///cmd/restart", "{}"}, {"te/device/main///cmd/restart", "{}"},
      {"te/device/main///cmd/log_upload", "{\"types\":[\"b\",\"a,c\"]}"}},
     "c8y/s/us 114,c8y_Restart\nc8y/s/us 114,c8y_LogfileRequest,c8y_Restart\nc8y/s/us 118,a,c,b\n", NULL},
    {"capability_child_config_types_and_software_list_request",
     {CHILD_REG, {"te/device/child01///cmd/config_snapshot", "{\"types\":[\"z\",\"y\"]}"},
      {"te/device/child01///cmd/software_update", "{\"types\":[\"apt\"]}"}},
     CHILD_101 "c8y/s/us/mydev:device:child01 114,c8y_UploadConfigFile\n"
               "c8y/s/us/mydev:device:child01 119,y,z\n"
               "c8y/s/us/mydev:device:child01 114,c8y_SoftwareUpdate,c8y_UploadConfigFile\n"
               "te/device/child01///cmd/software_list/c8y-mapper-2024-05-01T10-00-00.123456789Z {\"status\":\"init\"}\n",
     NULL},
    {"capability_empty_ignored_and_sync_resends",
     {{"te/device/main///cmd/restart", ""}, {"te/device/main///cmd/restart", "{}"},
      {"te/device/main/service/tedge-mapper-c8y/signal/sync", "{}"}},
     "c8y/s/us 114,c8y_Restart\nc8y/s/us 114,c8y_Restart\n", NULL},
    /* §10 / mqtt-api §7 bad input: nothing for the cloud, a precise error */
    {"bad_measurement_invalid_json", {{"te/device/main///m/t", "{\"a\":1"}}, "",
     "Input message cannot be processed: Not a thin-edge measurement: Invalid JSON"},
    {"bad_measurement_not_object", {{"te/device/main///m/t", "[50,23]"}}, "", "invalid type: sequence"},
    {"bad_measurement_empty", {{"te/device/main///m/t", "{\"time\":1}"}}, "", "Empty Thin Edge measurement"},
    {"bad_measurement_empty_group", {{"te/device/main///m/t", "{\"g\":{}}"}}, "", "\"g\" must contain"},
    {"bad_measurement_bool", {{"te/device/main///m/t", "{\"a\":true}"}}, "", "invalid type: boolean"},
    {"bad_measurement_deep", {{"te/device/main///m/t", "{\"a\":{\"b\":{\"c\":1}}}"}}, "", "Expect single-value"},
    {"bad_measurement_reserved_external_source", {{"te/device/main///m/t", "{\"a\":1,\"externalSource\":\"x\"}"}},
     "", "\"externalSource\" is a reserved word"},
    {"bad_measurement_numeric_type", {{"te/device/main///m/t", "{\"a\":1,\"type\":5}"}}, "", "\"type\" is a reserved"},
    {"bad_measurement_overflow", {{"te/device/main///m/t", "{\"a\":1e400}"}}, "", "out of range"},
    {"bad_measurement_nan", {{"te/device/main///m/t", "{\"a\":NaN}"}}, "", "Invalid JSON"},
    {"bad_measurement_time", {{"te/device/main///m/t", "{\"a\":1,\"time\":\"2013-06-22\"}"}}, "",
     "Invalid ISO8601 timestamp"},
    {"bad_event_text_number", {{"te/device/main///e/t", "{\"text\":5}"}}, "",
     "Not an event payload: Parsing of event message received on topic: te/device/main///e/t failed due to error"},
    {"bad_alarm_json", {{"te/device/main///a/t", "{"}}, "",
     "Alarm conversion error: Parsing of alarm message for the type: t failed"},
    {"bad_twin_json", {{"te/device/main///twin/x", "{bad"}}, "",
     "Failed to convert a message on topic 'te/device/main///twin/x'"},
    {"bad_capability_types", {{"te/device/main///cmd/log_upload", "{}"}}, "", "types"},
    {"bad_registration_json", {{"te/device/x//", "nope"}}, "", "Invalid entity registration message"},
    {"bad_registration_type", {{"te/device/x//", "{\"@type\":\"main-device\"}"}}, "", "unsupported @type"},
    {"bad_registration_device_type_elsewhere", {{"te/device/x//", "{\"@type\":\"device\"}"}}, "", "unsupported"},
    {"bad_registration_id_char", {{"te/device/x//", "{\"@type\":\"child-device\",\"@id\":\"a/b\"}"}}, "",
     "Invalid external ID: a/b contains invalid character: /"},
    {"bad_registration_id_number", {{"te/device/x//", "{\"@type\":\"child-device\",\"@id\":5}"}}, "",
     "must be a string"},
    {"bad_registration_parent_segments",
     {{"te/device/x//", "{\"@type\":\"child-device\",\"@parent\":\"a/b/c/d/e\"}"}}, "", "at most 4 segments"},
    {"bad_registration_self_parent", {{"te/device/x//", "{\"@type\":\"child-device\",\"@parent\":\"device/x//\"}"}},
     "", "registration loop"},
    {"bad_registration_loop_via_update",
     {CHILD_REG, {"te/device/n//", "{\"@type\":\"child-device\",\"@parent\":\"device/child01//\"}"},
      {"te/device/child01//", "{\"@type\":\"child-device\",\"@parent\":\"device/n//\",\"name\":\"child01\","
                              "\"type\":\"SmartHomeHub\"}"}},
     CHILD_101 "c8y/s/us/mydev:device:child01 101,mydev:device:n,mydev:device:n,thin-edge.io-child,false\n"
               "c8y/s/us/mydev:device:n 117,60\n", "registration loop"},
    {"bad_registration_type_change",
     {CHILD_REG, {"te/device/child01//", "{\"@type\":\"service\"}"}}, CHILD_101, "Updating the entity type"},
    {"bad_registration_twin_change",
     {CHILD_REG, {"te/device/child01//", "{\"@type\":\"child-device\",\"name\":\"other\",\"type\":\"SmartHomeHub\"}"}},
     CHILD_101, "Updating the twin data"},
    {"bad_too_few_slashes_is_registration", {{"te/device/main/m/temp", "{\"a\":1}"}}, "",
     "Invalid entity registration message"},
    {"unknown_channel_ignored", {{"te/device/main///foo/x", "{}"}, {"te/device/main///m", "{}"},
                                 {"other/topic", "x"}}, "", NULL},
    {"cycle_of_held_registrations_stays_held",
     {{"te/device/a//", "{\"@type\":\"child-device\",\"@parent\":\"device/b//\"}"},
      {"te/device/b//", "{\"@type\":\"child-device\",\"@parent\":\"device/a//\"}"}}, "", NULL},
    {"good_message_after_bad_is_converted",
     {{"te/device/main///m/t", "{"}, {"te/device/main///m/t", "{\"a\":1}"}},
     MEAS "{\"a\":{\"a\":{\"value\":1.0}},\"time\":\"" NOW_MS "\",\"type\":\"t\"}\n", "Invalid JSON"},
};

/* Runs every row; reports each failing one (not just the first). */
static void run_table(void **state, const conv_case_t *table, size_t n)
{
    size_t failed = 0;
    for (size_t i = 0; i < n; i++) {
        const conv_case_t *c = &table[i];
        setup(state);
        fixture_t *f = *state;
        for (size_t s = 0; s < MAX_STEPS && c->steps[s].topic; s++)
            (void)feed(f, c->steps[s].topic, c->steps[s].payload);
        if (strcmp(f->got, c->expected) != 0 || (c->error ? !strstr(f->error, c->error) : f->error[0] != 0)) {
            print_error("case %s\n--- expected:\n%s--- got:\n%s--- error: %s\n", c->name, c->expected, f->got,
                        f->error);
            failed++;
        }
        teardown(state);
    }
    if (failed) {
        print_error("%zu of %zu rows failed\n", failed, n);
        fail();
    }
}

static void test_conversion_table(void **state)
{
    run_table(state, cases, sizeof cases / sizeof cases[0]);
}

static void test_not_utf8_is_rejected(void **state)
{
    fixture_t *f = *state;
    assert_int_not_equal(feed_len(f, "te/device/main///m/t", "{\"a\xff\":1}", 8), TE_OK);
    assert_string_equal(f->got, "");
    assert_non_null(strstr(f->error, "Not an UTF8 payload"));
}

static void test_oversize_measurement_dropped_with_error(void **state)
{
    fixture_t *f = *state;
    static char payload[20000];
    size_t n = (size_t)snprintf(payload, sizeof payload, "{\"g\":{");
    for (int i = 0; n < 17000; i++)
        n += (size_t)snprintf(payload + n, sizeof payload - n, "%s\"k%d_%080d\":%d", i ? "," : "", i, 0, i);
    snprintf(payload + n, sizeof payload - n, "}}");
    assert_int_equal(feed(f, "te/device/main///m/t", payload), TE_ERR_TOOBIG);
    assert_string_equal(f->got, "");
    assert_non_null(strstr(f->error, "Payload is too large >16184"));
}

static void test_oversize_event_rejected_with_error(void **state)
{
    fixture_t *f = *state;
    static char payload[20000];
    memset(payload, 'a', sizeof payload);
    memcpy(payload, "{\"text\":\"", 9);
    memcpy(payload + 17000, "\"}", 3);
    assert_int_equal(feed(f, "te/device/main///e/t", payload), TE_ERR_TOOBIG);
    assert_string_equal(f->got, "");
    assert_non_null(strstr(f->error, "Payload is too large"));
}

static void test_size_limit_is_on_the_packet(void **state)
{
    (void)state;
    /* 1 + 2 (remaining length 200 needs 2 bytes) + 2 + topic + 2 + payload */
    assert_int_equal(te_c8y_packet_size(8, 188), 1 + 2 + 200);
    assert_int_equal(te_c8y_packet_size(8, 10), 1 + 1 + 22);
}

static void test_flood_of_unregistered_ids_stays_bounded(void **state)
{
    fixture_t *f = *state;
    char topic[128];
    for (int i = 0; i < 10000; i++) {
        snprintf(topic, sizeof topic, "te/device/flood%d///m/t", i);
        (void)feed(f, topic, "{\"a\":1}");
        assert_true(te_c8y_pending_entities(f->st) <= 1024);
    }
    assert_string_equal(f->got, "");
    assert_true(te_c8y_dropped_messages(f->st) >= 10000 - 1024);
    /* the newest ones are still held and come out on registration */
    f->error[0] = '\0';
    (void)feed(f, "te/device/flood9999//", "{\"@type\":\"child-device\"}");
    assert_non_null(strstr(f->got, "mydev:device:flood9999"));
    assert_non_null(strstr(f->got, MEAS));
    /* and a good main-device message still converts */
    (void)feed(f, "te/device/main///m/t", "{\"a\":2}");
    assert_non_null(strstr(f->got, "{\"a\":{\"value\":2.0}}"));
}

static void test_ring_keeps_the_newest_128(void **state)
{
    fixture_t *f = *state;
    char payload[64];
    for (int i = 0; i < 200; i++) {
        snprintf(payload, sizeof payload, "{\"n\":%d}", i);
        (void)feed(f, "te/device/c///m/t", payload);
    }
    assert_int_equal(te_c8y_dropped_messages(f->st), 72);
    f->got[0] = '\0';
    (void)feed(f, "te/device/c//", "{\"@type\":\"child-device\"}");
    assert_null(strstr(f->got, "\"value\":71.0"));
    char *first = strstr(f->got, "\"value\":72.0");
    char *last = strstr(f->got, "\"value\":199.0");
    assert_non_null(first);
    assert_non_null(last);
    assert_true(first < last);
}

static void test_start_sends_117_and_init_after_bridge(void **state)
{
    fixture_t *f = *state;
    char path[256];
    snprintf(path, sizeof path, "%s/operations/c8y/c8y_Restart", f->dir);
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    fclose(fp);
    snprintf(path, sizeof path, "%s/operations/c8y/c8y_Command.template", f->dir);
    fp = fopen(path, "w");
    fclose(fp);
    snprintf(path, sizeof path, "%s/operations/c8y/c8y_LogfileRequest", f->dir);
    fp = fopen(path, "w");
    fclose(fp);
    te_c8y_config_t cfg;
    te_c8y_config_defaults(&cfg, "mydev", f->dir);
    te_c8y_t *st;
    assert_int_equal(te_c8y_new(&st, &cfg), TE_OK);
    te_out_reset(&f->out);
    assert_int_equal(te_c8y_start(st, &f->out), TE_OK);
    assert_int_equal(f->out.n, 1);
    assert_string_equal(f->out.msgs[0].topic, "c8y/s/us");
    assert_string_equal(f->out.msgs[0].payload, "117,60");
    te_c8y_t *keep = f->st;
    f->st = st;
    (void)feed(f, "te/device/main/service/mosquitto-c8y-bridge/status/health", "garbage");
    assert_string_equal(f->got, "");
    (void)feed(f, "te/device/main/service/mosquitto-c8y-bridge/status/health", "0");
    assert_string_equal(f->got, AGENT("mydev") "c8y/s/us 114,c8y_LogfileRequest,c8y_Restart\nc8y/s/us 500\n");
    /* inotify path: a file removed -> 114 again; nothing when unchanged */
    snprintf(path, sizeof path, "%s/operations/c8y/c8y_LogfileRequest", f->dir);
    unlink(path);
    te_out_reset(&f->out);
    te_c8y_reload_main_ops(st, &f->out);
    te_c8y_reload_main_ops(st, &f->out);
    assert_int_equal(f->out.n, 1);
    assert_string_equal(f->out.msgs[0].payload, "114,c8y_Restart");
    f->st = keep;
    te_c8y_free(st);
}

static void test_last_will(void **state)
{
    (void)state;
    te_c8y_config_t cfg;
    te_c8y_config_defaults(&cfg, "mydev", "/tmp");
    char topic[64], payload[256];
    assert_int_equal(te_c8y_last_will(&cfg, topic, sizeof topic, payload, sizeof payload), TE_OK);
    assert_string_equal(topic, "c8y/s/us");
    assert_string_equal(payload, "102,mydev:device:main:service:tedge-mapper-c8y,service,tedge-mapper-c8y,down");
}

static void test_heartbeat_for_devices_whose_agent_is_up(void **state)
{
    fixture_t *f = *state;
    (void)feed(f, "te/device/main/service/tedge-agent", "{\"@type\":\"service\"}");
    (void)feed(f, "te/device/main/service/tedge-agent/status/health", "{\"status\":\"up\"}");
    te_out_reset(&f->out);
    te_c8y_tick(f->st, 1000, &f->out);           /* schedules */
    te_c8y_tick(f->st, 1000 + 1799000, &f->out); /* not yet: 30 min period */
    assert_int_equal(f->out.n, 0);
    te_c8y_tick(f->st, 1000 + 1800000, &f->out);
    assert_int_equal(f->out.n, 1);
    assert_string_equal(f->out.msgs[0].topic, "c8y/inventory/managedObjects/update/mydev");
    assert_string_equal(f->out.msgs[0].payload, "{}");
}

/* §4.4 start-up sync: collected for the window, then clear / skip / convert. */
static void test_alarm_sync_after_the_window(void **state)
{
    fixture_t *f = *state;
    assert_int_equal(te_c8y_alarm_sync_begin(f->st, 3000), TE_OK);
    assert_true(te_c8y_alarm_syncing(f->st));
    /* cleared while the mapper was down: only the journal is left */
    (void)feed(f, JOURNAL "te/device/main///a/gone", "{\"text\":\"g\",\"time\":\"2024-01-01T00:00:00Z\"}");
    /* already in the cloud: identical, and stamped by the journal */
    (void)feed(f, JOURNAL "te/device/main///a/same", "{\"text\":\"s\",\"time\":\"2024-01-01T00:00:00Z\"}");
    (void)feed(f, "te/device/main///a/same", "{\"text\":\"s\",\"time\":\"2024-01-01T00:00:00Z\"}");
    (void)feed(f, JOURNAL "te/device/main///a/stamped", "{\"text\":\"t\",\"time\":\"2024-01-01T00:00:00Z\"}");
    (void)feed(f, "te/device/main///a/stamped", "{\"text\":\"t\"}");
    /* changed while down; raised anew; only the last message of a topic counts */
    (void)feed(f, JOURNAL "te/device/main///a/changed", "{\"severity\":\"minor\",\"text\":\"c\"}");
    (void)feed(f, "te/device/main///a/changed", "{\"severity\":\"major\",\"text\":\"c\"}");
    (void)feed(f, "te/device/main///a/new", "{\"severity\":\"critical\",\"text\":\"first\"}");
    (void)feed(f, "te/device/main///a/new", "{\"severity\":\"critical\",\"text\":\"second\"}");
    /* a journal entry deleted within the window is no entry */
    (void)feed(f, JOURNAL "te/device/main///a/dropped", "{\"text\":\"d\"}");
    (void)feed(f, JOURNAL "te/device/main///a/dropped", "");
    /* a child not registered yet: its clear waits for the registration */
    (void)feed(f, JOURNAL "te/device/child01///a/c", "{\"text\":\"c\"}");
    /* a journal entry that is not an alarm topic is ignored */
    (void)feed(f, JOURNAL "te/device/main///m/x", "{}");
    te_out_reset(&f->out);
    te_c8y_tick(f->st, 2999, &f->out);
    assert_string_equal(f->got, "");
    assert_int_equal(f->out.n, 0);
    te_c8y_tick(f->st, 3000, &f->out);
    assert_false(te_c8y_alarm_syncing(f->st));
    f->got[0] = '\0';
    for (size_t i = 0; i < f->out.n; i++) {
        size_t n = strlen(f->got);
        snprintf(f->got + n, sizeof f->got - n, "%s %.*s\n", f->out.msgs[i].topic, (int)f->out.msgs[i].len,
                 f->out.msgs[i].payload);
    }
    assert_string_equal(f->got,
        "c8y/s/us 306,gone\n" JOURNAL "te/device/main///a/gone \n"
        "c8y/s/us 302,changed,c," NOW "\n"
        JOURNAL "te/device/main///a/changed {\"severity\":\"major\",\"text\":\"c\",\"time\":\"" NOW "\"}\n"
        "c8y/s/us 301,new,second," NOW "\n"
        JOURNAL "te/device/main///a/new {\"severity\":\"critical\",\"text\":\"second\",\"time\":\"" NOW "\"}\n");
    /* afterwards: immediate conversion, journal echoes ignored */
    f->got[0] = '\0';
    (void)feed(f, JOURNAL "te/device/main///a/later", "{\"text\":\"l\"}");
    (void)feed(f, "te/device/main///a/later", "{\"text\":\"l\",\"time\":\"2024-01-01T00:00:00Z\"}");
    assert_string_equal(f->got, "c8y/s/us 303,later,l,2024-01-01T00:00:00Z\n"
                                JOURNAL "te/device/main///a/later {\"text\":\"l\",\"time\":\"2024-01-01T00:00:00Z\"}\n");
    f->got[0] = '\0';
    (void)feed(f, "te/device/child01//", "{\"@type\":\"child-device\",\"name\":\"child01\",\"type\":\"SmartHomeHub\"}");
    assert_string_equal(f->got, CHILD_101 "c8y/s/us/mydev:device:child01 306,c\n" JOURNAL "te/device/child01///a/c \n");
}

/* The collection is bounded: past TE_C8Y_SYNC_MAX_ALARMS topics, alarms convert at once. */
static void test_alarm_sync_is_bounded(void **state)
{
    fixture_t *f = *state;
    assert_int_equal(te_c8y_alarm_sync_begin(f->st, 3000), TE_OK);
    char topic[128];
    for (int i = 0; i < TE_C8Y_SYNC_MAX_ALARMS; i++) {
        snprintf(topic, sizeof topic, "te/device/main///a/t%d", i);
        (void)feed(f, topic, "{\"text\":\"x\",\"time\":\"2024-01-01T00:00:00Z\"}");
    }
    assert_string_equal(f->got, "");
    (void)feed(f, "te/device/main///a/over", "{\"text\":\"x\",\"time\":\"2024-01-01T00:00:00Z\"}");
    assert_non_null(strstr(f->got, "c8y/s/us 303,over,x,2024-01-01T00:00:00Z\n"));
    /* a sync left running is released with the state (LSan checks) */
}

static void test_csv_writer_quotes_only_when_needed(void **state)
{
    (void)state;
    char mem[64];
    te_c8y_buf_t b;
    te_c8y_buf_init(&b, mem, sizeof mem);
    te_c8y_buf_str(&b, "301");
    te_c8y_csv_field(&b, "plain");
    te_c8y_csv_field(&b, "a,b");
    te_c8y_csv_field(&b, "say \"hi\"");
    te_c8y_csv_field(&b, "l1\nl2");
    te_c8y_csv_field(&b, "");
    assert_string_equal(mem, "301,plain,\"a,b\",\"say \"\"hi\"\"\",\"l1\nl2\",");
    te_c8y_buf_init(&b, mem, 8);
    te_c8y_buf_str(&b, "12345678");
    assert_true(b.overflow);
    assert_string_equal(mem, "");
}

static void test_json_writer_escapes_like_serde(void **state)
{
    (void)state;
    char mem[128];
    te_c8y_buf_t b;
    te_c8y_buf_init(&b, mem, sizeof mem);
    te_c8y_json_cstring(&b, "a\"\\/\n\x01\xc2\xb0");
    assert_string_equal(mem, "\"a\\\"\\\\/\\n\\u0001\xc2\xb0\"");
    te_c8y_buf_reset(&b);
    json_t *v = json_loads("{\"x\":[0.1,1.0,3,-0.0,1e300]}", 0, NULL);
    assert_int_equal(te_c8y_json_value(&b, v), TE_OK);
    json_decref(v);
    assert_string_equal(mem, "{\"x\":[0.1,1.0,3,-0.0,1e300]}");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_conversion_table),
        cmocka_unit_test_setup_teardown(test_not_utf8_is_rejected, setup, teardown),
        cmocka_unit_test_setup_teardown(test_oversize_measurement_dropped_with_error, setup, teardown),
        cmocka_unit_test_setup_teardown(test_oversize_event_rejected_with_error, setup, teardown),
        cmocka_unit_test(test_size_limit_is_on_the_packet),
        cmocka_unit_test_setup_teardown(test_flood_of_unregistered_ids_stays_bounded, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ring_keeps_the_newest_128, setup, teardown),
        cmocka_unit_test_setup_teardown(test_start_sends_117_and_init_after_bridge, setup, teardown),
        cmocka_unit_test(test_last_will),
        cmocka_unit_test_setup_teardown(test_heartbeat_for_devices_whose_agent_is_up, setup, teardown),
        cmocka_unit_test_setup_teardown(test_alarm_sync_after_the_window, setup, teardown),
        cmocka_unit_test_setup_teardown(test_alarm_sync_is_bounded, setup, teardown),
        cmocka_unit_test(test_csv_writer_quotes_only_when_needed),
        cmocka_unit_test(test_json_writer_escapes_like_serde),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
