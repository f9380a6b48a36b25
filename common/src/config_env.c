/* config_env: the two ways a value reaches tedge other than a current key
 * in tedge.toml: deprecated keys of older files, moved to their new names on
 * load (spec/cli.md §2.1), and TEDGE_* environment overrides (§2.2). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "config_internal.h"
#include "tedge/log.h"

extern char **environ;

/* Keys of older tedge.toml files (thin-edge.io's version-1 file layout and
 * deprecated key names) and where their values live now. */
static const struct {
    const char *from;
    const char *to;
} moved_keys[] = {
    {"mqtt.port", "mqtt.bind.port"},
    {"mqtt.bind_address", "mqtt.bind.address"},
    {"mqtt.client_host", "mqtt.client.host"},
    {"mqtt.client_port", "mqtt.client.port"},
    {"mqtt.client_ca_file", "mqtt.client.auth.ca_file"},
    {"mqtt.client_ca_path", "mqtt.client.auth.ca_dir"},
    {"mqtt.client_auth.cert_file", "mqtt.client.auth.cert_file"},
    {"mqtt.client_auth.key_file", "mqtt.client.auth.key_file"},
    {"mqtt.client.auth.cafile", "mqtt.client.auth.ca_file"},
    {"mqtt.client.auth.cadir", "mqtt.client.auth.ca_dir"},
    {"mqtt.client.auth.certfile", "mqtt.client.auth.cert_file"},
    {"mqtt.client.auth.keyfile", "mqtt.client.auth.key_file"},
    {"mqtt.external_port", "mqtt.external.bind.port"},
    {"mqtt.external.port", "mqtt.external.bind.port"},
    {"mqtt.external_bind_address", "mqtt.external.bind.address"},
    {"mqtt.external_bind_interface", "mqtt.external.bind.interface"},
    {"mqtt.external_capath", "mqtt.external.ca_path"},
    {"mqtt.external.capath", "mqtt.external.ca_path"},
    {"mqtt.external_certfile", "mqtt.external.cert_file"},
    {"mqtt.external.certfile", "mqtt.external.cert_file"},
    {"mqtt.external_keyfile", "mqtt.external.key_file"},
    {"mqtt.external.keyfile", "mqtt.external.key_file"},
    {"az.mapper_timestamp", "az.mapper.timestamp"},
    {"aws.mapper_timestamp", "aws.mapper.timestamp"},
    {"http.port", "http.bind.port"},
    {"http.bind_address", "http.bind.address"},
    {"http.address", "http.bind.address"},
    {"software.default_plugin_type", "software.plugin.default"},
    {"firmware.child_update_timeout", "firmware.child.update.timeout"},
    {"c8y.smartrest_templates", "c8y.smartrest.templates"},
    {"c8y.enable.log_management", "c8y.enable.log_upload"},
    {"apt.dpk.options.config", "apt.dpkg.options.config"},
};

/* Moves one value; returns true when it moved. */
static bool move_value(te_toml_t *root, const char *from, const char *to)
{
    const te_toml_t *node = te_toml_get_path(root, from);
    if (!node || te_toml_type(node) == TE_TOML_TABLE)
        return false;
    if (te_toml_get_path(root, to)) {
        te_log_warn("Cannot migrate '%s' to '%s': target key already exists. Please manually remove one "
                    "of them from tedge.toml.", from, to);
        return false;
    }
    te_toml_t *copy = te_config_node_clone(node);
    if (!copy || te_toml_set_path(root, to, copy) != TE_OK)
        return false;
    (void)te_toml_remove_path(root, from);
    te_log_warn("The key '%s' is deprecated. Use '%s' instead.", from, to);
    return true;
}

/* azure.* (thin-edge.io 0.1) is az.*: moves every value below the table. */
static bool move_azure(te_toml_t *root, const te_toml_t *table, const char *prefix)
{
    bool moved = false;
    /* Collect first: moving changes the table being walked. */
    size_t n = te_toml_len(table);
    char **paths = calloc(n ? n : 1, sizeof *paths);
    if (!paths)
        return false;
    for (size_t i = 0; i < n; i++) {
        const char *key = te_toml_key_at(table, i);
        if (!key || strchr(key, '.'))
            continue;
        size_t size = strlen(prefix) + strlen(key) + 2;
        if ((paths[i] = malloc(size)))
            snprintf(paths[i], size, "%s.%s", prefix, key);
    }
    for (size_t i = 0; i < n; i++) {
        if (!paths[i])
            continue;
        const te_toml_t *node = te_toml_get_path(root, paths[i]);
        if (node && te_toml_type(node) == TE_TOML_TABLE) {
            moved |= move_azure(root, node, paths[i]);
        } else if (node) {
            char to[256];
            if ((size_t)snprintf(to, sizeof to, "az%s", paths[i] + 5) < sizeof to)
                moved |= move_value(root, paths[i], to);
        }
        free(paths[i]);
    }
    free(paths);
    return moved;
}

bool te_config_migrate(te_toml_t *root)
{
    bool moved = false;
    const te_toml_t *azure = te_toml_get(root, "azure");
    if (azure && te_toml_type(azure) == TE_TOML_TABLE)
        moved = move_azure(root, azure, "azure");
    for (size_t i = 0; i < sizeof moved_keys / sizeof moved_keys[0]; i++)
        moved |= move_value(root, moved_keys[i].from, moved_keys[i].to);
    if (moved) {
        /* The file now has thin-edge.io's version-2 layout; a failure only
         * means the migration runs again on the next load. */
        te_toml_t *version = te_toml_new_str("2");
        if (version && te_toml_set_path(root, "config.version", version) != TE_OK)
            te_log_debug("could not mark tedge.toml as migrated");
    }
    return moved;
}

/* Parses a value given as TOML ("..." or [...]) into a node (caller frees). */
static te_err_t parse_toml_value(const char *value, te_toml_t **doc, const te_toml_t **node,
                                 char *err, size_t errlen)
{
    size_t len = strlen(value);
    char *text = malloc(len + 8);
    if (!text)
        return TE_ERR_NOMEM;
    memcpy(text, "value = ", 8);
    memcpy(text + 8, value, len);
    te_err_t rc = te_toml_parse(text, len + 8, doc, err, errlen);
    free(text);
    if (rc != TE_OK)
        return rc == TE_ERR_NOMEM ? rc : TE_ERR_CONFIG;
    *node = te_toml_get(*doc, "value");
    if (!*node || te_toml_len(*doc) != 1) {
        te_toml_free(*doc);
        *doc = NULL;
        te_config_errf(err, errlen, "expected a single TOML value");
        return TE_ERR_CONFIG;
    }
    return TE_OK;
}

static te_err_t read_variable(te_toml_t *env_root, const char *name, const char *value,
                              char *err, size_t errlen)
{
    char lower[256];
    size_t n = strlen(name);
    if (n >= sizeof lower)
        n = sizeof lower - 1;
    for (size_t i = 0; i < n; i++)
        lower[i] = (char)((name[i] >= 'A' && name[i] <= 'Z') ? name[i] - 'A' + 'a' : name[i]);
    lower[n] = '\0';
    char profile[TE_PROFILE_NAME_MAX];
    const te_config_keydef_t *kd = te_config_keydef_of(te_config_key_split(lower, profile, sizeof profile));
    char path[256];
    if (kd && te_config_profiled_key(kd->pub.name, profile, path, sizeof path) != TE_OK)
        snprintf(path, sizeof path, "%s", kd->pub.name);
    if (!kd) {
        te_log_warn("Unknown configuration field \"%s\" from environment variable TEDGE_%s", lower, name);
        return TE_OK;
    }
    char reason[512] = "";
    te_toml_t *node = NULL;
    te_err_t rc;
    if (value[0] == '"' || value[0] == '[') {
        te_toml_t *doc = NULL;
        const te_toml_t *parsed = NULL;
        rc = parse_toml_value(value, &doc, &parsed, reason, sizeof reason);
        if (rc == TE_OK)
            rc = te_config_value_parse_node(kd, parsed, &node, reason, sizeof reason);
        te_toml_free(doc);
    } else {
        rc = te_config_value_parse_text(kd, value, &node, reason, sizeof reason);
    }
    if (rc == TE_ERR_NOMEM)
        return rc;
    if (rc != TE_OK) {
        te_config_errf(err, errlen, "Failed to set value for %s to \"%s\" from environment variable TEDGE_%s%s%s",
                       path, value, name, reason[0] ? "\n" : "", reason);
        return TE_ERR_CONFIG;
    }
    return te_toml_set_path(env_root, path, node) == TE_OK ? TE_OK : TE_ERR_NOMEM;
}

te_err_t te_config_read_env(te_toml_t *env_root, char *err, size_t errlen)
{
    for (char **e = environ; e && *e; e++) {
        if (strncmp(*e, "TEDGE_", 6) != 0)
            continue;
        const char *eq = strchr(*e, '=');
        if (!eq || eq[1] == '\0')
            continue; /* empty = unset */
        char name[256];
        size_t n = (size_t)(eq - (*e + 6));
        if (n == 0 || n >= sizeof name)
            continue;
        memcpy(name, *e + 6, n);
        name[n] = '\0';
        if (strcasecmp(name, "CONFIG_DIR") == 0 || strcasecmp(name, "CLOUD_PROFILE") == 0)
            continue;
        te_err_t rc = read_variable(env_root, name, eq + 1, err, errlen);
        if (rc != TE_OK)
            return rc;
    }
    return TE_OK;
}
