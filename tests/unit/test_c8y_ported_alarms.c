/* Unit tests: thin-edge.io's own test cases for the c8y mapper's alarms
 * (mapper-c8y.md §4.4): SmartREST 301-304/306 vs JSON with fragments, child,
 * service and nested sources, defaults, CSV quoting, and the arrival orders
 * of shuffled_tests.rs. Each converted alarm is also journalled on
 * c8y-internal/alarms/<topic> (§4.4), which the rows list after it. */
#include "c8y_table.h"

#define REG_CHILD(id) {"te/device/" id "//", "{\"@type\":\"child-device\"}"}
#define OUT_CHILD(id) "c8y/s/us 101," TD ":device:" id "," TD ":device:" id ",thin-edge.io-child,false\n" \
                      "c8y/s/us/" TD ":device:" id " 117,60\n"
#define REG_SERVICE(dev, svc) {"te/device/" dev "/service/" svc, "{\"@type\":\"service\"}"}
#define OUT_MAIN_SERVICE(svc) "c8y/s/us 102," TD ":device:main:service:" svc ",service," svc ",up\n"
#define OUT_CHILD_SERVICE(dev, svc) \
    "c8y/s/us/" TD ":device:" dev " 102," TD ":device:" dev ":service:" svc ",service," svc ",up\n"
#define REG_IMMEDIATE \
    {"te/device/immediate_child//", "{\"@type\":\"child-device\",\"@parent\":\"device/main//\",\"@id\":\"immediate_child\"}"}
#define REG_NESTED_CHILD \
    {"te/device/nested_child//", "{\"@type\":\"child-device\",\"@parent\":\"device/immediate_child//\",\"@id\":\"nested_child\"}"}
#define REG_NESTED_SERVICE \
    {"te/device/nested_child/service/nested_service", \
     "{\"@type\":\"service\",\"@parent\":\"device/nested_child//\",\"@id\":\"nested_service\"}"}
#define OUT_NESTED \
    "c8y/s/us 101,immediate_child,immediate_child,thin-edge.io-child,false\n" \
    "c8y/s/us/immediate_child 117,60\n" \
    "c8y/s/us/immediate_child 101,nested_child,nested_child,thin-edge.io-child,false\n" \
    "c8y/s/us/nested_child 117,60\n"
#define OUT_NESTED_SERVICE "c8y/s/us/nested_child 102,nested_service,service,nested_service,up\n"
#define T2 "2023-01-25T18:41:14.776170774Z"
#define T3 "2023-10-13T15:00:07.172674353Z"
#define T5 "2021-04-23T19:00:00+05:00"
#define CUSTOM_FRAGMENT "\"customFragment\":{\"nested\":{\"value\":\"extra info\"}}"
#define OTHER_FRAGMENT "\"someOtherCustomFragment\":{\"nested\":{\"value\":\"extra info\"}}"
#define SENSOR_US "c8y/s/us/" TD ":device:external_sensor "

static void prefix_custom(te_c8y_config_t *c)
{
    snprintf(c->prefix, sizeof c->prefix, "custom");
}

/* converter.rs check_c8y_threshold_packet_size: a 20 KiB text */
static char big_alarm[20 * 1024 + 32];

static const c8y_row_t rows[] = {
    {.name = "alarm_mapping_to_smartrest",
     .source = "c8y_mapper_ext/src/tests.rs :: c8y_mapper_alarm_mapping_to_smartrest",
     .steps = {{"te/device/main///a/temperature_alarm", "{\"severity\":\"major\",\"text\":\"Temperature high\"}"}},
     .expected = "c8y/s/us 302,temperature_alarm,Temperature high," NOW "\n"
         JOURNAL "te/device/main///a/temperature_alarm {\"severity\":\"major\",\"text\":\"Temperature high\","
         "\"time\":\"" NOW "\"}\n"},
    {.name = "child_alarm_mapping_to_smartrest",
     .source = "c8y_mapper_ext/src/tests.rs :: c8y_mapper_child_alarm_mapping_to_smartrest",
     .steps = {REG_CHILD("external_sensor"),
               {"te/device/external_sensor///a/temperature_high", "{\"severity\":\"minor\",\"text\":\"Temperature high\"}"}},
     .expected = OUT_CHILD("external_sensor") SENSOR_US "303,temperature_high,Temperature high," NOW "\n"
         JOURNAL "te/device/external_sensor///a/temperature_high {\"severity\":\"minor\",\"text\":\"Temperature high\","
         "\"time\":\"" NOW "\"}\n"},
    {.name = "alarm_with_custom_fragment_to_json",
     .source = "c8y_mapper_ext/src/tests.rs :: c8y_mapper_alarm_with_custom_fragment_mapping_to_c8y_json",
     .steps = {{"te/device/main///a/custom_temperature_alarm",
                "{\"severity\":\"major\",\"text\":\"Temperature high\",\"time\":\"" T2 "\"," CUSTOM_FRAGMENT "}"}},
     .expected = ALARMS "{\"type\":\"custom_temperature_alarm\",\"severity\":\"MAJOR\",\"text\":\"Temperature high\","
         "\"time\":\"" T2 "\"," CUSTOM_FRAGMENT "}\n"
         JOURNAL "te/device/main///a/custom_temperature_alarm {\"severity\":\"major\",\"text\":\"Temperature high\","
         "\"time\":\"" T2 "\"," CUSTOM_FRAGMENT "}\n"},
    {.name = "child_alarm_with_custom_fragment_to_json",
     .source = "c8y_mapper_ext/src/tests.rs :: c8y_mapper_child_alarm_with_custom_fragment_mapping_to_c8y_json",
     .steps = {REG_CHILD("external_sensor"),
               {"te/device/external_sensor///a/custom_temperature_alarm",
                "{\"severity\":\"major\",\"text\":\"Temperature high\",\"time\":\"" T2 "\"," CUSTOM_FRAGMENT "}"}},
     .expected = OUT_CHILD("external_sensor")
         ALARMS "{\"type\":\"custom_temperature_alarm\"," XSRC(TD ":device:external_sensor") ",\"severity\":\"MAJOR\","
         "\"text\":\"Temperature high\",\"time\":\"" T2 "\"," CUSTOM_FRAGMENT "}\n"
         JOURNAL "te/device/external_sensor///a/custom_temperature_alarm {\"severity\":\"major\",\"text\":"
         "\"Temperature high\",\"time\":\"" T2 "\"," CUSTOM_FRAGMENT "}\n"},
    {.name = "alarm_with_message_as_custom_fragment",
     .source = "c8y_mapper_ext/src/tests.rs :: c8y_mapper_alarm_with_message_as_custom_fragment_mapping_to_c8y_json",
     .steps = {{"te/device/main///a/custom_msg_pressure_alarm",
                "{\"severity\":\"major\",\"text\":\"Pressure high\",\"time\":\"" T2 "\",\"message\":\"custom message\"}"}},
     .expected = ALARMS "{\"type\":\"custom_msg_pressure_alarm\",\"severity\":\"MAJOR\",\"text\":\"Pressure high\","
         "\"time\":\"" T2 "\",\"message\":\"custom message\"}\n"
         JOURNAL "te/device/main///a/custom_msg_pressure_alarm {\"severity\":\"major\",\"text\":\"Pressure high\","
         "\"time\":\"" T2 "\",\"message\":\"custom message\"}\n"},
    {.name = "child_alarm_with_message_as_custom_fragment",
     .source = "c8y_mapper_ext/src/tests.rs :: c8y_mapper_child_alarm_with_message_custom_fragment_mapping_to_c8y_json",
     .steps = {REG_CHILD("external_sensor"),
               {"te/device/external_sensor///a/child_custom_msg_pressure_alarm",
                "{\"severity\":\"major\",\"text\":\"Pressure high\",\"time\":\"" T2 "\",\"message\":\"custom message\"}"}},
     .expected = OUT_CHILD("external_sensor")
         ALARMS "{\"type\":\"child_custom_msg_pressure_alarm\"," XSRC(TD ":device:external_sensor") ",\"severity\":"
         "\"MAJOR\",\"text\":\"Pressure high\",\"time\":\"" T2 "\",\"message\":\"custom message\"}\n"
         JOURNAL "te/device/external_sensor///a/child_custom_msg_pressure_alarm {\"severity\":\"major\",\"text\":"
         "\"Pressure high\",\"time\":\"" T2 "\",\"message\":\"custom message\"}\n"},
    {.name = "child_alarm_without_text_uses_type",
     .source = "c8y_mapper_ext/src/tests.rs :: c8y_mapper_child_alarm_with_custom_message",
     .steps = {REG_CHILD("external_sensor"),
               {"te/device/external_sensor///a/child_msg_to_text_pressure_alarm",
                "{\"severity\":\"major\",\"time\":\"" T2 "\",\"message\":\"Pressure high\"}"}},
     .expected = OUT_CHILD("external_sensor")
         ALARMS "{\"type\":\"child_msg_to_text_pressure_alarm\"," XSRC(TD ":device:external_sensor") ",\"severity\":"
         "\"MAJOR\",\"text\":\"child_msg_to_text_pressure_alarm\",\"time\":\"" T2 "\",\"message\":\"Pressure high\"}\n"
         JOURNAL "te/device/external_sensor///a/child_msg_to_text_pressure_alarm {\"severity\":\"major\",\"time\":\""
         T2 "\",\"message\":\"Pressure high\"}\n"},
    {.name = "alarm_without_text_uses_type",
     .source = "c8y_mapper_ext/src/tests.rs :: c8y_mapper_alarm_with_custom_message",
     .steps = {{"te/device/main///a/msg_to_text_pressure_alarm",
                "{\"severity\":\"major\",\"time\":\"" T2 "\",\"message\":\"Pressure high\"}"}},
     .expected = ALARMS "{\"type\":\"msg_to_text_pressure_alarm\",\"severity\":\"MAJOR\",\"text\":"
         "\"msg_to_text_pressure_alarm\",\"time\":\"" T2 "\",\"message\":\"Pressure high\"}\n"
         JOURNAL "te/device/main///a/msg_to_text_pressure_alarm {\"severity\":\"major\",\"time\":\"" T2 "\","
         "\"message\":\"Pressure high\"}\n"},
    {.name = "child_alarm_empty_payload_clears",
     .source = "c8y_mapper_ext/src/tests.rs :: c8y_mapper_child_alarm_empty_payload",
     .steps = {REG_CHILD("external_sensor"), {"te/device/external_sensor///a/empty_temperature_alarm", ""}},
     .expected = OUT_CHILD("external_sensor") SENSOR_US "306,empty_temperature_alarm\n"
         JOURNAL "te/device/external_sensor///a/empty_temperature_alarm \n"},
    {.name = "alarm_empty_payload_clears",
     .source = "c8y_mapper_ext/src/tests.rs :: c8y_mapper_alarm_empty_payload",
     .steps = {{"te/device/main///a/empty_temperature_alarm", ""}},
     .expected = "c8y/s/us 306,empty_temperature_alarm\n" JOURNAL "te/device/main///a/empty_temperature_alarm \n"},
    {.name = "alarm_empty_json_payload",
     .source = "c8y_mapper_ext/src/tests.rs :: c8y_mapper_alarm_empty_json_payload",
     .steps = {{"te/device/main///a/empty_temperature_alarm", "{}"}},
     .expected = "c8y/s/us 303,empty_temperature_alarm,empty_temperature_alarm," NOW "\n"
         JOURNAL "te/device/main///a/empty_temperature_alarm {\"time\":\"" NOW "\"}\n"},
    {.name = "child_service_alarm_on_the_service_topic",
     .source = "c8y_mapper_ext/src/tests.rs :: c8y_mapper_child_service_alarm",
     .steps = {REG_CHILD("external_sensor"), REG_SERVICE("external_sensor", "service_child"),
               {"te/device/external_sensor/service/service_child/a/custom_alarm",
                "{\"severity\":\"critical\",\"text\":\"temperature alarm\",\"time\":\"" T2 "\"}"}},
     .expected = OUT_CHILD("external_sensor") OUT_CHILD_SERVICE("external_sensor", "service_child")
         "c8y/s/us/" TD ":device:external_sensor:service:service_child 301,custom_alarm,temperature alarm," T2 "\n"
         JOURNAL "te/device/external_sensor/service/service_child/a/custom_alarm {\"severity\":\"critical\","
         "\"text\":\"temperature alarm\",\"time\":\"" T2 "\"}\n"},
    {.name = "main_service_alarm_on_the_service_topic",
     .source = "c8y_mapper_ext/src/tests.rs :: c8y_mapper_main_service_alarm",
     .steps = {REG_SERVICE("main", "service_main"),
               {"te/device/main/service/service_main/a/custom_alarm",
                "{\"severity\":\"critical\",\"text\":\"temperature alarm\",\"time\":\"" T2 "\"}"}},
     .expected = OUT_MAIN_SERVICE("service_main")
         "c8y/s/us/" TD ":device:main:service:service_main 301,custom_alarm,temperature alarm," T2 "\n"
         JOURNAL "te/device/main/service/service_main/a/custom_alarm {\"severity\":\"critical\",\"text\":"
         "\"temperature alarm\",\"time\":\"" T2 "\"}\n"},
    {.name = "alarm_complex_text_fails",
     .source = "c8y_mapper_ext/src/tests.rs :: c8y_mapper_alarm_complex_text_fragment_in_payload_failed",
     .steps = {{"te/device/main///a/complex_text_alarm", "{\"severity\":\"major\",\"text\":{\"nested\":{\"value\":"
                "\"extra info\"}},\"time\":\"" T2 "\",\"message\":\"custom message\"}"}},
     .expected = "",
     .error = "Parsing of alarm message for the type: complex_text_alarm failed due to error: invalid"},
    {.name = "nested_child_alarm",
     .source = "c8y_mapper_ext/src/tests.rs :: c8y_mapper_nested_child_alarm_mapping_to_smartrest",
     .steps = {REG_IMMEDIATE, REG_NESTED_CHILD,
               {"te/device/nested_child///a/", "{\"severity\":\"minor\",\"text\":\"Temperature high\",\"time\":\"" T3 "\"}"}},
     .expected = OUT_NESTED "c8y/s/us/nested_child 303,ThinEdgeAlarm,Temperature high," T3 "\n"
         JOURNAL "te/device/nested_child///a/ {\"severity\":\"minor\",\"text\":\"Temperature high\",\"time\":\"" T3 "\"}\n"},
    {.name = "nested_child_service_alarm",
     .source = "c8y_mapper_ext/src/tests.rs :: c8y_mapper_nested_child_service_alarm_mapping_to_smartrest",
     .steps = {REG_IMMEDIATE, REG_NESTED_CHILD, REG_NESTED_SERVICE,
               {"te/device/nested_child/service/nested_service/a/",
                "{\"severity\":\"minor\",\"text\":\"Temperature high\",\"time\":\"" T3 "\"}"}},
     .expected = OUT_NESTED OUT_NESTED_SERVICE "c8y/s/us/nested_service 303,ThinEdgeAlarm,Temperature high," T3 "\n"
         JOURNAL "te/device/nested_child/service/nested_service/a/ {\"severity\":\"minor\",\"text\":\"Temperature high\","
         "\"time\":\"" T3 "\"}\n"},
    {.name = "alarm_too_big_is_rejected",
     .source = "c8y_mapper_ext/src/converter.rs :: check_c8y_threshold_packet_size",
     .steps = {{"te/device/main///a/temperature_alarm", big_alarm}},
     .expected = "", .error = "Payload is too large"},
    /* ---- c8y_api json_c8y.rs / smartrest/alarm.rs translations ---- */
    {.name = "critical_alarm_with_space_in_type",
     .source = "c8y_api/src/json_c8y.rs :: check_alarm_translation (critical alarm translation)",
     .steps = {{"te/device/main///a/temperature alarm", "{\"severity\":\"critical\",\"text\":\"Temperature went high\","
                "\"time\":\"" T5 "\"}"}},
     .expected = "c8y/s/us 301,temperature alarm,Temperature went high," T5 "\n"
         JOURNAL "te/device/main///a/temperature alarm {\"severity\":\"critical\",\"text\":\"Temperature went high\","
         "\"time\":\"" T5 "\"}\n"},
    {.name = "alarm_default_values",
     .source = "c8y_api/src/json_c8y.rs :: check_alarm_translation (using default values of alarm)",
     .steps = {{"te/device/main///a/", "{\"severity\":\"invalid\",\"time\":\"" T5 "\"}"}},
     .expected = "c8y/s/us 303,ThinEdgeAlarm,ThinEdgeAlarm," T5 "\n"
         JOURNAL "te/device/main///a/ {\"severity\":\"invalid\",\"time\":\"" T5 "\"}\n"},
    {.name = "alarm_clear_with_default_type",
     .source = "c8y_api/src/json_c8y.rs :: check_alarm_translation (convert to clear alarm)",
     .steps = {{"te/device/main///a/", ""}},
     .expected = "c8y/s/us 306,ThinEdgeAlarm\n" JOURNAL "te/device/main///a/ \n"},
    {.name = "warning_alarm_with_commas_in_text",
     .source = "c8y_api/src/smartrest/alarm.rs :: check_alarm_translation (warning alarm translation with commas)",
     .steps = {{"te/device/main///a/temperature_alarm", "{\"severity\":\"warning\",\"text\":\"I, raised, it\","
                "\"time\":\"" T5 "\"}"}},
     .expected = "c8y/s/us 304,temperature_alarm,\"I, raised, it\"," T5 "\n"
         JOURNAL "te/device/main///a/temperature_alarm {\"severity\":\"warning\",\"text\":\"I, raised, it\",\"time\":\""
         T5 "\"}\n"},
    {.name = "minor_alarm_with_empty_text",
     .source = "c8y_api/src/smartrest/alarm.rs :: check_alarm_translation (minor alarm translation without message)",
     .steps = {{"te/device/main///a/temperature_alarm", "{\"severity\":\"minor\",\"text\":\"\",\"time\":\"" T5 "\"}"}},
     .expected = "c8y/s/us 303,temperature_alarm,," T5 "\n"
         JOURNAL "te/device/main///a/temperature_alarm {\"severity\":\"minor\",\"text\":\"\",\"time\":\"" T5 "\"}\n"},
    {.name = "child_warning_with_double_quotes",
     .source = "c8y_api/src/smartrest/alarm.rs :: check_alarm_translation (warning with double quote in message)",
     .steps = {REG_CHILD("External_source"),
               {"te/device/External_source///a/temperature_alarm", "{\"severity\":\"warning\",\"text\":"
                "\"External \\\"sensor\\\" raised alarm\",\"time\":\"" T5 "\"}"},
               {"te/device/External_source///a/temperature_alarm", ""}},
     .expected = OUT_CHILD("External_source")
         "c8y/s/us/" TD ":device:External_source 304,temperature_alarm,\"External \"\"sensor\"\" raised alarm\"," T5 "\n"
         JOURNAL "te/device/External_source///a/temperature_alarm {\"severity\":\"warning\",\"text\":"
         "\"External \\\"sensor\\\" raised alarm\",\"time\":\"" T5 "\"}\n"
         "c8y/s/us/" TD ":device:External_source 306,temperature_alarm\n"
         JOURNAL "te/device/External_source///a/temperature_alarm \n"},
    {.name = "severity_names_are_case_sensitive",
     .source = "c8y_api/src/json_c8y.rs :: AlarmSeverity::try_from (only lower-case names; others -> DEFAULT_ALARM_SEVERITY)",
     .steps = {{"te/device/main///a/t", "{\"severity\":\"MAJOR\",\"text\":\"x\",\"time\":\"" T5 "\"}"}},
     .expected = "c8y/s/us 303,t,x," T5 "\n"
         JOURNAL "te/device/main///a/t {\"severity\":\"MAJOR\",\"text\":\"x\",\"time\":\"" T5 "\"}\n"},
    {.name = "child_alarm_with_custom_prefix",
     .source = "c8y_api/src/smartrest/topic.rs :: convert_c8y_topic_to_str (custom/s/us/child-id)",
     .cfg = prefix_custom,
     .steps = {{"te/device/child-id//", "{\"@type\":\"child-device\",\"@id\":\"child-id\"}"},
               {"te/device/child-id///a/t", "{\"text\":\"x\",\"time\":\"" T5 "\"}"}},
     .expected = "custom/s/us 101,child-id,child-id,thin-edge.io-child,false\ncustom/s/us/child-id 117,60\n"
         "custom/s/us/child-id 303,t,x," T5 "\n"
         JOURNAL "te/device/child-id///a/t {\"text\":\"x\",\"time\":\"" T5 "\"}\n"},
    /* ---- RobotFramework telemetry/thin-edge_device_telemetry.robot ---- */
    {.name = "robot_custom_alarm_with_fragment",
     .source = "thin-edge_device_telemetry.robot :: Thin-edge devices support sending custom alarms #1699",
     .steps = {{"te/device/main///a/myCustomAlarmType", "{\"severity\":\"critical\",\"text\":\"Some test alarm\","
                OTHER_FRAGMENT "}"}},
     .expected = ALARMS "{\"type\":\"myCustomAlarmType\",\"severity\":\"CRITICAL\",\"text\":\"Some test alarm\","
         "\"time\":\"" NOW "\"," OTHER_FRAGMENT "}\n"
         JOURNAL "te/device/main///a/myCustomAlarmType {\"severity\":\"critical\",\"text\":\"Some test alarm\","
         OTHER_FRAGMENT ",\"time\":\"" NOW "\"}\n"},
    {.name = "robot_custom_alarm_overriding_type",
     .source = "thin-edge_device_telemetry.robot :: Thin-edge devices support sending custom alarms overriding the type",
     .steps = {{"te/device/main///a/myCustomAlarmType", "{\"severity\":\"critical\",\"text\":\"Some test alarm\","
                "\"type\":\"otherType\"," OTHER_FRAGMENT "}"}},
     .expected = ALARMS "{\"type\":\"otherType\",\"severity\":\"CRITICAL\",\"text\":\"Some test alarm\","
         "\"time\":\"" NOW "\"," OTHER_FRAGMENT "}\n"
         JOURNAL "te/device/main///a/myCustomAlarmType {\"severity\":\"critical\",\"text\":\"Some test alarm\","
         "\"type\":\"otherType\"," OTHER_FRAGMENT ",\"time\":\"" NOW "\"}\n"},
    {.name = "robot_custom_alarm_without_type_in_topic",
     .source = "thin-edge_device_telemetry.robot :: Thin-edge devices support sending custom alarms without type in topic",
     .steps = {{"te/device/main///a/", "{\"severity\":\"critical\",\"text\":\"Some test alarm\"," OTHER_FRAGMENT "}"}},
     .expected = ALARMS "{\"type\":\"ThinEdgeAlarm\",\"severity\":\"CRITICAL\",\"text\":\"Some test alarm\","
         "\"time\":\"" NOW "\"," OTHER_FRAGMENT "}\n"
         JOURNAL "te/device/main///a/ {\"severity\":\"critical\",\"text\":\"Some test alarm\"," OTHER_FRAGMENT
         ",\"time\":\"" NOW "\"}\n"},
    {.name = "robot_alarm_without_severity_is_minor",
     .source = "thin-edge_device_telemetry.robot :: ... custom alarms without severity in payload",
     .steps = {{"te/device/main///a/myCustomAlarmType2", "{\"text\":\"Some test alarm\"}"}},
     .expected = "c8y/s/us 303,myCustomAlarmType2,Some test alarm," NOW "\n"
         JOURNAL "te/device/main///a/myCustomAlarmType2 {\"text\":\"Some test alarm\",\"time\":\"" NOW "\"}\n"},
    {.name = "robot_alarm_with_unknown_severity_is_minor",
     .source = "thin-edge_device_telemetry.robot :: ... custom alarms with unknown severity in payload",
     .steps = {{"te/device/main///a/myCustomAlarmType3", "{\"severity\":\"invalid\",\"text\":\"Some test alarm\","
                OTHER_FRAGMENT "}"}},
     .expected = ALARMS "{\"type\":\"myCustomAlarmType3\",\"severity\":\"MINOR\",\"text\":\"Some test alarm\","
         "\"time\":\"" NOW "\"," OTHER_FRAGMENT "}\n"
         JOURNAL "te/device/main///a/myCustomAlarmType3 {\"severity\":\"invalid\",\"text\":\"Some test alarm\","
         OTHER_FRAGMENT ",\"time\":\"" NOW "\"}\n"},
    {.name = "robot_alarm_without_text_uses_type",
     .source = "thin-edge_device_telemetry.robot :: ... custom alarms without text in payload",
     .steps = {{"te/device/main///a/myCustomAlarmType4", "{\"severity\":\"major\"," OTHER_FRAGMENT "}"}},
     .expected = ALARMS "{\"type\":\"myCustomAlarmType4\",\"severity\":\"MAJOR\",\"text\":\"myCustomAlarmType4\","
         "\"time\":\"" NOW "\"," OTHER_FRAGMENT "}\n"
         JOURNAL "te/device/main///a/myCustomAlarmType4 {\"severity\":\"major\"," OTHER_FRAGMENT ",\"time\":\"" NOW "\"}\n"},
    {.name = "robot_alarm_of_registered_service",
     .source = "thin-edge_device_telemetry.robot :: Send alarms to a registered service",
     .steps = {{"te/device/main/service/app4", "{\"@type\":\"service\",\"@parent\":\"device/main//\"}"},
               {"te/device/main/service/app4/a/alarm_002", "{\"text\":\"test alarm\"}"}},
     .expected = OUT_MAIN_SERVICE("app4")
         "c8y/s/us/" TD ":device:main:service:app4 303,alarm_002,test alarm," NOW "\n"
         JOURNAL "te/device/main/service/app4/a/alarm_002 {\"text\":\"test alarm\",\"time\":\"" NOW "\"}\n"},
    /* ---- shuffled_tests.rs: one adversarial arrival order each ---- */
    {.name = "shuffled_child_alarm_before_registration",
     .source = "c8y_mapper_ext/src/shuffled_tests.rs :: child_alarm_with_shuffled_entity_registration",
     .steps = {{"te/device/external_sensor///a/temperature_high", "{\"severity\":\"minor\",\"text\":\"Temperature high\"}"},
               REG_CHILD("external_sensor"),
               {"te/device/external_sensor///a/temperature_high", "{\"severity\":\"minor\",\"text\":\"Still high\"}"}},
     .expected = OUT_CHILD("external_sensor") SENSOR_US "303,temperature_high,Temperature high," NOW "\n"
         JOURNAL "te/device/external_sensor///a/temperature_high {\"severity\":\"minor\",\"text\":\"Temperature high\","
         "\"time\":\"" NOW "\"}\n"
         SENSOR_US "303,temperature_high,Still high," NOW "\n"
         JOURNAL "te/device/external_sensor///a/temperature_high {\"severity\":\"minor\",\"text\":\"Still high\","
         "\"time\":\"" NOW "\"}\n"},
    {.name = "shuffled_child_service_alarm_first",
     .source = "c8y_mapper_ext/src/shuffled_tests.rs :: child_service_alarm_with_shuffled_ordering",
     .steps = {{"te/device/external_sensor/service/service_child/a/custom_alarm",
                "{\"severity\":\"critical\",\"text\":\"temperature alarm\",\"time\":\"" T2 "\"}"},
               REG_SERVICE("external_sensor", "service_child"), REG_CHILD("external_sensor")},
     .expected = OUT_CHILD("external_sensor") OUT_CHILD_SERVICE("external_sensor", "service_child")
         "c8y/s/us/" TD ":device:external_sensor:service:service_child 301,custom_alarm,temperature alarm," T2 "\n"
         JOURNAL "te/device/external_sensor/service/service_child/a/custom_alarm {\"severity\":\"critical\","
         "\"text\":\"temperature alarm\",\"time\":\"" T2 "\"}\n"},
    {.name = "shuffled_nested_child_alarm_first",
     .source = "c8y_mapper_ext/src/shuffled_tests.rs :: nested_child_alarm_with_shuffled_ordering",
     .steps = {{"te/device/nested_child///a/", "{\"severity\":\"minor\",\"text\":\"Temperature high\",\"time\":\"" T3 "\"}"},
               REG_NESTED_CHILD, REG_IMMEDIATE},
     .expected = OUT_NESTED "c8y/s/us/nested_child 303,ThinEdgeAlarm,Temperature high," T3 "\n"
         JOURNAL "te/device/nested_child///a/ {\"severity\":\"minor\",\"text\":\"Temperature high\",\"time\":\"" T3 "\"}\n"},
    {.name = "shuffled_nested_child_service_alarm_first",
     .source = "c8y_mapper_ext/src/shuffled_tests.rs :: nested_child_service_alarm_with_shuffled_ordering",
     .steps = {{"te/device/nested_child/service/nested_service/a/",
                "{\"severity\":\"minor\",\"text\":\"Temperature high\",\"time\":\"" T3 "\"}"},
               REG_NESTED_SERVICE, REG_NESTED_CHILD, REG_IMMEDIATE},
     .expected = OUT_NESTED OUT_NESTED_SERVICE "c8y/s/us/nested_service 303,ThinEdgeAlarm,Temperature high," T3 "\n"
         JOURNAL "te/device/nested_child/service/nested_service/a/ {\"severity\":\"minor\",\"text\":\"Temperature high\","
         "\"time\":\"" T3 "\"}\n"},
};

int main(void)
{
    size_t n = (size_t)snprintf(big_alarm, sizeof big_alarm, "{\"text\":\"");
    memset(big_alarm + n, 'x', 20 * 1024);
    memcpy(big_alarm + n + 20 * 1024, "\"}", 3);
    return run_rows("c8y ported alarms", rows, sizeof rows / sizeof rows[0]);
}
