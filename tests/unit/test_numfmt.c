/* Unit tests for numfmt: shortest round-trip doubles in serde_json layout. */
#include <math.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "tedge/numfmt.h"

typedef struct format_case {
    double value;
    const char *text;
} format_case_t;

static const format_case_t FORMAT_CASES[] = {
    { 23.0, "23.0" },
    { 23.4, "23.4" },
    { 95.0, "95.0" },
    { 0.002, "0.002" },
    { 0.1, "0.1" },
    { 0.1 + 0.2, "0.30000000000000004" },
    { 229.8, "229.8" },
    { -42.0, "-42.0" },
    { -2.5, "-2.5" },
    { 0.0, "0.0" },
    { -0.0, "-0.0" },
    { 1e21, "1e21" },
    { 1.23e21, "1.23e21" },
    /* ryu::pretty::format64 (serde_json's float writer): plain only below 1e16 */
    { 1e20, "1e20" },
    { 123e18, "1.23e20" },
    { 1e15, "1000000000000000.0" },
    { 1e16, "1e16" },
    { 9999999999999998.0, "9999999999999998.0" },
    { 12345678901234567e1, "1.2345678901234566e17" },
    { 1765877875.135, "1765877875.135" },
    { 1702029646.0, "1702029646.0" },
    { 1619186400.0, "1619186400.0" },
    { 1765877000.5, "1765877000.5" },
    /* ... and from 1e-5 up: 0.000003 is "3e-6" */
    { 1e-5, "0.00001" },
    { 1.5e-5, "0.000015" },
    { 1e-6, "1e-6" },
    { 3e-6, "3e-6" },
    { 1.23456789e-6, "1.23456789e-6" },
    { 1e-7, "1e-7" },
    { 1.5e-7, "1.5e-7" },
    { -1e-100, "-1e-100" },
    { 1e100, "1e100" },
    { 5e-324, "5e-324" },
    { 2.2250738585072014e-308, "2.2250738585072014e-308" },
    { 1.7976931348623157e308, "1.7976931348623157e308" },
    { 9007199254740993.0, "9007199254740992.0" },
    { 123456.789, "123456.789" },
    { 4.35, "4.35" },
    { 1.0 / 3.0, "0.3333333333333333" },
    { 2.0 / 3.0, "0.6666666666666666" },
    { 100.0, "100.0" },
    { 0.5, "0.5" },
};

static void test_format_table_matches_serde_output(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof FORMAT_CASES / sizeof FORMAT_CASES[0]; i++) {
        char buf[TE_NUMFMT_DOUBLE_MAX];
        assert_int_equal(te_numfmt_double(FORMAT_CASES[i].value, buf, sizeof buf), TE_OK);
        if (strcmp(buf, FORMAT_CASES[i].text) != 0)
            fail_msg("case %zu: got \"%s\", want \"%s\"", i, buf, FORMAT_CASES[i].text);
    }
}

static void test_nan_and_infinity_are_range_errors(void **state)
{
    (void)state;
    char buf[TE_NUMFMT_DOUBLE_MAX] = "x";
    assert_int_equal(te_numfmt_double(NAN, buf, sizeof buf), TE_ERR_RANGE);
    assert_string_equal(buf, "");
    assert_int_equal(te_numfmt_double(INFINITY, buf, sizeof buf), TE_ERR_RANGE);
    assert_int_equal(te_numfmt_double(-INFINITY, buf, sizeof buf), TE_ERR_RANGE);
}

static void test_small_buffer_is_toobig_and_left_empty(void **state)
{
    (void)state;
    char buf[5];
    assert_int_equal(te_numfmt_double(23.25, buf, sizeof buf), TE_ERR_TOOBIG);
    assert_string_equal(buf, "");
    assert_int_equal(te_numfmt_double(23.2, buf, sizeof buf), TE_OK); /* exactly fits */
    assert_string_equal(buf, "23.2");
    assert_int_equal(te_numfmt_double(1.0, buf, 0), TE_ERR_TOOBIG);
    assert_int_equal(te_numfmt_double(1.0, NULL, 8), TE_ERR_TOOBIG);
}

static double random_double(uint64_t *seed)
{
    /* xorshift64 over raw bit patterns: covers every exponent */
    for (;;) {
        *seed ^= *seed << 13;
        *seed ^= *seed >> 7;
        *seed ^= *seed << 17;
        double d;
        memcpy(&d, seed, sizeof d);
        if (isfinite(d))
            return d;
    }
}

/* Significant digits of the printed mantissa, leading and trailing zeros
 * dropped ("100000000000000000000.0" has 1, "0.000123" has 3). */
static int significant_digits(const char *text)
{
    char digits[64];
    size_t n = 0;
    for (const char *p = text; *p && *p != 'e'; p++) {
        if (*p >= '0' && *p <= '9' && n < sizeof digits - 1)
            digits[n++] = *p;
    }
    size_t first = 0;
    while (first < n && digits[first] == '0')
        first++;
    while (n > first && digits[n - 1] == '0')
        n--;
    return (int)(n - first);
}

static void test_random_doubles_round_trip_and_are_shortest(void **state)
{
    (void)state;
    uint64_t seed = 0x9e3779b97f4a7c15ULL;
    for (int i = 0; i < 20000; i++) {
        double d = random_double(&seed);
        char buf[TE_NUMFMT_DOUBLE_MAX];
        assert_int_equal(te_numfmt_double(d, buf, sizeof buf), TE_OK);
        double back = strtod(buf, NULL);
        if (memcmp(&back, &d, sizeof d) != 0)
            fail_msg("%.17g printed as %s reads back as %.17g", d, buf, back);
        /* one digit fewer must not round-trip (integral zeros aside) */
        int digits = significant_digits(buf);
        if (digits > 1) {
            char shorter[64];
            snprintf(shorter, sizeof shorter, "%.*e", digits - 2, d);
            if (strtod(shorter, NULL) == d)
                fail_msg("%s is not shortest for %.17g: %s", buf, d, shorter);
        }
    }
}

static void test_integral_values_always_carry_dot_zero_or_exponent(void **state)
{
    (void)state;
    /* products of integers stay integral (every double >= 2^53 is) */
    for (double v = 1.0; v < 1e22; v *= 7.0) {
        char buf[TE_NUMFMT_DOUBLE_MAX];
        assert_int_equal(te_numfmt_double(v, buf, sizeof buf), TE_OK);
        size_t len = strlen(buf);
        bool ok = (len > 2 && strcmp(buf + len - 2, ".0") == 0) || strchr(buf, 'e') != NULL;
        if (!ok)
            fail_msg("%.17g printed as %s", v, buf);
        if ((v < 1e16) != (strchr(buf, 'e') == NULL))
            fail_msg("%.17g: an exponent exactly from 1e16 up: %s", v, buf);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_format_table_matches_serde_output),
        cmocka_unit_test(test_nan_and_infinity_are_range_errors),
        cmocka_unit_test(test_small_buffer_is_toobig_and_left_empty),
        cmocka_unit_test(test_random_doubles_round_trip_and_are_shortest),
        cmocka_unit_test(test_integral_values_always_carry_dot_zero_or_exponent),
    };
    return cmocka_run_group_tests_name("numfmt", tests, NULL, NULL);
}
