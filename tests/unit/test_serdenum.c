/* Unit tests for serdenum: JSON numbers read as serde_json reads them.
 * Expected values come from serde_json's de.rs algorithm (default, no
 * float_roundtrip), computed outside this code base in IEEE doubles; the
 * random 16/17-digit decimals are cases where it differs from strtod. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "tedge/numfmt.h"
#include "tedge/serdenum.h"

typedef struct f64_case {
    const char *token;
    const char *value;  /* %.17g of the expected double; NULL: out of range */
    const char *shown;  /* what thin-edge.io then writes, or NULL to skip */
} f64_case_t;

static const f64_case_t F64[] = {
    /* one ulp away from strtod (which reads the token back as itself) */
    {"968.7302436888135", "968.73024368881363", "968.7302436888136"},
    {"952.2914367995107", "952.29143679951085", "952.2914367995108"},
    {"998.2526854908399", "998.25268549084001", "998.25268549084"},
    {"123.80196114964559", "123.80196114964561", "123.8019611496456"},
    {"980.1748474925821", "980.17484749258199", "980.174847492582"},
    {"60.669427597219716", "60.669427597219709", "60.66942759721971"},
    {"0.23272490995271622", "0.23272490995271625", "0.23272490995271625"},
    {"0.36424631211253644", "0.3642463121125365", "0.3642463121125365"},
    /* vector's parse_json test no_roundtrip_float_conversion (serde_json
     * without float_roundtrip): 1626175065.5934923 reads as ...5934925 */
    {"1626175065.5934923", "1626175065.5934925", "1626175065.5934925"},
    /* short decimals and exact significands: one rounding, as strtod */
    {"21.3", "21.300000000000001", "21.3"},
    {"1765877875.135", "1765877875.135", "1765877875.135"},
    {"0.30000000000000004", "0.30000000000000004", "0.30000000000000004"},
    {"1714676361.3609998", "1714676361.3609998", "1714676361.3609998"},
    {"2.5e-3", "0.0025000000000000001", "0.0025"},
    {"123.456e-2", "1.2345600000000001", "1.23456"},
    {"1e22", "1e+22", "1e22"},
    {"1e23", "9.9999999999999992e+22", "1e23"},
    {"-0", "-0", "-0.0"},
    {"-0.0", "-0", "-0.0"},
    {"0e5", "0", "0.0"},
    /* digits past u64: integer ones scale by ten, fraction ones are dropped */
    {"123456789012345678901234567890", "1.2345678901234568e+29", NULL},
    {"18446744073709551616", "1.8446744073709552e+19", "1.8446744073709552e19"},
    {"18446744073709551619.5", "1.8446744073709552e+19", NULL},
    {"-18446744073709551616", "-1.8446744073709552e+19", NULL},
    {"-9223372036854775809", "-9.2233720368547758e+18", "-9.223372036854776e18"},
    /* the ends of the range */
    {"1.7976931348623157e308", "1.7976931348623157e+308", NULL},
    {"2.2250738585072014e-308", "2.2250738585072014e-308", NULL},
    {"4.9e-324", "4.9406564584124654e-324", "5e-324"},
    {"1e-400", "0", "0.0"},
    {"1e-9999999999", "0", "0.0"},
    {"0e9999999999", "0", "0.0"},
    {"1e309", NULL, NULL},
    {"1e9999999999", NULL, NULL},
    {"-1e400", NULL, NULL},
};

static void test_f64_reads_like_serde_json(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof F64 / sizeof F64[0]; i++) {
        const f64_case_t *c = &F64[i];
        double got = 0;
        te_err_t rc = te_serdenum_f64(c->token, strlen(c->token), &got);
        if (!c->value) {
            if (rc != TE_ERR_RANGE)
                fail_msg("%s: rc %d, want out of range", c->token, rc);
            continue;
        }
        double want = strtod(c->value, NULL);
        if (rc != TE_OK || memcmp(&got, &want, sizeof got) != 0)
            fail_msg("%s: rc %d %.17g, want %s", c->token, rc, got, c->value);
        if (c->shown) {
            char text[TE_NUMFMT_DOUBLE_MAX];
            assert_int_equal(te_numfmt_double(got, text, sizeof text), TE_OK);
            if (strcmp(text, c->shown) != 0)
                fail_msg("%s: shown %s, want %s", c->token, text, c->shown);
        }
    }
}

typedef struct rewrite_case {
    const char *in;
    te_err_t rc;
    const char *out;  /* NULL: nothing to rewrite */
    bool marks;
} rewrite_case_t;

static const rewrite_case_t REWRITES[] = {
    {"{\"a\":21.3,\"b\":[1,-2,1e3]}", TE_OK, NULL, false},
    {"{\"a\":968.7302436888135}", TE_OK, "{\"a\":968.73024368881363}", false},
    {"{\"a\":-0,\"b\":0}", TE_OK, "{\"a\":-0.0,\"b\":0}", false},
    {"{\"a\":9223372036854775807}", TE_OK, NULL, false},
    {"{\"a\":9223372036854775808}", TE_OK, "{\"a\":\"\\u00019223372036854775808\"}", true},
    {"{\"a\":18446744073709551615,\"s\":\"\\u0001\"}", TE_OK, "{\"a\":18446744073709551615.0,\"s\":\"\\u0001\"}",
     false},
    {"{\"a\":-9223372036854775808}", TE_OK, NULL, false},
    {"{\"a\":-9223372036854775809}", TE_OK, "{\"a\":-9223372036854775809.0}", false},
    {"{\"a\":18446744073709551616}", TE_OK, "{\"a\":1.8446744073709552e+19}", false},
    {"{\"a\":100000000000000000000}", TE_OK, "{\"a\":1e+20}", false},
    {"{\"968.7302436888135\":\"1e400 -0\"}", TE_OK, NULL, false}, /* strings are not numbers */
    {"{\"a\":\"x\\\"\",\"b\":-0}", TE_OK, "{\"a\":\"x\\\"\",\"b\":-0.0}", false},
    {"{\"a\":1e309}", TE_ERR_PARSE, NULL, false},
    {"{\"a\":012,\"b\":-0}", TE_OK, "{\"a\":012,\"b\":-0.0}", false}, /* not JSON: jansson decides */
    {"[-,1.,.5,-0]", TE_OK, "[-,1.,.5,-0.0]", false},
};

static void test_rewrite_for_jansson(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof REWRITES / sizeof REWRITES[0]; i++) {
        const rewrite_case_t *c = &REWRITES[i];
        char *out = NULL;
        size_t len = 0;
        bool marks = false;
        te_err_t rc = te_serdenum_rewrite(c->in, strlen(c->in), &out, &len, &marks);
        if (rc != c->rc)
            fail_msg("%s: rc %d want %d", c->in, rc, c->rc);
        if (!c->out) {
            if (out)
                fail_msg("%s: rewritten as %.*s", c->in, (int)len, out);
        } else if (!out || len != strlen(c->out) || memcmp(out, c->out, len) != 0 || marks != c->marks) {
            fail_msg("%s: %.*s (marks %d), want %s", c->in, (int)len, out ? out : "", marks, c->out);
        }
        free(out);
    }
}

static void test_unmark_turns_marked_strings_into_digits(void **state)
{
    (void)state;
    char buf[] = "{\"a\":\"\\u000118446744073709551615\",\"b\":[\"\\u00019223372036854775808\",1]}";
    size_t len = te_serdenum_unmark(buf, strlen(buf));
    assert_string_equal(buf, "{\"a\":18446744073709551615,\"b\":[9223372036854775808,1]}");
    assert_int_equal(len, strlen(buf));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_f64_reads_like_serde_json),
        cmocka_unit_test(test_rewrite_for_jansson),
        cmocka_unit_test(test_unmark_turns_marked_strings_into_digits),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
