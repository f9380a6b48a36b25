/* health: registration, up/down messages and check requests of a service. */
#include "tedge/health.h"

#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "tedge/log.h"
#include "tedge/timefmt.h"

te_err_t te_health_init(te_health_t *h, const char *root, const char *device_topic_id,
                        const char *name, const char *service_type, bool rfc3339)
{
    memset(h, 0, sizeof *h);
    h->rfc3339 = rfc3339;
    /* device/<d>// → device/<d>/service/<name> */
    const char *p = device_topic_id;
    if (strncmp(p, "device/", 7) != 0)
        return TE_ERR_INVAL;
    const char *dev = p + 7;
    const char *slash = strchr(dev, '/');
    if (!slash || slash == dev || strcmp(slash, "//") != 0)
        return TE_ERR_INVAL;
    int dev_len = (int)(slash - dev);
    int n = snprintf(h->service_id, sizeof h->service_id, "device/%.*s/service/%s", dev_len, dev, name);
    if (n < 0 || (size_t)n >= sizeof h->service_id)
        return TE_ERR_INVAL;
    int sizes[5];
    sizes[0] = snprintf(h->registration_topic, sizeof h->registration_topic, "%s/%s", root, h->service_id);
    sizes[1] = snprintf(h->health_topic, sizeof h->health_topic, "%s/%s/status/health", root, h->service_id);
    sizes[2] = snprintf(h->check_topic, sizeof h->check_topic, "%s/%s/cmd/health/check", root, h->service_id);
    sizes[3] = snprintf(h->device_check_topic, sizeof h->device_check_topic, "%s/%s/cmd/health/check",
                        root, device_topic_id);
    sizes[4] = snprintf(h->registration, sizeof h->registration,
                        "{\"@type\":\"service\",\"@parent\":\"%s\",\"name\":\"%s\",\"type\":\"%s\"}",
                        device_topic_id, name, service_type);
    if (sizes[0] >= TE_HEALTH_TOPIC_MAX || sizes[1] >= TE_HEALTH_TOPIC_MAX ||
        sizes[2] >= TE_HEALTH_TOPIC_MAX || sizes[3] >= TE_HEALTH_TOPIC_MAX ||
        (size_t)sizes[4] >= sizeof h->registration)
        return TE_ERR_INVAL;
    snprintf(h->down, sizeof h->down, "{\"status\":\"down\",\"pid\":%ld}", (long)getpid());
    return TE_OK;
}

void te_health_set_will(const te_health_t *h, te_bus_opts_t *opts)
{
    opts->will_topic = h->health_topic;
    opts->will_payload = h->down;
    opts->will_qos = 1;
    opts->will_retain = true;
}

size_t te_health_up_payload(const te_health_t *h, char *buf, size_t size)
{
    te_time_t now = te_time_now();
    te_time_truncate_ms(&now);
    char when[TE_TIME_STR_MAX + 2];
    if (h->rfc3339) {
        char text[TE_TIME_STR_MAX];
        if (te_time_format_rfc3339(&now, text, sizeof text) != TE_OK)
            return 0;
        snprintf(when, sizeof when, "\"%s\"", text);
    } else if (te_time_format_unix(&now, when, sizeof when) != TE_OK) {
        return 0;
    }
    int n = snprintf(buf, size, "{\"status\":\"up\",\"pid\":%ld,\"time\":%s}", (long)getpid(), when);
    return (n < 0 || (size_t)n >= size) ? 0 : (size_t)n;
}

static void publish(te_health_t *h, const char *topic, const char *payload, bool retain)
{
    te_msg_t msg = {.topic = topic, .payload = payload, .len = strlen(payload), .qos = 1, .retain = retain};
    te_err_t err = te_bus_publish(h->bus, &msg);
    if (err != TE_OK)
        te_log_warn("cannot publish on %s: %s", topic, te_strerror(err));
}

static void publish_up(te_health_t *h)
{
    char up[160];
    if (te_health_up_payload(h, up, sizeof up))
        publish(h, h->health_topic, up, true);
}

static void on_check(void *ctx, const te_msg_t *msg)
{
    (void)msg;
    publish_up(ctx);
}

te_err_t te_health_start(te_health_t *h, te_bus_t *bus)
{
    h->bus = bus;
    te_err_t err = te_bus_subscribe(bus, h->check_topic, 1, on_check, h);
    if (err == TE_OK)
        err = te_bus_subscribe(bus, h->device_check_topic, 1, on_check, h);
    return err;
}

void te_health_announce(te_health_t *h)
{
    publish(h, h->registration_topic, h->registration, true);
    publish_up(h);
}

void te_health_publish_down(te_health_t *h)
{
    publish(h, h->health_topic, h->down, true);
}
