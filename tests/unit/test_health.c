/* Unit tests: health (topics and payloads of a service's presence). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tedge/health.h"

static void test_main_device_service_topics_and_registration(void **state)
{
    (void)state;
    te_health_t h;
    assert_int_equal(te_health_init(&h, "te", "device/main//", "tedge-agent", "service", false), TE_OK);
    assert_string_equal(h.service_id, "device/main/service/tedge-agent");
    assert_string_equal(h.registration_topic, "te/device/main/service/tedge-agent");
    assert_string_equal(h.health_topic, "te/device/main/service/tedge-agent/status/health");
    assert_string_equal(h.check_topic, "te/device/main/service/tedge-agent/cmd/health/check");
    assert_string_equal(h.device_check_topic, "te/device/main///cmd/health/check");
    assert_string_equal(h.registration,
                        "{\"@type\":\"service\",\"@parent\":\"device/main//\",\"name\":\"tedge-agent\",\"type\":\"service\"}");
    char down[64];
    snprintf(down, sizeof down, "{\"status\":\"down\",\"pid\":%ld}", (long)getpid());
    assert_string_equal(h.down, down);
}

static void test_child_device_and_custom_root(void **state)
{
    (void)state;
    te_health_t h;
    assert_int_equal(te_health_init(&h, "tedge", "device/child01//", "tedge-agent", "systemd", false), TE_OK);
    assert_string_equal(h.health_topic, "tedge/device/child01/service/tedge-agent/status/health");
    assert_non_null(strstr(h.registration, "\"@parent\":\"device/child01//\""));
    assert_non_null(strstr(h.registration, "\"type\":\"systemd\""));
}

static void test_non_default_scheme_device_is_rejected(void **state)
{
    (void)state;
    te_health_t h;
    static const char *const bad[] = {"factory/a/b/c", "device///", "device/x/service/y", "device/x", "main//"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(te_health_init(&h, "te", bad[i], "svc", "service", false), TE_ERR_INVAL);
}

static void test_will_is_retained_qos1_down(void **state)
{
    (void)state;
    te_health_t h;
    assert_int_equal(te_health_init(&h, "te", "device/main//", "tedge-mapper-c8y", "service", false), TE_OK);
    te_bus_opts_t opts = {0};
    te_health_set_will(&h, &opts);
    assert_string_equal(opts.will_topic, "te/device/main/service/tedge-mapper-c8y/status/health");
    assert_string_equal(opts.will_payload, h.down);
    assert_int_equal(opts.will_qos, 1);
    assert_true(opts.will_retain);
}

static void test_up_payload_unix_and_rfc3339(void **state)
{
    (void)state;
    te_health_t h;
    char buf[160], prefix[64];
    snprintf(prefix, sizeof prefix, "{\"status\":\"up\",\"pid\":%ld,\"time\":", (long)getpid());
    assert_int_equal(te_health_init(&h, "te", "device/main//", "a", "service", false), TE_OK);
    assert_true(te_health_up_payload(&h, buf, sizeof buf) > 0);
    assert_memory_equal(buf, prefix, strlen(prefix));
    double t = strtod(buf + strlen(prefix), NULL);
    assert_true(t > 1.7e9);
    assert_true(t < 1e11);
    assert_int_equal(te_health_init(&h, "te", "device/main//", "a", "service", true), TE_OK);
    assert_true(te_health_up_payload(&h, buf, sizeof buf) > 0);
    assert_int_equal(buf[strlen(prefix)], '"');
    assert_non_null(strstr(buf, "Z\"}"));
    assert_int_equal(te_health_up_payload(&h, buf, 10), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_main_device_service_topics_and_registration),
        cmocka_unit_test(test_child_device_and_custom_root),
        cmocka_unit_test(test_non_default_scheme_device_is_rejected),
        cmocka_unit_test(test_will_is_retained_qos1_down),
        cmocka_unit_test(test_up_payload_unix_and_rfc3339),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
