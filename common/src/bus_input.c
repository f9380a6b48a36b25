/* bus_input: the packets the broker sends: CONNACK, messages (delivered to
 * the matching subscriptions, their acks queued behind what the callbacks
 * published), acknowledgements (to the outbox), over-size and malformed
 * packets. Parses in place in rbuf. Part of the bus (bus_internal.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bus_internal.h"
#include "tedge/log.h"
#include "tedge/mqtt_packet.h"

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
        bus_queue_subscribe(bus, i);
    bus_outbox_pump(bus); /* what the broker has not acknowledged, then what waited */
    if (bus->opts.on_connection && !bus->shutting_down)
        bus->opts.on_connection(bus->opts.ctx, true);
    if (bus->shutting_down)
        bus_check_shutdown(bus);
}

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

/* A message over max_payload_bytes: logged and handed to on_oversize, not
 * to the subscriptions. */
static void report_oversize(te_bus_t *bus, const te_msg_t *msg)
{
    te_log_warn("dropped a %zu-byte message on %s: over the %zu-byte limit", msg->len, msg->topic,
                bus->opts.max_payload_bytes);
    if (bus->opts.on_oversize)
        bus->opts.on_oversize(bus->opts.ctx, msg);
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
        report_oversize(bus, &msg);
    } else {
        /* Index loop: a callback may subscribe and so move the array. */
        for (size_t i = 0; i < bus->n_subs && !bus->closing; i++)
            if (te_mqtt_topic_matches(bus->subs[i].filter, topic, p->topic_len))
                bus->subs[i].cb(bus->subs[i].ctx, &msg);
    }
    *payload_end = saved;
}

/* A PUBLISH too large to keep: report it from its first bytes, acknowledge
 * it and discard the rest as it arrives. Returns 1 when done, 0 until the
 * topic and packet id are in, -1 when they are malformed. */
static int bus_skip_oversize(te_bus_t *bus, uint8_t first, const uint8_t *body, size_t have,
                             size_t remaining)
{
    if (have < 2)
        return 0;
    size_t topic_len = (size_t)body[0] << 8 | body[1];
    int qos = first >> 1 & 3;
    size_t need = 2 + topic_len + (qos ? 2 : 0);
    if (have < need)
        return 0;
    te_mqtt_publish_t p;
    if (te_mqtt_publish_decode(first, body, need, &p) != TE_OK)
        return -1;
    if (qos < 2 || !qos2_seen(bus, p.packet_id, true)) {
        const char *topic = own_topic(bus, p.topic, p.topic_len);
        te_msg_t msg = {.topic = topic ? topic : "?", .payload = "", .len = remaining - need,
                        .qos = qos, .retain = first & 1};
        report_oversize(bus, &msg);
    }
    if (qos > 0) /* behind the error report the callback may have published */
        (void)te_outbox_ack_input(&bus->outbox, qos == 1 ? TE_MQTT_PUBACK : TE_MQTT_PUBREC,
                                  p.packet_id, bus_emit, bus);
    return 1;
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
        /* after the callbacks: held until what they published is acknowledged */
        if (p.qos > 0)
            (void)te_outbox_ack_input(&bus->outbox, p.qos == 1 ? TE_MQTT_PUBACK : TE_MQTT_PUBREC,
                                      p.packet_id, bus_emit, bus);
        return true;
    }
    case TE_MQTT_PUBACK:
    case TE_MQTT_PUBREC:
    case TE_MQTT_PUBCOMP:
        if (len != 2)
            break;
        if (te_outbox_ack(&bus->outbox, type, pid, bus_emit, bus) != TE_OK) {
            te_log_debug("ignored an MQTT acknowledgement (type %d) for unknown packet id %u", type, pid);
            return true;
        }
        bus_outbox_pump(bus);
        if (bus->shutting_down)
            bus_check_shutdown(bus);
        return true;
    case TE_MQTT_PUBREL:
        if (len != 2)
            break;
        qos2_release(bus, pid);
        bus_queue_ack(bus, TE_MQTT_PUBCOMP, pid);
        return true;
    case TE_MQTT_SUBACK:
        if (len < 3)
            break;
        for (size_t i = 2; i < len; i++) {
            if (body[i] == 0x80) {
                size_t index = pid > TE_OUTBOX_MAX_IDS ? pid - TE_OUTBOX_MAX_IDS - 1 : 0;
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
bool bus_parse(te_bus_t *bus)
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
            int skip = bus_skip_oversize(bus, first, r->data + r->off + header_len, have, remaining);
            if (skip < 0) {
                bus_handle_loss(bus, "protocol error: malformed PUBLISH");
                return false;
            }
            if (skip == 0 || bus->closing)
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
