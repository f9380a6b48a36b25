/* config: the one table of tedge config keys (spec/cli.md §2.5) and the
 * loaded configuration: <config-dir>/tedge.toml, then TEDGE_* environment
 * overrides (§2.2), then defaults (possibly derived from other keys).
 *
 * Memory: te_config_t owns everything it returns; strings returned by getters
 * stay valid until the next te_config_set/unset on that key or te_config_free. */
#ifndef TEDGE_CONFIG_H
#define TEDGE_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "tedge/err.h"

typedef enum te_cfg_type {
    TE_CFG_STRING,
    TE_CFG_PATH,      /* relative input joined to cwd and normalised */
    TE_CFG_PORT,      /* 1..65535 */
    TE_CFG_UINT,      /* non-negative integer (32 bits) */
    TE_CFG_BOOL,
    TE_CFG_IP,        /* IPv4 or IPv6 literal */
    TE_CFG_DURATION,  /* "60", "60s", "5m", "1h", "365d"; kept as entered */
    TE_CFG_URL,       /* bare host name or IP */
    TE_CFG_HOSTPORT,  /* host[:port] */
    TE_CFG_LIST,      /* string list */
    TE_CFG_AUTOFLAG,  /* true | false | auto */
    TE_CFG_TIMEFMT,   /* unix | rfc-3339 */
    TE_CFG_ENUM,      /* one of a fixed set of words (c8y.auth_method, ...) */
} te_cfg_type_t;

typedef struct te_cfg_key {
    const char *name;          /* "mqtt.bind.port" */
    te_cfg_type_t type;
    const char *default_value; /* literal default, or NULL; defaults under
                                  /etc/tedge follow the config dir in use */
    const char *derived_from;  /* key whose value is the default, or NULL;
                                  "a,b": the first of a, b that has a value */
    const char *doc;           /* NULL in the table: te_config_key_doc() */
    const char *example;       /* NULL in the table: te_config_key_example() */
    bool read_only;            /* refused by te_config_set. None at present:
                                  device.id is derived from the certificate,
                                  but thin-edge.io lets it be set (the value
                                  used when there is no certificate) */
} te_cfg_key_t;

/* The documentation line (ending with '.') and the examples of a key, kept
 * out of the key table so that only `tedge config list --doc` links them. */
const char *te_config_key_doc(const te_cfg_key_t *key);
const char *te_config_key_example(const te_cfg_key_t *key);

/* The key table, in the fixed order `tedge config list` prints. */
size_t te_config_key_count(void);
const te_cfg_key_t *te_config_key_at(size_t i);
/* Finds a key; '_' and '.' compare equal ("c8y_url"). NULL if unknown. */
const te_cfg_key_t *te_config_key_find(const char *name);
/* Finds a key like te_config_key_find, also accepting the deprecated names of
 * spec/cli.md §2.1 (mqtt.port, azure.url, ...). A caller that wants to warn
 * compares the name given with the returned key's name. NULL if unknown. */
const te_cfg_key_t *te_config_key_lookup(const char *name);
/* The "Note: ..." text of `tedge config list --doc` for key, or NULL. */
const char *te_config_key_note(const te_cfg_key_t *key);
/* How many examples key->example holds (0 when it is NULL). */
size_t te_config_key_example_count(const te_cfg_key_t *key);

typedef struct te_config te_config_t;

/* Loads <config_dir>/tedge.toml (missing file = all defaults) and, unless
 * file_only, applies TEDGE_* environment overrides. config_dir NULL means
 * $TEDGE_CONFIG_DIR if set and non-empty, else /etc/tedge.
 * On error *cfg is NULL and err holds a message naming file/line or variable.
 * Warnings (unknown keys) are logged. Returns TE_OK, TE_ERR_CONFIG
 * (bad TOML or value), TE_ERR_PERM, TE_ERR_IO or TE_ERR_NOMEM. */
te_err_t te_config_load(te_config_t **cfg, const char *config_dir, bool file_only,
                        char *err, size_t errlen) TE_MUST_USE;
void te_config_free(te_config_t *cfg);

/* Checks the TEDGE_* environment as te_config_load does (warning about
 * unknown variables) without reading any file: `tedge config set` writes
 * the file only, yet fails like every command on an unparsable override.
 * Returns TE_OK, TE_ERR_CONFIG (err names the variable) or TE_ERR_NOMEM. */
te_err_t te_config_check_env(char *err, size_t errlen) TE_MUST_USE;

/* The config dir in use (absolute) and the tedge.toml path. */
const char *te_config_dir(const te_config_t *cfg);
const char *te_config_file(const te_config_t *cfg);

/* The value of key as `tedge config get` prints it (defaults and derived
 * values included; lists as ["a", "b"]), or NULL when it has no value.
 * Unknown keys return NULL. */
const char *te_config_get(te_config_t *cfg, const char *key);

/* Error texts: where a reason has several causes (spec/cli.md §1 "Caused
 * by:" chain) they are separated by '\n'; a line starting with a space
 * continues the cause before it. */

/* Like te_config_get, saying why there is no value. *value (owned by cfg, as
 * for te_config_get) is set on TE_OK. Returns TE_OK; TE_ERR_NOTFOUND when
 * the key has no value: err is then empty, or, for a value derived from a
 * certificate that does not exist (device.id), holds the explanation
 * `tedge config get` prints after "is not configured: "; TE_ERR_CONFIG when
 * the value could not be derived (unreadable certificate; err says why);
 * TE_ERR_INVAL for an unknown key; TE_ERR_NOMEM. */
te_err_t te_config_read(te_config_t *cfg, const char *key, const char **value,
                        char *err, size_t errlen) TE_MUST_USE;

/* Typed getters: TE_OK, TE_ERR_NOTFOUND (no value), TE_ERR_INVAL (unknown
 * key or other type). Durations are returned in seconds. */
te_err_t te_config_get_int(te_config_t *cfg, const char *key, int64_t *out) TE_MUST_USE;
te_err_t te_config_get_bool(te_config_t *cfg, const char *key, bool *out) TE_MUST_USE;
te_err_t te_config_get_duration_s(te_config_t *cfg, const char *key, int64_t *out) TE_MUST_USE;
/* List items: *items points to an array of *n strings owned by cfg. */
te_err_t te_config_get_list(te_config_t *cfg, const char *key,
                            const char *const **items, size_t *n) TE_MUST_USE;

/* Validates value for key's type and stores it in memory (not the file).
 * On TE_ERR_CONFIG err holds the parser reason (spec/cli.md §7), without the
 * "Failed to parse input" that `tedge config set` puts before it.
 * Returns TE_OK, TE_ERR_NOTFOUND (unknown key), TE_ERR_PERM (read-only key),
 * TE_ERR_CONFIG (bad value) or TE_ERR_NOMEM. */
te_err_t te_config_set(te_config_t *cfg, const char *key, const char *value,
                       char *err, size_t errlen) TE_MUST_USE;
te_err_t te_config_unset(te_config_t *cfg, const char *key) TE_MUST_USE;
/* `config add` / `config remove` semantics of spec/cli.md §2.4. */
te_err_t te_config_add(te_config_t *cfg, const char *key, const char *value,
                       char *err, size_t errlen) TE_MUST_USE;
te_err_t te_config_remove(te_config_t *cfg, const char *key, const char *value,
                          char *err, size_t errlen) TE_MUST_USE;

/* Writes the file values (never environment overrides) to tedge.toml
 * atomically (mode 0644), creating the config dir if needed, keeping unknown
 * tables. Returns TE_OK, TE_ERR_PERM or TE_ERR_IO (err says which path). */
te_err_t te_config_save(te_config_t *cfg, char *err, size_t errlen) TE_MUST_USE;

/* --- cloud profiles (spec/cli.md §2.1 P2) ---
 * Every key of a cloud (c8y.*, az.*, aws.*) exists again as
 * <cloud>.profiles.<name>.<rest>, with the same type, checks and defaults
 * (a profile's defaults are the literal ones, not the default profile's
 * values; keys derived from another key of the cloud derive from the same
 * profile's key). Every function above taking a key name accepts these
 * names; tedge.toml holds them under [<cloud>.profiles.<name>], the
 * environment as TEDGE_C8Y_PROFILES_<NAME>_URL. */
#define TE_PROFILE_NAME_MAX 64
/* Checks a profile name as thin-edge.io does (letters, digits, '-', '_',
 * at least one letter or digit) and writes it lower-cased into out.
 * TE_OK, or TE_ERR_INVAL with thin-edge.io's reason in err. */
te_err_t te_config_profile_name(const char *name, char *out, size_t outlen,
                                char *err, size_t errlen) TE_MUST_USE;
/* The name of a key under a profile: ("c8y.url", "New") -> "c8y.profiles.new.url";
 * profile NULL or "" gives the key itself. TE_ERR_NOTFOUND (unknown key),
 * TE_ERR_INVAL (not a cloud key, or already a profile key), TE_ERR_CONFIG
 * (bad profile name), TE_ERR_TOOBIG. */
te_err_t te_config_profiled_key(const char *key, const char *profile, char *out,
                                size_t outlen) TE_MUST_USE;
/* The table key a name stands for ("c8y.profiles.x.url" -> c8y.url) and
 * its profile (lower-cased, "" for none) in profile; NULL if unknown. */
const te_cfg_key_t *te_config_key_split(const char *name, char *profile, size_t profilelen);
/* From now on, reads and changes of cloud keys named without a profile
 * ("c8y.url") go to the profile's keys: what a mapper or `tedge connect`
 * started with --profile does. NULL or "" = the default profile.
 * TE_OK or TE_ERR_INVAL (bad name). */
te_err_t te_config_use_profile(te_config_t *cfg, const char *profile) TE_MUST_USE;
/* The profile in use, or NULL. */
const char *te_config_profile(const te_config_t *cfg);
/* The profiles of a cloud ("c8y") that tedge.toml or the environment
 * configure, sorted: te_config_profile_count collects them, then
 * te_config_profile_at(cfg, cloud, i) names them (owned by cfg, valid
 * until the next te_config_profile_count or te_config_free). */
size_t te_config_profile_count(te_config_t *cfg, const char *cloud);
const char *te_config_profile_at(te_config_t *cfg, const char *cloud, size_t i);

#endif
