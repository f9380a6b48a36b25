/* tedge config get|set|unset|add|remove|list (spec/cli.md §2.4): what is
 * printed, where and with which exit code is thin-edge.io's, byte for byte
 * where scripts may look at it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "tedge/config.h"
#include "tedge/log.h"

#define ERR_LEN 2048

static const char config_help[] =
    "Configure Thin Edge\n"
    "\n"
    "Usage: tedge config <COMMAND>\n"
    "\n"
    "Commands:\n"
    "  get     Get the value of the provided configuration key\n"
    "  set     Set or update the provided configuration key with the given value\n"
    "  unset   Unset the provided configuration key\n"
    "  add     Append or set the provided configuration key with the given value\n"
    "  remove  Remove value from the provided configuration key\n"
    "  list    Print the configuration keys and their values\n"
    "  help    Print this message or the help of the given subcommand(s)\n"
    "\n"
    "Options:\n"
    "  -h, --help  Print help\n"
    "\n"
    "Global options (--config-dir, --log-level, --debug) may be given anywhere.\n";

#define KEY_ARG_HELP "  <KEY>    Configuration key. Run `tedge config list --doc` for available keys\n"
#define PROFILE_HELP                                                                              \
    "      --profile <PROFILE>  The cloud profile you wish to use, if accessing a cloud\n"        \
    "                           configuration (i.e. `c8y.*`, `az.*` or `aws.*`)\n"               \
    "                           [env: TEDGE_CLOUD_PROFILE]\n"

typedef struct action {
    const char *name;
    const char *usage;      /* after "Usage: tedge config " */
    int n_args;             /* positional arguments required (list: up to 1) */
    const char *help;
} action_t;

static const action_t actions[] = {
    {"get", "get <KEY>", 1,
     "Get the value of the provided configuration key\n\n"
     "Usage: tedge config get <KEY> [OPTIONS]\n\n"
     "Arguments:\n" KEY_ARG_HELP "\n"
     "Options:\n" PROFILE_HELP "  -h, --help               Print help\n"},
    {"set", "set <KEY> <VALUE>", 2,
     "Set or update the provided configuration key with the given value\n\n"
     "Usage: tedge config set <KEY> <VALUE> [OPTIONS]\n\n"
     "Arguments:\n" KEY_ARG_HELP
     "  <VALUE>  Configuration value. Lists are given comma-separated: a,b,c\n\n"
     "Options:\n" PROFILE_HELP "  -h, --help               Print help\n"},
    {"unset", "unset <KEY>", 1,
     "Unset the provided configuration key\n\n"
     "Usage: tedge config unset <KEY> [OPTIONS]\n\n"
     "Arguments:\n" KEY_ARG_HELP "\n"
     "Options:\n" PROFILE_HELP "  -h, --help               Print help\n"},
    {"add", "add <KEY> <VALUE>", 2,
     "Append or set the provided configuration key with the given value\n\n"
     "For a list, the items (comma-separated) are added to the current value,\n"
     "which is then sorted without duplicates; any other key is set.\n\n"
     "Usage: tedge config add <KEY> <VALUE> [OPTIONS]\n\n"
     "Arguments:\n" KEY_ARG_HELP
     "  <VALUE>  Configuration value\n\n"
     "Options:\n" PROFILE_HELP "  -h, --help               Print help\n"},
    {"remove", "remove <KEY> <VALUE>", 2,
     "Remove value from the provided configuration key\n\n"
     "For a list, the items (comma-separated) are removed from the current value;\n"
     "any other key is unset when its value is the one given.\n\n"
     "Usage: tedge config remove <KEY> <VALUE> [OPTIONS]\n\n"
     "Arguments:\n" KEY_ARG_HELP
     "  <VALUE>  Configuration value\n\n"
     "Options:\n" PROFILE_HELP "  -h, --help               Print help\n"},
    {"list", "list [OPTIONS] [FILTER]", 1,
     "Print the configuration keys and their values\n\n"
     "Usage: tedge config list [OPTIONS] [FILTER]\n\n"
     "Arguments:\n"
     "  [FILTER]  Only list keys containing this text\n\n"
     "Options:\n"
     "      --all   Prints all the configuration keys, even those without a configured value\n"
     "      --doc   Prints all keys and descriptions with example values\n"
     "  -h, --help  Print help\n"},
};

typedef struct parsed_args {
    const action_t *action;
    const char *args[2];
    int n_args;
    bool all, doc;
    const char *profile;  /* --profile, or NULL */
} parsed_args_t;

/* Prints the plain error style with the cause chain of spec/cli.md §1:
 * causes are the lines of causes; a line starting with a space continues
 * the cause before it. Returns TE_EXIT_FAILURE. */
static int fail(const char *what, const char *causes)
{
    fprintf(stderr, "Error: failed to %s\n", what);
    if (!causes || !*causes)
        return TE_EXIT_FAILURE;
    int count = 0;
    for (const char *p = causes; p; p = strchr(p, '\n')) {
        if (*p == '\n')
            p++;
        if (*p != ' ')
            count++;
    }
    fputs("\nCaused by:\n", stderr);
    int number = 0;
    const char *line = causes;
    for (;;) {
        const char *end = strchr(line, '\n');
        int len = end ? (int)(end - line) : (int)strlen(line);
        if (line[0] == ' ' && line != causes)
            fputs(count > 1 ? "       " : "    ", stderr);
        else if (count > 1)
            fprintf(stderr, "%5d: ", number++);
        else
            fputs("    ", stderr);
        fprintf(stderr, "%.*s\n", len, line);
        if (!end)
            break;
        line = end + 1;
    }
    return TE_EXIT_FAILURE;
}

static int parse_args(int argc, char **argv, parsed_args_t *pa)
{
    bool positional_only = false;
    for (int i = 2; i < argc; i++) {
        const char *arg = argv[i];
        if (!positional_only && arg[0] == '-' && arg[1] != '\0') {
            if (strcmp(arg, "--") == 0) {
                positional_only = true;
            } else if (strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0) {
                fputs(pa->action->help, stdout);
                return TE_EXIT_OK;
            } else if (strcmp(pa->action->name, "list") == 0 && strcmp(arg, "--all") == 0) {
                pa->all = true;
            } else if (strcmp(pa->action->name, "list") == 0 && strcmp(arg, "--doc") == 0) {
                pa->doc = true;
            } else if (strcmp(pa->action->name, "list") != 0 &&
                       (strcmp(arg, "--profile") == 0 || strncmp(arg, "--profile=", 10) == 0)) {
                const char *value = arg[9] == '=' ? arg + 10 : (i + 1 < argc ? argv[++i] : NULL);
                if (!value)
                    return te_cli_usage_error("a value is required for '--profile <PROFILE>' but none was supplied");
                char lower[TE_PROFILE_NAME_MAX], reason[128];
                if (te_config_profile_name(value, lower, sizeof lower, reason, sizeof reason) != TE_OK)
                    return te_cli_usage_error("invalid value '%s' for '--profile <PROFILE>': %s", value, reason);
                pa->profile = value;
            } else {
                return te_cli_usage_error("unexpected argument '%s' found\n\n"
                                          "  tip: to pass '%s' as a value, use '-- %s'\n\n"
                                          "Usage: tedge config %s", arg, arg, arg, pa->action->usage);
            }
        } else if (pa->n_args < pa->action->n_args) {
            pa->args[pa->n_args++] = arg;
        } else {
            return te_cli_usage_error("unexpected argument '%s' found\n\nUsage: tedge config %s", arg,
                                      pa->action->usage);
        }
    }
    if (strcmp(pa->action->name, "list") != 0 && pa->n_args < pa->action->n_args) {
        const char *missing = pa->n_args == 0 && pa->action->n_args == 2 ? "  <KEY>\n  <VALUE>"
                              : pa->n_args == 0                          ? "  <KEY>"
                                                                         : "  <VALUE>";
        return te_cli_usage_error("the following required arguments were not provided:\n%s\n\n"
                                  "Usage: tedge config %s", missing, pa->action->usage);
    }
    return -1;
}

/* Length of the cloud of a key name ("c8y" of "c8y.url"), 0 if none. */
static size_t cloud_len(const char *name)
{
    static const char *const clouds[] = {"c8y.", "az.", "aws."};
    for (size_t i = 0; i < sizeof clouds / sizeof clouds[0]; i++)
        if (strncmp(name, clouds[i], strlen(clouds[i])) == 0)
            return strlen(clouds[i]) - 1;
    return 0;
}

/* The key named on the command line, or NULL after a usage error. */
static const te_cfg_key_t *key_arg(const char *name)
{
    char profile[TE_PROFILE_NAME_MAX];
    const te_cfg_key_t *key = te_config_key_split(name, profile, sizeof profile);
    if (!key) {
        te_cli_usage_error("invalid value '%s' for '<KEY>': Unknown tedge config key: '%s'", name, name);
        return NULL;
    }
    if (!profile[0] && strcmp(name, key->name) != 0)
        te_log_warn("The key '%s' is deprecated. Use '%s' instead.", name, key->name);
    return key;
}

/* The name of the key the command acts on, in out: with --profile P (or
 * TEDGE_CLOUD_PROFILE) a cloud key becomes <cloud>.profiles.P.<rest>, as
 * thin-edge.io's try_with_profile. Returns -1, or an exit code. */
static int profiled_name(const char *name, const te_cfg_key_t *key, const char *profile, char *out, size_t outlen)
{
    char own[TE_PROFILE_NAME_MAX];
    (void)te_config_key_split(name, own, sizeof own);
    /* the table's name (deprecated names migrated), keeping a profile given in the name */
    if (own[0] ? te_config_profiled_key(key->name, own, out, outlen) != TE_OK
               : (size_t)snprintf(out, outlen, "%s", key->name) >= outlen)
        return TE_EXIT_FAILURE;
    if (profile) {
        char with[256];
        if (own[0] || te_config_profiled_key(out, profile, with, sizeof with) != TE_OK) {
            fprintf(stderr, "error: You've supplied a profile, but %s is not a profiled configuration\n", out);
            return TE_EXIT_FAILURE;
        }
        snprintf(out, outlen, "%s", with);
        return -1;
    }
    const char *env = getenv("TEDGE_CLOUD_PROFILE");
    if (env && *env) {
        char lower[TE_PROFILE_NAME_MAX], reason[128], with[256];
        if (te_config_profile_name(env, lower, sizeof lower, reason, sizeof reason) != TE_OK) {
            fprintf(stderr, "error: Parsing TEDGE_CLOUD_PROFILE\n\nCaused by:\n    %s\n", reason);
            return TE_EXIT_FAILURE;
        }
        if (!own[0] && te_config_profiled_key(out, lower, with, sizeof with) == TE_OK)
            snprintf(out, outlen, "%s", with);
    }
    return -1;
}

static int cmd_get(const te_cli_ctx_t *ctx, const char *name)
{
    char what[512], err[ERR_LEN];
    snprintf(what, sizeof what, "get the configuration value for key: '%s'", name);
    te_config_t *cfg = NULL;
    if (te_config_load(&cfg, ctx->config_dir, false, err, sizeof err) != TE_OK)
        return fail(what, err);
    const char *value = NULL;
    te_err_t rc = te_config_read(cfg, name, &value, err, sizeof err);
    int exit_code = TE_EXIT_OK;
    if (rc == TE_OK) {
        printf("%s\n", value);
    } else if (rc == TE_ERR_NOTFOUND && err[0]) {
        /* thin-edge.io names device.id whichever device id was asked for */
        fprintf(stderr, "The provided config key: 'device.id' is not configured: %s\n", err);
        exit_code = TE_EXIT_FAILURE;
    } else if (rc == TE_ERR_NOTFOUND) {
        fprintf(stderr, "The provided config key: '%s' is not set\n", name);
        exit_code = TE_EXIT_FAILURE;
    } else {
        exit_code = fail(what, err[0] ? err : te_strerror(rc));
    }
    te_config_free(cfg);
    return exit_code;
}

/* set, unset, add and remove: change the file only, never baking in the environment. */
static int cmd_change(const te_cli_ctx_t *ctx, const char *action, const char *name, const char *value)
{
    char what[512], err[ERR_LEN] = "";
    if (strcmp(action, "unset") == 0)
        snprintf(what, sizeof what, "unset the configuration value for '%s'", name);
    else if (strcmp(action, "remove") == 0)
        snprintf(what, sizeof what, "Remove or unset the configuration value for '%s'", name);
    else
        snprintf(what, sizeof what, "set the configuration key: '%s' with value: %s.", name, value);
    te_config_t *cfg = NULL;
    if (te_config_check_env(err, sizeof err) != TE_OK ||
        te_config_load(&cfg, ctx->config_dir, true, err, sizeof err) != TE_OK)
        return fail(what, err);
    te_err_t rc;
    if (strcmp(action, "set") == 0)
        rc = te_config_set(cfg, name, value, err, sizeof err);
    else if (strcmp(action, "add") == 0)
        rc = te_config_add(cfg, name, value, err, sizeof err);
    else if (strcmp(action, "remove") == 0)
        rc = te_config_remove(cfg, name, value, err, sizeof err);
    else
        rc = te_config_unset(cfg, name);
    int exit_code = TE_EXIT_OK;
    if (rc == TE_ERR_CONFIG) {
        char causes[ERR_LEN + 32];
        snprintf(causes, sizeof causes, "Failed to parse input%s%s", err[0] ? "\n" : "", err);
        exit_code = fail(what, causes);
    } else if (rc == TE_ERR_PERM) {
        exit_code = te_cli_usage_error("invalid value '%s' for '<KEY>': '%s' is read-only", name, name);
    } else if (rc != TE_OK) {
        exit_code = fail(what, te_strerror(rc));
    } else if (te_config_save(cfg, err, sizeof err) != TE_OK) {
        exit_code = fail(what, err);
    }
    te_config_free(cfg);
    return exit_code;
}

static bool use_colour(void)
{
    const char *no_color = getenv("NO_COLOR");
    return isatty(STDOUT_FILENO) && !(no_color && *no_color);
}

static void print_doc(const char *filter)
{
    bool colour = use_colour();
    bool tty = isatty(STDOUT_FILENO);
    size_t width = 0;
    for (size_t i = 0; i < te_config_key_count(); i++) {
        const te_cfg_key_t *key = te_config_key_at(i);
        if ((!filter || strstr(key->name, filter)) && strlen(key->name) > width)
            width = strlen(key->name);
    }
    for (size_t i = 0; i < te_config_key_count(); i++) {
        const te_cfg_key_t *key = te_config_key_at(i);
        if (filter && !strstr(key->name, filter))
            continue;
        const char *doc = te_config_key_doc(key);
        if (!doc)
            doc = "";
        printf(colour ? "\033[33m%*s\033[0m  \033[3m%s%s\033[0m\n" : "%*s  %s%s\n", (int)width, key->name,
               doc, *doc ? " " : "");
        const char *note = te_config_key_note(key);
        if (note)
            printf(colour ? "%*s  \033[34mNote:\033[0m %s\n" : "%*s  Note: %s\n", (int)width, "", note);
        size_t examples = te_config_key_example(key) ? te_config_key_example_count(key) : 0;
        if (examples)
            printf(colour ? "%*s  \033[32m%s\033[0m %s\n" : "%*s  %s %s\n", (int)width, "",
                   examples == 1 ? "Example:" : "Examples:", te_config_key_example(key));
        if (!tty)
            putchar('\n');
    }
}

typedef struct name_list {
    char **names;
    size_t n;
} name_list_t;

/* Prints the keys of every profile of the cloud of last_key (the cloud's
 * last key in the table); keys without a value go to unsets. */
static void list_profiles(te_config_t *cfg, const char *last_key, size_t cl, const char *filter,
                          name_list_t *unsets)
{
    char cloud[8];
    snprintf(cloud, sizeof cloud, "%.*s", (int)cl, last_key);
    size_t n_profiles = te_config_profile_count(cfg, cloud);
    char **profiles = calloc(n_profiles + 1, sizeof *profiles);
    for (size_t p = 0; profiles && p < n_profiles; p++)
        profiles[p] = strdup(te_config_profile_at(cfg, cloud, p));
    for (size_t p = 0; profiles && p < n_profiles; p++) {
        if (!profiles[p])
            continue;
        for (size_t i = 0; i < te_config_key_count(); i++) {
            const te_cfg_key_t *key = te_config_key_at(i);
            char name[256];
            if (strncmp(key->name, cloud, cl) != 0 || key->name[cl] != '.' ||
                te_config_profiled_key(key->name, profiles[p], name, sizeof name) != TE_OK)
                continue;
            if (filter && !strstr(name, filter))
                continue;
            const char *value = NULL;
            if (te_config_read(cfg, name, &value, NULL, 0) == TE_OK) {
                printf("%s=%s\n", name, value);
            } else {
                char **grown = realloc(unsets->names, (unsets->n + 1) * sizeof *grown);
                if (grown) {
                    unsets->names = grown;
                    if ((grown[unsets->n] = strdup(name)))
                        unsets->n++;
                }
            }
        }
    }
    for (size_t p = 0; profiles && p < n_profiles; p++)
        free(profiles[p]);
    free(profiles);
}

static int cmd_list(const te_cli_ctx_t *ctx, const parsed_args_t *pa)
{
    const char *what = "list the configuration keys and values";
    const char *filter = pa->n_args ? pa->args[0] : NULL;
    char err[ERR_LEN];
    te_config_t *cfg = NULL;
    if (te_config_load(&cfg, ctx->config_dir, false, err, sizeof err) != TE_OK)
        return fail(what, err);
    if (pa->doc) {
        print_doc(filter);
        te_config_free(cfg);
        return TE_EXIT_OK;
    }
    size_t n = te_config_key_count();
    const char **unset = calloc(n, sizeof *unset);
    if (!unset) {
        te_config_free(cfg);
        return fail(what, te_strerror(TE_ERR_NOMEM));
    }
    size_t n_unset = 0;
    name_list_t unsets = {0};
    for (size_t i = 0; i < n; i++) {
        const te_cfg_key_t *key = te_config_key_at(i);
        if (filter && !strstr(key->name, filter)) {
            size_t cl = cloud_len(key->name);
            const te_cfg_key_t *next = i + 1 < n ? te_config_key_at(i + 1) : NULL;
            if (cl && (!next || strncmp(next->name, key->name, cl + 1) != 0))
                list_profiles(cfg, key->name, cl, filter, &unsets);
            continue;
        }
        const char *value = NULL;
        if (te_config_read(cfg, key->name, &value, NULL, 0) == TE_OK)
            printf("%s=%s\n", key->name, value);
        else
            unset[n_unset++] = key->name;
        /* after the last key of a cloud, the same keys of each of its profiles */
        size_t cl = cloud_len(key->name);
        const te_cfg_key_t *next = i + 1 < n ? te_config_key_at(i + 1) : NULL;
        if (cl && (!next || strncmp(next->name, key->name, cl + 1) != 0))
            list_profiles(cfg, key->name, cl, filter, &unsets);
    }
    if (pa->all && n_unset) {
        putchar('\n');
        for (size_t i = 0; i < n_unset; i++)
            printf("%s=\n", unset[i]);
    }
    if (pa->all && unsets.n) {
        if (!n_unset)
            putchar('\n');
        for (size_t i = 0; i < unsets.n; i++)
            printf("%s=\n", unsets.names[i]);
    }
    for (size_t i = 0; i < unsets.n; i++)
        free(unsets.names[i]);
    free(unsets.names);
    free(unset);
    te_config_free(cfg);
    return TE_EXIT_OK;
}

int te_cli_config_main(const te_cli_ctx_t *ctx, int argc, char **argv)
{
    if (argc < 2) {
        fputs(config_help, stderr);
        return TE_EXIT_USAGE;
    }
    const char *name = argv[1];
    if (strcmp(name, "-h") == 0 || strcmp(name, "--help") == 0) {
        fputs(config_help, stdout);
        return TE_EXIT_OK;
    }
    if (strcmp(name, "help") == 0) {
        for (size_t i = 0; argc > 2 && i < sizeof actions / sizeof actions[0]; i++) {
            if (strcmp(argv[2], actions[i].name) == 0) {
                fputs(actions[i].help, stdout);
                return TE_EXIT_OK;
            }
        }
        fputs(config_help, stdout);
        return TE_EXIT_OK;
    }
    parsed_args_t pa = {0};
    for (size_t i = 0; i < sizeof actions / sizeof actions[0]; i++)
        if (strcmp(name, actions[i].name) == 0)
            pa.action = &actions[i];
    if (!pa.action)
        return te_cli_usage_error("unrecognized subcommand '%s'\n\nUsage: tedge config <COMMAND>", name);
    int rc = parse_args(argc, argv, &pa);
    if (rc >= 0)
        return rc;
    if (strcmp(pa.action->name, "list") == 0)
        return cmd_list(ctx, &pa);
    const te_cfg_key_t *key = key_arg(pa.args[0]);
    if (!key)
        return TE_EXIT_USAGE;
    char key_name[256];
    rc = profiled_name(pa.args[0], key, pa.profile, key_name, sizeof key_name);
    if (rc >= 0)
        return rc;
    if (strcmp(pa.action->name, "get") == 0)
        return cmd_get(ctx, key_name);
    return cmd_change(ctx, pa.action->name, key_name, pa.n_args > 1 ? pa.args[1] : NULL);
}
