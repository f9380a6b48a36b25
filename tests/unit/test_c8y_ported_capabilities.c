/* Unit tests: thin-edge.io's own test cases for the c8y mapper's start-up
 * messages (mapper-c8y.md §1), capabilities -> supported operations (§5:
 * 114, 118, 119, c8y_SupportedSoftwareTypes, operation files, custom
 * operation templates) and the sync signal (§4.6), one row each, ported from
 * the file and test named in .source. */
#include "c8y_table.h"

#define REG_CHILD(id) {"te/device/" id "//", "{\"@type\":\"child-device\"}"}
#define OUT_CHILD(id) "c8y/s/us 101," TD ":device:" id "," TD ":device:" id ",thin-edge.io-child,false\n" \
                      "c8y/s/us/" TD ":device:" id " 117,60\n"
#define BRIDGE_UP {"te/device/main/service/mosquitto-c8y-bridge/status/health", "1"}
#define CHILD1_US "c8y/s/us/" TD ":device:child1 "
#define SW_LIST_REQUEST(dev) "te/device/" dev "///cmd/software_list/c8y-mapper-2024-05-01T10-00-00.123456789Z " \
                             "{\"status\":\"init\"}\n"
#define COMMAND_TEMPLATE "[exec]\ntopic = \"c8y/devicecontrol/notifications\"\non_fragment = \"c8y_Command\"\n\n" \
                         "[exec.workflow]\noperation = \"command\"\ninput = \"${.payload.c8y_Command}\"\n"
#define OPERATION_TEMPLATE "[exec]\non_fragment = \"c8y_Operation\"\n\n[exec.workflow]\noperation = \"my_operation\"\n"

static void with_types(te_c8y_config_t *c)
{
    c->with_types = true;
}

static void log_upload_disabled(te_c8y_config_t *c)
{
    c->enable_log_upload = false;
}

static const c8y_row_t rows[] = {
    /* ---- start-up ---- */
    {.name = "init_messages_on_startup",
     .source = "c8y_mapper_ext/src/tests.rs :: mapper_publishes_init_messages_on_startup",
     .keep_start = true,
     .steps = {BRIDGE_UP},
     .expected = "c8y/s/us 117,60\n" AGENT(TD) "c8y/s/us 114\nc8y/s/us 500\n"},
    {.name = "supported_operations_on_startup",
     .source = "c8y_mapper_ext/src/tests.rs :: mapper_publishes_supported_operations",
     .files = {{"operations/c8y/c8y_TestOp1", NULL}, {"operations/c8y/c8y_TestOp2", NULL}},
     .steps = {BRIDGE_UP},
     .expected = AGENT(TD) "c8y/s/us 114,c8y_TestOp1,c8y_TestOp2\nc8y/s/us 500\n"},
    {.name = "supported_operations_grow_with_agent_capabilities",
     .source = "c8y_mapper_ext/src/tests.rs :: mapper_dynamically_updates_supported_operations_for_tedge_device",
     .files = {{"operations/c8y/c8y_TestOp1", NULL}, {"operations/c8y/c8y_TestOp2", NULL},
               {"operations/c8y/c8y_TestOp3", NULL}},
     .steps = {BRIDGE_UP, {"te/device/main///cmd/restart", "{}"}, {"te/device/main///cmd/software_update", "{}"}},
     .expected = AGENT(TD) "c8y/s/us 114,c8y_TestOp1,c8y_TestOp2,c8y_TestOp3\nc8y/s/us 500\n"
         "c8y/s/us 114,c8y_Restart,c8y_TestOp1,c8y_TestOp2,c8y_TestOp3\n"
         "c8y/s/us 114,c8y_Restart,c8y_SoftwareUpdate,c8y_TestOp1,c8y_TestOp2,c8y_TestOp3\n"
         SW_LIST_REQUEST("main")},
    /* ---- capabilities ---- */
    {.name = "supported_software_types",
     .source = "c8y_mapper_ext/src/tests.rs :: mapper_publishes_supported_software_types",
     .cfg = with_types,
     .steps = {{"te/device/main///cmd/software_list", "{\"types\":[\"apt\",\"docker\"]}"}},
     .expected = UPDATE(TD) "{\"c8y_SupportedSoftwareTypes\":[\"apt\",\"docker\"]}\n"},
    {.name = "software_types_not_published_without_with_types",
     .source = "c8y_mapper_ext/src/converter.rs :: register_software_list_operation (with_types false)",
     .steps = {{"te/device/main///cmd/software_list", "{\"types\":[\"apt\",\"docker\"]}"}},
     .expected = ""},
    {.name = "child_operations_directory_read_on_capability",
     .source = "c8y_mapper_ext/src/tests.rs :: mapper_dynamically_updates_supported_operations_for_child_device",
     .files = {{"operations/c8y/" TD ":device:child1/c8y_ChildTestOp1", NULL},
               {"operations/c8y/" TD ":device:child1/c8y_ChildTestOp2", NULL},
               {"operations/c8y/" TD ":device:child1/c8y_ChildTestOp3", NULL}},
     .steps = {REG_CHILD("child1"), {"te/device/child1///cmd/restart", "{}"}},
     .expected = OUT_CHILD("child1") CHILD1_US "114,c8y_ChildTestOp1,c8y_ChildTestOp2,c8y_ChildTestOp3,c8y_Restart\n"},
    {.name = "nested_child_operations_directory_read_on_capability",
     .source = "c8y_mapper_ext/src/tests.rs :: mapper_dynamically_updates_supported_operations_for_nested_child_device",
     .files = {{"operations/c8y/child11/c8y_ChildTestOp1", NULL}, {"operations/c8y/child11/c8y_ChildTestOp2", NULL},
               {"operations/c8y/child11/c8y_ChildTestOp3", NULL}},
     .steps = {{"te/device/child1//", "{\"@type\":\"child-device\",\"@id\":\"child1\",\"name\":\"child1\"}"},
               {"te/device/child11//", "{\"@type\":\"child-device\",\"@id\":\"child11\",\"name\":\"child11\","
                                        "\"@parent\":\"device/child1//\"}"},
               {"te/device/child11///cmd/restart", "{}"}},
     .expected = "c8y/s/us 101,child1,child1,thin-edge.io-child,false\nc8y/s/us/child1 117,60\n"
         "c8y/s/us/child1 101,child11,child11,thin-edge.io-child,false\nc8y/s/us/child11 117,60\n"
         "c8y/s/us/child11 114,c8y_ChildTestOp1,c8y_ChildTestOp2,c8y_ChildTestOp3,c8y_Restart\n"},
    {.name = "config_metadata_of_main_device",
     .source = "c8y_mapper_ext/src/tests.rs :: mapper_converts_config_metadata_to_supported_op_and_types_for_main_device",
     .steps = {{"te/device/main///cmd/config_snapshot", "{\"types\" : [ \"typeA\", \"typeB\", \"typeC\" ]}"},
               {"te/device/main///cmd/config_update", "{\"types\" : [ \"typeD\", \"typeE\", \"typeF\" ]}"}},
     .expected = "c8y/s/us 114,c8y_UploadConfigFile\nc8y/s/us 119,typeA,typeB,typeC\n"
                 "c8y/s/us 114,c8y_DownloadConfigFile,c8y_UploadConfigFile\nc8y/s/us 119,typeD,typeE,typeF\n"},
    {.name = "config_metadata_of_child_device_updated",
     .source = "c8y_mapper_ext/src/tests.rs :: mapper_converts_config_cmd_to_supported_op_and_types_for_child_device",
     .steps = {REG_CHILD("child1"),
               {"te/device/child1///cmd/config_snapshot", "{\"types\" : [ \"typeA\", \"typeB\", \"typeC\" ]}"},
               {"te/device/child1///cmd/config_snapshot", "{\"types\" : [ \"typeB\", \"typeC\", \"typeD\" ]}"},
               {"te/device/child1///cmd/config_update", "{\"types\" : [ \"typeD\", \"typeE\", \"typeF\" ]}"},
               {"te/device/child1///cmd/config_update", "{\"types\" : [ \"typeB\", \"typeC\", \"typeD\" ]}"}},
     .expected = OUT_CHILD("child1")
         CHILD1_US "114,c8y_UploadConfigFile\n" CHILD1_US "119,typeA,typeB,typeC\n"
         CHILD1_US "119,typeB,typeC,typeD\n"
         CHILD1_US "114,c8y_DownloadConfigFile,c8y_UploadConfigFile\n" CHILD1_US "119,typeD,typeE,typeF\n"
         CHILD1_US "119,typeB,typeC,typeD\n"},
    {.name = "log_types_sorted_without_quoting",
     .source = "c8y_mapper_ext/src/operations/convert.rs :: convert_log_metadata",
     .steps = {{"te/device/main///cmd/log_upload", "{\"types\":[\"syslog\",\"mosquitto\",\"a,b\"]}"}},
     .expected = "c8y/s/us 114,c8y_LogfileRequest\nc8y/s/us 118,a,b,mosquitto,syslog\n"},
    {.name = "empty_log_types_keep_the_comma",
     .source = "c8y_mapper_ext/src/operations/convert.rs :: convert_log_metadata (format!(\"118,{}\", join))",
     .steps = {{"te/device/main///cmd/log_upload", "{\"types\":[]}"}},
     .expected = "c8y/s/us 114,c8y_LogfileRequest\nc8y/s/us 118,\n"},
    {.name = "disabled_log_upload_ignores_even_bad_metadata",
     .source = "c8y_mapper_ext/src/operations/convert.rs :: convert_log_metadata (capabilities.log_upload false)",
     .cfg = log_upload_disabled,
     .steps = {{"te/device/main///cmd/log_upload", "{}"}},
     .expected = ""},
    {.name = "restart_capability_payload_not_read",
     .source = "c8y_mapper_ext/src/converter.rs :: register_restart_operation",
     .steps = {{"te/device/main///cmd/restart", "not json"}},
     .expected = "c8y/s/us 114,c8y_Restart\n"},
    {.name = "service_registers_supported_operations",
     .source = "RobotFramework supported_operations/service-supported-ops.robot :: Services Can Register Supported Operations",
     .steps = {{"te/device/main/service/app1", "{\"@id\":\"" TD ":device:main:service:app1\",\"@type\":\"service\","
                                               "\"name\":\"app1\",\"type\":\"systemd\"}"},
               {"te/device/main/service/app1/cmd/restart", "{}"},
               {"te/device/main/service/app1/cmd/log_upload", "{\"types\": [\"systemd\"]}"}},
     .expected = "c8y/s/us 102," TD ":device:main:service:app1,systemd,app1,up\n"
         "c8y/s/us/" TD ":device:main:service:app1 114,c8y_Restart\n"
         "c8y/s/us/" TD ":device:main:service:app1 114,c8y_LogfileRequest,c8y_Restart\n"
         "c8y/s/us/" TD ":device:main:service:app1 118,systemd\n"},
    {.name = "all_supported_operations_on_signal",
     .source = "c8y_mapper_ext/src/tests.rs :: mapper_publishes_all_supported_operations_on_signal",
     .files = {{"operations/c8y/c8y_Restart", NULL}, {"operations/c8y/" TD ":device:child01/", NULL},
               {"operations/c8y/" TD ":device:child02/c8y_Restart", NULL},
               {"operations/c8y/" TD ":device:child02/c8y_UploadConfigFile", NULL},
               {"operations/c8y/" TD ":device:main:service:collectd/c8y_Restart", NULL}},
     .steps = {{"te/device/main/service/tedge-mapper-c8y",
                "{\"@parent\":\"device/main//\",\"@type\":\"service\",\"name\":\"tedge-mapper-c8y\",\"type\":\"service\"}"},
               {"te/device/child01//", "{\"@parent\":\"device/main//\",\"@type\":\"child-device\"}"},
               {"te/device/child02//", "{\"@parent\":\"device/main//\",\"@type\":\"child-device\"}"},
               {"te/device/main/service/collectd", "{\"@parent\":\"device/main//\",\"@type\":\"service\"}"},
               {"te/device/main/service/tedge-mapper-c8y/signal/sync", "{}"}},
     .expected = "c8y/s/us 102," TD ":device:main:service:tedge-mapper-c8y,service,tedge-mapper-c8y,up\n"
         OUT_CHILD("child01") OUT_CHILD("child02")
         "c8y/s/us 102," TD ":device:main:service:collectd,service,collectd,up\n"
         "c8y/s/us 114,c8y_Restart\n"
         "c8y/s/us/" TD ":device:child01 114\n"
         "c8y/s/us/" TD ":device:child02 114,c8y_Restart,c8y_UploadConfigFile\n"
         "c8y/s/us/" TD ":device:main:service:collectd 114,c8y_Restart\n"},
    /* ---- custom operations from templates ---- */
    {.name = "custom_operation_capability_of_main_device",
     .source = "c8y_mapper_ext/src/tests.rs :: mapper_converts_custom_operation_for_main_device",
     .files = {{"operations/c8y/c8y_Command.template", COMMAND_TEMPLATE}},
     .steps = {{"te/device/main///cmd/command", "{}"}},
     .expected = "c8y/s/us 114,c8y_Command\n",
     .symlinks = {"operations/c8y/c8y_Command"}},
    {.name = "custom_operation_capability_of_child_device",
     .source = "c8y_mapper_ext/src/tests.rs :: mapper_converts_custom_operation_for_child_device",
     .files = {{"operations/c8y/c8y_Command.template", COMMAND_TEMPLATE}},
     .steps = {{"te/device/child1//", "{\"@type\":\"child-device\",\"@parent\":\"device/main//\",\"@id\":\"child1\"}"},
               {"te/device/child1///cmd/command", "{}"}},
     .expected = "c8y/s/us 101,child1,child1,thin-edge.io-child,false\nc8y/s/us/child1 117,60\n"
                 "c8y/s/us/child1 114,c8y_Command\n",
     .symlinks = {"operations/c8y/child1/c8y_Command"}},
    {.name = "custom_operation_registered_for_device_child_and_service",
     .source = "c8y_mapper_ext/src/converter.rs :: test_register_operation",
     .files = {{"operations/c8y/c8y_Operation.template", OPERATION_TEMPLATE}},
     .steps = {{"te/device/main///cmd/my_operation", "{}"},
               {"te/device/child0//", "{\"@type\":\"child-device\",\"@id\":\"child0\",\"name\":\"child0\","
                                       "\"@parent\":\"device/main//\"}"},
               {"te/device/child0///cmd/my_operation", "{}"},
               {"te/device/main/service/service0", "{\"@type\":\"service\",\"@id\":\"service0\",\"name\":\"service0\","
                                                   "\"@parent\":\"device/main//\"}"},
               {"te/device/main/service/service0/cmd/my_operation", "{}"}},
     .expected = "c8y/s/us 114,c8y_Operation\n"
                 "c8y/s/us 101,child0,child0,thin-edge.io-child,false\nc8y/s/us/child0 117,60\n"
                 "c8y/s/us/child0 114,c8y_Operation\n"
                 "c8y/s/us 102,service0,service,service0,up\n"
                 "c8y/s/us/service0 114,c8y_Operation\n",
     .symlinks = {"operations/c8y/c8y_Operation", "operations/c8y/child0/c8y_Operation",
                  "operations/c8y/service0/c8y_Operation"}},
    {.name = "capability_without_template_is_skipped",
     .source = "c8y_mapper_ext/src/converter.rs :: register_custom_operation (no template: registration skipped)",
     .steps = {{"te/device/main///cmd/unknown_operation", "{}"}},
     .expected = ""},
};

int main(void)
{
    return run_rows("c8y ported start-up and capabilities", rows, sizeof rows / sizeof rows[0]);
}
