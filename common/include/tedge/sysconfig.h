/* sysconfig: <config-dir>/system.toml (spec/cli.md §6.4): the user and group
 * owning tedge's files, the init system's argv lists ([init]: no shell, "{}"
 * replaced by the service name), the reboot command ([system]) and per-service
 * log levels ([log]). A missing file means the systemd defaults.
 *
 * Memory: te_sysconfig_t owns all its strings; argv lists built by
 * te_sysconfig_argv are the caller's (te_sysconfig_argv_free). */
#ifndef TEDGE_SYSCONFIG_H
#define TEDGE_SYSCONFIG_H

#include <stddef.h>
#include <stdint.h>
#include "tedge/err.h"

#define TE_SYSCONFIG_FILE "system.toml"

typedef enum te_svc_action {
    TE_SVC_IS_AVAILABLE,
    TE_SVC_RESTART,
    TE_SVC_STOP,
    TE_SVC_START,
    TE_SVC_ENABLE,
    TE_SVC_DISABLE,
    TE_SVC_IS_ACTIVE,
    TE_SVC_N_ACTIONS,
} te_svc_action_t;

/* An argv list: n strings (no terminating NULL stored in n). */
typedef struct te_argv_list {
    char **args;
    size_t n;
} te_argv_list_t;

typedef struct te_sysconfig {
    char *path;                               /* <config-dir>/system.toml */
    char *user;                               /* "tedge" by default */
    char *group;                              /* "tedge" by default */
    char *init_name;                          /* "systemd" by default */
    te_argv_list_t init[TE_SVC_N_ACTIONS];    /* by te_svc_action_t */
    te_argv_list_t reboot;                    /* ["init", "6"] */
    int64_t reboot_timeout_seconds;           /* 120 */
    char **log_names, **log_levels;           /* [log] entries, n_log of each */
    size_t n_log;
} te_sysconfig_t;

/* Loads <config_dir>/system.toml (missing: defaults). On error *cfg is NULL
 * and err holds the message tedge prints: "Toml syntax error in the system
 * config file '<path>': <reason>" (bad TOML, unknown key in [init] or
 * [system], wrong type, missing [init] field).
 * Returns TE_OK, TE_ERR_CONFIG, TE_ERR_PERM, TE_ERR_IO or TE_ERR_NOMEM. */
te_err_t te_sysconfig_load(te_sysconfig_t **cfg, const char *config_dir, char *err,
                           size_t errlen) TE_MUST_USE;
void te_sysconfig_free(te_sysconfig_t *cfg);

/* "is_available", "restart", "stop", "start", "enable", "disable", "is_active". */
const char *te_svc_action_name(te_svc_action_t action);

/* Builds the argv (NULL-terminated, *argv caller-owned) of an action for a
 * service, each "{}" replaced by service (is_available takes no service and
 * needs no placeholder). On TE_ERR_CONFIG err holds "Syntax error in the
 * system config file for '<action>': A placeholder '{}' is missing.\nCheck
 * '<path>' file." (or "Requires 1 or more arguments.").
 * Returns TE_OK, TE_ERR_CONFIG or TE_ERR_NOMEM. */
te_err_t te_sysconfig_argv(const te_sysconfig_t *cfg, te_svc_action_t action, const char *service,
                           char ***argv, char *err, size_t errlen) TE_MUST_USE;
void te_sysconfig_argv_free(char **argv);

/* The command line as thin-edge.io shows it: argv joined by single spaces.
 * Returns TE_OK or TE_ERR_TOOBIG (truncated). */
te_err_t te_sysconfig_argv_text(char *const *argv, char *buf, size_t size) TE_MUST_USE;

#endif
