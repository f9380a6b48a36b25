/* Unit tests: out (a converter's bounded output list). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "tedge/out.h"

static void test_add_copies_topic_and_payload(void **state)
{
    (void)state;
    te_out_t out;
    assert_int_equal(te_out_init(&out, 4, 256), TE_OK);
    char topic[] = "c8y/s/us", payload[] = "100,dev";
    assert_int_equal(te_out_add(&out, topic, payload, 7, 1, true), TE_OK);
    topic[0] = 'X';
    payload[0] = 'X';
    assert_int_equal(out.n, 1);
    assert_string_equal(out.msgs[0].topic, "c8y/s/us");
    assert_int_equal(out.msgs[0].len, 7);
    assert_memory_equal(out.msgs[0].payload, "100,dev", 7);
    assert_int_equal(out.msgs[0].qos, 1);
    assert_true(out.msgs[0].retain);
    te_out_free(&out);
}

static void test_full_without_flush_is_refused(void **state)
{
    (void)state;
    te_out_t out;
    assert_int_equal(te_out_init(&out, 2, 64), TE_OK);
    assert_int_equal(te_out_add(&out, "a", "1", 1, 0, false), TE_OK);
    assert_int_equal(te_out_add(&out, "b", "2", 1, 0, false), TE_OK);
    assert_int_equal(te_out_add(&out, "c", "3", 1, 0, false), TE_ERR_FULL);
    assert_int_equal(out.n, 2);
    te_out_free(&out);
}

static void test_payload_larger_than_arena_is_too_big(void **state)
{
    (void)state;
    te_out_t out;
    assert_int_equal(te_out_init(&out, 2, 16), TE_OK);
    assert_int_equal(te_out_add(&out, "topic", "0123456789", 10, 0, false), TE_ERR_TOOBIG);
    te_out_free(&out);
}

typedef struct flushed { size_t calls, msgs; char last[32]; } flushed_t;

static void record_flush(void *ctx, te_out_t *out)
{
    flushed_t *f = ctx;
    f->calls++;
    f->msgs += out->n;
    snprintf(f->last, sizeof f->last, "%s", out->msgs[out->n - 1].payload);
}

static void test_flush_callback_empties_a_full_list_in_order(void **state)
{
    (void)state;
    te_out_t out;
    flushed_t f = {0};
    assert_int_equal(te_out_init(&out, 3, 1024), TE_OK);
    out.flush = record_flush;
    out.flush_ctx = &f;
    char payload[8];
    for (int i = 0; i < 10; i++) {
        int n = snprintf(payload, sizeof payload, "m%d", i);
        assert_int_equal(te_out_add(&out, "t", payload, (size_t)n, 1, false), TE_OK);
    }
    assert_int_equal(f.calls, 3);
    assert_int_equal(f.msgs, 9);
    assert_string_equal(f.last, "m8");
    assert_int_equal(out.n, 1);
    assert_string_equal(out.msgs[0].payload, "m9");
    te_out_free(&out);
}

static void test_reset_clears_messages_and_error(void **state)
{
    (void)state;
    te_out_t out;
    assert_int_equal(te_out_init(&out, 2, 64), TE_OK);
    assert_int_equal(te_out_add(&out, "a", "1", 1, 0, false), TE_OK);
    te_out_errorf(&out, "bad %s at %d", "thing", 3);
    assert_string_equal(out.error, "bad thing at 3");
    te_out_reset(&out);
    assert_int_equal(out.n, 0);
    assert_int_equal(out.used, 0);
    assert_string_equal(out.error, "");
    te_out_free(&out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_add_copies_topic_and_payload),
        cmocka_unit_test(test_full_without_flush_is_refused),
        cmocka_unit_test(test_payload_larger_than_arena_is_too_big),
        cmocka_unit_test(test_flush_callback_empties_a_full_list_in_order),
        cmocka_unit_test(test_reset_clears_messages_and_error),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
