/* config_profile: cloud profile names (spec/cli.md §2.1 P2): the keys of a
 * cloud (c8y.*, az.*, aws.*) exist again under <cloud>.profiles.<name>.*,
 * with the same types, checks and defaults. thin-edge.io's ProfileName:
 * letters, digits, '-' and '_', at least one letter or digit, lower-cased
 * (names are case-insensitive). */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config_internal.h"

static const char *const clouds[] = {"c8y", "az", "aws"};

size_t te_config_cloud_prefix_len(const char *name)
{
    for (size_t i = 0; i < sizeof clouds / sizeof clouds[0]; i++) {
        size_t n = strlen(clouds[i]);
        if (strncmp(name, clouds[i], n) == 0 && (name[n] == '.' || name[n] == '_'))
            return n;
    }
    return 0;
}

te_err_t te_config_profile_name(const char *name, char *out, size_t outlen, char *err, size_t errlen)
{
    bool any_alnum = false;
    size_t n = strlen(name);
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)name[i];
        if (!isalnum(c) && c != '-' && c != '_') {
            te_config_errf(err, errlen, "Profile names can only contain letters, numbers, `-` or `_`");
            return TE_ERR_INVAL;
        }
        any_alnum = any_alnum || isalnum(c);
    }
    if (n == 0) {
        te_config_errf(err, errlen, "Profile names cannot be empty");
        return TE_ERR_INVAL;
    }
    if (!any_alnum) {
        te_config_errf(err, errlen, "Profile names must contain at least one letter or number");
        return TE_ERR_INVAL;
    }
    if (n >= outlen || n >= TE_PROFILE_NAME_MAX) {
        te_config_errf(err, errlen, "Profile names can be at most %d characters long", TE_PROFILE_NAME_MAX - 1);
        return TE_ERR_INVAL;
    }
    for (size_t i = 0; i <= n; i++)
        out[i] = (char)tolower((unsigned char)name[i]);
    return TE_OK;
}

te_err_t te_config_profiled_key(const char *key, const char *profile, char *out, size_t outlen)
{
    char prof[TE_PROFILE_NAME_MAX];
    const te_cfg_key_t *base = te_config_key_split(key, prof, sizeof prof);
    if (!base)
        return TE_ERR_NOTFOUND;
    size_t cl = te_config_cloud_prefix_len(base->name);
    if (cl == 0 || prof[0])
        return TE_ERR_INVAL;
    if (!profile || !*profile) {
        int n = snprintf(out, outlen, "%s", base->name);
        return n >= 0 && (size_t)n < outlen ? TE_OK : TE_ERR_TOOBIG;
    }
    char lower[TE_PROFILE_NAME_MAX];
    if (te_config_profile_name(profile, lower, sizeof lower, NULL, 0) != TE_OK)
        return TE_ERR_CONFIG;
    int n = snprintf(out, outlen, "%.*s.profiles.%s.%s", (int)cl, base->name, lower, base->name + cl + 1);
    return n >= 0 && (size_t)n < outlen ? TE_OK : TE_ERR_TOOBIG;
}

const te_cfg_key_t *te_config_key_split(const char *name, char *profile, size_t profilelen)
{
    if (profile && profilelen)
        profile[0] = '\0';
    if (!name)
        return NULL;
    size_t cl = te_config_cloud_prefix_len(name);
    if (cl && strncmp(name + cl + 1, "profiles", 8) == 0 && (name[cl + 9] == '.' || name[cl + 9] == '_')) {
        char sep = name[cl + 9];
        const char *start = name + cl + 10;
        const char *end = strchr(start, sep);
        if (!end)
            return NULL;
        char raw[TE_PROFILE_NAME_MAX];
        if ((size_t)(end - start) >= sizeof raw)
            return NULL;
        memcpy(raw, start, (size_t)(end - start));
        raw[end - start] = '\0';
        char lower[TE_PROFILE_NAME_MAX];
        if (te_config_profile_name(raw, lower, sizeof lower, NULL, 0) != TE_OK)
            return NULL;
        char base[256];
        if ((size_t)snprintf(base, sizeof base, "%.*s.%s", (int)cl, name, end + 1) >= sizeof base)
            return NULL;
        const te_cfg_key_t *key = te_config_key_lookup(base);
        /* only the keys of that cloud, never the profile table itself */
        if (!key || strncmp(key->name, name, cl) != 0 || key->name[cl] != '.')
            return NULL;
        if (profile && profilelen) {
            if (strlen(lower) >= profilelen)
                return NULL;
            strcpy(profile, lower);
        }
        return key;
    }
    return te_config_key_lookup(name);
}

/* --- the profile in use and the profiles configured --- */

te_err_t te_config_use_profile(te_config_t *cfg, const char *profile)
{
    char lower[TE_PROFILE_NAME_MAX];
    if (profile && *profile && te_config_profile_name(profile, lower, sizeof lower, NULL, 0) != TE_OK)
        return TE_ERR_INVAL;
    char *copy = NULL;
    if (profile && *profile && !(copy = strdup(lower)))
        return TE_ERR_NOMEM;
    free(cfg->profile);
    cfg->profile = copy;
    return TE_OK;
}

const char *te_config_profile(const te_config_t *cfg) { return cfg->profile; }

/* Collects the profile names of cloud from the file and the environment. */
static void collect_profiles(te_config_t *cfg, const char *cloud)
{
    for (size_t i = 0; i < cfg->n_profile_names; i++)
        free(cfg->profile_names[i]);
    cfg->n_profile_names = 0;
    char path[32];
    snprintf(path, sizeof path, "%s.profiles", cloud);
    const te_toml_t *tables[2] = {te_toml_get_path(cfg->file_root, path),
                                  cfg->env_root ? te_toml_get_path(cfg->env_root, path) : NULL};
    for (int t = 0; t < 2; t++) {
        if (!tables[t] || te_toml_type(tables[t]) != TE_TOML_TABLE)
            continue;
        for (size_t i = 0; i < te_toml_len(tables[t]); i++) {
            const char *name = te_toml_key_at(tables[t], i);
            char lower[TE_PROFILE_NAME_MAX];
            if (te_config_profile_name(name, lower, sizeof lower, NULL, 0) != TE_OK || strcmp(lower, name) != 0)
                continue;
            bool seen = false;
            for (size_t j = 0; j < cfg->n_profile_names; j++)
                seen = seen || strcmp(cfg->profile_names[j], name) == 0;
            if (seen)
                continue;
            char **grown = realloc(cfg->profile_names, (cfg->n_profile_names + 1) * sizeof *grown);
            if (!grown)
                return;
            cfg->profile_names = grown;
            if (!(grown[cfg->n_profile_names] = strdup(name)))
                return;
            cfg->n_profile_names++;
        }
    }
    if (cfg->n_profile_names > 1)
        qsort(cfg->profile_names, cfg->n_profile_names, sizeof *cfg->profile_names, te_config_compare_strings);
}

size_t te_config_profile_count(te_config_t *cfg, const char *cloud)
{
    collect_profiles(cfg, cloud);
    return cfg->n_profile_names;
}

const char *te_config_profile_at(te_config_t *cfg, const char *cloud, size_t i)
{
    (void)cloud; /* the names of the last te_config_profile_count */
    return i < cfg->n_profile_names ? cfg->profile_names[i] : NULL;
}
