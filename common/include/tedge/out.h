/* out: the bounded list of messages a converter produces for one input
 * (DESIGN.md: a converter is a pure function; the runtime publishes its output).
 *
 * Memory: te_out_init allocates the message table and one arena once; every
 * te_out_add copies topic and payload into the arena; te_out_reset empties both
 * without freeing. So no heap work happens per message. When the table or the
 * arena is full and a flush callback is set (the runtime sets one), the
 * callback publishes what is there and the list starts again; without one,
 * te_out_add returns TE_ERR_FULL. */
#ifndef TEDGE_OUT_H
#define TEDGE_OUT_H

#include <stdbool.h>
#include <stddef.h>
#include "tedge/err.h"

typedef struct te_out_msg {
    const char *topic;   /* NUL-terminated, in the arena */
    const char *payload; /* in the arena (NUL-terminated too, for logging) */
    size_t len;
    int qos;
    bool retain;
} te_out_msg_t;

typedef struct te_out te_out_t;
typedef void (*te_out_flush_cb)(void *ctx, te_out_t *out);

struct te_out {
    te_out_msg_t *msgs;
    size_t n, max_msgs;
    char *arena;
    size_t used, arena_bytes;
    te_out_flush_cb flush;
    void *flush_ctx;
    char error[1024];   /* the reason of the last failed conversion, "" if none */
};

/* Allocates room for max_msgs messages and arena_bytes of topics+payloads.
 * Returns TE_OK or TE_ERR_NOMEM. */
te_err_t te_out_init(te_out_t *out, size_t max_msgs, size_t arena_bytes) TE_MUST_USE;
void te_out_free(te_out_t *out);
/* Forgets the messages and the error. */
void te_out_reset(te_out_t *out);

/* Appends a copy of (topic, payload[0..len)). Returns TE_OK, or TE_ERR_TOOBIG
 * when it cannot fit even in an empty arena, or TE_ERR_FULL (no flush cb). */
te_err_t te_out_add(te_out_t *out, const char *topic, const char *payload, size_t len,
                    int qos, bool retain) TE_MUST_USE;

/* Records why the input could not be converted (printf-style); the runtime
 * sends it to <root>/errors. */
void te_out_errorf(te_out_t *out, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
