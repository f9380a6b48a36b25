/* bus: the one MQTT connection of a process: a small MQTT 3.1.1 client of
 * our own (bus.c, packets in mqtt_packet.c) on the process's libuv loop.
 *
 * Why not libmosquitto: it acknowledges an incoming QoS 1 message before the
 * callback runs and holds outputs behind its in-flight window, so a process
 * killed at the wrong moment loses messages unless the window is unlimited;
 * an unlimited window makes it walk its whole outgoing list on every PUBACK
 * (measured: 77% of a flooded mapper's CPU). And it links libssl/libcrypto,
 * ~400 KiB of private memory per daemon before the first byte. This client
 * owns the order of bytes instead (below), finds acks in O(1), and loads
 * OpenSSL only when TLS is configured (tls.h).
 *
 * - Connects in the background and reconnects with capped exponential
 *   backoff (reconnect_min_ms doubling up to reconnect_max_ms); every attempt
 *   that fails is logged, the first one as a warning. A connection that gets
 *   no CONNACK within 10 s, no PINGRESP within keepalive_s, or a malformed
 *   packet is dropped and re-made.
 * - Subscriptions are kept by the bus and restored on every (re)connection;
 *   each incoming message goes to the callback of every filter it matches.
 * - Outgoing queue: QoS 1/2 messages are kept (encoded, in publish order)
 *   until the broker acknowledges them, and resent with the DUP flag and the
 *   same packet id after reconnecting; those published while disconnected
 *   go out after the CONNACK. At most max_pending may be outstanding: beyond
 *   that te_bus_publish refuses the new message with TE_ERR_FULL (the caller
 *   logs or counts it) and never drops an accepted one. QoS 0 messages are
 *   only sent while connected (TE_ERR_NOCONN otherwise).
 *
 * Delivery (the property that makes kill -9 lose nothing): the PUBACK (or
 * PUBREC) of an incoming message is emitted only once the broker has
 * acknowledged everything published before it, the outputs its callbacks
 * produced among them (outbox.h, "held acknowledgements"). The broker
 * forgets an input only when it holds what the input produced; a process
 * killed at any moment has acknowledged nothing unsafe and the broker
 * redelivers the rest to the persistent session. Everything queued during
 * a read pass is written with one write(2) at its end.
 * Incoming QoS 2 messages are delivered once (ids remembered until PUBREL).
 *
 * Memory: three growable byte buffers (read, write, unacknowledged), reused
 * for every message and given back after a burst (with malloc_trim) on the
 * next quiet second; nothing is allocated per message. The bus copies every
 * string it is given; te_msg_t passed to a callback is valid only during
 * the callback (its topic and payload are NUL-terminated). */
#ifndef TEDGE_BUS_H
#define TEDGE_BUS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <uv.h>
#include "tedge/err.h"

typedef struct te_msg {
    const char *topic;
    const void *payload;
    size_t len;
    int qos;
    bool retain;
} te_msg_t;

typedef struct te_bus te_bus_t;

typedef void (*te_bus_msg_cb)(void *ctx, const te_msg_t *msg);
/* Called after each successful connection (connected = true, also for the
 * first one) and after each loss of it (false). */
typedef void (*te_bus_conn_cb)(void *ctx, bool connected);
typedef void (*te_bus_done_cb)(void *ctx);

typedef struct te_bus_opts {
    const char *host;          /* default "127.0.0.1" */
    int port;                  /* default 1883 */
    const char *client_id;     /* NULL: the bus makes one (then clean_session must be true) */
    bool clean_session;
    int keepalive_s;           /* default 60 */
    /* last will, optional */
    const char *will_topic;
    const char *will_payload;
    int will_qos;
    bool will_retain;
    /* TLS / auth to the local broker (mqtt.client.auth.*), optional */
    const char *username;
    const char *password;
    const char *ca_file;
    const char *ca_dir;
    const char *cert_file;
    const char *key_file;
    size_t max_pending;        /* default 10000 outstanding QoS>0 messages */
    size_t max_payload_bytes;  /* incoming payloads above this are dropped: 0 = no cap */
    uint32_t reconnect_min_ms; /* default 250 */
    uint32_t reconnect_max_ms; /* default 5000 */
    te_bus_conn_cb on_connection;
    /* Called for each incoming message over max_payload_bytes (not delivered). */
    te_bus_msg_cb on_oversize;
    void *ctx;                 /* passed to on_connection and on_oversize */
} te_bus_opts_t;

/* Creates the bus and starts connecting in the background. Strings in opts
 * are copied. Returns TE_OK, TE_ERR_NOMEM, TE_ERR_CONFIG (bad TLS files, or
 * no libssl for TLS) or TE_ERR_INVAL (no client id without clean_session, a
 * bad will topic). */
te_err_t te_bus_open(te_bus_t **bus, uv_loop_t *loop, const te_bus_opts_t *opts) TE_MUST_USE;

/* Adds a subscription (sent now if connected, and on every reconnection).
 * cb(ctx, msg) gets each message matching filter.
 * Returns TE_OK, TE_ERR_INVAL (bad filter), TE_ERR_NOMEM. */
te_err_t te_bus_subscribe(te_bus_t *bus, const char *filter, int qos,
                          te_bus_msg_cb cb, void *ctx) TE_MUST_USE;

/* Queues a message; the bus copies it. Returns TE_OK, TE_ERR_FULL (max_pending
 * reached), TE_ERR_NOCONN (QoS 0 while disconnected), TE_ERR_INVAL (bad topic
 * or QoS), TE_ERR_TOOBIG (over MQTT's 256 MiB) or TE_ERR_NOMEM. */
te_err_t te_bus_publish(te_bus_t *bus, const te_msg_t *msg) TE_MUST_USE;

bool te_bus_connected(const te_bus_t *bus);
/* QoS>0 messages accepted but not yet acknowledged by the broker. */
size_t te_bus_pending(const te_bus_t *bus);

/* Graceful end: waits until every pending message is acknowledged (or
 * timeout_ms passes), sends DISCONNECT (so no will is published), flushes,
 * stops reconnecting and then calls done(ctx). */
void te_bus_shutdown(te_bus_t *bus, uint32_t timeout_ms, te_bus_done_cb done, void *ctx);

/* Abrupt end: closes the socket and the handles; the memory is freed once
 * libuv has closed them, so keep running the loop until it returns. May be
 * called from a message callback. */
void te_bus_close(te_bus_t *bus);

#endif
