/* libFuzzer harness for mqtt_packet and x509_cn: arbitrary bytes as a
 * stream of packets (each decoded PUBLISH must re-encode to the same
 * bytes), as a topic and a filter (a valid topic always matches itself and
 * '#'), and as a PEM certificate. abort() on any broken invariant. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tedge/mqtt_packet.h"
#include "tedge/x509_cn.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void require(int condition)
{
    if (!condition)
        abort();
}

static void packets(const uint8_t *data, size_t size)
{
    size_t off = 0;
    while (off < size) {
        uint8_t first;
        size_t remaining, header_len;
        int h = te_mqtt_get_header(data + off, size - off, &first, &remaining, &header_len);
        if (h <= 0 || remaining > size - off - header_len)
            return;
        const uint8_t *body = data + off + header_len;
        te_mqtt_publish_t p;
        if ((first >> 4) == TE_MQTT_PUBLISH && te_mqtt_publish_decode(first, body, remaining, &p) == TE_OK) {
            require(te_mqtt_topic_valid(p.topic, p.topic_len));
            size_t n = te_mqtt_publish_size(p.topic_len, p.payload_len, p.qos);
            size_t min_header = te_mqtt_header_len(remaining); /* the sender's may be longer */
            require(n == min_header + remaining);
            uint8_t *again = malloc(n);
            require(again != NULL);
            size_t pid_off = 0;
            require(te_mqtt_publish_encode(again, p.topic, p.topic_len, p.payload, p.payload_len, p.qos,
                                           p.retain, p.packet_id, &pid_off) == n);
            again[0] |= first & 0x08; /* DUP is not an encoder input */
            require(again[0] == first);
            require(memcmp(again + min_header, body, remaining) == 0);
            free(again);
        }
        off += header_len + remaining;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    packets(data, size);
    char *text = malloc(size + 1);
    require(text != NULL);
    memcpy(text, data, size);
    text[size] = '\0';
    size_t len = strlen(text);
    if (te_mqtt_topic_valid(text, len)) {
        require(te_mqtt_filter_valid(text, len));
        require(te_mqtt_topic_matches(text, text, len) == 1);
        require(text[0] == '$' || te_mqtt_topic_matches("#", text, len));
    }
    if (te_mqtt_filter_valid(text, len))
        (void)te_mqtt_topic_matches(text, "a/b/c", 5);
    char cn[65];
    if (te_x509_pem_cn(text, size, cn, sizeof cn) == TE_OK)
        require(strlen(cn) < sizeof cn);
    free(text);
    return 0;
}
