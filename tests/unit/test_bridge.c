/* Unit tests: bridge (the mosquitto bridge file and tedge-mosquitto.conf,
 * byte for byte as thin-edge.io writes them). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "tedge/bridge.h"

static const char *const no_templates[] = {NULL};

static te_bridge_params_t base_params(te_cloud_t cloud)
{
    te_bridge_params_t p = {
        .cloud = cloud,
        .address = "example.com:8883",
        .url = "example.com",
        .root_cert_path = "/etc/ssl/certs",
        .root_cert_is_dir = true,
        .device_id = "alpha",
        .cert_path = "/etc/tedge/device-certs/tedge-certificate.pem",
        .key_path = "/etc/tedge/device-certs/tedge-private-key.pem",
        .topic_prefix = te_cloud_name(cloud),
        .topic_root = "te",
        .keepalive_s = 60,
        .smartrest_templates = no_templates,
    };
    return p;
}

static char *render(const te_bridge_params_t *p)
{
    char *text = NULL;
    size_t len = 0;
    assert_int_equal(te_bridge_render(p, &text, &len), TE_OK);
    assert_int_equal(len, strlen(text));
    return text;
}

#define C8Y_HEAD(local_cleansession)                               \
    "### Bridge\n"                                                 \
    "connection edge_to_c8y\n"                                     \
    "address example.com:8883\n"                                   \
    "bridge_capath /etc/ssl/certs\n"                               \
    "remote_clientid alpha\n"                                      \
    "local_clientid Cumulocity\n"                                  \
    "bridge_certfile /etc/tedge/device-certs/tedge-certificate.pem\n" \
    "bridge_keyfile /etc/tedge/device-certs/tedge-private-key.pem\n" \
    "try_private false\n"                                          \
    "start_type automatic\n"                                       \
    "cleansession true\n"                                          \
    local_cleansession                                             \
    "notifications true\n"                                         \
    "notifications_local_only true\n"                              \
    "notification_topic te/device/main/service/mosquitto-c8y-bridge/status/health\n" \
    "bridge_attempt_unsubscribe false\n"                           \
    "keepalive_interval 60\n"                                      \
    "\n"                                                           \
    "### Topics\n"

#define C8Y_TOPICS                                                 \
    "topic s/dt in 1 c8y/ \"\"\n"                                  \
    "topic s/ut/# out 1 c8y/ \"\"\n"                               \
    "topic s/us/# out 1 c8y/ \"\"\n"                               \
    "topic t/us/# out 1 c8y/ \"\"\n"                               \
    "topic q/us/# out 1 c8y/ \"\"\n"                               \
    "topic c/us/# out 1 c8y/ \"\"\n"                               \
    "topic s/ds in 1 c8y/ \"\"\n"                                  \
    "topic s/e in 0 c8y/ \"\"\n"                                   \
    "topic s/uc/# out 1 c8y/ \"\"\n"                               \
    "topic t/uc/# out 1 c8y/ \"\"\n"                               \
    "topic q/uc/# out 1 c8y/ \"\"\n"                               \
    "topic c/uc/# out 1 c8y/ \"\"\n"                               \
    "topic s/dc/# in 1 c8y/ \"\"\n"                                \
    "topic inventory/managedObjects/update/# out 1 c8y/ \"\"\n"    \
    "topic measurement/measurements/create out 1 c8y/ \"\"\n"      \
    "topic measurement/measurements/createBulk out 1 c8y/ \"\"\n"  \
    "topic event/events/create out 1 c8y/ \"\"\n"                  \
    "topic event/events/createBulk out 1 c8y/ \"\"\n"              \
    "topic alarm/alarms/create out 1 c8y/ \"\"\n"                  \
    "topic alarm/alarms/createBulk out 1 c8y/ \"\"\n"              \
    "topic devicecontrol/notifications in 1 c8y/ \"\"\n"           \
    "topic error in 1 c8y/ \"\"\n"

static void test_c8y_certificate_bridge_is_thin_edge_text(void **state)
{
    (void)state;
    te_bridge_params_t p = base_params(TE_CLOUD_C8Y);
    p.include_local_cleansession = true;
    char *text = render(&p);
    assert_string_equal(text, C8Y_HEAD("local_cleansession false\n") C8Y_TOPICS
                              "topic s/uat out 0 c8y/ \"\"\n"
                              "topic s/dat in 0 c8y/ \"\"\n");
    free(text);
}

static void test_c8y_templates_follow_the_jwt_topics_in_pairs(void **state)
{
    (void)state;
    static const char *const templates[] = {"abc", "def"};
    te_bridge_params_t p = base_params(TE_CLOUD_C8Y);
    p.smartrest_templates = templates;
    p.n_smartrest_templates = 2;
    char *text = render(&p);
    assert_string_equal(text, C8Y_HEAD("") C8Y_TOPICS
                              "topic s/uat out 0 c8y/ \"\"\n"
                              "topic s/dat in 0 c8y/ \"\"\n"
                              "topic s/uc/abc out 1 c8y/ \"\"\n"
                              "topic s/dc/abc in 1 c8y/ \"\"\n"
                              "topic s/uc/def out 1 c8y/ \"\"\n"
                              "topic s/dc/def in 1 c8y/ \"\"\n");
    free(text);
}

static void test_c8y_basic_auth_has_credentials_and_no_jwt_topics(void **state)
{
    (void)state;
    te_bridge_params_t p = base_params(TE_CLOUD_C8Y);
    p.username = "t123/octocat";
    p.password = "pass1234";
    p.cert_path = p.key_path = NULL;
    char *text = render(&p);
    assert_non_null(strstr(text, "local_clientid Cumulocity\nremote_username t123/octocat\nremote_password pass1234\n"
                                 "try_private false\n"));
    assert_null(strstr(text, "bridge_certfile"));
    assert_null(strstr(text, "s/uat"));
    free(text);
}

static void test_c8y_prefix_root_profile_keepalive_and_cafile(void **state)
{
    (void)state;
    te_bridge_params_t p = base_params(TE_CLOUD_C8Y);
    p.topic_prefix = "c8y-eu";
    p.topic_root = "tedge";
    p.profile = "second";
    p.keepalive_s = 120;
    p.root_cert_is_dir = false;
    p.root_cert_path = "/etc/tedge/c8y-root.pem";
    char *text = render(&p);
    assert_non_null(strstr(text, "connection edge_to_c8y@second\n"));
    assert_non_null(strstr(text, "local_clientid Cumulocity@second\n"));
    assert_non_null(strstr(text, "bridge_cafile /etc/tedge/c8y-root.pem\n"));
    assert_non_null(strstr(text, "notification_topic tedge/device/main/service/mosquitto-c8y-eu-bridge/status/health\n"));
    assert_non_null(strstr(text, "keepalive_interval 120\n"));
    assert_non_null(strstr(text, "topic s/us/# out 1 c8y-eu/ \"\"\n"));
    free(text);
}

static void test_c8y_smartrest1_and_mqtt_service_topics(void **state)
{
    (void)state;
    static const char *const legacy[] = {"L1"};
    static const char *const service[] = {"sensors/+/set"};
    te_bridge_params_t p = base_params(TE_CLOUD_C8Y);
    p.smartrest1_templates = legacy;
    p.n_smartrest1_templates = 1;
    p.mqtt_service = true;
    p.mqtt_service_topics = service;
    p.n_mqtt_service_topics = 1;
    char *text = render(&p);
    const char *tail = strstr(text, "topic s/dat in 0 c8y/ \"\"\n");
    assert_non_null(tail);
    assert_string_equal(tail, "topic s/dat in 0 c8y/ \"\"\n"
                              "topic s/ul/# out 1 c8y/ \"\"\n"
                              "topic t/ul/# out 1 c8y/ \"\"\n"
                              "topic q/ul/# out 1 c8y/ \"\"\n"
                              "topic c/ul/# out 1 c8y/ \"\"\n"
                              "topic s/dl in 1 c8y/ \"\"\n"
                              "topic s/ul/L1 out 1 c8y/ \"\"\n"
                              "topic s/dl/L1 in 1 c8y/ \"\"\n"
                              "topic s/ol/L1 in 1 c8y/ \"\"\n"
                              "topic # out 1 c8y/mqtt/out/ \"\"\n"
                              "topic sensors/+/set in 1 c8y/mqtt/in/ \"\"\n");
    free(text);
}

static void test_az_bridge_is_thin_edge_text(void **state)
{
    (void)state;
    te_bridge_params_t p = base_params(TE_CLOUD_AZ);
    p.root_cert_is_dir = false;
    p.root_cert_path = "/etc/ssl/az.pem";
    p.include_local_cleansession = true; /* ignored: c8y only */
    char *text = render(&p);
    assert_string_equal(text,
                        "### Bridge\n"
                        "connection edge_to_az\n"
                        "address example.com:8883\n"
                        "bridge_cafile /etc/ssl/az.pem\n"
                        "remote_clientid alpha\n"
                        "local_clientid Azure\n"
                        "remote_username example.com/alpha/?api-version=2018-06-30\n"
                        "bridge_certfile /etc/tedge/device-certs/tedge-certificate.pem\n"
                        "bridge_keyfile /etc/tedge/device-certs/tedge-private-key.pem\n"
                        "try_private false\n"
                        "start_type automatic\n"
                        "cleansession false\n"
                        "notifications true\n"
                        "notifications_local_only true\n"
                        "notification_topic te/device/main/service/mosquitto-az-bridge/status/health\n"
                        "bridge_attempt_unsubscribe false\n"
                        "keepalive_interval 60\n"
                        "\n"
                        "### Topics\n"
                        "topic messages/events/# out 1 az/ devices/alpha/\n"
                        "topic messages/devicebound/# in 1 az/ devices/alpha/\n"
                        "topic methods/POST/# in 1 az/ $iothub/\n"
                        "topic methods/res/# out 1 az/ $iothub/\n"
                        "topic twin/res/# in 1 az/ $iothub/\n"
                        "topic twin/GET/# out 1 az/ $iothub/\n"
                        "topic twin/PATCH/# out 1 az/ $iothub/\n");
    free(text);
}

static void test_aws_bridge_topics_and_username(void **state)
{
    (void)state;
    te_bridge_params_t p = base_params(TE_CLOUD_AWS);
    char *text = render(&p);
    assert_non_null(strstr(text, "local_clientid Aws\nremote_username alpha\nbridge_certfile "));
    assert_non_null(strstr(text, "cleansession false\nnotifications true\n"));
    const char *topics = strstr(text, "### Topics\n");
    assert_non_null(topics);
    assert_string_equal(topics, "### Topics\n"
                                "topic td/# out 1 aws/ thinedge/alpha/\n"
                                "topic cmd/# in 1 aws/ thinedge/alpha/\n"
                                "topic shadow/# both 1 aws/ $aws/things/alpha/\n"
                                "topic \"\" out 1 aws/test-connection thinedge/devices/alpha/test-connection\n"
                                "topic \"\" in 1 aws/connection-success thinedge/devices/alpha/test-connection\n");
    free(text);
}

static void test_missing_required_fields_are_rejected(void **state)
{
    (void)state;
    char *text = (char *)"unchanged";
    te_bridge_params_t p = base_params(TE_CLOUD_AZ);
    p.url = NULL;
    assert_int_equal(te_bridge_render(&p, &text, NULL), TE_ERR_INVAL);
    assert_null(text);
    p = base_params(TE_CLOUD_C8Y);
    p.cert_path = NULL;
    assert_int_equal(te_bridge_render(&p, &text, NULL), TE_ERR_INVAL);
}

static void test_names_and_paths(void **state)
{
    (void)state;
    te_cloud_t cloud;
    assert_int_equal(te_cloud_parse("aws", &cloud), TE_OK);
    assert_int_equal(cloud, TE_CLOUD_AWS);
    assert_int_equal(te_cloud_parse("gcp", &cloud), TE_ERR_INVAL);
    assert_string_equal(te_cloud_display_name(TE_CLOUD_C8Y), "Cumulocity");
    char buf[64];
    assert_int_equal(te_bridge_file_name(TE_CLOUD_AZ, NULL, buf, sizeof buf), TE_OK);
    assert_string_equal(buf, "az-bridge.conf");
    assert_int_equal(te_bridge_file_name(TE_CLOUD_C8Y, "p2", buf, sizeof buf), TE_OK);
    assert_string_equal(buf, "c8y@p2-bridge.conf");
    assert_int_equal(te_bridge_file_name(TE_CLOUD_C8Y, "p2", buf, 8), TE_ERR_TOOBIG);
}

static void test_mosquitto_conf_default_listener(void **state)
{
    (void)state;
    te_mosquitto_conf_params_t p = {.bind_port = 1883, .bind_address = "127.0.0.1"};
    char *text = NULL;
    assert_int_equal(te_mosquitto_conf_render(&p, &text, NULL), TE_OK);
    assert_string_equal(text, "per_listener_settings true\n"
                              "connection_messages true\n"
                              "log_type error\n"
                              "log_type warning\n"
                              "log_type notice\n"
                              "log_type information\n"
                              "log_type subscribe\n"
                              "log_type unsubscribe\n"
                              "message_size_limit 268435455\n"
                              "listener 1883 127.0.0.1\n"
                              "allow_anonymous true\n"
                              "require_certificate false\n");
    free(text);
}

static void test_mosquitto_conf_external_listener(void **state)
{
    (void)state;
    te_mosquitto_conf_params_t p = {.bind_port = 1234, .bind_address = "1.2.3.4", .external_port = 2345,
                                    .external_address = "0.0.0.0", .external_interface = "wlan0",
                                    .external_ca_path = "/etc/ssl/certs", .external_cert_file = "cert.pem",
                                    .external_key_file = "key.pem"};
    char *text = NULL;
    assert_int_equal(te_mosquitto_conf_render(&p, &text, NULL), TE_OK);
    const char *listener = strstr(text, "listener 1234");
    assert_non_null(listener);
    assert_string_equal(listener, "listener 1234 1.2.3.4\n"
                                  "allow_anonymous true\n"
                                  "require_certificate false\n"
                                  "listener 2345 0.0.0.0\n"
                                  "allow_anonymous false\n"
                                  "require_certificate true\n"
                                  "bind_interface wlan0\n"
                                  "capath /etc/ssl/certs\n"
                                  "certfile cert.pem\n"
                                  "keyfile key.pem\n");
    free(text);
    /* without a CA: anonymous; without an address: thin-edge.io's "<port> " */
    te_mosquitto_conf_params_t q = {.bind_port = 1883, .bind_address = "127.0.0.1", .external_port = 8883};
    assert_int_equal(te_mosquitto_conf_render(&q, &text, NULL), TE_OK);
    assert_non_null(strstr(text, "listener 8883 \nallow_anonymous true\nrequire_certificate false\n"));
    free(text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_c8y_certificate_bridge_is_thin_edge_text),
        cmocka_unit_test(test_c8y_templates_follow_the_jwt_topics_in_pairs),
        cmocka_unit_test(test_c8y_basic_auth_has_credentials_and_no_jwt_topics),
        cmocka_unit_test(test_c8y_prefix_root_profile_keepalive_and_cafile),
        cmocka_unit_test(test_c8y_smartrest1_and_mqtt_service_topics),
        cmocka_unit_test(test_az_bridge_is_thin_edge_text),
        cmocka_unit_test(test_aws_bridge_topics_and_username),
        cmocka_unit_test(test_missing_required_fields_are_rejected),
        cmocka_unit_test(test_names_and_paths),
        cmocka_unit_test(test_mosquitto_conf_default_listener),
        cmocka_unit_test(test_mosquitto_conf_external_listener),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
