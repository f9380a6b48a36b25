/* libFuzzer harness for the Azure/AWS telemetry pipeline (cloudmap.h, the
 * converter of conv_az.h and conv_aws.h). Input: byte 0 picks the options
 * (cloud, timestamp on/off, rfc-3339/unix, payload limit), byte 1 the input
 * topic, QoS, retain and the clock; the rest is the payload.
 * Invariants: at most one output; a rejected message adds nothing and says
 * why; an output fits the limit, is on the cloud's topic, and is valid JSON
 * whenever the pipeline rewrote the payload (else it is the input, bytes
 * unchanged); every tree is released (ASan/LSan). */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tedge/cloudmap.h"
#include "tedge/log.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const topics[] = {
    "te/device/main///m/environment",
    "te/device/main///e/login_event",
    "te/device/main///a/temperature_high",
    "te/device/child1///m/",
    "te/device/main/service/mosquitto-az-bridge/status/health",
    "te/device/main/service/tedge-agent/status/health",
    "te/device/main///twin/x",
    "te/a/b/c/d/m/t/meta",
};
static const uint32_t limits[] = {16, 200, 16184, 268435455};

#define CHECK(c) do { if (!(c)) abort(); } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static te_out_t out;
    static bool ready;
    if (!ready) {
        te_log_set_level(TE_LOG_ERROR);
        CHECK(te_out_init(&out, 4, TE_CLOUDMAP_OUT_ARENA) == TE_OK);
        ready = true;
    }
    if (size < 2)
        return 0;
    uint8_t opt = data[0], sel = data[1];
    te_cloudmap_opts_t opts = {
        .cloud = opt & 1 ? TE_CLOUD_AWS : TE_CLOUD_AZ,
        .add_timestamp = (opt & 2) != 0,
        .rfc3339 = (opt & 4) != 0,
        .max_payload_size = limits[(opt >> 3) & 3],
        .topic_prefix = opt & 1 ? "aws" : "az",
        .flow_file = "/etc/tedge/mappers/x/flows/mea.toml",
    };
    te_cloudmap_t m;
    CHECK(te_cloudmap_init(&m, &opts) == TE_OK);
    te_msg_t in = {.topic = topics[sel & 7], .payload = data + 2, .len = size - 2,
                   .qos = (sel >> 3) & 1, .retain = (sel >> 4) & 1};
    /* a clock now and then at the edges of what RFC 3339 can print */
    te_time_t now = {.unix_s = 1714557600, .nsec = 123456789, .utc_z = true};
    if (sel & 0x20)
        now.unix_s = (sel & 0x40) ? 253402300799 : 0;
    if (sel & 0x80)
        now.nsec = 999999999;

    te_out_reset(&out);
    te_err_t rc = te_cloudmap_convert(&m, &in, &now, &out);
    CHECK(out.n <= 1);
    if (rc != TE_OK) {
        CHECK(out.n == 0);
        CHECK(rc == TE_ERR_NOMEM || out.error[0] != '\0');
    }
    if (out.n == 1) {
        const te_out_msg_t *o = &out.msgs[0];
        CHECK(o->len <= opts.max_payload_size);
        CHECK(te_cloudmap_wire_size(strlen(in.topic), in.qos, o->len) <= opts.max_payload_size);
        if (opts.cloud == TE_CLOUD_AZ)
            CHECK(strcmp(o->topic, "az/messages/events/") == 0);
        else
            CHECK(strncmp(o->topic, "aws/td/", 7) == 0 && !strpbrk(o->topic, "+#"));
        bool same = o->len == in.len && memcmp(o->payload, in.payload, in.len) == 0;
        if (!same) {
            CHECK(opts.add_timestamp);
            json_error_t je;
            /* integers up to u64::MAX are kept (serdenum): valid JSON that
             * jansson reads as reals only */
            json_t *v = json_loadb(o->payload, o->len, JSON_ALLOW_NUL | JSON_DECODE_INT_AS_REAL, &je);
            CHECK(v != NULL);
            CHECK(json_object_get(v, "time") != NULL);
            json_decref(v);
        }
    }
    te_cloudmap_free(&m);
    return 0;
}
