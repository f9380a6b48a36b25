/* service: what every long-running tedge process shares: the common command
 * line (--config-dir, --log-level, --debug, --help, --version), the loaded
 * config, one libuv loop, the bus connection to the local broker (named by
 * mqtt.client.*), health (registration, up, down as last will) and SIGTERM /
 * SIGINT handling: publish down, flush, disconnect, exit 0.
 *
 * Memory: te_service_t is caller-owned (usually on main's stack); it owns its
 * config, bus and handles and releases them in te_service_run before returning. */
#ifndef TEDGE_SERVICE_H
#define TEDGE_SERVICE_H

#include <stdbool.h>
#include <uv.h>
#include "tedge/bus.h"
#include "tedge/config.h"
#include "tedge/health.h"

/* Incoming messages above this size are dropped and reported on <root>/errors. */
#define TE_SERVICE_MAX_INPUT_BYTES (1024u * 1024u)

typedef struct te_service_def {
    const char *name;         /* service name and MQTT client id, "tedge-agent" */
    const char *summary;      /* first line of --help */
    bool persistent_session;  /* clean_session false: nothing lost across restarts */
    /* Accept --profile P (a cloud mapper): the cloud keys of profile P are
     * read (te_config_use_profile). */
    bool cloud_profiles;
    /* Config key whose value v names the service "tedge-mapper-<v>" (service
     * name, client id, health), e.g. "az.bridge.topic_prefix"; NULL: name. */
    const char *name_key;
    /* Called on every (re)connection after health was announced, and on loss. */
    void (*on_connection)(void *ctx, bool connected);
    /* Called once the process is asked to stop, before health down is sent. */
    void (*on_stop)(void *ctx);
    void *ctx;
} te_service_def_t;

typedef struct te_service {
    const te_service_def_t *def;
    uv_loop_t loop;
    te_config_t *cfg;
    te_bus_t *bus;
    te_health_t health;
    char name[128];           /* the service name: def->name or from def->name_key */
    char profile[64];         /* --profile, "" for none */
    char topic_root[64];      /* mqtt.topic_root */
    char device_topic_id[256];/* mqtt.device_topic_id */
    char errors_topic[80];    /* <root>/errors */
    uv_signal_t sigterm, sigint;
    bool stopping;
    int exit_code;
} te_service_t;

/* Room for the password read from mqtt.client.auth.password_file. */
#define TE_SERVICE_PASSWORD_MAX 256

/* Fills the connection part of opts from the mqtt.client.* keys of cfg: host,
 * port, username, the password (first line of password_file, copied into
 * password[TE_SERVICE_PASSWORD_MAX]) and the TLS files (TLS is used when a CA
 * file or dir is set). Strings point into cfg and password: keep both alive
 * until te_bus_open copied them. Returns TE_OK, or TE_ERR_CONFIG with the
 * reason in err (unreadable password file). */
te_err_t te_service_bus_opts(te_config_t *cfg, te_bus_opts_t *opts, char *password,
                             char *err, size_t errlen) TE_MUST_USE;

/* Parses the command line, loads the config, sets up logging, the loop and
 * the bus (connecting in the background). Returns -1 when the caller should
 * go on to te_service_run, else the exit code to return at once (0 after
 * --help/--version, 1 on a config error, 2 on a usage error; the message is
 * already printed). */
int te_service_init(te_service_t *svc, const te_service_def_t *def, int argc, char **argv);

/* Runs the loop until stopped; releases everything; returns the exit code. */
int te_service_run(te_service_t *svc);

/* Asks the service to stop: on_stop, health down, flush, disconnect. */
void te_service_stop(te_service_t *svc, int exit_code);

/* Publishes a plain-text error on <root>/errors (QoS 1, not retained) and logs it. */
void te_service_report_error(te_service_t *svc, const char *text);

#endif
