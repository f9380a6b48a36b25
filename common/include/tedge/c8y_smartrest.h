/* c8y_smartrest: the two text writers of the c8y mapper, working on a
 * caller-owned fixed buffer (no allocation): SmartREST CSV lines ("quote only
 * when needed", mapper-c8y.md header) and compact JSON written the way
 * thin-edge.io's serde_json writes it (floats in shortest round-trip form
 * with ".0", integers as integers, `/` and non-ASCII not escaped).
 *
 * A writer never writes past cap: once something does not fit, `overflow`
 * is set, the content is left truncated and callers treat the result as
 * "too large". */
#ifndef TEDGE_C8Y_SMARTREST_H
#define TEDGE_C8Y_SMARTREST_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include "tedge/err.h"

/* Largest SmartREST payload the mapper builds (mapper-c8y.md header). */
#define TE_C8Y_SMARTREST_MAX 16000

/* Deepest JSON value te_c8y_json_value writes (jansson parses at most 2048). */
#define TE_C8Y_JSON_MAX_DEPTH 2048

typedef struct te_c8y_buf {
    char *data;     /* caller-owned, cap bytes; kept NUL-terminated */
    size_t cap;     /* room including the NUL */
    size_t len;
    bool overflow;
} te_c8y_buf_t;

/* Points b at mem[0..cap) (cap >= 1) and empties it. */
void te_c8y_buf_init(te_c8y_buf_t *b, char *mem, size_t cap);
void te_c8y_buf_reset(te_c8y_buf_t *b);
/* Appends n raw bytes / a raw C string / a printf text. */
void te_c8y_buf_raw(te_c8y_buf_t *b, const char *s, size_t n);
void te_c8y_buf_str(te_c8y_buf_t *b, const char *s);
void te_c8y_buf_printf(te_c8y_buf_t *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Appends a CSV field: a ',' first unless the buffer is empty, then s,
 * wrapped in '"' with inner '"' doubled only when s holds ',', '"', CR or LF. */
void te_c8y_csv_field(te_c8y_buf_t *b, const char *s);
/* Appends ',' (unless empty) and s as is (the 400 text quirk, 118/119 lists). */
void te_c8y_csv_raw(te_c8y_buf_t *b, const char *s);

/* Appends s[0..n) as a JSON string with quotes. */
void te_c8y_json_string(te_c8y_buf_t *b, const char *s, size_t n);
void te_c8y_json_cstring(te_c8y_buf_t *b, const char *s);
/* Appends a float in thin-edge's form; NaN/inf set overflow (never valid). */
void te_c8y_json_double(te_c8y_buf_t *b, double v);
/* Appends any jansson value (objects in their stored order).
 * Returns TE_OK, or TE_ERR_RANGE for a non-finite real or nesting deeper
 * than TE_C8Y_JSON_MAX_DEPTH (overflow is reported through b->overflow). */
te_err_t te_c8y_json_value(te_c8y_buf_t *b, const json_t *v) TE_MUST_USE;

#endif
