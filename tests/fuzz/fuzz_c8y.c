/* libFuzzer harness for the c8y converter (c8y_mapper.h). An input is a
 * sequence of messages separated by NUL bytes: the first byte of each picks
 * a topic from a fixed set (registrations of devices and services, data of
 * every channel, capabilities, health, the bridge, signals, the alarm
 * journal, c8y/ inputs) or, for 0xff, a tick 1 s later; the rest is the
 * payload. The converter state lives across inputs (recreated every
 * STATE_RUNS inputs, so the entity cache stays small), with the start-up
 * alarm sync running at first, so sequences of registrations, early data,
 * re-registrations and clears are explored.
 * Invariants: no crash and no leak (ASan/LSan); an error return leaves a
 * reason; every output is on c8y/..., c8y-internal/alarms/te/... or te/...;
 * every JSON output for Cumulocity parses, without duplicate keys, and fits
 * c8y.mapper.mqtt.max_payload_size. */
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tedge/c8y_mapper.h"
#include "tedge/log.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(c) do { if (!(c)) abort(); } while (0)
#define STATE_RUNS 2000

static const char *const topics[] = {
    "te/device/main///m/environment",
    "te/device/main///m/environment/meta",
    "te/device/main///e/login_event",
    "te/device/main///a/temperature_high",
    "te/device/main///twin/subtype",
    "te/device/child01//",
    "te/device/child01///m/",
    "te/device/child01///e/ev",
    "te/device/child01///a/t",
    "te/device/child01///twin/name",
    "te/device/child01///cmd/restart",
    "te/device/nested//",
    "te/device/nested///m/t",
    "te/device/main/service/nodered",
    "te/device/main/service/nodered/status/health",
    "te/device/child01/service/svc1",
    "te/device/child01/service/svc1/status/health",
    "te/device/main/service/tedge-agent",
    "te/device/main/service/tedge-agent/status/health",
    "te/device/main/service/mosquitto-c8y-bridge/status/health",
    "te/device/main/service/tedge-mapper-c8y/signal/sync",
    "te/device/main///cmd/restart",
    "te/device/main///cmd/log_upload",
    "te/device/main///cmd/config_snapshot",
    "te/device/main///cmd/software_update/c8y-mapper-1",
    "te/custom/scheme/x/y",
    "te/custom/scheme/x/y/m/t",
    "c8y-internal/alarms/te/device/main///a/temperature_high",
    "c8y-internal/alarms/te/device/child01///a/t",
    "c8y/s/ds",
    "c8y/devicecontrol/notifications",
    "te/device/main///a/",
};
#define NTOPICS (sizeof topics / sizeof topics[0])

static te_time_t fixed_now(void *ctx)
{
    (void)ctx;
    return (te_time_t){.unix_s = 1714557600, .nsec = 123456789, .utc_z = true};
}

static bool is_json_topic(const char *t)
{
    return strcmp(t, "c8y/measurement/measurements/create") == 0 || strcmp(t, "c8y/event/events/create") == 0 ||
           strcmp(t, "c8y/alarm/alarms/create") == 0 ||
           strncmp(t, "c8y/inventory/managedObjects/update/", 36) == 0;
}

static void check_out(const te_out_t *out, const te_c8y_config_t *cfg)
{
    for (size_t i = 0; i < out->n; i++) {
        const te_out_msg_t *o = &out->msgs[i];
        CHECK(strncmp(o->topic, "c8y/", 4) == 0 || strncmp(o->topic, "c8y-internal/alarms/te/", 23) == 0 ||
              strncmp(o->topic, "te/", 3) == 0);
        if (!is_json_topic(o->topic))
            continue;
        CHECK(te_c8y_packet_size(strlen(o->topic), o->len) <= cfg->max_payload_bytes);
        json_error_t je;
        json_t *v = json_loadb(o->payload, o->len, JSON_REJECT_DUPLICATES, &je);
        if (!json_is_object(v)) {
            fprintf(stderr, "bad JSON on %s: %s: %.*s\n", o->topic, je.text, (int)o->len, o->payload);
            abort();
        }
        json_decref(v);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static char dir[64];
    static te_c8y_config_t cfg;
    static te_c8y_t *st;
    static te_out_t out;
    static unsigned runs;
    static uint64_t now_ms;
    if (!dir[0]) {
        te_log_set_level(TE_LOG_ERROR);
        snprintf(dir, sizeof dir, "/tmp/fuzz_c8y_XXXXXX");
        CHECK(mkdtemp(dir) != NULL);
        te_c8y_config_defaults(&cfg, "mydev", dir);
        cfg.max_payload_bytes = 4096; /* reachable by the fuzzer */
        CHECK(te_out_init(&out, 8192, 8u * 1024 * 1024) == TE_OK);
    }
    if (!st || ++runs % STATE_RUNS == 0) {
        te_c8y_free(st);
        CHECK(te_c8y_new(&st, &cfg) == TE_OK);
        te_c8y_set_clock(st, fixed_now, NULL);
        te_out_reset(&out);
        CHECK(te_c8y_start(st, &out) == TE_OK);
        now_ms = 1000;
        CHECK(te_c8y_alarm_sync_begin(st, now_ms + 3000) == TE_OK);
    }

    const uint8_t *p = data, *end = data + size;
    while (p < end) {
        const uint8_t *nul = memchr(p, 0, (size_t)(end - p));
        const uint8_t *rec_end = nul ? nul : end;
        uint8_t sel = *p++;
        te_out_reset(&out);
        if (sel == 0xff) {
            now_ms += 1000;
            te_c8y_tick(st, now_ms, &out);
        } else {
            const char *payload = p <= rec_end ? (const char *)p : "";
            te_msg_t msg = {.topic = topics[sel % NTOPICS], .payload = payload,
                            .len = p <= rec_end ? (size_t)(rec_end - p) : 0, .qos = 1, .retain = sel & 0x80};
            te_err_t rc = te_c8y_convert(st, &msg, &out);
            if (rc != TE_OK)
                CHECK(out.error[0] != '\0');
        }
        check_out(&out, &cfg);
        p = nul ? nul + 1 : end;
    }
    return 0;
}
