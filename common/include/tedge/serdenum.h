/* serdenum: JSON number tokens read the way thin-edge.io's serde_json reads
 * them, so that a payload re-serialised by the C port carries the same
 * numbers as thin-edge.io's.
 *
 * serde_json (de.rs, without its float_roundtrip feature) differs from a
 * correctly rounded strtod, which jansson uses:
 *  - a float is (double)significand, then one multiplication or division by
 *    10^|exp| from a table of doubles, with digits past u64 dropped: about
 *    one 16-17 digit decimal in ten reads one ulp away from strtod's value
 *    ("968.7302436888135" is read as the double printed "968.7302436888136");
 *    a product that overflows is an error (the payload is not JSON);
 *  - "-0" is the float -0.0; an integer above u64::MAX or below i64::MIN is
 *    a float; one in i64::MAX+1 ..= u64::MAX is an exact integer.
 * te_serdenum_rewrite turns a payload into text jansson reads as serde_json
 * would: differing floats are replaced by their %.17g digits (which strtod
 * reads back exactly), "-0" and out-of-range integers become floats, and a
 * u64-only integer becomes a marked string (TE_SERDENUM_U64_MARK + digits)
 * that te_serdenum_unmark turns back into the digits after writing.
 *
 * Memory: nothing is kept; te_serdenum_rewrite returns a malloc'd copy only
 * when the payload needs rewriting (rare), which the caller frees. */
#ifndef TEDGE_SERDENUM_H
#define TEDGE_SERDENUM_H

#include <stdbool.h>
#include <stddef.h>
#include "tedge/err.h"

/* The first character of a marked u64 string once decoded (U+0001). */
#define TE_SERDENUM_U64_MARK '\x01'

/* Reads the JSON number token s[0..n) (a valid JSON number: -?int frac? exp?)
 * as serde_json's parser computes an f64. Returns TE_OK with *out set, or
 * TE_ERR_RANGE where serde_json fails with "number out of range". */
te_err_t te_serdenum_f64(const char *s, size_t n, double *out) TE_MUST_USE;

/* Scans the JSON text text[0..len) (strings skipped) for number tokens that
 * jansson would read differently from serde_json. *out is NULL when there is
 * none, else a malloc'd rewritten copy of *out_len bytes (caller frees).
 * *marks says whether u64 markers were written: only then must the written
 * JSON go through te_serdenum_unmark. Invalid JSON is left for jansson to
 * reject. Returns TE_OK, TE_ERR_PARSE (serde_json would reject a number: the
 * payload is not JSON to thin-edge.io) or TE_ERR_NOMEM. */
te_err_t te_serdenum_rewrite(const char *text, size_t len, char **out, size_t *out_len,
                             bool *marks) TE_MUST_USE;

/* Replaces every marked u64 string ("\u0001<digits>", quotes included) of
 * the JSON text buf[0..len) by its bare digits, in place, NUL-terminates it
 * and returns the new length. */
size_t te_serdenum_unmark(char *buf, size_t len);

#endif
