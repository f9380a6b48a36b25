/* bus: libmosquitto on the process's libuv loop. See bus.h for the contract:
 * reconnection, restored subscriptions, bounded outgoing queue, and the QoS 1
 * delivery window. */
#include "tedge/bus.h"

#include <errno.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <mosquitto.h>
#include <stdlib.h>
#include <string.h>

#include "tedge/log.h"

typedef struct bus_sub {
    char *filter;
    int qos;
    te_bus_msg_cb cb;
    void *ctx;
} bus_sub_t;

struct te_bus {
    uv_loop_t *loop;
    struct mosquitto *mosq;
    te_bus_opts_t opts;      /* strings point at owned copies */
    char *owned[12];         /* the copies, freed with the bus */

    uv_poll_t *poll;         /* one per socket; NULL while disconnected */
    int poll_events;
    uv_timer_t misc_timer;   /* mosquitto_loop_misc: keepalive pings */
    uv_timer_t retry_timer;  /* reconnection backoff */
    uv_timer_t stop_timer;   /* shutdown deadline */
    int open_handles;

    bool ever_connected_attempt;
    bool connected;
    bool lost;               /* set by on_disconnect, handled after the libmosquitto call */
    bool closing;
    bool shutting_down;
    uint32_t backoff_ms;
    unsigned failed_attempts;
    size_t pending;
    unsigned long received_since_trim;

    bus_sub_t *subs;
    size_t n_subs, cap_subs;

    te_bus_done_cb done;
    void *done_ctx;
};

static void bus_schedule_retry(te_bus_t *bus);
static void bus_check_shutdown(te_bus_t *bus);

static char *bus_own(te_bus_t *bus, size_t slot, const char *s)
{
    if (!s)
        return NULL;
    bus->owned[slot] = strdup(s);
    return bus->owned[slot];
}

static void on_poll_closed(uv_handle_t *handle)
{
    free(handle);
}

static void bus_drop_poll(te_bus_t *bus)
{
    if (!bus->poll)
        return;
    uv_poll_stop(bus->poll);
    uv_close((uv_handle_t *)bus->poll, on_poll_closed);
    bus->poll = NULL;
    bus->poll_events = 0;
}

/* The connection is gone (libmosquitto closed the socket or we gave up). */
static void bus_handle_loss(te_bus_t *bus)
{
    bool was_connected = bus->connected;
    bus->lost = false;
    bus->connected = false;
    bus_drop_poll(bus);
    if (was_connected) {
        te_log_warn("lost connection to MQTT broker %s:%d", bus->opts.host, bus->opts.port);
        if (bus->opts.on_connection)
            bus->opts.on_connection(bus->opts.ctx, false);
    }
    if (bus->shutting_down) {
        bus_check_shutdown(bus);
        return;
    }
    if (!bus->closing)
        bus_schedule_retry(bus);
}

static void bus_update_poll(te_bus_t *bus);

static void on_poll(uv_poll_t *handle, int status, int events)
{
    te_bus_t *bus = handle->data;
    int rc = MOSQ_ERR_SUCCESS;
    if (status < 0) {
        te_log_debug("socket poll error: %s", uv_strerror(status));
        events = UV_READABLE | UV_WRITABLE; /* let libmosquitto see the error */
    }
    if (events & UV_READABLE)
        rc = mosquitto_loop_read(bus->mosq, 64);
    /* Write what the callbacks queued (and the PUBACKs before them) now. */
    if (rc == MOSQ_ERR_SUCCESS && !bus->lost && ((events & UV_WRITABLE) || mosquitto_want_write(bus->mosq)))
        rc = mosquitto_loop_write(bus->mosq, 64);
    if (rc != MOSQ_ERR_SUCCESS || bus->lost || mosquitto_socket(bus->mosq) < 0) {
        if (rc != MOSQ_ERR_SUCCESS && rc != MOSQ_ERR_CONN_LOST && rc != MOSQ_ERR_NO_CONN)
            te_log_debug("MQTT connection error: %s", mosquitto_strerror(rc));
        if (!bus->connected && !bus->shutting_down) {
            bus->failed_attempts++;
            te_log(bus->failed_attempts == 1 ? TE_LOG_WARN : TE_LOG_INFO,
                   "cannot connect to MQTT broker %s:%d: %s; retrying in %u ms", bus->opts.host,
                   bus->opts.port,
                   rc == MOSQ_ERR_ERRNO ? strerror(errno) : mosquitto_strerror(rc),
                   bus->backoff_ms);
        }
        if (mosquitto_socket(bus->mosq) >= 0)
            mosquitto_disconnect(bus->mosq);
        bus_handle_loss(bus);
        return;
    }
    bus_update_poll(bus);
}

static void bus_update_poll(te_bus_t *bus)
{
    if (!bus->poll)
        return;
    int want = UV_READABLE | (mosquitto_want_write(bus->mosq) ? UV_WRITABLE : 0);
    if (want != bus->poll_events) {
        uv_poll_start(bus->poll, want, on_poll);
        bus->poll_events = want;
    }
}

static void bus_attach_socket(te_bus_t *bus)
{
    int fd = mosquitto_socket(bus->mosq);
    bus->poll = malloc(sizeof *bus->poll);
    if (!bus->poll || uv_poll_init_socket(bus->loop, bus->poll, fd) != 0) {
        te_log_error("cannot watch the MQTT socket");
        free(bus->poll);
        bus->poll = NULL;
        mosquitto_disconnect(bus->mosq);
        bus_schedule_retry(bus);
        return;
    }
    bus->poll->data = bus;
    bus->poll_events = 0;
    /* A non-blocking connect completes when the socket becomes writable. */
    uv_poll_start(bus->poll, UV_READABLE | UV_WRITABLE, on_poll);
    bus->poll_events = UV_READABLE | UV_WRITABLE;
}

static void bus_connect_now(te_bus_t *bus)
{
    int rc;
    if (!bus->ever_connected_attempt) {
        bus->ever_connected_attempt = true;
        rc = mosquitto_connect_async(bus->mosq, bus->opts.host, bus->opts.port, bus->opts.keepalive_s);
    } else {
        rc = mosquitto_reconnect_async(bus->mosq);
    }
    if (rc != MOSQ_ERR_SUCCESS) {
        bus->failed_attempts++;
        te_log(bus->failed_attempts == 1 ? TE_LOG_WARN : TE_LOG_INFO,
               "cannot connect to MQTT broker %s:%d: %s; retrying in %u ms", bus->opts.host,
               bus->opts.port, rc == MOSQ_ERR_ERRNO ? strerror(errno) : mosquitto_strerror(rc),
               bus->backoff_ms);
        bus_schedule_retry(bus);
        return;
    }
    bus_attach_socket(bus);
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

/* libmosquitto allocates per packet; after a burst glibc keeps the freed
 * heap. Give it back once the burst is over (a quiet second, nothing pending). */
static void bus_trim_heap(te_bus_t *bus)
{
#ifdef __GLIBC__
    if (bus->received_since_trim >= 1000 && bus->pending == 0) {
        malloc_trim(0);
        bus->received_since_trim = 0;
    }
#else
    (void)bus;
#endif
}

static void on_misc_timer(uv_timer_t *timer)
{
    te_bus_t *bus = timer->data;
    bus_trim_heap(bus);
    if (!bus->poll)
        return;
    mosquitto_loop_misc(bus->mosq);
    if (bus->lost || mosquitto_socket(bus->mosq) < 0) {
        bus_handle_loss(bus);
        return;
    }
    bus_update_poll(bus);
}

static void on_connect(struct mosquitto *mosq, void *obj, int rc)
{
    te_bus_t *bus = obj;
    if (rc != 0) {
        te_log_error("MQTT broker %s:%d refused the connection: %s", bus->opts.host,
                     bus->opts.port, mosquitto_connack_string(rc));
        return;
    }
    bus->connected = true;
    bus->failed_attempts = 0;
    bus->backoff_ms = bus->opts.reconnect_min_ms;
    te_log_info("connected to MQTT broker %s:%d", bus->opts.host, bus->opts.port);
    for (size_t i = 0; i < bus->n_subs; i++) {
        int src = mosquitto_subscribe(mosq, NULL, bus->subs[i].filter, bus->subs[i].qos);
        if (src != MOSQ_ERR_SUCCESS)
            te_log_error("cannot subscribe to %s: %s", bus->subs[i].filter, mosquitto_strerror(src));
    }
    if (bus->opts.on_connection && !bus->shutting_down)
        bus->opts.on_connection(bus->opts.ctx, true);
}

static void on_disconnect(struct mosquitto *mosq, void *obj, int rc)
{
    (void)mosq;
    (void)rc;
    te_bus_t *bus = obj;
    bus->lost = true;
}

static void on_publish(struct mosquitto *mosq, void *obj, int mid)
{
    (void)mosq;
    (void)mid;
    te_bus_t *bus = obj;
    if (bus->pending > 0)
        bus->pending--;
    if (bus->shutting_down)
        bus_check_shutdown(bus);
}

static void on_message(struct mosquitto *mosq, void *obj, const struct mosquitto_message *m)
{
    (void)mosq;
    te_bus_t *bus = obj;
    bus->received_since_trim++;
    te_msg_t msg = {
        .topic = m->topic,
        .payload = m->payload ? m->payload : "",
        .len = (size_t)m->payloadlen,
        .qos = m->qos,
        .retain = m->retain,
    };
    if (bus->opts.max_payload_bytes && msg.len > bus->opts.max_payload_bytes) {
        te_log_warn("dropped a %zu-byte message on %s: over the %zu-byte limit", msg.len,
                    msg.topic, bus->opts.max_payload_bytes);
        if (bus->opts.on_oversize)
            bus->opts.on_oversize(bus->opts.ctx, &msg);
        return;
    }
    /* Index loop: a callback may subscribe and so move the array. */
    for (size_t i = 0; i < bus->n_subs; i++) {
        bool match = false;
        if (mosquitto_topic_matches_sub(bus->subs[i].filter, msg.topic, &match) == MOSQ_ERR_SUCCESS && match)
            bus->subs[i].cb(bus->subs[i].ctx, &msg);
    }
}

static void on_timer_closed(uv_handle_t *handle)
{
    te_bus_t *bus = handle->data;
    if (--bus->open_handles > 0)
        return;
    mosquitto_destroy(bus->mosq);
    for (size_t i = 0; i < bus->n_subs; i++)
        free(bus->subs[i].filter);
    free(bus->subs);
    for (size_t i = 0; i < sizeof bus->owned / sizeof bus->owned[0]; i++)
        free(bus->owned[i]);
    free(bus);
    mosquitto_lib_cleanup();
}

te_err_t te_bus_open(te_bus_t **out, uv_loop_t *loop, const te_bus_opts_t *opts)
{
    *out = NULL;
    te_bus_t *bus = calloc(1, sizeof *bus);
    if (!bus)
        return TE_ERR_NOMEM;
    mosquitto_lib_init();
    bus->loop = loop;
    bus->opts = *opts;
    te_bus_opts_t *o = &bus->opts;
    o->host = bus_own(bus, 0, opts->host ? opts->host : "127.0.0.1");
    o->client_id = bus_own(bus, 1, opts->client_id);
    o->will_topic = bus_own(bus, 2, opts->will_topic);
    o->will_payload = bus_own(bus, 3, opts->will_payload);
    o->username = bus_own(bus, 4, opts->username);
    o->password = bus_own(bus, 5, opts->password);
    o->ca_file = bus_own(bus, 6, opts->ca_file);
    o->ca_dir = bus_own(bus, 7, opts->ca_dir);
    o->cert_file = bus_own(bus, 8, opts->cert_file);
    o->key_file = bus_own(bus, 9, opts->key_file);
    if (!o->port)
        o->port = 1883;
    if (!o->keepalive_s)
        o->keepalive_s = 60;
    if (!o->max_pending)
        o->max_pending = 10000;
    if (!o->reconnect_min_ms)
        o->reconnect_min_ms = 250;
    if (!o->reconnect_max_ms)
        o->reconnect_max_ms = 5000;
    bus->backoff_ms = o->reconnect_min_ms;

    te_err_t err = TE_ERR_MQTT;
    bus->mosq = mosquitto_new(o->client_id, o->clean_session, bus);
    if (!bus->mosq) {
        err = errno == EINVAL ? TE_ERR_INVAL : TE_ERR_NOMEM;
        goto fail_early;
    }
    /* Our own loop, and queue-then-write (see the delivery window in bus.h). */
    mosquitto_threaded_set(bus->mosq, true);
    /* No practical in-flight limit: a message held back by a window would sit
     * in libmosquitto's memory after the PUBACK of the input that produced it
     * was written, and be lost if the process died then (a kill -9 test
     * caught exactly that with a window of 100). 65535 is MQTT's packet-id
     * space. The price: libmosquitto walks its outgoing list on every PUBACK,
     * which costs throughput under a flood (see bench/REPORT.md). */
    mosquitto_max_inflight_messages_set(bus->mosq, 65535);
    mosquitto_connect_callback_set(bus->mosq, on_connect);
    mosquitto_disconnect_callback_set(bus->mosq, on_disconnect);
    mosquitto_publish_callback_set(bus->mosq, on_publish);
    mosquitto_message_callback_set(bus->mosq, on_message);
    if (o->will_topic) {
        const char *p = o->will_payload ? o->will_payload : "";
        if (mosquitto_will_set(bus->mosq, o->will_topic, (int)strlen(p), p, o->will_qos, o->will_retain) != MOSQ_ERR_SUCCESS)
            goto fail_mosq;
    }
    if (o->username && mosquitto_username_pw_set(bus->mosq, o->username, o->password) != MOSQ_ERR_SUCCESS)
        goto fail_mosq;
    if (o->ca_file || o->ca_dir) {
        int rc = mosquitto_tls_set(bus->mosq, o->ca_file, o->ca_dir, o->cert_file, o->key_file, NULL);
        if (rc != MOSQ_ERR_SUCCESS) {
            te_log_error("cannot use the MQTT client TLS files: %s", mosquitto_strerror(rc));
            err = TE_ERR_CONFIG;
            goto fail_mosq;
        }
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

fail_mosq:
    mosquitto_destroy(bus->mosq);
fail_early:
    for (size_t i = 0; i < sizeof bus->owned / sizeof bus->owned[0]; i++)
        free(bus->owned[i]);
    free(bus);
    mosquitto_lib_cleanup();
    return err;
}

te_err_t te_bus_subscribe(te_bus_t *bus, const char *filter, int qos, te_bus_msg_cb cb, void *ctx)
{
    if (!filter || !*filter || qos < 0 || qos > 2 || !cb || mosquitto_sub_topic_check(filter) != MOSQ_ERR_SUCCESS)
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
    if (bus->connected) {
        int rc = mosquitto_subscribe(bus->mosq, NULL, filter, qos);
        if (rc != MOSQ_ERR_SUCCESS)
            te_log_warn("cannot subscribe to %s now (%s); will retry on reconnection", filter,
                        mosquitto_strerror(rc));
        bus_update_poll(bus);
    }
    return TE_OK;
}

te_err_t te_bus_publish(te_bus_t *bus, const te_msg_t *msg)
{
    if (msg->qos < 0 || msg->qos > 2 || !msg->topic)
        return TE_ERR_INVAL;
    if (msg->len > 268435455u)
        return TE_ERR_TOOBIG;
    if (msg->qos == 0 && !bus->connected)
        return TE_ERR_NOCONN;
    if (msg->qos > 0 && bus->pending >= bus->opts.max_pending)
        return TE_ERR_FULL;
    int rc = mosquitto_publish(bus->mosq, NULL, msg->topic, (int)msg->len, msg->payload, msg->qos, msg->retain);
    switch (rc) {
    case MOSQ_ERR_SUCCESS:
        break;
    case MOSQ_ERR_INVAL:
    case MOSQ_ERR_MALFORMED_UTF8:
        return TE_ERR_INVAL;
    case MOSQ_ERR_PAYLOAD_SIZE:
    case MOSQ_ERR_OVERSIZE_PACKET:
        return TE_ERR_TOOBIG;
    case MOSQ_ERR_NOMEM:
        return TE_ERR_NOMEM;
    case MOSQ_ERR_NO_CONN:
        /* QoS 0 only: QoS>0 messages are queued by libmosquitto */
        return TE_ERR_NOCONN;
    default:
        return TE_ERR_MQTT;
    }
    if (msg->qos > 0)
        bus->pending++;
    bus_update_poll(bus);
    return TE_OK;
}

bool te_bus_connected(const te_bus_t *bus) { return bus->connected; }
size_t te_bus_pending(const te_bus_t *bus) { return bus->pending; }

static void bus_finish_shutdown(te_bus_t *bus)
{
    if (!bus->done)
        return;
    te_bus_done_cb done = bus->done;
    bus->done = NULL;
    uv_timer_stop(&bus->stop_timer);
    uv_timer_stop(&bus->retry_timer);
    if (bus->connected && mosquitto_socket(bus->mosq) >= 0) {
        mosquitto_disconnect(bus->mosq);
        /* Flush the DISCONNECT (and anything before it) synchronously. */
        for (int i = 0; i < 100 && mosquitto_socket(bus->mosq) >= 0 && mosquitto_want_write(bus->mosq); i++) {
            if (mosquitto_loop_write(bus->mosq, 64) != MOSQ_ERR_SUCCESS)
                break;
        }
    }
    bus->connected = false;
    bus->closing = true;
    bus_drop_poll(bus);
    done(bus->done_ctx);
}

static void on_stop_timer(uv_timer_t *timer)
{
    te_bus_t *bus = timer->data;
    if (bus->pending)
        te_log_warn("shutting down with %zu message(s) not acknowledged by the broker", bus->pending);
    bus_finish_shutdown(bus);
}

/* May run inside a libmosquitto callback, where calling back into the
 * library would deadlock on its mutexes: the finish is deferred to the loop. */
static void bus_check_shutdown(te_bus_t *bus)
{
    if (bus->shutting_down && bus->done && bus->pending == 0 && (bus->connected || !bus->poll))
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
    bus_drop_poll(bus);
    uv_close((uv_handle_t *)&bus->misc_timer, on_timer_closed);
    uv_close((uv_handle_t *)&bus->retry_timer, on_timer_closed);
    uv_close((uv_handle_t *)&bus->stop_timer, on_timer_closed);
}
