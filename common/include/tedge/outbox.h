/* outbox: the bus's memory of QoS 1/2 messages it published and the broker
 * has not yet acknowledged, and of the acknowledgements of inputs it holds
 * back until the outputs they produced are safe. No I/O: packets to write
 * are handed to an emit callback (the bus appends them to its write
 * buffer), so every rule here is unit-tested without a socket.
 *
 * Records are the encoded PUBLISH packets in publish order in one growable
 * byte buffer. A packet id is given when a record first goes on the wire
 * and kept for its resends (MQTT 3.1.1 §4.4). The broker acknowledges in
 * order, so the awaited record is usually the oldest: done records are
 * popped from the head, O(1) per ack; out-of-order (QoS 2) acks scan.
 *
 * Held acknowledgements: the PUBACK (or PUBREC) of an input is emitted only
 * once every record added before it (its outputs among them) is done. The
 * broker forgets an input only after it has acknowledged what the input
 * produced, so a process killed at any point loses nothing, and the broker's
 * in-flight limit towards us bounds how far outputs can run ahead.
 *
 * The struct is caller-owned (embed it); its fields are private. Memory:
 * the record buffer (about packet size + 24 bytes per message outstanding),
 * the held-ack ring (16 bytes per held input) and an 8 KiB id bitmap;
 * te_outbox_trim gives large empty buffers back. */
#ifndef TEDGE_OUTBOX_H
#define TEDGE_OUTBOX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "tedge/err.h"

/* Packet ids 1..TE_OUTBOX_MAX_IDS are the outbox's; the bus uses the rest
 * (up to 65535) for SUBSCRIBE. */
#define TE_OUTBOX_MAX_IDS 65000u

typedef struct te_outbox_held {
    uint64_t seq;     /* released when every record up to seq is done */
    uint16_t pid;
    uint8_t type;     /* TE_MQTT_PUBACK or TE_MQTT_PUBREC */
} te_outbox_held_t;

typedef struct te_outbox {
    uint8_t *data;
    size_t off, len, cap;      /* records live in data[off..len) */
    size_t cursor;             /* offset of the first record not sent on this connection */
    size_t pending;            /* records not done */
    size_t inflight;           /* records sent on this connection and not done */
    uint64_t next_seq;         /* sequence number of the next record (from 1) */
    uint16_t last_pid;
    uint64_t pid_used[1024];   /* bitmap of the ids records hold */
    te_outbox_held_t *held;    /* ring: held[(held_head + i) % held_cap] */
    size_t held_head, held_len, held_cap;
} te_outbox_t;

/* Writes bytes (copied at once) to the connection; false when out of memory. */
typedef bool (*te_outbox_emit_fn)(void *ctx, const void *bytes, size_t len);

void te_outbox_init(te_outbox_t *ob);
void te_outbox_free(te_outbox_t *ob);

/* Adds a QoS 1 or 2 message; the outbox copies it. Returns TE_OK,
 * TE_ERR_TOOBIG (more than MQTT can carry) or TE_ERR_NOMEM. */
te_err_t te_outbox_add(te_outbox_t *ob, const char *topic, size_t topic_len, const void *payload,
                       size_t len, int qos, bool retain) TE_MUST_USE;

/* Emits, oldest first, every record not yet sent on this connection (with
 * DUP when it was sent on an earlier one, or its PUBREL when the broker had
 * received it), while fewer than max_inflight (at most TE_OUTBOX_MAX_IDS -
 * 1) are in flight. Stops early when emit fails. */
void te_outbox_send(te_outbox_t *ob, size_t max_inflight, te_outbox_emit_fn emit, void *ctx);

/* The connection ended: te_outbox_send starts again from the oldest
 * record; held input acks are dropped (the broker redelivers those inputs
 * to the persistent session). */
void te_outbox_rewind(te_outbox_t *ob);

/* A PUBACK, PUBREC or PUBCOMP from the broker: marks the record, emits the
 * PUBREL a PUBREC calls for and the input acks the progress releases.
 * Returns TE_OK, or TE_ERR_NOTFOUND for an id (or type) no record awaits
 * (the caller ignores it). */
te_err_t te_outbox_ack(te_outbox_t *ob, int type, uint16_t pid, te_outbox_emit_fn emit,
                       void *ctx) TE_MUST_USE;

/* The acknowledgement (type TE_MQTT_PUBACK or TE_MQTT_PUBREC) of an input
 * whose outputs, if any, were added already: emitted now when nothing
 * added so far is outstanding, else held until it all is. Returns TE_OK or
 * TE_ERR_NOMEM (then emitted now: never withheld for ever). */
te_err_t te_outbox_ack_input(te_outbox_t *ob, int type, uint16_t pid, te_outbox_emit_fn emit,
                             void *ctx);

/* Records not yet done. */
size_t te_outbox_pending(const te_outbox_t *ob);

/* Gives back buffers above keep_bytes when they are empty. */
void te_outbox_trim(te_outbox_t *ob, size_t keep_bytes);

#endif
