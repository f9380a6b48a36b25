/* config_internal: what config.c (loading, reading, writing), config_keys.c
 * (the key table), config_value.c (value types), config_syntax.c (text
 * parsers), config_env.c (environment and deprecated keys) and
 * config_devid.c (device id from the certificate) share. Not a public interface: nothing outside these files includes it. */
#ifndef TEDGE_CONFIG_INTERNAL_H
#define TEDGE_CONFIG_INTERNAL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "tedge/config.h"
#include "tedge/toml.h"

/* Extra checks on top of a key's type. */
enum {
    TE_CFG_CHECK_NONE = 0,
    TE_CFG_CHECK_TOPIC_PREFIX,  /* non-empty, no '#', '+', not c8y-internal */
    TE_CFG_CHECK_PAYLOAD_LIMIT, /* 1 ..= 268435455 */
    TE_CFG_CHECK_TOPIC_FILTERS, /* every list item is an MQTT topic filter */
};

/* Flags of a key. */
enum {
    TE_CFG_F_CFG_DIR = 1u << 0,   /* default_value's /etc/tedge is the config dir */
    TE_CFG_F_DEVICE_ID = 1u << 1, /* device.id: CN of device.cert_path, else the stored value */
    TE_CFG_F_CLOUD_ID = 1u << 2,  /* <cloud>.device.id: CN of <cloud>.device.cert_path,
                                     else stored, else the stored device.id */
};

/* One row of the key table; pub comes first so a te_cfg_key_t pointer from
 * the table converts back to its row. */
typedef struct te_config_keydef {
    te_cfg_key_t pub;
    const char *note;
    const char *const *choices;   /* TE_CFG_ENUM: NULL-terminated words */
    const char *choice_error;     /* TE_CFG_ENUM: reason, one %s = the input */
    uint16_t default_port;        /* TE_CFG_HOSTPORT: port when none is given */
    uint8_t n_examples;
    uint8_t check;                /* TE_CFG_CHECK_* */
    uint8_t flags;                /* TE_CFG_F_* */
} te_config_keydef_t;

/* The loaded configuration (config.c; the profile part in config_profile.c). */
typedef struct list_cache {
    char **items;
    size_t n;
} list_cache_t;

struct te_config {
    char *dir;
    char *file;
    te_toml_t *file_root;   /* tedge.toml, canonical values for known keys */
    te_toml_t *env_root;    /* TEDGE_* overrides by key; NULL when file only */
    char **text_cache;      /* per key: the last value handed out */
    list_cache_t *list_cache;
    void **dead;            /* replaced cache entries, freed with cfg */
    size_t n_dead, cap_dead;
    char *profile;          /* te_config_use_profile, or NULL */
    struct prof_cache *prof_cache; /* caches of profile keys */
    char **profile_names;   /* te_config_profile_at */
    size_t n_profile_names;
};

/* The cache of one profile key ("c8y.profiles.x.url"). */
typedef struct prof_cache {
    char *path;
    char *text;
    list_cache_t list;
    struct prof_cache *next;
} prof_cache_t;

/* qsort comparator for arrays of C strings. */
int te_config_compare_strings(const void *a, const void *b);

/* The table (config_keys.c) and its size. */
extern const te_config_keydef_t te_config_keydefs[];
extern const size_t te_config_keydef_count;

/* The row of a key from the table, or NULL. */
const te_config_keydef_t *te_config_keydef_of(const te_cfg_key_t *key);
/* Index of a row in te_config_keydefs. */
size_t te_config_keydef_index(const te_config_keydef_t *kd);
/* True when path names a group of keys ("c8y", "mqtt.bind") or config.version. */
bool te_config_is_group(const char *path);
bool te_config_is_internal_key(const char *path);

/* Writes a formatted message into err (when err and errlen are non-zero). */
void te_config_errf(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* --- values (config_value.c) ---
 * A stored value is a TOML node in its canonical form: strings for text,
 * paths, IPs, URLs, host-ports, durations, flags and words; integers for
 * ports and counts; booleans; arrays of strings for lists. */

/* Parses text as given on the command line (or an environment variable) for
 * kd into a new canonical node. cwd-relative paths are made absolute.
 * Returns TE_OK, TE_ERR_CONFIG (err holds the reason) or TE_ERR_NOMEM. */
te_err_t te_config_value_parse_text(const te_config_keydef_t *kd, const char *text,
                           te_toml_t **out, char *err, size_t errlen);
/* Checks a node read from tedge.toml (or TOML from an environment variable)
 * and returns a new canonical node for it. Lenient where thin-edge.io is:
 * numbers and booleans may be written as strings, a list as one
 * comma-separated string. Returns TE_OK, TE_ERR_CONFIG or TE_ERR_NOMEM. */
te_err_t te_config_value_parse_node(const te_config_keydef_t *kd, const te_toml_t *in,
                           te_toml_t **out, char *err, size_t errlen);
/* Formats a canonical node as `tedge config get` prints it (malloc'd). */
te_err_t te_config_value_format(const te_config_keydef_t *kd, const te_toml_t *node, char **out);
/* A deep copy of a string, integer, boolean, float or array-of-those node. */
te_toml_t *te_config_node_clone(const te_toml_t *node);
/* Number of seconds of a duration node. */
te_err_t te_config_duration_seconds(const te_toml_t *node, int64_t *seconds);

/* --- text syntaxes (config_syntax.c), with thin-edge.io's reasons --- */

enum { TE_CONFIG_INT_OK, TE_CONFIG_INT_EMPTY, TE_CONFIG_INT_INVALID, TE_CONFIG_INT_OVERFLOW };
/* An unsigned integer <= max as Rust's str::parse: optional '+', digits
 * only; returns TE_CONFIG_INT_*, the value in *out on TE_CONFIG_INT_OK. */
int te_config_parse_uint(const char *s, uint64_t max, uint64_t *out);
/* Rust's message for a TE_CONFIG_INT_* failure. */
const char *te_config_uint_reason(int status);
/* A humantime duration ("1h 30m", "5s"); false with humantime's reason. */
bool te_config_parse_duration(const char *text, uint64_t *seconds, char *err, size_t errlen);
/* A host as url::Host::parse; NULL on success (then *normalised, if not
 * NULL, is the host as printed, malloc'd), else the url crate's reason. */
const char *te_config_parse_host(const char *input, size_t len, char **normalised);
/* host[:port] as thin-edge.io's HostPort (split at the first ':'); false with
 * the causes in err. *display (optional, malloc'd) is host:port as printed. */
bool te_config_parse_hostport(const char *text, uint16_t default_port, char **display,
                              char *err, size_t errlen);
bool te_config_valid_topic_filter(const char *filter);

/* Lexically normalised absolute path (joined to the cwd when relative);
 * malloc'd, NULL when out of memory or the cwd is unknown. */
char *te_config_abs_path(const char *path);

/* --- loading helpers (config_env.c) --- */

/* Moves deprecated keys of a tedge.toml tree to their new names (warning for
 * each); returns true if anything moved. */
bool te_config_migrate(te_toml_t *root);
/* Reads the TEDGE_* environment into env_root (canonical nodes by key).
 * Returns TE_OK, TE_ERR_CONFIG (err names the variable) or TE_ERR_NOMEM. */
te_err_t te_config_read_env(te_toml_t *env_root, char *err, size_t errlen);

/* --- device id (config_devid.c) --- */

/* Reads the subject CN of the PEM certificate at path into *cn (malloc'd).
 * Returns TE_OK, TE_ERR_NOTFOUND (no such file), TE_ERR_PARSE (not a
 * certificate or no CN; err says why), TE_ERR_PERM, TE_ERR_IO or TE_ERR_NOMEM. */
te_err_t te_config_cert_cn(const char *path, char **cn, char *err, size_t errlen);

/* --- profiles (config_profile.c) --- */

/* Length of the cloud of a key name ("c8y" of "c8y.url"), 0 if none. */
size_t te_config_cloud_prefix_len(const char *name);

#endif
