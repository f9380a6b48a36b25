/* Unit tests for jsonw: canonical compact JSON as serde_json prints it. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "tedge/jsonw.h"

/* Parses `in` with jansson (duplicates allowed, \u0000 allowed) and writes it. */
static te_err_t canon(const char *in, char *out, size_t cap, size_t *len)
{
    json_error_t je;
    json_t *root = json_loads(in, JSON_DECODE_ANY | JSON_ALLOW_NUL, &je);
    if (!root)
        fail_msg("test input does not parse: %s: %s", in, je.text);
    te_jsonw_t w;
    te_jsonw_init(&w, out, cap);
    te_err_t rc = te_jsonw_json(&w, root);
    json_decref(root);
    te_err_t fin = te_jsonw_finish(&w, len);
    assert_int_equal(rc, fin);
    return fin;
}

typedef struct canon_case {
    const char *in;
    const char *out;
} canon_case_t;

static const canon_case_t CANON_CASES[] = {
    /* spec §4.2 / §4.6 */
    {"{\"temperature\": 21.3}", "{\"temperature\":21.3}"},
    {"{\"temperature\": 23.0}", "{\"temperature\":23.0}"},
    {"{\"temperature\": 1e3}", "{\"temperature\":1000.0}"},
    {"{\"text\":\"hot\",\"severity\":\"major\",\"time\":1619186400.0}",
     "{\"severity\":\"major\",\"text\":\"hot\",\"time\":1619186400.0}"},
    {"{\"status\":\"up\",\"pid\":7,\"time\":1765877000.5}", "{\"pid\":7,\"status\":\"up\",\"time\":1765877000.5}"},
    /* compact, nested sorting, arrays keep their order */
    {" { \"b\" : [ 3 , 1 , {\"z\":1,\"a\":2} ] , \"a\" : { } } ", "{\"a\":{},\"b\":[3,1,{\"a\":2,\"z\":1}]}"},
    {"[]", "[]"},
    {"{}", "{}"},
    /* byte-wise key order: upper case before lower, prefix first, UTF-8 after ASCII */
    {"{\"b\":1,\"B\":2,\"a\":3,\"aa\":4,\"\xc3\xa9\":5,\"_\":6,\"1\":7}",
     "{\"1\":7,\"B\":2,\"_\":6,\"a\":3,\"aa\":4,\"b\":1,\"\xc3\xa9\":5}"},
    /* integers stay integers, reals get shortest form */
    {"{\"i\":-42,\"r\":-42.0,\"big\":9223372036854775807,\"small\":-9223372036854775808}",
     "{\"big\":9223372036854775807,\"i\":-42,\"r\":-42.0,\"small\":-9223372036854775808}"},
    {"{\"a\":1E21,\"b\":1e20,\"c\":0.1,\"d\":1.5e-7,\"e\":-0.0,\"f\":2.50}",
     "{\"a\":1e21,\"b\":1e20,\"c\":0.1,\"d\":1.5e-7,\"e\":-0.0,\"f\":2.5}"},
    {"{\"u\":1e-400}", "{\"u\":0.0}"},
    {"{\"t\":true,\"f\":false,\"n\":null}", "{\"f\":false,\"n\":null,\"t\":true}"},
    /* serde_json escaping: only '"', '\\' and control characters */
    {"{\"s\":\"a\\\"b\\\\c\\/d\\u00e9\\u20ac\"}", "{\"s\":\"a\\\"b\\\\c/d\xc3\xa9\xe2\x82\xac\"}"},
    {"{\"s\":\"\\b\\f\\n\\r\\t\\u0001\\u001f\\u007f\"}", "{\"s\":\"\\b\\f\\n\\r\\t\\u0001\\u001f\x7f\"}"},
    {"{\"s\":\"x\\u0000y\"}", "{\"s\":\"x\\u0000y\"}"},
    {"{\"s\":\"\\ud83d\\ude00\"}", "{\"s\":\"\xf0\x9f\x98\x80\"}"},
    /* a repeated key keeps its last value (jansson without REJECT_DUPLICATES) */
    {"{\"a\":1,\"a\":2}", "{\"a\":2}"},
    {"\"top\"", "\"top\""},
    {"12", "12"},
};

static void test_canonical_table(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof CANON_CASES / sizeof CANON_CASES[0]; i++) {
        char out[512];
        size_t len = 0;
        te_err_t rc = canon(CANON_CASES[i].in, out, sizeof out, &len);
        if (rc != TE_OK)
            fail_msg("case %zu: error %d", i, rc);
        if (strcmp(out, CANON_CASES[i].out) != 0 || len != strlen(CANON_CASES[i].out))
            fail_msg("case %zu: got %s, want %s", i, out, CANON_CASES[i].out);
    }
}

static void test_many_members_are_sorted_beyond_the_stack_index(void **state)
{
    (void)state;
    json_t *obj = json_object();
    for (int i = TE_JSONW_SORT_STACK * 2; i >= 0; i--) {
        char key[16];
        snprintf(key, sizeof key, "k%05d", i);
        json_object_set_new(obj, key, json_integer(i));
    }
    static char out[64 * 1024];
    te_jsonw_t w;
    te_jsonw_init(&w, out, sizeof out);
    assert_int_equal(te_jsonw_json(&w, obj), TE_OK);
    size_t len;
    assert_int_equal(te_jsonw_finish(&w, &len), TE_OK);
    json_decref(obj);
    assert_true(strncmp(out, "{\"k00000\":0,\"k00001\":1,", 22) == 0);
    const char *tail = "\"k00256\":256}";
    assert_string_equal(out + len - strlen(tail), tail);
}

static void test_streaming_places_commas_and_colons(void **state)
{
    (void)state;
    char out[256];
    te_jsonw_t w;
    te_jsonw_init(&w, out, sizeof out);
    te_jsonw_object_begin(&w);
    te_jsonw_key(&w, "time", 4);
    te_jsonw_string(&w, "2021-06-07T14:37:59.154000043Z", 30);
    te_jsonw_key(&w, "cpu", 3);
    te_jsonw_object_begin(&w);
    te_jsonw_key(&w, "percent-active", 14);
    te_jsonw_double(&w, 0.5);
    te_jsonw_object_end(&w);
    te_jsonw_key(&w, "load", 4);
    te_jsonw_object_begin(&w);
    te_jsonw_key(&w, "load_val1", 9);
    te_jsonw_double(&w, 0.2);
    te_jsonw_key(&w, "load_val2", 9);
    te_jsonw_double(&w, 1.0);
    te_jsonw_object_end(&w);
    te_jsonw_key(&w, "list", 4);
    te_jsonw_array_begin(&w);
    te_jsonw_int(&w, -3);
    te_jsonw_bool(&w, true);
    te_jsonw_null(&w);
    te_jsonw_array_begin(&w);
    te_jsonw_array_end(&w);
    te_jsonw_object_begin(&w);
    te_jsonw_object_end(&w);
    te_jsonw_array_end(&w);
    te_jsonw_object_end(&w);
    size_t len;
    assert_int_equal(te_jsonw_finish(&w, &len), TE_OK);
    assert_string_equal(out, "{\"time\":\"2021-06-07T14:37:59.154000043Z\",\"cpu\":{\"percent-active\":0.5},"
                             "\"load\":{\"load_val1\":0.2,\"load_val2\":1.0},\"list\":[-3,true,null,[],{}]}");
    assert_int_equal(len, strlen(out));
}

static void test_nan_and_infinity_are_range_errors(void **state)
{
    (void)state;
    char out[64];
    te_jsonw_t w;
    te_jsonw_init(&w, out, sizeof out);
    te_jsonw_array_begin(&w);
    te_jsonw_double(&w, 1.0);
    te_jsonw_double(&w, NAN);
    te_jsonw_double(&w, 2.0); /* ignored: the error is sticky */
    te_jsonw_array_end(&w);
    assert_int_equal(te_jsonw_finish(&w, NULL), TE_ERR_RANGE);
    te_jsonw_init(&w, out, sizeof out);
    te_jsonw_double(&w, -INFINITY);
    assert_int_equal(te_jsonw_finish(&w, NULL), TE_ERR_RANGE);
}

static void test_overflow_is_toobig_at_every_cut(void **state)
{
    (void)state;
    const char *in = "{\"b\":[1,2.5,\"x\\n\"],\"a\":{\"c\":null}}";
    const char *want = "{\"a\":{\"c\":null},\"b\":[1,2.5,\"x\\n\"]}";
    size_t full = strlen(want);
    for (size_t cap = 0; cap <= full; cap++) {
        char out[64];
        memset(out, '#', sizeof out);
        size_t len = 99;
        te_err_t rc = canon(in, out, cap, &len);
        if (cap < full) {
            assert_int_equal(rc, TE_ERR_TOOBIG);
            assert_true(len <= cap);
            assert_int_equal(out[cap], '#'); /* never wrote past cap */
        } else {
            /* exactly fits: no room for the NUL, still TE_OK */
            assert_int_equal(rc, TE_OK);
            assert_int_equal(len, full);
            assert_memory_equal(out, want, full);
        }
    }
}

static json_t *nested(int depth)
{
    json_t *v = json_integer(1);
    for (int i = 0; i < depth; i++) {
        json_t *a = json_array();
        json_array_append_new(a, v);
        v = a;
    }
    return v;
}

static void test_depth_limit_is_serde_recursion_limit(void **state)
{
    (void)state;
    static char out[4096];
    te_jsonw_t w;
    json_t *ok = nested(TE_JSONW_MAX_DEPTH);
    te_jsonw_init(&w, out, sizeof out);
    assert_int_equal(te_jsonw_json(&w, ok), TE_OK);
    json_decref(ok);
    json_t *deep = nested(TE_JSONW_MAX_DEPTH + 1);
    te_jsonw_init(&w, out, sizeof out);
    assert_int_equal(te_jsonw_json(&w, deep), TE_ERR_RANGE);
    json_decref(deep);
    assert_int_equal(TE_JSONW_MAX_DEPTH, 127);
}

static void test_null_value_is_inval(void **state)
{
    (void)state;
    char out[8];
    te_jsonw_t w;
    te_jsonw_init(&w, out, sizeof out);
    assert_int_equal(te_jsonw_json(&w, NULL), TE_ERR_INVAL);
    assert_int_equal(te_jsonw_finish(&w, NULL), TE_ERR_INVAL);
}

static void test_key_with_nul_byte_and_raw_bytes(void **state)
{
    (void)state;
    char out[64];
    te_jsonw_t w;
    te_jsonw_init(&w, out, sizeof out);
    te_jsonw_object_begin(&w);
    te_jsonw_key(&w, "a\0b", 3);
    te_jsonw_string(&w, "\"q\"", 3);
    te_jsonw_object_end(&w);
    size_t len;
    assert_int_equal(te_jsonw_finish(&w, &len), TE_OK);
    assert_string_equal(out, "{\"a\\u0000b\":\"\\\"q\\\"\"}");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_canonical_table),
        cmocka_unit_test(test_many_members_are_sorted_beyond_the_stack_index),
        cmocka_unit_test(test_streaming_places_commas_and_colons),
        cmocka_unit_test(test_nan_and_infinity_are_range_errors),
        cmocka_unit_test(test_overflow_is_toobig_at_every_cut),
        cmocka_unit_test(test_depth_limit_is_serde_recursion_limit),
        cmocka_unit_test(test_null_value_is_inval),
        cmocka_unit_test(test_key_with_nul_byte_and_raw_bytes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
