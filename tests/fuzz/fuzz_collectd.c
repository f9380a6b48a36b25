/* libFuzzer harness for tedge-mapper-collectd's converter (conv_collectd.h).
 * An input is a sequence of messages, one a line: byte 0 advances the clock
 * (in 10 ms steps), then "<topic> <payload>" (collectd/<host>/<group>/<key>
 * and "<time>:<v1>[:<v2>...]" when well formed). Each input starts a fresh
 * batcher at a fixed clock, feeds the messages with ticks in between, then
 * flushes. Invariants: te_collectd_parse either succeeds with 1..MAX values
 * or says why; every batch is a JSON object on te/device/main///m/ with a
 * "time" string and groups of numbers, no name twice; the number of open
 * batches stays bounded; everything is released (ASan/LSan). */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tedge/conv_collectd.h"
#include "tedge/log.h"
#include "tedge/text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(c) do { if (!(c)) abort(); } while (0)
#define START_NS (1714557600LL * 1000000000LL)

static void check_batches(te_out_t *out)
{
    for (size_t i = 0; i < out->n; i++) {
        const te_out_msg_t *o = &out->msgs[i];
        CHECK(strcmp(o->topic, TE_COLLECTD_OUTPUT_TOPIC) == 0);
        CHECK(o->len <= TE_COLLECTD_MAX_PAYLOAD);
        json_error_t je;
        json_t *v = json_loadb(o->payload, o->len, JSON_REJECT_DUPLICATES, &je);
        CHECK(json_is_object(v));
        CHECK(json_is_string(json_object_get(v, "time")));
        const char *k;
        json_t *g;
        json_object_foreach(v, k, g) {
            if (strcmp(k, "time") == 0 && json_is_string(g))
                continue;
            CHECK(json_is_object(g) && json_object_size(g) > 0);
            const char *kk;
            json_t *n;
            json_object_foreach(g, kk, n)
                CHECK(json_is_number(n));
        }
        json_decref(v);
    }
    te_out_reset(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static te_out_t out;
    static te_collectd_t *c;
    if (!c) {
        te_log_set_level(TE_LOG_ERROR);
        CHECK(te_out_init(&out, 1024, 8u * TE_COLLECTD_OUT_ARENA) == TE_OK);
    }
    te_collectd_delete(c);
    c = te_collectd_new();
    CHECK(c != NULL);
    te_out_reset(&out);

    int64_t now_ns = START_NS;
    char topic[512];
    const char *p = (const char *)data, *end = p + size;
    while (p < end) {
        const char *eol = memchr(p, '\n', (size_t)(end - p));
        const char *line_end = eol ? eol : end;
        now_ns += (int64_t)(unsigned char)*p * 10000000LL;
        p++;
        const char *sp = p < line_end ? memchr(p, ' ', (size_t)(line_end - p)) : NULL;
        const char *payload = sp ? sp + 1 : line_end;
        size_t tlen = (size_t)((sp ? sp : line_end) - p);
        /* the broker only delivers UTF-8 topics (MQTT 3.1.1 §1.5.3) */
        if (p <= line_end && tlen < sizeof topic && te_utf8_valid(p, tlen)) {
            memcpy(topic, p, tlen);
            topic[tlen] = '\0';
            te_msg_t in = {.topic = topic, .payload = payload, .len = (size_t)(line_end - payload), .qos = 0};
            te_collectd_msg_t msg;
            char err[768] = "";
            te_err_t rc = te_collectd_parse(topic, in.payload, in.len, &msg, err, sizeof err);
            if (rc == TE_OK)
                CHECK(msg.count >= 1 && msg.count <= TE_COLLECTD_MAX_VALUES);
            else
                CHECK(rc == TE_ERR_TOOBIG || err[0] != '\0');
            CHECK(te_collectd_input(c, &in, now_ns, &out) == TE_OK);
            te_collectd_tick(c, now_ns, &out);
            CHECK(te_collectd_open_batches(c) <= TE_COLLECTD_MAX_BATCHES);
            check_batches(&out);
        }
        p = eol ? eol + 1 : end;
    }
    te_collectd_tick(c, now_ns + 10LL * 1000000000LL, &out);
    CHECK(te_collectd_open_batches(c) == 0);
    check_batches(&out);
    te_collectd_flush(c, &out);
    check_batches(&out);
    return 0;
}
