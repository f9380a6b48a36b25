/* connect_settings: resolves one cloud's settings from the config (spec/cli.md
 * §4.2 step 1), prints the connection summary (step 2) and writes the
 * mosquitto files (§4.4, §4.5). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "connect.h"
#include "tedge/fsutil.h"
#include "tedge/log.h"
#include "tedge/toml.h"

#define ERR_LEN TE_CONNECT_ERR_LEN

int te_connect_load(const te_cli_ctx_t *ctx, const char *what, te_config_t **cfg, te_sysconfig_t **sc)
{
    char err[ERR_LEN];
    *cfg = NULL;
    *sc = NULL;
    if (te_config_load(cfg, ctx->config_dir, false, err, sizeof err) != TE_OK) {
        const char *causes[] = {err};
        return te_ui_fail_plain(what, causes, 1);
    }
    if (ctx->profile && te_config_use_profile(*cfg, ctx->profile) != TE_OK) {
        te_config_free(*cfg);
        *cfg = NULL;
        return TE_EXIT_FAILURE;
    }
    if (te_sysconfig_load(sc, te_config_dir(*cfg), err, sizeof err) != TE_OK) {
        te_config_free(*cfg);
        *cfg = NULL;
        fprintf(stderr, "Error: missing configuration parameter\n\nCaused by:\n    %s\n", err);
        return 1;
    }
    return -1;
}

/* An unsigned from the environment (test knobs), else dflt. */
static unsigned env_unsigned(const char *name, unsigned dflt)
{
    const char *text = getenv(name);
    if (!text || !*text)
        return dflt;
    char *end = NULL;
    unsigned long v = strtoul(text, &end, 10);
    return (*end == '\0' && v < 100000) ? (unsigned)v : dflt;
}

static int missing_key(const char *what, const char *key)
{
    char cause[512];
    snprintf(cause, sizeof cause, "A value for '%s' is missing.\n    A value can be set with `tedge config set %s <value>`",
             key, key);
    const char *causes[] = {cause};
    return te_ui_fail_plain(what, causes, 1);
}

/* Splits "host:port" (port defaulting to dflt). */
static void split_host_port(const char *text, char *host, size_t host_size, unsigned *port, unsigned dflt)
{
    const char *colon = strrchr(text, ':');
    *port = dflt;
    if (colon && strchr(text, ':') == colon) {
        snprintf(host, host_size, "%.*s", (int)(colon - text), text);
        unsigned long p = strtoul(colon + 1, NULL, 10);
        if (p > 0 && p < 65536)
            *port = (unsigned)p;
    } else {
        snprintf(host, host_size, "%s", text);
    }
}

static const char *get_key(te_config_t *cfg, te_cloud_t cloud, const char *suffix)
{
    char key[128];
    snprintf(key, sizeof key, "%s.%s", te_cloud_name(cloud), suffix);
    return te_config_get(cfg, key);
}

static te_err_t read_credentials(te_cloud_settings_t *s, char *err, size_t errlen)
{
    te_toml_t *root = NULL;
    char reason[1024];
    te_err_t rc = te_toml_parse_file(s->credentials_path, &root, reason, sizeof reason);
    if (rc != TE_OK) {
        snprintf(err, errlen, "Failed to read the Cumulocity credentials: %s", reason);
        return rc;
    }
    const char *user = te_toml_str(te_toml_get_path(root, "c8y.username"));
    const char *password = te_toml_str(te_toml_get_path(root, "c8y.password"));
    if (!user || !password) {
        snprintf(err, errlen, "Failed to read the Cumulocity credentials from %s: [c8y] username and password are required",
                 s->credentials_path);
        te_toml_free(root);
        return TE_ERR_CONFIG;
    }
    s->username = strdup(user);
    s->password = strdup(password);
    te_toml_free(root);
    return (s->username && s->password) ? TE_OK : TE_ERR_NOMEM;
}

static void resolve_local_broker(te_config_t *cfg, te_local_broker_t *local)
{
    int64_t port = 1883;
    if (te_config_get_int(cfg, "mqtt.client.port", &port) != TE_OK)
        port = 1883;
    local->host = te_config_get(cfg, "mqtt.client.host");
    if (!local->host)
        local->host = "127.0.0.1";
    local->port = (int)port;
    local->username = te_config_get(cfg, "mqtt.client.auth.username");
    local->ca_file = te_config_get(cfg, "mqtt.client.auth.ca_file");
    local->ca_dir = te_config_get(cfg, "mqtt.client.auth.ca_dir");
    local->cert_file = te_config_get(cfg, "mqtt.client.auth.cert_file");
    local->key_file = te_config_get(cfg, "mqtt.client.auth.key_file");
    const char *password_file = te_config_get(cfg, "mqtt.client.auth.password_file");
    if (password_file) {
        FILE *f = fopen(password_file, "r");
        if (f) {
            if (fgets(local->password, sizeof local->password, f)) {
                local->password[strcspn(local->password, "\r\n")] = '\0';
                local->has_password = true;
            }
            fclose(f);
        } else {
            te_log_warn("cannot read mqtt.client.auth.password_file %s: %s", password_file, strerror(errno));
        }
    }
}

int te_cloud_settings_resolve(te_config_t *cfg, te_cloud_t cloud, te_cloud_settings_t *s, const char *what)
{
    memset(s, 0, sizeof *s);
    s->cloud = cloud;
    if (te_config_profile(cfg)) {
        snprintf(s->profile_name, sizeof s->profile_name, "%s", te_config_profile(cfg));
        s->profile = s->profile_name;
    }
    char err[ERR_LEN];
    char url_key[160], base_key[32];
    snprintf(base_key, sizeof base_key, "%s.url", te_cloud_name(cloud));
    if (te_config_profiled_key(base_key, s->profile, url_key, sizeof url_key) != TE_OK)
        snprintf(url_key, sizeof url_key, "%s", base_key);
    s->url = te_config_get(cfg, url_key);
    if (cloud == TE_CLOUD_C8Y) {
        /* c8y.mqtt and c8y.http default to c8y.url; either may be set alone */
        const char *mqtt = te_config_get(cfg, "c8y.mqtt");
        const char *http = te_config_get(cfg, "c8y.http");
        unsigned http_port;
        if (!mqtt)
            return missing_key(what, url_key);
        split_host_port(mqtt, s->mqtt_host, sizeof s->mqtt_host, &s->mqtt_port, 8883);
        split_host_port(http ? http : s->mqtt_host, s->http_host, sizeof s->http_host, &http_port, 443);
        bool service = false;
        if (te_config_get_bool(cfg, "c8y.mqtt_service.enabled", &service) == TE_OK && service) {
            s->mqtt_service = true;
            if (s->mqtt_port == 8883)
                s->mqtt_port = 9883;
        }
    } else {
        if (!s->url)
            return missing_key(what, url_key);
        snprintf(s->mqtt_host, sizeof s->mqtt_host, "%s", s->url);
        s->mqtt_port = 8883;
    }
    snprintf(s->address, sizeof s->address, "%s:%u", s->mqtt_host, s->mqtt_port);

    char id_key[48];
    snprintf(id_key, sizeof id_key, "%s.device.id", te_cloud_name(cloud));
    te_err_t rc = te_config_read(cfg, id_key, &s->device_id, err, sizeof err);
    if (rc != TE_OK) {
        char cause[ERR_LEN + 100];
        if (rc == TE_ERR_NOTFOUND)
            snprintf(cause, sizeof cause, "The provided config key: 'device.id' is not configured: %s", err);
        else
            snprintf(cause, sizeof cause, "%s", err[0] ? err : te_strerror(rc));
        const char *causes[] = {cause};
        return te_ui_fail_plain(what, causes, 1);
    }
    s->cert_path = get_key(cfg, cloud, "device.cert_path");
    s->key_path = get_key(cfg, cloud, "device.key_path");
    s->root_cert_path = get_key(cfg, cloud, "root_cert_path");
    s->topic_prefix = get_key(cfg, cloud, "bridge.topic_prefix");
    s->topic_root = te_config_get(cfg, "mqtt.topic_root");
    s->device_type = te_config_get(cfg, "device.type");
    if (!s->device_type)
        s->device_type = "thin-edge.io";
    if (!s->topic_root)
        s->topic_root = "te";
    if (!s->topic_prefix)
        s->topic_prefix = te_cloud_name(cloud);
    char keepalive_key[64];
    snprintf(keepalive_key, sizeof keepalive_key, "%s.bridge.keepalive_interval", te_cloud_name(cloud));
    int64_t keepalive = 60;
    if (te_config_get_duration_s(cfg, keepalive_key, &keepalive) != TE_OK)
        keepalive = 60;
    s->keepalive_s = (unsigned)keepalive;

    if (cloud == TE_CLOUD_C8Y) {
        const char *method = te_config_get(cfg, "c8y.auth_method");
        s->credentials_path = te_config_get(cfg, "c8y.credentials_path");
        if (method && strcmp(method, "basic") == 0)
            s->basic_auth = true;
        else if (method && strcmp(method, "auto") == 0 && s->credentials_path)
            s->basic_auth = access(s->credentials_path, F_OK) == 0;
        if (s->basic_auth && read_credentials(s, err, sizeof err) != TE_OK) {
            const char *causes[] = {err};
            return te_ui_fail_plain(what, causes, 1);
        }
        if (te_config_get_list(cfg, "c8y.smartrest.templates", &s->templates, &s->n_templates) != TE_OK)
            s->n_templates = 0;
        if (te_config_get_list(cfg, "c8y.smartrest1.templates", &s->templates1, &s->n_templates1) != TE_OK)
            s->n_templates1 = 0;
        if (s->mqtt_service &&
            te_config_get_list(cfg, "c8y.mqtt_service.topics", &s->service_topics, &s->n_service_topics) != TE_OK)
            s->n_service_topics = 0;
        const char *flag = te_config_get(cfg, "c8y.bridge.include.local_cleansession");
        if (flag && strcmp(flag, "true") == 0) {
            s->include_local_cleansession = true;
        } else if (!flag || strcmp(flag, "auto") == 0) {
            s->mosquitto_version_known = te_mosquitto_version(s->mosquitto_version, sizeof s->mosquitto_version);
            if (s->mosquitto_version_known)
                s->include_local_cleansession = strncmp(s->mosquitto_version, "2", 1) == 0;
            else
                fprintf(stderr, "Failed to detect mosquitto version: assuming mosquitto version < 2.0.0\n");
        }
    }

    char file[128];
    if (te_bridge_file_name(cloud, s->profile, file, sizeof file) != TE_OK)
        file[0] = '\0';
    snprintf(s->conf_dir, sizeof s->conf_dir, "%s/mosquitto-conf", te_config_dir(cfg));
    snprintf(s->bridge_file, sizeof s->bridge_file, "%s/%s", s->conf_dir, file);
    resolve_local_broker(cfg, &s->local);

    s->timing.response_timeout_s = env_unsigned("TE_CONNECT_RESPONSE_TIMEOUT_S", 10);
    s->timing.attempts = env_unsigned("TE_CONNECT_ATTEMPTS", 5);
    if (s->timing.attempts == 0)
        s->timing.attempts = 1;
    s->timing.retry_sleep_s = env_unsigned("TE_CONNECT_RETRY_SLEEP_S", 2);
    s->timing.cloud_timeout_s = env_unsigned("TE_CONNECT_CLOUD_TIMEOUT_S", 60);
    s->timing.ack_timeout_s = 5;
    s->timing.mosquitto_wait_s = env_unsigned("TE_CONNECT_MOSQUITTO_WAIT_S", 20);
    return 0;
}

void te_cloud_settings_free(te_cloud_settings_t *s)
{
    free(s->username);
    free(s->password);
    s->username = s->password = NULL;
}

void te_cloud_settings_summary(te_config_t *cfg, const te_cloud_settings_t *s, const te_sysconfig_t *sc,
                               const char *title)
{
    fprintf(stderr, "%s:\n", title);
    te_ui_summary_entry("device id", s->device_id);
    te_ui_summary_entry("cloud profile", s->profile ? s->profile : "<none>");
    te_ui_summary_entry("cloud host", s->address);
    te_ui_summary_entry("auth type", s->basic_auth ? "Basic" : "Certificate");
    if (!s->basic_auth) {
        te_ui_summary_entry("certificate file", s->cert_path);
        te_ui_summary_entry("cryptoki", "off");
    } else if (s->credentials_path) {
        te_ui_summary_entry("credentials path", s->credentials_path);
    }
    te_ui_summary_entry("bridge", "mosquitto");
    te_ui_summary_entry("service manager", sc->init_name);
    if (s->mosquitto_version_known)
        te_ui_summary_entry("mosquitto version", s->mosquitto_version);
    const char *proxy = te_config_get(cfg, "proxy.address");
    if (proxy)
        te_ui_summary_entry("proxy_url", proxy);
    else
        te_ui_summary_entry("proxy", "Not configured");
    if (proxy)
        te_log_warn("`proxy.address` is configured without the built-in bridge enabled. The bridge MQTT "
                    "connection to the cloud will not communicate via the configured proxy.");
}

static te_err_t write_file(const char *dir, const char *path, const char *text, size_t len, char *err,
                           size_t errlen)
{
    te_err_t rc = te_fs_mkdir_p(dir, 0755);
    if (rc != TE_OK) {
        int e = errno;
        snprintf(err, errlen, "Failed to create the directory %s: %s (os error %d)", dir, strerror(e), e);
        return rc;
    }
    rc = te_fs_write_atomic(path, text, len, 0644);
    if (rc != TE_OK) {
        int e = errno;
        snprintf(err, errlen, "Failed to write %s: %s (os error %d)", path, strerror(e), e);
    }
    return rc;
}

te_err_t te_write_mosquitto_conf(te_config_t *cfg, char *err, size_t errlen)
{
    te_mosquitto_conf_params_t p = {0};
    int64_t port = 1883, external = 0;
    if (te_config_get_int(cfg, "mqtt.bind.port", &port) != TE_OK)
        port = 1883;
    if (te_config_get_int(cfg, "mqtt.external.bind.port", &external) != TE_OK)
        external = 0;
    p.bind_port = (unsigned)port;
    p.bind_address = te_config_get(cfg, "mqtt.bind.address");
    if (!p.bind_address)
        p.bind_address = "127.0.0.1";
    p.external_port = (unsigned)external;
    p.external_address = te_config_get(cfg, "mqtt.external.bind.address");
    p.external_interface = te_config_get(cfg, "mqtt.external.bind.interface");
    p.external_ca_path = te_config_get(cfg, "mqtt.external.ca_path");
    p.external_cert_file = te_config_get(cfg, "mqtt.external.cert_file");
    p.external_key_file = te_config_get(cfg, "mqtt.external.key_file");
    char *text = NULL;
    size_t len = 0;
    te_err_t rc = te_mosquitto_conf_render(&p, &text, &len);
    if (rc != TE_OK) {
        snprintf(err, errlen, "%s", te_strerror(rc));
        return rc;
    }
    char dir[600], path[700];
    snprintf(dir, sizeof dir, "%s/mosquitto-conf", te_config_dir(cfg));
    snprintf(path, sizeof path, "%s/%s", dir, TE_MOSQUITTO_CONF_FILE);
    rc = write_file(dir, path, text, len, err, errlen);
    free(text);
    return rc;
}

te_err_t te_write_bridge_file(const te_cloud_settings_t *s, bool validate, bool offline, char *err,
                              size_t errlen)
{
    struct stat st;
    if (stat(s->root_cert_path, &st) != 0) {
        int e = errno;
        snprintf(err, errlen, "Could not access \"%s\" (%s.root_cert_path): %s (os error %d)", s->root_cert_path,
                 te_cloud_name(s->cloud), strerror(e), e);
        return TE_ERR_CONFIG;
    }
    if (validate && !s->basic_auth) {
        te_err_t rc = te_connect_check_device_cert(s->cert_path, s->key_path, !offline, err, errlen);
        if (rc != TE_OK)
            return rc;
    }
    te_bridge_params_t p = {
        .cloud = s->cloud,
        .profile = s->profile,
        .address = s->address,
        .url = s->url,
        .root_cert_path = s->root_cert_path,
        .root_cert_is_dir = S_ISDIR(st.st_mode),
        .device_id = s->device_id,
        .cert_path = s->cert_path,
        .key_path = s->key_path,
        .username = s->basic_auth ? s->username : NULL,
        .password = s->basic_auth ? s->password : NULL,
        .topic_prefix = s->topic_prefix,
        .topic_root = s->topic_root,
        .keepalive_s = s->keepalive_s,
        .include_local_cleansession = s->include_local_cleansession,
        .smartrest_templates = s->templates,
        .n_smartrest_templates = s->n_templates,
        .smartrest1_templates = s->templates1,
        .n_smartrest1_templates = s->n_templates1,
        .mqtt_service = s->mqtt_service,
        .mqtt_service_topics = s->service_topics,
        .n_mqtt_service_topics = s->n_service_topics,
    };
    char *text = NULL;
    size_t len = 0;
    te_err_t rc = te_bridge_render(&p, &text, &len);
    if (rc != TE_OK) {
        snprintf(err, errlen, "%s", te_strerror(rc));
        return rc;
    }
    rc = write_file(s->conf_dir, s->bridge_file, text, len, err, errlen);
    free(text);
    return rc;
}

void te_chown_cert_and_key(const te_cloud_settings_t *s)
{
    if (s->basic_auth)
        return;
    const char *paths[] = {s->cert_path, s->key_path};
    for (size_t i = 0; i < 2; i++) {
        if (!paths[i] || (i == 1 && access(paths[i], F_OK) != 0))
            continue;
        te_err_t rc = te_fs_chown_names(paths[i], "mosquitto", "mosquitto");
        if (rc != TE_OK)
            te_log_warn("Failed to change ownership of %s to mosquitto:mosquitto: %s", paths[i], te_strerror(rc));
    }
}

bool te_bridge_file_exists(const te_cloud_settings_t *s)
{
    return access(s->bridge_file, F_OK) == 0;
}
