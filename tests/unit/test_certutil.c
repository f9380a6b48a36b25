/* Unit tests: certutil (device ids, durations, dates, serials, validity of
 * `tedge cert`). Expected texts are thin-edge.io's. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "tedge/certutil.h"

#define DAY 86400ULL
#define YEAR (365 * DAY)

static void test_duration_drops_zero_parts_and_uses_365_day_years(void **state)
{
    (void)state;
    static const struct { uint64_t seconds; const char *text; } cases[] = {
        {0, "0s"},
        {1, "1s"},
        {59, "59s"},
        {60, "1m"},
        {65, "1m 5s"},
        {3600, "1h"},
        {3660, "1h 1m"},
        {3665, "1h 1m 5s"},
        {86400, "1d"},
        {86400 + 3600, "1d 1h"},
        {2 * 86400 + 3 * 3600 + 4 * 60 + 5, "2d 3h 4m 5s"},
        {23 * 3600 + 59 * 60 + 59, "23h 59m 59s"},
        {30 * DAY, "30d"},
        {364 * DAY + 23 * 3600 + 59 * 60 + 58, "364d 23h 59m 58s"},
        {YEAR, "1y"},
        {2 * YEAR, "2y"},
        {5 * YEAR + 219 * DAY + 2 * 3600 + 59 * 60, "5y 219d 2h 59m"},
        {YEAR + 1, "1y 1s"},
    };
    char out[64];
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        te_cert_format_duration(cases[i].seconds, out, sizeof out);
        assert_string_equal(out, cases[i].text);
    }
}

static void test_duration_truncates_to_a_short_buffer(void **state)
{
    (void)state;
    char out[6];
    te_cert_format_duration(2 * DAY + 3 * 3600 + 4 * 60 + 5, out, sizeof out);
    assert_string_equal(out, "2d 3h");
}

static void test_device_id_accepts_the_allowed_characters(void **state)
{
    (void)state;
    static const char *const ok[] = {
        "ThinEdgeDevice", "123ThinEdgeDevice", "'?=()*@!%,-.123ThinEdgeDevice-id", "a_b", "x",
        "0123456789012345678901234567890123456789012345678901234567890123", /* 64 */
    };
    char err[512];
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++)
        assert_int_equal(te_cert_check_device_id(ok[i], err, sizeof err), TE_OK);
}

static void test_device_id_rejects_with_thin_edge_messages(void **state)
{
    (void)state;
    static const struct { const char *id; const char *message; } cases[] = {
        {"", "The empty string cannot be used as a name"},
        {"a+b", "The string '\"a+b\"' contains characters which cannot be used in a name "
                "[use only A-Z, a-z, 0-9, ' = ( ) , - . ? % * _ ! @]"},
        {"thin edge", "The string '\"thin edge\"' contains characters which cannot be used in a name "
                      "[use only A-Z, a-z, 0-9, ' = ( ) , - . ? % * _ ! @]"},
        {"a\"b\\c", "The string '\"a\\\"b\\\\c\"' contains characters which cannot be used in a name "
                    "[use only A-Z, a-z, 0-9, ' = ( ) , - . ? % * _ ! @]"},
        {"thinedgethinedgethinedgethinedgethinedgethinedgethinedgethinedgethinedge",
         "The string '\"thinedgethinedgethinedgethinedgethinedgethinedgethinedgethinedgethinedge\"' "
         "is more than 64 characters long and cannot be used as a name"},
        /* length is checked before characters, and counted in bytes */
        {"++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++",
         "The string '\"++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++\"' "
         "is more than 64 characters long and cannot be used as a name"},
        {"\xc3\xa9", "The string '\"\xc3\xa9\"' contains characters which cannot be used in a name "
                     "[use only A-Z, a-z, 0-9, ' = ( ) , - . ? % * _ ! @]"},
    };
    char err[512];
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        assert_int_equal(te_cert_check_device_id(cases[i].id, err, sizeof err), TE_ERR_INVAL);
        assert_string_equal(err, cases[i].message);
    }
}

static void test_debug_quote_escapes_like_rust(void **state)
{
    (void)state;
    static const struct { const char *in; const char *out; } cases[] = {
        {"", "\"\""},
        {"plain", "\"plain\""},
        {"it's", "\"it's\""},
        {"a\"b", "\"a\\\"b\""},
        {"a\\b", "\"a\\\\b\""},
        {"\n\r\t", "\"\\n\\r\\t\""},
        {"\x1b[0m", "\"\\u{1b}[0m\""},
        {"\x7f", "\"\\u{7f}\""},
    };
    char out[64];
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        te_cert_debug_quote(cases[i].in, out, sizeof out);
        assert_string_equal(out, cases[i].out);
    }
    te_cert_debug_quote("abcdef", out, 4); /* never overflows */
    assert_true(strlen(out) < 4);
}

static void test_date_is_rfc2822_in_english_utc(void **state)
{
    (void)state;
    static const struct { int64_t t; const char *text; } cases[] = {
        {1636468721, "Tue, 09 Nov 2021 14:38:41 +0000"},
        {1668004721, "Wed, 09 Nov 2022 14:38:41 +0000"},
        {1617205197, "Wed, 31 Mar 2021 15:39:57 +0000"},
        {0, "Thu, 01 Jan 1970 00:00:00 +0000"},
        {2524608000, "Sat, 01 Jan 2050 00:00:00 +0000"},
        {253402300799, "Fri, 31 Dec 9999 23:59:59 +0000"},
    };
    char out[64];
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        assert_int_equal(te_cert_format_date(cases[i].t, out, sizeof out), TE_OK);
        assert_string_equal(out, cases[i].text);
    }
    assert_int_equal(te_cert_format_date(253402300800, out, sizeof out), TE_ERR_RANGE);
}

static void test_serial_prints_decimal_and_hex_without_leading_zeros(void **state)
{
    (void)state;
    char dec[168], hex[132];
    const uint8_t zero[] = {0, 0};
    assert_int_equal(te_cert_serial_text(zero, sizeof zero, dec, sizeof dec, hex, sizeof hex), TE_OK);
    assert_string_equal(dec, "0");
    assert_string_equal(hex, "0");
    const uint8_t small[] = {0x00, 0x01, 0x00};
    assert_int_equal(te_cert_serial_text(small, sizeof small, dec, sizeof dec, hex, sizeof hex), TE_OK);
    assert_string_equal(dec, "256");
    assert_string_equal(hex, "100");
    const uint8_t odd[] = {0x0a, 0xbc};
    assert_int_equal(te_cert_serial_text(odd, sizeof odd, dec, sizeof dec, hex, sizeof hex), TE_OK);
    assert_string_equal(dec, "2748");
    assert_string_equal(hex, "abc");
    /* 2^64 - 1 and a 20-byte serial with the top bit cleared */
    const uint8_t max64[] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
    assert_int_equal(te_cert_serial_text(max64, sizeof max64, dec, sizeof dec, hex, sizeof hex), TE_OK);
    assert_string_equal(dec, "18446744073709551615");
    assert_string_equal(hex, "ffffffffffffffff");
    uint8_t twenty[20];
    memset(twenty, 0xff, sizeof twenty);
    twenty[0] = 0x7f;
    assert_int_equal(te_cert_serial_text(twenty, sizeof twenty, dec, sizeof dec, hex, sizeof hex), TE_OK);
    assert_string_equal(dec, "730750818665451459101842416358141509827966271487"); /* 2^159 - 1 */
    assert_string_equal(hex, "7fffffffffffffffffffffffffffffffffffffff");
    char tiny[4];
    assert_int_equal(te_cert_serial_text(twenty, sizeof twenty, tiny, sizeof tiny, hex, sizeof hex),
                     TE_ERR_TOOBIG);
}

static void test_validity_status_by_table(void **state)
{
    (void)state;
    const int64_t nb = 1000000, na = nb + 365 * 86400;
    const int64_t ns = 1000000000LL;
    static const uint64_t min30 = 30 * DAY;
    struct { int64_t now_ns; te_cert_validity_t v; uint64_t secs; const char *text; } cases[] = {
        {(nb - 10) * ns, TE_CERT_NOT_VALID_YET, 10, "NOT VALID YET (will be in: 10s)"},
        {(nb - 10) * ns + 1, TE_CERT_NOT_VALID_YET, 9, "NOT VALID YET (will be in: 9s)"},
        {nb * ns, TE_CERT_VALID, 365 * DAY, "VALID (expires in: 1y)"},
        {(nb + 86400) * ns + 1, TE_CERT_VALID, 364 * DAY - 1, "VALID (expires in: 363d 23h 59m 59s)"},
        {(na - (int64_t)min30 - 1) * ns, TE_CERT_VALID, min30 + 1, "VALID (expires in: 30d 1s)"},
        {(na - (int64_t)min30) * ns, TE_CERT_EXPIRES_SOON, min30, "EXPIRES SOON (expires in: 30d)"},
        {na * ns, TE_CERT_EXPIRES_SOON, 0, "EXPIRES SOON (expires in: 0s)"},
        {na * ns + 1, TE_CERT_EXPIRED, 0, "EXPIRED (since: 0s)"},
        {(na + 90061) * ns, TE_CERT_EXPIRED, 90061, "EXPIRED (since: 1d 1h 1m 1s)"},
    };
    char text[128];
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        uint64_t secs = 99;
        te_cert_validity_t v = te_cert_validity(nb, na, cases[i].now_ns, min30, &secs);
        assert_int_equal(v, cases[i].v);
        assert_int_equal(secs, cases[i].secs);
        te_cert_status_text(v, secs, text, sizeof text);
        assert_string_equal(text, cases[i].text);
    }
}

static void test_needs_renewal_when_expired_or_expiring(void **state)
{
    (void)state;
    assert_true(te_cert_needs_renewal(TE_CERT_EXPIRED));
    assert_true(te_cert_needs_renewal(TE_CERT_EXPIRES_SOON));
    assert_false(te_cert_needs_renewal(TE_CERT_VALID));
    assert_false(te_cert_needs_renewal(TE_CERT_NOT_VALID_YET));
}

static void test_validity_saturates_far_dates(void **state)
{
    (void)state;
    uint64_t secs = 0;
    /* notAfter in year 9999, a minimum that would overflow in nanoseconds */
    te_cert_validity_t v = te_cert_validity(0, 253402300799, 1000000000LL * 1700000000, UINT64_MAX, &secs);
    assert_int_equal(v, TE_CERT_EXPIRES_SOON);
    assert_true(secs > 200000000000ULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_duration_drops_zero_parts_and_uses_365_day_years),
        cmocka_unit_test(test_duration_truncates_to_a_short_buffer),
        cmocka_unit_test(test_device_id_accepts_the_allowed_characters),
        cmocka_unit_test(test_device_id_rejects_with_thin_edge_messages),
        cmocka_unit_test(test_debug_quote_escapes_like_rust),
        cmocka_unit_test(test_date_is_rfc2822_in_english_utc),
        cmocka_unit_test(test_serial_prints_decimal_and_hex_without_leading_zeros),
        cmocka_unit_test(test_validity_status_by_table),
        cmocka_unit_test(test_needs_renewal_when_expired_or_expiring),
        cmocka_unit_test(test_validity_saturates_far_dates),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
