/* cloudmap: the telemetry pipeline the Azure and AWS mappers share
 * (spec/mapper-az-aws.md §4): skip bridge notifications, add or normalise
 * `time`, guard the MQTT packet size, then the cloud's output topic
 * (Azure: always <pfx>/messages/events/; AWS: <pfx>/td/<source>/<chan>/<type>).
 * A pure converter: (message, now, state) in, messages in te_out_t out,
 * and for a rejected message the <root>/errors text in out->error.
 *
 * Memory: te_cloudmap_t owns one scratch buffer for re-serialised payloads
 * and one for the output topic, both allocated by te_cloudmap_init and
 * released by te_cloudmap_free. A payload is parsed by jansson into a tree
 * freed before te_cloudmap_convert returns. */
#ifndef TEDGE_CLOUDMAP_H
#define TEDGE_CLOUDMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "tedge/bus.h"
#include "tedge/config.h"
#include "tedge/err.h"
#include "tedge/out.h"
#include "tedge/timefmt.h"

/* Largest re-serialised payload held (the output of a 1 MiB input can grow
 * when numbers are canonicalised: "1e15" prints "1000000000000000.0").
 * A larger one is rejected as too large even when max_payload_size allows it. */
#define TE_CLOUDMAP_MAX_OUTPUT (2u * 1024u * 1024u)
/* The te_out_t arena a mapper using cloudmap needs: one output message. */
#define TE_CLOUDMAP_OUT_ARENA (TE_CLOUDMAP_MAX_OUTPUT + 160u * 1024u)

typedef enum te_cloud {
    TE_CLOUD_AZ,
    TE_CLOUD_AWS,
} te_cloud_t;

typedef struct te_cloudmap_opts {
    te_cloud_t cloud;
    bool add_timestamp;         /* <cloud>.mapper.timestamp */
    bool rfc3339;               /* <cloud>.mapper.timestamp_format is rfc-3339 */
    uint32_t max_payload_size;  /* <cloud>.mapper.mqtt.max_payload_size, 1.. */
    const char *topic_prefix;   /* <cloud>.bridge.topic_prefix ("az", "aws") */
    const char *flow_file;      /* named in error texts: <dir>/mappers/<cloud>/flows/mea.toml */
} te_cloudmap_opts_t;

typedef struct te_cloudmap {
    te_cloud_t cloud;
    bool add_timestamp;
    bool rfc3339;
    uint32_t max_payload_size;
    char prefix[256];
    char flow_file[4096];
    char *payload;              /* scratch for re-serialised payloads */
    size_t payload_cap;
    char *topic;                /* scratch for the output topic */
    size_t topic_cap;
} te_cloudmap_t;

/* Sets m up from opts (strings copied). Returns TE_OK, TE_ERR_INVAL (NULL or
 * empty prefix, prefix or flow file too long, max_payload_size 0) or
 * TE_ERR_NOMEM. On error nothing is held. */
te_err_t te_cloudmap_init(te_cloudmap_t *m, const te_cloudmap_opts_t *opts) TE_MUST_USE;

/* Reads opts for cloud from cfg: <c>.mapper.timestamp,
 * <c>.mapper.timestamp_format, <c>.mapper.mqtt.max_payload_size,
 * <c>.bridge.topic_prefix, and the flow file under the config dir, then
 * te_cloudmap_init. err gets a reason naming the key. Returns TE_OK,
 * TE_ERR_CONFIG or TE_ERR_NOMEM. */
te_err_t te_cloudmap_init_config(te_cloudmap_t *m, te_cloud_t cloud, te_config_t *cfg,
                                 char *err, size_t errlen) TE_MUST_USE;

/* Releases the buffers; m may then be initialised again. NULL-safe. */
void te_cloudmap_free(te_cloudmap_t *m);

/* Runs the pipeline on one input message received at `now`: adds at most
 * one message to out. A message dropped silently (bridge notification, an
 * AWS topic of another shape) adds nothing and returns TE_OK. A rejected one
 * adds nothing, sets out->error to "Error in <flow file>: Input message
 * cannot be processed: <detail>" and returns TE_ERR_PARSE (bad `time`) or
 * TE_ERR_TOOBIG (packet over max_payload_size). Other returns: the
 * te_out_add error, TE_ERR_NOMEM, TE_ERR_INVAL (NULL arguments). */
te_err_t te_cloudmap_convert(te_cloudmap_t *m, const te_msg_t *in, const te_time_t *now,
                             te_out_t *out) TE_MUST_USE;

/* Size of the MQTT PUBLISH packet carrying payload_len bytes on a topic of
 * topic_len bytes at qos: 1 + len(varint(rem)) + rem, with
 * rem = 2 + topic_len + (qos > 0 ? 2 : 0) + payload_len. */
size_t te_cloudmap_wire_size(size_t topic_len, int qos, size_t payload_len);

/* True for a bridge notification: a topic of exactly 7 levels ending in
 * status/health with the payload "0" or "1". */
bool te_cloudmap_is_bridge_notification(const char *topic, const void *payload, size_t len);

/* Writes the AWS topic <prefix>/td/<source>/<chan>/<type> for an input
 * topic of 7 levels with channel m, e or a, or status/health; <source> is
 * levels 2..5 without the empty ones, joined by ':'. Returns TE_OK,
 * TE_ERR_NOTFOUND (any other shape: the message is dropped) or
 * TE_ERR_TOOBIG (buf too small). */
te_err_t te_cloudmap_aws_topic(const char *prefix, const char *topic, char *buf,
                               size_t buflen) TE_MUST_USE;

/* The `time` value of the unix format for t as thin-edge.io computes it:
 * (double)nanoseconds / 1e9 (so .361 may print 1714676361.3609998). */
double te_cloudmap_unix_seconds(const te_time_t *t);

#endif
