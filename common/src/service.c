/* service: command line, config, loop, bus, health and signals of a daemon. */
#include "tedge/service.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tedge/log.h"

static void on_connection(void *ctx, bool connected)
{
    te_service_t *svc = ctx;
    if (connected)
        te_health_announce(&svc->health);
    if (svc->def->on_connection)
        svc->def->on_connection(svc->def->ctx, connected);
}

static void on_oversize(void *ctx, const te_msg_t *msg)
{
    te_service_t *svc = ctx;
    char text[512];
    snprintf(text, sizeof text, "%s: Payload is too large >%u: %zu bytes received on %s", svc->name,
             TE_SERVICE_MAX_INPUT_BYTES, msg->len, msg->topic);
    te_service_report_error(svc, text);
}

static void on_signal(uv_signal_t *sig, int signum)
{
    te_log_info("received signal %d, stopping", signum);
    te_service_stop(sig->data, 0);
}

static void print_help(const te_service_def_t *def)
{
    printf("%s\n\n"
           "Usage: %s [OPTIONS]\n\n"
           "Options:\n"
           "      --config-dir <DIR>   Config directory [env: TEDGE_CONFIG_DIR] [default: /etc/tedge]\n"
           "%s"
           "      --debug              Same as --log-level debug\n"
           "      --log-level <LEVEL>  error, warn, info, debug or trace [default: info]\n"
           "  -h, --help               Print help\n"
           "  -V, --version            Print version\n",
           def->summary, def->name,
           def->cloud_profiles ? "      --profile <PROFILE>  The cloud profile to use (its <cloud>.profiles.<PROFILE>.* keys)\n" : "");
}

static int usage_error(const char *fmt, const char *arg)
{
    fputs("error: ", stderr);
    fprintf(stderr, fmt, arg);
    fputs("\n\nFor more information, try '--help'.\n", stderr);
    return 2;
}

te_err_t te_service_bus_opts(te_config_t *cfg, te_bus_opts_t *opts, char *password,
                             char *err, size_t errlen)
{
    int64_t port = 1883;
    if (te_config_get_int(cfg, "mqtt.client.port", &port) != TE_OK)
        port = 1883;
    opts->host = te_config_get(cfg, "mqtt.client.host");
    opts->port = (int)port;
    opts->username = te_config_get(cfg, "mqtt.client.auth.username");
    opts->ca_file = te_config_get(cfg, "mqtt.client.auth.ca_file");
    opts->ca_dir = te_config_get(cfg, "mqtt.client.auth.ca_dir");
    opts->cert_file = te_config_get(cfg, "mqtt.client.auth.cert_file");
    opts->key_file = te_config_get(cfg, "mqtt.client.auth.key_file");
    opts->password = NULL;
    const char *password_file = te_config_get(cfg, "mqtt.client.auth.password_file");
    if (!password_file)
        return TE_OK;
    FILE *f = fopen(password_file, "r");
    if (!f) {
        snprintf(err, errlen, "cannot read mqtt.client.auth.password_file %s: %s", password_file, strerror(errno));
        return TE_ERR_CONFIG;
    }
    if (!fgets(password, TE_SERVICE_PASSWORD_MAX, f))
        password[0] = '\0';
    fclose(f);
    password[strcspn(password, "\r\n")] = '\0';
    opts->password = password;
    return TE_OK;
}

static bool copy_config(te_service_t *svc, const char *key, char *dst, size_t size, const char *fallback)
{
    const char *v = te_config_get(svc->cfg, key);
    if (!v)
        v = fallback;
    if (strlen(v) >= size) {
        te_log_error("%s is too long: %s", key, v);
        return false;
    }
    strcpy(dst, v);
    return true;
}

int te_service_init(te_service_t *svc, const te_service_def_t *def, int argc, char **argv)
{
    memset(svc, 0, sizeof *svc);
    svc->def = def;
    const char *config_dir = NULL;
    te_log_level_t level = TE_LOG_INFO;
    te_log_init(def->name, level);
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            print_help(def);
            return 0;
        } else if (strcmp(a, "-V") == 0 || strcmp(a, "--version") == 0) {
            printf("%s %s\n", def->name, TEDGE_VERSION);
            return 0;
        } else if (strcmp(a, "--config-dir") == 0 || strcmp(a, "--log-level") == 0) {
            if (i + 1 >= argc)
                return usage_error("a value is required for '%s <VALUE>' but none was supplied", a);
            const char *v = argv[++i];
            if (a[2] == 'c')
                config_dir = v;
            else if (te_log_parse_level(v, &level) != TE_OK)
                return usage_error("invalid value '%s' for '--log-level <LEVEL>' [possible values: error, warn, info, debug, trace]", v);
        } else if (strncmp(a, "--config-dir=", 13) == 0) {
            config_dir = a + 13;
        } else if (strncmp(a, "--log-level=", 12) == 0) {
            if (te_log_parse_level(a + 12, &level) != TE_OK)
                return usage_error("invalid value '%s' for '--log-level <LEVEL>' [possible values: error, warn, info, debug, trace]", a + 12);
        } else if (strcmp(a, "--debug") == 0) {
            level = TE_LOG_DEBUG;
        } else if (def->cloud_profiles && (strcmp(a, "--profile") == 0 || strncmp(a, "--profile=", 10) == 0)) {
            const char *v = a[9] == '=' ? a + 10 : (i + 1 < argc ? argv[++i] : NULL);
            char reason[128];
            if (!v)
                return usage_error("a value is required for '%s <PROFILE>' but none was supplied", "--profile");
            if (te_config_profile_name(v, svc->profile, sizeof svc->profile, reason, sizeof reason) != TE_OK) {
                fprintf(stderr, "error: invalid value '%s' for '--profile <PROFILE>': %s\n\n"
                                "For more information, try '--help'.\n", v, reason);
                return 2;
            }
        } else {
            return usage_error("unexpected argument '%s' found", a);
        }
    }
    te_log_set_level(level);

    char err[512];
    if (te_config_load(&svc->cfg, config_dir, false, err, sizeof err) != TE_OK) {
        te_log_error("%s", err);
        return 1;
    }
    if (svc->profile[0] && te_config_use_profile(svc->cfg, svc->profile) != TE_OK) {
        te_log_error("cannot use the cloud profile '%s'", svc->profile);
        goto fail_cfg;
    }
    snprintf(svc->name, sizeof svc->name, "%s", def->name);
    if (def->name_key) {
        const char *value = te_config_get(svc->cfg, def->name_key);
        if (value && value[0] && strlen(value) + 14 < sizeof svc->name)
            snprintf(svc->name, sizeof svc->name, "tedge-mapper-%s", value);
    }
    te_log_init(svc->name, level);
    if (!copy_config(svc, "mqtt.topic_root", svc->topic_root, sizeof svc->topic_root, "te") ||
        !copy_config(svc, "mqtt.device_topic_id", svc->device_topic_id, sizeof svc->device_topic_id, "device/main//"))
        goto fail_cfg;
    snprintf(svc->errors_topic, sizeof svc->errors_topic, "%s/errors", svc->topic_root);
    const char *service_type = te_config_get(svc->cfg, "service.type");
    const char *ts_format = te_config_get(svc->cfg, "service.timestamp_format");
    bool rfc3339 = ts_format && strncmp(ts_format, "rfc", 3) == 0;
    if (te_health_init(&svc->health, svc->topic_root, svc->device_topic_id, svc->name,
                       service_type ? service_type : "service", rfc3339) != TE_OK) {
        te_log_error("mqtt.device_topic_id '%s' is not a device topic id of the default scheme (device/<name>//)",
                     svc->device_topic_id);
        goto fail_cfg;
    }

    char password[TE_SERVICE_PASSWORD_MAX];
    te_bus_opts_t opts = {
        .client_id = svc->name,
        .clean_session = !def->persistent_session,
        .on_connection = on_connection,
        .on_oversize = on_oversize,
        .max_payload_bytes = TE_SERVICE_MAX_INPUT_BYTES,
        /* Refusing an output would lose the input it answers, so this bound
         * only stops runaway growth while the broker does not acknowledge
         * (about 50 MB at worst); a live broker keeps it near zero. */
        .max_pending = 100000,
        .ctx = svc,
    };
    if (te_service_bus_opts(svc->cfg, &opts, password, err, sizeof err) != TE_OK) {
        te_log_error("%s", err);
        goto fail_cfg;
    }
    te_health_set_will(&svc->health, &opts);
    uv_loop_init(&svc->loop);
    te_err_t e = te_bus_open(&svc->bus, &svc->loop, &opts);
    if (e != TE_OK) {
        te_log_error("cannot set up the MQTT client: %s", te_strerror(e));
        uv_loop_close(&svc->loop);
        goto fail_cfg;
    }
    if (te_health_start(&svc->health, svc->bus) != TE_OK) {
        te_log_error("cannot subscribe to the health check topics");
        te_bus_close(svc->bus);
        uv_run(&svc->loop, UV_RUN_DEFAULT);
        uv_loop_close(&svc->loop);
        goto fail_cfg;
    }
    uv_signal_init(&svc->loop, &svc->sigterm);
    uv_signal_init(&svc->loop, &svc->sigint);
    svc->sigterm.data = svc->sigint.data = svc;
    uv_signal_start(&svc->sigterm, on_signal, SIGTERM);
    uv_signal_start(&svc->sigint, on_signal, SIGINT);
    signal(SIGPIPE, SIG_IGN);
    te_log_info("%s %s starting; broker %s:%d", svc->name, TEDGE_VERSION,
                opts.host ? opts.host : "127.0.0.1", opts.port);
    return -1;

fail_cfg:
    te_config_free(svc->cfg);
    svc->cfg = NULL;
    return 1;
}

static void on_bus_done(void *ctx)
{
    te_service_t *svc = ctx;
    uv_close((uv_handle_t *)&svc->sigterm, NULL);
    uv_close((uv_handle_t *)&svc->sigint, NULL);
    te_bus_close(svc->bus);
    svc->bus = NULL;
}

void te_service_stop(te_service_t *svc, int exit_code)
{
    if (svc->stopping)
        return;
    svc->stopping = true;
    svc->exit_code = exit_code;
    if (svc->def->on_stop)
        svc->def->on_stop(svc->def->ctx);
    te_health_publish_down(&svc->health);
    te_bus_shutdown(svc->bus, 5000, on_bus_done, svc);
}

void te_service_report_error(te_service_t *svc, const char *text)
{
    te_log_error("%s", text);
    te_msg_t msg = {.topic = svc->errors_topic, .payload = text, .len = strlen(text), .qos = 1};
    te_err_t err = te_bus_publish(svc->bus, &msg);
    if (err != TE_OK)
        te_log_warn("cannot publish on %s: %s", svc->errors_topic, te_strerror(err));
}

int te_service_run(te_service_t *svc)
{
    uv_run(&svc->loop, UV_RUN_DEFAULT);
    if (uv_loop_close(&svc->loop) != 0)
        te_log_debug("loop closed with handles still open");
    te_config_free(svc->cfg);
    svc->cfg = NULL;
    te_log_info("stopped");
    return svc->exit_code;
}
