/* Unit tests: thin-edge.io's own test cases for the c8y mapper's telemetry
 * (measurements, units, events, alarms; mapper-c8y.md §4.1-§4.4), one row
 * each, ported from the file and test named in .source. Where thin-edge.io
 * checks only part of an output (assert_received_includes_json), the row pins
 * the whole payload as our converter writes it; thin-edge.io's byte-exact
 * measurement tests (converter.rs, json.rs) are kept byte-exact. */
#include "c8y_table.h"

#define REG_CHILD(id) {"te/device/" id "//", "{\"@type\":\"child-device\"}"}
#define OUT_CHILD(id) "c8y/s/us 101," TD ":device:" id "," TD ":device:" id ",thin-edge.io-child,false\n" \
                      "c8y/s/us/" TD ":device:" id " 117,60\n"
#define REG_SERVICE(dev, svc) {"te/device/" dev "/service/" svc, "{\"@type\":\"service\"}"}
#define OUT_MAIN_SERVICE(svc) "c8y/s/us 102," TD ":device:main:service:" svc ",service," svc ",up\n"
#define OUT_CHILD_SERVICE(dev, svc) \
    "c8y/s/us/" TD ":device:" dev " 102," TD ":device:" dev ":service:" svc ",service," svc ",up\n"
/* immediate_child (@id immediate_child) and nested_child under it */
#define REG_NESTED \
    {"te/device/immediate_child//", "{\"@type\":\"child-device\",\"@parent\":\"device/main//\",\"@id\":\"immediate_child\"}"}, \
    {"te/device/nested_child//", "{\"@type\":\"child-device\",\"@parent\":\"device/immediate_child//\",\"@id\":\"nested_child\"}"}
#define OUT_NESTED \
    "c8y/s/us 101,immediate_child,immediate_child,thin-edge.io-child,false\n" \
    "c8y/s/us/immediate_child 117,60\n" \
    "c8y/s/us/immediate_child 101,nested_child,nested_child,thin-edge.io-child,false\n" \
    "c8y/s/us/nested_child 117,60\n"
#define REG_NESTED_SERVICE \
    {"te/device/nested_child/service/nested_service", \
     "{\"@type\":\"service\",\"@parent\":\"device/nested_child//\",\"@id\":\"nested_service\"}"}
#define OUT_NESTED_SERVICE "c8y/s/us/nested_child 102,nested_service,service,nested_service,up\n"
#define T1 "2021-11-16T17:45:40.571760714+01:00"
#define T2 "2023-01-25T18:41:14.776170774Z"
#define T3 "2023-10-13T15:00:07.172674353Z"
#define T4 "2020-02-02T01:02:03+05:30"
#define CUSTOM_FRAGMENT "\"customFragment\":{\"nested\":{\"value\":\"extra info\"}}"
#define OTHER_FRAGMENT "\"someOtherCustomFragment\":{\"nested\":{\"value\":\"extra info\"}}"

static void prefix_custom_topic(te_c8y_config_t *c)
{
    snprintf(c->prefix, sizeof c->prefix, "custom-topic");
}

static const c8y_row_t rows[] = {
    /* ---- measurements: converter.rs tests, compared byte for byte there ---- */
    {.name = "measurement_with_child_id",
     .source = "c8y_mapper_ext/src/converter.rs :: convert_measurement_with_child_id",
     .steps = {REG_CHILD("child1"), {"te/device/child1///m/", "{\"temp\":1,\"time\":\"" T1 "\"}"}},
     .expected = OUT_CHILD("child1")
         MEAS "{" XSRC(TD ":device:child1") ",\"temp\":{\"temp\":{\"value\":1.0}},\"time\":\"" T1 "\","
         "\"type\":\"ThinEdgeMeasurement\"}\n"},
    {.name = "measurement_with_nested_child_device",
     .source = "c8y_mapper_ext/src/converter.rs :: convert_measurement_with_nested_child_device",
     .steps = {REG_NESTED, {"te/device/nested_child///m/", "{\"temp\": 1, \"time\": \"" T1 "\"}"}},
     .expected = OUT_NESTED
         MEAS "{" XSRC("nested_child") ",\"temp\":{\"temp\":{\"value\":1.0}},\"time\":\"" T1 "\","
         "\"type\":\"ThinEdgeMeasurement\"}\n"},
    {.name = "measurement_with_nested_child_service",
     .source = "c8y_mapper_ext/src/converter.rs :: convert_measurement_with_nested_child_service",
     .steps = {REG_NESTED, REG_NESTED_SERVICE,
               {"te/device/nested_child/service/nested_service/m/", "{\"temp\": 1, \"time\": \"" T1 "\"}"}},
     .expected = OUT_NESTED OUT_NESTED_SERVICE
         MEAS "{" XSRC("nested_service") ",\"temp\":{\"temp\":{\"value\":1.0}},\"time\":\"" T1 "\","
         "\"type\":\"ThinEdgeMeasurement\"}\n"},
    {.name = "measurement_for_child_device_service",
     .source = "c8y_mapper_ext/src/converter.rs :: convert_measurement_for_child_device_service",
     .steps = {REG_CHILD("child1"), REG_SERVICE("child1", "app1"),
               {"te/device/child1/service/app1/m/m_type", "{\"temp\": 1, \"time\": \"" T1 "\"}"}},
     .expected = OUT_CHILD("child1") OUT_CHILD_SERVICE("child1", "app1")
         MEAS "{" XSRC(TD ":device:child1:service:app1") ",\"temp\":{\"temp\":{\"value\":1.0}},\"time\":\"" T1 "\","
         "\"type\":\"m_type\"}\n"},
    {.name = "measurement_for_main_device_service",
     .source = "c8y_mapper_ext/src/converter.rs :: convert_measurement_for_main_device_service",
     .steps = {REG_SERVICE("main", "appm"),
               {"te/device/main/service/appm/m/m_type", "{\"temp\": 1, \"time\": \"" T1 "\"}"}},
     .expected = OUT_MAIN_SERVICE("appm")
         MEAS "{" XSRC(TD ":device:main:service:appm") ",\"temp\":{\"temp\":{\"value\":1.0}},\"time\":\"" T1 "\","
         "\"type\":\"m_type\"}\n"},
    {.name = "two_measurements_given_different_child_id",
     .source = "c8y_mapper_ext/src/converter.rs :: convert_two_measurement_messages_given_different_child_id",
     .steps = {REG_CHILD("child1"), {"te/device/child1///m/", "{\"temp\": 1, \"time\": \"" T1 "\"}"},
               REG_CHILD("child2"), {"te/device/child2///m/", "{\"temp\": 1, \"time\": \"" T1 "\"}"}},
     .expected = OUT_CHILD("child1")
         MEAS "{" XSRC(TD ":device:child1") ",\"temp\":{\"temp\":{\"value\":1.0}},\"time\":\"" T1 "\","
         "\"type\":\"ThinEdgeMeasurement\"}\n"
         OUT_CHILD("child2")
         MEAS "{" XSRC(TD ":device:child2") ",\"temp\":{\"temp\":{\"value\":1.0}},\"time\":\"" T1 "\","
         "\"type\":\"ThinEdgeMeasurement\"}\n"},
    {.name = "measurement_with_main_id_with_measurement_type",
     .source = "c8y_mapper_ext/src/converter.rs :: convert_measurement_with_main_id_with_measurement_type",
     .steps = {{"te/device/main///m/test_type", "{\"temp\": 1, \"time\": \"" T1 "\"}"}},
     .expected = MEAS "{\"temp\":{\"temp\":{\"value\":1.0}},\"time\":\"" T1 "\",\"type\":\"test_type\"}\n"},
    {.name = "measurement_with_main_id_with_measurement_type_in_payload",
     .source = "c8y_mapper_ext/src/converter.rs :: convert_measurement_with_main_id_with_measurement_type_in_payload",
     .steps = {{"te/device/main///m/test_type", "{\"temp\": 1, \"time\": \"" T1 "\",\"type\":\"type_in_payload\"}"}},
     .expected = MEAS "{\"temp\":{\"temp\":{\"value\":1.0}},\"time\":\"" T1 "\",\"type\":\"type_in_payload\"}\n"},
    {.name = "measurement_with_child_id_with_measurement_type",
     .source = "c8y_mapper_ext/src/converter.rs :: convert_measurement_with_child_id_with_measurement_type",
     .steps = {REG_CHILD("child"), {"te/device/child///m/test_type", "{\"temp\": 1, \"time\": \"" T1 "\"}"}},
     .expected = OUT_CHILD("child")
         MEAS "{" XSRC(TD ":device:child") ",\"temp\":{\"temp\":{\"value\":1.0}},\"time\":\"" T1 "\","
         "\"type\":\"test_type\"}\n"},
    {.name = "measurement_with_child_id_with_measurement_type_in_payload",
     .source = "c8y_mapper_ext/src/converter.rs :: convert_measurement_with_child_id_with_measurement_type_in_payload",
     .steps = {REG_CHILD("child2"),
               {"te/device/child2///m/test_type", "{\"temp\": 1, \"time\": \"" T1 "\",\"type\":\"type_in_payload\"}"}},
     .expected = OUT_CHILD("child2")
         MEAS "{" XSRC(TD ":device:child2") ",\"temp\":{\"temp\":{\"value\":1.0}},\"time\":\"" T1 "\","
         "\"type\":\"type_in_payload\"}\n"},
    {.name = "small_measurement_starts_with_its_first_series",
     .source = "c8y_mapper_ext/src/converter.rs :: test_convert_small_measurement",
     .steps = {{"te/device/main///m/", "{\"temperature0\":0}"}},
     .expected = MEAS "{\"temperature0\":{\"temperature0\":{\"value\":0.0}},\"time\":\"" NOW_MS "\","
                 "\"type\":\"ThinEdgeMeasurement\"}\n"},
    /* ---- measurements: json.rs (from_thin_edge_json) ---- */
    {.name = "translation_with_timestamp_byte_exact",
     .source = "c8y_mapper_ext/src/json.rs :: check_thin_edge_translation_with_timestamp",
     .steps = {{"te/device/main///m/", "{\n \"time\" : \"2013-06-22T17:03:14.123+02:00\",\n \"temperature\": 23.0,\n"
                                        " \"pressure\": 220.0\n}"}},
     .expected = MEAS "{\"time\":\"2013-06-22T17:03:14.123+02:00\",\"temperature\":{\"temperature\":{\"value\":23.0}},"
                 "\"pressure\":{\"pressure\":{\"value\":220.0}},\"type\":\"ThinEdgeMeasurement\"}\n"},
    {.name = "type_translation",
     .source = "c8y_mapper_ext/src/json.rs :: check_type_translation",
     .steps = {{"te/device/main///m/", "{\"type\": \"test\", \"temperature\": 23.0, \"time\":\"2021-04-08T00:00:00+05:00\"}"}},
     .expected = MEAS "{\"type\":\"test\",\"temperature\":{\"temperature\":{\"value\":23.0}},"
                 "\"time\":\"2021-04-08T00:00:00+05:00\"}\n"},
    {.name = "multi_value_translation",
     .source = "c8y_mapper_ext/src/json.rs :: check_multi_value_translation",
     .steps = {{"te/device/main///m/", "{\"temperature\": 25.0, \"location\": {\"latitude\": 32.54, \"longitude\": -117.67,"
                                        " \"altitude\": 98.6}, \"pressure\": 98.0, \"time\":\"2021-04-08T00:00:00+05:00\"}"}},
     .expected = MEAS "{\"temperature\":{\"temperature\":{\"value\":25.0}},\"location\":{\"latitude\":{\"value\":32.54},"
                 "\"longitude\":{\"value\":-117.67},\"altitude\":{\"value\":98.6}},\"pressure\":{\"pressure\":"
                 "{\"value\":98.0}},\"time\":\"2021-04-08T00:00:00+05:00\",\"type\":\"ThinEdgeMeasurement\"}\n"},
    {.name = "units_from_group_shaped_metadata",
     .source = "c8y_mapper_ext/src/json.rs :: using_metadata_to_define_measurement_units",
     .steps = {{"te/device/main///m//meta", "{\"Climate\":{\"Temperature\":{\"unit\":\"\xc2\xb0" "C\"},\"Humidity\":"
                "{\"unit\":\"%RH\"}},\"Acceleration\":{\"X-Axis\":{\"unit\":\"m/s\xc2\xb2\"},\"Y-Axis\":{\"unit\":"
                "\"m/s\xc2\xb2\"},\"Z-Axis\":{\"unit\":\"m/s\xc2\xb2\"}}}"},
               {"te/device/main///m/", "{\"time\": \"2013-06-22T17:03:14.123+02:00\",\"Climate\":{\"Temperature\":23.4,"
                "\"Humidity\":95.0},\"Acceleration\":{\"X-Axis\":0.002,\"Y-Axis\":0.015,\"Z-Axis\":5.0}}"}},
     .expected = MEAS "{\"time\":\"2013-06-22T17:03:14.123+02:00\",\"Climate\":{\"Temperature\":{\"value\":23.4,"
                 "\"unit\":\"\xc2\xb0" "C\"},\"Humidity\":{\"value\":95.0,\"unit\":\"%RH\"}},\"Acceleration\":{\"X-Axis\":"
                 "{\"value\":0.002,\"unit\":\"m/s\xc2\xb2\"},\"Y-Axis\":{\"value\":0.015,\"unit\":\"m/s\xc2\xb2\"},"
                 "\"Z-Axis\":{\"value\":5.0,\"unit\":\"m/s\xc2\xb2\"}},\"type\":\"ThinEdgeMeasurement\"}\n"},
    {.name = "tiny_number_rounds_to_zero_and_zero_fraction_dropped",
     .source = "c8y_mapper_ext/src/json.rs :: thin_edge_json_round_tiny_number",
     .steps = {{"te/device/main///m/", "{\"time\" : \"2013-06-22T17:03:14.000+02:00\", \"temperature\": 10e-9999999999}"}},
     .expected = MEAS "{\"time\":\"2013-06-22T17:03:14+02:00\",\"temperature\":{\"temperature\":{\"value\":0.0}},"
                 "\"type\":\"ThinEdgeMeasurement\"}\n"},
    {.name = "any_measurement_name",
     .source = "c8y_mapper_ext/src/json.rs :: it_works_for_any_measurement (one instance)",
     .steps = {{"te/device/main///m/", "{\"time\": \"2013-06-22T17:03:14.453+02:00\", \"abcxyz\": 123.0}"}},
     .expected = MEAS "{\"time\":\"2013-06-22T17:03:14.453+02:00\",\"abcxyz\":{\"abcxyz\":{\"value\":123.0}},"
                 "\"type\":\"ThinEdgeMeasurement\"}\n"},
    {.name = "child_single_value_with_timestamp",
     .source = "c8y_mapper_ext/src/json.rs :: check_value_translation_for_child_device (child3)",
     .steps = {REG_CHILD("child3"), {"te/device/child3///m/", "{\"temperature\": 23.0, \"time\": \"2021-04-23T19:00:00+05:00\"}"}},
     .expected = OUT_CHILD("child3")
         MEAS "{" XSRC(TD ":device:child3") ",\"temperature\":{\"temperature\":{\"value\":23.0}},"
         "\"time\":\"2021-04-23T19:00:00+05:00\",\"type\":\"ThinEdgeMeasurement\"}\n"},
    {.name = "empty_type_in_payload_is_written_as_is",
     .source = "c8y_mapper_ext/src/serializer.rs :: visit_text_property (\"type\" written wherever it is a string)",
     .steps = {{"te/device/main///m/topic_type", "{\"type\":\"\",\"t\":1,\"time\":\"2021-04-08T00:00:00+05:00\"}"}},
     .expected = MEAS "{\"type\":\"\",\"t\":{\"t\":{\"value\":1.0}},\"time\":\"2021-04-08T00:00:00+05:00\"}\n"},
    /* ---- measurements: serializer.rs errors ---- */
    {.name = "type_as_measurement_is_reserved",
     .source = "c8y_mapper_ext/src/serializer.rs :: invalid_to_have_type_as_measurement",
     .steps = {{"te/device/main///m/", "{\"temperature\": 25.5, \"type\": 1234}"}},
     .expected = "", .error = "Unexpected measurement name: \"type\" is a reserved word."},
    {.name = "external_source_as_measurement_is_reserved",
     .source = "c8y_mapper_ext/src/serializer.rs :: invalid_to_have_externalsource_as_measurement",
     .steps = {{"te/device/main///m/", "{\"temperature\": 25.5, \"externalSource\": 1234}"}},
     .expected = "", .error = "Unexpected measurement name: \"externalSource\" is a reserved word."},
    {.name = "timestamp_within_group_is_invalid",
     .source = "c8y_mapper_ext/src/serializer.rs :: serialize_timestamp_within_group",
     .steps = {{"te/device/main///m/", "{\"location\": {\"time\": \"2021-06-22T17:03:14.123456789+05:00\", \"alti\": 1}}"}},
     .expected = "", .error = "Unexpected time stamp within a group"},
    /* ---- measurements: RobotFramework telemetry/thin-edge_device_telemetry.robot ---- */
    {.name = "robot_simple_measurement",
     .source = "RobotFramework cumulocity/telemetry/thin-edge_device_telemetry.robot :: "
               "Thin-edge devices support sending simple measurements",
     .steps = {{"te/device/main///m/", "{ \"temperature\": 25 }"}},
     .expected = MEAS "{\"temperature\":{\"temperature\":{\"value\":25.0}},\"time\":\"" NOW_MS "\","
                 "\"type\":\"ThinEdgeMeasurement\"}\n"},
    {.name = "robot_measurement_units",
     .source = "thin-edge_device_telemetry.robot :: Thin-edge devices support sending simple measurements with units",
     .steps = {{"te/device/main///m/t1/meta", "{ \"temperature\": { \"unit\": \"\xc2\xb0" "C\" } }"},
               {"te/device/main///m/t1", "{ \"temperature\": 25.111 }"},
               {"te/device/main///m/t1", "{ \"temperature\": 25.222 }"}},
     .expected = MEAS "{\"temperature\":{\"temperature\":{\"value\":25.111,\"unit\":\"\xc2\xb0" "C\"}},\"time\":\""
                 NOW_MS "\",\"type\":\"t1\"}\n"
                 MEAS "{\"temperature\":{\"temperature\":{\"value\":25.222,\"unit\":\"\xc2\xb0" "C\"}},\"time\":\""
                 NOW_MS "\",\"type\":\"t1\"}\n"},
    {.name = "robot_complex_measurement_units",
     .source = "thin-edge_device_telemetry.robot :: Thin-edge devices support sending complex measurements with units",
     .steps = {{"te/device/main///m/t2/meta", "{ \"Climate.Temperature\": { \"unit\": \"\xc2\xb0" "C\" }, "
                                               "\"Climate.Pressure\": { \"unit\": \"bar\" }}"},
               {"te/device/main///m/t2", "{ \"Climate\": { \"Temperature\": 19.42, \"Pressure\": 1.013 }, "
                                          "\"Engine\": { \"Temperature\": 350.42, \"Pressure\": 321.0 }}"}},
     .expected = MEAS "{\"Climate\":{\"Temperature\":{\"value\":19.42,\"unit\":\"\xc2\xb0" "C\"},\"Pressure\":"
                 "{\"value\":1.013,\"unit\":\"bar\"}},\"Engine\":{\"Temperature\":{\"value\":350.42},\"Pressure\":"
                 "{\"value\":321.0}},\"time\":\"" NOW_MS "\",\"type\":\"t2\"}\n"},
    {.name = "robot_units_are_specific_to_each_type",
     .source = "thin-edge_device_telemetry.robot :: Measurement units are specific to each measurement type",
     .steps = {{"te/device/main///m/t3/meta", "{ \"temperature\": { \"unit\": \"\xc2\xb0" "C\" } }"},
               {"te/device/main///m/t4/meta", "{ \"temperature\": { \"unit\": \"\xc2\xb0" "F\" } }"},
               {"te/device/main///m/t3", "{ \"temperature\": 25 }"},
               {"te/device/main///m/t4", "{ \"temperature\": 25 }"}},
     .expected = MEAS "{\"temperature\":{\"temperature\":{\"value\":25.0,\"unit\":\"\xc2\xb0" "C\"}},\"time\":\""
                 NOW_MS "\",\"type\":\"t3\"}\n"
                 MEAS "{\"temperature\":{\"temperature\":{\"value\":25.0,\"unit\":\"\xc2\xb0" "F\"}},\"time\":\""
                 NOW_MS "\",\"type\":\"t4\"}\n"},
    {.name = "robot_units_can_be_updated_and_cleared",
     .source = "thin-edge_device_telemetry.robot :: Measurement units can be updated / can be cleared",
     .steps = {{"te/device/main///m/t5/meta", "{ \"temperature\": { \"unit\": \"\xc2\xb0" "C\" } }"},
               {"te/device/main///m/t5/meta", "{ \"temperature\": { \"unit\": \"\xc2\xb0" "F\" } }"},
               {"te/device/main///m/t5", "{ \"temperature\": 298.15 }"},
               {"te/device/main///m/t5/meta", ""},
               {"te/device/main///m/t5", "{ \"temperature\": 298.15 }"}},
     .expected = MEAS "{\"temperature\":{\"temperature\":{\"value\":298.15,\"unit\":\"\xc2\xb0" "F\"}},\"time\":\""
                 NOW_MS "\",\"type\":\"t5\"}\n"
                 MEAS "{\"temperature\":{\"temperature\":{\"value\":298.15}},\"time\":\"" NOW_MS "\",\"type\":\"t5\"}\n"},
    {.name = "robot_custom_type_in_payload_wins",
     .source = "thin-edge_device_telemetry.robot :: ... simple measurements with custom type in payload",
     .steps = {{"te/device/main///m/CustomType_topic", "{ \"type\":\"CustomType_payload\",\"temperature\": 25 }"}},
     .expected = MEAS "{\"type\":\"CustomType_payload\",\"temperature\":{\"temperature\":{\"value\":25.0}},"
                 "\"time\":\"" NOW_MS "\"}\n"},
    {.name = "robot_group_measurement",
     .source = "thin-edge_device_telemetry.robot :: Thin-edge devices support sending custom measurements",
     .steps = {{"te/device/main///m/", "{ \"current\": {\"L1\": 9.5, \"L2\": 1.3} }"}},
     .expected = MEAS "{\"current\":{\"L1\":{\"value\":9.5},\"L2\":{\"value\":1.3}},\"time\":\"" NOW_MS "\","
                 "\"type\":\"ThinEdgeMeasurement\"}\n"},
    {.name = "robot_metadata_properties",
     .source = "thin-edge_device_telemetry.robot :: Thin-edge devices sending metadata properties along measurements",
     .steps = {{"te/device/main///m/g1", "{\"robot_mech_energy\":{\"accumulated_energy\": 0.1},\"properties\":"
                                          "{\"measurement_context\":{\"status\": \"nominal\",\"cycle_id\": \"cycle-98765\"}}}"}},
     .expected = MEAS "{\"robot_mech_energy\":{\"accumulated_energy\":{\"value\":0.1}},\"measurement_context\":"
                 "{\"status\":\"nominal\",\"cycle_id\":\"cycle-98765\"},\"time\":\"" NOW_MS "\",\"type\":\"g1\"}\n"},
    {.name = "robot_arbitrary_properties",
     .source = "thin-edge_device_telemetry.robot :: Thin-edge devices sending arbitrary metadata properties",
     .steps = {{"te/device/main///m/g3", "{\"robot_mech_energy\": 0.1,\"properties\":{\"prop1\":\"foo\",\"prop2\":false,"
                                          "\"prop3\":[\"foo\", \"bar\"]}}"}},
     .expected = MEAS "{\"robot_mech_energy\":{\"robot_mech_energy\":{\"value\":0.1}},\"prop1\":\"foo\",\"prop2\":false,"
                 "\"prop3\":[\"foo\",\"bar\"],\"time\":\"" NOW_MS "\",\"type\":\"g3\"}\n"},
    {.name = "robot_measurement_of_registered_service",
     .source = "thin-edge_device_telemetry.robot :: Send measurements to a registered service",
     .steps = {{"te/device/main/service/app2", "{\"@type\":\"service\",\"@parent\":\"device/main//\"}"},
               {"te/device/main/service/app2/m/service_type002", "{\"temperature\": 30.1}"}},
     .expected = OUT_MAIN_SERVICE("app2")
         MEAS "{" XSRC(TD ":device:main:service:app2") ",\"temperature\":{\"temperature\":{\"value\":30.1}},"
         "\"time\":\"" NOW_MS "\",\"type\":\"service_type002\"}\n"},
    /* ---- events ---- */
    {.name = "event_without_given_event_type",
     .source = "c8y_mapper_ext/src/converter.rs :: convert_event_without_given_event_type",
     .steps = {{"te/device/main///e/", "{ \"text\": \"Someone clicked\", \"time\": \"" T4 "\" }"}},
     .expected = "c8y/s/us 400,ThinEdgeEvent,\"Someone clicked\"," T4 "\n"},
    {.name = "event_type_from_payload_to_smartrest",
     .source = "c8y_mapper_ext/src/converter.rs :: convert_event_use_event_type_from_payload_to_c8y_smartrest",
     .steps = {{"te/device/main///e/topic_event", "{ \"type\": \"payload event\", \"text\": \"Someone clicked\", "
                                                   "\"time\": \"" T4 "\" }"}},
     .expected = "c8y/s/us 400,payload event,\"Someone clicked\"," T4 "\n"},
    {.name = "event_type_from_payload_to_json",
     .source = "c8y_mapper_ext/src/converter.rs :: convert_event_use_event_type_from_payload_to_c8y_json",
     .steps = {{"te/device/main///e/click_event", "{ \"type\": \"payload event\", \"text\": \"tick\", \"foo\": \"bar\" }"}},
     .expected = EVENTS "{\"type\":\"payload event\",\"time\":\"" NOW "\",\"text\":\"tick\",\"foo\":\"bar\"}\n"},
    {.name = "event_with_known_fields_to_smartrest",
     .source = "c8y_mapper_ext/src/converter.rs :: convert_event_with_known_fields_to_c8y_smartrest",
     .steps = {{"te/device/main///e/click_event", "{ \"text\": \"Someone clicked\", \"time\": \"" T4 "\" }"}},
     .expected = "c8y/s/us 400,click_event,\"Someone clicked\"," T4 "\n"},
    {.name = "event_with_custom_c8y_topic_prefix",
     .source = "c8y_mapper_ext/src/converter.rs :: convert_event_with_custom_c8y_topic_prefix",
     .cfg = prefix_custom_topic,
     .steps = {{"te/device/main///e/click_event", "{ \"text\": \"Someone clicked\", \"time\": \"" T4 "\" }"}},
     .expected = "custom-topic/s/us 400,click_event,\"Someone clicked\"," T4 "\n"},
    {.name = "event_with_extra_fields_to_json",
     .source = "c8y_mapper_ext/src/converter.rs :: convert_event_with_extra_fields_to_c8y_json",
     .steps = {{"te/device/main///e/click_event", "{ \"text\": \"tick\", \"foo\": \"bar\" }"}},
     .expected = EVENTS "{\"type\":\"click_event\",\"time\":\"" NOW "\",\"text\":\"tick\",\"foo\":\"bar\"}\n"},
    {.name = "event_with_commas_in_text",
     .source = "c8y_api/src/json_c8y.rs :: check_event_translation (event translation with commas in text)",
     .steps = {{"te/device/main///e/click_event", "{\"text\":\"Someone, clicked, it\",\"time\":\"2021-04-23T19:00:00+05:00\"}"}},
     .expected = "c8y/s/us 400,click_event,\"Someone, clicked, it\",2021-04-23T19:00:00+05:00\n"},
    {.name = "event_without_text_uses_type",
     .source = "c8y_api/src/json_c8y.rs :: check_event_translation (event translation without text)",
     .steps = {{"te/device/main///e/click_event", "{\"time\":\"2021-04-23T19:00:00+05:00\"}"}},
     .expected = "c8y/s/us 400,click_event,\"click_event\",2021-04-23T19:00:00+05:00\n"},
    {.name = "event_empty_json_payload_generates_timestamp",
     .source = "c8y_api/src/json_c8y.rs :: event_translation_empty_json_payload_generates_timestamp",
     .steps = {{"te/device/main///e/empty_event", "{}"}},
     .expected = "c8y/s/us 400,empty_event,\"empty_event\"," NOW "\n"},
    {.name = "child_event",
     .source = "c8y_mapper_ext/src/tests.rs :: c8y_mapper_child_event",
     .steps = {REG_CHILD("external_sensor"),
               {"te/device/external_sensor///e/custom_event", "{\"text\":\"Someone logged-in\",\"time\":\"" T2 "\"}"}},
     .expected = OUT_CHILD("external_sensor")
         EVENTS "{\"type\":\"custom_event\",\"time\":\"" T2 "\",\"text\":\"Someone logged-in\","
         XSRC(TD ":device:external_sensor") "}\n"},
    {.name = "child_device_at_service_topic_event",
     .source = "c8y_mapper_ext/src/tests.rs :: c8y_mapper_child_service_event",
     .steps = {REG_CHILD("external_sensor"),
               {"te/device/external_sensor/service/service_child", "{\"@type\": \"child-device\"}"},
               {"te/device/external_sensor/service/service_child/e/custom_event",
                "{\"text\":\"Someone logged-in\",\"time\":\"" T2 "\"}"}},
     .expected = OUT_CHILD("external_sensor")
         "c8y/s/us 101," TD ":device:external_sensor:service:service_child," TD ":device:external_sensor:service:"
         "service_child,thin-edge.io-child,false\n"
         "c8y/s/us/" TD ":device:external_sensor:service:service_child 117,60\n"
         EVENTS "{\"type\":\"custom_event\",\"time\":\"" T2 "\",\"text\":\"Someone logged-in\","
         XSRC(TD ":device:external_sensor:service:service_child") "}\n"},
    {.name = "main_service_event",
     .source = "c8y_mapper_ext/src/tests.rs :: c8y_mapper_main_service_event",
     .steps = {REG_SERVICE("main", "service_main"),
               {"te/device/main/service/service_main/e/custom_event", "{\"text\":\"Someone logged-in\",\"time\":\"" T2 "\"}"}},
     .expected = OUT_MAIN_SERVICE("service_main")
         EVENTS "{\"type\":\"custom_event\",\"time\":\"" T2 "\",\"text\":\"Someone logged-in\","
         XSRC(TD ":device:main:service:service_main") "}\n"},
    {.name = "nested_child_event",
     .source = "c8y_mapper_ext/src/tests.rs :: c8y_mapper_nested_child_event_mapping_to_smartrest",
     .steps = {REG_NESTED, {"te/device/nested_child///e/", "{\"text\":\"Temperature high\",\"time\":\"" T3 "\"}"}},
     .expected = OUT_NESTED
         EVENTS "{\"type\":\"ThinEdgeEvent\",\"time\":\"" T3 "\",\"text\":\"Temperature high\"," XSRC("nested_child") "}\n"},
    {.name = "nested_child_service_event",
     .source = "c8y_mapper_ext/src/tests.rs :: c8y_mapper_nested_child_service_event_mapping_to_smartrest",
     .steps = {REG_NESTED, REG_NESTED_SERVICE,
               {"te/device/nested_child/service/nested_service/e/", "{\"text\":\"Temperature high\",\"time\":\"" T3 "\"}"}},
     .expected = OUT_NESTED OUT_NESTED_SERVICE
         EVENTS "{\"type\":\"ThinEdgeEvent\",\"time\":\"" T3 "\",\"text\":\"Temperature high\"," XSRC("nested_service") "}\n"},
    {.name = "robot_custom_event_overriding_type",
     .source = "thin-edge_device_telemetry.robot :: Thin-edge devices support sending custom events overriding the type",
     .steps = {{"te/device/main///e/myCustomType", "{\"type\": \"otherType\", \"text\": \"Some test event\", "
                                                    OTHER_FRAGMENT " }"}},
     .expected = EVENTS "{\"type\":\"otherType\",\"time\":\"" NOW "\",\"text\":\"Some test event\"," OTHER_FRAGMENT "}\n"},
    {.name = "robot_custom_event_without_type_in_topic",
     .source = "thin-edge_device_telemetry.robot :: Thin-edge devices support sending custom events without type in topic",
     .steps = {{"te/device/main///e/", "{\"text\": \"Some test event\", " OTHER_FRAGMENT " }"}},
     .expected = EVENTS "{\"type\":\"ThinEdgeEvent\",\"time\":\"" NOW "\",\"text\":\"Some test event\"," OTHER_FRAGMENT "}\n"},
};

int main(void)
{
    return run_rows("c8y ported telemetry: measurements and events", rows, sizeof rows / sizeof rows[0]);
}
