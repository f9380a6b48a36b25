/* toml_internal: the node layout and the helpers that toml.c (tree and
 * accessors), toml_parse.c (reader) and toml_write.c (writer) share. Not a
 * public interface: nothing outside these three files includes it. */
#ifndef TEDGE_TOML_INTERNAL_H
#define TEDGE_TOML_INTERNAL_H

#include <stddef.h>
#include <stdint.h>
#include "tedge/toml.h"

/* Flags the reader needs to apply TOML 1.0's rules on (re)defining tables;
 * the writer uses TE_TOML_F_AOT to keep [[x]] blocks as blocks. Nodes made
 * through the public constructors have no flags. */
enum {
    TE_TOML_F_HEADER = 1u << 0, /* table named by its own [x] header or an [[x]] element */
    TE_TOML_F_DOTTED = 1u << 1, /* table created or extended by dotted keys */
    TE_TOML_F_INLINE = 1u << 2, /* inline table { ... }: closed to additions */
    TE_TOML_F_AOT = 1u << 3,    /* array made by [[x]] headers */
};

/* Tables up to this many members are searched linearly; bigger ones get a
 * hash index so a hostile 4 MiB file of keys cannot make parsing quadratic. */
#define TE_TOML_INDEX_MIN 8u

/* Deepest nesting of tables and arrays below the root, in the reader. */
#define TE_TOML_MAX_DEPTH 64u

typedef struct te_toml_member {
    char *key;
    te_toml_t *val;
} te_toml_member_t;

struct te_toml {
    uint8_t type;   /* te_toml_type_t */
    uint8_t flags;  /* TE_TOML_F_* */
    union {
        const char *str;     /* stored in the same allocation as the node */
        int64_t i;
        double f;
        bool b;
        struct {
            te_toml_t **items;
            size_t len, cap;
        } arr;
        struct {
            te_toml_member_t *members;
            uint32_t *index;     /* open addressing: member position + 1, 0 = empty */
            size_t len, cap, index_cap;
        } tab;
    } u;
};

/* A string node holding a copy of s[0..len) plus a NUL; NULL when out of memory. */
te_toml_t *te_toml_new_strn(const char *s, size_t len);

/* Position of key in table, or (size_t)-1. */
size_t te_toml_table_find(const te_toml_t *table, const char *key);

/* Appends key -> val (the key must be absent). Takes ownership of key (a
 * malloc'd string) and val in every case: both are freed on failure.
 * Returns TE_OK or TE_ERR_NOMEM. */
te_err_t te_toml_table_append(te_toml_t *table, char *key, te_toml_t *val);

/* Appends val to an array, taking ownership as te_toml_array_push. */
te_err_t te_toml_array_append(te_toml_t *array, te_toml_t *val);

/* Value of a hex digit, or -1. */

/* Turns a token of [A-Za-z0-9_+.:-] (an integer, float or boolean) into a
 * node in *out. Returns TE_OK, TE_ERR_PARSE with the reason in msg (dates
 * and times are refused here) or TE_ERR_NOMEM. */
te_err_t te_toml_scalar_from_token(const char *s, size_t n, te_toml_t **out, char *msg,
                                   size_t msglen);

/* Growable NUL-terminated text; after a failed allocation oom is set and
 * further appends are ignored, so callers check once at the end. */
typedef struct te_toml_buf {
    char *data;
    size_t len, cap;
    bool oom;
} te_toml_buf_t;

void te_toml_buf_put(te_toml_buf_t *buf, const char *s, size_t len);
void te_toml_buf_putc(te_toml_buf_t *buf, char c);
/* Appends a basic string "..." with TOML escapes. Bytes that are not valid
 * UTF-8 (possible only in trees built through the API) become U+FFFD, so the
 * output always parses. */
void te_toml_buf_quoted(te_toml_buf_t *buf, const char *s);
/* Appends a key: bare when it is [A-Za-z0-9_-]+, else quoted. */
void te_toml_buf_key(te_toml_buf_t *buf, const char *key);

/* Length of the valid UTF-8 sequence at s[0..len), or 0 if it is invalid
 * (overlong, surrogate, above U+10FFFF or truncated); *cp gets the code point. */
size_t te_toml_utf8_decode(const unsigned char *s, size_t len, uint32_t *cp);

#endif
