/* config_keys: the one table of tedge config keys (spec/cli.md §2.5), with
 * thin-edge.io's defaults, documentation and examples, and key lookup.
 *
 * Order: the order `tedge config list` prints, which is thin-edge.io's: in
 * each group, its own keys first, then its sub-groups. */
#include <stdio.h>
#include <string.h>

#include "config_internal.h"

/* The documentation stays out of this table: see config_keys.def. */
#define KEY(name, type, def, from, doc, ex, nex) \
    .pub = {name, TE_CFG_##type, def, from, NULL, NULL, false}, .n_examples = nex

#define KEYTABLE const te_config_keydef_t te_config_keydefs
#include "config_keys.def"
#undef KEYTABLE

const size_t te_config_keydef_count = sizeof te_config_keydefs / sizeof te_config_keydefs[0];

/* Deprecated names still accepted on the command line and in the
 * environment (thin-edge.io's deprecated_key / deprecated_name). */
static const struct {
    const char *old_name;
    const char *new_name;
} key_aliases[] = {
    {"mqtt.port", "mqtt.bind.port"},
    {"http.port", "http.bind.port"},
    {"http.address", "http.bind.address"},
    {"mqtt.external.port", "mqtt.external.bind.port"},
    {"mqtt.external.capath", "mqtt.external.ca_path"},
    {"mqtt.external.certfile", "mqtt.external.cert_file"},
    {"mqtt.external.keyfile", "mqtt.external.key_file"},
    {"mqtt.client.auth.cafile", "mqtt.client.auth.ca_file"},
    {"mqtt.client.auth.cadir", "mqtt.client.auth.ca_dir"},
    {"mqtt.client.auth.certfile", "mqtt.client.auth.cert_file"},
    {"mqtt.client.auth.keyfile", "mqtt.client.auth.key_file"},
    {"c8y.enable.log_management", "c8y.enable.log_upload"},
    {"apt.dpk.options.config", "apt.dpkg.options.config"},
};

/* Compares key names with '.' and '_' equal. */
static bool same_key(const char *a, const char *b)
{
    for (;; a++, b++) {
        char ca = *a == '.' ? '_' : *a;
        char cb = *b == '.' ? '_' : *b;
        if (ca != cb)
            return false;
        if (ca == '\0')
            return true;
    }
}

size_t te_config_key_count(void) { return te_config_keydef_count; }

const te_cfg_key_t *te_config_key_at(size_t i)
{
    return i < te_config_keydef_count ? &te_config_keydefs[i].pub : NULL;
}

const te_cfg_key_t *te_config_key_find(const char *name)
{
    if (!name)
        return NULL;
    for (size_t i = 0; i < te_config_keydef_count; i++)
        if (same_key(name, te_config_keydefs[i].pub.name))
            return &te_config_keydefs[i].pub;
    return NULL;
}

const te_cfg_key_t *te_config_key_lookup(const char *name)
{
    const te_cfg_key_t *key = te_config_key_find(name);
    if (key || !name)
        return key;
    for (size_t i = 0; i < sizeof key_aliases / sizeof key_aliases[0]; i++)
        if (same_key(name, key_aliases[i].old_name))
            return te_config_key_find(key_aliases[i].new_name);
    /* azure.* is the 0.1 name of az.* */
    if (strncmp(name, "azure", 5) == 0 && (name[5] == '.' || name[5] == '_')) {
        char az[128];
        if ((size_t)snprintf(az, sizeof az, "az%s", name + 5) < sizeof az)
            return te_config_key_find(az);
    }
    return NULL;
}

const te_config_keydef_t *te_config_keydef_of(const te_cfg_key_t *key)
{
    if (!key)
        return NULL;
    const te_config_keydef_t *kd = (const te_config_keydef_t *)(const void *)key;
    if (kd < te_config_keydefs || kd >= te_config_keydefs + te_config_keydef_count)
        return NULL;
    return kd;
}

size_t te_config_keydef_index(const te_config_keydef_t *kd) { return (size_t)(kd - te_config_keydefs); }

const char *te_config_key_note(const te_cfg_key_t *key)
{
    const te_config_keydef_t *kd = te_config_keydef_of(key);
    return kd ? kd->note : NULL;
}

size_t te_config_key_example_count(const te_cfg_key_t *key)
{
    const te_config_keydef_t *kd = te_config_keydef_of(key);
    return kd ? kd->n_examples : 0; /* 0 when the key has no example */
}

bool te_config_is_internal_key(const char *path) { return strcmp(path, "config.version") == 0; }

bool te_config_is_group(const char *path)
{
    size_t n = strlen(path);
    if (strcmp(path, "config") == 0)
        return true;
    for (size_t i = 0; i < te_config_keydef_count; i++) {
        const char *name = te_config_keydefs[i].pub.name;
        if (strncmp(name, path, n) == 0 && name[n] == '.')
            return true;
    }
    return false;
}
