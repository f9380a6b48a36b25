/* numfmt: prints doubles the way thin-edge.io's JSON output does (serde_json,
 * i.e. ryu): the shortest text that reads back to the same double, integral
 * values with ".0" ("23.0", "1765877875.0"), plain decimals from 1e-5 up to
 * below 1e16 ("0.00001", "1765877875.135"), exponent form outside ("1e16",
 * "3e-6"; no '+' in the exponent, as ryu: serde_json >= 1.0.146 writes "1e+16").
 * No allocation; output goes to a caller buffer. Relies on the C locale's
 * '.' for LC_NUMERIC (tedge never calls setlocale). */
#ifndef TEDGE_NUMFMT_H
#define TEDGE_NUMFMT_H

#include <stddef.h>
#include "tedge/err.h"

/* A buffer this large holds any te_numfmt_double() output with its NUL
 * ("-1.2345678901234567e-308" is 24). */
#define TE_NUMFMT_DOUBLE_MAX 32

/* Writes the shortest round-trip form of value into buf (NUL-terminated).
 * -0.0 prints "-0.0". Caller owns buf.
 * Returns TE_OK, TE_ERR_RANGE (NaN or infinite: JSON has no such number) or
 * TE_ERR_TOOBIG (buflen too small; buf then holds "" when buflen > 0). */
te_err_t te_numfmt_double(double value, char *buf, size_t buflen) TE_MUST_USE;

#endif
