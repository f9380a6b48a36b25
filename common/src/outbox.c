/* outbox: unacknowledged QoS 1/2 messages and held input acks. See
 * outbox.h for the rules; this file is their bookkeeping. */
#include "tedge/outbox.h"

#include <stdlib.h>
#include <string.h>

#include "tedge/mqtt_packet.h"

enum { REC_NEW, REC_SENT, REC_RELEASED, REC_DONE };

/* Record header; the encoded PUBLISH follows. Records are 8-byte aligned. */
typedef struct rec {
    uint64_t seq;
    uint32_t size;     /* header + packet, rounded up to 8 */
    uint32_t pkt_len;
    uint32_t pid_off;  /* where the packet id sits in the packet */
    uint16_t pid;      /* 0 until first sent */
    uint8_t qos;
    uint8_t state;
} rec_t;

/* Input acks held at once beyond which new ones are emitted at once (the
 * broker's in-flight limit towards us keeps the real number near 20). */
#define HELD_MAX 65536u

void te_outbox_init(te_outbox_t *ob)
{
    memset(ob, 0, sizeof *ob);
    ob->next_seq = 1;
}

void te_outbox_free(te_outbox_t *ob)
{
    free(ob->data);
    free(ob->held);
    te_outbox_init(ob);
}

static rec_t *rec_at(const te_outbox_t *ob, size_t off)
{
    return (rec_t *)(void *)(ob->data + off);
}

static bool pid_taken(const te_outbox_t *ob, uint16_t pid)
{
    return ob->pid_used[pid / 64] >> (pid % 64) & 1;
}

static void pid_set(te_outbox_t *ob, uint16_t pid, bool used)
{
    if (used)
        ob->pid_used[pid / 64] |= (uint64_t)1 << (pid % 64);
    else
        ob->pid_used[pid / 64] &= ~((uint64_t)1 << (pid % 64));
}

/* Only called with fewer than TE_OUTBOX_MAX_IDS ids in use (the records
 * holding ids are a prefix of the outbox no longer than max_inflight). */
static uint16_t pid_take(te_outbox_t *ob)
{
    for (;;) {
        ob->last_pid = ob->last_pid >= TE_OUTBOX_MAX_IDS ? 1 : ob->last_pid + 1;
        if (!pid_taken(ob, ob->last_pid)) {
            pid_set(ob, ob->last_pid, true);
            return ob->last_pid;
        }
    }
}

/* Every record with seq <= the returned value is done. */
static uint64_t done_upto(const te_outbox_t *ob)
{
    return ob->off < ob->len ? rec_at(ob, ob->off)->seq - 1 : ob->next_seq - 1;
}

te_err_t te_outbox_add(te_outbox_t *ob, const char *topic, size_t topic_len, const void *payload,
                       size_t len, int qos, bool retain)
{
    size_t pkt = te_mqtt_publish_size(topic_len, len, qos);
    if (pkt == 0 || pkt > UINT32_MAX - sizeof(rec_t) - 8)
        return TE_ERR_TOOBIG;
    size_t size = (sizeof(rec_t) + pkt + 7) & ~(size_t)7;
    if (ob->off > 0 && ob->len + size > ob->cap) {
        /* compact: the cursor moves with the records */
        memmove(ob->data, ob->data + ob->off, ob->len - ob->off);
        ob->len -= ob->off;
        ob->cursor -= ob->off;
        ob->off = 0;
    }
    if (ob->len + size > ob->cap) {
        size_t cap = ob->cap ? ob->cap : 4096;
        while (cap < ob->len + size)
            cap *= 2;
        uint8_t *data = realloc(ob->data, cap);
        if (!data)
            return TE_ERR_NOMEM;
        ob->data = data;
        ob->cap = cap;
    }
    rec_t *r = rec_at(ob, ob->len);
    size_t pid_off = 0;
    *r = (rec_t){.seq = ob->next_seq++, .size = (uint32_t)size, .qos = (uint8_t)qos, .state = REC_NEW};
    r->pkt_len = (uint32_t)te_mqtt_publish_encode((uint8_t *)(r + 1), topic, topic_len, payload, len,
                                                  qos, retain, 0, &pid_off);
    r->pid_off = (uint32_t)pid_off;
    ob->len += size;
    ob->pending++;
    return TE_OK;
}

static bool emit_ack(int type, uint16_t pid, te_outbox_emit_fn emit, void *ctx)
{
    uint8_t ack[4];
    te_mqtt_ack_encode(ack, type, pid);
    return emit(ctx, ack, sizeof ack);
}

void te_outbox_send(te_outbox_t *ob, size_t max_inflight, te_outbox_emit_fn emit, void *ctx)
{
    if (max_inflight > TE_OUTBOX_MAX_IDS - 1)
        max_inflight = TE_OUTBOX_MAX_IDS - 1;
    while (ob->cursor < ob->len && ob->inflight < max_inflight) {
        rec_t *r = rec_at(ob, ob->cursor);
        uint8_t *pkt = (uint8_t *)(r + 1);
        if (r->state == REC_NEW || r->state == REC_SENT) {
            if (r->state == REC_SENT)
                pkt[0] |= 0x08; /* DUP: the broker may have it already */
            if (!r->pid) {
                r->pid = pid_take(ob);
                pkt[r->pid_off] = (uint8_t)(r->pid >> 8);
                pkt[r->pid_off + 1] = (uint8_t)(r->pid & 0xff);
            }
            if (!emit(ctx, pkt, r->pkt_len))
                return;
            r->state = REC_SENT;
            ob->inflight++;
        } else if (r->state == REC_RELEASED) {
            if (!emit_ack(TE_MQTT_PUBREL, r->pid, emit, ctx))
                return;
            ob->inflight++;
        }
        ob->cursor += r->size;
    }
}

void te_outbox_rewind(te_outbox_t *ob)
{
    ob->cursor = ob->off;
    ob->inflight = 0;
    ob->held_head = ob->held_len = 0;
}

static void release_held(te_outbox_t *ob, te_outbox_emit_fn emit, void *ctx)
{
    uint64_t upto = done_upto(ob);
    while (ob->held_len > 0) {
        const te_outbox_held_t *h = &ob->held[ob->held_head];
        if (h->seq > upto || !emit_ack(h->type, h->pid, emit, ctx))
            return;
        ob->held_head = (ob->held_head + 1) % ob->held_cap;
        ob->held_len--;
    }
}

te_err_t te_outbox_ack(te_outbox_t *ob, int type, uint16_t pid, te_outbox_emit_fn emit, void *ctx)
{
    int awaited = type == TE_MQTT_PUBCOMP ? REC_RELEASED : REC_SENT;
    int qos = type == TE_MQTT_PUBACK ? 1 : 2;
    rec_t *r = NULL;
    for (size_t off = ob->off; off < ob->cursor; off += rec_at(ob, off)->size) {
        rec_t *c = rec_at(ob, off);
        if (c->pid == pid && c->state == awaited && c->qos == qos) {
            r = c;
            break;
        }
    }
    if (!r)
        return TE_ERR_NOTFOUND;
    if (type == TE_MQTT_PUBREC) {
        r->state = REC_RELEASED;
        (void)emit_ack(TE_MQTT_PUBREL, pid, emit, ctx); /* resent after a reconnection if lost */
        return TE_OK;
    }
    r->state = REC_DONE;
    pid_set(ob, pid, false);
    ob->inflight--;
    ob->pending--;
    while (ob->off < ob->cursor && rec_at(ob, ob->off)->state == REC_DONE)
        ob->off += rec_at(ob, ob->off)->size;
    if (ob->off == ob->len)
        ob->off = ob->len = ob->cursor = 0;
    release_held(ob, emit, ctx);
    return TE_OK;
}

te_err_t te_outbox_ack_input(te_outbox_t *ob, int type, uint16_t pid, te_outbox_emit_fn emit,
                             void *ctx)
{
    uint64_t seq = ob->next_seq - 1; /* the newest record: its outputs are at or before it */
    if (ob->held_len == 0 && seq <= done_upto(ob)) {
        (void)emit_ack(type, pid, emit, ctx);
        return TE_OK;
    }
    if (ob->held_len == ob->held_cap) {
        size_t cap = ob->held_cap ? ob->held_cap * 2 : 32;
        te_outbox_held_t *held = cap <= HELD_MAX ? malloc(cap * sizeof *held) : NULL;
        if (!held) {
            (void)emit_ack(type, pid, emit, ctx);
            return TE_ERR_NOMEM;
        }
        for (size_t i = 0; i < ob->held_len; i++)
            held[i] = ob->held[(ob->held_head + i) % ob->held_cap];
        free(ob->held);
        ob->held = held;
        ob->held_cap = cap;
        ob->held_head = 0;
    }
    ob->held[(ob->held_head + ob->held_len) % ob->held_cap] =
        (te_outbox_held_t){.seq = seq, .pid = pid, .type = (uint8_t)type};
    ob->held_len++;
    return TE_OK;
}

size_t te_outbox_pending(const te_outbox_t *ob)
{
    return ob->pending;
}

void te_outbox_trim(te_outbox_t *ob, size_t keep_bytes)
{
    if (ob->off == ob->len && ob->cap > keep_bytes) {
        free(ob->data);
        ob->data = NULL;
        ob->off = ob->len = ob->cap = ob->cursor = 0;
    }
    if (ob->held_len == 0 && ob->held_cap * sizeof *ob->held > keep_bytes) {
        free(ob->held);
        ob->held = NULL;
        ob->held_cap = ob->held_head = 0;
    }
}
