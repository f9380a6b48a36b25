/* bus_net: the bus's socket: name resolution, a non-blocking connect to
 * each address in turn, the TLS handshake, CONNECT, reading into rbuf and
 * writing wbuf, the uv_poll interest, and the loss/backoff cycle. Part of
 * the bus (bus_internal.h). */
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "bus_internal.h"
#include "tedge/log.h"
#include "tedge/mqtt_packet.h"

static void on_poll(uv_poll_t *handle, int status, int events);
static void bus_schedule_retry(te_bus_t *bus);
static void bus_try_next_address(te_bus_t *bus, const char *reason);

static void on_poll_closed(uv_handle_t *handle)
{
    free(handle);
}

void bus_close_socket(te_bus_t *bus)
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
    bus->write_waits_read = false;
    te_outbox_rewind(&bus->outbox);
    bus->ping_sent_ms = 0;
}

/* The connection is gone, or an attempt failed (reason for the log). */
void bus_handle_loss(te_bus_t *bus, const char *reason)
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
    if (!bus_buf_reserve(&bus->wbuf, size)) {
        bus_handle_loss(bus, "out of memory");
        return;
    }
    bus->wbuf.len += te_mqtt_connect_encode(&c, bus->wbuf.data + bus->wbuf.len);
    bus->state = ST_MQTT;
    bus_flush(bus);
}

static void bus_read(te_bus_t *bus)
{
    size_t total = 0;
    bus->in_read = true;
    while (bus->state >= ST_MQTT && !bus->closing) {
        /* one spare byte past the data: deliver() terminates payloads */
        if (!bus_buf_reserve(&bus->rbuf, BUS_READ_CHUNK + 1)) {
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
void bus_flush(te_bus_t *bus)
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
            if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) {
                /* TLS waiting for the peer: the next read pass flushes again */
                bus->write_waits_read = want == TE_TLS_WANT_READ;
                break;
            }
            bus_handle_loss(bus, strerror(errno));
            return;
        }
        bus->write_waits_read = false;
        w->off += (size_t)n;
        bus->last_write_ms = uv_now(bus->loop);
    }
    if (w->off == w->len)
        w->off = w->len = 0;
    bus_update_poll(bus);
}

void bus_update_poll(te_bus_t *bus)
{
    if (!bus->poll)
        return;
    int want = UV_READABLE;
    if (bus->state == ST_TCP)
        want = UV_WRITABLE;
    else if (bus->state == ST_TLS)
        want = bus->tls_want == TE_TLS_WANT_WRITE ? UV_WRITABLE : UV_READABLE;
    else if (bus->wbuf.off < bus->wbuf.len && !bus->write_waits_read)
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

void bus_connect_now(te_bus_t *bus)
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
