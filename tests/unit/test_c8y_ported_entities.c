/* Unit tests: thin-edge.io's own test cases for the c8y mapper's entities
 * (registration 101/102, nesting, @id, early data; mapper-c8y.md §3.1-§3.2),
 * twin -> inventory (§3.3) and health -> service monitoring (§4.5), one row
 * each, ported from the file and test named in .source. Availability's 117
 * for a new child (§4.7; a separate actor in thin-edge.io, the same MQTT
 * stream) is listed where it appears. */
#include "c8y_table.h"

#define REG_CHILD(id) {"te/device/" id "//", "{\"@type\":\"child-device\"}"}
#define OUT_CHILD(id) "c8y/s/us 101," TD ":device:" id "," TD ":device:" id ",thin-edge.io-child,false\n" \
                      "c8y/s/us/" TD ":device:" id " 117,60\n"
#define REG_SERVICE(dev, svc) {"te/device/" dev "/service/" svc, "{\"@type\":\"service\"}"}
#define OUT_MAIN_SERVICE(svc) "c8y/s/us 102," TD ":device:main:service:" svc ",service," svc ",up\n"
#define HEALTH(svc, payload) {"te/device/main/service/" svc "/status/health", payload}
#define MAPPER_102(status) "c8y/s/us 102," TD ":device:main:service:tedge-mapper-c8y,service,tedge-mapper-c8y," status "\n"
#define BRIDGE_102(status) "c8y/s/us 102," TD ":device:main:service:mosquitto-xyz-bridge,service," \
                           "mosquitto-xyz-bridge," status "\n"
#define DEVICE_OS "{\"family\":\"Debian\",\"version\":\"11\"}"

static void device_marker(te_c8y_config_t *c)
{
    c->device_marker = true;
}

static void empty_service_type(te_c8y_config_t *c)
{
    c->service_type[0] = '\0';
}

static void custom_prefix(te_c8y_config_t *c)
{
    snprintf(c->prefix, sizeof c->prefix, "custom-c8y-prefix");
}

static const c8y_row_t rows[] = {
    /* ---- registration ---- */
    {.name = "child_device_registration_mapping",
     .source = "c8y_mapper_ext/src/tests.rs :: child_device_registration_mapping",
     .steps = {{"te/device/child1//", "{ \"@type\": \"child-device\", \"type\": \"RaspberryPi\", \"name\": \"Child1\" }"},
               {"te/device/child2//", "{ \"@type\": \"child-device\", \"@parent\": \"device/child1//\" }"},
               {"te/device/child3//", "{ \"@type\": \"child-device\", \"@id\": \"child3\", \"@parent\": \"device/child2//\" }"}},
     .expected = "c8y/s/us 101," TD ":device:child1,Child1,RaspberryPi,false\n"
         "c8y/s/us/" TD ":device:child1 117,60\n"
         "c8y/s/us/" TD ":device:child1 101," TD ":device:child2," TD ":device:child2,thin-edge.io-child,false\n"
         "c8y/s/us/" TD ":device:child2 117,60\n"
         "c8y/s/us/" TD ":device:child2 101,child3,child3,thin-edge.io-child,false\n"
         "c8y/s/us/child3 117,60\n"},
    {.name = "custom_topic_scheme_registration_mapping",
     .source = "c8y_mapper_ext/src/tests.rs :: custom_topic_scheme_registration_mapping",
     .steps = {{"te/custom///", "{ \"@type\": \"child-device\", \"type\": \"RaspberryPi\", \"name\": \"Child1\" }"},
               {"te/custom/child1//", "{ \"@type\": \"child-device\", \"type\": \"RaspberryPi\", \"name\": \"Child1\" }"},
               {"te/custom/service/collectd/", "{ \"@type\": \"service\", \"type\": \"systemd\", \"name\": \"Collectd\" }"}},
     .expected = "c8y/s/us 101," TD ":custom,Child1,RaspberryPi,false\n"
         "c8y/s/us/" TD ":custom 117,60\n"
         "c8y/s/us 101," TD ":custom:child1,Child1,RaspberryPi,false\n"
         "c8y/s/us/" TD ":custom:child1 117,60\n"
         "c8y/s/us 102," TD ":custom:service:collectd,systemd,Collectd,up\n"},
    {.name = "service_registration_mapping",
     .source = "c8y_mapper_ext/src/tests.rs :: service_registration_mapping",
     .steps = {REG_CHILD("child1"), {"te/device/child2//", "{ \"@type\": \"child-device\", \"@parent\": \"device/child1//\" }"},
               {"te/device/main/service/collectd", "{ \"@type\": \"service\", \"type\": \"systemd\", \"name\": \"Collectd\" }"},
               {"te/device/child1/service/collectd", "{ \"@type\": \"service\", \"type\": \"systemd\", \"name\": \"Collectd\" }"},
               {"te/device/child2/service/collectd", "{ \"@type\": \"service\", \"type\": \"systemd\", \"name\": \"Collectd\" }"}},
     .expected = OUT_CHILD("child1")
         "c8y/s/us/" TD ":device:child1 101," TD ":device:child2," TD ":device:child2,thin-edge.io-child,false\n"
         "c8y/s/us/" TD ":device:child2 117,60\n"
         "c8y/s/us 102," TD ":device:main:service:collectd,systemd,Collectd,up\n"
         "c8y/s/us/" TD ":device:child1 102," TD ":device:child1:service:collectd,systemd,Collectd,up\n"
         "c8y/s/us/" TD ":device:child2 102," TD ":device:child2:service:collectd,systemd,Collectd,up\n"},
    {.name = "child_device_registration_with_name",
     .source = "c8y_mapper_ext/src/converter.rs :: convert_child_device_registration",
     .steps = {{"te/device/child1//", "{\"@type\":\"child-device\",\"name\":\"child1\"}"}},
     .expected = "c8y/s/us 101," TD ":device:child1,child1,thin-edge.io-child,false\nc8y/s/us/" TD ":device:child1 117,60\n"},
    {.name = "child_device_registration_with_device_marker",
     .source = "c8y_mapper_ext/src/converter.rs :: convert_child_device_registration_control_is_device_fragment",
     .cfg = device_marker,
     .steps = {{"te/device/child1//", "{\"@type\":\"child-device\",\"name\":\"child1\"}"}},
     .expected = "c8y/s/us 101," TD ":device:child1,child1,thin-edge.io-child,true\nc8y/s/us/" TD ":device:child1 117,60\n"},
    {.name = "duplicate_registration_not_mapped_2311",
     .source = "c8y_mapper_ext/src/converter.rs :: duplicate_registration_messages_not_mapped_2311",
     .steps = {REG_SERVICE("main", "my_measurement_service"), REG_SERVICE("main", "my_measurement_service")},
     .expected = OUT_MAIN_SERVICE("my_measurement_service")},
    {.name = "empty_service_type_defaults_to_service_2383",
     .source = "c8y_mapper_ext/src/converter.rs :: handles_empty_service_type_2383",
     .cfg = empty_service_type,
     .steps = {REG_SERVICE("main", "service1"), HEALTH("service1", "{\"status\":\"up\"}")},
     .expected = OUT_MAIN_SERVICE("service1") OUT_MAIN_SERVICE("service1")},
    {.name = "early_messages_processed_only_after_registration",
     .source = "c8y_mapper_ext/src/converter.rs :: early_messages_cached_and_processed_only_after_registration",
     .cfg = custom_prefix,
     .steps = {{"te/custom/child1///m/environment", "{\"temperature\":0}"},
               {"te/custom/child1///m/environment", "{\"temperature\":1}"},
               {"te/custom/child1///m/environment", "{\"temperature\":2}"},
               {"te/custom/child1///twin/foo", "5.6789"},
               {"te/custom/child1//", "{\"@type\":\"child-device\",\"@id\":\"child1\",\"name\":\"child1\"}"}},
     .expected = "custom-c8y-prefix/s/us 101,child1,child1,thin-edge.io-child,false\n"
         "custom-c8y-prefix/s/us/child1 117,60\n"
         "custom-c8y-prefix/inventory/managedObjects/update/child1 {\"foo\":5.6789}\n"
         "custom-c8y-prefix/measurement/measurements/create {" XSRC("child1") ",\"temperature\":{\"temperature\":"
         "{\"value\":0.0}},\"time\":\"" NOW_MS "\",\"type\":\"environment\"}\n"
         "custom-c8y-prefix/measurement/measurements/create {" XSRC("child1") ",\"temperature\":{\"temperature\":"
         "{\"value\":1.0}},\"time\":\"" NOW_MS "\",\"type\":\"environment\"}\n"
         "custom-c8y-prefix/measurement/measurements/create {" XSRC("child1") ",\"temperature\":{\"temperature\":"
         "{\"value\":2.0}},\"time\":\"" NOW_MS "\",\"type\":\"environment\"}\n"},
    {.name = "early_child_registrations_processed_after_parent",
     .source = "c8y_mapper_ext/src/converter.rs :: early_child_device_registrations_processed_only_after_parent_registration",
     .steps = {{"te/device/child000//", "{\"@type\":\"child-device\",\"@id\":\"child000\",\"name\":\"child000\","
                                         "\"@parent\":\"device/child00//\"}"},
               {"te/device/child00//", "{\"@type\":\"child-device\",\"@id\":\"child00\",\"name\":\"child00\","
                                        "\"@parent\":\"device/child0//\"}"},
               {"te/device/child0//", "{\"@type\":\"child-device\",\"@id\":\"child0\",\"name\":\"child0\","
                                       "\"@parent\":\"device/main//\"}"}},
     .expected = "c8y/s/us 101,child0,child0,thin-edge.io-child,false\nc8y/s/us/child0 117,60\n"
         "c8y/s/us/child0 101,child00,child00,thin-edge.io-child,false\nc8y/s/us/child00 117,60\n"
         "c8y/s/us/child00 101,child000,child000,thin-edge.io-child,false\nc8y/s/us/child000 117,60\n"},
    {.name = "custom_scheme_external_id",
     .source = "c8y_mapper_ext/src/converter.rs :: entity_topic_id_to_c8y_external_id_mapping (custom_name///)",
     .steps = {{"te/custom_name///", "{\"@type\":\"child-device\"}"}},
     .expected = "c8y/s/us 101," TD ":custom_name," TD ":custom_name,thin-edge.io-child,false\n"
                 "c8y/s/us/" TD ":custom_name 117,60\n"},
    {.name = "external_id_with_plus_is_rejected",
     .source = "c8y_mapper_ext/src/converter.rs :: sanitize_c8y_external_id (bad+name1)",
     .steps = {{"te/device/bad//", "{\"@type\":\"child-device\",\"@id\":\"bad+name1\"}"}},
     .expected = "", .error = "Invalid external ID: bad+name1 contains invalid character: +"},
    {.name = "external_id_first_invalid_char_reported",
     .source = "c8y_mapper_ext/src/converter.rs :: sanitize_c8y_external_id (my/very#bad+name)",
     .steps = {{"te/device/bad//", "{\"@type\":\"child-device\",\"@id\":\"my/very#bad+name\"}"}},
     .expected = "", .error = "Invalid external ID: my/very#bad+name contains invalid character: /"},
    {.name = "shuffled_measurements_around_registration",
     .source = "c8y_mapper_ext/src/shuffled_tests.rs :: birth_message_with_shuffled_entity_registration",
     .steps = {{"te/device/child1///m/temperature", "{\"temp\":42.0}"},
               {"te/device/child1//", "{ \"@type\": \"child-device\", \"type\": \"RaspberryPi\", \"name\": \"Child1\" }"},
               {"te/device/child1///m/temperature", "{\"temp\":43.0}"}},
     .expected = "c8y/s/us 101," TD ":device:child1,Child1,RaspberryPi,false\nc8y/s/us/" TD ":device:child1 117,60\n"
         MEAS "{" XSRC(TD ":device:child1") ",\"temp\":{\"temp\":{\"value\":42.0}},\"time\":\"" NOW_MS "\","
         "\"type\":\"temperature\"}\n"
         MEAS "{" XSRC(TD ":device:child1") ",\"temp\":{\"temp\":{\"value\":43.0}},\"time\":\"" NOW_MS "\","
         "\"type\":\"temperature\"}\n"},
    {.name = "shuffled_nested_registrations_reversed",
     .source = "c8y_mapper_ext/src/shuffled_tests.rs :: nested_child_registration_with_shuffled_ordering",
     .steps = {{"te/device/child3//", "{\"@type\":\"child-device\",\"@id\":\"child3\",\"@parent\":\"device/child2//\"}"},
               {"te/device/child2//", "{\"@type\":\"child-device\",\"@parent\":\"device/child1//\"}"},
               {"te/device/child1//", "{\"@type\":\"child-device\",\"type\":\"RaspberryPi\",\"name\":\"Child1\"}"}},
     .expected = "c8y/s/us 101," TD ":device:child1,Child1,RaspberryPi,false\nc8y/s/us/" TD ":device:child1 117,60\n"
         "c8y/s/us/" TD ":device:child1 101," TD ":device:child2," TD ":device:child2,thin-edge.io-child,false\n"
         "c8y/s/us/" TD ":device:child2 117,60\n"
         "c8y/s/us/" TD ":device:child2 101,child3,child3,thin-edge.io-child,false\nc8y/s/us/child3 117,60\n"},
    {.name = "shuffled_child_event_before_registration",
     .source = "c8y_mapper_ext/src/shuffled_tests.rs :: child_event_with_shuffled_entity_registration",
     .steps = {{"te/device/external_sensor///e/custom_event",
                "{\"text\":\"Someone logged-in\",\"time\":\"2023-01-25T18:41:14.776170774Z\"}"},
               REG_CHILD("external_sensor")},
     .expected = OUT_CHILD("external_sensor")
         EVENTS "{\"type\":\"custom_event\",\"time\":\"2023-01-25T18:41:14.776170774Z\",\"text\":\"Someone logged-in\","
         XSRC(TD ":device:external_sensor") "}\n"},
    {.name = "re_registration_may_omit_twin_keys",
     .source = "c8y_mapper_ext/src/entity_cache.rs :: EntityCache::insert (twin data merged, unchanged)",
     .steps = {{"te/device/c1//", "{\"@type\":\"child-device\",\"name\":\"n1\"}"},
               {"te/device/c1//", "{\"@type\":\"child-device\"}"}},
     .expected = "c8y/s/us 101," TD ":device:c1,n1,thin-edge.io-child,false\nc8y/s/us/" TD ":device:c1 117,60\n"},
    {.name = "re_registration_adding_a_twin_key_is_refused",
     .source = "c8y_mapper_ext/src/entity_cache.rs :: EntityCache::insert (InvalidEntityTwinUpdate)",
     .steps = {{"te/device/c1//", "{\"@type\":\"child-device\",\"name\":\"n1\"}"},
               {"te/device/c1//", "{\"@type\":\"child-device\",\"name\":\"n1\",\"area\":\"a\"}"}},
     .expected = "c8y/s/us 101," TD ":device:c1,n1,thin-edge.io-child,false\nc8y/s/us/" TD ":device:c1 117,60\n",
     .error = "Updating the twin data of device/c1// with a registration message is not supported"},
    {.name = "re_registration_changing_the_external_id_is_refused",
     .source = "c8y_mapper_ext/src/entity_cache.rs :: EntityCache::insert (InvalidExternalIdUpdate)",
     .steps = {{"te/device/c1//", "{\"@type\":\"child-device\"}"},
               {"te/device/c1//", "{\"@type\":\"child-device\",\"@id\":\"other\"}"}},
     .expected = OUT_CHILD("c1"), .error = "Updating the external id of device/c1// is not supported"},
    /* ---- RobotFramework registration/registration_lifecycle.robot ---- */
    {.name = "robot_child_with_custom_name_and_non_ascii_type",
     .source = "registration_lifecycle.robot :: Register child device with custom name and type via MQTT",
     .steps = {{"te/device/c1//", "{\"@type\":\"child-device\",\"name\":\"c1\",\"type\":\"linux-device-Ab\xc3\xb6ut\"}"}},
     .expected = "c8y/s/us 101," TD ":device:c1,c1,linux-device-Ab\xc3\xb6ut,false\nc8y/s/us/" TD ":device:c1 117,60\n"},
    {.name = "robot_child_with_initial_twin_data",
     .source = "registration_lifecycle.robot :: Register child device with initial twin data",
     .steps = {{"te/device/c1//", "{\"@type\": \"child-device\", \"@id\":\"c1\", \"maintenance_window\": 5, "
                                  "\"maintenance_mode\": true}"}},
     .expected = "c8y/s/us 101,c1,c1,thin-edge.io-child,false\n"
         UPDATE("c1") "{\"maintenance_mode\":true}\n" UPDATE("c1") "{\"maintenance_window\":5}\n"
         "c8y/s/us/c1 117,60\n"},
    {.name = "robot_nested_children_and_service_default_scheme",
     .source = "registration_lifecycle.robot :: Register nested child device using default topic schema via MQTT",
     .steps = {{"te/device/l1//", "{\"@type\":\"child-device\",\"@parent\":\"device/main//\"}"},
               {"te/device/l2//", "{\"@type\":\"child-device\",\"@parent\":\"device/l1//\",\"name\":\"l2\"}"},
               {"te/device/l3//", "{\"@type\":\"child-device\",\"@parent\":\"device/l2//\",\"type\":\"child_level3\"}"},
               {"te/device/l3/service/custom-app", "{\"@type\":\"service\",\"@parent\":\"device/l3//\","
                                                   "\"name\":\"custom-app\",\"type\":\"service-level3\"}"}},
     .expected = OUT_CHILD("l1")
         "c8y/s/us/" TD ":device:l1 101," TD ":device:l2,l2,thin-edge.io-child,false\n"
         "c8y/s/us/" TD ":device:l2 117,60\n"
         "c8y/s/us/" TD ":device:l2 101," TD ":device:l3," TD ":device:l3,child_level3,false\n"
         "c8y/s/us/" TD ":device:l3 117,60\n"
         "c8y/s/us/" TD ":device:l3 102," TD ":device:l3:service:custom-app,service-level3,custom-app,up\n"},
    {.name = "robot_custom_schema_devices_and_services",
     .source = "registration_lifecycle.robot :: Register devices using custom MQTT schema",
     .steps = {{"te/factory1/shop1/plc1/sensor1", "{\"@type\":\"child-device\",\"name\":\"sensor1\",\"type\":\"SmartSensor\"}"},
               {"te/factory1/shop1/plc1/metrics", "{\"@type\":\"service\",\"name\":\"metrics\",\"type\":\"PLCApplication\"}"},
               {"te/factory1/shop1/apps/sensor1", "{\"@type\":\"service\",\"@parent\":\"factory1/shop1/plc1/sensor1\","
                                                  "\"name\":\"metrics\",\"type\":\"PLCMonitorApplication\"}"}},
     .expected = "c8y/s/us 101," TD ":factory1:shop1:plc1:sensor1,sensor1,SmartSensor,false\n"
         "c8y/s/us/" TD ":factory1:shop1:plc1:sensor1 117,60\n"
         "c8y/s/us 102," TD ":factory1:shop1:plc1:metrics,PLCApplication,metrics,up\n"
         "c8y/s/us/" TD ":factory1:shop1:plc1:sensor1 102," TD ":factory1:shop1:apps:sensor1,PLCMonitorApplication,"
         "metrics,up\n"},
    {.name = "robot_early_data_of_nested_children",
     .source = "registration_lifecycle.robot :: Early data messages cached and processed",
     .steps = {{"te/device/child0///m/environment", "{ \"temp\": 50 }"},
               {"te/device/child0///twin/maintenance_mode", "true"},
               {"te/device/child00///m/environment", "{ \"temp\": 50 }"},
               {"te/device/child00///twin/maintenance_mode", "true"},
               {"te/device/child000///m/environment", "{ \"temp\": 50 }"},
               {"te/device/child000///twin/maintenance_mode", "true"},
               {"te/device/child000//", "{\"@type\":\"child-device\",\"@id\":\"pchild000\",\"@parent\": \"device/child00//\"}"},
               {"te/device/child00//", "{\"@type\":\"child-device\",\"@id\":\"pchild00\",\"@parent\": \"device/child0//\"}"},
               {"te/device/child0//", "{\"@type\":\"child-device\",\"@id\":\"pchild0\"}"}},
     .expected = "c8y/s/us 101,pchild0,pchild0,thin-edge.io-child,false\nc8y/s/us/pchild0 117,60\n"
         UPDATE("pchild0") "{\"maintenance_mode\":true}\n"
         MEAS "{" XSRC("pchild0") ",\"temp\":{\"temp\":{\"value\":50.0}},\"time\":\"" NOW_MS "\",\"type\":\"environment\"}\n"
         "c8y/s/us/pchild0 101,pchild00,pchild00,thin-edge.io-child,false\nc8y/s/us/pchild00 117,60\n"
         UPDATE("pchild00") "{\"maintenance_mode\":true}\n"
         MEAS "{" XSRC("pchild00") ",\"temp\":{\"temp\":{\"value\":50.0}},\"time\":\"" NOW_MS "\",\"type\":\"environment\"}\n"
         "c8y/s/us/pchild00 101,pchild000,pchild000,thin-edge.io-child,false\nc8y/s/us/pchild000 117,60\n"
         UPDATE("pchild000") "{\"maintenance_mode\":true}\n"
         MEAS "{" XSRC("pchild000") ",\"temp\":{\"temp\":{\"value\":50.0}},\"time\":\"" NOW_MS "\",\"type\":\"environment\"}\n"},
    {.name = "robot_service_registered_on_a_device_topic_3134",
     .source = "registration_lifecycle.robot :: Unexpected message doesn't cause a panic #3134",
     .steps = {{"te/device/child1//", "{\"@type\":\"service\"}"},
               {"te/device/child2/service/foo", "{\"@type\":\"child-device\"}"}},
     .expected = "c8y/s/us 102," TD ":device:child1,service," TD ":device:child1,up\n"
         "c8y/s/us 101," TD ":device:child2:service:foo," TD ":device:child2:service:foo,thin-edge.io-child,false\n"
         "c8y/s/us/" TD ":device:child2:service:foo 117,60\n"},
    /* ---- twin -> inventory (inventory.rs) ---- */
    {.name = "twin_json_object",
     .source = "c8y_mapper_ext/src/inventory.rs :: convert_entity_twin_data_json_object",
     .steps = {{"te/device/main///twin/device_os", DEVICE_OS}},
     .expected = UPDATE(TD) "{\"device_os\":" DEVICE_OS "}\n"},
    {.name = "twin_string_value",
     .source = "c8y_mapper_ext/src/inventory.rs :: convert_entity_twin_data_string_value",
     .steps = {{"te/device/main///twin/foo", "\"bar\""}},
     .expected = UPDATE(TD) "{\"foo\":\"bar\"}\n"},
    {.name = "twin_name_and_type_duplicates_ignored_after_registration",
     .source = "c8y_mapper_ext/src/inventory.rs :: duplicate_twin_name_and_type_updates_ignored_after_registration",
     .steps = {{"te/device/child01//", "{\"@type\": \"child-device\", \"@id\": \"child01\", \"name\": \"child01\", \"type\": \"Rpi\"}"},
               {"te/device/child01///twin/name", "\"child01\""},
               {"te/device/child01///twin/type", "\"Rpi\""},
               {"te/device/child01///twin/name", "\"my_child01\""},
               {"te/device/child01///twin/type", "\"Rpi4\""}},
     .expected = "c8y/s/us 101,child01,child01,Rpi,false\nc8y/s/us/child01 117,60\n"
         UPDATE("child01") "{\"name\":\"my_child01\"}\n" UPDATE("child01") "{\"type\":\"Rpi4\"}\n"},
    {.name = "twin_unquoted_string_is_invalid",
     .source = "c8y_mapper_ext/src/inventory.rs :: unquoted_string_value_invalid",
     .steps = {{"te/device/main///twin/foo", "unquoted value"}},
     .expected = "", .error = "expected value"},
    {.name = "twin_numeric_value",
     .source = "c8y_mapper_ext/src/inventory.rs :: convert_entity_twin_data_numeric_value",
     .steps = {{"te/device/main///twin/foo", "5.6789"}},
     .expected = UPDATE(TD) "{\"foo\":5.6789}\n"},
    {.name = "twin_boolean_value",
     .source = "c8y_mapper_ext/src/inventory.rs :: convert_entity_twin_data_boolean_value",
     .steps = {{"te/device/main///twin/enabled", "false"}},
     .expected = UPDATE(TD) "{\"enabled\":false}\n"},
    {.name = "twin_clear_fragment",
     .source = "c8y_mapper_ext/src/inventory.rs :: clear_inventory_fragment",
     .steps = {{"te/device/main///twin/foo", "\"bar\""}, {"te/device/main///twin/foo", ""}},
     .expected = UPDATE(TD) "{\"foo\":\"bar\"}\n" UPDATE(TD) "{\"foo\":null}\n"},
    {.name = "twin_duplicate_fragment_ignored_whatever_the_key_order",
     .source = "c8y_mapper_ext/src/inventory.rs :: convert_entity_twin_data_ignores_duplicate_fragment",
     .steps = {{"te/device/main///twin/device_os", DEVICE_OS}, {"te/device/main///twin/device_os", DEVICE_OS},
               {"te/device/main///twin/device_os", "{\"version\": \"11\",\"family\": \"Debian\"}"}},
     .expected = UPDATE(TD) "{\"device_os\":" DEVICE_OS "}\n"},
    {.name = "twin_duplicate_fragment_sent_again_after_clearing",
     .source = "c8y_mapper_ext/src/inventory.rs :: convert_entity_twin_data_with_duplicate_fragment_after_clearing_it",
     .steps = {{"te/device/main///twin/device_os", DEVICE_OS}, {"te/device/main///twin/device_os", ""},
               {"te/device/main///twin/device_os", DEVICE_OS}},
     .expected = UPDATE(TD) "{\"device_os\":" DEVICE_OS "}\n" UPDATE(TD) "{\"device_os\":null}\n"
                 UPDATE(TD) "{\"device_os\":" DEVICE_OS "}\n"},
    {.name = "twin_firmware_of_main_device",
     .source = "c8y_mapper_ext/src/inventory.rs :: convert_entity_twin_data_with_firmware_update_for_main_device",
     .steps = {{"te/device/main///twin/firmware", "{\"name\":\"firmware\", \"version\":\"1.0\"}"}},
     .expected = UPDATE(TD) "{\"c8y_Firmware\":{\"name\":\"firmware\",\"version\":\"1.0\"}}\n"},
    {.name = "twin_firmware_of_child_device",
     .source = "c8y_mapper_ext/src/inventory.rs :: convert_entity_twin_data_with_firmware_update_for_child_device",
     .steps = {REG_CHILD("child1"), {"te/device/child1///twin/firmware", "{\"name\":\"firmware\", \"version\":\"1.0\"}"}},
     .expected = OUT_CHILD("child1") UPDATE(TD ":device:child1") "{\"c8y_Firmware\":{\"name\":\"firmware\",\"version\":\"1.0\"}}\n"},
    {.name = "robot_cleared_property_sent_again_2365",
     .source = "thin-edge_device_telemetry.robot :: Previously cleared property should be sent to cloud when set again #2365",
     .steps = {{"te/device/main///twin/subtype", "\"LinuxDeviceA\""}, {"te/device/main///twin/subtype", ""},
               {"te/device/main///twin/subtype", "\"LinuxDeviceA\""}},
     .expected = UPDATE(TD) "{\"subtype\":\"LinuxDeviceA\"}\n" UPDATE(TD) "{\"subtype\":null}\n"
                 UPDATE(TD) "{\"subtype\":\"LinuxDeviceA\"}\n"},
    {.name = "robot_twin_complex_value_and_clear",
     .source = "RobotFramework thin-edge_device_telemetry.robot :: Thin-edge device support sending inventory data via tedge topic",
     .steps = {{"te/device/main///twin/device_OS", "{\"family\":\"Debian\",\"version\":11,\"complex\":[1,\"2\",3],"
                                                    "\"object\":{\"foo\":\"bar\"}}"},
               {"te/device/main///twin/device_OS", ""}},
     .expected = UPDATE(TD) "{\"device_OS\":{\"family\":\"Debian\",\"version\":11,\"complex\":[1,\"2\",3],"
                 "\"object\":{\"foo\":\"bar\"}}}\n" UPDATE(TD) "{\"device_OS\":null}\n"},
    /* ---- health -> 102 (service_monitor.rs translate_health_status_to_c8y_service_monitoring_message) ---- */
    {.name = "health_thin_edge_device",
     .source = "c8y_mapper_ext/src/service_monitor.rs :: service-monitoring-thin-edge-device",
     .steps = {REG_SERVICE("main", "tedge-mapper-c8y"), HEALTH("tedge-mapper-c8y", "{\"pid\":1234,\"status\":\"up\"}")},
     .expected = MAPPER_102("up") MAPPER_102("up")},
    {.name = "health_optional_fields_invalid",
     .source = "c8y_mapper_ext/src/service_monitor.rs :: service-monitoring-thin-edge-device-optional-fields-invalid",
     .steps = {REG_SERVICE("main", "tedge-mapper-c8y"),
               HEALTH("tedge-mapper-c8y", "{\"unrecognised_field\": [42], \"time\": \"invalid timestamp\", "
                                          "\"pid\": \"invalid pid\", \"status\": \"up\"}")},
     .expected = MAPPER_102("up") MAPPER_102("up")},
    {.name = "health_child_device_service",
     .source = "c8y_mapper_ext/src/service_monitor.rs :: service-monitoring-thin-edge-child-device",
     .steps = {REG_CHILD("child"), REG_SERVICE("child", "tedge-mapper-c8y"),
               {"te/device/child/service/tedge-mapper-c8y/status/health", "{\"pid\":1234,\"status\":\"up\"}"}},
     .expected = OUT_CHILD("child")
         "c8y/s/us/" TD ":device:child 102," TD ":device:child:service:tedge-mapper-c8y,service,tedge-mapper-c8y,up\n"
         "c8y/s/us/" TD ":device:child 102," TD ":device:child:service:tedge-mapper-c8y,service,tedge-mapper-c8y,up\n"},
    {.name = "health_no_status",
     .source = "c8y_mapper_ext/src/service_monitor.rs :: service-monitoring-thin-edge-no-status",
     .steps = {REG_SERVICE("main", "tedge-mapper-c8y"), HEALTH("tedge-mapper-c8y", "{\"pid\":\"123456\"}")},
     .expected = MAPPER_102("up") MAPPER_102("unknown")},
    {.name = "health_empty_status",
     .source = "c8y_mapper_ext/src/service_monitor.rs :: service-monitoring-empty-status",
     .steps = {REG_SERVICE("main", "tedge-mapper-c8y"), HEALTH("tedge-mapper-c8y", "{\"status\":\"\"}")},
     .expected = MAPPER_102("up") MAPPER_102("unknown")},
    {.name = "health_empty_message",
     .source = "c8y_mapper_ext/src/service_monitor.rs :: service-monitoring-empty-health-message",
     .steps = {REG_SERVICE("main", "tedge-mapper-c8y"), HEALTH("tedge-mapper-c8y", "{}")},
     .expected = MAPPER_102("up") MAPPER_102("unknown")},
    {.name = "health_status_with_comma_is_quoted",
     .source = "c8y_mapper_ext/src/service_monitor.rs :: service-monitoring-type-with-comma-health-message",
     .steps = {REG_SERVICE("main", "tedge-mapper-c8y"), HEALTH("tedge-mapper-c8y", "{\"status\":\"up,down\"}")},
     .expected = MAPPER_102("up") MAPPER_102("\"up,down\"")},
    {.name = "health_status_with_double_quote_is_escaped",
     .source = "c8y_mapper_ext/src/service_monitor.rs :: service-monitoring-double-quotes-health-message",
     .steps = {REG_SERVICE("main", "tedge-mapper-c8y"), HEALTH("tedge-mapper-c8y", "{\"status\":\"up\\\"down\"}")},
     .expected = MAPPER_102("up") MAPPER_102("\"up\"\"down\"")},
    {.name = "health_mosquitto_bridge_up",
     .source = "c8y_mapper_ext/src/service_monitor.rs :: service-monitoring-mosquitto-bridge-up-status",
     .steps = {REG_SERVICE("main", "mosquitto-xyz-bridge"), HEALTH("mosquitto-xyz-bridge", "1")},
     .expected = BRIDGE_102("up") BRIDGE_102("up")},
    {.name = "health_mosquitto_bridge_down",
     .source = "c8y_mapper_ext/src/service_monitor.rs :: service-monitoring-mosquitto-bridge-down-status",
     .steps = {REG_SERVICE("main", "mosquitto-xyz-bridge"), HEALTH("mosquitto-xyz-bridge", "0")},
     .expected = BRIDGE_102("up") BRIDGE_102("down")},
    {.name = "health_mosquitto_bridge_unknown",
     .source = "c8y_mapper_ext/src/service_monitor.rs :: service-monitoring-mosquitto-bridge-unknown-status",
     .steps = {REG_SERVICE("main", "mosquitto-xyz-bridge"), HEALTH("mosquitto-xyz-bridge", "invalid payload")},
     .expected = BRIDGE_102("up") BRIDGE_102("unknown")},
};

int main(void)
{
    return run_rows("c8y ported entities, twin and health", rows, sizeof rows / sizeof rows[0]);
}
