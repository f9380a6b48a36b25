/* jsonw: writes JSON the way thin-edge.io's serde_json output looks, into a
 * caller buffer: compact (no spaces), object keys sorted byte-wise (serde's
 * BTreeMap order) when a jansson tree is written, integers as integers,
 * floats in shortest round-trip form with ".0" for integral values
 * (te_numfmt_double), strings escaped as serde_json does ('"', '\\', and
 * control characters only: \b \t \n \f \r, else \u00xx in lower-case hex;
 * '/', DEL and non-ASCII bytes are copied as they are).
 *
 * The writer is streaming: commas and colons are placed by the writer, the
 * caller only says begin/end, key and value. Errors are sticky: the first
 * one is kept and later calls do nothing; te_jsonw_finish reports it.
 *
 * Memory: te_jsonw_t and its buffer are caller-owned; nothing is allocated,
 * except by te_jsonw_json for objects of more than TE_JSONW_SORT_STACK
 * members (a temporary key index, freed before it returns). */
#ifndef TEDGE_JSONW_H
#define TEDGE_JSONW_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "tedge/err.h"

/* Containers te_jsonw_json accepts nested (serde_json's recursion limit: a
 * document nested deeper is not JSON to thin-edge.io). */
#define TE_JSONW_MAX_DEPTH 127
/* Object members sorted without allocating. */
#define TE_JSONW_SORT_STACK 128

typedef struct te_jsonw {
    char *buf;
    size_t cap;
    size_t len;     /* bytes written so far (never more than cap) */
    te_err_t err;   /* first error, TE_OK while all is well */
    bool comma;     /* a value was completed at this level: next needs ',' */
} te_jsonw_t;

/* Starts writing into buf[0..cap). cap 0 is allowed (everything overflows). */
void te_jsonw_init(te_jsonw_t *w, char *buf, size_t cap);

void te_jsonw_object_begin(te_jsonw_t *w);
void te_jsonw_object_end(te_jsonw_t *w);
void te_jsonw_array_begin(te_jsonw_t *w);
void te_jsonw_array_end(te_jsonw_t *w);
/* A member name (s[0..len), any bytes; the caller ensures UTF-8). */
void te_jsonw_key(te_jsonw_t *w, const char *s, size_t len);
void te_jsonw_string(te_jsonw_t *w, const char *s, size_t len);
/* NaN or infinity sets TE_ERR_RANGE (JSON has no such number). */
void te_jsonw_double(te_jsonw_t *w, double value);
void te_jsonw_int(te_jsonw_t *w, int64_t value);
void te_jsonw_bool(te_jsonw_t *w, bool value);
void te_jsonw_null(te_jsonw_t *w);

/* Writes the jansson value v (read only) canonically: object members sorted
 * by key bytes, reals through te_numfmt_double, integers as integers.
 * Returns the writer's error state: TE_OK, TE_ERR_TOOBIG (buffer full),
 * TE_ERR_RANGE (nested deeper than TE_JSONW_MAX_DEPTH, or a NaN real),
 * TE_ERR_NOMEM or TE_ERR_INVAL (NULL v). */
te_err_t te_jsonw_json(te_jsonw_t *w, const json_t *v) TE_MUST_USE;

/* Ends the text: writes a NUL after it when there is room (not counted),
 * stores the length in *len (may be NULL) and returns the first error:
 * TE_OK, TE_ERR_TOOBIG (the text did not fit cap), TE_ERR_RANGE, TE_ERR_NOMEM
 * or TE_ERR_INVAL. */
te_err_t te_jsonw_finish(te_jsonw_t *w, size_t *len) TE_MUST_USE;

#endif
