/* bridge: the mosquitto configuration files `tedge connect` writes, as pure
 * functions from settings to text (spec/cli.md §4.4, §4.5): the cloud bridge
 * file <cloud>-bridge.conf and the broker's own tedge-mosquitto.conf. No I/O:
 * callers resolve config keys and stat() paths, then write the text. */
#ifndef TEDGE_BRIDGE_H
#define TEDGE_BRIDGE_H

#include <stdbool.h>
#include <stddef.h>
#include "tedge/err.h"

typedef enum te_cloud {
    TE_CLOUD_C8Y,
    TE_CLOUD_AZ,
    TE_CLOUD_AWS,
} te_cloud_t;

/* Parses "c8y", "az" or "aws". Returns TE_OK or TE_ERR_INVAL. */
te_err_t te_cloud_parse(const char *name, te_cloud_t *cloud) TE_MUST_USE;
/* "c8y", "az", "aws": the short name used in keys, files and service names. */
const char *te_cloud_name(te_cloud_t cloud);
/* "Cumulocity", "Azure", "Aws": the name shown to users. */
const char *te_cloud_display_name(te_cloud_t cloud);
/* "Cumulocity", "Azure", "Aws": the bridge's local client id (no profile). */
const char *te_cloud_local_clientid(te_cloud_t cloud);

typedef struct te_bridge_params {
    te_cloud_t cloud;
    const char *profile;          /* NULL: the default profile */
    const char *address;          /* "host:port" of the cloud MQTT endpoint */
    const char *url;              /* az: <az.url>, used in remote_username */
    const char *root_cert_path;   /* <cloud>.root_cert_path */
    bool root_cert_is_dir;        /* bridge_capath (dir) or bridge_cafile (file) */
    const char *device_id;        /* remote_clientid */
    const char *cert_path;        /* bridge_certfile (certificate auth) */
    const char *key_path;         /* bridge_keyfile (certificate auth) */
    const char *username;         /* c8y basic auth: remote_username, else NULL */
    const char *password;         /* c8y basic auth: remote_password, else NULL */
    const char *topic_prefix;     /* <cloud>.bridge.topic_prefix ("c8y", "az", "aws") */
    const char *topic_root;       /* mqtt.topic_root ("te") */
    unsigned keepalive_s;         /* <cloud>.bridge.keepalive_interval in seconds */
    bool include_local_cleansession; /* c8y: write "local_cleansession false" */
    /* c8y only */
    const char *const *smartrest_templates;
    size_t n_smartrest_templates;
    const char *const *smartrest1_templates;
    size_t n_smartrest1_templates;
    bool mqtt_service;            /* c8y.mqtt_service.enabled */
    const char *const *mqtt_service_topics;
    size_t n_mqtt_service_topics;
} te_bridge_params_t;

/* Renders the bridge file of §4.4. *out is malloc'd and NUL-terminated
 * (caller frees); *len (may be NULL) gets its length.
 * Returns TE_OK, TE_ERR_INVAL (a required field is NULL) or TE_ERR_NOMEM. */
te_err_t te_bridge_render(const te_bridge_params_t *params, char **out, size_t *len) TE_MUST_USE;

/* The bridge file name: "c8y-bridge.conf", with a profile "c8y@P-bridge.conf".
 * Returns TE_OK or TE_ERR_TOOBIG when buf is too small. */
te_err_t te_bridge_file_name(te_cloud_t cloud, const char *profile, char *buf,
                             size_t size) TE_MUST_USE;

/* The health topic of the mosquitto bridge:
 * <topic_root>/device/main/service/mosquitto-<prefix>-bridge/status/health.
 * Returns TE_OK or TE_ERR_TOOBIG. */
te_err_t te_bridge_health_topic(const char *topic_root, const char *topic_prefix, char *buf,
                                size_t size) TE_MUST_USE;

typedef struct te_mosquitto_conf_params {
    unsigned bind_port;           /* mqtt.bind.port */
    const char *bind_address;     /* mqtt.bind.address */
    unsigned external_port;       /* mqtt.external.bind.port; 0: no external listener */
    const char *external_address; /* the rest may be NULL */
    const char *external_interface;
    const char *external_ca_path;
    const char *external_cert_file;
    const char *external_key_file;
} te_mosquitto_conf_params_t;

#define TE_MOSQUITTO_CONF_FILE "tedge-mosquitto.conf"

/* Renders tedge-mosquitto.conf (§4.5); memory as te_bridge_render.
 * Returns TE_OK, TE_ERR_INVAL or TE_ERR_NOMEM. */
te_err_t te_mosquitto_conf_render(const te_mosquitto_conf_params_t *params, char **out,
                                  size_t *len) TE_MUST_USE;

#endif
