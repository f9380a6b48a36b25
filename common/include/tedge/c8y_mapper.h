/* c8y_mapper: the converter of tedge-mapper-c8y (mapper-c8y.md §1, §3-§5,
 * §10) as pure functions: (topic, payload, state) -> messages in a te_out_t.
 * No I/O except the operation files under <config-dir>/operations/c8y/ (§5,
 * which the spec defines as files) and reading the clock (replaceable).
 *
 * State across restarts: nothing is persisted by the mapper itself but the
 * retained alarm journal c8y-internal/alarms/... (§4.4, c8y_alarm_sync.c). The
 * entity cache, twin values, units and capabilities are rebuilt from the
 * retained messages the broker re-sends when the runtime resubscribes
 * (registrations, twin, meta, cmd/+ and health are all retained), as
 * thin-edge.io does; operation sets are rebuilt from the operation files.
 *
 * Memory: te_c8y_new allocates the state once (fixed output buffers, the
 * entity store, bounded early-message buffers, see c8y_entity.h);
 * te_c8y_free releases it. Converting a message allocates only what jansson
 * needs to parse it and, for new entities, the cache entry. */
#ifndef TEDGE_C8Y_MAPPER_H
#define TEDGE_C8Y_MAPPER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "tedge/bus.h"
#include "tedge/config.h"
#include "tedge/err.h"
#include "tedge/out.h"
#include "tedge/timefmt.h"

#define TE_C8Y_PATH_MAX 1024

typedef struct te_c8y_config {
    char device_id[256];        /* c8y.device.id (main device external id) */
    char prefix[64];            /* c8y.bridge.topic_prefix */
    char root[64];              /* mqtt.topic_root */
    char service_type[128];     /* service.type ("" -> "service") */
    char config_dir[TE_C8Y_PATH_MAX];
    size_t max_payload_bytes;   /* c8y.mapper.mqtt.max_payload_size */
    bool device_marker;         /* c8y.smartrest.child_device.create_with_device_marker */
    bool availability;          /* c8y.availability.enable */
    int64_t availability_interval_s; /* c8y.availability.interval */
    bool builtin_bridge;        /* mqtt.bridge.built_in: no wait for bridge health */
    bool with_types;            /* c8y.software_management.with_types */
    bool enable_log_upload, enable_config_snapshot, enable_config_update,
         enable_firmware_update, enable_device_profile, enable_device_restart,
         enable_software_update;
} te_c8y_config_t;

/* Defaults of mapper-c8y.md §9 for device_id under config_dir (for tests). */
void te_c8y_config_defaults(te_c8y_config_t *c, const char *device_id, const char *config_dir);
/* Reads the keys of §9 from cfg. Returns TE_OK, TE_ERR_NOTFOUND (no device
 * id: err says how to set one) or TE_ERR_CONFIG (err names the key). */
te_err_t te_c8y_config_load(te_config_t *cfg, te_c8y_config_t *out, char *err,
                            size_t errlen) TE_MUST_USE;

typedef struct te_c8y te_c8y_t;
typedef te_time_t (*te_c8y_clock_fn)(void *ctx);

/* Creates the state (copies cfg). Returns TE_OK or TE_ERR_NOMEM. */
te_err_t te_c8y_new(te_c8y_t **st, const te_c8y_config_t *cfg) TE_MUST_USE;
void te_c8y_free(te_c8y_t *st);
/* Replaces the wall clock (tests). */
void te_c8y_set_clock(te_c8y_t *st, te_c8y_clock_fn now, void *ctx);

/* Start-up (§1): ensures <cfg>/operations/c8y/ exists and loads the main
 * device's operations, then `117,<minutes>` (availability on) and, with the
 * built-in bridge (no health to wait for), `114,...` and `500`.
 * Returns TE_OK or TE_ERR_IO (operations dir cannot be created; logged). */
te_err_t te_c8y_start(te_c8y_t *st, te_out_t *out) TE_MUST_USE;

/* Converts one input message. A bad message adds nothing for the cloud,
 * sets out->error and returns TE_ERR_PARSE/TE_ERR_RANGE/TE_ERR_TOOBIG/...;
 * messages of other inputs (c8y/..., unknown channels) are ignored (TE_OK). */
te_err_t te_c8y_convert(te_c8y_t *st, const te_msg_t *msg, te_out_t *out) TE_MUST_USE;

/* Starts the start-up alarm sync (§4.4): until the first tick with
 * now_ms >= until_ms, alarms (<root>/+/+/+/+/a/+) and journal entries
 * (c8y-internal/alarms/#, which the process must subscribe) are only
 * collected; that tick then clears, skips or converts them. Without this
 * call alarms convert immediately. Returns TE_OK or TE_ERR_NOMEM. */
te_err_t te_c8y_alarm_sync_begin(te_c8y_t *st, uint64_t until_ms) TE_MUST_USE;
bool te_c8y_alarm_syncing(const te_c8y_t *st);
/* The window of §4.4. */
#define TE_C8Y_ALARM_SYNC_MS 3000
/* Bounds of what the sync collects. */
#define TE_C8Y_SYNC_MAX_ALARMS 4096
#define TE_C8Y_SYNC_MAX_BYTES (8 * 1024 * 1024)

/* Timers (the availability heartbeat §4.7, the end of the alarm sync §4.4);
 * now_ms is monotonic. */
void te_c8y_tick(te_c8y_t *st, uint64_t now_ms, te_out_t *out);

/* The main device's operations directory changed (inotify): reloads it and
 * sends 114 if the set changed (§5). */
void te_c8y_reload_main_ops(te_c8y_t *st, te_out_t *out);

/* "<cfg>/operations/c8y" (the directory to watch). */
const char *te_c8y_ops_dir(const te_c8y_t *st);
/* "<root>/device/main/service/mosquitto-<prefix>-bridge/status/health". */
const char *te_c8y_bridge_health_topic(const te_c8y_t *st);

/* The last will of the second client (§1): topic "<prefix>/s/us", payload
 * "102,<dev>:device:main:service:tedge-mapper-c8y,<service.type>,tedge-mapper-c8y,down".
 * Returns TE_OK or TE_ERR_TOOBIG. */
te_err_t te_c8y_last_will(const te_c8y_config_t *c, char *topic, size_t topic_len,
                          char *payload, size_t payload_len) TE_MUST_USE;

/* Messages buffered for unregistered entities / dropped so far (tests, stats). */
size_t te_c8y_pending_entities(const te_c8y_t *st);
unsigned long te_c8y_dropped_messages(const te_c8y_t *st);

/* MQTT PUBLISH packet size of (topic, payload) at QoS 1 (§4.1 size rule). */
size_t te_c8y_packet_size(size_t topic_len, size_t payload_len);

#endif
