/* mqtt_packet: MQTT 3.1.1 encoding and decoding, and the topic rules. See
 * mqtt_packet.h. Every encoder writes exactly the size its _size function
 * returned; the caller owns the buffers. */
#include "tedge/mqtt_packet.h"

#include <string.h>

#include "tedge/text.h"

size_t te_mqtt_header_len(size_t remaining)
{
    if (remaining < 128)
        return 2;
    if (remaining < 16384)
        return 3;
    if (remaining < 2097152)
        return 4;
    return 5;
}

size_t te_mqtt_put_header(uint8_t *out, uint8_t first, size_t remaining)
{
    size_t n = 0;
    out[n++] = first;
    do {
        uint8_t digit = remaining % 128;
        remaining /= 128;
        if (remaining > 0)
            digit |= 0x80;
        out[n++] = digit;
    } while (remaining > 0);
    return n;
}

int te_mqtt_get_header(const uint8_t *buf, size_t len, uint8_t *first, size_t *remaining,
                       size_t *header_len)
{
    if (len < 2)
        return 0;
    size_t value = 0, multiplier = 1;
    for (size_t i = 1; i <= 4; i++) {
        if (i >= len)
            return 0;
        value += (size_t)(buf[i] & 0x7f) * multiplier;
        if (!(buf[i] & 0x80)) {
            *first = buf[0];
            *remaining = value;
            *header_len = i + 1;
            return 1;
        }
        multiplier *= 128;
    }
    return -1;
}

static uint8_t *put_u16(uint8_t *p, uint16_t v)
{
    *p++ = (uint8_t)(v >> 8);
    *p++ = (uint8_t)(v & 0xff);
    return p;
}

static uint8_t *put_str(uint8_t *p, const void *s, size_t len)
{
    p = put_u16(p, (uint16_t)len);
    if (len)
        memcpy(p, s, len);
    return p + len;
}

static size_t connect_remaining(const te_mqtt_connect_t *c, bool *ok)
{
    size_t n = 10; /* protocol name "MQTT", level, flags, keepalive */
    size_t fields[5] = {strlen(c->client_id), 0, 0, 0, 0};
    if (c->will_topic) {
        fields[1] = strlen(c->will_topic);
        fields[2] = c->will_len;
        n += 4 + fields[1] + fields[2];
    }
    if (c->username) {
        fields[3] = strlen(c->username);
        n += 2 + fields[3];
    }
    if (c->password) {
        fields[4] = strlen(c->password);
        n += 2 + fields[4];
    }
    n += 2 + fields[0];
    *ok = true;
    for (size_t i = 0; i < 5; i++)
        if (fields[i] > 65535)
            *ok = false;
    return n;
}

size_t te_mqtt_connect_size(const te_mqtt_connect_t *c)
{
    bool ok;
    size_t remaining = connect_remaining(c, &ok);
    return ok ? te_mqtt_header_len(remaining) + remaining : 0;
}

size_t te_mqtt_connect_encode(const te_mqtt_connect_t *c, uint8_t *out)
{
    bool ok;
    size_t remaining = connect_remaining(c, &ok);
    uint8_t *p = out + te_mqtt_put_header(out, TE_MQTT_CONNECT << 4, remaining);
    p = put_str(p, "MQTT", 4);
    *p++ = 4; /* protocol level 3.1.1 */
    uint8_t flags = 0;
    if (c->clean_session)
        flags |= 0x02;
    if (c->will_topic) {
        flags |= 0x04 | (uint8_t)((c->will_qos & 3) << 3);
        if (c->will_retain)
            flags |= 0x20;
    }
    if (c->password)
        flags |= 0x40;
    if (c->username)
        flags |= 0x80;
    *p++ = flags;
    p = put_u16(p, c->keepalive_s);
    p = put_str(p, c->client_id, strlen(c->client_id));
    if (c->will_topic) {
        p = put_str(p, c->will_topic, strlen(c->will_topic));
        p = put_str(p, c->will_payload, c->will_len);
    }
    if (c->username)
        p = put_str(p, c->username, strlen(c->username));
    if (c->password)
        p = put_str(p, c->password, strlen(c->password));
    return (size_t)(p - out);
}

size_t te_mqtt_publish_size(size_t topic_len, size_t payload_len, int qos)
{
    if (topic_len > 65535 || payload_len > TE_MQTT_MAX_REMAINING)
        return 0;
    size_t remaining = 2 + topic_len + (qos > 0 ? 2 : 0) + payload_len;
    if (remaining > TE_MQTT_MAX_REMAINING)
        return 0;
    return te_mqtt_header_len(remaining) + remaining;
}

size_t te_mqtt_publish_encode(uint8_t *out, const char *topic, size_t topic_len,
                              const void *payload, size_t payload_len, int qos, bool retain,
                              uint16_t packet_id, size_t *pid_offset)
{
    size_t remaining = 2 + topic_len + (qos > 0 ? 2 : 0) + payload_len;
    uint8_t first = (uint8_t)(TE_MQTT_PUBLISH << 4 | (qos & 3) << 1 | (retain ? 1 : 0));
    uint8_t *p = out + te_mqtt_put_header(out, first, remaining);
    p = put_str(p, topic, topic_len);
    if (qos > 0) {
        if (pid_offset)
            *pid_offset = (size_t)(p - out);
        p = put_u16(p, packet_id);
    }
    if (payload_len)
        memcpy(p, payload, payload_len);
    return (size_t)(p - out) + payload_len;
}

void te_mqtt_ack_encode(uint8_t out[4], int type, uint16_t packet_id)
{
    out[0] = (uint8_t)(type << 4 | (type == TE_MQTT_PUBREL ? 0x02 : 0));
    out[1] = 2;
    put_u16(out + 2, packet_id);
}

size_t te_mqtt_subscribe_size(size_t filter_len)
{
    if (filter_len > 65535)
        return 0;
    size_t remaining = 2 + 2 + filter_len + 1;
    return te_mqtt_header_len(remaining) + remaining;
}

size_t te_mqtt_subscribe_encode(uint8_t *out, uint16_t packet_id, const char *filter,
                                size_t filter_len, int qos)
{
    size_t remaining = 2 + 2 + filter_len + 1;
    uint8_t *p = out + te_mqtt_put_header(out, TE_MQTT_SUBSCRIBE << 4 | 0x02, remaining);
    p = put_u16(p, packet_id);
    p = put_str(p, filter, filter_len);
    *p++ = (uint8_t)(qos & 3);
    return (size_t)(p - out);
}

te_err_t te_mqtt_publish_decode(uint8_t first, const uint8_t *body, size_t body_len,
                                te_mqtt_publish_t *out)
{
    int qos = (first >> 1) & 3;
    if (qos == 3 || body_len < 2)
        return TE_ERR_PARSE;
    size_t topic_len = (size_t)body[0] << 8 | body[1];
    size_t pos = 2 + topic_len;
    if (topic_len == 0 || pos > body_len)
        return TE_ERR_PARSE;
    const char *topic = (const char *)body + 2;
    if (!te_mqtt_topic_valid(topic, topic_len))
        return TE_ERR_PARSE;
    uint16_t packet_id = 0;
    if (qos > 0) {
        if (pos + 2 > body_len)
            return TE_ERR_PARSE;
        packet_id = (uint16_t)(body[pos] << 8 | body[pos + 1]);
        if (packet_id == 0)
            return TE_ERR_PARSE;
        pos += 2;
    }
    *out = (te_mqtt_publish_t){
        .topic = topic,
        .topic_len = topic_len,
        .payload = body + pos,
        .payload_len = body_len - pos,
        .qos = qos,
        .retain = first & 1,
        .dup = (first & 0x08) != 0,
        .packet_id = packet_id,
    };
    return TE_OK;
}

static bool text_valid(const char *s, size_t len)
{
    if (len == 0 || len > 65535 || memchr(s, '\0', len))
        return false;
    return te_utf8_valid(s, len);
}

bool te_mqtt_topic_valid(const char *topic, size_t len)
{
    return text_valid(topic, len) && !memchr(topic, '+', len) && !memchr(topic, '#', len);
}

bool te_mqtt_filter_valid(const char *filter, size_t len)
{
    if (!text_valid(filter, len))
        return false;
    for (size_t i = 0; i < len; i++) {
        bool level_start = i == 0 || filter[i - 1] == '/';
        bool level_end = i + 1 == len || filter[i + 1] == '/';
        if (filter[i] == '+' && !(level_start && level_end))
            return false;
        if (filter[i] == '#' && !(level_start && i + 1 == len))
            return false;
    }
    return true;
}

bool te_mqtt_topic_matches(const char *filter, const char *topic, size_t topic_len)
{
    const char *end = topic + topic_len;
    if (topic_len > 0 && topic[0] == '$' && (filter[0] == '+' || filter[0] == '#'))
        return false;
    const char *f = filter;
    const char *t = topic;
    for (;;) {
        if (*f == '#')
            return true; /* matches this level and all below, also the parent */
        /* the current level of each */
        const char *f_end = strchr(f, '/');
        if (!f_end)
            f_end = f + strlen(f);
        const char *t_end = memchr(t, '/', (size_t)(end - t));
        if (!t_end)
            t_end = end;
        if (!(f_end - f == 1 && *f == '+')) {
            if (f_end - f != t_end - t || memcmp(f, t, (size_t)(f_end - f)) != 0)
                return false;
        }
        bool f_last = *f_end == '\0';
        bool t_last = t_end == end;
        if (f_last && t_last)
            return true;
        if (t_last) /* "a/#" matches "a" */
            return !f_last && f_end[1] == '#' && f_end[2] == '\0';
        if (f_last)
            return false;
        f = f_end + 1;
        t = t_end + 1;
    }
}
