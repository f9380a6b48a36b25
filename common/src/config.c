/* config: the loaded configuration: tedge.toml (kept whole, unknown keys
 * included, so a rewrite loses nothing), TEDGE_* overrides on top, then
 * defaults and values derived from other keys; reading, changing and saving.
 *
 * Values returned to callers are cached per key; a cached string is replaced
 * only when the value changed, and the old one is kept until
 * te_config_free, so a pointer handed out stays valid as the header says. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config_internal.h"
#include "tedge/fsutil.h"
#include "tedge/log.h"

#define DEFAULT_CONFIG_DIR "/etc/tedge"
#define DERIVE_DEPTH_MAX 4

/* A key as named by a caller: its table row and the path of its value in
 * tedge.toml ("c8y.url" or "c8y.profiles.x.url"); profile is "" for none. */
typedef struct keyref {
    const te_config_keydef_t *kd;
    char profile[TE_PROFILE_NAME_MAX];
    char path[256];
} keyref_t;

/* A value found for a key: borrowed from a tree, or owned (a default). */
typedef struct resolved {
    const te_toml_t *node;
    te_toml_t *owned;
} resolved_t;

static const te_config_keydef_t *keydef_exact(const char *path)
{
    for (size_t i = 0; i < te_config_keydef_count; i++)
        if (strcmp(te_config_keydefs[i].pub.name, path) == 0)
            return &te_config_keydefs[i];
    return NULL;
}

/* The key ref of kd under profile ("" or NULL: none). False when the
 * path does not fit. */
static bool keyref_of(keyref_t *ref, const te_config_keydef_t *kd, const char *profile)
{
    ref->kd = kd;
    ref->profile[0] = '\0';
    size_t cl = te_config_cloud_prefix_len(kd->pub.name);
    if (!profile || !*profile || cl == 0)
        return (size_t)snprintf(ref->path, sizeof ref->path, "%s", kd->pub.name) < sizeof ref->path;
    snprintf(ref->profile, sizeof ref->profile, "%s", profile);
    return (size_t)snprintf(ref->path, sizeof ref->path, "%.*s.profiles.%s.%s", (int)cl, kd->pub.name,
                            profile, kd->pub.name + cl + 1) < sizeof ref->path;
}

/* Resolves a name given by a caller: profile keys by their own name, cloud
 * keys without a profile to the profile in use. False if unknown. */
static bool keyref_named(const te_config_t *cfg, const char *name, keyref_t *ref)
{
    char profile[TE_PROFILE_NAME_MAX];
    const te_config_keydef_t *kd = te_config_keydef_of(te_config_key_split(name, profile, sizeof profile));
    if (!kd)
        return false;
    return keyref_of(ref, kd, profile[0] ? profile : cfg->profile);
}

static void os_error(char *buf, size_t len, int errnum)
{
    snprintf(buf, len, "%s (os error %d)", strerror(errnum), errnum);
}

/* --- loading --- */

/* Checks every value of the file and warns about unknown ones. */
static te_err_t check_table(te_config_t *cfg, const te_toml_t *table, const char *prefix,
                            const char *base, char *err, size_t errlen)
{
    for (size_t i = 0; i < te_toml_len(table); i++) {
        const char *key = te_toml_key_at(table, i);
        const te_toml_t *value = te_toml_at(table, i);
        char path[512], base_path[512];
        if ((size_t)snprintf(path, sizeof path, "%s%s%s", prefix, *prefix ? "." : "", key) >= sizeof path ||
            (size_t)snprintf(base_path, sizeof base_path, "%s%s%s", base, *base ? "." : "", key) >=
                sizeof base_path)
            continue;
        if (te_config_is_internal_key(path))
            continue;
        if (strcmp(prefix, base) == 0 && strcmp(key, "profiles") == 0 && te_config_cloud_prefix_len(path) &&
            !strchr(prefix, '.') && te_toml_type(value) == TE_TOML_TABLE) {
            /* [c8y.profiles.<name>]: the cloud's keys again */
            for (size_t j = 0; j < te_toml_len(value); j++) {
                const char *name = te_toml_key_at(value, j);
                char lower[TE_PROFILE_NAME_MAX], reason[256], sub[512];
                if (te_config_profile_name(name, lower, sizeof lower, reason, sizeof reason) != TE_OK ||
                    strcmp(lower, name) != 0 || te_toml_type(te_toml_at(value, j)) != TE_TOML_TABLE) {
                    te_log_warn("Unknown configuration field \"%s.%s\" from toml file %s", path, name, cfg->file);
                    continue;
                }
                if ((size_t)snprintf(sub, sizeof sub, "%.64s.%s", prefix, "profiles") >= sizeof sub ||
                    strlen(sub) + 1 + strlen(lower) >= sizeof sub)
                    continue;
                strcat(strcat(sub, "."), lower);
                te_err_t rc = check_table(cfg, te_toml_at(value, j), sub, prefix, err, errlen);
                if (rc != TE_OK)
                    return rc;
            }
            continue;
        }
        const te_config_keydef_t *kd = strchr(key, '.') ? NULL : keydef_exact(base_path);
        if (kd) {
            char reason[512];
            te_toml_t *canonical = NULL;
            te_err_t rc = te_config_value_parse_node(kd, value, &canonical, reason, sizeof reason);
            if (rc == TE_ERR_CONFIG)
                te_config_errf(err, errlen, "Invalid value for '%s' in %s\n%s", path, cfg->file, reason);
            if (rc != TE_OK)
                return rc;
            if (te_toml_set_path(cfg->file_root, path, canonical) != TE_OK)
                return TE_ERR_NOMEM;
        } else if (!strchr(key, '.') && te_config_is_group(base_path)) {
            if (te_toml_type(value) != TE_TOML_TABLE) {
                te_config_errf(err, errlen, "Invalid value for '%s' in %s\ninvalid type: expected a table",
                               path, cfg->file);
                return TE_ERR_CONFIG;
            }
            te_err_t rc = check_table(cfg, value, path, base_path, err, errlen);
            if (rc != TE_OK)
                return rc;
        } else {
            te_log_warn("Unknown configuration field \"%s\" from toml file %s", path, cfg->file);
        }
    }
    return TE_OK;
}

te_err_t te_config_load(te_config_t **out, const char *config_dir, bool file_only,
                        char *err, size_t errlen)
{
    *out = NULL;
    if (err && errlen)
        err[0] = '\0';
    if (!config_dir || !*config_dir) {
        const char *env = getenv("TEDGE_CONFIG_DIR");
        config_dir = (env && *env) ? env : DEFAULT_CONFIG_DIR;
    }
    te_config_t *cfg = calloc(1, sizeof *cfg);
    if (!cfg)
        return TE_ERR_NOMEM;
    cfg->dir = te_config_abs_path(config_dir);
    cfg->text_cache = calloc(te_config_keydef_count, sizeof *cfg->text_cache);
    cfg->list_cache = calloc(te_config_keydef_count, sizeof *cfg->list_cache);
    if (cfg->dir) {
        size_t size = strlen(cfg->dir) + sizeof "/tedge.toml";
        if ((cfg->file = malloc(size)))
            snprintf(cfg->file, size, "%s%s", strcmp(cfg->dir, "/") == 0 ? "" : cfg->dir, "/tedge.toml");
    }
    if (!cfg->dir || !cfg->file || !cfg->text_cache || !cfg->list_cache) {
        te_config_free(cfg);
        return TE_ERR_NOMEM;
    }

    te_err_t rc = te_toml_parse_file(cfg->file, &cfg->file_root, err, errlen);
    if (rc == TE_ERR_NOTFOUND) {
        if (err && errlen)
            err[0] = '\0';
        rc = (cfg->file_root = te_toml_new_table()) ? TE_OK : TE_ERR_NOMEM;
    } else if (rc == TE_ERR_PARSE || rc == TE_ERR_TOOBIG) {
        rc = TE_ERR_CONFIG;
    }
    if (rc == TE_OK) {
        te_config_migrate(cfg->file_root);
        rc = check_table(cfg, cfg->file_root, "", "", err, errlen);
    }
    if (rc == TE_OK && !file_only) {
        cfg->env_root = te_toml_new_table();
        rc = cfg->env_root ? te_config_read_env(cfg->env_root, err, errlen) : TE_ERR_NOMEM;
    }
    if (rc != TE_OK) {
        te_config_free(cfg);
        return rc;
    }
    *out = cfg;
    return TE_OK;
}

te_err_t te_config_check_env(char *err, size_t errlen)
{
    if (err && errlen)
        err[0] = '\0';
    te_toml_t *env_root = te_toml_new_table();
    if (!env_root)
        return TE_ERR_NOMEM;
    te_err_t rc = te_config_read_env(env_root, err, errlen);
    te_toml_free(env_root);
    return rc;
}

void te_config_free(te_config_t *cfg)
{
    if (!cfg)
        return;
    for (size_t i = 0; cfg->text_cache && i < te_config_keydef_count; i++)
        free(cfg->text_cache[i]);
    for (size_t i = 0; cfg->list_cache && i < te_config_keydef_count; i++) {
        for (size_t j = 0; j < cfg->list_cache[i].n; j++)
            free(cfg->list_cache[i].items[j]);
        free(cfg->list_cache[i].items);
    }
    for (size_t i = 0; i < cfg->n_dead; i++)
        free(cfg->dead[i]);
    for (prof_cache_t *pc = cfg->prof_cache, *next; pc; pc = next) {
        next = pc->next;
        free(pc->path);
        free(pc->text);
        for (size_t j = 0; j < pc->list.n; j++)
            free(pc->list.items[j]);
        free(pc->list.items);
        free(pc);
    }
    for (size_t i = 0; i < cfg->n_profile_names; i++)
        free(cfg->profile_names[i]);
    free(cfg->profile_names);
    free(cfg->profile);
    free(cfg->dead);
    free(cfg->text_cache);
    free(cfg->list_cache);
    te_toml_free(cfg->file_root);
    te_toml_free(cfg->env_root);
    free(cfg->dir);
    free(cfg->file);
    free(cfg);
}

const char *te_config_dir(const te_config_t *cfg) { return cfg->dir; }
const char *te_config_file(const te_config_t *cfg) { return cfg->file; }

/* --- reading --- */

static const te_toml_t *stored_value(const te_config_t *cfg, const char *path)
{
    const te_toml_t *node = cfg->env_root ? te_toml_get_path(cfg->env_root, path) : NULL;
    return node ? node : te_toml_get_path(cfg->file_root, path);
}

static void resolved_free(resolved_t *r)
{
    te_toml_free(r->owned);
    r->owned = NULL;
    r->node = NULL;
}

/* Finds the value of kd: stored, else derived, else default. r->node is
 * NULL when there is none. Returns TE_OK or TE_ERR_NOMEM. */
static te_err_t resolve(const te_config_t *cfg, const keyref_t *ref, resolved_t *r, int depth)
{
    const te_config_keydef_t *kd = ref->kd;
    r->node = stored_value(cfg, ref->path);
    r->owned = NULL;
    if (r->node)
        return TE_OK;
    if (kd->pub.derived_from && depth < DERIVE_DEPTH_MAX) {
        const char *p = kd->pub.derived_from;
        while (*p) {
            char source[128];
            size_t n = strcspn(p, ",");
            if (n < sizeof source) {
                memcpy(source, p, n);
                source[n] = '\0';
                const te_config_keydef_t *from = keydef_exact(source);
                keyref_t from_ref;
                if (from && !(from->flags & (TE_CFG_F_DEVICE_ID | TE_CFG_F_CLOUD_ID)) &&
                    keyref_of(&from_ref, from, ref->profile)) {
                    te_err_t rc = resolve(cfg, &from_ref, r, depth + 1);
                    if (rc != TE_OK || r->node)
                        return rc;
                }
            }
            p += n;
            if (*p == ',')
                p++;
        }
    }
    if (!kd->pub.default_value)
        return TE_OK;
    const char *text = kd->pub.default_value;
    char *owned_text = NULL;
    if ((kd->flags & TE_CFG_F_CFG_DIR) && strncmp(text, DEFAULT_CONFIG_DIR "/", 11) == 0) {
        size_t size = strlen(cfg->dir) + strlen(text);
        if (!(owned_text = malloc(size)))
            return TE_ERR_NOMEM;
        snprintf(owned_text, size, "%s%s", strcmp(cfg->dir, "/") == 0 ? "" : cfg->dir, text + 10);
        text = owned_text;
    }
    te_err_t rc = te_config_value_parse_text(kd, text, &r->owned, NULL, 0);
    free(owned_text);
    if (rc == TE_ERR_NOMEM)
        return rc;
    r->node = r->owned;
    return TE_OK;
}

/* The cache entry of a profile key, created on first use (NULL: no memory). */
static prof_cache_t *prof_cache_of(te_config_t *cfg, const char *path)
{
    for (prof_cache_t *pc = cfg->prof_cache; pc; pc = pc->next)
        if (strcmp(pc->path, path) == 0)
            return pc;
    prof_cache_t *pc = calloc(1, sizeof *pc);
    if (!pc || !(pc->path = strdup(path))) {
        free(pc);
        return NULL;
    }
    pc->next = cfg->prof_cache;
    cfg->prof_cache = pc;
    return pc;
}

/* Where the text and list values of a key are cached (NULL: no memory). */
static char **text_slot(te_config_t *cfg, const keyref_t *ref)
{
    if (!ref->profile[0])
        return &cfg->text_cache[te_config_keydef_index(ref->kd)];
    prof_cache_t *pc = prof_cache_of(cfg, ref->path);
    return pc ? &pc->text : NULL;
}

static list_cache_t *list_slot(te_config_t *cfg, const keyref_t *ref)
{
    if (!ref->profile[0])
        return &cfg->list_cache[te_config_keydef_index(ref->kd)];
    prof_cache_t *pc = prof_cache_of(cfg, ref->path);
    return pc ? &pc->list : NULL;
}

/* Keeps fresh as the cached text of a key; returns the cached pointer. */
static const char *keep_text(te_config_t *cfg, char **slot, char *fresh)
{
    if (!slot) {
        free(fresh);
        return NULL;
    }
    char *old = *slot;
    if (old && strcmp(old, fresh) == 0) {
        free(fresh);
        return old;
    }
    if (old) {
        if (cfg->n_dead == cfg->cap_dead) {
            size_t cap = cfg->cap_dead ? cfg->cap_dead * 2 : 8;
            void **dead = realloc(cfg->dead, cap * sizeof *dead);
            if (!dead) {
                free(fresh);
                return old; /* the older value, rather than a dangling pointer */
            }
            cfg->dead = dead;
            cfg->cap_dead = cap;
        }
        cfg->dead[cfg->n_dead++] = old;
    }
    *slot = fresh;
    return fresh;
}

#define NOT_CONFIGURED_MESSAGE                                   \
    "The device id is read from the device certificate.\n"      \
    "To set 'device.id' to some <id>, you can use `tedge cert create --device-id <id>`."

/* device.id and <cloud>.device.id: CN of the certificate, else the value stored. */
static te_err_t read_device_id(te_config_t *cfg, const keyref_t *ref, char **text,
                               char *err, size_t errlen)
{
    const te_config_keydef_t *kd = ref->kd;
    char cert_key[64];
    size_t prefix = strlen(kd->pub.name) - strlen("id");
    snprintf(cert_key, sizeof cert_key, "%.*scert_path", (int)prefix, kd->pub.name);
    const te_config_keydef_t *cert_kd = keydef_exact(cert_key);
    keyref_t cert_ref;
    resolved_t cert = {0};
    te_err_t rc = cert_kd && keyref_of(&cert_ref, cert_kd, ref->profile) ? resolve(cfg, &cert_ref, &cert, 0)
                                                                          : TE_ERR_INVAL;
    if (rc != TE_OK)
        return rc;
    char cert_err[512] = "";
    te_err_t cert_rc = TE_ERR_NOTFOUND;
    if (cert.node && te_toml_str(cert.node))
        cert_rc = te_config_cert_cn(te_toml_str(cert.node), text, cert_err, sizeof cert_err);
    resolved_free(&cert);
    if (cert_rc == TE_OK || cert_rc == TE_ERR_NOMEM)
        return cert_rc;
    const te_toml_t *stored = stored_value(cfg, ref->path);
    if (!stored && (kd->flags & TE_CFG_F_CLOUD_ID))
        stored = stored_value(cfg, "device.id");
    if (stored)
        return te_config_value_format(kd, stored, text);
    if (cert_rc == TE_ERR_NOTFOUND) {
        te_config_errf(err, errlen, "%s", NOT_CONFIGURED_MESSAGE);
        return TE_ERR_NOTFOUND;
    }
    te_config_errf(err, errlen, "Derivation for `device.id` failed: %s", cert_err);
    return TE_ERR_CONFIG;
}

te_err_t te_config_read(te_config_t *cfg, const char *key, const char **value, char *err, size_t errlen)
{
    *value = NULL;
    if (err && errlen)
        err[0] = '\0';
    keyref_t ref;
    if (!keyref_named(cfg, key, &ref))
        return TE_ERR_INVAL;
    const te_config_keydef_t *kd = ref.kd;
    char *text = NULL;
    te_err_t rc;
    if (kd->flags & (TE_CFG_F_DEVICE_ID | TE_CFG_F_CLOUD_ID)) {
        rc = read_device_id(cfg, &ref, &text, err, errlen);
    } else {
        resolved_t r;
        rc = resolve(cfg, &ref, &r, 0);
        if (rc == TE_OK && !r.node)
            rc = TE_ERR_NOTFOUND;
        if (rc == TE_OK)
            rc = te_config_value_format(kd, r.node, &text);
        resolved_free(&r);
    }
    if (rc != TE_OK)
        return rc;
    *value = keep_text(cfg, text_slot(cfg, &ref), text);
    return *value ? TE_OK : TE_ERR_NOMEM;
}

const char *te_config_get(te_config_t *cfg, const char *key)
{
    const char *value = NULL;
    return te_config_read(cfg, key, &value, NULL, 0) == TE_OK ? value : NULL;
}

/* Resolves a key of the given type for the typed getters. */
static te_err_t typed_value(te_config_t *cfg, const char *key, te_cfg_type_t t1, te_cfg_type_t t2,
                            resolved_t *r, keyref_t *refp)
{
    keyref_t ref;
    if (!keyref_named(cfg, key, &ref) || (ref.kd->pub.type != t1 && ref.kd->pub.type != t2))
        return TE_ERR_INVAL;
    te_err_t rc = resolve(cfg, &ref, r, 0);
    if (rc == TE_OK && !r->node)
        rc = TE_ERR_NOTFOUND;
    if (refp)
        *refp = ref;
    return rc;
}

te_err_t te_config_get_int(te_config_t *cfg, const char *key, int64_t *out)
{
    resolved_t r = {0};
    te_err_t rc = typed_value(cfg, key, TE_CFG_PORT, TE_CFG_UINT, &r, NULL);
    if (rc == TE_OK)
        *out = te_toml_int(r.node);
    resolved_free(&r);
    return rc;
}

te_err_t te_config_get_bool(te_config_t *cfg, const char *key, bool *out)
{
    resolved_t r = {0};
    te_err_t rc = typed_value(cfg, key, TE_CFG_BOOL, TE_CFG_BOOL, &r, NULL);
    if (rc == TE_OK)
        *out = te_toml_bool(r.node);
    resolved_free(&r);
    return rc;
}

te_err_t te_config_get_duration_s(te_config_t *cfg, const char *key, int64_t *out)
{
    resolved_t r = {0};
    te_err_t rc = typed_value(cfg, key, TE_CFG_DURATION, TE_CFG_DURATION, &r, NULL);
    if (rc == TE_OK)
        rc = te_config_duration_seconds(r.node, out);
    resolved_free(&r);
    return rc;
}

te_err_t te_config_get_list(te_config_t *cfg, const char *key, const char *const **items, size_t *n)
{
    resolved_t r = {0};
    keyref_t ref;
    te_err_t rc = typed_value(cfg, key, TE_CFG_LIST, TE_CFG_LIST, &r, &ref);
    list_cache_t *cache = rc == TE_OK ? list_slot(cfg, &ref) : NULL;
    if (rc == TE_OK && !cache)
        rc = TE_ERR_NOMEM;
    if (rc != TE_OK) {
        resolved_free(&r);
        return rc;
    }
    size_t count = te_toml_len(r.node);
    bool same = cache->items && cache->n == count;
    for (size_t i = 0; same && i < count; i++)
        same = strcmp(cache->items[i], te_toml_str(te_toml_at(r.node, i))) == 0;
    if (!same) {
        char **fresh = calloc(count + 1, sizeof *fresh);
        for (size_t i = 0; fresh && i < count; i++) {
            if (!(fresh[i] = strdup(te_toml_str(te_toml_at(r.node, i))))) {
                for (size_t j = 0; j < i; j++)
                    free(fresh[j]);
                free(fresh);
                fresh = NULL;
            }
        }
        if (!fresh) {
            resolved_free(&r);
            return TE_ERR_NOMEM;
        }
        /* The old array and its strings stay valid until te_config_free. */
        size_t need = cfg->n_dead + cache->n + 1;
        if (cache->items && need > cfg->cap_dead) {
            void **dead = realloc(cfg->dead, need * 2 * sizeof *dead);
            if (!dead) {
                for (size_t i = 0; i < count; i++)
                    free(fresh[i]);
                free(fresh);
                resolved_free(&r);
                return TE_ERR_NOMEM;
            }
            cfg->dead = dead;
            cfg->cap_dead = need * 2;
        }
        if (cache->items) {
            for (size_t i = 0; i < cache->n; i++)
                cfg->dead[cfg->n_dead++] = cache->items[i];
            cfg->dead[cfg->n_dead++] = cache->items;
        }
        cache->items = fresh;
        cache->n = count;
    }
    resolved_free(&r);
    *items = (const char *const *)cache->items;
    *n = cache->n;
    return TE_OK;
}

/* --- changing --- */

static te_err_t store(te_config_t *cfg, const keyref_t *ref, te_toml_t *node)
{
    if (cfg->env_root)
        (void)te_toml_remove_path(cfg->env_root, ref->path);
    te_err_t rc = te_toml_set_path(cfg->file_root, ref->path, node);
    return rc == TE_ERR_INVAL ? TE_ERR_CONFIG : rc;
}

static te_err_t writable_key(const te_config_t *cfg, const char *key, keyref_t *ref)
{
    if (!keyref_named(cfg, key, ref))
        return TE_ERR_NOTFOUND;
    return ref->kd->pub.read_only ? TE_ERR_PERM : TE_OK;
}

/* Removes the value at path; a profile table left empty goes too. */
static te_err_t remove_value(te_config_t *cfg, const keyref_t *ref)
{
    if (cfg->env_root)
        (void)te_toml_remove_path(cfg->env_root, ref->path);
    te_err_t rc = te_toml_remove_path(cfg->file_root, ref->path);
    if (rc != TE_OK || !ref->profile[0])
        return rc;
    /* drop the tables of the path that are now empty, up to the profile's */
    char table[256];
    snprintf(table, sizeof table, "%s", ref->path);
    size_t cl = te_config_cloud_prefix_len(ref->path);
    size_t stop = cl + strlen(".profiles.") + strlen(ref->profile);
    for (char *dot = strrchr(table, '.'); dot && (size_t)(dot - table) >= stop; dot = strrchr(table, '.')) {
        *dot = '\0';
        const te_toml_t *t = te_toml_get_path(cfg->file_root, table);
        if (!t || te_toml_type(t) != TE_TOML_TABLE || te_toml_len(t) != 0)
            break;
        (void)te_toml_remove_path(cfg->file_root, table);
    }
    return TE_OK;
}

te_err_t te_config_set(te_config_t *cfg, const char *key, const char *value, char *err, size_t errlen)
{
    keyref_t ref;
    te_err_t rc = writable_key(cfg, key, &ref);
    te_toml_t *node = NULL;
    if (rc == TE_OK)
        rc = te_config_value_parse_text(ref.kd, value, &node, err, errlen);
    return rc == TE_OK ? store(cfg, &ref, node) : rc;
}

te_err_t te_config_unset(te_config_t *cfg, const char *key)
{
    keyref_t ref;
    te_err_t rc = writable_key(cfg, key, &ref);
    if (rc != TE_OK)
        return rc;
    return remove_value(cfg, &ref);
}

int te_config_compare_strings(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* A new array of the given strings: sorted and de-duplicated if sort. */
static te_toml_t *array_of(const char **items, size_t n, bool sort)
{
    if (sort && n > 1)
        qsort(items, n, sizeof *items, te_config_compare_strings);
    te_toml_t *array = te_toml_new_array();
    for (size_t i = 0; array && i < n; i++) {
        if (sort && i > 0 && strcmp(items[i], items[i - 1]) == 0)
            continue;
        te_toml_t *item = te_toml_new_str(items[i]);
        if (!item || te_toml_array_push(array, item) != TE_OK) {
            te_toml_free(array);
            return NULL;
        }
    }
    return array;
}

/* add (union, sorted) or remove (difference) for list keys. */
static te_err_t change_list(te_config_t *cfg, const keyref_t *ref, const te_toml_t *given, bool add)
{
    resolved_t current;
    te_err_t rc = resolve(cfg, ref, &current, 0);
    if (rc != TE_OK)
        return rc;
    if (!current.node) {
        /* No value at all: add stores the items as given; remove has nothing to do. */
        te_toml_t *copy = add ? te_config_node_clone(given) : NULL;
        if (!add)
            return te_toml_remove_path(cfg->file_root, ref->path);
        return copy ? store(cfg, ref, copy) : TE_ERR_NOMEM;
    }
    size_t n_cur = te_toml_len(current.node), n_given = te_toml_len(given);
    const char **items = calloc(n_cur + n_given + 1, sizeof *items);
    if (!items) {
        resolved_free(&current);
        return TE_ERR_NOMEM;
    }
    size_t n = 0;
    for (size_t i = 0; i < n_cur; i++) {
        const char *item = te_toml_str(te_toml_at(current.node, i));
        bool drop = false;
        for (size_t j = 0; !add && j < n_given; j++)
            drop = drop || strcmp(item, te_toml_str(te_toml_at(given, j))) == 0;
        if (!drop)
            items[n++] = item;
    }
    for (size_t j = 0; add && j < n_given; j++)
        items[n++] = te_toml_str(te_toml_at(given, j));
    te_toml_t *result = array_of(items, n, add);
    free(items);
    resolved_free(&current);
    return result ? store(cfg, ref, result) : TE_ERR_NOMEM;
}

te_err_t te_config_add(te_config_t *cfg, const char *key, const char *value, char *err, size_t errlen)
{
    keyref_t ref;
    te_err_t rc = writable_key(cfg, key, &ref);
    if (rc != TE_OK)
        return rc;
    if (ref.kd->pub.type != TE_CFG_LIST)
        return te_config_set(cfg, key, value, err, errlen);
    te_toml_t *given = NULL;
    rc = te_config_value_parse_text(ref.kd, value, &given, err, errlen);
    if (rc == TE_OK)
        rc = change_list(cfg, &ref, given, true);
    te_toml_free(given);
    return rc;
}

te_err_t te_config_remove(te_config_t *cfg, const char *key, const char *value, char *err, size_t errlen)
{
    keyref_t ref;
    te_err_t rc = writable_key(cfg, key, &ref);
    if (rc != TE_OK)
        return rc;
    const te_config_keydef_t *kd = ref.kd;
    te_toml_t *given = NULL;
    rc = te_config_value_parse_text(kd, value, &given, err, errlen);
    if (rc != TE_OK)
        return rc;
    if (kd->pub.type == TE_CFG_LIST) {
        rc = change_list(cfg, &ref, given, false);
    } else {
        /* A single value is unset when it equals the value given. */
        char *wanted = NULL;
        const char *current = NULL;
        rc = te_config_value_format(kd, given, &wanted);
        if (rc == TE_OK && te_config_read(cfg, ref.path, &current, NULL, 0) == TE_OK &&
            strcmp(current, wanted) == 0)
            rc = remove_value(cfg, &ref);
        free(wanted);
    }
    te_toml_free(given);
    return rc;
}

/* --- saving --- */

te_err_t te_config_save(te_config_t *cfg, char *err, size_t errlen)
{
    char reason[256];
    te_err_t rc = te_fs_mkdir_p(cfg->dir, 0755);
    if (rc != TE_OK) {
        os_error(reason, sizeof reason, errno);
        te_config_errf(err, errlen, "Failed to create the configuration directory %s\n%s", cfg->dir, reason);
        return rc == TE_ERR_PERM ? TE_ERR_PERM : TE_ERR_IO;
    }
    char *data = NULL;
    size_t len = 0;
    rc = te_toml_write(cfg->file_root, &data, &len);
    if (rc != TE_OK)
        return rc;
    rc = te_fs_write_atomic(cfg->file, data, len, 0644);
    int saved = errno;
    free(data);
    if (rc != TE_OK) {
        os_error(reason, sizeof reason, saved);
        te_config_errf(err, errlen, "Failed to write the configuration file %s\n%s", cfg->file, reason);
        return rc == TE_ERR_PERM ? TE_ERR_PERM : TE_ERR_IO;
    }
    rc = te_fs_chown_names(cfg->file, "tedge", "tedge");
    if (rc == TE_ERR_NOTFOUND)
        te_log_debug("No tedge user or group: %s keeps its owner", cfg->file);
    else if (rc != TE_OK)
        te_log_warn("Failed to change the owner of %s to tedge:tedge: %s", cfg->file, te_strerror(rc));
    return TE_OK;
}
