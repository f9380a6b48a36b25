/* tedge connect <cloud> [--offline] [--test] (spec/cli.md §4.2, §4.3): puts
 * a renewed certificate (<cert>.new) in place once the cloud accepts it,
 * writes the mosquitto bridge, restarts mosquitto through system.toml, checks
 * the round trip to the cloud and enables the mapper. Output, step titles and
 * exit codes are thin-edge.io's (crates/core/tedge/src/cli/connect/
 * command.rs). Also the argument parsing of disconnect, reconnect and
 * refresh-bridges (their flows are in connect_bridges.c). */
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "connect.h"

#define ERR_LEN TE_CONNECT_ERR_LEN

static const char connect_help[] =
    "Create connection to a specified cloud\n"
    "\n"
    "Usage: tedge connect <COMMAND>\n"
    "\n"
    "Commands:\n"
    "  c8y  Create connection to Cumulocity\n"
    "  az   Create connection to Azure\n"
    "  aws  Create connection to AWS\n"
    "\n"
    "Options:\n"
    "  -h, --help  Print help\n";

static const char connect_cloud_help[] =
    "Create connection to %s\n"
    "\n"
    "The command will create config and start edge relay from the device to %s instance\n"
    "\n"
    "Usage: tedge connect %s [OPTIONS]\n"
    "\n"
    "Options:\n"
    "      --test               Test connection to %s\n"
    "      --offline            Ignore connection registration and connection check\n"
    "      --profile <PROFILE>  The cloud profile you wish to use [env: TEDGE_CLOUD_PROFILE]\n"
    "  -h, --help               Print help\n";

void te_mapper_service_name(te_cloud_t cloud, const char *profile, char *buf, size_t size)
{
    if (profile && *profile)
        snprintf(buf, size, "tedge-mapper-%s@%s", te_cloud_name(cloud), profile);
    else
        snprintf(buf, size, "tedge-mapper-%s", te_cloud_name(cloud));
}

static void sleep_s(unsigned seconds)
{
    struct timespec ts = {.tv_sec = seconds, .tv_nsec = 0};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

/* Step 12: TCP connect to the local broker until it answers or time is up. */
static te_err_t wait_for_mosquitto(const te_cloud_settings_t *s, char *err, size_t errlen)
{
    char port[16];
    snprintf(port, sizeof port, "%d", s->local.port);
    time_t deadline = time(NULL) + (time_t)s->timing.mosquitto_wait_s;
    for (;;) {
        struct addrinfo hints = {.ai_socktype = SOCK_STREAM}, *res = NULL;
        if (getaddrinfo(s->local.host, port, &hints, &res) != 0) {
            snprintf(err, errlen, "Couldn't resolve configured mosquitto address");
            return TE_ERR_CONFIG;
        }
        bool up = false;
        for (struct addrinfo *a = res; a && !up; a = a->ai_next) {
            int fd = socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
            if (fd < 0)
                continue;
            up = connect(fd, a->ai_addr, a->ai_addrlen) == 0;
            close(fd);
        }
        freeaddrinfo(res);
        if (up)
            return TE_OK;
        if (time(NULL) >= deadline) {
            snprintf(err, errlen, "Timed out after %us waiting for mosquitto to be listening",
                     s->timing.mosquitto_wait_s);
            return TE_ERR_TIMEOUT;
        }
        struct timespec ts = {.tv_sec = 0, .tv_nsec = 100 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
}

static void clean_up(const te_cloud_settings_t *s)
{
    char title[1100];
    snprintf(title, sizeof title, "Cleaning up %s due to failure", s->bridge_file);
    if (unlink(s->bridge_file) != 0 && errno != ENOENT)
        te_ui_step_fail(title, "%s (os error %d)", strerror(errno), errno);
    else
        te_ui_step_ok(title);
}

static const char verifying[] = "Verifying device is connected to cloud";

static bool check_once_step(const te_cloud_settings_t *s)
{
    char err[ERR_LEN];
    te_ui_step_begin(verifying);
    if (te_connect_check_once(s, err, sizeof err) == TE_OK) {
        te_ui_step_ok(verifying);
        return true;
    }
    te_ui_step_fail(verifying, "%s", err);
    return false;
}

/* Step 13: up to timing.attempts checks, sleeping 2, 4, 8, ... s between. */
static bool check_with_retries(const te_cloud_settings_t *s)
{
    unsigned sleep_for = s->timing.retry_sleep_s;
    for (unsigned attempt = 1;; attempt++) {
        if (check_once_step(s))
            return true;
        if (attempt >= s->timing.attempts)
            return false;
        fprintf(stderr, "Connection test failed, attempt %u of %u\n\n", attempt, s->timing.attempts);
        sleep_s(sleep_for);
        sleep_for = sleep_for * 2 > 30 ? 30 : sleep_for * 2;
    }
}

/* Step 15 (and --test): the tenant that issued the JWT is the one configured.
 * Returns 1 matching, 0 mismatch (warning printed), -1 check failed. */
static int tenant_matches(const te_cloud_settings_t *s)
{
    static const char title[] = "Checking Cumulocity is connected to intended tenant";
    char iss[512], err[ERR_LEN];
    te_ui_step_begin(title);
    if (te_connect_c8y_tenant(s, iss, sizeof iss, err, sizeof err) != TE_OK) {
        te_ui_step_fail(title, "%s", err);
        return -1;
    }
    te_ui_step_ok(title);
    if (strcmp(iss, s->mqtt_host) == 0 || strcmp(iss, s->http_host) == 0)
        return 1;
    te_ui_warning("The device is connected to %s, but the configured URL is (mqtt=%s, http=%s).\n"
                  "    To connect the device to the intended tenant, remove the device certificate from %s, "
                  "and then run `tedge reconnect c8y`",
                  iss, s->mqtt_host, s->http_host, iss);
    return 0;
}

/* Start then enable a service as one step; failures are shown, not fatal. */
static bool start_and_enable(const te_sysconfig_t *sc, const char *service)
{
    char title[128], err[ERR_LEN];
    snprintf(title, sizeof title, "Enabling %s", service);
    te_ui_step_begin(title);
    if (te_svc_run(sc, TE_SVC_START, service, err, sizeof err) != TE_OK ||
        te_svc_run(sc, TE_SVC_ENABLE, service, err, sizeof err) != TE_OK) {
        te_ui_step_fail(title, "%s", err);
        return false;
    }
    te_ui_step_ok(title);
    return true;
}

static int test_connection(const te_cloud_settings_t *s)
{
    if (!te_bridge_file_exists(s)) {
        te_ui_error("Device is not connected to %s cloud", te_cloud_display_name(s->cloud));
        return TE_EXIT_FAILURE;
    }
    if (!check_once_step(s))
        return TE_EXIT_FAILURE;
    if (s->cloud == TE_CLOUD_C8Y && !s->basic_auth) {
        /* thin-edge.io exits 0 on a mismatch (#2170, #2207); we fail */
        if (tenant_matches(s) != 1)
            return TE_EXIT_FAILURE;
    }
    fprintf(stderr, "Connection check to %s cloud is successful.\n", te_cloud_name(s->cloud));
    return TE_EXIT_OK;
}

typedef enum shift {
    SHIFT_NONE,       /* no <cert>.new */
    SHIFT_PROMOTED,   /* <cert>.new is now <cert> */
    SHIFT_KEPT_OLD,   /* <cert>.new not used: exit 3 if the rest succeeds */
} shift_t;

static void keep_current(const char *cert_path)
{
    fprintf(stderr, "  => keep using the current certificate unchanged %s\n", cert_path);
}

/* Step 6: a renewed certificate replaces the current one once the cloud
 * accepts it. c8y: a direct connection with it (the device creation
 * message, as step 8), up to timing.attempts tries timing.retry_sleep_s
 * apart; az and aws: promoted unchecked, as thin-edge.io does. Offline (no
 * check possible) and basic auth (no certificate used) leave it alone. */
static shift_t promote_new_certificate(const te_cloud_settings_t *s, bool offline)
{
    char new_path[1200];
    struct stat st;
    snprintf(new_path, sizeof new_path, "%s.new", s->cert_path);
    if (s->basic_auth || lstat(new_path, &st) != 0)
        return SHIFT_NONE;
    if (offline) {
        fprintf(stderr, "Offline mode. Skipping new device certificate validation\n"
                        "  => use current certificate %s\n"
                        "  => ignoring new certificate %s\n", s->cert_path, new_path);
        return SHIFT_KEPT_OLD;
    }
    char title[1300], err[ERR_LEN] = "";
    te_cloud_settings_t trial = *s; /* shallow: only cert_path differs, nothing is freed */
    trial.cert_path = new_path;
    bool accepted = false;
    for (unsigned attempt = 1; !accepted; attempt++) {
        if (attempt == 1)
            snprintf(title, sizeof title, "Validating new certificate: %s", new_path);
        else
            snprintf(title, sizeof title, "Validating new certificate: attempt %u of %u", attempt, s->timing.attempts);
        te_ui_step_begin(title);
        accepted = s->cloud != TE_CLOUD_C8Y || te_connect_c8y_create_device(&trial, err, sizeof err) == TE_OK;
        if (accepted) {
            te_ui_step_ok(title);
        } else {
            te_ui_step_failed(title);
            if (attempt >= s->timing.attempts)
                break;
            sleep_s(s->timing.retry_sleep_s);
        }
    }
    if (!accepted) {
        fprintf(stderr, "Error validating the new certificate: %s\n", err);
        keep_current(s->cert_path);
        return SHIFT_KEPT_OLD;
    }
    if (rename(new_path, s->cert_path) != 0) {
        int e = errno;
        fprintf(stderr, "Error replacing the device certificate by the new one: %s (os error %d)\n", strerror(e), e);
        keep_current(s->cert_path);
        return SHIFT_KEPT_OLD;
    }
    fprintf(stderr, "The new certificate is now the active certificate %s\n", s->cert_path);
    return SHIFT_PROMOTED;
}

/* Steps 7-12: files, mosquitto. Returns -1 to go on, else the exit code. */
static int new_bridge(te_config_t *cfg, const te_sysconfig_t *sc, const te_cloud_settings_t *s, bool offline)
{
    char err[ERR_LEN], unavailable[ERR_LEN];
    bool available = te_svc_available(sc, unavailable, sizeof unavailable);
    if (!available)
        te_ui_warning("'%s' service manager is not available on the system.", sc->init_name);

    if (s->cloud == TE_CLOUD_C8Y) {
        if (offline) {
            fprintf(stderr, "Offline mode. Skipping device creation in Cumulocity cloud.\n");
        } else {
            static const char title[] = "Creating device in Cumulocity cloud";
            te_ui_step_begin(title);
            if (te_connect_c8y_create_device(s, err, sizeof err) != TE_OK) {
                te_ui_step_fail(title, "%s", err);
                return TE_EXIT_FAILURE;
            }
            te_ui_step_ok(title);
        }
    }

    /* mqtt.bind.enabled is not a key of this version: always written */
    if (te_write_mosquitto_conf(cfg, err, sizeof err) != TE_OK) {
        te_ui_error("%s", err);
        return TE_EXIT_FAILURE;
    }

    static const char creating[] = "Creating mosquitto bridge";
    te_ui_step_begin(creating);
    if (te_write_bridge_file(s, true, offline, err, sizeof err) != TE_OK) {
        te_ui_step_fail(creating, "%s", err);
        return TE_EXIT_FAILURE;
    }
    te_ui_step_ok(creating);

    if (!available) {
        printf("'tedge connect' configured the necessary tedge components, but you will have to start the "
               "required services on your own.\n"
               "Start/restart mosquitto and other thin edge components.\n"
               "thin-edge.io works seamlessly with 'systemd'.\n\n");
        fflush(stdout);
        te_ui_error("%s", unavailable);
        return TE_EXIT_OK;
    }

    static const char restarting[] = "Restarting mosquitto";
    te_ui_step_begin(restarting);
    te_err_t rc = te_svc_run(sc, TE_SVC_STOP, "mosquitto", err, sizeof err);
    if (rc == TE_OK) {
        te_chown_cert_and_key(s);
        rc = te_svc_run(sc, TE_SVC_RESTART, "mosquitto", err, sizeof err);
    }
    if (rc != TE_OK) {
        te_ui_step_fail(restarting, "%s", err);
        clean_up(s);
        return TE_EXIT_FAILURE;
    }
    te_ui_step_ok(restarting);

    static const char waiting[] = "Waiting for mosquitto to be listening for connections";
    te_ui_step_begin(waiting);
    if (wait_for_mosquitto(s, err, sizeof err) != TE_OK) {
        te_ui_step_fail(waiting, "%s", err);
        return TE_EXIT_FAILURE;
    }
    te_ui_step_ok(waiting);

    if (te_svc_run(sc, TE_SVC_ENABLE, "mosquitto", err, sizeof err) != TE_OK) {
        clean_up(s);
        te_ui_error("%s", err);
        return TE_EXIT_FAILURE;
    }
    return -1;
}

int te_connect_run(const te_cli_ctx_t *ctx, te_cloud_t cloud, bool offline, bool test, bool reconnect)
{
    const char *display = te_cloud_display_name(cloud);
    char what[128];
    if (test)
        snprintf(what, sizeof what, "test connection to %s cloud.", display);
    else if (reconnect)
        snprintf(what, sizeof what, "reconnect %s cloud", display);
    else
        snprintf(what, sizeof what, "connect to %s cloud.", display);

    te_config_t *cfg = NULL;
    te_sysconfig_t *sc = NULL;
    int exit_code = te_connect_load(ctx, what, &cfg, &sc);
    if (exit_code >= 0)
        return exit_code;
    te_cloud_settings_t s;
    if (te_cloud_settings_resolve(cfg, cloud, &s, what) != 0 || te_connect_validate_profiles(cfg, cloud, what) != 0) {
        te_cloud_settings_free(&s);
        te_sysconfig_free(sc);
        te_config_free(cfg);
        return TE_EXIT_FAILURE;
    }
    char title[128];
    snprintf(title, sizeof title, "%s %s", test ? "Testing connection to" : reconnect ? "Reconnecting to" : "Connecting to",
             display);
    te_cloud_settings_summary(cfg, &s, sc, title);

    if (test) {
        exit_code = test_connection(&s);
    } else if (te_bridge_file_exists(&s)) {
        char cause[256];
        snprintf(cause, sizeof cause,
                 "Connection is already established. To remove the existing connection, run `tedge disconnect %s` "
                 "and try again.", te_cloud_name(cloud));
        const char *causes[] = {cause};
        exit_code = te_ui_fail_plain(what, causes, 1);
    } else {
        shift_t shift = promote_new_certificate(&s, offline);
        exit_code = new_bridge(cfg, sc, &s, offline);
        if (exit_code < 0) {
            bool checked = true;
            if (!offline && !check_with_retries(&s)) {
                te_ui_warning("Bridge has been configured, but %s connection check failed.", display);
                checked = false;
            }
            char mapper[128];
            te_mapper_service_name(cloud, s.profile, mapper, sizeof mapper);
            if (te_which("tedge-mapper"))
                start_and_enable(sc, mapper);
            else
                te_ui_warning("tedge-mapper is not installed.");
            if (cloud == TE_CLOUD_C8Y) {
                if (checked && !offline && !s.basic_auth)
                    (void)tenant_matches(&s);
                if (te_which("tedge-agent")) {
                    start_and_enable(sc, "tedge-agent");
                } else {
                    printf("Info: Software management is not installed. So, skipping enabling related components.\n\n");
                    fflush(stdout);
                }
            }
            if (checked) {
                exit_code = TE_EXIT_OK;
            } else {
                te_ui_error("Connection check failed");
                exit_code = TE_EXIT_FAILURE;
            }
        }
        if (exit_code == TE_EXIT_OK && shift == SHIFT_KEPT_OLD) {
            fprintf(stderr, "Successfully connected, however not using the new certificate\n");
            exit_code = TE_EXIT_NEW_CERT_UNUSED;
        }
    }
    te_cloud_settings_free(&s);
    te_sysconfig_free(sc);
    te_config_free(cfg);
    return exit_code;
}

/* Parses "<cloud> [options]" for connect, disconnect and reconnect.
 * Returns -1 when parsed, else the exit code (help printed or usage error). */
int te_connect_parse_args(const char *command, int argc, char **argv, bool allow_test, bool allow_offline,
                          te_cloud_t *cloud, bool *offline, bool *test, char *profile, size_t profile_size)
{
    *offline = *test = false;
    if (argc < 2) {
        if (strcmp(command, "connect") == 0)
            fputs(connect_help, stderr);
        else
            fprintf(stderr, "Usage: tedge %s <COMMAND>\n\nCommands:\n  c8y\n  az\n  aws\n", command);
        return TE_EXIT_USAGE;
    }
    const char *name = argv[1];
    if (strcmp(name, "-h") == 0 || strcmp(name, "--help") == 0 || strcmp(name, "help") == 0) {
        if (strcmp(command, "connect") == 0)
            fputs(connect_help, stdout);
        else
            printf("Usage: tedge %s <COMMAND>\n\nCommands:\n  c8y\n  az\n  aws\n\nOptions:\n  -h, --help  Print help\n",
                   command);
        return TE_EXIT_OK;
    }
    if (te_cloud_parse(name, cloud) != TE_OK)
        return te_cli_usage_error("unrecognized subcommand '%s'\n\nUsage: tedge %s <COMMAND>", name, command);
    const char *display = te_cloud_display_name(*cloud);
    bool explicit_profile = false;
    profile[0] = '\0';
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            if (strcmp(command, "connect") == 0)
                printf(connect_cloud_help, display, name, name, display);
            else
                printf("Usage: tedge %s %s%s\n\nOptions:\n%s  -h, --help  Print help\n", command, name,
                       allow_offline ? " [OPTIONS]" : "",
                       allow_offline ? "      --offline  Ignore connection registration and connection check\n" : "");
            return TE_EXIT_OK;
        } else if (allow_test && strcmp(a, "--test") == 0) {
            *test = true;
        } else if (allow_offline && strcmp(a, "--offline") == 0) {
            *offline = true;
        } else if (strcmp(a, "--profile") == 0 || strncmp(a, "--profile=", 10) == 0) {
            const char *value = a[9] == '=' ? a + 10 : (i + 1 < argc ? argv[++i] : NULL);
            if (!value)
                return te_cli_usage_error("a value is required for '--profile <PROFILE>' but none was supplied");
            char reason[128];
            if (te_config_profile_name(value, profile, profile_size, reason, sizeof reason) != TE_OK) {
                profile[0] = '\0';
                return te_cli_usage_error("invalid value '%s' for '--profile <PROFILE>': %s", value, reason);
            }
            explicit_profile = true;
        } else {
            return te_cli_usage_error("unexpected argument '%s' found\n\nUsage: tedge %s %s%s", a, command, name,
                                      allow_offline ? " [OPTIONS]" : "");
        }
    }
    const char *env = getenv("TEDGE_CLOUD_PROFILE");
    if (!explicit_profile && env && *env) {
        char reason[128];
        if (te_config_profile_name(env, profile, profile_size, reason, sizeof reason) != TE_OK) {
            profile[0] = '\0';
            return te_cli_usage_error("invalid value '%s' for '--profile <PROFILE>': %s", env, reason);
        }
    }
    return -1;
}

int te_cli_connect_main(const te_cli_ctx_t *ctx, int argc, char **argv)
{
    te_cloud_t cloud;
    bool offline, test;
    char profile[TE_PROFILE_NAME_MAX];
    int rc = te_connect_parse_args("connect", argc, argv, true, true, &cloud, &offline, &test, profile, sizeof profile);
    if (rc >= 0)
        return rc;
    te_cli_ctx_t with_profile = *ctx;
    with_profile.profile = profile[0] ? profile : NULL; /* "" = none */
    return te_connect_run(&with_profile, cloud, offline, test, false);
}
