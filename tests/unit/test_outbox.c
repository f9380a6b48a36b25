/* Unit tests for outbox: packet ids given on first send and kept, DUP on
 * resend, in-flight limit, QoS 2 release, out-of-order acks, held input
 * acks released only when every earlier output is acknowledged, and
 * compaction keeping records intact. The emit callback records packets. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "tedge/mqtt_packet.h"
#include "tedge/outbox.h"

typedef struct sent {
    int type;
    uint16_t pid;
    bool dup;
    char payload[64];
} sent_t;

typedef struct wire {
    sent_t pkt[256];
    size_t n;
    bool fail;
} wire_t;

static bool record(void *ctx, const void *bytes, size_t len)
{
    wire_t *w = ctx;
    if (w->fail)
        return false;
    const uint8_t *b = bytes;
    uint8_t first;
    size_t remaining, header_len;
    assert_int_equal(te_mqtt_get_header(b, len, &first, &remaining, &header_len), 1);
    assert_int_equal(header_len + remaining, len);
    sent_t *s = &w->pkt[w->n++];
    memset(s, 0, sizeof *s);
    s->type = first >> 4;
    if (s->type == TE_MQTT_PUBLISH) {
        te_mqtt_publish_t p;
        assert_int_equal(te_mqtt_publish_decode(first, b + header_len, remaining, &p), TE_OK);
        s->pid = p.packet_id;
        s->dup = p.dup;
        snprintf(s->payload, sizeof s->payload, "%.*s", (int)p.payload_len, (const char *)p.payload);
    } else {
        s->pid = (uint16_t)(b[2] << 8 | b[3]);
    }
    return true;
}

static void add(te_outbox_t *ob, const char *payload, int qos)
{
    assert_int_equal(te_outbox_add(ob, "t/x", 3, payload, strlen(payload), qos, false), TE_OK);
}

static void test_ids_are_given_on_first_send_and_kept_with_dup_on_resend(void **state)
{
    (void)state;
    te_outbox_t ob;
    wire_t w = {0};
    te_outbox_init(&ob);
    add(&ob, "a", 1);
    add(&ob, "b", 1);
    add(&ob, "c", 1);
    assert_int_equal(te_outbox_pending(&ob), 3);
    te_outbox_send(&ob, 100, record, &w);
    assert_int_equal(w.n, 3);
    for (size_t i = 0; i < 3; i++) {
        assert_int_equal(w.pkt[i].type, TE_MQTT_PUBLISH);
        assert_int_equal(w.pkt[i].pid, i + 1);
        assert_false(w.pkt[i].dup);
    }
    /* nothing more to send on this connection */
    te_outbox_send(&ob, 100, record, &w);
    assert_int_equal(w.n, 3);
    /* out of order: the second first */
    assert_int_equal(te_outbox_ack(&ob, TE_MQTT_PUBACK, 2, record, &w), TE_OK);
    assert_int_equal(te_outbox_pending(&ob), 2);
    assert_int_equal(te_outbox_ack(&ob, TE_MQTT_PUBACK, 2, record, &w), TE_ERR_NOTFOUND);
    assert_int_equal(te_outbox_ack(&ob, TE_MQTT_PUBACK, 1, record, &w), TE_OK);
    /* the connection drops; "c" goes again, same id, DUP */
    te_outbox_rewind(&ob);
    w.n = 0;
    te_outbox_send(&ob, 100, record, &w);
    assert_int_equal(w.n, 1);
    assert_int_equal(w.pkt[0].pid, 3);
    assert_true(w.pkt[0].dup);
    assert_string_equal(w.pkt[0].payload, "c");
    assert_int_equal(te_outbox_ack(&ob, TE_MQTT_PUBACK, 3, record, &w), TE_OK);
    assert_int_equal(te_outbox_pending(&ob), 0);
    /* the next message gets the next id, not a recycled one */
    add(&ob, "d", 1);
    te_outbox_send(&ob, 100, record, &w);
    assert_int_equal(w.pkt[w.n - 1].pid, 4);
    te_outbox_free(&ob);
}

static void test_in_flight_limit_holds_the_rest_in_order(void **state)
{
    (void)state;
    te_outbox_t ob;
    wire_t w = {0};
    te_outbox_init(&ob);
    const char *msgs[] = {"1", "2", "3", "4", "5"};
    for (size_t i = 0; i < 5; i++)
        add(&ob, msgs[i], 1);
    te_outbox_send(&ob, 2, record, &w);
    assert_int_equal(w.n, 2);
    assert_int_equal(te_outbox_ack(&ob, TE_MQTT_PUBACK, w.pkt[0].pid, record, &w), TE_OK);
    te_outbox_send(&ob, 2, record, &w);
    assert_int_equal(w.n, 3);
    assert_string_equal(w.pkt[2].payload, "3");
    /* a failing writer stops the pump without losing the record */
    w.fail = true;
    assert_int_equal(te_outbox_ack(&ob, TE_MQTT_PUBACK, w.pkt[1].pid, record, &w), TE_OK);
    te_outbox_send(&ob, 2, record, &w);
    w.fail = false;
    te_outbox_send(&ob, 2, record, &w);
    assert_int_equal(w.n, 4);
    assert_string_equal(w.pkt[3].payload, "4");
    assert_int_equal(te_outbox_pending(&ob), 3);
    te_outbox_free(&ob);
}

static void test_qos2_is_released_then_completed_and_pubrel_is_resent(void **state)
{
    (void)state;
    te_outbox_t ob;
    wire_t w = {0};
    te_outbox_init(&ob);
    add(&ob, "two", 2);
    te_outbox_send(&ob, 10, record, &w);
    uint16_t pid = w.pkt[0].pid;
    assert_int_equal(te_outbox_ack(&ob, TE_MQTT_PUBACK, pid, record, &w), TE_ERR_NOTFOUND);
    assert_int_equal(te_outbox_ack(&ob, TE_MQTT_PUBCOMP, pid, record, &w), TE_ERR_NOTFOUND);
    assert_int_equal(te_outbox_ack(&ob, TE_MQTT_PUBREC, pid, record, &w), TE_OK);
    assert_int_equal(w.pkt[1].type, TE_MQTT_PUBREL);
    assert_int_equal(w.pkt[1].pid, pid);
    assert_int_equal(te_outbox_pending(&ob), 1);
    te_outbox_rewind(&ob);
    te_outbox_send(&ob, 10, record, &w);
    assert_int_equal(w.n, 3);
    assert_int_equal(w.pkt[2].type, TE_MQTT_PUBREL); /* not the PUBLISH again */
    assert_int_equal(te_outbox_ack(&ob, TE_MQTT_PUBCOMP, pid, record, &w), TE_OK);
    assert_int_equal(te_outbox_pending(&ob), 0);
    te_outbox_free(&ob);
}

static void test_input_ack_is_immediate_when_nothing_is_outstanding(void **state)
{
    (void)state;
    te_outbox_t ob;
    wire_t w = {0};
    te_outbox_init(&ob);
    assert_int_equal(te_outbox_ack_input(&ob, TE_MQTT_PUBACK, 77, record, &w), TE_OK);
    assert_int_equal(w.n, 1);
    assert_int_equal(w.pkt[0].type, TE_MQTT_PUBACK);
    assert_int_equal(w.pkt[0].pid, 77);
    te_outbox_free(&ob);
}

static void test_input_acks_wait_for_every_earlier_output(void **state)
{
    (void)state;
    te_outbox_t ob;
    wire_t w = {0};
    te_outbox_init(&ob);
    add(&ob, "out-of-10", 1);
    assert_int_equal(te_outbox_ack_input(&ob, TE_MQTT_PUBACK, 10, record, &w), TE_OK);
    add(&ob, "out-of-11a", 1);
    add(&ob, "out-of-11b", 1);
    assert_int_equal(te_outbox_ack_input(&ob, TE_MQTT_PUBREC, 11, record, &w), TE_OK);
    /* input 12 produced nothing, but must not overtake 11 */
    assert_int_equal(te_outbox_ack_input(&ob, TE_MQTT_PUBACK, 12, record, &w), TE_OK);
    te_outbox_send(&ob, 100, record, &w);
    assert_int_equal(w.n, 3); /* the outputs only */
    uint16_t p10 = w.pkt[0].pid, p11a = w.pkt[1].pid, p11b = w.pkt[2].pid;
    assert_int_equal(te_outbox_ack(&ob, TE_MQTT_PUBACK, p11b, record, &w), TE_OK);
    assert_int_equal(w.n, 3); /* 11a and the output of 10 still out */
    assert_int_equal(te_outbox_ack(&ob, TE_MQTT_PUBACK, p10, record, &w), TE_OK);
    assert_int_equal(w.n, 4);
    assert_int_equal(w.pkt[3].type, TE_MQTT_PUBACK);
    assert_int_equal(w.pkt[3].pid, 10);
    assert_int_equal(te_outbox_ack(&ob, TE_MQTT_PUBACK, p11a, record, &w), TE_OK);
    assert_int_equal(w.n, 6);
    assert_int_equal(w.pkt[4].type, TE_MQTT_PUBREC);
    assert_int_equal(w.pkt[4].pid, 11);
    assert_int_equal(w.pkt[5].pid, 12);
    te_outbox_free(&ob);
}

static void test_rewind_drops_held_input_acks(void **state)
{
    (void)state;
    te_outbox_t ob;
    wire_t w = {0};
    te_outbox_init(&ob);
    add(&ob, "o", 1);
    assert_int_equal(te_outbox_ack_input(&ob, TE_MQTT_PUBACK, 5, record, &w), TE_OK);
    te_outbox_send(&ob, 100, record, &w);
    te_outbox_rewind(&ob); /* the broker will redeliver input 5 */
    te_outbox_send(&ob, 100, record, &w);
    assert_int_equal(te_outbox_ack(&ob, TE_MQTT_PUBACK, w.pkt[1].pid, record, &w), TE_OK);
    for (size_t i = 0; i < w.n; i++)
        assert_int_not_equal(w.pkt[i].type, TE_MQTT_PUBACK);
    te_outbox_free(&ob);
}

static void test_many_messages_survive_compaction_in_order(void **state)
{
    (void)state;
    te_outbox_t ob;
    wire_t w = {0};
    te_outbox_init(&ob);
    unsigned next_added = 0, next_expected = 0;
    for (int round = 0; round < 200; round++) {
        for (int i = 0; i < 40; i++) {
            char payload[32];
            snprintf(payload, sizeof payload, "message %u %s", next_added++, round % 2 ? "padding-padding" : "");
            add(&ob, payload, 1);
        }
        /* send and acknowledge in batches that leave a tail behind */
        for (;;) {
            w.n = 0;
            te_outbox_send(&ob, 25, record, &w);
            if (w.n == 0)
                break;
            for (size_t i = 0; i < w.n; i++) {
                char want[32];
                snprintf(want, sizeof want, "message %u", next_expected++);
                assert_memory_equal(w.pkt[i].payload, want, strlen(want));
            }
            size_t n = w.n;
            for (size_t i = 0; i < n; i++)
                assert_int_equal(te_outbox_ack(&ob, TE_MQTT_PUBACK, w.pkt[i].pid, record, &w), TE_OK);
            if (round % 3 == 0)
                break; /* leave some queued for the next round */
        }
    }
    te_outbox_trim(&ob, 0);
    assert_int_equal(te_outbox_pending(&ob), next_added - next_expected);
    te_outbox_free(&ob);
}

static void test_too_big_is_refused(void **state)
{
    (void)state;
    te_outbox_t ob;
    te_outbox_init(&ob);
    char topic[70000];
    memset(topic, 'a', sizeof topic);
    assert_int_equal(te_outbox_add(&ob, topic, sizeof topic, "", 0, 1, false), TE_ERR_TOOBIG);
    assert_int_equal(te_outbox_pending(&ob), 0);
    te_outbox_free(&ob);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ids_are_given_on_first_send_and_kept_with_dup_on_resend),
        cmocka_unit_test(test_in_flight_limit_holds_the_rest_in_order),
        cmocka_unit_test(test_qos2_is_released_then_completed_and_pubrel_is_resent),
        cmocka_unit_test(test_input_ack_is_immediate_when_nothing_is_outstanding),
        cmocka_unit_test(test_input_acks_wait_for_every_earlier_output),
        cmocka_unit_test(test_rewind_drops_held_input_acks),
        cmocka_unit_test(test_many_messages_survive_compaction_in_order),
        cmocka_unit_test(test_too_big_is_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
