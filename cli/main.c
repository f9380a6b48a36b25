/* tedge: the command-line interface. Parses the global options (allowed
 * anywhere on the line, up to a "--") and dispatches to a subcommand. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "tedge/log.h"

static const char usage_text[] =
    "tedge: manage this device's connection to IoT clouds\n"
    "\n"
    "Usage: tedge [OPTIONS] <COMMAND>\n"
    "\n"
    "Commands:\n"
    "  cert             Create and manage device certificate\n"
    "  config           Get, set, unset, add, remove or list configuration keys\n"
    "  connect          Create connection to a specified cloud\n"
    "  disconnect       Remove bridge connection for a provided cloud\n"
    "  init             Initialize Thin Edge (directories and permissions)\n"
    "  mqtt             Publish a message on a topic, or subscribe to a topic filter\n"
    "  reconnect        Reconnect command, calls disconnect followed by connect\n"
    "  refresh-bridges  Refresh all currently active mosquitto bridges (restarts mosquitto)\n"
    "\n"
    "Options:\n"
    "      --config-dir <DIR>   Config directory [env: TEDGE_CONFIG_DIR] [default: /etc/tedge]\n"
    "      --debug              Same as --log-level debug\n"
    "      --log-level <LEVEL>  error, warn, info, debug or trace [default: warn]\n"
    "  -h, --help               Print help\n"
    "  -V, --version            Print version\n";

int te_cli_usage_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("error: ", stderr);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputs("\n\nFor more information, try '--help'.\n", stderr);
    return TE_EXIT_USAGE;
}

int te_cli_fail(const char *what, const char *cause_fmt, ...)
{
    va_list ap;
    va_start(ap, cause_fmt);
    fprintf(stderr, "Error: failed to %s\n\nCaused by:\n    ", what);
    vfprintf(stderr, cause_fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    return TE_EXIT_FAILURE;
}

/* Removes the global options from argv (in place); returns the new argc or
 * -1 after printing a usage error. */
static int take_global_options(te_cli_ctx_t *ctx, int argc, char **argv, bool *debug,
                               const char **level_text)
{
    int out = 1;
    bool passthrough = false;
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        if (passthrough) {
            argv[out++] = argv[i];
            continue;
        }
        if (strcmp(arg, "--") == 0) {
            passthrough = true;
            argv[out++] = argv[i];
        } else if (strcmp(arg, "--config-dir") == 0 || strcmp(arg, "--log-level") == 0) {
            if (i + 1 >= argc) {
                te_cli_usage_error("a value is required for '%s <VALUE>' but none was supplied", arg);
                return -1;
            }
            if (arg[2] == 'c')
                ctx->config_dir = argv[++i];
            else
                *level_text = argv[++i];
        } else if (strncmp(arg, "--config-dir=", 13) == 0) {
            ctx->config_dir = arg + 13;
        } else if (strncmp(arg, "--log-level=", 12) == 0) {
            *level_text = arg + 12;
        } else if (strcmp(arg, "--debug") == 0) {
            *debug = true;
        } else {
            argv[out++] = argv[i];
        }
    }
    argv[out] = NULL;
    return out;
}

int main(int argc, char **argv)
{
    te_cli_ctx_t ctx = {.config_dir = NULL, .log_level = TE_LOG_WARN};
    bool debug = false;
    const char *level_text = NULL;
    te_log_init("tedge", TE_LOG_WARN);
    argc = take_global_options(&ctx, argc, argv, &debug, &level_text);
    if (argc < 0)
        return TE_EXIT_USAGE;
    if (debug)
        ctx.log_level = TE_LOG_DEBUG;
    if (level_text && te_log_parse_level(level_text, &ctx.log_level) != TE_OK)
        return te_cli_usage_error("invalid value '%s' for '--log-level <LEVEL>'\n  [possible values: error, warn, info, debug, trace]",
                                  level_text);
    te_log_set_level(ctx.log_level);
    if (!ctx.config_dir) {
        const char *env = getenv("TEDGE_CONFIG_DIR");
        ctx.config_dir = (env && *env) ? env : "/etc/tedge";
    }

    if (argc < 2) {
        fputs(usage_text, stderr);
        return TE_EXIT_USAGE;
    }
    const char *command = argv[1];
    if (strcmp(command, "-h") == 0 || strcmp(command, "--help") == 0 || strcmp(command, "help") == 0) {
        fputs(usage_text, stdout);
        return TE_EXIT_OK;
    }
    if (strcmp(command, "-V") == 0 || strcmp(command, "--version") == 0) {
        printf("tedge %s\n", TEDGE_VERSION);
        return TE_EXIT_OK;
    }
    if (strcmp(command, "config") == 0)
        return te_cli_config_main(&ctx, argc - 1, argv + 1);
    if (strcmp(command, "mqtt") == 0)
        return te_cli_mqtt_main(&ctx, argc - 1, argv + 1);
    if (strcmp(command, "connect") == 0)
        return te_cli_connect_main(&ctx, argc - 1, argv + 1);
    if (strcmp(command, "disconnect") == 0)
        return te_cli_disconnect_main(&ctx, argc - 1, argv + 1);
    if (strcmp(command, "reconnect") == 0)
        return te_cli_reconnect_main(&ctx, argc - 1, argv + 1);
    if (strcmp(command, "refresh-bridges") == 0)
        return te_cli_refresh_bridges_main(&ctx, argc - 1, argv + 1);
    if (strcmp(command, "init") == 0)
        return te_cli_init_main(&ctx, argc - 1, argv + 1);
    if (strcmp(command, "cert") == 0)
        return te_cli_cert_main(&ctx, argc - 1, argv + 1);
    return te_cli_usage_error("unrecognized subcommand '%s'", command);
}
