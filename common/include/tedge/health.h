/* health: a tedge service's presence on the bus (spec/mqtt-api.md §4):
 * its retained registration, `status/health` up on every (re)connection and
 * on every health check request, `{"status":"down","pid":N}` as last will and
 * on graceful shutdown.
 *
 * Memory: te_health_t is caller-owned (fixed buffers, no allocation); it keeps
 * the bus pointer it was started with. */
#ifndef TEDGE_HEALTH_H
#define TEDGE_HEALTH_H

#include <stdbool.h>
#include "tedge/bus.h"
#include "tedge/err.h"

#define TE_HEALTH_TOPIC_MAX 512

typedef struct te_health {
    te_bus_t *bus;
    bool rfc3339;                            /* service.timestamp_format */
    char service_id[256];                    /* device/main/service/tedge-agent */
    char registration_topic[TE_HEALTH_TOPIC_MAX];
    char registration[512];
    char health_topic[TE_HEALTH_TOPIC_MAX];
    char check_topic[TE_HEALTH_TOPIC_MAX];   /* <root>/<service>/cmd/health/check */
    char device_check_topic[TE_HEALTH_TOPIC_MAX]; /* <root>/<device>/cmd/health/check */
    char down[64];
} te_health_t;

/* Fills h for service `name` of the device with topic id device_topic_id
 * (e.g. "device/main//" → service "device/main/service/<name>").
 * service_type is the registration "type" (service.type); rfc3339 picks the
 * time format of the up message. Returns TE_OK or TE_ERR_INVAL (the device id
 * is not of the default scheme, or a name is too long). */
te_err_t te_health_init(te_health_t *h, const char *root, const char *device_topic_id,
                        const char *name, const char *service_type, bool rfc3339) TE_MUST_USE;

/* Sets the last will of opts to the retained, QoS 1 down message. */
void te_health_set_will(const te_health_t *h, te_bus_opts_t *opts);

/* Subscribes to both health check topics on bus (kept for later calls).
 * Returns TE_OK or the te_bus_subscribe error. */
te_err_t te_health_start(te_health_t *h, te_bus_t *bus) TE_MUST_USE;

/* Publishes the registration and the up message: call on every connection. */
void te_health_announce(te_health_t *h);

/* Publishes the retained down message (graceful shutdown). */
void te_health_publish_down(te_health_t *h);

/* Writes the up payload {"status":"up","pid":N,"time":T} into buf.
 * Returns the length, or 0 if buf is too small. */
size_t te_health_up_payload(const te_health_t *h, char *buf, size_t size);

#endif
