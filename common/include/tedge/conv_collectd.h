/* conv_collectd: tedge-mapper-collectd's converter (spec/mapper-az-aws.md §9):
 * collectd MQTT-plugin messages `collectd/<host>/<group>/<key>` carrying
 * `<time>:<v1>[:<v2>...]` are batched by event time into one grouped
 * Thin-Edge JSON measurement per window, published on te/device/main///m/.
 *
 * Batching (thin-edge.io's batcher, default config): an event older than
 * now - 400 ms or later than now is dropped; it joins the open batch whose
 * [start, end] holds its time, else opens [t, t + 500 ms] clipped to the
 * neighbouring batches; a key already in the batch with the same time is a
 * duplicate (ignored), with another time it splits the batch at the midpoint
 * of the two times; a batch is emitted once now >= end + 400 ms; all open
 * batches are emitted on stop.
 *
 * Bad input is logged (never sent to te/errors) and dropped. A NaN or
 * infinite value is skipped alone (thin-edge.io loses the whole batch).
 * A value of group `time` is dropped too: it would print a second "time"
 * member, which makes every reader reject the whole batch.
 *
 * Bounds: TE_COLLECTD_MAX_EVENTS values pending in all open batches,
 * TE_COLLECTD_MAX_BATCHES open batches, TE_COLLECTD_MAX_VALUES values per
 * message, TE_COLLECTD_NAME_MAX bytes of group + key; beyond them the
 * value is dropped and logged (counted in `dropped`).
 *
 * Memory: te_collectd_t is one fixed block (about 220 KiB) allocated by
 * te_collectd_new and released by te_collectd_delete; nothing is allocated
 * per message. */
#ifndef TEDGE_CONV_COLLECTD_H
#define TEDGE_CONV_COLLECTD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "tedge/bus.h"
#include "tedge/config.h"
#include "tedge/err.h"
#include "tedge/out.h"
#include "tedge/timefmt.h"

#define TE_COLLECTD_OUTPUT_TOPIC "te/device/main///m/"
#define TE_COLLECTD_WINDOW_NS (500LL * 1000000LL)
#define TE_COLLECTD_DELAY_NS (400LL * 1000000LL)
#define TE_COLLECTD_MAX_EVENTS 512
#define TE_COLLECTD_MAX_BATCHES 64
#define TE_COLLECTD_MAX_VALUES 32
#define TE_COLLECTD_NAME_MAX 160
/* Largest measurement payload; a batch that would print longer is dropped
 * and logged (512 values of 160-byte names fit). */
#define TE_COLLECTD_MAX_PAYLOAD (128u * 1024u)
/* The te_out_t arena the mapper needs. */
#define TE_COLLECTD_OUT_ARENA (TE_COLLECTD_MAX_PAYLOAD + 8u * 1024u)
/* The tick period the batching needs (emission within 100 ms of due). */
#define TE_COLLECTD_TICK_MS 100

/* One parsed collectd message. group/key point into the topic. */
typedef struct te_collectd_msg {
    const char *group;
    size_t group_len;
    const char *key;
    size_t key_len;
    double time_s;                         /* as sent: float seconds */
    size_t count;                          /* values given (NaN/inf included) */
    double values[TE_COLLECTD_MAX_VALUES];
} te_collectd_msg_t;

/* Parses topic and payload[0..len) (one trailing NUL ignored) into out.
 * Returns TE_OK, or TE_ERR_PARSE with err holding thin-edge.io's reason:
 *  - "Message received on invalid collectd topic: <t>. Collectd message
 *    topics must be in the format collectd/<hostname>/<metric-plugin-name>/<metric-key>"
 *  - "Non UTF-8 payload: <length> bytes"
 *  - "Invalid payload received on topic: <t>. Error: Invalid payload: <p>.
 *    Expected payload format: <timestamp>:<value>"
 *  - "... Error: Invalid measurement timestamp: <x>. Epoch time value expected"
 *  - "... Error: Invalid measurement value: <x>. Must be a number"
 * or TE_ERR_TOOBIG (more than TE_COLLECTD_MAX_VALUES values). Numbers follow
 * Rust's f64 grammar: [+-] digits [. digits] [e [+-] digits], "inf",
 * "infinity", "nan" (any case); no spaces, no hex. */
te_err_t te_collectd_parse(const char *topic, const void *payload, size_t len,
                           te_collectd_msg_t *out, char *err, size_t errlen) TE_MUST_USE;

/* The event time of a collectd time: whole seconds plus trunc(fraction *
 * 1e9) ns, as thin-edge.io. Returns TE_OK or TE_ERR_RANGE (not finite, or
 * outside 1678..2261, where ns since the epoch fit 64 bits). */
te_err_t te_collectd_event_ns(double time_s, int64_t *ns) TE_MUST_USE;

typedef struct te_collectd te_collectd_t;

/* Returns a new, empty batcher or NULL (no memory). */
te_collectd_t *te_collectd_new(void);
void te_collectd_delete(te_collectd_t *c);

/* Parses and batches one message received at now_ns (ns since the epoch);
 * may emit closed batches into out. Bad input is logged and dropped.
 * Returns TE_OK, or the te_out_add error. */
te_err_t te_collectd_input(te_collectd_t *c, const te_msg_t *in, int64_t now_ns,
                           te_out_t *out) TE_MUST_USE;

/* Batches one value directly (what te_collectd_input does for each value of
 * a parsed message; group/key need not be NUL-terminated): dropped when
 * too old or in the future, logged and dropped when a bound is reached.
 * May emit closed batches into out. */
void te_collectd_add(te_collectd_t *c, const char *group, size_t group_len, const char *key,
                     size_t key_len, int64_t t_ns, double value, int64_t now_ns, te_out_t *out);

/* Changes the batching window and the delivery delay (defaults
 * TE_COLLECTD_WINDOW_NS and TE_COLLECTD_DELAY_NS; thin-edge.io's own batcher
 * tests use other values). */
void te_collectd_configure(te_collectd_t *c, int64_t window_ns, int64_t delay_ns);

/* Emits the batches closed at now_ns (end + delay <= now), in creation order. */
void te_collectd_tick(te_collectd_t *c, int64_t now_ns, te_out_t *out);

/* Emits every open batch (shutdown). */
void te_collectd_flush(te_collectd_t *c, te_out_t *out);

/* Open batches and values dropped so far (for tests and logs). */
size_t te_collectd_open_batches(const te_collectd_t *c);
unsigned long te_collectd_dropped(const te_collectd_t *c);

/* The mapper runtime's callbacks (mapper.h), on the wall clock. */
te_err_t te_conv_collectd_init(void **state, te_config_t *cfg, te_out_t *out) TE_MUST_USE;
te_err_t te_conv_collectd_convert(void *state, const te_msg_t *in, te_out_t *out) TE_MUST_USE;
void te_conv_collectd_tick(void *state, uint64_t now_ms, te_out_t *out);
void te_conv_collectd_stop(void *state, te_out_t *out);
void te_conv_collectd_free(void *state);

#endif
