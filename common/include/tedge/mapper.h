/* mapper: the runtime every cloud mapper shares (DESIGN.md). A mapper supplies
 * only its converter and its subscriptions; the runtime does the rest: the
 * service (config, bus with a persistent session and QoS 1, health, signals),
 * the subscriptions, publishing what the converter put in te_out_t, reporting
 * conversion errors on <root>/errors, and a 1 s tick for timers.
 *
 * Memory: the converter's state is created by init and released by free; the
 * runtime owns the te_out_t (one arena, reused for every message). */
#ifndef TEDGE_MAPPER_H
#define TEDGE_MAPPER_H

#include <stdint.h>
#include "tedge/bus.h"
#include "tedge/config.h"
#include "tedge/out.h"

typedef struct te_mapper_def {
    const char *name;               /* "tedge-mapper-c8y": service name and client id */
    const char *summary;            /* first line of --help */
    const char *topics_key;         /* config key listing input filters, or NULL */
    const char *const *filters;     /* more input filters, NULL-terminated, or NULL */
    /* All callbacks are optional. init may already produce messages (sent on
     * the first connection). convert returns TE_OK, or an error after
     * te_out_errorf() said why; messages it added are published either way. */
    te_err_t (*init)(void **state, te_config_t *cfg, te_out_t *out);
    te_err_t (*convert)(void *state, const te_msg_t *in, te_out_t *out);
    void (*tick)(void *state, uint64_t now_ms, te_out_t *out);
    void (*free)(void *state);
} te_mapper_def_t;

/* The whole main() of a mapper. Returns the process exit code. */
int te_mapper_main(const te_mapper_def_t *def, int argc, char **argv);

#endif
