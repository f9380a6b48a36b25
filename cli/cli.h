/* cli: what the `tedge` subcommands share: the global options main() parsed
 * and the usage-error convention of spec/cli.md §1 (exit 2). */
#ifndef TEDGE_CLI_H
#define TEDGE_CLI_H

#include <stdbool.h>
#include "tedge/log.h"

typedef struct te_cli_ctx {
    const char *config_dir; /* from --config-dir, else $TEDGE_CONFIG_DIR, else /etc/tedge */
    te_log_level_t log_level;
    const char *profile;    /* cloud profile of a connect/disconnect command, or NULL */
} te_cli_ctx_t;

/* 3: connect/reconnect succeeded, but a renewed certificate (<cert>.new)
 * was not promoted (spec/cli.md §1, §4.2 step 6). */
enum { TE_EXIT_OK = 0, TE_EXIT_FAILURE = 1, TE_EXIT_USAGE = 2, TE_EXIT_NEW_CERT_UNUSED = 3 };

/* Prints "error: <msg>" and the --help hint on stderr; returns TE_EXIT_USAGE. */
int te_cli_usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Prints the plain error style: "Error: failed to <what>", blank line,
 * "Caused by:" and the cause indented 4 spaces; returns TE_EXIT_FAILURE. */
int te_cli_fail(const char *what, const char *cause_fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Subcommands: argv[0] is the subcommand name; return the exit code. */
int te_cli_config_main(const te_cli_ctx_t *ctx, int argc, char **argv);
int te_cli_mqtt_main(const te_cli_ctx_t *ctx, int argc, char **argv);
int te_cli_connect_main(const te_cli_ctx_t *ctx, int argc, char **argv);
int te_cli_disconnect_main(const te_cli_ctx_t *ctx, int argc, char **argv);
int te_cli_reconnect_main(const te_cli_ctx_t *ctx, int argc, char **argv);
int te_cli_refresh_bridges_main(const te_cli_ctx_t *ctx, int argc, char **argv);
int te_cli_init_main(const te_cli_ctx_t *ctx, int argc, char **argv);
int te_cli_cert_main(const te_cli_ctx_t *ctx, int argc, char **argv);

#endif
