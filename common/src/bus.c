/* bus: a small MQTT 3.1.1 client on the process's libuv loop. See bus.h for
 * the contract. This file: the API, the buffers, the timers, shutdown and
 * lifetime; bus_net.c the socket, bus_input.c the broker's packets; packets
 * are encoded by mqtt_packet.c; unacknowledged messages and held input acks
 * live in the outbox (outbox.c). Two growable byte buffers:
 *
 *   rbuf    bytes read, parsed in place (a packet is handled where it lies);
 *   wbuf    bytes to write, flushed once per read pass or loop iteration. */
#include <errno.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bus_internal.h"
#include "tedge/log.h"
#include "tedge/mqtt_packet.h"

/* ---- buffers ---- */

bool bus_buf_reserve(bus_buf_t *b, size_t extra)
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

/* ---- output ---- */

bool bus_wbuf_put(te_bus_t *bus, const void *bytes, size_t len)
{
    if (!bus_buf_reserve(&bus->wbuf, len))
        return false;
    memcpy(bus->wbuf.data + bus->wbuf.len, bytes, len);
    bus->wbuf.len += len;
    return true;
}

bool bus_emit(void *ctx, const void *bytes, size_t len)
{
    te_bus_t *bus = ctx;
    if (bus_wbuf_put(bus, bytes, len))
        return true;
    te_log_error("out of memory queueing MQTT packets");
    return false;
}

void bus_queue_ack(te_bus_t *bus, int type, uint16_t pid)
{
    uint8_t ack[4];
    te_mqtt_ack_encode(ack, type, pid);
    if (!bus_wbuf_put(bus, ack, sizeof ack))
        te_log_error("out of memory queueing an MQTT acknowledgement");
}

void bus_queue_subscribe(te_bus_t *bus, size_t index)
{
    const bus_sub_t *s = &bus->subs[index];
    size_t flen = strlen(s->filter);
    size_t size = te_mqtt_subscribe_size(flen);
    if (!bus_buf_reserve(&bus->wbuf, size)) {
        te_log_error("out of memory subscribing to %s", s->filter);
        return;
    }
    uint16_t pid = (uint16_t)(TE_OUTBOX_MAX_IDS + 1 + index % BUS_SUB_PIDS);
    bus->wbuf.len += te_mqtt_subscribe_encode(bus->wbuf.data + bus->wbuf.len, pid, s->filter,
                                              flen, s->qos);
}

void bus_outbox_pump(te_bus_t *bus)
{
    if (bus->state == ST_UP)
        te_outbox_send(&bus->outbox, TE_OUTBOX_MAX_IDS, bus_emit, bus);
}

/* After a burst, give the buffers and the freed heap back (a quiet second,
 * nothing pending). */
static void bus_trim_heap(te_bus_t *bus)
{
    if (bus->received_since_trim < 1000 || te_outbox_pending(&bus->outbox) != 0 ||
        bus->wbuf.off != bus->wbuf.len)
        return;
    bus->received_since_trim = 0;
    buf_shrink_if_empty(&bus->rbuf);
    buf_shrink_if_empty(&bus->wbuf);
    te_outbox_trim(&bus->outbox, BUS_KEEP_BYTES);
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
        if (bus_wbuf_put(bus, ping, sizeof ping)) {
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
    te_outbox_free(&bus->outbox);
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
    te_outbox_init(&bus->outbox);
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
        bus_queue_subscribe(bus, bus->n_subs - 1);
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
        if (!bus_buf_reserve(&bus->wbuf, size))
            return TE_ERR_NOMEM;
        bus->wbuf.len += te_mqtt_publish_encode(bus->wbuf.data + bus->wbuf.len, msg->topic, topic_len,
                                                msg->payload, msg->len, 0, msg->retain, 0, NULL);
    } else {
        if (te_outbox_pending(&bus->outbox) >= bus->opts.max_pending)
            return TE_ERR_FULL;
        te_err_t rc = te_outbox_add(&bus->outbox, msg->topic, topic_len, msg->payload, msg->len,
                                    msg->qos, msg->retain);
        if (rc != TE_OK)
            return rc;
        bus_outbox_pump(bus);
    }
    if (!bus->in_read)
        bus_update_poll(bus); /* written when the socket is writable: batches a loop turn */
    return TE_OK;
}

bool te_bus_connected(const te_bus_t *bus) { return bus->state == ST_UP; }
size_t te_bus_pending(const te_bus_t *bus) { return te_outbox_pending(&bus->outbox); }

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
        if (bus_wbuf_put(bus, disconnect, sizeof disconnect)) {
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
    size_t pending = te_outbox_pending(&bus->outbox);
    if (pending)
        te_log_warn("shutting down with %zu message(s) not acknowledged by the broker", pending);
    bus_finish_shutdown(bus);
}

/* May run inside the read pass: the finish is deferred to the loop. */
void bus_check_shutdown(te_bus_t *bus)
{
    if (bus->shutting_down && bus->done && te_outbox_pending(&bus->outbox) == 0 &&
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
