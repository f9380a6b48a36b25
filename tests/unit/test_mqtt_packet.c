/* Unit tests for mqtt_packet (encoding and decoding against bytes written
 * out from MQTT 3.1.1, topic rules from its §4.7) and x509_cn (the device id
 * from a certificate made by openssl, and malformed input). */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "tedge/mqtt_packet.h"
#include "tedge/x509_cn.h"

/* Made with: openssl req -x509 -newkey ec ... -subj "/O=Thin Edge/OU=Test Device/CN=my-device-01"
 * and -subj "/O=NoCN". */
static const char CERT_CN[] =
    "-----BEGIN CERTIFICATE-----\n"
    "MIIB1jCCAX2gAwIBAgIUF+RgGCN1jvZo5bh2t1QEfoXjePYwCgYIKoZIzj0EAwIw\n"
    "QTESMBAGA1UECgwJVGhpbiBFZGdlMRQwEgYDVQQLDAtUZXN0IERldmljZTEVMBMG\n"
    "A1UEAwwMbXktZGV2aWNlLTAxMB4XDTI2MTEyNTIzMjM0MFoXDTI2MTEyNjIzMjM0\n"
    "MFowQTESMBAGA1UECgwJVGhpbiBFZGdlMRQwEgYDVQQLDAtUZXN0IERldmljZTEV\n"
    "MBMGA1UEAwwMbXktZGV2aWNlLTAxMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE\n"
    "gD3vJkLjEpE9FldMyMLJsPX8rbnM8At07SukhegorXvpowhg5sh9u5SiYgRWPO4A\n"
    "zf6rl3kWVj4veMr/ZhsVjKNTMFEwHQYDVR0OBBYEFD7IrRUI7fEN+K2U0CsKFkm4\n"
    "VyjkMB8GA1UdIwQYMBaAFD7IrRUI7fEN+K2U0CsKFkm4VyjkMA8GA1UdEwEB/wQF\n"
    "MAMBAf8wCgYIKoZIzj0EAwIDRwAwRAIgb/ls4z2wjWCS0jgTwwOrrfmiMx5A8fYa\n"
    "Pj0VfATST9kCIG/Wljq2JYeMIWRtDjSumDMPx+14ABBXvrfKYcSLGPLF\n"
    "-----END CERTIFICATE-----\n"
    ;
static const char CERT_NO_CN[] =
    "-----BEGIN CERTIFICATE-----\n"
    "MIIBdDCCARmgAwIBAgIUHABYORYJe4GW6Aqf5n56s51y/zIwCgYIKoZIzj0EAwIw\n"
    "DzENMAsGA1UECgwETm9DTjAeFw0yNjExMjUyMzIzNDBaFw0yNjExMjYyMzIzNDBa\n"
    "MA8xDTALBgNVBAoMBE5vQ04wWTATBgcqhkjOPQIBBggqhkjOPQMBBwNCAATOQwkg\n"
    "+t87medNa/pxqH6/VU0648R0sjUxdG3BqlkzIRtKChU1Uz0pFv1YuAusOkyJ0Gzr\n"
    "hB4bkbI2Sgi8kn0uo1MwUTAdBgNVHQ4EFgQUuByzdiJJo3KEFsRIgseeK0Qx+Nsw\n"
    "HwYDVR0jBBgwFoAUuByzdiJJo3KEFsRIgseeK0Qx+NswDwYDVR0TAQH/BAUwAwEB\n"
    "/zAKBggqhkjOPQQDAgNJADBGAiEAsAmkVMFl/OJsnbMX2V5UlJPHgrvwph3Pg2Ey\n"
    "xIYFzXgCIQDPZiU8QEEoW9YSZH9vUNBjpPJ3Gs9ZF+1e/zFW83Rqcw==\n"
    "-----END CERTIFICATE-----\n"
    ;

static void test_remaining_length_boundaries_round_trip(void **state)
{
    (void)state;
    static const struct { size_t value; size_t header_len; } rows[] = {
        {0, 2}, {127, 2}, {128, 3}, {16383, 3}, {16384, 4}, {2097151, 4}, {2097152, 5},
        {TE_MQTT_MAX_REMAINING, 5},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        uint8_t buf[TE_MQTT_MAX_HEADER];
        size_t n = te_mqtt_put_header(buf, 0x30, rows[i].value);
        assert_int_equal(n, rows[i].header_len);
        assert_int_equal(te_mqtt_header_len(rows[i].value), rows[i].header_len);
        uint8_t first;
        size_t remaining, header_len;
        assert_int_equal(te_mqtt_get_header(buf, n, &first, &remaining, &header_len), 1);
        assert_int_equal(first, 0x30);
        assert_int_equal(remaining, rows[i].value);
        assert_int_equal(header_len, n);
        /* one byte short: needs more */
        assert_int_equal(te_mqtt_get_header(buf, n - 1, &first, &remaining, &header_len), 0);
    }
}

static void test_remaining_length_of_five_bytes_is_malformed(void **state)
{
    (void)state;
    const uint8_t bad[] = {0x30, 0xff, 0xff, 0xff, 0xff, 0x01};
    uint8_t first;
    size_t remaining, header_len;
    assert_int_equal(te_mqtt_get_header(bad, sizeof bad, &first, &remaining, &header_len), -1);
}

static void test_connect_encodes_flags_and_fields_in_spec_order(void **state)
{
    (void)state;
    te_mqtt_connect_t c = {.client_id = "id", .clean_session = false, .keepalive_s = 60,
                           .will_topic = "w", .will_payload = "x", .will_len = 1, .will_qos = 1,
                           .will_retain = true, .username = "u", .password = "p"};
    const uint8_t want[] = {0x10, 26, 0, 4, 'M', 'Q', 'T', 'T', 4,
                            0x80 | 0x40 | 0x20 | 0x08 | 0x04, 0, 60,
                            0, 2, 'i', 'd', 0, 1, 'w', 0, 1, 'x', 0, 1, 'u', 0, 1, 'p'};
    uint8_t buf[64];
    assert_int_equal(te_mqtt_connect_size(&c), sizeof want);
    assert_int_equal(te_mqtt_connect_encode(&c, buf), sizeof want);
    assert_memory_equal(buf, want, sizeof want);
}

static void test_connect_clean_session_without_options(void **state)
{
    (void)state;
    te_mqtt_connect_t c = {.client_id = "", .clean_session = true, .keepalive_s = 5};
    const uint8_t want[] = {0x10, 12, 0, 4, 'M', 'Q', 'T', 'T', 4, 0x02, 0, 5, 0, 0};
    uint8_t buf[32];
    assert_int_equal(te_mqtt_connect_encode(&c, buf), sizeof want);
    assert_memory_equal(buf, want, sizeof want);
}

static void test_publish_qos1_round_trips_with_packet_id_offset(void **state)
{
    (void)state;
    uint8_t buf[64];
    size_t size = te_mqtt_publish_size(3, 5, 1);
    size_t pid_off = 0;
    assert_int_equal(size, 2 + 2 + 3 + 2 + 5);
    assert_int_equal(te_mqtt_publish_encode(buf, "a/b", 3, "hello", 5, 1, true, 0x1234, &pid_off), size);
    const uint8_t want[] = {0x33, 12, 0, 3, 'a', '/', 'b', 0x12, 0x34, 'h', 'e', 'l', 'l', 'o'};
    assert_memory_equal(buf, want, sizeof want);
    assert_int_equal(pid_off, 7);
    te_mqtt_publish_t p;
    assert_int_equal(te_mqtt_publish_decode(buf[0], buf + 2, size - 2, &p), TE_OK);
    assert_int_equal(p.topic_len, 3);
    assert_memory_equal(p.topic, "a/b", 3);
    assert_int_equal(p.payload_len, 5);
    assert_memory_equal(p.payload, "hello", 5);
    assert_int_equal(p.qos, 1);
    assert_true(p.retain);
    assert_false(p.dup);
    assert_int_equal(p.packet_id, 0x1234);
}

static void test_publish_qos0_has_no_packet_id_and_may_be_empty(void **state)
{
    (void)state;
    uint8_t buf[16];
    size_t n = te_mqtt_publish_encode(buf, "t", 1, "", 0, 0, false, 0, NULL);
    const uint8_t want[] = {0x30, 3, 0, 1, 't'};
    assert_int_equal(n, sizeof want);
    assert_memory_equal(buf, want, sizeof want);
    te_mqtt_publish_t p;
    assert_int_equal(te_mqtt_publish_decode(buf[0], buf + 2, n - 2, &p), TE_OK);
    assert_int_equal(p.payload_len, 0);
    assert_int_equal(p.packet_id, 0);
}

static void test_publish_decode_rejects_malformed_bodies(void **state)
{
    (void)state;
    te_mqtt_publish_t p;
    const uint8_t short_len[] = {0};
    assert_int_equal(te_mqtt_publish_decode(0x30, short_len, 1, &p), TE_ERR_PARSE);
    const uint8_t topic_past_end[] = {0, 9, 'a'};
    assert_int_equal(te_mqtt_publish_decode(0x30, topic_past_end, 3, &p), TE_ERR_PARSE);
    const uint8_t empty_topic[] = {0, 0, 'x'};
    assert_int_equal(te_mqtt_publish_decode(0x30, empty_topic, 3, &p), TE_ERR_PARSE);
    const uint8_t wildcard[] = {0, 1, '#'};
    assert_int_equal(te_mqtt_publish_decode(0x30, wildcard, 3, &p), TE_ERR_PARSE);
    const uint8_t ok[] = {0, 1, 't', 0, 7};
    assert_int_equal(te_mqtt_publish_decode(0x36, ok, 5, &p), TE_ERR_PARSE);    /* qos 3 */
    const uint8_t zero_pid[] = {0, 1, 't', 0, 0};
    assert_int_equal(te_mqtt_publish_decode(0x32, zero_pid, 5, &p), TE_ERR_PARSE);
    const uint8_t no_pid[] = {0, 1, 't', 0};
    assert_int_equal(te_mqtt_publish_decode(0x32, no_pid, 4, &p), TE_ERR_PARSE);
    const uint8_t bad_utf8[] = {0, 2, 0xc3, 0x28};
    assert_int_equal(te_mqtt_publish_decode(0x30, bad_utf8, 4, &p), TE_ERR_PARSE);
}

static void test_publish_size_refuses_what_mqtt_cannot_carry(void **state)
{
    (void)state;
    assert_int_equal(te_mqtt_publish_size(65536, 0, 0), 0);
    assert_int_equal(te_mqtt_publish_size(1, TE_MQTT_MAX_REMAINING, 0), 0);
    assert_int_not_equal(te_mqtt_publish_size(65535, 0, 1), 0);
}

static void test_acks_and_subscribe_bytes(void **state)
{
    (void)state;
    uint8_t ack[4];
    te_mqtt_ack_encode(ack, TE_MQTT_PUBACK, 0x0102);
    assert_memory_equal(ack, ((uint8_t[]){0x40, 2, 1, 2}), 4);
    te_mqtt_ack_encode(ack, TE_MQTT_PUBREL, 7);
    assert_memory_equal(ack, ((uint8_t[]){0x62, 2, 0, 7}), 4);
    uint8_t sub[16];
    assert_int_equal(te_mqtt_subscribe_size(3), 10);
    assert_int_equal(te_mqtt_subscribe_encode(sub, 9, "a/#", 3, 1), 10);
    assert_memory_equal(sub, ((uint8_t[]){0x82, 8, 0, 9, 0, 3, 'a', '/', '#', 1}), 10);
}

static void test_filter_validity_follows_section_4_7(void **state)
{
    (void)state;
    static const struct { const char *filter; bool valid; } rows[] = {
        {"#", true}, {"+", true}, {"a/#", true}, {"a/+/b", true}, {"+/+", true}, {"/", true},
        {"te/+/+/+/+/m/+", true}, {"a#", false}, {"a/#/b", false}, {"a+", false},
        {"a/b+/c", false}, {"", false}, {"#/", false},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
        assert_int_equal(te_mqtt_filter_valid(rows[i].filter, strlen(rows[i].filter)), rows[i].valid);
    assert_false(te_mqtt_filter_valid("a\0b", 3));
    assert_true(te_mqtt_topic_valid("a/b/", 4));
    assert_false(te_mqtt_topic_valid("a/+", 3));
    assert_false(te_mqtt_topic_valid("a/#", 3));
    assert_false(te_mqtt_topic_valid("", 0));
}

static void test_topic_matching_follows_section_4_7(void **state)
{
    (void)state;
    static const struct { const char *filter, *topic; bool match; } rows[] = {
        {"sport/tennis/player1/#", "sport/tennis/player1", true},
        {"sport/tennis/player1/#", "sport/tennis/player1/ranking", true},
        {"sport/tennis/player1/#", "sport/tennis/player1/score/wimbledon", true},
        {"sport/#", "sport", true},
        {"#", "a/b/c", true},
        {"sport/tennis/+", "sport/tennis/player1", true},
        {"sport/tennis/+", "sport/tennis/player1/ranking", false},
        {"sport/+", "sport", false},
        {"sport/+", "sport/", true},
        {"+/+", "/finance", true},
        {"/+", "/finance", true},
        {"+", "/finance", false},
        {"#", "$SYS/x", false},
        {"+/monitor/Clients", "$SYS/monitor/Clients", false},
        {"$SYS/#", "$SYS/x", true},
        {"te/+/+/+/+/m/+", "te/device/main///m/", true},
        {"te/+/+/+/+/m/+", "te/device/main///m/env", true},
        {"te/+/+/+/+/m/+", "te/device/main///e/env", false},
        {"te/+/+/+/+/m/+", "te/device/main//m/env", false},
        {"a/b", "a/b", true},
        {"a/b", "a/bc", false},
        {"a/b", "a", false},
        {"a/b/c", "a/b", false},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        bool got = te_mqtt_topic_matches(rows[i].filter, rows[i].topic, strlen(rows[i].topic));
        if (got != rows[i].match)
            fail_msg("%s vs %s: got %d", rows[i].filter, rows[i].topic, got);
    }
}

static void test_cn_of_an_openssl_certificate(void **state)
{
    (void)state;
    char cn[65];
    assert_int_equal(te_x509_pem_cn(CERT_CN, strlen(CERT_CN), cn, sizeof cn), TE_OK);
    assert_string_equal(cn, "my-device-01");
    /* text before the block (a chain file with comments) is skipped */
    char with_prefix[2048];
    snprintf(with_prefix, sizeof with_prefix, "subject=whatever\r\n%s", CERT_CN);
    assert_int_equal(te_x509_pem_cn(with_prefix, strlen(with_prefix), cn, sizeof cn), TE_OK);
    assert_string_equal(cn, "my-device-01");
    char small[5];
    assert_int_equal(te_x509_pem_cn(CERT_CN, strlen(CERT_CN), small, sizeof small), TE_ERR_TOOBIG);
}

static void test_cn_missing_or_malformed_certificates(void **state)
{
    (void)state;
    char cn[65];
    assert_int_equal(te_x509_pem_cn(CERT_NO_CN, strlen(CERT_NO_CN), cn, sizeof cn), TE_ERR_NOTFOUND);
    assert_int_equal(te_x509_pem_cn("", 0, cn, sizeof cn), TE_ERR_PARSE);
    const char *no_end = "-----BEGIN CERTIFICATE-----\nMIIB\n";
    assert_int_equal(te_x509_pem_cn(no_end, strlen(no_end), cn, sizeof cn), TE_ERR_PARSE);
    const char *bad_b64 = "-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----\n";
    assert_int_equal(te_x509_pem_cn(bad_b64, strlen(bad_b64), cn, sizeof cn), TE_ERR_PARSE);
    /* valid base64 of a truncated DER sequence */
    const char *truncated = "-----BEGIN CERTIFICATE-----\nMIIB1jCC\n-----END CERTIFICATE-----\n";
    assert_int_equal(te_x509_pem_cn(truncated, strlen(truncated), cn, sizeof cn), TE_ERR_PARSE);
    /* every prefix of the real certificate's body fails cleanly */
    const char *body = strstr(CERT_CN, "\n") + 1;
    for (size_t cut = 0; cut + 30 < strlen(body); cut += 7) {
        char buf[2048];
        snprintf(buf, sizeof buf, "-----BEGIN CERTIFICATE-----\n%.*s\n-----END CERTIFICATE-----\n",
                 (int)cut, body);
        te_err_t rc = te_x509_pem_cn(buf, strlen(buf), cn, sizeof cn);
        assert_true(rc == TE_ERR_PARSE || rc == TE_OK);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_remaining_length_boundaries_round_trip),
        cmocka_unit_test(test_remaining_length_of_five_bytes_is_malformed),
        cmocka_unit_test(test_connect_encodes_flags_and_fields_in_spec_order),
        cmocka_unit_test(test_connect_clean_session_without_options),
        cmocka_unit_test(test_publish_qos1_round_trips_with_packet_id_offset),
        cmocka_unit_test(test_publish_qos0_has_no_packet_id_and_may_be_empty),
        cmocka_unit_test(test_publish_decode_rejects_malformed_bodies),
        cmocka_unit_test(test_publish_size_refuses_what_mqtt_cannot_carry),
        cmocka_unit_test(test_acks_and_subscribe_bytes),
        cmocka_unit_test(test_filter_validity_follows_section_4_7),
        cmocka_unit_test(test_topic_matching_follows_section_4_7),
        cmocka_unit_test(test_cn_of_an_openssl_certificate),
        cmocka_unit_test(test_cn_missing_or_malformed_certificates),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
