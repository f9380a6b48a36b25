/* out: a converter's output list backed by one arena. */
#include "tedge/out.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

te_err_t te_out_init(te_out_t *out, size_t max_msgs, size_t arena_bytes)
{
    memset(out, 0, sizeof *out);
    out->msgs = calloc(max_msgs, sizeof *out->msgs);
    out->arena = malloc(arena_bytes);
    if (!out->msgs || !out->arena) {
        te_out_free(out);
        return TE_ERR_NOMEM;
    }
    out->max_msgs = max_msgs;
    out->arena_bytes = arena_bytes;
    return TE_OK;
}

void te_out_free(te_out_t *out)
{
    free(out->msgs);
    free(out->arena);
    out->msgs = NULL;
    out->arena = NULL;
    out->n = out->max_msgs = out->used = out->arena_bytes = 0;
}

void te_out_reset(te_out_t *out)
{
    out->n = 0;
    out->used = 0;
    out->error[0] = '\0';
}

te_err_t te_out_add(te_out_t *out, const char *topic, const char *payload, size_t len, int qos, bool retain)
{
    size_t topic_len = strlen(topic);
    size_t need = topic_len + 1 + len + 1;
    if (need > out->arena_bytes || out->max_msgs == 0)
        return TE_ERR_TOOBIG;
    if (out->n == out->max_msgs || out->used + need > out->arena_bytes) {
        if (!out->flush)
            return TE_ERR_FULL;
        out->flush(out->flush_ctx, out);
        out->n = 0;
        out->used = 0;
    }
    char *t = out->arena + out->used;
    memcpy(t, topic, topic_len + 1);
    char *p = t + topic_len + 1;
    if (len)
        memcpy(p, payload, len);
    p[len] = '\0';
    out->used += need;
    out->msgs[out->n++] = (te_out_msg_t){.topic = t, .payload = p, .len = len, .qos = qos, .retain = retain};
    return TE_OK;
}

void te_out_errorf(te_out_t *out, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(out->error, sizeof out->error, fmt, ap);
    va_end(ap);
}
