/* connect_profiles: step 3 of `tedge connect` (spec/cli.md §4.2): the
 * configured profiles of one cloud must be distinct devices with distinct
 * local topics, as thin-edge.io's validate_config checks: profiles (the
 * default one included) whose URL (c8y: c8y.http) has a value; pairs with
 * the same URL must differ in device id; bridge.topic_prefix (and for c8y
 * proxy.bind.port) must differ between all of them. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "connect.h"

#define MAX_PROFILES 64

typedef struct entry {
    char prefix_key[200];    /* "c8y" or "c8y.profiles.x": keys are <prefix_key>.<rest> */
} entry_t;

/* The value of <entry>.<rest> (NULL when it has none), copied into buf. */
static const char *value_of(te_config_t *cfg, const entry_t *e, const char *rest, char *buf, size_t size)
{
    char key[300];
    snprintf(key, sizeof key, "%s.%s", e->prefix_key, rest);
    const char *v = NULL;
    if (te_config_read(cfg, key, &v, NULL, 0) != TE_OK || !v)
        return NULL;
    snprintf(buf, size, "%s", v);
    return buf;
}

/* Appends ", " and <entry>.<rest> to out. */
static void add_key(char *out, size_t size, const entry_t *e, const char *rest)
{
    size_t len = strlen(out);
    snprintf(out + len, size - len, "%s%s.%s", len ? ", " : "", e->prefix_key, rest);
}

/* Error when two or more entries share a value of rest; keys in msg. */
static bool matching(te_config_t *cfg, const entry_t *es, size_t n, const char *rest, char *keys, size_t size)
{
    char a[512], b[512];
    for (size_t i = 0; i < n; i++) {
        if (!value_of(cfg, &es[i], rest, a, sizeof a))
            continue;
        keys[0] = '\0';
        add_key(keys, size, &es[i], rest);
        bool found = false;
        for (size_t j = i + 1; j < n; j++) {
            if (value_of(cfg, &es[j], rest, b, sizeof b) && strcmp(a, b) == 0) {
                add_key(keys, size, &es[j], rest);
                found = true;
            }
        }
        if (found)
            return true;
    }
    return false;
}

/* Values compare as thin-edge.io's Option<String>: both absent is equal. */
static bool same_value(const char *a, const char *b)
{
    return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

static int check(te_config_t *cfg, te_cloud_t cloud, const char *what)
{
    const char *name = te_cloud_name(cloud);
    entry_t *es = calloc(MAX_PROFILES + 1, sizeof *es);
    if (!es)
        return TE_EXIT_FAILURE;
    size_t n = 0;
    const char *present = cloud == TE_CLOUD_C8Y ? "http" : "url";
    char buf[512];
    snprintf(es[n].prefix_key, sizeof es[n].prefix_key, "%s", name);
    if (value_of(cfg, &es[n], present, buf, sizeof buf))
        n++;
    size_t count = te_config_profile_count(cfg, name);
    for (size_t i = 0; i < count && n < MAX_PROFILES; i++) {
        snprintf(es[n].prefix_key, sizeof es[n].prefix_key, "%s.profiles.%s", name,
                 te_config_profile_at(cfg, name, i));
        if (value_of(cfg, &es[n], present, buf, sizeof buf))
            n++;
    }
    char cause[4096];
    cause[0] = '\0';
    /* URL and device id together */
    for (size_t i = 0; i < n && !cause[0]; i++) {
        char url_i[512], id_i[512], url_keys[1024] = "", id_keys[1024] = "";
        const char *u1 = value_of(cfg, &es[i], "url", url_i, sizeof url_i);
        const char *d1 = value_of(cfg, &es[i], "device.id", id_i, sizeof id_i);
        bool found = false;
        for (size_t j = i + 1; j < n; j++) {
            char url_j[512], id_j[512];
            const char *u2 = value_of(cfg, &es[j], "url", url_j, sizeof url_j);
            const char *d2 = value_of(cfg, &es[j], "device.id", id_j, sizeof id_j);
            if (!same_value(u1, u2) || !same_value(d1, d2))
                continue;
            if (!found) {
                add_key(url_keys, sizeof url_keys, &es[i], "url");
                add_key(id_keys, sizeof id_keys, &es[i], "device.id");
                found = true;
            }
            add_key(url_keys, sizeof url_keys, &es[j], "url");
            add_key(id_keys, sizeof id_keys, &es[j], "device.id");
        }
        if (found)
            snprintf(cause, sizeof cause,
                     "You have matching URLs and device IDs for different profiles.\n\n"
                     "%s are set to the same value, but so are %s.\n\n"
                     "Each cloud profile requires either a unique URL or unique device ID, so it corresponds to "
                     "a unique device in the associated cloud.",
                     url_keys, id_keys);
    }
    char keys[1024];
    static const char *const c8y_rest[] = {"bridge.topic_prefix", "proxy.bind.port"};
    size_t n_rest = cloud == TE_CLOUD_C8Y ? 2 : 1;
    for (size_t r = 0; r < n_rest && !cause[0]; r++) {
        if (matching(cfg, es, n, c8y_rest[r], keys, sizeof keys))
            snprintf(cause, sizeof cause,
                     "The configurations: %s should be set to different values before connecting, but are "
                     "currently set to the same value",
                     keys);
    }
    free(es);
    if (!cause[0])
        return 0;
    const char *causes[] = {cause};
    return te_ui_fail_plain(what, causes, 1);
}

int te_connect_validate_profiles(te_config_t *cfg, te_cloud_t cloud, const char *what)
{
    /* keys are named explicitly here: read the default profile as itself */
    char saved[TE_PROFILE_NAME_MAX] = "";
    if (te_config_profile(cfg))
        snprintf(saved, sizeof saved, "%s", te_config_profile(cfg));
    if (te_config_use_profile(cfg, NULL) != TE_OK)
        return TE_EXIT_FAILURE;
    int rc = check(cfg, cloud, what);
    if (te_config_use_profile(cfg, saved[0] ? saved : NULL) != TE_OK)
        return TE_EXIT_FAILURE;
    return rc;
}
