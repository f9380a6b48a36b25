/* Unit tests: text (UTF-8 validation, base64, durations). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "tedge/text.h"

static void test_utf8_accepts_and_rejects_by_table(void **state)
{
    (void)state;
    static const struct { const char *bytes; size_t len; bool valid; } cases[] = {
        {"", 0, true},
        {"plain ascii", 11, true},
        {"\xc3\xa9", 2, true},                 /* é */
        {"\xe2\x82\xac", 3, true},             /* € */
        {"\xf0\x9f\x98\x80", 4, true},         /* emoji */
        {"a\0b", 3, true},                     /* NUL is valid UTF-8 */
        {"\xff", 1, false},
        {"\xc3", 1, false},                    /* truncated */
        {"\xc0\xaf", 2, false},                /* overlong '/' */
        {"\xe0\x80\xaf", 3, false},            /* overlong */
        {"\xed\xa0\x80", 3, false},            /* surrogate D800 */
        {"\xf4\x90\x80\x80", 4, false},        /* above U+10FFFF */
        {"\x80", 1, false},                    /* lone continuation */
        {"\xe2\x82", 2, false},
        {"ok\xe2\x28\xa1", 5, false},          /* bad continuation */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        if (te_utf8_valid(cases[i].bytes, cases[i].len) != cases[i].valid)
            fail_msg("case %zu", i);
    }
}

static void test_base64_rfc4648_vectors_round_trip(void **state)
{
    (void)state;
    static const char *const plain[] = {"", "f", "fo", "foo", "foob", "fooba", "foobar"};
    static const char *const coded[] = {"", "Zg==", "Zm8=", "Zm9v", "Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy"};
    for (size_t i = 0; i < 7; i++) {
        char out[16];
        assert_int_equal(te_base64_encode(plain[i], strlen(plain[i]), out, sizeof out), TE_OK);
        assert_string_equal(out, coded[i]);
        char back[16];
        size_t n = 99;
        assert_int_equal(te_base64_decode(coded[i], strlen(coded[i]), back, sizeof back, &n), TE_OK);
        assert_int_equal(n, strlen(plain[i]));
        assert_memory_equal(back, plain[i], n);
    }
}

static void test_base64_rejects_bad_text(void **state)
{
    (void)state;
    static const char *const bad[] = {"Zg=", "Z===", "Zm9v!A==", "Zg==Zg==", "=Zg=", "Zm 9"};
    char out[16];
    size_t n;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(te_base64_decode(bad[i], strlen(bad[i]), out, sizeof out, &n), TE_ERR_PARSE);
}

static void test_base64_reports_small_buffers(void **state)
{
    (void)state;
    char out[4];
    assert_int_equal(te_base64_encode("foo", 3, out, sizeof out), TE_ERR_TOOBIG);
    size_t n;
    assert_int_equal(te_base64_decode("Zm9vYmFy", 8, out, 4, &n), TE_ERR_TOOBIG);
}

static void test_duration_units(void **state)
{
    (void)state;
    static const struct { const char *text; unsigned long long ms; } ok[] = {
        {"0", 0}, {"60", 60000}, {"60s", 60000}, {"500ms", 500}, {"5m", 300000},
        {"1h", 3600000}, {"365d", 31536000000ULL},
    };
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        unsigned long long ms = 1;
        assert_int_equal(te_duration_parse_ms(ok[i].text, &ms), TE_OK);
        assert_true(ms == ok[i].ms);
    }
    static const char *const bad[] = {"", "s", "-1", "1.5s", "10x", "1 s", "abc"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        unsigned long long ms;
        assert_int_equal(te_duration_parse_ms(bad[i], &ms), TE_ERR_PARSE);
    }
    unsigned long long ms;
    assert_int_equal(te_duration_parse_ms("99999999999999999999", &ms), TE_ERR_RANGE);
    assert_int_equal(te_duration_parse_ms("999999999999999999d", &ms), TE_ERR_RANGE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_utf8_accepts_and_rejects_by_table),
        cmocka_unit_test(test_base64_rfc4648_vectors_round_trip),
        cmocka_unit_test(test_base64_rejects_bad_text),
        cmocka_unit_test(test_base64_reports_small_buffers),
        cmocka_unit_test(test_duration_units),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
