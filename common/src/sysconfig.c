/* sysconfig: reads system.toml into argv lists, with thin-edge.io's defaults
 * and error texts (spec/cli.md §6.4). */
#include "tedge/sysconfig.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tedge/fsutil.h"
#include "tedge/toml.h"

#define MAX_SYSCONFIG_BYTES (256u * 1024u)

static const char *const action_names[TE_SVC_N_ACTIONS] = {
    [TE_SVC_IS_AVAILABLE] = "is_available", [TE_SVC_RESTART] = "restart",
    [TE_SVC_STOP] = "stop",                 [TE_SVC_START] = "start",
    [TE_SVC_ENABLE] = "enable",             [TE_SVC_DISABLE] = "disable",
    [TE_SVC_IS_ACTIVE] = "is_active",
};

/* The systemd defaults; NULL ends each list. */
static const char *const default_init[TE_SVC_N_ACTIONS][4] = {
    [TE_SVC_IS_AVAILABLE] = {"/bin/systemctl", "--version", NULL},
    [TE_SVC_RESTART] = {"/bin/systemctl", "restart", "{}", NULL},
    [TE_SVC_STOP] = {"/bin/systemctl", "stop", "{}", NULL},
    [TE_SVC_START] = {"/bin/systemctl", "start", "{}", NULL},
    [TE_SVC_ENABLE] = {"/bin/systemctl", "enable", "{}", NULL},
    [TE_SVC_DISABLE] = {"/bin/systemctl", "disable", "{}", NULL},
    [TE_SVC_IS_ACTIVE] = {"/bin/systemctl", "is-active", "{}", NULL},
};
static const char *const default_reboot[] = {"init", "6", NULL};

const char *te_svc_action_name(te_svc_action_t action)
{
    return (unsigned)action < TE_SVC_N_ACTIONS ? action_names[action] : "?";
}

__attribute__((format(printf, 3, 4)))
static void errf(char *err, size_t errlen, const char *fmt, ...)
{
    if (!err || !errlen)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

static void argv_list_free(te_argv_list_t *list)
{
    for (size_t i = 0; i < list->n; i++)
        free(list->args[i]);
    free(list->args);
    list->args = NULL;
    list->n = 0;
}

static te_err_t argv_list_from_defaults(te_argv_list_t *list, const char *const *items)
{
    size_t n = 0;
    while (items[n])
        n++;
    list->args = calloc(n ? n : 1, sizeof *list->args);
    if (!list->args)
        return TE_ERR_NOMEM;
    for (size_t i = 0; i < n; i++) {
        list->args[i] = strdup(items[i]);
        if (!list->args[i]) {
            list->n = i;
            argv_list_free(list);
            return TE_ERR_NOMEM;
        }
    }
    list->n = n;
    return TE_OK;
}

/* Copies a TOML array of strings; TE_ERR_CONFIG when node is not one. */
static te_err_t argv_list_from_toml(te_argv_list_t *list, const te_toml_t *node)
{
    if (te_toml_type(node) != TE_TOML_ARRAY)
        return TE_ERR_CONFIG;
    size_t n = te_toml_len(node);
    for (size_t i = 0; i < n; i++)
        if (te_toml_type(te_toml_at(node, i)) != TE_TOML_STRING)
            return TE_ERR_CONFIG;
    te_argv_list_t fresh = {calloc(n ? n : 1, sizeof(char *)), 0};
    if (!fresh.args)
        return TE_ERR_NOMEM;
    for (size_t i = 0; i < n; i++) {
        fresh.args[i] = strdup(te_toml_str(te_toml_at(node, i)));
        if (!fresh.args[i]) {
            fresh.n = i;
            argv_list_free(&fresh);
            return TE_ERR_NOMEM;
        }
        fresh.n = i + 1;
    }
    argv_list_free(list);
    *list = fresh;
    return TE_OK;
}

static te_err_t set_string(char **field, const char *value)
{
    char *copy = strdup(value);
    if (!copy)
        return TE_ERR_NOMEM;
    free(*field);
    *field = copy;
    return TE_OK;
}

void te_sysconfig_free(te_sysconfig_t *cfg)
{
    if (!cfg)
        return;
    free(cfg->path);
    free(cfg->user);
    free(cfg->group);
    free(cfg->init_name);
    for (int i = 0; i < TE_SVC_N_ACTIONS; i++)
        argv_list_free(&cfg->init[i]);
    argv_list_free(&cfg->reboot);
    for (size_t i = 0; i < cfg->n_log; i++) {
        free(cfg->log_names[i]);
        free(cfg->log_levels[i]);
    }
    free(cfg->log_names);
    free(cfg->log_levels);
    free(cfg);
}

static te_err_t load_defaults(te_sysconfig_t *cfg)
{
    if (set_string(&cfg->user, "tedge") != TE_OK || set_string(&cfg->group, "tedge") != TE_OK ||
        set_string(&cfg->init_name, "systemd") != TE_OK ||
        argv_list_from_defaults(&cfg->reboot, default_reboot) != TE_OK)
        return TE_ERR_NOMEM;
    for (int i = 0; i < TE_SVC_N_ACTIONS; i++)
        if (argv_list_from_defaults(&cfg->init[i], default_init[i]) != TE_OK)
            return TE_ERR_NOMEM;
    cfg->reboot_timeout_seconds = 120;
    return TE_OK;
}

#define SYNTAX_PREFIX "Toml syntax error in the system config file '%s': "

static const char *type_name(const te_toml_t *node)
{
    switch (te_toml_type(node)) {
    case TE_TOML_STRING: return "string";
    case TE_TOML_INT: return "integer";
    case TE_TOML_FLOAT: return "float";
    case TE_TOML_BOOL: return "boolean";
    case TE_TOML_ARRAY: return "sequence";
    case TE_TOML_TABLE: return "map";
    }
    return "value";
}

static te_err_t read_init(te_sysconfig_t *cfg, const te_toml_t *init, char *err, size_t errlen)
{
    if (te_toml_type(init) != TE_TOML_TABLE) {
        errf(err, errlen, SYNTAX_PREFIX "invalid type: %s, expected struct InitConfig for key `init`",
             cfg->path, type_name(init));
        return TE_ERR_CONFIG;
    }
    for (size_t i = 0; i < te_toml_len(init); i++) {
        const char *key = te_toml_key_at(init, i);
        bool known = strcmp(key, "name") == 0;
        for (int a = 0; a < TE_SVC_N_ACTIONS && !known; a++)
            known = strcmp(key, action_names[a]) == 0;
        if (!known) {
            errf(err, errlen,
                 SYNTAX_PREFIX "unknown field `%s`, expected one of `name`, `is_available`, `restart`, "
                               "`stop`, `start`, `enable`, `disable`, `is_active` in `init`",
                 cfg->path, key);
            return TE_ERR_CONFIG;
        }
    }
    const te_toml_t *name = te_toml_get(init, "name");
    if (!name) {
        errf(err, errlen, SYNTAX_PREFIX "missing field `name` in `init`", cfg->path);
        return TE_ERR_CONFIG;
    }
    if (te_toml_type(name) != TE_TOML_STRING) {
        errf(err, errlen, SYNTAX_PREFIX "invalid type: %s, expected a string for key `init.name`",
             cfg->path, type_name(name));
        return TE_ERR_CONFIG;
    }
    if (set_string(&cfg->init_name, te_toml_str(name)) != TE_OK)
        return TE_ERR_NOMEM;
    for (int a = 0; a < TE_SVC_N_ACTIONS; a++) {
        const te_toml_t *node = te_toml_get(init, action_names[a]);
        if (!node && a == TE_SVC_START)
            node = te_toml_get(init, "restart"); /* start defaults to restart */
        if (!node) {
            errf(err, errlen, SYNTAX_PREFIX "missing field `%s` in `init`", cfg->path, action_names[a]);
            return TE_ERR_CONFIG;
        }
        te_err_t rc = argv_list_from_toml(&cfg->init[a], node);
        if (rc == TE_ERR_CONFIG)
            errf(err, errlen, SYNTAX_PREFIX "invalid type: %s, expected a sequence of strings for key `init.%s`",
                 cfg->path, type_name(node), action_names[a]);
        if (rc != TE_OK)
            return rc;
    }
    return TE_OK;
}

static te_err_t read_system(te_sysconfig_t *cfg, const te_toml_t *system, char *err, size_t errlen)
{
    if (te_toml_type(system) != TE_TOML_TABLE) {
        errf(err, errlen, SYNTAX_PREFIX "invalid type: %s, expected struct SystemSpecificCommands for key `system`",
             cfg->path, type_name(system));
        return TE_ERR_CONFIG;
    }
    for (size_t i = 0; i < te_toml_len(system); i++) {
        const char *key = te_toml_key_at(system, i);
        const te_toml_t *node = te_toml_at(system, i);
        if (strcmp(key, "reboot") == 0) {
            te_err_t rc = argv_list_from_toml(&cfg->reboot, node);
            if (rc == TE_ERR_CONFIG)
                errf(err, errlen, SYNTAX_PREFIX "invalid type: %s, expected a sequence of strings for key `system.reboot`",
                     cfg->path, type_name(node));
            if (rc != TE_OK)
                return rc;
        } else if (strcmp(key, "reboot_timeout_seconds") == 0) {
            if (te_toml_type(node) != TE_TOML_INT || te_toml_int(node) < 0) {
                errf(err, errlen, SYNTAX_PREFIX "invalid value for key `system.reboot_timeout_seconds`: "
                                  "expected a non-negative integer", cfg->path);
                return TE_ERR_CONFIG;
            }
            cfg->reboot_timeout_seconds = te_toml_int(node);
        } else {
            errf(err, errlen, SYNTAX_PREFIX "unknown field `%s`, expected `reboot` or `reboot_timeout_seconds` in `system`",
                 cfg->path, key);
            return TE_ERR_CONFIG;
        }
    }
    return TE_OK;
}

static te_err_t read_log(te_sysconfig_t *cfg, const te_toml_t *log, char *err, size_t errlen)
{
    if (te_toml_type(log) != TE_TOML_TABLE) {
        errf(err, errlen, SYNTAX_PREFIX "invalid type: %s, expected a map for key `log`", cfg->path,
             type_name(log));
        return TE_ERR_CONFIG;
    }
    size_t n = te_toml_len(log);
    cfg->log_names = calloc(n ? n : 1, sizeof(char *));
    cfg->log_levels = calloc(n ? n : 1, sizeof(char *));
    if (!cfg->log_names || !cfg->log_levels)
        return TE_ERR_NOMEM;
    for (size_t i = 0; i < n; i++) {
        const te_toml_t *node = te_toml_at(log, i);
        if (te_toml_type(node) != TE_TOML_STRING) {
            errf(err, errlen, SYNTAX_PREFIX "invalid type: %s, expected a string for key `log.%s`",
                 cfg->path, type_name(node), te_toml_key_at(log, i));
            return TE_ERR_CONFIG;
        }
        cfg->log_names[i] = strdup(te_toml_key_at(log, i));
        cfg->log_levels[i] = strdup(te_toml_str(node));
        cfg->n_log = i + 1;
        if (!cfg->log_names[i] || !cfg->log_levels[i])
            return TE_ERR_NOMEM;
    }
    return TE_OK;
}

static te_err_t read_owner(te_sysconfig_t *cfg, const te_toml_t *root, const char *key, char **field,
                           char *err, size_t errlen)
{
    const te_toml_t *node = te_toml_get(root, key);
    if (!node)
        return TE_OK;
    if (te_toml_type(node) != TE_TOML_STRING) {
        errf(err, errlen, SYNTAX_PREFIX "invalid type: %s, expected a string for key `%s`", cfg->path,
             type_name(node), key);
        return TE_ERR_CONFIG;
    }
    return set_string(field, te_toml_str(node));
}

te_err_t te_sysconfig_load(te_sysconfig_t **out, const char *config_dir, char *err, size_t errlen)
{
    *out = NULL;
    errf(err, errlen, "%s", "");
    te_sysconfig_t *cfg = calloc(1, sizeof *cfg);
    if (!cfg)
        return TE_ERR_NOMEM;
    size_t path_len = strlen(config_dir) + sizeof "/" TE_SYSCONFIG_FILE;
    cfg->path = malloc(path_len);
    te_err_t rc = cfg->path ? load_defaults(cfg) : TE_ERR_NOMEM;
    if (rc != TE_OK) {
        te_sysconfig_free(cfg);
        return rc;
    }
    const char *sep = (*config_dir && config_dir[strlen(config_dir) - 1] == '/') ? "" : "/";
    snprintf(cfg->path, path_len, "%s%s%s", config_dir, sep, TE_SYSCONFIG_FILE);

    char *text = NULL;
    size_t len = 0;
    rc = te_fs_read_file(cfg->path, MAX_SYSCONFIG_BYTES, &text, &len);
    if (rc == TE_ERR_NOTFOUND) {
        *out = cfg;
        return TE_OK;
    }
    if (rc != TE_OK) {
        if (rc == TE_ERR_TOOBIG)
            errf(err, errlen, "Failed to read the system config file '%s': larger than %u bytes", cfg->path,
                 MAX_SYSCONFIG_BYTES);
        else
            errf(err, errlen, "Failed to read the system config file '%s': %s (os error %d)", cfg->path,
                 strerror(errno), errno);
        te_sysconfig_free(cfg);
        return rc == TE_ERR_TOOBIG ? TE_ERR_CONFIG : rc;
    }
    te_toml_t *root = NULL;
    char reason[512];
    rc = te_toml_parse(text, len, &root, reason, sizeof reason);
    free(text);
    if (rc != TE_OK) {
        errf(err, errlen, SYNTAX_PREFIX "%s", cfg->path, reason);
        te_sysconfig_free(cfg);
        return rc == TE_ERR_NOMEM ? rc : TE_ERR_CONFIG;
    }
    const te_toml_t *node;
    rc = read_owner(cfg, root, "user", &cfg->user, err, errlen);
    if (rc == TE_OK)
        rc = read_owner(cfg, root, "group", &cfg->group, err, errlen);
    if (rc == TE_OK && (node = te_toml_get(root, "init")) != NULL)
        rc = read_init(cfg, node, err, errlen);
    if (rc == TE_OK && (node = te_toml_get(root, "system")) != NULL)
        rc = read_system(cfg, node, err, errlen);
    if (rc == TE_OK && (node = te_toml_get(root, "log")) != NULL)
        rc = read_log(cfg, node, err, errlen);
    te_toml_free(root);
    if (rc != TE_OK) {
        te_sysconfig_free(cfg);
        return rc;
    }
    *out = cfg;
    return TE_OK;
}

void te_sysconfig_argv_free(char **argv)
{
    if (!argv)
        return;
    for (char **p = argv; *p; p++)
        free(*p);
    free(argv);
}

te_err_t te_sysconfig_argv(const te_sysconfig_t *cfg, te_svc_action_t action, const char *service,
                           char ***argv, char *err, size_t errlen)
{
    *argv = NULL;
    if ((unsigned)action >= TE_SVC_N_ACTIONS)
        return TE_ERR_INVAL;
    const te_argv_list_t *list = &cfg->init[action];
    bool needs_service = action != TE_SVC_IS_AVAILABLE;
    if (needs_service) {
        bool found = false;
        for (size_t i = 0; i < list->n && !found; i++)
            found = strcmp(list->args[i], "{}") == 0;
        if (!found) {
            errf(err, errlen,
                 "Syntax error in the system config file for '%s': A placeholder '{}' is missing.\n"
                 "Check '%s' file.", action_names[action], cfg->path);
            return TE_ERR_CONFIG;
        }
    }
    if (list->n == 0) {
        errf(err, errlen,
             "Syntax error in the system config file for '%s': Requires 1 or more arguments.\n"
             "Check '%s' file.", action_names[action], cfg->path);
        return TE_ERR_CONFIG;
    }
    char **out = calloc(list->n + 1, sizeof *out);
    if (!out)
        return TE_ERR_NOMEM;
    for (size_t i = 0; i < list->n; i++) {
        bool placeholder = needs_service && strcmp(list->args[i], "{}") == 0;
        out[i] = strdup(placeholder ? service : list->args[i]);
        if (!out[i]) {
            te_sysconfig_argv_free(out);
            return TE_ERR_NOMEM;
        }
    }
    *argv = out;
    return TE_OK;
}

te_err_t te_sysconfig_argv_text(char *const *argv, char *buf, size_t size)
{
    size_t used = 0;
    if (size == 0)
        return TE_ERR_TOOBIG;
    buf[0] = '\0';
    for (size_t i = 0; argv[i]; i++) {
        int n = snprintf(buf + used, size - used, "%s%s", i ? " " : "", argv[i]);
        if (n < 0 || (size_t)n >= size - used)
            return TE_ERR_TOOBIG;
        used += (size_t)n;
    }
    return TE_OK;
}
