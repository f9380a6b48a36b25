/* Unit tests for the collectd mapper's converter (conv_collectd):
 * spec/mapper-az-aws.md §9, and the scenarios of thin-edge.io's batcher. */
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
#include <jansson.h>

#include "tedge/conv_collectd.h"

#define MS 1000000LL
#define BASE_NS (1600000000LL * 1000000000LL)

/* ---- parsing ---- */

typedef struct parse_case {
    const char *topic;
    const char *payload;
    size_t len;              /* 0: strlen */
    te_err_t rc;
    const char *group, *key; /* on success */
    double time_s;
    size_t count;
    double values[4];
    const char *error;       /* exact reason on failure, or NULL to skip the text */
} parse_case_t;

#define BAD_PAYLOAD(t) "Invalid payload received on topic: " t ". Error: "

static const parse_case_t PARSE[] = {
    /* crates/extensions/collectd_ext/src/collectd.rs: collectd_message_parsing */
    {"collectd/localhost/temperature/value", "123456789:32.5", 0, TE_OK, "temperature", "value", 123456789.0, 1,
     {32.5}, NULL},
    /* collectd.rs: collectd_message_parsing_multi_valued_measurement */
    {"collectd/localhost/temperature/value", "123456789:32.5:45.2", 0, TE_OK, "temperature", "value", 123456789.0,
     2, {32.5, 45.2}, NULL},
    /* collectd.rs: collectd_null_terminated_message_parsing */
    {"collectd/localhost/temperature/value", "123456789.125:32.5\0", 19, TE_OK, "temperature", "value",
     123456789.125, 1, {32.5}, NULL},
    /* collectd.rs: valid_collectd_multivalue_metric */
    {"collectd/host/group/key", "123456789:1234:5678", 0, TE_OK, "group", "key", 123456789.0, 2, {1234, 5678},
     NULL},
    {"collectd/rpi/load/load", "1623076679.160:0.2:0.1:0.05", 0, TE_OK, "load", "load", 1623076679.160, 3,
     {0.2, 0.1, 0.05}, NULL},
    /* collectd.rs: very_large_metric_value (u128::MAX) and very_small_metric_value (i128::MIN) */
    {"collectd/h/g/k", "1:340282366920938463463374607431768211455", 0, TE_OK, "g", "k", 1, 1, {3.402823669209385e38},
     NULL},
    {"collectd/h/g/k", "1:-170141183460469231731687303715884105728", 0, TE_OK, "g", "k", 1, 1,
     {-1.7014118346046923e38}, NULL},
    {"collectd/h/g/k", "+1.5e3:.5:5.:-0:1E-2", 0, TE_OK, "g", "k", 1500, 4, {0.5, 5.0, -0.0, 0.01}, NULL},
    {"collectd/h/g/k", "1:inf:-Infinity:NaN", 0, TE_OK, "g", "k", 1, 3, {INFINITY, -INFINITY, NAN}, NULL},
    {"collectd/h//", "1:2", 0, TE_OK, "", "", 1, 1, {2}, NULL},
    {"other/h/g/k", "1:2", 0, TE_OK, "g", "k", 1, 1, {2}, NULL},
    /* topic shape */
    /* collectd.rs: invalid_collectd_message_topic, invalid_collectd_topic_less_levels */
    {"collectd/less/level", "123456789:32.5", 0, TE_ERR_PARSE, NULL, NULL, 0, 0, {0},
     "Message received on invalid collectd topic: collectd/less/level. Collectd message topics must be in the "
     "format collectd/<hostname>/<metric-plugin-name>/<metric-key>"},
    /* collectd.rs: invalid_collectd_topic_more_levels */
    {"collectd/more/levels/than/needed", "1:2", 0, TE_ERR_PARSE, NULL, NULL, 0, 0, {0},
     "Message received on invalid collectd topic: collectd/more/levels/than/needed. Collectd message topics must "
     "be in the format collectd/<hostname>/<metric-plugin-name>/<metric-key>"},
    {"collectd", "1:2", 0, TE_ERR_PARSE, NULL, NULL, 0, 0, {0}, NULL},
    {"collectd/less/levels", "123456789:32.5", 0, TE_ERR_PARSE, NULL, NULL, 0, 0, {0}, NULL},
    /* payload */
    /* collectd.rs: invalid_collectd_message_payload, invalid_collectd_payload_no_separator */
    {"collectd/host/group/key", "123456789", 0, TE_ERR_PARSE, NULL, NULL, 0, 0, {0},
     BAD_PAYLOAD("collectd/host/group/key") "Invalid payload: 123456789. Expected payload format: "
                                           "<timestamp>:<value>"},
    {"collectd/host/group/key", "", 0, TE_ERR_PARSE, NULL, NULL, 0, 0, {0},
     BAD_PAYLOAD("collectd/host/group/key") "Invalid payload: . Expected payload format: <timestamp>:<value>"},
    /* collectd.rs: invalid_collectd_metric_value */
    {"collectd/host/group/key", "123456789:abc", 0, TE_ERR_PARSE, NULL, NULL, 0, 0, {0},
     BAD_PAYLOAD("collectd/host/group/key") "Invalid measurement value: abc. Must be a number"},
    /* collectd.rs: invalid_collectd_metric_multi_value */
    {"collectd/host/group/key", "123456789:96.6:abc", 0, TE_ERR_PARSE, NULL, NULL, 0, 0, {0},
     BAD_PAYLOAD("collectd/host/group/key") "Invalid measurement value: abc. Must be a number"},
    /* collectd.rs: invalid_collectd_metric_timestamp */
    {"collectd/host/group/key", "abc:98.6", 0, TE_ERR_PARSE, NULL, NULL, 0, 0, {0},
     BAD_PAYLOAD("collectd/host/group/key") "Invalid measurement timestamp: abc. Epoch time value expected"},
    {"collectd/host/group/key", "5:", 0, TE_ERR_PARSE, NULL, NULL, 0, 0, {0},
     BAD_PAYLOAD("collectd/host/group/key") "Invalid measurement value: . Must be a number"},
    {"collectd/host/group/key", "1:2:", 0, TE_ERR_PARSE, NULL, NULL, 0, 0, {0}, NULL},
    {"collectd/host/group/key", " 1:2", 0, TE_ERR_PARSE, NULL, NULL, 0, 0, {0}, NULL},
    {"collectd/host/group/key", "1:2 ", 0, TE_ERR_PARSE, NULL, NULL, 0, 0, {0}, NULL},
    {"collectd/host/group/key", "0x10:1", 0, TE_ERR_PARSE, NULL, NULL, 0, 0, {0}, NULL},
    {"collectd/host/group/key", "1:1e", 0, TE_ERR_PARSE, NULL, NULL, 0, 0, {0}, NULL},
    {"collectd/host/group/key", "1:.", 0, TE_ERR_PARSE, NULL, NULL, 0, 0, {0}, NULL},
    {"collectd/host/group/key", "1:nan(1)", 0, TE_ERR_PARSE, NULL, NULL, 0, 0, {0}, NULL},
    {"collectd/host/group/key", "1:2\0\0", 5, TE_ERR_PARSE, NULL, NULL, 0, 0, {0}, NULL},
    {"collectd/host/group/key", "1:\xff", 0, TE_ERR_PARSE, NULL, NULL, 0, 0, {0}, "Non UTF-8 payload: 3 bytes"},
};

static void test_parse_table(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof PARSE / sizeof PARSE[0]; i++) {
        const parse_case_t *c = &PARSE[i];
        te_collectd_msg_t msg;
        char err[1024] = "";
        size_t len = c->len ? c->len : strlen(c->payload);
        te_err_t rc = te_collectd_parse(c->topic, c->payload, len, &msg, err, sizeof err);
        if (rc != c->rc)
            fail_msg("case %zu (%s %s): rc %d want %d (%s)", i, c->topic, c->payload, rc, c->rc, err);
        if (rc != TE_OK) {
            if (c->error && strcmp(err, c->error) != 0)
                fail_msg("case %zu: error \"%s\"\nwant \"%s\"", i, err, c->error);
            continue;
        }
        assert_int_equal(msg.group_len, strlen(c->group));
        assert_memory_equal(msg.group, c->group, msg.group_len);
        assert_int_equal(msg.key_len, strlen(c->key));
        assert_memory_equal(msg.key, c->key, msg.key_len);
        assert_true(msg.time_s == c->time_s);
        assert_int_equal(msg.count, c->count);
        for (size_t v = 0; v < msg.count; v++) {
            if (isnan(c->values[v]))
                assert_true(isnan(msg.values[v]));
            else if (msg.values[v] != c->values[v] || signbit(msg.values[v]) != signbit(c->values[v]))
                fail_msg("case %zu value %zu: %.17g want %.17g", i, v, msg.values[v], c->values[v]);
        }
    }
}

static void test_too_many_values_is_toobig(void **state)
{
    (void)state;
    char payload[1024];
    size_t n = (size_t)snprintf(payload, sizeof payload, "1");
    for (int i = 0; i <= TE_COLLECTD_MAX_VALUES; i++)
        n += (size_t)snprintf(payload + n, sizeof payload - n, ":%d", i);
    te_collectd_msg_t msg;
    char err[256];
    assert_int_equal(te_collectd_parse("collectd/h/g/k", payload, n, &msg, err, sizeof err), TE_ERR_TOOBIG);
}

typedef struct ns_case {
    double time_s;
    te_err_t rc;
    int64_t ns;
} ns_case_t;

static void test_event_time_truncates_like_thin_edge(void **state)
{
    (void)state;
    static const ns_case_t cases[] = {
        {1623076679.154, TE_OK, 1623076679154000043LL}, /* the spec's float artefact */
        /* collectd.rs: collectd_null_terminated_message_parsing, 1973-11-29 21:33:09.125 UTC */
        {123456789.125, TE_OK, 123456789125000000LL},
        /* collectd.rs: collectd_message_parsing, 1973-11-29 21:33:09.0 UTC */
        {123456789.0, TE_OK, 123456789000000000LL},
        {0.5, TE_OK, 500000000LL},
        {-1.5, TE_OK, -1000000000LL}, /* negative fraction saturates to 0 */
        {NAN, TE_ERR_RANGE, 0},
        {INFINITY, TE_ERR_RANGE, 0},
        {1e300, TE_ERR_RANGE, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int64_t ns = 0;
        assert_int_equal(te_collectd_event_ns(cases[i].time_s, &ns), cases[i].rc);
        if (cases[i].rc == TE_OK && ns != cases[i].ns)
            fail_msg("case %zu: %lld want %lld", i, (long long)ns, (long long)cases[i].ns);
    }
}

/* ---- the spec's example (§9) ---- */

static te_msg_t msg(const char *topic, const char *payload)
{
    return (te_msg_t){.topic = topic, .payload = payload, .len = strlen(payload), .qos = 0};
}

static void test_spec_example_is_one_grouped_measurement(void **state)
{
    (void)state;
    te_collectd_t *c = te_collectd_new();
    assert_non_null(c);
    te_out_t out;
    assert_int_equal(te_out_init(&out, 8, 64 * 1024), TE_OK);
    int64_t now = 1623076679200LL * MS;
    te_msg_t m1 = msg("collectd/rpi/cpu/percent-active", "1623076679.154:0.5");
    te_msg_t m2 = msg("collectd/rpi/memory/percent-used", "1623076679.159:1.107");
    te_msg_t m3 = msg("collectd/rpi/load/load", "1623076679.160:0.2:0.1:0.05");
    assert_int_equal(te_collectd_input(c, &m1, now, &out), TE_OK);
    assert_int_equal(te_collectd_input(c, &m2, now, &out), TE_OK);
    assert_int_equal(te_collectd_input(c, &m3, now + 10 * MS, &out), TE_OK);
    assert_int_equal(out.n, 0);
    assert_int_equal(te_collectd_open_batches(c), 1);
    te_collectd_tick(c, 1623076680050LL * MS, &out); /* end + 400 ms is .054000043 */
    assert_int_equal(out.n, 0);
    te_collectd_tick(c, 1623076680055LL * MS, &out);
    assert_int_equal(out.n, 1);
    assert_string_equal(out.msgs[0].topic, "te/device/main///m/");
    assert_int_equal(out.msgs[0].qos, 1);
    assert_false(out.msgs[0].retain);
    assert_string_equal(out.msgs[0].payload,
                        "{\"time\":\"2021-06-07T14:37:59.154000043Z\",\"cpu\":{\"percent-active\":0.5},"
                        "\"memory\":{\"percent-used\":1.107},\"load\":{\"load_val1\":0.2,\"load_val2\":0.1,"
                        "\"load_val3\":0.05}}");
    assert_int_equal(te_collectd_open_batches(c), 0);
    te_out_free(&out);
    te_collectd_delete(c);
}

static void test_integral_values_print_with_point_zero_and_groups_merge(void **state)
{
    (void)state;
    te_collectd_t *c = te_collectd_new();
    te_out_t out;
    assert_int_equal(te_out_init(&out, 8, 64 * 1024), TE_OK);
    int64_t now = 1600000000100LL * MS;
    te_msg_t m1 = msg("collectd/h/cpu/a", "1600000000:1");
    te_msg_t m2 = msg("collectd/h/mem/x", "1600000000:2e3");
    te_msg_t m3 = msg("collectd/h/cpu/b", "1600000000:-0.000001");
    te_msg_t m4 = msg("collectd/h/we\"ird/k\\ey", "1600000000:1e21");
    assert_int_equal(te_collectd_input(c, &m1, now, &out), TE_OK);
    assert_int_equal(te_collectd_input(c, &m2, now, &out), TE_OK);
    assert_int_equal(te_collectd_input(c, &m3, now, &out), TE_OK);
    assert_int_equal(te_collectd_input(c, &m4, now, &out), TE_OK);
    te_collectd_flush(c, &out);
    assert_int_equal(out.n, 1);
    assert_string_equal(out.msgs[0].payload, "{\"time\":\"2020-09-13T12:26:40Z\",\"cpu\":{\"a\":1.0,\"b\":-1e-6},"
                                             "\"mem\":{\"x\":2000.0},\"we\\\"ird\":{\"k\\\\ey\":1e21}}");
    te_out_free(&out);
    te_collectd_delete(c);
}

/* §9: a NaN/inf value is skipped alone; the C port keeps the batch. */
static void test_nan_and_inf_values_are_skipped_not_the_batch(void **state)
{
    (void)state;
    te_collectd_t *c = te_collectd_new();
    te_out_t out;
    assert_int_equal(te_out_init(&out, 8, 64 * 1024), TE_OK);
    int64_t now = 1600000000100LL * MS;
    te_msg_t m1 = msg("collectd/h/cpu/a", "1600000000:0.5");
    te_msg_t m2 = msg("collectd/h/load/load", "1600000000:1:nan:3");
    te_msg_t m3 = msg("collectd/h/disk/x", "1600000000:inf");
    assert_int_equal(te_collectd_input(c, &m1, now, &out), TE_OK);
    assert_int_equal(te_collectd_input(c, &m2, now, &out), TE_OK);
    assert_int_equal(te_collectd_input(c, &m3, now, &out), TE_OK);
    te_collectd_flush(c, &out);
    assert_int_equal(out.n, 1);
    assert_string_equal(out.msgs[0].payload, "{\"time\":\"2020-09-13T12:26:40Z\",\"cpu\":{\"a\":0.5},"
                                             "\"load\":{\"load_val1\":1.0,\"load_val3\":3.0}}");
    te_out_free(&out);
    te_collectd_delete(c);
}

/* §9 rule 1 and bad input: dropped, nothing emitted, the next good one works. */
static void test_bad_old_and_future_messages_are_dropped(void **state)
{
    (void)state;
    te_collectd_t *c = te_collectd_new();
    te_out_t out;
    assert_int_equal(te_out_init(&out, 8, 64 * 1024), TE_OK);
    int64_t now = 1600000000500LL * MS;
    const te_msg_t bad[] = {
        msg("collectd/h/g", "1600000000.4:1"),
        msg("collectd/h/g/k/x", "1600000000.4:1"),
        msg("collectd/h/g/k", "1600000000.4"),
        msg("collectd/h/g/k", "now:1"),
        msg("collectd/h/g/k", "1600000000.4:x"),
        msg("collectd/h/g/k", "1600000000.4:1:x"),
        msg("collectd/h/g/k", "\xc3\x28:1"),
        msg("collectd/h/g/k", "1600000000.099:1"),  /* older than now - 400 ms */
        msg("collectd/h/g/k", "1600000000.501:1"),  /* in the future */
        msg("collectd/h/g/k", "1e300:1"),
        msg("collectd/h/g/k", "inf:1"),
        msg("collectd/h/g/k", "nan:1"),
        msg("collectd/h/g/k", "1600000000.4:nan"),
        msg("collectd/h/time/k", "1600000000.4:1"), /* fuzz: a second "time" member */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(te_collectd_input(c, &bad[i], now, &out), TE_OK);
        if (out.n != 0 || te_collectd_open_batches(c) != 0 || out.error[0])
            fail_msg("case %zu batched", i);
    }
    /* the bounds themselves are kept: exactly now - 400 ms, exactly now */
    te_collectd_add(c, "g", 1, "k", 1, now - 400 * MS, 1.0, now, &out);
    te_collectd_add(c, "g", 1, "j", 1, now, 2.0, now, &out);
    te_collectd_add(c, "g", 1, "old", 3, now - 400 * MS - 1, 3.0, now, &out);
    te_collectd_add(c, "g", 1, "new", 3, now + 1, 4.0, now, &out);
    te_msg_t good = msg("collectd/h/g/i", "1600000000.25:5"); /* a message in the window */
    assert_int_equal(te_collectd_input(c, &good, now, &out), TE_OK);
    te_collectd_flush(c, &out);
    assert_int_equal(out.n, 1);
    assert_string_equal(out.msgs[0].payload,
                        "{\"time\":\"2020-09-13T12:26:40.1Z\",\"g\":{\"k\":1.0,\"j\":2.0,\"i\":5.0}}");
    te_out_free(&out);
    te_collectd_delete(c);
}

/* §9 rule 3: same key and time is a duplicate. */
static void test_duplicate_is_ignored(void **state)
{
    (void)state;
    te_collectd_t *c = te_collectd_new();
    te_out_t out;
    assert_int_equal(te_out_init(&out, 8, 64 * 1024), TE_OK);
    int64_t now = 1600000000100LL * MS;
    te_msg_t m1 = msg("collectd/h/g/k", "1600000000:1");
    te_msg_t m2 = msg("collectd/other-host/g/k", "1600000000:2");
    assert_int_equal(te_collectd_input(c, &m1, now, &out), TE_OK);
    assert_int_equal(te_collectd_input(c, &m2, now, &out), TE_OK);
    te_collectd_flush(c, &out);
    assert_int_equal(out.n, 1);
    assert_string_equal(out.msgs[0].payload, "{\"time\":\"2020-09-13T12:26:40Z\",\"g\":{\"k\":1.0}}");
    te_out_free(&out);
    te_collectd_delete(c);
}

static void test_bounds_drop_and_count(void **state)
{
    (void)state;
    te_collectd_t *c = te_collectd_new();
    te_out_t out;
    assert_int_equal(te_out_init(&out, 80, TE_COLLECTD_OUT_ARENA), TE_OK);
    int64_t now = BASE_NS + 100 * MS;
    char key[32];
    for (int i = 0; i < TE_COLLECTD_MAX_EVENTS + 3; i++) {
        int n = snprintf(key, sizeof key, "k%d", i);
        te_collectd_add(c, "g", 1, key, (size_t)n, BASE_NS, 1.0, now, &out);
    }
    assert_int_equal(te_collectd_dropped(c), 3);
    char name[TE_COLLECTD_NAME_MAX + 1];
    memset(name, 'x', sizeof name);
    te_collectd_flush(c, &out);
    assert_int_equal(out.n, 1);
    te_collectd_add(c, "g", 1, name, TE_COLLECTD_NAME_MAX, BASE_NS, 1.0, now, &out);
    assert_int_equal(te_collectd_dropped(c), 4);
    /* more open batches than the bound: one value per 1 ms window */
    te_collectd_configure(c, 1 * MS / 2, 400 * MS);
    for (int i = 0; i < TE_COLLECTD_MAX_BATCHES + 2; i++)
        te_collectd_add(c, "g", 1, "k", 1, BASE_NS + i * MS, 1.0, BASE_NS + 100 * MS, &out);
    assert_int_equal(te_collectd_open_batches(c), TE_COLLECTD_MAX_BATCHES);
    assert_int_equal(te_collectd_dropped(c), 6);
    te_out_reset(&out);
    te_collectd_tick(c, BASE_NS + 10000 * MS, &out);
    assert_int_equal(out.n, TE_COLLECTD_MAX_BATCHES);
    assert_int_equal(te_collectd_open_batches(c), 0);
    te_out_free(&out);
    te_collectd_delete(c);
}

/* ---- thin-edge.io's batcher scenarios: crates/common/batcher/src/batcher.rs,
 * mod tests, one run_scenario per #[test] under its own name ---- */

typedef struct step {
    int p;           /* processing time, ms */
    const char *key; /* NULL: end of list */
    int t;           /* event time, ms */
    int value;
} step_t;

typedef struct expect {
    int at;              /* ms when emitted; -1 ends the list */
    const char *content; /* "a=1,b=2" sorted by key */
} expect_t;

/* "a=1,b=2" from {"time":...,"g":{"b":2.0,"a":1.0}} */
static void batch_content(const te_out_msg_t *m, char *buf, size_t size)
{
    json_error_t je;
    json_t *root = json_loadb(m->payload, m->len, 0, &je);
    assert_non_null(root);
    json_t *g = json_object_get(root, "g");
    assert_non_null(g);
    const char *keys[64];
    size_t n = 0;
    const char *k;
    json_t *v;
    json_object_foreach(g, k, v) keys[n++] = k;
    for (size_t i = 0; i < n; i++)
        for (size_t j = i + 1; j < n; j++)
            if (strcmp(keys[j], keys[i]) < 0) {
                const char *x = keys[i];
                keys[i] = keys[j];
                keys[j] = x;
            }
    size_t at = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < n; i++)
        at += (size_t)snprintf(buf + at, size - at, "%s%s=%g", i ? "," : "", keys[i],
                               json_real_value(json_object_get(g, keys[i])));
    json_decref(root);
}

static void run_scenario(const char *name, int window, int delay, const step_t *steps, int flush_at,
                         const expect_t *expects)
{
    te_collectd_t *c = te_collectd_new();
    te_collectd_configure(c, window * MS, delay * MS);
    te_out_t out;
    assert_int_equal(te_out_init(&out, 16, 64 * 1024), TE_OK);
    struct { int at; char content[128]; } got[16];
    size_t ngot = 0;
    for (int ms = 0; ms <= 400; ms++) {
        te_out_reset(&out);
        if (flush_at >= 0 && ms == flush_at) {
            te_collectd_flush(c, &out);
        } else {
            for (const step_t *s = steps; s->key; s++)
                if (s->p == ms)
                    te_collectd_add(c, "g", 1, s->key, strlen(s->key), BASE_NS + s->t * MS, s->value,
                                    BASE_NS + ms * MS, &out);
            te_collectd_tick(c, BASE_NS + ms * MS, &out);
        }
        for (size_t i = 0; i < out.n; i++) {
            assert_true(ngot < 16);
            got[ngot].at = ms;
            batch_content(&out.msgs[i], got[ngot].content, sizeof got[ngot].content);
            ngot++;
        }
        if (ms == flush_at)
            break;
    }
    size_t nwant = 0;
    while (expects[nwant].at >= 0)
        nwant++;
    for (size_t i = 0; i < ngot || i < nwant; i++) {
        if (i >= ngot || i >= nwant || got[i].at != expects[i].at || strcmp(got[i].content, expects[i].content) != 0)
            fail_msg("%s: batch %zu: got %s at %d, want %s at %d", name, i, i < ngot ? got[i].content : "-",
                     i < ngot ? got[i].at : -1, i < nwant ? expects[i].content : "-", i < nwant ? expects[i].at : -1);
    }
    te_out_free(&out);
    te_collectd_delete(c);
}

#define END {0, NULL, 0, 0}
#define DONE {-1, NULL}

static void test_batcher_scenarios(void **state)
{
    (void)state;
    {
        const step_t s[] = {{1, "a", 0, 1}, END};
        const expect_t e[] = {{70, "a=1"}, DONE};
        run_scenario("single_event_batch", 50, 20, s, -1, e);
    }
    {
        const step_t s[] = {{1, "a", 0, 1}, {11, "b", 10, 2}, END};
        const expect_t e[] = {{70, "a=1,b=2"}, DONE};
        run_scenario("multi_event_batch", 50, 20, s, -1, e);
    }
    {
        const step_t s[] = {{1, "a", 0, 1}, {11, "b", 10, 2}, END};
        const expect_t e[] = {{100, "a=1,b=2"}, DONE};
        run_scenario("multi_event_batch_with_long_delivery_jitter", 50, 50, s, -1, e);
    }
    {
        const step_t s[] = {{11, "b", 10, 1}, {25, "a", 5, 2}, END};
        const expect_t e[] = {{60, "a=2"}, {110, "b=1"}, DONE};
        run_scenario("..._and_delayed_message", 50, 50, s, -1, e);
    }
    {
        const step_t s[] = {{1, "a", 0, 1}, {11, "a", 10, 2}, END};
        const expect_t e[] = {{25, "a=1"}, {70, "a=2"}, DONE};
        run_scenario("split_batch", 50, 20, s, -1, e);
    }
    {
        const step_t s[] = {{1, "a", 0, 1}, {11, "a", 10, 2}, {12, "b", 2, 3}, END};
        const expect_t e[] = {{25, "a=1,b=3"}, {70, "a=2"}, DONE};
        run_scenario("allocate_to_earlier_split_batch", 50, 20, s, -1, e);
    }
    {
        const step_t s[] = {{1, "a", 0, 1}, {11, "a", 10, 2}, {12, "b", 9, 3}, END};
        const expect_t e[] = {{25, "a=1"}, {70, "a=2,b=3"}, DONE};
        run_scenario("allocate_to_later_split_batch", 50, 20, s, -1, e);
    }
    {
        const step_t s[] = {END};
        const expect_t e[] = {DONE};
        run_scenario("flush_no_batches", 50, 20, s, 100, e);
    }
    {
        const step_t s[] = {{1, "a", 0, 1}, {11, "b", 10, 2}, END};
        const expect_t e[] = {{20, "a=1,b=2"}, DONE};
        run_scenario("flush_one_batch", 50, 20, s, 20, e);
    }
    {
        const step_t s[] = {{1, "a", 0, 1}, {4, "b", 3, 2}, {11, "a", 10, 3}, END};
        const expect_t e[] = {{20, "a=1,b=2"}, {20, "a=3"}, DONE};
        run_scenario("flush_two_batches", 50, 20, s, 20, e);
    }
    {
        const step_t s[] = {{125, "b", 120, 2}, {135, "a", 115, 1}, {150, "c", 145, 3}, {165, "d", 160, 4},
                            {189, "e", 175, 5}, {250, "g", 240, 7}, {260, "f", 215, 6}, END};
        const expect_t e[] = {{140, "a=1"}, {190, "b=2,c=3,d=4"}, {245, "e=5"}, {310, "g=7"}, DONE};
        run_scenario("simple_batching_with_batching_window", 50, 20, s, -1, e);
    }
    {
        const step_t s[] = {{130, "a", 120, 1}, {140, "b", 130, 2}, {150, "c", 145, 3}, {189, "d", 180, 4},
                            {210, "e", 190, 5}, END};
        const expect_t e[] = {{190, "a=1,b=2,c=3"}, {250, "d=4,e=5"}, DONE};
        run_scenario("simple_batching_with_batching_timeout", 50, 20, s, -1, e);
    }
    {
        const step_t s[] = {{125, "a", 120, 1}, {140, "b", 125, 2}, {150, "a", 140, 3}, {170, "c", 150, 4},
                            {180, "a", 170, 5}, END};
        const expect_t e[] = {{150, "a=1,b=2"}, {180, "a=3,c=4"}, {190, "a=5"}, DONE};
        run_scenario("batch_split_due_to_conflicting_measurements", 50, 20, s, -1, e);
    }
    {
        const step_t s[] = {{130, "a", 120, 1}, {140, "b", 130, 2}, {150, "c", 140, 3}, {160, "c", 140, 3},
                            {175, "c", 140, 3}, {210, "d", 190, 4}, {220, "c", 140, 3}, {230, "e", 210, 5}, END};
        const expect_t e[] = {{190, "a=1,b=2,c=3"}, {260, "d=4,e=5"}, DONE};
        run_scenario("receiving_older_already_batched_messages_after_starting_a_new_batch", 50, 20, s, -1, e);
    }
    {
        const step_t s[] = {{130, "a", 120, 1}, {140, "b", 130, 2}, {150, "c", 140, 3}, {189, "a", 180, 5},
                            {205, "b", 200, 6}, {215, "d", 145, 4}, END};
        const expect_t e[] = {{190, "a=1,b=2,c=3"}, {250, "a=5,b=6"}, DONE};
        run_scenario("receiving_older_unbatched_messages_after_starting_a_new_batch", 50, 20, s, -1, e);
    }
}

/* crates/common/batcher/src/batch.rs: add, split and duplicate, on one
 * batch of 100 s opened by the first event (the tests' batch [0, 100] s
 * holds both events the same way). */
static void test_thin_edge_batch_add_split_duplicate(void **state)
{
    (void)state;
    const int64_t s = 1000 * MS;
    {
        /* add: keys 1 and 2 at 40 s and 60 s share the batch */
        te_collectd_t *c = te_collectd_new();
        te_collectd_configure(c, 100 * s, 100 * s);
        te_out_t out;
        assert_int_equal(te_out_init(&out, 8, 64 * 1024), TE_OK);
        te_collectd_add(c, "g", 1, "1", 1, BASE_NS + 40 * s, 1.0, BASE_NS + 60 * s, &out);
        te_collectd_add(c, "g", 1, "2", 1, BASE_NS + 60 * s, 2.0, BASE_NS + 60 * s, &out);
        assert_int_equal(te_collectd_open_batches(c), 1);
        te_collectd_flush(c, &out);
        assert_int_equal(out.n, 1);
        assert_non_null(strstr(out.msgs[0].payload, "\"g\":{\"1\":1.0,\"2\":2.0}"));
        te_out_free(&out);
        te_collectd_delete(c);
    }
    {
        /* split: key 1 at 40 s then at 60 s: two batches, one event each */
        te_collectd_t *c = te_collectd_new();
        te_collectd_configure(c, 100 * s, 100 * s);
        te_out_t out;
        assert_int_equal(te_out_init(&out, 8, 64 * 1024), TE_OK);
        te_collectd_add(c, "g", 1, "1", 1, BASE_NS + 40 * s, 1.0, BASE_NS + 60 * s, &out);
        te_collectd_add(c, "g", 1, "1", 1, BASE_NS + 60 * s, 2.0, BASE_NS + 60 * s, &out);
        assert_int_equal(te_collectd_open_batches(c), 2);
        te_collectd_flush(c, &out);
        assert_int_equal(out.n, 2);
        assert_string_equal(out.msgs[0].payload, "{\"time\":\"2020-09-13T12:27:20Z\",\"g\":{\"1\":1.0}}");
        assert_string_equal(out.msgs[1].payload, "{\"time\":\"2020-09-13T12:27:40Z\",\"g\":{\"1\":2.0}}");
        te_out_free(&out);
        te_collectd_delete(c);
    }
    {
        /* duplicate: key 1 twice at 40 s: the first is kept */
        te_collectd_t *c = te_collectd_new();
        te_collectd_configure(c, 100 * s, 100 * s);
        te_out_t out;
        assert_int_equal(te_out_init(&out, 8, 64 * 1024), TE_OK);
        te_collectd_add(c, "g", 1, "1", 1, BASE_NS + 40 * s, 1.0, BASE_NS + 60 * s, &out);
        te_collectd_add(c, "g", 1, "1", 1, BASE_NS + 40 * s, 7.0, BASE_NS + 60 * s, &out);
        assert_int_equal(te_collectd_open_batches(c), 1);
        te_collectd_flush(c, &out);
        assert_int_equal(out.n, 1);
        assert_string_equal(out.msgs[0].payload, "{\"time\":\"2020-09-13T12:27:20Z\",\"g\":{\"1\":1.0}}");
        te_out_free(&out);
        te_collectd_delete(c);
    }
}

/* crates/extensions/collectd_ext/src/batcher.rs: test_message_batch_processor.
 * Five values of one time, three groups; "coordinate" gathers x, y and z
 * although pressure came between y and z. thin-edge.io orders groups and
 * keys by HashMap iteration (unspecified); the C port keeps arrival order. */
static void test_thin_edge_message_batch_processor(void **state)
{
    (void)state;
    te_collectd_t *c = te_collectd_new();
    te_out_t out;
    assert_int_equal(te_out_init(&out, 8, 64 * 1024), TE_OK);
    /* 2015-05-15 0:00:01.444 UTC */
    int64_t t = 1431648001444LL * MS;
    te_collectd_add(c, "temperature", 11, "value", 5, t, 32.5, t, &out);
    te_collectd_add(c, "coordinate", 10, "x", 1, t, 50.0, t, &out);
    te_collectd_add(c, "coordinate", 10, "y", 1, t, 70.0, t, &out);
    te_collectd_add(c, "pressure", 8, "value", 5, t, 98.2, t, &out);
    te_collectd_add(c, "coordinate", 10, "z", 1, t, 90.0, t, &out);
    te_collectd_flush(c, &out);
    assert_int_equal(out.n, 1);
    assert_string_equal(out.msgs[0].payload,
                        "{\"time\":\"2015-05-15T00:00:01.444Z\",\"temperature\":{\"value\":32.5},"
                        "\"coordinate\":{\"x\":50.0,\"y\":70.0,\"z\":90.0},\"pressure\":{\"value\":98.2}}");
    te_out_free(&out);
    te_collectd_delete(c);
}

/* crates/common/batcher/src/driver.rs (window 50 ms, delay 20 ms):
 * flush_empty, flush_one_batch and two_batches_with_timer. */
static void test_thin_edge_driver(void **state)
{
    (void)state;
    te_out_t out;
    assert_int_equal(te_out_init(&out, 8, 64 * 1024), TE_OK);
    int64_t now = BASE_NS;
    {
        /* flush_empty: nothing to emit */
        te_collectd_t *c = te_collectd_new();
        te_collectd_configure(c, 50 * MS, 20 * MS);
        te_collectd_flush(c, &out);
        assert_int_equal(out.n, 0);
        te_collectd_delete(c);
    }
    {
        /* flush_one_batch: an event of now, then flush */
        te_collectd_t *c = te_collectd_new();
        te_collectd_configure(c, 50 * MS, 20 * MS);
        te_collectd_add(c, "g", 1, "1", 1, now, 1.0, now, &out);
        te_collectd_flush(c, &out);
        assert_int_equal(out.n, 1);
        te_collectd_delete(c);
    }
    te_out_reset(&out);
    {
        /* two_batches_with_timer: each event closes by its own timer */
        te_collectd_t *c = te_collectd_new();
        te_collectd_configure(c, 50 * MS, 20 * MS);
        te_collectd_add(c, "g", 1, "1", 1, now, 1.0, now, &out);
        te_collectd_tick(c, now + 69 * MS, &out);
        assert_int_equal(out.n, 0);
        te_collectd_tick(c, now + 70 * MS, &out);
        assert_int_equal(out.n, 1);
        te_collectd_add(c, "g", 1, "2", 1, now + 80 * MS, 2.0, now + 80 * MS, &out);
        te_collectd_tick(c, now + 150 * MS, &out);
        assert_int_equal(out.n, 2);
        assert_non_null(strstr(out.msgs[0].payload, "\"g\":{\"1\":1.0}"));
        assert_non_null(strstr(out.msgs[1].payload, "\"g\":{\"2\":2.0}"));
        te_collectd_delete(c);
    }
    te_out_free(&out);
}

/* The defaults of §9: 500 ms window, 400 ms delivery delay. */
static void test_default_windows(void **state)
{
    (void)state;
    {
        const step_t s[] = {{1, "a", 0, 1}, {300, "b", 499, 2}, {301, "c", 300, 3}, END};
        te_collectd_t *c = te_collectd_new();
        te_out_t out;
        assert_int_equal(te_out_init(&out, 8, 64 * 1024), TE_OK);
        for (const step_t *p = s; p->key; p++)
            te_collectd_add(c, "g", 1, p->key, 1, BASE_NS + p->t * MS, p->value, BASE_NS + p->p * MS, &out);
        te_collectd_tick(c, BASE_NS + 899 * MS, &out);
        assert_int_equal(out.n, 0);
        te_collectd_tick(c, BASE_NS + 900 * MS, &out);
        assert_int_equal(out.n, 1);
        assert_string_equal(out.msgs[0].payload,
                            "{\"time\":\"2020-09-13T12:26:40Z\",\"g\":{\"a\":1.0,\"c\":3.0}}");
        te_out_free(&out);
        te_collectd_delete(c);
    }
}

/* The runtime callbacks run on the wall clock: a fresh message is batched
 * and flushed on stop. */
static void test_runtime_callbacks(void **state)
{
    (void)state;
    void *conv = NULL;
    te_out_t out;
    assert_int_equal(te_out_init(&out, 8, TE_COLLECTD_OUT_ARENA), TE_OK);
    assert_int_equal(te_conv_collectd_init(&conv, NULL, &out), TE_OK);
    te_time_t now = te_time_now();
    char payload[64];
    /* 50 ms ago: a float seconds text may read back a little later than written */
    snprintf(payload, sizeof payload, "%.3f:42", (double)now.unix_s + now.nsec / 1e9 - 0.05);
    te_msg_t m = msg("collectd/h/g/k", payload);
    assert_int_equal(te_conv_collectd_convert(conv, &m, &out), TE_OK);
    te_conv_collectd_tick(conv, 0, &out);
    assert_int_equal(out.n, 0);
    te_conv_collectd_stop(conv, &out);
    assert_int_equal(out.n, 1);
    assert_non_null(strstr(out.msgs[0].payload, "\"g\":{\"k\":42.0}"));
    te_conv_collectd_free(conv);
    te_out_free(&out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_table),
        cmocka_unit_test(test_too_many_values_is_toobig),
        cmocka_unit_test(test_event_time_truncates_like_thin_edge),
        cmocka_unit_test(test_spec_example_is_one_grouped_measurement),
        cmocka_unit_test(test_integral_values_print_with_point_zero_and_groups_merge),
        cmocka_unit_test(test_nan_and_inf_values_are_skipped_not_the_batch),
        cmocka_unit_test(test_bad_old_and_future_messages_are_dropped),
        cmocka_unit_test(test_duplicate_is_ignored),
        cmocka_unit_test(test_bounds_drop_and_count),
        cmocka_unit_test(test_batcher_scenarios),
        cmocka_unit_test(test_thin_edge_batch_add_split_duplicate),
        cmocka_unit_test(test_thin_edge_message_batch_processor),
        cmocka_unit_test(test_thin_edge_driver),
        cmocka_unit_test(test_default_windows),
        cmocka_unit_test(test_runtime_callbacks),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
