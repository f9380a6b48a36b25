/* bridge: renders <cloud>-bridge.conf and tedge-mosquitto.conf exactly as
 * thin-edge.io writes them (line order, spacing, `""` for an empty prefix). */
#include "tedge/bridge.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A growable text buffer; on allocation failure it records the error and
 * ignores further appends. */
typedef struct text_buf {
    char *data;
    size_t len, cap;
    bool failed;
} text_buf_t;

__attribute__((format(printf, 2, 3)))
static void buf_printf(text_buf_t *b, const char *fmt, ...)
{
    if (b->failed)
        return;
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        size_t room = b->cap - b->len;
        int n = vsnprintf(b->data ? b->data + b->len : NULL, room, fmt, ap);
        va_end(ap);
        if (n < 0) {
            b->failed = true;
            return;
        }
        if ((size_t)n < room) {
            b->len += (size_t)n;
            return;
        }
        size_t cap = b->cap ? b->cap : 1024;
        while (cap - b->len <= (size_t)n)
            cap *= 2;
        char *grown = realloc(b->data, cap);
        if (!grown) {
            b->failed = true;
            return;
        }
        b->data = grown;
        b->cap = cap;
    }
}

static te_err_t buf_finish(text_buf_t *b, char **out, size_t *len)
{
    if (!b->failed && !b->data)
        buf_printf(b, "%s", "");
    if (b->failed) {
        free(b->data);
        return TE_ERR_NOMEM;
    }
    *out = b->data;
    if (len)
        *len = b->len;
    return TE_OK;
}

te_err_t te_cloud_parse(const char *name, te_cloud_t *cloud)
{
    static const te_cloud_t all[] = {TE_CLOUD_C8Y, TE_CLOUD_AZ, TE_CLOUD_AWS};
    for (size_t i = 0; name && i < sizeof all / sizeof all[0]; i++) {
        if (strcmp(name, te_cloud_name(all[i])) == 0) {
            *cloud = all[i];
            return TE_OK;
        }
    }
    return TE_ERR_INVAL;
}

const char *te_cloud_name(te_cloud_t cloud)
{
    switch (cloud) {
    case TE_CLOUD_C8Y:
        return "c8y";
    case TE_CLOUD_AZ:
        return "az";
    case TE_CLOUD_AWS:
        return "aws";
    }
    return "?";
}

const char *te_cloud_display_name(te_cloud_t cloud)
{
    switch (cloud) {
    case TE_CLOUD_C8Y:
        return "Cumulocity";
    case TE_CLOUD_AZ:
        return "Azure";
    case TE_CLOUD_AWS:
        return "Aws";
    }
    return "?";
}

const char *te_cloud_local_clientid(te_cloud_t cloud)
{
    return te_cloud_display_name(cloud);
}

te_err_t te_bridge_file_name(te_cloud_t cloud, const char *profile, char *buf, size_t size)
{
    int n = profile ? snprintf(buf, size, "%s@%s-bridge.conf", te_cloud_name(cloud), profile)
                    : snprintf(buf, size, "%s-bridge.conf", te_cloud_name(cloud));
    return (n < 0 || (size_t)n >= size) ? TE_ERR_TOOBIG : TE_OK;
}

te_err_t te_bridge_health_topic(const char *topic_root, const char *topic_prefix, char *buf,
                                size_t size)
{
    int n = snprintf(buf, size, "%s/device/main/service/mosquitto-%s-bridge/status/health",
                     topic_root, topic_prefix);
    return (n < 0 || (size_t)n >= size) ? TE_ERR_TOOBIG : TE_OK;
}

/* One "topic" line with an empty remote prefix, as the c8y bridge has them. */
static void c8y_topic(text_buf_t *b, const char *pattern, const char *dir, int qos, const char *prefix)
{
    buf_printf(b, "topic %s %s %d %s/ \"\"\n", pattern, dir, qos, prefix);
}

static void c8y_topics(text_buf_t *b, const te_bridge_params_t *p)
{
    static const struct {
        const char *pattern, *dir;
        int qos;
    } fixed[] = {
        {"s/dt", "in", 1},     {"s/ut/#", "out", 1}, {"s/us/#", "out", 1}, {"t/us/#", "out", 1},
        {"q/us/#", "out", 1},  {"c/us/#", "out", 1}, {"s/ds", "in", 1},    {"s/e", "in", 0},
        {"s/uc/#", "out", 1},  {"t/uc/#", "out", 1}, {"q/uc/#", "out", 1}, {"c/uc/#", "out", 1},
        {"s/dc/#", "in", 1},
        {"inventory/managedObjects/update/#", "out", 1},
        {"measurement/measurements/create", "out", 1},
        {"measurement/measurements/createBulk", "out", 1},
        {"event/events/create", "out", 1},
        {"event/events/createBulk", "out", 1},
        {"alarm/alarms/create", "out", 1},
        {"alarm/alarms/createBulk", "out", 1},
        {"devicecontrol/notifications", "in", 1},
        {"error", "in", 1},
    };
    const char *prefix = p->topic_prefix;
    for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++)
        c8y_topic(b, fixed[i].pattern, fixed[i].dir, fixed[i].qos, prefix);
    if (!p->username) {
        /* JWT retrieval: certificate auth only */
        c8y_topic(b, "s/uat", "out", 0, prefix);
        c8y_topic(b, "s/dat", "in", 0, prefix);
    }
    for (size_t i = 0; i < p->n_smartrest_templates; i++) {
        buf_printf(b, "topic s/uc/%s out 1 %s/ \"\"\n", p->smartrest_templates[i], prefix);
        buf_printf(b, "topic s/dc/%s in 1 %s/ \"\"\n", p->smartrest_templates[i], prefix);
    }
    if (p->n_smartrest1_templates) {
        c8y_topic(b, "s/ul/#", "out", 1, prefix);
        c8y_topic(b, "t/ul/#", "out", 1, prefix);
        c8y_topic(b, "q/ul/#", "out", 1, prefix);
        c8y_topic(b, "c/ul/#", "out", 1, prefix);
        c8y_topic(b, "s/dl", "in", 1, prefix);
        for (size_t i = 0; i < p->n_smartrest1_templates; i++) {
            const char *t = p->smartrest1_templates[i];
            buf_printf(b, "topic s/ul/%s out 1 %s/ \"\"\n", t, prefix);
            buf_printf(b, "topic s/dl/%s in 1 %s/ \"\"\n", t, prefix);
            buf_printf(b, "topic s/ol/%s in 1 %s/ \"\"\n", t, prefix);
        }
    }
    if (p->mqtt_service) {
        buf_printf(b, "topic # out 1 %s/mqtt/out/ \"\"\n", prefix);
        for (size_t i = 0; i < p->n_mqtt_service_topics; i++)
            buf_printf(b, "topic %s in 1 %s/mqtt/in/ \"\"\n", p->mqtt_service_topics[i], prefix);
    }
}

static void az_topics(text_buf_t *b, const te_bridge_params_t *p)
{
    const char *pfx = p->topic_prefix, *id = p->device_id;
    buf_printf(b, "topic messages/events/# out 1 %s/ devices/%s/\n", pfx, id);
    buf_printf(b, "topic messages/devicebound/# in 1 %s/ devices/%s/\n", pfx, id);
    buf_printf(b, "topic methods/POST/# in 1 %s/ $iothub/\n", pfx);
    buf_printf(b, "topic methods/res/# out 1 %s/ $iothub/\n", pfx);
    buf_printf(b, "topic twin/res/# in 1 %s/ $iothub/\n", pfx);
    buf_printf(b, "topic twin/GET/# out 1 %s/ $iothub/\n", pfx);
    buf_printf(b, "topic twin/PATCH/# out 1 %s/ $iothub/\n", pfx);
}

static void aws_topics(text_buf_t *b, const te_bridge_params_t *p)
{
    const char *pfx = p->topic_prefix, *id = p->device_id;
    buf_printf(b, "topic td/# out 1 %s/ thinedge/%s/\n", pfx, id);
    buf_printf(b, "topic cmd/# in 1 %s/ thinedge/%s/\n", pfx, id);
    buf_printf(b, "topic shadow/# both 1 %s/ $aws/things/%s/\n", pfx, id);
    buf_printf(b, "topic \"\" out 1 %s/test-connection thinedge/devices/%s/test-connection\n", pfx, id);
    buf_printf(b, "topic \"\" in 1 %s/connection-success thinedge/devices/%s/test-connection\n", pfx, id);
}

te_err_t te_bridge_render(const te_bridge_params_t *p, char **out, size_t *len)
{
    *out = NULL;
    bool basic = p->cloud == TE_CLOUD_C8Y && p->username;
    if (!p->address || !p->root_cert_path || !p->device_id || !p->topic_prefix || !p->topic_root ||
        (!basic && (!p->cert_path || !p->key_path)) || (p->cloud == TE_CLOUD_AZ && !p->url))
        return TE_ERR_INVAL;
    char health[512];
    if (te_bridge_health_topic(p->topic_root, p->topic_prefix, health, sizeof health) != TE_OK)
        return TE_ERR_INVAL;

    text_buf_t b = {0};
    const char *local_id = te_cloud_local_clientid(p->cloud);
    buf_printf(&b, "### Bridge\n");
    if (p->profile)
        buf_printf(&b, "connection edge_to_%s@%s\n", te_cloud_name(p->cloud), p->profile);
    else
        buf_printf(&b, "connection edge_to_%s\n", te_cloud_name(p->cloud));
    buf_printf(&b, "address %s\n", p->address);
    buf_printf(&b, "%s %s\n", p->root_cert_is_dir ? "bridge_capath" : "bridge_cafile", p->root_cert_path);
    buf_printf(&b, "remote_clientid %s\n", p->device_id);
    if (p->profile)
        buf_printf(&b, "local_clientid %s@%s\n", local_id, p->profile);
    else
        buf_printf(&b, "local_clientid %s\n", local_id);
    switch (p->cloud) {
    case TE_CLOUD_C8Y:
        if (basic)
            buf_printf(&b, "remote_username %s\n", p->username);
        break;
    case TE_CLOUD_AZ:
        buf_printf(&b, "remote_username %s/%s/?api-version=2018-06-30\n", p->url, p->device_id);
        break;
    case TE_CLOUD_AWS:
        buf_printf(&b, "remote_username %s\n", p->device_id);
        break;
    }
    if (basic) {
        if (p->password)
            buf_printf(&b, "remote_password %s\n", p->password);
    } else {
        buf_printf(&b, "bridge_certfile %s\n", p->cert_path);
        buf_printf(&b, "bridge_keyfile %s\n", p->key_path);
    }
    buf_printf(&b, "try_private false\n");
    buf_printf(&b, "start_type automatic\n");
    buf_printf(&b, "cleansession %s\n", p->cloud == TE_CLOUD_C8Y ? "true" : "false");
    if (p->cloud == TE_CLOUD_C8Y && p->include_local_cleansession)
        buf_printf(&b, "local_cleansession false\n");
    buf_printf(&b, "notifications true\n");
    buf_printf(&b, "notifications_local_only true\n");
    buf_printf(&b, "notification_topic %s\n", health);
    buf_printf(&b, "bridge_attempt_unsubscribe false\n");
    buf_printf(&b, "keepalive_interval %u\n", p->keepalive_s);
    buf_printf(&b, "\n### Topics\n");
    switch (p->cloud) {
    case TE_CLOUD_C8Y:
        c8y_topics(&b, p);
        break;
    case TE_CLOUD_AZ:
        az_topics(&b, p);
        break;
    case TE_CLOUD_AWS:
        aws_topics(&b, p);
        break;
    }
    return buf_finish(&b, out, len);
}

te_err_t te_mosquitto_conf_render(const te_mosquitto_conf_params_t *p, char **out, size_t *len)
{
    *out = NULL;
    if (!p->bind_address || p->bind_port == 0)
        return TE_ERR_INVAL;
    static const char *const log_types[] = {"error", "warning", "notice", "information",
                                            "subscribe", "unsubscribe"};
    text_buf_t b = {0};
    buf_printf(&b, "per_listener_settings true\n");
    buf_printf(&b, "connection_messages true\n");
    for (size_t i = 0; i < sizeof log_types / sizeof log_types[0]; i++)
        buf_printf(&b, "log_type %s\n", log_types[i]);
    buf_printf(&b, "message_size_limit %u\n", 256u * 1024u * 1024u - 1u);
    buf_printf(&b, "listener %u %s\n", p->bind_port, p->bind_address);
    buf_printf(&b, "allow_anonymous true\n");
    buf_printf(&b, "require_certificate false\n");
    if (p->external_port) {
        bool with_ca = p->external_ca_path != NULL;
        /* thin-edge.io writes "<port> <address>" even without an address */
        buf_printf(&b, "listener %u %s\n", p->external_port,
                   p->external_address ? p->external_address : "");
        buf_printf(&b, "allow_anonymous %s\n", with_ca ? "false" : "true");
        buf_printf(&b, "require_certificate %s\n", with_ca ? "true" : "false");
        if (p->external_interface)
            buf_printf(&b, "bind_interface %s\n", p->external_interface);
        if (p->external_ca_path)
            buf_printf(&b, "capath %s\n", p->external_ca_path);
        if (p->external_cert_file)
            buf_printf(&b, "certfile %s\n", p->external_cert_file);
        if (p->external_key_file)
            buf_printf(&b, "keyfile %s\n", p->external_key_file);
    }
    return buf_finish(&b, out, len);
}
