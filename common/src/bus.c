/* bus: a small MQTT 3.1.1 client on the process's libuv loop. See bus.h for
 * the contract. The socket is a non-blocking fd watched by one uv_poll;
 * packets are encoded by mqtt_packet.c into three growable byte buffers:
 *
 *   rbuf    bytes read, parsed in place (a packet is handled where it lies);
 *   wbuf    bytes to write, flushed once per read pass or loop iteration;
 *   outbox  every QoS>0 message accepted and not yet acknowledged, as
 *           records in publish order (record header + encoded PUBLISH),
 *           resent with DUP after a reconnection.
 *
 * Packet ids are given when a record first goes on the wire; the broker
 * acknowledges in order, so the ack of the oldest record is found at the
 * head of the outbox and done records are popped from there: O(1) per ack
 * in the usual case, a scan only for out-of-order (QoS 2) acks. */
#include "tedge/bus.h"

#include <errno.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "tedge/log.h"
#include "tedge/mqtt_packet.h"
#include "tedge/tls.h"

/* Packet ids 1..BUS_PUB_PIDS are for PUBLISH, the rest for SUBSCRIBE. */
#define BUS_PUB_PIDS 65000u
#define BUS_SUB_PIDS (65535u - BUS_PUB_PIDS)
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

enum { REC_NEW, REC_SENT, REC_RELEASED, REC_DONE };

/* Outbox record header; the encoded PUBLISH follows. Records are 8-byte
 * aligned. */
typedef struct bus_rec {
    uint32_t size;     /* header + packet, rounded up to 8 */
    uint32_t pkt_len;
    uint32_t pid_off;  /* where the packet id sits in the packet */
    uint16_t pid;      /* 0 until first sent */
    uint8_t qos;
    uint8_t state;
} bus_rec_t;

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
    int tls_want;

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

    bus_buf_t rbuf, wbuf, outbox;
    size_t rbuf_max;          /* largest packet kept whole */
    size_t skip_bytes;        /* rest of an over-size packet to discard */
    size_t send_cursor;       /* outbox offset of the first record not yet sent on this connection */
    size_t pending;           /* records not done */
    size_t inflight;          /* records sent on this connection, not done */
    uint16_t next_pid;
    uint64_t pid_used[1024];  /* bitmap of packet ids in flight */
    uint16_t qos2_ids[BUS_QOS2_IDS];
    size_t n_qos2;
    char *topic_buf;
    size_t topic_cap;

    bus_sub_t *subs;
    size_t n_subs, cap_subs;

    te_bus_done_cb done;
    void *done_ctx;
};

static void bus_schedule_retry(te_bus_t *bus);
static void bus_check_shutdown(te_bus_t *bus);
static void bus_update_poll(te_bus_t *bus);
static void bus_flush(te_bus_t *bus);

/* ---- buffers ---- */

static bool buf_reserve(bus_buf_t *b, size_t extra)
{
    if (b->off > 0 && (b->off == b->len || b->len + extra > b->cap)) {
        memmove(b->data, b->data + b->off, b->len - b->off);
        b->len -= b->off;
        b->off = 0;
    }
    if (b->len + extra <= b->cap)
        return true;
    size_t cap = b->cap ? b->cap : 4096;
    while (cap < b->len + extra)
        cap *= 2;
    uint8_t *data = realloc(b->data, cap);
    if (!data)
        return false;
    b->data = data;
    b->cap = cap;
    return true;
}

static void buf_shrink_if_empty(bus_buf_t *b)
{
    if (b->off == b->len && b->cap > BUS_KEEP_BYTES) {
        free(b->data);
        *b = (bus_buf_t){0};
    }
}

/* ---- packet ids ---- */

static bool pid_taken(const te_bus_t *bus, uint16_t pid)
{
    return bus->pid_used[pid / 64] >> (pid % 64) & 1;
}

static void pid_set(te_bus_t *bus, uint16_t pid, bool used)
{
    if (used)
        bus->pid_used[pid / 64] |= (uint64_t)1 << (pid % 64);
    else
        bus->pid_used[pid / 64] &= ~((uint64_t)1 << (pid % 64));
}

/* Only called with fewer than BUS_PUB_PIDS ids in use. */
static uint16_t pid_take(te_bus_t *bus)
{
    for (;;) {
        bus->next_pid = bus->next_pid >= BUS_PUB_PIDS ? 1 : bus->next_pid + 1;
        if (!pid_taken(bus, bus->next_pid)) {
            pid_set(bus, bus->next_pid, true);
            return bus->next_pid;
        }
    }
}

/* ---- output ---- */

static bool wbuf_put(te_bus_t *bus, const void *bytes, size_t len)
{
    if (!buf_reserve(&bus->wbuf, len))
        return false;
    memcpy(bus->wbuf.data + bus->wbuf.len, bytes, len);
    bus->wbuf.len += len;
    return true;
}

static void queue_ack(te_bus_t *bus, int type, uint16_t pid)
{
    uint8_t ack[4];
    te_mqtt_ack_encode(ack, type, pid);
    if (!wbuf_put(bus, ack, sizeof ack))
        te_log_error("out of memory queueing an MQTT acknowledgement");
}

static void queue_subscribe(te_bus_t *bus, size_t index)
{
    const bus_sub_t *s = &bus->subs[index];
    size_t flen = strlen(s->filter);
    size_t size = te_mqtt_subscribe_size(flen);
    if (!buf_reserve(&bus->wbuf, size)) {
        te_log_error("out of memory subscribing to %s", s->filter);
        return;
    }
    uint16_t pid = (uint16_t)(BUS_PUB_PIDS + 1 + index % BUS_SUB_PIDS);
    bus->wbuf.len += te_mqtt_subscribe_encode(bus->wbuf.data + bus->wbuf.len, pid, s->filter,
                                              flen, s->qos);
}

static bus_rec_t *rec_at(const te_bus_t *bus, size_t off)
{
    return (bus_rec_t *)(void *)(bus->outbox.data + off);
}

/* Puts outbox records on the wire, oldest first, while ids are free. */
static void outbox_pump(te_bus_t *bus)
{
    if (bus->state != ST_UP)
        return;
    while (bus->send_cursor < bus->outbox.len && bus->inflight < BUS_PUB_PIDS - 1) {
        bus_rec_t *r = rec_at(bus, bus->send_cursor);
        uint8_t *pkt = (uint8_t *)(r + 1);
        if (r->state == REC_NEW || r->state == REC_SENT) {
            if (r->state == REC_SENT)
                pkt[0] |= 0x08; /* DUP: the broker may have it already */
            if (!r->pid) {
                r->pid = pid_take(bus);
                pkt[r->pid_off] = (uint8_t)(r->pid >> 8);
                pkt[r->pid_off + 1] = (uint8_t)(r->pid & 0xff);
            }
            if (!wbuf_put(bus, pkt, r->pkt_len)) {
                te_log_error("out of memory sending queued messages; will retry");
                return;
            }
            r = rec_at(bus, bus->send_cursor); /* wbuf is not the outbox, but be plain */
            r->state = REC_SENT;
            bus->inflight++;
        } else if (r->state == REC_RELEASED) {
            queue_ack(bus, TE_MQTT_PUBREL, r->pid);
            bus->inflight++;
        }
        bus->send_cursor += r->size;
    }
}

/* Pops done records from the head of the outbox. */
static void outbox_pop_done(te_bus_t *bus)
{
    bus_buf_t *o = &bus->outbox;
    while (o->off < o->len && o->off < bus->send_cursor && rec_at(bus, o->off)->state == REC_DONE)
        o->off += rec_at(bus, o->off)->size;
    if (o->off == o->len) {
        o->off = o->len = 0;
        bus->send_cursor = 0;
    }
}

/* The record sent on this connection with this id and state, or NULL. */
static bus_rec_t *outbox_find(te_bus_t *bus, uint16_t pid, int state)
{
    for (size_t off = bus->outbox.off; off < bus->send_cursor; off += rec_at(bus, off)->size) {
        bus_rec_t *r = rec_at(bus, off);
        if (r->pid == pid && r->state == state)
            return r;
    }
    return NULL;
}

static void outbox_ack(te_bus_t *bus, int type, uint16_t pid)
{
    int awaited = type == TE_MQTT_PUBCOMP ? REC_RELEASED : REC_SENT;
    bus_rec_t *r = outbox_find(bus, pid, awaited);
    if (!r || (type == TE_MQTT_PUBACK && r->qos != 1) || (type == TE_MQTT_PUBREC && r->qos != 2)) {
        te_log_debug("ignored an MQTT acknowledgement (type %d) for unknown packet id %u", type, pid);
        return;
    }
    if (type == TE_MQTT_PUBREC) {
        r->state = REC_RELEASED;
        queue_ack(bus, TE_MQTT_PUBREL, pid);
        return;
    }
    r->state = REC_DONE;
    pid_set(bus, pid, false);
    bus->inflight--;
    bus->pending--;
    outbox_pop_done(bus);
    outbox_pump(bus);
    if (bus->shutting_down)
        bus_check_shutdown(bus);
}

/* ---- connection ---- */

static void on_poll_closed(uv_handle_t *handle)
{
    free(handle);
}

static void bus_close_socket(te_bus_t *bus)
{
    if (bus->poll) {
        uv_poll_stop(bus->poll);
        uv_close((uv_handle_t *)bus->poll, on_poll_closed);
        bus->poll = NULL;
        bus->poll_events = 0;
    }
    te_tls_free(bus->tls);
    bus->tls = NULL;
    if (bus->fd >= 0)
        close(bus->fd);
    bus->fd = -1;
}

static void bus_reset_session_io(te_bus_t *bus)
{
    bus->rbuf.off = bus->rbuf.len = 0;
    bus->wbuf.off = bus->wbuf.len = 0;
    bus->skip_bytes = 0;
    bus->send_cursor = bus->outbox.off;
    bus->inflight = 0;
    bus->ping_sent_ms = 0;
}

/* The connection is gone, or an attempt failed (reason for the log). */
static void bus_handle_loss(te_bus_t *bus, const char *reason)
{
    bool was_up = bus->state == ST_UP;
    bus_close_socket(bus);
    if (bus->addrs) {
        freeaddrinfo(bus->addrs);
        bus->addrs = bus->next_addr = NULL;
    }
    bus->state = ST_IDLE;
    bus_reset_session_io(bus);
    if (was_up) {
        te_log_warn("lost connection to MQTT broker %s:%d: %s", bus->opts.host, bus->opts.port, reason);
        if (bus->opts.on_connection)
            bus->opts.on_connection(bus->opts.ctx, false);
    } else if (!bus->shutting_down && !bus->closing) {
        bus->failed_attempts++;
        te_log(bus->failed_attempts == 1 ? TE_LOG_WARN : TE_LOG_INFO,
               "cannot connect to MQTT broker %s:%d: %s; retrying in %u ms", bus->opts.host,
               bus->opts.port, reason, bus->backoff_ms);
    }
    if (bus->shutting_down) {
        bus_check_shutdown(bus);
        return;
    }
    if (!bus->closing)
        bus_schedule_retry(bus);
}

static void bus_send_connect(te_bus_t *bus)
{
    const te_bus_opts_t *o = &bus->opts;
    te_mqtt_connect_t c = {
        .client_id = o->client_id,
        .clean_session = o->clean_session,
        .keepalive_s = (uint16_t)o->keepalive_s,
        .will_topic = o->will_topic,
        .will_payload = o->will_payload,
        .will_len = o->will_payload ? strlen(o->will_payload) : 0,
        .will_qos = o->will_qos,
        .will_retain = o->will_retain,
        .username = o->username,
        .password = o->username ? o->password : NULL,
    };
    size_t size = te_mqtt_connect_size(&c);
    if (!buf_reserve(&bus->wbuf, size)) {
        bus_handle_loss(bus, "out of memory");
        return;
    }
    bus->wbuf.len += te_mqtt_connect_encode(&c, bus->wbuf.data + bus->wbuf.len);
    bus->state = ST_MQTT;
    bus_flush(bus);
}

static const char *connack_text(int rc)
{
    switch (rc) {
    case 1: return "Connection Refused: unacceptable protocol version";
    case 2: return "Connection Refused: identifier rejected";
    case 3: return "Connection Refused: broker unavailable";
    case 4: return "Connection Refused: bad user name or password";
    case 5: return "Connection Refused: not authorised";
    default: return "Connection Refused: unknown reason";
    }
}

static void bus_on_connack(te_bus_t *bus, const uint8_t *body, size_t len)
{
    if (len != 2) {
        bus_handle_loss(bus, "malformed CONNACK");
        return;
    }
    if (body[1] != 0) {
        te_log_error("MQTT broker %s:%d refused the connection: %s", bus->opts.host, bus->opts.port,
                     connack_text(body[1]));
        bus_handle_loss(bus, connack_text(body[1]));
        return;
    }
    bus->state = ST_UP;
    bus->failed_attempts = 0;
    bus->backoff_ms = bus->opts.reconnect_min_ms;
    te_log_info("connected to MQTT broker %s:%d", bus->opts.host, bus->opts.port);
    for (size_t i = 0; i < bus->n_subs; i++)
        queue_subscribe(bus, i);
    outbox_pump(bus); /* what the broker has not acknowledged, then what waited */
    if (bus->opts.on_connection && !bus->shutting_down)
        bus->opts.on_connection(bus->opts.ctx, true);
    if (bus->shutting_down)
        bus_check_shutdown(bus);
}

/* ---- input ---- */

static bool qos2_seen(te_bus_t *bus, uint16_t pid, bool add)
{
    for (size_t i = 0; i < bus->n_qos2; i++)
        if (bus->qos2_ids[i] == pid)
            return true;
    if (add && bus->n_qos2 < BUS_QOS2_IDS)
        bus->qos2_ids[bus->n_qos2++] = pid;
    return false;
}

static void qos2_release(te_bus_t *bus, uint16_t pid)
{
    for (size_t i = 0; i < bus->n_qos2; i++) {
        if (bus->qos2_ids[i] == pid) {
            bus->qos2_ids[i] = bus->qos2_ids[--bus->n_qos2];
            return;
        }
    }
}

static const char *own_topic(te_bus_t *bus, const char *topic, size_t len)
{
    if (len + 1 > bus->topic_cap) {
        size_t cap = len + 1 < 256 ? 256 : len + 1;
        char *t = realloc(bus->topic_buf, cap);
        if (!t)
            return NULL;
        bus->topic_buf = t;
        bus->topic_cap = cap;
    }
    memcpy(bus->topic_buf, topic, len);
    bus->topic_buf[len] = '\0';
    return bus->topic_buf;
}

static void deliver(te_bus_t *bus, const te_mqtt_publish_t *p, uint8_t *payload_end)
{
    const char *topic = own_topic(bus, p->topic, p->topic_len);
    if (!topic) {
        te_log_error("out of memory receiving a message");
        return;
    }
    bus->received_since_trim++;
    te_msg_t msg = {.topic = topic, .payload = p->payload, .len = p->payload_len,
                    .qos = p->qos, .retain = p->retain};
    /* Callers may treat the payload as a string: terminate it in place
     * (rbuf always has a spare byte) and restore the byte after. */
    uint8_t saved = *payload_end;
    *payload_end = '\0';
    if (bus->opts.max_payload_bytes && msg.len > bus->opts.max_payload_bytes) {
        te_log_warn("dropped a %zu-byte message on %s: over the %zu-byte limit", msg.len, topic,
                    bus->opts.max_payload_bytes);
        if (bus->opts.on_oversize)
            bus->opts.on_oversize(bus->opts.ctx, &msg);
    } else {
        /* Index loop: a callback may subscribe and so move the array. */
        for (size_t i = 0; i < bus->n_subs && !bus->closing; i++)
            if (te_mqtt_topic_matches(bus->subs[i].filter, topic, p->topic_len))
                bus->subs[i].cb(bus->subs[i].ctx, &msg);
    }
    *payload_end = saved;
}

/* A PUBLISH too large to keep: report it from its first bytes, acknowledge
 * it and discard the rest as it arrives. Returns false until the topic and
 * packet id are in. */
static bool bus_skip_oversize(te_bus_t *bus, uint8_t first, const uint8_t *body, size_t have,
                              size_t remaining)
{
    if (have < 2)
        return false;
    size_t topic_len = (size_t)body[0] << 8 | body[1];
    int qos = first >> 1 & 3;
    size_t need = 2 + topic_len + (qos ? 2 : 0);
    if (have < need)
        return false;
    te_mqtt_publish_t p;
    if (te_mqtt_publish_decode(first, body, need, &p) != TE_OK)
        return false;
    const char *topic = own_topic(bus, p.topic, p.topic_len);
    te_msg_t msg = {.topic = topic ? topic : "?", .payload = "", .len = remaining - need,
                    .qos = qos, .retain = first & 1};
    te_log_warn("dropped a %zu-byte message on %s: over the %zu-byte limit", msg.len, msg.topic,
                bus->opts.max_payload_bytes);
    if (bus->opts.on_oversize)
        bus->opts.on_oversize(bus->opts.ctx, &msg);
    if (qos == 1)
        queue_ack(bus, TE_MQTT_PUBACK, p.packet_id);
    else if (qos == 2)
        queue_ack(bus, TE_MQTT_PUBREC, p.packet_id);
    return true;
}

/* Handles one complete packet. Returns false when the connection was
 * dropped (protocol error). */
static bool bus_handle_packet(te_bus_t *bus, uint8_t first, uint8_t *body, size_t len)
{
    int type = first >> 4;
    if (bus->state == ST_MQTT) {
        if (type != TE_MQTT_CONNACK) {
            bus_handle_loss(bus, "protocol error: expected CONNACK");
            return false;
        }
        bus_on_connack(bus, body, len);
        return bus->state == ST_UP;
    }
    uint16_t pid = len >= 2 ? (uint16_t)(body[0] << 8 | body[1]) : 0;
    switch (type) {
    case TE_MQTT_PUBLISH: {
        te_mqtt_publish_t p;
        if (te_mqtt_publish_decode(first, body, len, &p) != TE_OK) {
            bus_handle_loss(bus, "protocol error: malformed PUBLISH");
            return false;
        }
        if (p.qos < 2 || !qos2_seen(bus, p.packet_id, true))
            deliver(bus, &p, body + len);
        if (p.qos == 1)
            queue_ack(bus, TE_MQTT_PUBACK, p.packet_id);
        else if (p.qos == 2)
            queue_ack(bus, TE_MQTT_PUBREC, p.packet_id);
        return true;
    }
    case TE_MQTT_PUBACK:
    case TE_MQTT_PUBREC:
    case TE_MQTT_PUBCOMP:
        if (len != 2)
            break;
        outbox_ack(bus, type, pid);
        return true;
    case TE_MQTT_PUBREL:
        if (len != 2)
            break;
        qos2_release(bus, pid);
        queue_ack(bus, TE_MQTT_PUBCOMP, pid);
        return true;
    case TE_MQTT_SUBACK:
        if (len < 3)
            break;
        for (size_t i = 2; i < len; i++) {
            if (body[i] == 0x80) {
                size_t index = pid > BUS_PUB_PIDS ? pid - BUS_PUB_PIDS - 1 : 0;
                te_log_error("MQTT broker refused the subscription to %s",
                             index < bus->n_subs ? bus->subs[index].filter : "?");
            }
        }
        return true;
    case TE_MQTT_UNSUBACK:
        return true;
    case TE_MQTT_PINGRESP:
        bus->ping_sent_ms = 0;
        return true;
    default:
        break;
    }
    bus_handle_loss(bus, "protocol error: unexpected packet from the broker");
    return false;
}

/* Handles every complete packet in rbuf. Returns false when the connection
 * was dropped or the bus closed. */
static bool bus_parse(te_bus_t *bus)
{
    bus_buf_t *r = &bus->rbuf;
    while (r->off < r->len) {
        if (bus->skip_bytes) {
            size_t n = r->len - r->off < bus->skip_bytes ? r->len - r->off : bus->skip_bytes;
            r->off += n;
            bus->skip_bytes -= n;
            continue;
        }
        uint8_t first;
        size_t remaining, header_len;
        int h = te_mqtt_get_header(r->data + r->off, r->len - r->off, &first, &remaining, &header_len);
        if (h < 0) {
            bus_handle_loss(bus, "protocol error: malformed packet length");
            return false;
        }
        if (h == 0)
            break;
        size_t have = r->len - r->off - header_len;
        if (header_len + remaining > bus->rbuf_max) {
            if ((first >> 4) != TE_MQTT_PUBLISH) {
                bus_handle_loss(bus, "protocol error: over-size packet");
                return false;
            }
            if (!bus_skip_oversize(bus, first, r->data + r->off + header_len, have, remaining))
                break;
            r->off += header_len;
            bus->skip_bytes = remaining;
            continue;
        }
        if (have < remaining)
            break;
        uint8_t *body = r->data + r->off + header_len;
        r->off += header_len + remaining;
        if (!bus_handle_packet(bus, first, body, remaining) || bus->closing)
            return false;
    }
    return true;
}

static void bus_read(te_bus_t *bus)
{
    size_t total = 0;
    bus->in_read = true;
    while (bus->state >= ST_MQTT && !bus->closing) {
        /* one spare byte past the data: deliver() terminates payloads */
        if (!buf_reserve(&bus->rbuf, BUS_READ_CHUNK + 1)) {
            bus->in_read = false;
            bus_handle_loss(bus, "out of memory");
            return;
        }
        bus_buf_t *r = &bus->rbuf;
        size_t room = r->cap - r->len - 1;
        ssize_t n;
        int want = 0;
        if (bus->tls)
            n = te_tls_read(bus->tls, r->data + r->len, room, &want);
        else
            n = recv(bus->fd, r->data + r->len, room, 0);
        if (n == 0) {
            bus->in_read = false;
            bus_handle_loss(bus, "connection closed by the broker");
            return;
        }
        if (n < 0) {
            if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
                break;
            bus->in_read = false;
            bus_handle_loss(bus, strerror(errno));
            return;
        }
        r->len += (size_t)n;
        total += (size_t)n;
        if (!bus_parse(bus)) {
            bus->in_read = false;
            return;
        }
        /* TLS may hold decrypted bytes poll cannot see: drain it fully. */
        if (!bus->tls && total >= BUS_READ_BUDGET)
            break;
    }
    bus->in_read = false;
    bus_flush(bus);
}

/* Writes wbuf until done or the socket is full. */
static void bus_flush(te_bus_t *bus)
{
    if (bus->fd < 0 || bus->state < ST_MQTT || bus->in_read)
        return;
    bus_buf_t *w = &bus->wbuf;
    while (w->off < w->len) {
        ssize_t n;
        int want = 0;
        if (bus->tls)
            n = te_tls_write(bus->tls, w->data + w->off, w->len - w->off, &want);
        else
            n = send(bus->fd, w->data + w->off, w->len - w->off, MSG_NOSIGNAL);
        if (n < 0) {
            if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
                break;
            bus_handle_loss(bus, strerror(errno));
            return;
        }
        w->off += (size_t)n;
        bus->last_write_ms = uv_now(bus->loop);
    }
    if (w->off == w->len)
        w->off = w->len = 0;
    bus_update_poll(bus);
}

/* ---- the socket ---- */

static void on_poll(uv_poll_t *handle, int status, int events);

static void bus_update_poll(te_bus_t *bus)
{
    if (!bus->poll)
        return;
    int want = UV_READABLE;
    if (bus->state == ST_TCP)
        want = UV_WRITABLE;
    else if (bus->state == ST_TLS)
        want = bus->tls_want == TE_TLS_WANT_WRITE ? UV_WRITABLE : UV_READABLE;
    else if (bus->wbuf.off < bus->wbuf.len)
        want |= UV_WRITABLE;
    if (want != bus->poll_events) {
        uv_poll_start(bus->poll, want, on_poll);
        bus->poll_events = want;
    }
}

static void bus_tls_step(te_bus_t *bus)
{
    char err[512] = "";
    int r = te_tls_handshake(bus->tls, &bus->tls_want, err, sizeof err);
    if (r < 0) {
        bus_handle_loss(bus, err);
        return;
    }
    if (r == 1) {
        bus->tls_want = 0;
        bus_send_connect(bus);
        return;
    }
    bus_update_poll(bus);
}

static void bus_try_next_address(te_bus_t *bus, const char *reason);

static void bus_tcp_connected(te_bus_t *bus)
{
    int soerr = 0;
    socklen_t slen = sizeof soerr;
    if (getsockopt(bus->fd, SOL_SOCKET, SO_ERROR, &soerr, &slen) != 0)
        soerr = errno;
    if (soerr) {
        bus_try_next_address(bus, strerror(soerr));
        return;
    }
    freeaddrinfo(bus->addrs);
    bus->addrs = bus->next_addr = NULL;
    int one = 1;
    setsockopt(bus->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (bus->tls_ctx) {
        if (te_tls_new(&bus->tls, bus->tls_ctx, bus->fd, bus->opts.host) != TE_OK) {
            bus_handle_loss(bus, "out of memory");
            return;
        }
        bus->state = ST_TLS;
        bus_tls_step(bus);
        return;
    }
    bus_send_connect(bus);
}

static void on_poll(uv_poll_t *handle, int status, int events)
{
    te_bus_t *bus = handle->data;
    if (status < 0)
        events = UV_READABLE | UV_WRITABLE; /* the socket calls report the error */
    switch (bus->state) {
    case ST_TCP:
        bus_tcp_connected(bus);
        return;
    case ST_TLS:
        bus_tls_step(bus);
        return;
    default:
        break;
    }
    if (events & UV_READABLE)
        bus_read(bus);
    else if (events & UV_WRITABLE)
        bus_flush(bus);
}

/* Starts a non-blocking connect to bus->next_addr and onwards. */
static void bus_try_next_address(te_bus_t *bus, const char *reason)
{
    bus_close_socket(bus);
    for (; bus->next_addr; bus->next_addr = bus->next_addr->ai_next) {
        const struct addrinfo *a = bus->next_addr;
        int fd = socket(a->ai_family, a->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, a->ai_protocol);
        if (fd < 0) {
            reason = strerror(errno);
            continue;
        }
        if (connect(fd, a->ai_addr, a->ai_addrlen) != 0 && errno != EINPROGRESS) {
            reason = strerror(errno);
            close(fd);
            continue;
        }
        bus->poll = malloc(sizeof *bus->poll);
        if (!bus->poll || uv_poll_init_socket(bus->loop, bus->poll, fd) != 0) {
            free(bus->poll);
            bus->poll = NULL;
            close(fd);
            reason = "cannot watch the socket";
            continue;
        }
        bus->next_addr = a->ai_next;
        bus->fd = fd;
        bus->poll->data = bus;
        bus->state = ST_TCP;
        bus_update_poll(bus);
        return;
    }
    bus_handle_loss(bus, reason);
}

static void bus_connect_now(te_bus_t *bus)
{
    char port[16];
    snprintf(port, sizeof port, "%d", bus->opts.port);
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM,
                             .ai_flags = AI_NUMERICSERV};
    bus_reset_session_io(bus);
    bus->connect_started_ms = uv_now(bus->loop);
    /* Blocking, but the local broker's name is an address or in /etc/hosts. */
    int rc = getaddrinfo(bus->opts.host, port, &hints, &bus->addrs);
    if (rc != 0) {
        bus->addrs = NULL;
        bus_handle_loss(bus, gai_strerror(rc));
        return;
    }
    bus->next_addr = bus->addrs;
    bus_try_next_address(bus, "no address");
}

static void on_retry_timer(uv_timer_t *timer)
{
    te_bus_t *bus = timer->data;
    if (bus->closing || bus->shutting_down)
        return;
    bus_connect_now(bus);
}

static void bus_schedule_retry(te_bus_t *bus)
{
    if (bus->closing || uv_is_active((uv_handle_t *)&bus->retry_timer))
        return;
    uint32_t delay = bus->backoff_ms;
    bus->backoff_ms = delay * 2 > bus->opts.reconnect_max_ms ? bus->opts.reconnect_max_ms : delay * 2;
    uv_timer_start(&bus->retry_timer, on_retry_timer, delay, 0);
}

/* After a burst, give the buffers and the freed heap back (a quiet second,
 * nothing pending). */
static void bus_trim_heap(te_bus_t *bus)
{
    if (bus->received_since_trim < 1000 || bus->pending != 0 || bus->wbuf.off != bus->wbuf.len)
        return;
    bus->received_since_trim = 0;
    buf_shrink_if_empty(&bus->rbuf);
    buf_shrink_if_empty(&bus->wbuf);
    buf_shrink_if_empty(&bus->outbox);
#ifdef __GLIBC__
    malloc_trim(0);
#endif
}

static void on_misc_timer(uv_timer_t *timer)
{
    te_bus_t *bus = timer->data;
    uint64_t now = uv_now(bus->loop);
    bus_trim_heap(bus);
    uint64_t keepalive_ms = (uint64_t)bus->opts.keepalive_s * 1000;
    if (bus->state != ST_IDLE && bus->state != ST_UP && now - bus->connect_started_ms > BUS_CONNECT_TIMEOUT_MS) {
        bus_handle_loss(bus, "timed out");
        return;
    }
    if (bus->state != ST_UP)
        return;
    if (bus->ping_sent_ms && now - bus->ping_sent_ms >= keepalive_ms) {
        bus_handle_loss(bus, "no answer to keepalive ping");
        return;
    }
    if (!bus->ping_sent_ms && now - bus->last_write_ms + 1000 > keepalive_ms) {
        uint8_t ping[2] = {TE_MQTT_PINGREQ << 4, 0};
        if (wbuf_put(bus, ping, sizeof ping)) {
            bus->ping_sent_ms = now;
            bus_flush(bus);
        }
    }
}

/* ---- lifetime ---- */

static void bus_free(te_bus_t *bus)
{
    for (size_t i = 0; i < bus->n_subs; i++)
        free(bus->subs[i].filter);
    free(bus->subs);
    for (size_t i = 0; i < sizeof bus->owned / sizeof bus->owned[0]; i++)
        free(bus->owned[i]);
    free(bus->rbuf.data);
    free(bus->wbuf.data);
    free(bus->outbox.data);
    free(bus->topic_buf);
    te_tls_ctx_free(bus->tls_ctx);
    free(bus);
}

static void on_timer_closed(uv_handle_t *handle)
{
    te_bus_t *bus = handle->data;
    if (--bus->open_handles == 0)
        bus_free(bus);
}

te_err_t te_bus_open(te_bus_t **out, uv_loop_t *loop, const te_bus_opts_t *opts)
{
    *out = NULL;
    te_bus_t *bus = calloc(1, sizeof *bus);
    if (!bus)
        return TE_ERR_NOMEM;
    bus->loop = loop;
    bus->fd = -1;
    bus->opts = *opts;
    te_bus_opts_t *o = &bus->opts;
    const char *given[] = {opts->host ? opts->host : "127.0.0.1", opts->client_id,
                           opts->will_topic, opts->will_payload, opts->username, opts->password,
                           opts->ca_file, opts->ca_dir, opts->cert_file, opts->key_file};
    te_err_t err = TE_ERR_NOMEM;
    for (size_t i = 0; i < sizeof given / sizeof given[0]; i++)
        if (given[i] && !(bus->owned[i] = strdup(given[i])))
            goto fail;
    o->host = bus->owned[0];
    o->client_id = bus->owned[1];
    o->will_topic = bus->owned[2];
    o->will_payload = bus->owned[3];
    o->username = bus->owned[4];
    o->password = bus->owned[5];
    o->ca_file = bus->owned[6];
    o->ca_dir = bus->owned[7];
    o->cert_file = bus->owned[8];
    o->key_file = bus->owned[9];
    if (!o->client_id) {
        if (!o->clean_session) {
            err = TE_ERR_INVAL;
            goto fail;
        }
        snprintf(bus->generated_id, sizeof bus->generated_id, "tedge-%ld-%llx", (long)getpid(),
                 (unsigned long long)(uv_hrtime() & 0xffffff));
        o->client_id = bus->generated_id;
    }
    if (!o->port)
        o->port = 1883;
    if (!o->keepalive_s)
        o->keepalive_s = 60;
    if (o->keepalive_s > 65535)
        o->keepalive_s = 65535;
    if (!o->max_pending)
        o->max_pending = 10000;
    if (!o->reconnect_min_ms)
        o->reconnect_min_ms = 250;
    if (!o->reconnect_max_ms)
        o->reconnect_max_ms = 5000;
    bus->backoff_ms = o->reconnect_min_ms;
    bus->rbuf_max = o->max_payload_bytes ? o->max_payload_bytes + 65536 + 16 : TE_MQTT_MAX_REMAINING + 5;
    if (o->will_topic && !te_mqtt_topic_valid(o->will_topic, strlen(o->will_topic))) {
        err = TE_ERR_INVAL;
        goto fail;
    }
    if (o->ca_file || o->ca_dir) {
        char why[600] = "";
        err = te_tls_ctx_new(&bus->tls_ctx, o->ca_file, o->ca_dir, o->cert_file, o->key_file, why, sizeof why);
        if (err != TE_OK) {
            te_log_error("cannot use the MQTT client TLS settings: %s", why);
            if (err == TE_ERR_UNSUPPORTED)
                err = TE_ERR_CONFIG;
            goto fail;
        }
        /* SSL_write may raise SIGPIPE on a closed socket. */
        signal(SIGPIPE, SIG_IGN);
    }

    uv_timer_init(loop, &bus->misc_timer);
    uv_timer_init(loop, &bus->retry_timer);
    uv_timer_init(loop, &bus->stop_timer);
    bus->misc_timer.data = bus->retry_timer.data = bus->stop_timer.data = bus;
    bus->open_handles = 3;
    uv_timer_start(&bus->misc_timer, on_misc_timer, 1000, 1000);
    uv_unref((uv_handle_t *)&bus->misc_timer);
    bus_connect_now(bus);
    *out = bus;
    return TE_OK;

fail:
    bus_free(bus);
    return err;
}

te_err_t te_bus_subscribe(te_bus_t *bus, const char *filter, int qos, te_bus_msg_cb cb, void *ctx)
{
    if (!filter || qos < 0 || qos > 2 || !cb || !te_mqtt_filter_valid(filter, strlen(filter)))
        return TE_ERR_INVAL;
    if (bus->n_subs == bus->cap_subs) {
        size_t cap = bus->cap_subs ? bus->cap_subs * 2 : 8;
        bus_sub_t *subs = realloc(bus->subs, cap * sizeof *subs);
        if (!subs)
            return TE_ERR_NOMEM;
        bus->subs = subs;
        bus->cap_subs = cap;
    }
    char *copy = strdup(filter);
    if (!copy)
        return TE_ERR_NOMEM;
    bus->subs[bus->n_subs++] = (bus_sub_t){.filter = copy, .qos = qos, .cb = cb, .ctx = ctx};
    if (bus->state == ST_UP) {
        queue_subscribe(bus, bus->n_subs - 1);
        bus_flush(bus);
    }
    return TE_OK;
}

te_err_t te_bus_publish(te_bus_t *bus, const te_msg_t *msg)
{
    if (msg->qos < 0 || msg->qos > 2 || !msg->topic)
        return TE_ERR_INVAL;
    size_t topic_len = strlen(msg->topic);
    if (!te_mqtt_topic_valid(msg->topic, topic_len))
        return TE_ERR_INVAL;
    size_t size = te_mqtt_publish_size(topic_len, msg->len, msg->qos);
    if (size == 0)
        return TE_ERR_TOOBIG;
    if (msg->qos == 0) {
        if (bus->state != ST_UP)
            return TE_ERR_NOCONN;
        if (bus->wbuf.len - bus->wbuf.off > BUS_MAX_WBUF_BYTES)
            return TE_ERR_FULL;
        if (!buf_reserve(&bus->wbuf, size))
            return TE_ERR_NOMEM;
        bus->wbuf.len += te_mqtt_publish_encode(bus->wbuf.data + bus->wbuf.len, msg->topic, topic_len,
                                                msg->payload, msg->len, 0, msg->retain, 0, NULL);
    } else {
        if (bus->pending >= bus->opts.max_pending)
            return TE_ERR_FULL;
        size_t rec_size = (sizeof(bus_rec_t) + size + 7) & ~(size_t)7;
        if (rec_size > UINT32_MAX)
            return TE_ERR_TOOBIG;
        /* Compaction moves records: keep send_cursor relative to them. */
        size_t cursor_rel = bus->send_cursor - bus->outbox.off;
        if (!buf_reserve(&bus->outbox, rec_size))
            return TE_ERR_NOMEM;
        bus->send_cursor = bus->outbox.off + cursor_rel;
        bus_rec_t *r = rec_at(bus, bus->outbox.len);
        size_t pid_off = 0;
        *r = (bus_rec_t){.size = (uint32_t)rec_size, .qos = (uint8_t)msg->qos, .state = REC_NEW};
        r->pkt_len = (uint32_t)te_mqtt_publish_encode((uint8_t *)(r + 1), msg->topic, topic_len,
                                                      msg->payload, msg->len, msg->qos,
                                                      msg->retain, 0, &pid_off);
        r->pid_off = (uint32_t)pid_off;
        bus->outbox.len += rec_size;
        bus->pending++;
        outbox_pump(bus);
    }
    if (!bus->in_read)
        bus_update_poll(bus); /* written when the socket is writable: batches a loop turn */
    return TE_OK;
}

bool te_bus_connected(const te_bus_t *bus) { return bus->state == ST_UP; }
size_t te_bus_pending(const te_bus_t *bus) { return bus->pending; }

static void bus_finish_shutdown(te_bus_t *bus)
{
    if (!bus->done)
        return;
    te_bus_done_cb done = bus->done;
    bus->done = NULL;
    uv_timer_stop(&bus->stop_timer);
    uv_timer_stop(&bus->retry_timer);
    if (bus->state == ST_UP) {
        uint8_t disconnect[2] = {TE_MQTT_DISCONNECT << 4, 0};
        if (wbuf_put(bus, disconnect, sizeof disconnect)) {
            /* Flush synchronously: the process is about to end. */
            for (int i = 0; i < 100 && bus->fd >= 0 && bus->wbuf.off < bus->wbuf.len; i++) {
                bus_flush(bus);
                if (bus->wbuf.off < bus->wbuf.len)
                    usleep(1000);
            }
        }
    }
    bus->closing = true;
    bus_close_socket(bus);
    bus->state = ST_IDLE;
    done(bus->done_ctx);
}

static void on_stop_timer(uv_timer_t *timer)
{
    te_bus_t *bus = timer->data;
    if (bus->pending)
        te_log_warn("shutting down with %zu message(s) not acknowledged by the broker", bus->pending);
    bus_finish_shutdown(bus);
}

/* May run inside the read pass: the finish is deferred to the loop. */
static void bus_check_shutdown(te_bus_t *bus)
{
    if (bus->shutting_down && bus->done && bus->pending == 0 &&
        (bus->state == ST_UP || bus->state == ST_IDLE))
        uv_timer_start(&bus->stop_timer, on_stop_timer, 0, 0);
}

void te_bus_shutdown(te_bus_t *bus, uint32_t timeout_ms, te_bus_done_cb done, void *ctx)
{
    bus->shutting_down = true;
    bus->done = done;
    bus->done_ctx = ctx;
    uv_timer_start(&bus->stop_timer, on_stop_timer, timeout_ms, 0);
    bus_check_shutdown(bus);
}

void te_bus_close(te_bus_t *bus)
{
    if (!bus)
        return;
    bus->closing = true;
    bus->done = NULL;
    bus_close_socket(bus);
    if (bus->addrs) {
        freeaddrinfo(bus->addrs);
        bus->addrs = bus->next_addr = NULL;
    }
    bus->state = ST_IDLE;
    uv_close((uv_handle_t *)&bus->misc_timer, on_timer_closed);
    uv_close((uv_handle_t *)&bus->retry_timer, on_timer_closed);
    uv_close((uv_handle_t *)&bus->stop_timer, on_timer_closed);
}
