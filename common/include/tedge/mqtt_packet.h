/* mqtt_packet: the MQTT 3.1.1 packets a client sends and receives, encoded
 * into and decoded from caller-owned buffers, and the topic rules (name and
 * filter validity, filter matching). Pure: no I/O, no allocation, no state.
 * The bus (bus.c) is the only user on the wire; tests and the fuzzer drive
 * it directly. */
#ifndef TEDGE_MQTT_PACKET_H
#define TEDGE_MQTT_PACKET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "tedge/err.h"

enum {
    TE_MQTT_CONNECT = 1,
    TE_MQTT_CONNACK = 2,
    TE_MQTT_PUBLISH = 3,
    TE_MQTT_PUBACK = 4,
    TE_MQTT_PUBREC = 5,
    TE_MQTT_PUBREL = 6,
    TE_MQTT_PUBCOMP = 7,
    TE_MQTT_SUBSCRIBE = 8,
    TE_MQTT_SUBACK = 9,
    TE_MQTT_UNSUBSCRIBE = 10,
    TE_MQTT_UNSUBACK = 11,
    TE_MQTT_PINGREQ = 12,
    TE_MQTT_PINGRESP = 13,
    TE_MQTT_DISCONNECT = 14,
};

/* Largest "remaining length" MQTT can express (256 MiB - 1). */
#define TE_MQTT_MAX_REMAINING 268435455u
/* Bytes of a fixed header at most (type byte + 4-byte length). */
#define TE_MQTT_MAX_HEADER 5

/* Bytes the fixed header takes for a packet with this remaining length
 * (2..5). */
size_t te_mqtt_header_len(size_t remaining);

/* Writes the fixed header (first byte, remaining length) at out, which has
 * room for TE_MQTT_MAX_HEADER bytes. Returns the bytes written. */
size_t te_mqtt_put_header(uint8_t *out, uint8_t first, size_t remaining);

/* Reads a fixed header at buf[0..len).
 * Returns 1 and sets *first, *remaining, *header_len when complete; 0 when
 * more bytes are needed; -1 when the length field is malformed (more than
 * four bytes). */
int te_mqtt_get_header(const uint8_t *buf, size_t len, uint8_t *first, size_t *remaining,
                       size_t *header_len);

typedef struct te_mqtt_connect {
    const char *client_id;   /* "" allowed only with clean_session */
    bool clean_session;
    uint16_t keepalive_s;
    const char *will_topic;  /* NULL: no will */
    const void *will_payload;
    size_t will_len;
    int will_qos;
    bool will_retain;
    const char *username;    /* NULL: none */
    const char *password;    /* NULL: none; needs a username */
} te_mqtt_connect_t;

/* Size of the CONNECT packet for c, header included; 0 when a field is
 * longer than MQTT allows (65 535 bytes). */
size_t te_mqtt_connect_size(const te_mqtt_connect_t *c);
/* Encodes the CONNECT packet into out (te_mqtt_connect_size bytes).
 * Returns the bytes written. */
size_t te_mqtt_connect_encode(const te_mqtt_connect_t *c, uint8_t *out);

/* Size of a PUBLISH packet, header included, or 0 when topic_len > 65 535 or
 * the packet exceeds TE_MQTT_MAX_REMAINING. */
size_t te_mqtt_publish_size(size_t topic_len, size_t payload_len, int qos);
/* Encodes a PUBLISH into out (te_mqtt_publish_size bytes). For qos > 0 the
 * packet id is written at out + *pid_offset (so a later send can patch it).
 * Returns the bytes written. */
size_t te_mqtt_publish_encode(uint8_t *out, const char *topic, size_t topic_len,
                              const void *payload, size_t payload_len, int qos, bool retain,
                              uint16_t packet_id, size_t *pid_offset);

/* A 4-byte acknowledgement packet (PUBACK, PUBREC, PUBREL, PUBCOMP,
 * UNSUBACK...): type, packet id. PUBREL gets its required flags. */
void te_mqtt_ack_encode(uint8_t out[4], int type, uint16_t packet_id);

/* SUBSCRIBE for one filter. Size 0 when the filter is too long. */
size_t te_mqtt_subscribe_size(size_t filter_len);
size_t te_mqtt_subscribe_encode(uint8_t *out, uint16_t packet_id, const char *filter,
                                size_t filter_len, int qos);

/* A received PUBLISH, pointing into the packet's body (nothing copied). */
typedef struct te_mqtt_publish {
    const char *topic;        /* not NUL-terminated */
    size_t topic_len;
    const uint8_t *payload;
    size_t payload_len;
    int qos;
    bool retain;
    bool dup;
    uint16_t packet_id;       /* 0 for qos 0 */
} te_mqtt_publish_t;

/* Decodes the body of a PUBLISH (first = its first header byte). Checks the
 * QoS bits, the topic length, a non-empty topic without wildcards and a
 * non-zero packet id for qos > 0.
 * Returns TE_OK or TE_ERR_PARSE. */
te_err_t te_mqtt_publish_decode(uint8_t first, const uint8_t *body, size_t body_len,
                                te_mqtt_publish_t *out) TE_MUST_USE;

/* Valid topic name to publish to: 1..65535 bytes of UTF-8, no NUL, no '+'
 * or '#'. */
bool te_mqtt_topic_valid(const char *topic, size_t len);
/* Valid subscription filter: 1..65535 bytes of UTF-8, no NUL, '+' alone in
 * its level, '#' alone in the last level. */
bool te_mqtt_filter_valid(const char *filter, size_t len);
/* Whether topic (not NUL-terminated) matches filter (a valid filter,
 * NUL-terminated). Topics starting with '$' match no filter starting with a
 * wildcard (MQTT 3.1.1 §4.7.2). */
bool te_mqtt_topic_matches(const char *filter, const char *topic, size_t topic_len);

#endif
