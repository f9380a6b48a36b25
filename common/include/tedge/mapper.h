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

/* The runtime of one mapper process (opaque), handed to def->attach. */
typedef struct te_mapper te_mapper_t;

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
    /* Optional, zero means the default. */
    uint32_t tick_ms;               /* tick period (default 1000) */
    size_t out_arena_bytes;         /* te_out_t arena: the largest output (default 64 KiB) */
    bool input_qos0;                /* subscribe the inputs at QoS 0 (default 1) */
    /* Config key whose value v names the service "tedge-mapper-<v>" (service
     * name, client id, health), e.g. "az.bridge.topic_prefix"; else name. */
    const char *name_key;
    /* Called once when the process stops, before health down: last outputs
     * (a batcher's pending batches). */
    void (*stop)(void *state, te_out_t *out);
    /* Called once after init and the input subscriptions, to set up
     * mapper-specific I/O on te_mapper_loop() (a second MQTT client, a
     * directory watch). An error stops the process (exit 1). */
    te_err_t (*attach)(void *state, te_mapper_t *rt);
} te_mapper_def_t;

/* For attach and the handlers it installs: the loop and the config of the
 * process (owned by the runtime, valid until te_mapper_main returns). */
uv_loop_t *te_mapper_loop(te_mapper_t *rt);
te_config_t *te_mapper_config(te_mapper_t *rt);
/* Runs fn(state, out, arg) on the runtime's te_out_t and publishes what it
 * added (and reports its error) exactly as for convert. */
void te_mapper_produce(te_mapper_t *rt, void (*fn)(void *state, te_out_t *out, void *arg), void *arg);
/* Adds an input filter (delivered to convert) known only at run time.
 * Returns TE_OK, TE_ERR_INVAL (bad filter) or TE_ERR_NOMEM. */
te_err_t te_mapper_subscribe(te_mapper_t *rt, const char *filter) TE_MUST_USE;

/* The whole main() of a mapper. Returns the process exit code. */
int te_mapper_main(const te_mapper_def_t *def, int argc, char **argv);

#endif
