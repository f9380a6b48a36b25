/* bus_internal: what the three files of the bus share (bus.c: the API,
 * buffers, timers and lifetime; bus_net.c: the socket, connecting, reading
 * and writing; bus_input.c: the packets from the broker). Not for other
 * modules: they use bus.h. */
#ifndef TEDGE_BUS_INTERNAL_H
#define TEDGE_BUS_INTERNAL_H

#include <netdb.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tedge/bus.h"
#include "tedge/outbox.h"
#include "tedge/tls.h"

/* Packet ids above the outbox's are for SUBSCRIBE. */
#define BUS_SUB_PIDS (65535u - TE_OUTBOX_MAX_IDS)
/* Incoming QoS 2 ids remembered until their PUBREL (the broker sends at
 * most its max_inflight_messages, 20 by default, at a time). */
#define BUS_QOS2_IDS 64
/* Unsent bytes beyond which a QoS 0 publish is refused (TE_ERR_FULL). */
#define BUS_MAX_WBUF_BYTES (64u << 20)
/* Bytes read per poll callback at most, so timers run during a flood. */
#define BUS_READ_BUDGET (256u << 10)
#define BUS_READ_CHUNK (16u << 10)
/* Buffers above this size are given back when empty (after a burst). */
#define BUS_KEEP_BYTES (64u << 10)
#define BUS_CONNECT_TIMEOUT_MS 10000

typedef struct bus_buf {
    uint8_t *data;
    size_t off, len, cap; /* live bytes are data[off..len) */
} bus_buf_t;

typedef struct bus_sub {
    char *filter;
    int qos;
    te_bus_msg_cb cb;
    void *ctx;
} bus_sub_t;

enum { ST_IDLE, ST_TCP, ST_TLS, ST_MQTT, ST_UP };

struct te_bus {
    uv_loop_t *loop;
    te_bus_opts_t opts;       /* strings point at owned copies */
    char *owned[12];          /* the copies, freed with the bus */
    char generated_id[40];
    te_tls_ctx_t *tls_ctx;    /* NULL: plain TCP */

    int state;
    int fd;
    te_tls_t *tls;
    uv_poll_t *poll;          /* one per socket; NULL while disconnected */
    int poll_events;
    struct addrinfo *addrs, *next_addr;
    uint64_t connect_started_ms, last_write_ms, ping_sent_ms;
    int tls_want;             /* during the handshake */
    bool write_waits_read;    /* a TLS write needs the peer's bytes first */

    uv_timer_t misc_timer;    /* keepalive, connect timeout, heap trim */
    uv_timer_t retry_timer;   /* reconnection backoff */
    uv_timer_t stop_timer;    /* shutdown deadline */
    int open_handles;

    bool closing;
    bool shutting_down;
    bool in_read;             /* inside the read pass: its end flushes */
    uint32_t backoff_ms;
    unsigned failed_attempts;
    unsigned long received_since_trim;

    bus_buf_t rbuf, wbuf;
    te_outbox_t outbox;
    size_t rbuf_max;          /* largest packet kept whole */
    size_t skip_bytes;        /* rest of an over-size packet to discard */
    uint16_t qos2_ids[BUS_QOS2_IDS];
    size_t n_qos2;
    char *topic_buf;
    size_t topic_cap;

    bus_sub_t *subs;
    size_t n_subs, cap_subs;

    te_bus_done_cb done;
    void *done_ctx;
};

/* bus.c */
bool bus_buf_reserve(bus_buf_t *b, size_t extra);
bool bus_wbuf_put(te_bus_t *bus, const void *bytes, size_t len);
/* te_outbox_emit_fn writing into wbuf (logs when out of memory). */
bool bus_emit(void *ctx, const void *bytes, size_t len);
void bus_queue_ack(te_bus_t *bus, int type, uint16_t pid);
void bus_queue_subscribe(te_bus_t *bus, size_t index);
/* Writes outbox records that wait, when connected. */
void bus_outbox_pump(te_bus_t *bus);
/* Finishes a shutdown (deferred to the loop) once nothing is pending. */
void bus_check_shutdown(te_bus_t *bus);

/* bus_net.c */
void bus_connect_now(te_bus_t *bus);
void bus_close_socket(te_bus_t *bus);
/* The connection is gone or an attempt failed: closes, logs reason,
 * reports the loss and schedules the next attempt. */
void bus_handle_loss(te_bus_t *bus, const char *reason);
void bus_flush(te_bus_t *bus);
void bus_update_poll(te_bus_t *bus);

/* bus_input.c */
/* Handles every complete packet in rbuf. Returns false when the connection
 * was dropped or the bus closed. */
bool bus_parse(te_bus_t *bus);

#endif
