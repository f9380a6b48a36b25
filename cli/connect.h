/* connect: what the cloud-connection commands share (tedge connect,
 * disconnect, reconnect, refresh-bridges, init): the resolved settings of one
 * cloud, the "step" output style of spec/cli.md §1, service commands run
 * through system.toml, the direct connection to Cumulocity and the
 * connection checks through the local broker. Internal to cli/. */
#ifndef TEDGE_CLI_CONNECT_H
#define TEDGE_CLI_CONNECT_H

#include <stdbool.h>
#include <stddef.h>

#include "cli.h"
#include "tedge/bridge.h"
#include "tedge/config.h"
#include "tedge/err.h"
#include "tedge/sysconfig.h"

#define TE_CONNECT_ERR_LEN 2048

/* ---- output (connect_ui.c) ------------------------------------------- */

/* Whether stderr gets colours (a TTY and no NO_COLOR). */
bool te_ui_colour(void);
/* A step: "<title>... ✓" or "<title>... ✗" then "error: <message>" (stderr).
 * On a TTY, begin shows the title at once; end completes the line. */
void te_ui_step_begin(const char *title);
void te_ui_step_ok(const char *title);
/* "<title>... ✗" alone: the caller reports the error later. */
void te_ui_step_failed(const char *title);
void te_ui_step_fail(const char *title, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* "warning: <message>" / "error: <message>" on stderr. */
void te_ui_warning(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void te_ui_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* One "\t<name>: <value>" line of the connection summary. */
void te_ui_summary_entry(const char *name, const char *value);
/* The plain error style: "Error: failed to <what>", blank line, "Caused by:"
 * and the causes (several are numbered 0:, 1:, ...; a multi-line cause is
 * indented on every line). Returns 1 (TE_EXIT_FAILURE). */
int te_ui_fail_plain(const char *what, const char *const *causes, size_t n_causes);

/* ---- service commands (connect_service.c) ---------------------------- */

/* Runs an [init] action for service (output discarded, no shell).
 * Returns TE_OK; TE_ERR_CONFIG (bad system.toml), TE_ERR_NOTFOUND (not
 * executable) or TE_ERR_IO (non-zero exit or signal), err holding thin-edge's
 * message ("Service command <\"...\"> failed with code: N."). */
te_err_t te_svc_run(const te_sysconfig_t *sc, te_svc_action_t action, const char *service, char *err,
                    size_t errlen) TE_MUST_USE;
/* Runs is_available. false: err holds "Failed to execute '<cmd>' to check the
 * service manager availability.\nService manager '<name>' is not available ...". */
bool te_svc_available(const te_sysconfig_t *sc, char *err, size_t errlen);
/* True when an executable called name is on $PATH. */
bool te_which(const char *name);
/* Runs argv (PATH lookup, no shell), its stdout into out (NUL-terminated,
 * truncated to outlen - 1), stderr discarded. Returns the exit code, or -1
 * when it could not run or was killed. */
int te_run_capture(char *const argv[], char *out, size_t outlen);
/* The first line of `mosquitto --help` without "mosquitto version ", in buf;
 * false when mosquitto could not be run. */
bool te_mosquitto_version(char *buf, size_t size);

/* ---- resolved settings of one cloud (cmd_connect.c) ------------------- */

typedef struct te_local_broker {
    const char *host;
    int port;
    const char *username;
    char password[256];       /* first line of mqtt.client.auth.password_file */
    bool has_password;
    const char *ca_file, *ca_dir, *cert_file, *key_file;
} te_local_broker_t;

typedef struct te_connect_timing {
    unsigned response_timeout_s;  /* an attempt ends after this long without traffic (10) */
    unsigned attempts;            /* connection check attempts (5) */
    unsigned retry_sleep_s;       /* first sleep between attempts, doubling (2) */
    unsigned cloud_timeout_s;     /* direct cloud connection timeout (60) */
    unsigned ack_timeout_s;       /* device creation acknowledgement (5, the keepalive) */
    unsigned mosquitto_wait_s;    /* wait for mosquitto to listen (20) */
} te_connect_timing_t;

typedef struct te_cloud_settings {
    te_cloud_t cloud;
    const char *url;              /* <cloud>.url */
    char mqtt_host[256];          /* cloud MQTT endpoint */
    unsigned mqtt_port;
    char address[300];            /* "host:port" */
    char http_host[256];          /* c8y.http host */
    const char *device_id;
    const char *cert_path, *key_path, *root_cert_path;
    const char *topic_prefix, *topic_root;
    const char *device_type;
    unsigned keepalive_s;
    bool basic_auth;
    const char *credentials_path;
    char *username, *password;    /* basic auth, owned */
    bool include_local_cleansession;
    bool mosquitto_version_known;
    char mosquitto_version[64];
    bool mqtt_service;
    const char *const *templates, *const *templates1, *const *service_topics;
    size_t n_templates, n_templates1, n_service_topics;
    const char *profile;          /* the cloud profile (points to profile_name), or NULL */
    char profile_name[TE_PROFILE_NAME_MAX];
    char bridge_file[1024];        /* <config-dir>/mosquitto-conf/<cloud>[@<profile>]-bridge.conf */
    char conf_dir[512];           /* <config-dir>/mosquitto-conf */
    te_local_broker_t local;
    te_connect_timing_t timing;
} te_cloud_settings_t;

/* ---- settings and files (connect_settings.c) ---------------------------- */

/* Loads tedge.toml (errors: plain style naming what) and system.toml (errors:
 * "Error: missing configuration parameter", as thin-edge.io reports problems
 * found while preparing a command), with ctx->profile applied to the config
 * when set. Returns -1 on success, else the exit code after printing the
 * error. Both are the caller's to free. */
int te_connect_load(const te_cli_ctx_t *ctx, const char *what, te_config_t **cfg, te_sysconfig_t **sc);

/* Resolves the settings of cloud from the config (url, device id, paths,
 * prefixes, auth, timings). On failure prints the plain error naming what and
 * returns 1; else 0. */
int te_cloud_settings_resolve(te_config_t *cfg, te_cloud_t cloud, te_cloud_settings_t *s, const char *what);
void te_cloud_settings_free(te_cloud_settings_t *s);

/* Prints "<title>:" and the tab-indented summary lines (stderr). */
void te_cloud_settings_summary(te_config_t *cfg, const te_cloud_settings_t *s, const te_sysconfig_t *sc,
                               const char *title);

/* Writes <config-dir>/mosquitto-conf/tedge-mosquitto.conf (atomic, 0644),
 * creating the directory. Returns TE_OK or an error with err set. */
te_err_t te_write_mosquitto_conf(te_config_t *cfg, char *err, size_t errlen) TE_MUST_USE;
/* Writes the bridge file of s (atomic, 0644). validate: first check the root
 * certificate path and the device certificate and key (and their validity
 * unless offline). Returns TE_OK or an error with err set. */
te_err_t te_write_bridge_file(const te_cloud_settings_t *s, bool validate, bool offline, char *err,
                              size_t errlen) TE_MUST_USE;
/* chown of the device certificate and key to mosquitto:mosquitto (warnings
 * only; the key is skipped when absent; nothing with basic auth). */
void te_chown_cert_and_key(const te_cloud_settings_t *s);
/* Whether the bridge file of s exists ("connected"). */
bool te_bridge_file_exists(const te_cloud_settings_t *s);

/* ---- commands (cmd_connect.c, connect_bridges.c) ----------------------- */

/* The connect flow of spec/cli.md §4.2 (test: §4.3 only; reconnect: the
 * titles of §4.7). Returns the exit code. */
int te_connect_run(const te_cli_ctx_t *ctx, te_cloud_t cloud, bool offline, bool test, bool reconnect);
/* Parses "<cloud> [--test] [--offline] [--profile P]" (argv[0] is the
 * command; the profile also from TEDGE_CLOUD_PROFILE) into the out
 * parameters; profile[profile_size] gets the profile lower-cased, "" for
 * none (give it to te_connect_load through te_cli_ctx_t.profile). Returns -1
 * when parsed, else the exit code (help printed or usage error). */
int te_connect_parse_args(const char *command, int argc, char **argv, bool allow_test, bool allow_offline,
                          te_cloud_t *cloud, bool *offline, bool *test, char *profile, size_t profile_size);
/* The mapper service of cloud: "tedge-mapper-c8y", with a profile
 * "tedge-mapper-c8y@P" (spec/cli.md §4.2 step 14). */
void te_mapper_service_name(te_cloud_t cloud, const char *profile, char *buf, size_t size);
/* Step 3 (spec/cli.md §4.2): the profiles of cloud that are configured (the
 * default one and every <cloud>.profiles.P with a URL) must differ in URL or
 * device id, in bridge.topic_prefix and (c8y) proxy.bind.port. Prints the
 * plain error naming what and returns 1; else 0. */
int te_connect_validate_profiles(te_config_t *cfg, te_cloud_t cloud, const char *what);
/* The disconnect flow of §4.6; title_line: print "Disconnecting from <Cloud>:" first. */
int te_disconnect_run(const te_cli_ctx_t *ctx, te_cloud_t cloud, const char *what);

/* ---- cloud connection (connect_direct.c) ------------------------------- */

/* Checks the device certificate and key: readable, parsable, paired, and (if
 * check_validity) valid now. err explains what is wrong and what to do.
 * Returns TE_OK, TE_ERR_NOTFOUND, TE_ERR_PARSE, TE_ERR_CONFIG (not paired,
 * expired, not yet valid) or TE_ERR_NOMEM. */
te_err_t te_connect_check_device_cert(const char *cert_path, const char *key_path, bool check_validity,
                                      char *err, size_t errlen) TE_MUST_USE;

/* Connects to Cumulocity directly (TLS, device certificate or basic auth,
 * client id = device id, keepalive 5 s) and publishes 100,<id>,<type> on
 * s/us with QoS 1; success is its PUBACK. err explains TLS failures.
 * Returns TE_OK, TE_ERR_NOCONN, TE_ERR_TIMEOUT, TE_ERR_CONFIG or TE_ERR_MQTT. */
te_err_t te_connect_c8y_create_device(const te_cloud_settings_t *s, char *err, size_t errlen) TE_MUST_USE;

/* ---- checks through the local broker (connect_check.c) ---------------- */

/* One attempt of the connection check of spec/cli.md §4.3.
 * Returns TE_OK or an error with err set. */
te_err_t te_connect_check_once(const te_cloud_settings_t *s, char *err, size_t errlen) TE_MUST_USE;
/* Asks Cumulocity for a JWT through the bridge and returns its "iss" in
 * iss (e.g. "t123.cumulocity.com"). Returns TE_OK or an error with err set. */
te_err_t te_connect_c8y_tenant(const te_cloud_settings_t *s, char *iss, size_t iss_size, char *err,
                               size_t errlen) TE_MUST_USE;
/* Decodes the payload of a JWT ("71,<header>.<payload>.<sig>" or the bare
 * token) and copies its "iss" into iss. err: thin-edge's message for an
 * invalid token. Returns TE_OK or TE_ERR_PARSE. */
te_err_t te_jwt_issuer(const char *token, char *iss, size_t iss_size, char *err, size_t errlen) TE_MUST_USE;

#endif
