/* topic: parses and builds `<root>/<entity topic id>/<channel>` topics
 * exactly as mqtt-api.md §1.2 says, normalises entity topic ids found in
 * payloads, answers default-scheme questions about ids, and checks MQTT
 * topic names and filters. Everything works on fixed, caller-owned buffers:
 * no allocation, no global state. Build topics with te_topic_build*; never
 * concatenate them by hand. */
#ifndef TEDGE_TOPIC_H
#define TEDGE_TOPIC_H

#include <stdbool.h>
#include <stddef.h>
#include "tedge/err.h"

/* Bytes, with the NUL, of a normalised entity topic id ("device/main//"). */
#define TE_TOPIC_ID_MAX 256
/* Bytes, with the NUL, of a channel name (type, operation, key, signal, id). */
#define TE_TOPIC_NAME_MAX 128
/* Bytes, with the NUL, of a topic root (`mqtt.topic_root`). */
#define TE_TOPIC_ROOT_MAX 64
/* A buffer this large always holds a topic built by te_topic_build*(). */
#define TE_TOPIC_MAX (TE_TOPIC_ROOT_MAX + TE_TOPIC_ID_MAX + 2 * TE_TOPIC_NAME_MAX + 16)
/* MQTT's limit on topic names and filters (bytes). */
#define TE_TOPIC_MQTT_MAX 65535

/* The main device's id in the default scheme. */
#define TE_TOPIC_ID_MAIN "device/main//"

typedef enum te_channel_kind {
    TE_CH_REGISTRATION,     /* (empty)            entity registration */
    TE_CH_TWIN,             /* twin/<key>         key may be empty: callers reject it */
    TE_CH_CONFIG,           /* config */
    TE_CH_MEASUREMENT,      /* m/<type>           type may be empty */
    TE_CH_MEASUREMENT_META, /* m/<type>/meta */
    TE_CH_EVENT,            /* e/<type> */
    TE_CH_EVENT_META,       /* e/<type>/meta */
    TE_CH_ALARM,            /* a/<type> */
    TE_CH_ALARM_META,       /* a/<type>/meta */
    TE_CH_CAPABILITY,       /* cmd/<op>           op non-empty */
    TE_CH_COMMAND,          /* cmd/<op>/<cmd_id>  both non-empty */
    TE_CH_HEALTH_CHECK,     /* cmd/health/check */
    TE_CH_SIGNAL,           /* signal/<type>      type non-empty */
    TE_CH_HEALTH,           /* status/health */
} te_channel_kind_t;

typedef struct te_topic {
    char entity_id[TE_TOPIC_ID_MAX]; /* always 4 segments: "device/child01//" */
    te_channel_kind_t kind;
    /* type (m, e, a and their meta), op (cmd), key (twin), signal type;
     * "" for the other kinds (HEALTH_CHECK: "health"). */
    char name[TE_TOPIC_NAME_MAX];
    char cmd_id[TE_TOPIC_NAME_MAX]; /* COMMAND only ("check" for HEALTH_CHECK) */
} te_topic_t;

/* Parses topic[0..topic_len) (need not be NUL-terminated) under root.
 * The id ends at the 4th '/' after the root; with fewer slashes the whole
 * remainder is the id, padded with '/', and the channel is registration
 * ("te/device/main/m/temp" registers "device/main/m/temp"). out is
 * zeroed then filled; nothing is kept.
 * Returns TE_OK; TE_ERR_NOTFOUND when the first level is not root (not
 * ours); TE_ERR_PARSE for '+', '#' or NUL anywhere, or a channel outside
 * the grammar (unknown, "m" without type, "m/t/x", "cmd/a/b/c", empty op,
 * cmd_id or signal, extra '/' after the id); TE_ERR_RANGE when the id or a
 * name exceeds its cap; TE_ERR_INVAL for NULL arguments or a root that is
 * empty, too long or holds '/', '+' or '#'. */
te_err_t te_topic_parse(const char *root, const char *topic, size_t topic_len,
                        te_topic_t *out) TE_MUST_USE;

/* Builds the topic of t under root into buf (NUL-terminated): the inverse of
 * te_topic_parse. t->entity_id may be short ("device/child0"): it is
 * normalised. name/cmd_id are read only for the kinds that use them.
 * Returns TE_OK; TE_ERR_INVAL (bad root, id or name: wildcards, '/', empty
 * where forbidden, more than 4 id segments, or COMMAND "health"/"check"
 * which is HEALTH_CHECK's topic); TE_ERR_RANGE (id or name over its cap);
 * TE_ERR_TOOBIG (buf too small; TE_TOPIC_MAX always suffices). */
te_err_t te_topic_build(const char *root, const te_topic_t *t, char *buf,
                        size_t buflen) TE_MUST_USE;

/* te_topic_build without a te_topic_t: name and cmd_id may be NULL where
 * the kind does not use them. Same ownership and errors. */
te_err_t te_topic_build_for(const char *root, const char *entity_id,
                            te_channel_kind_t kind, const char *name,
                            const char *cmd_id, char *buf,
                            size_t buflen) TE_MUST_USE;

/* Writes "<root>/errors" into buf.
 * Returns TE_OK, TE_ERR_INVAL (bad root) or TE_ERR_TOOBIG. */
te_err_t te_topic_errors(const char *root, char *buf, size_t buflen) TE_MUST_USE;

/* Normalises a topic id from a payload (`@parent`, `@health`) to 4
 * segments: "device/child0" -> "device/child0//". in and out may be the same
 * buffer. err (may be NULL) gets the reason.
 * Returns TE_OK; TE_ERR_PARSE for more than 4 segments ("An entity topic
 * identifier has at most 4 segments") or '+'/'#' ("An entity topic
 * identifier must be a valid MQTT topic"); TE_ERR_RANGE when the result
 * would not fit TE_TOPIC_ID_MAX; TE_ERR_TOOBIG when it does not fit outlen;
 * TE_ERR_INVAL for NULL in/out. */
te_err_t te_topic_id_normalize(const char *in, char *out, size_t outlen,
                               char *err, size_t errlen) TE_MUST_USE;

/* Points seg[i]/seg_len[i] at the 4 segments of a normalised id (into id,
 * not NUL-terminated). Returns TE_OK or TE_ERR_PARSE (not exactly 4). */
te_err_t te_topic_id_split(const char *id, const char *seg[4],
                           size_t seg_len[4]) TE_MUST_USE;

/* True for "device/<d>//" and "device/<d>/service/<s>" with d and s
 * non-empty (a normalised id; anything else is false). */
bool te_topic_id_is_default_scheme(const char *id);

/* True for a default-scheme service id "device/<d>/service/<s>". */
bool te_topic_id_is_default_service(const char *id);

/* Copies the device name <d> of a default-scheme id into out.
 * Returns TE_OK, TE_ERR_NOTFOUND (not default scheme) or TE_ERR_TOOBIG. */
te_err_t te_topic_id_device_name(const char *id, char *out,
                                 size_t outlen) TE_MUST_USE;

/* Copies the service name <s> of "device/<d>/service/<s>" into out.
 * Returns TE_OK, TE_ERR_NOTFOUND (not a default-scheme service) or
 * TE_ERR_TOOBIG. */
te_err_t te_topic_id_service_name(const char *id, char *out,
                                  size_t outlen) TE_MUST_USE;

/* The parent an entity gets when its registration has no `@parent`: a
 * service "device/<d>/service/<s>" -> "device/<d>//"; any other service and
 * every child device -> main_id (NULL means TE_TOPIC_ID_MAIN). The main
 * device itself has no parent: callers do not ask.
 * Returns TE_OK, TE_ERR_TOOBIG or TE_ERR_INVAL (NULL id/out). */
te_err_t te_topic_id_default_parent(const char *id, bool is_service,
                                    const char *main_id, char *out,
                                    size_t outlen) TE_MUST_USE;

/* MQTT subscription filter syntax: non-empty, at most 65535 bytes, UTF-8,
 * '#' only as the whole last level, '+' only as a whole level. */
bool te_topic_filter_valid(const char *filter);

/* MQTT publish topic name: non-empty, at most 65535 bytes, UTF-8, no '+'
 * or '#'. */
bool te_topic_name_valid(const char *topic);

/* The channel kind's name for logs ("measurement", "command", ...). */
const char *te_topic_kind_name(te_channel_kind_t kind);

#endif
