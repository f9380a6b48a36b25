/* config_profile: cloud profile names (spec/cli.md §2.1 P2): the keys of a
 * cloud (c8y.*, az.*, aws.*) exist again under <cloud>.profiles.<name>.*,
 * with the same types, checks and defaults. thin-edge.io's ProfileName:
 * letters, digits, '-' and '_', at least one letter or digit, lower-cased
 * (names are case-insensitive). */
#include <ctype.h>
#include <stdio.h>
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
