/* toml: a small TOML reader and writer for tedge's own files (tedge.toml,
 * system.toml, plugin and operation files, workflows).
 *
 * Supported: comments, tables [a.b], arrays of tables [[a]], inline tables,
 * dotted and quoted keys, basic and literal strings (also multi-line, with
 * escapes incl. \uXXXX), integers (decimal with _, 0x, 0o, 0b), floats (incl.
 * inf/nan, exponents), booleans, nested arrays. Offset/local date-times are
 * rejected with a clear error (tedge's files never hold them).
 *
 * Memory: a parsed document is one tree of te_toml_t nodes owned by its root;
 * te_toml_free(root) frees all of it. Pointers returned by getters point into
 * the tree and live as long as the tree. Tables keep keys in insertion order.
 * Bounds: nesting depth <= 64, document <= 4 MiB (TE_ERR_TOOBIG beyond). */
#ifndef TEDGE_TOML_H
#define TEDGE_TOML_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "tedge/err.h"

typedef enum te_toml_type {
    TE_TOML_STRING,
    TE_TOML_INT,
    TE_TOML_FLOAT,
    TE_TOML_BOOL,
    TE_TOML_ARRAY,
    TE_TOML_TABLE,
} te_toml_type_t;

typedef struct te_toml te_toml_t;

#define TE_TOML_MAX_BYTES (4u * 1024u * 1024u)

/* Parses text[0..len) into a new tree (*root, a TABLE). On error *root is NULL
 * and err receives "line N: <reason>" (err may be NULL).
 * Returns TE_OK, TE_ERR_PARSE, TE_ERR_TOOBIG or TE_ERR_NOMEM. */
te_err_t te_toml_parse(const char *text, size_t len, te_toml_t **root,
                       char *err, size_t errlen) TE_MUST_USE;

/* Reads and parses a file; err gets "<path>: line N: <reason>" or
 * "<path>: <strerror>". Returns as te_toml_parse, plus TE_ERR_NOTFOUND,
 * TE_ERR_PERM, TE_ERR_IO. */
te_err_t te_toml_parse_file(const char *path, te_toml_t **root,
                            char *err, size_t errlen) TE_MUST_USE;

/* Frees a tree (NULL is fine). Only call on roots or detached nodes. */
void te_toml_free(te_toml_t *node);

te_toml_type_t te_toml_type(const te_toml_t *node);

/* Member of a table by one key (not split on dots). NULL if absent or node
 * is not a table. */
const te_toml_t *te_toml_get(const te_toml_t *table, const char *key);
/* Member by a dotted path "a.b.c" (segments split on '.'), NULL if absent. */
const te_toml_t *te_toml_get_path(const te_toml_t *table, const char *path);

/* Element count of an array or member count of a table (0 otherwise). */
size_t te_toml_len(const te_toml_t *node);
/* i-th element of an array or i-th member value of a table (NULL if out of range). */
const te_toml_t *te_toml_at(const te_toml_t *node, size_t i);
/* Key of the i-th member of a table (NULL if out of range or not a table). */
const char *te_toml_key_at(const te_toml_t *table, size_t i);

/* Scalar accessors: the value, or NULL/0/false when the type differs. */
const char *te_toml_str(const te_toml_t *node);
int64_t te_toml_int(const te_toml_t *node);
double te_toml_float(const te_toml_t *node);
bool te_toml_bool(const te_toml_t *node);

/* Constructors: a new detached node (caller owns it until it is attached), or
 * NULL when out of memory. te_toml_new_str copies s. */
te_toml_t *te_toml_new_table(void);
te_toml_t *te_toml_new_array(void);
te_toml_t *te_toml_new_str(const char *s);
te_toml_t *te_toml_new_int(int64_t v);
te_toml_t *te_toml_new_float(double v);
te_toml_t *te_toml_new_bool(bool v);

/* Appends value to an array; takes ownership of value (freed on failure too).
 * Returns TE_OK, TE_ERR_INVAL (not an array) or TE_ERR_NOMEM. */
te_err_t te_toml_array_push(te_toml_t *array, te_toml_t *value) TE_MUST_USE;

/* Sets root[path] = value, creating intermediate tables and replacing any
 * old value; takes ownership of value (freed on failure too).
 * Returns TE_OK, TE_ERR_INVAL (a path segment is not a table) or TE_ERR_NOMEM. */
te_err_t te_toml_set_path(te_toml_t *root, const char *path,
                          te_toml_t *value) TE_MUST_USE;

/* Removes root[path]; then removes tables that became empty on the way up.
 * Returns TE_OK (also when absent). */
te_err_t te_toml_remove_path(te_toml_t *root, const char *path);

/* Serialises a tree: top-level scalars and arrays first, then one [a.b] header
 * per table that holds scalars (nested tables as their own headers, arrays of
 * tables as [[x]]), strings as basic strings with escapes. Parsing the output
 * gives an equal tree. *out is malloc'd, NUL-terminated; caller frees.
 * Returns TE_OK or TE_ERR_NOMEM. */
te_err_t te_toml_write(const te_toml_t *root, char **out, size_t *len) TE_MUST_USE;

#endif
