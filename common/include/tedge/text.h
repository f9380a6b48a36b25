/* text: small byte-string helpers shared by the parsers and the CLI: UTF-8
 * validation and base64 (RFC 4648, standard alphabet, padded). No allocation:
 * callers pass the output buffers. */
#ifndef TEDGE_TEXT_H
#define TEDGE_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include "tedge/err.h"

/* True when s[0..len) is well-formed UTF-8 (no overlongs, no surrogates,
 * nothing above U+10FFFF). NUL bytes are allowed. */
bool te_utf8_valid(const char *s, size_t len);

/* The value of a hexadecimal digit (0-9, a-f, A-F), or -1. */
int te_hex_digit(int c);

/* Size of the base64 text (without NUL) for n input bytes. */
size_t te_base64_encoded_len(size_t n);

/* Encodes in[0..n) into out (needs te_base64_encoded_len(n) + 1 bytes; NUL
 * terminated). Returns TE_OK or TE_ERR_TOOBIG when out_size is too small. */
te_err_t te_base64_encode(const void *in, size_t n, char *out, size_t out_size) TE_MUST_USE;

/* Decodes base64 text (padding required, whitespace not allowed) into out;
 * *out_len gets the byte count. Returns TE_OK, TE_ERR_PARSE (bad character,
 * length or padding) or TE_ERR_TOOBIG (out too small: n / 4 * 3 suffices). */
te_err_t te_base64_decode(const char *text, size_t n, void *out, size_t out_size,
                          size_t *out_len) TE_MUST_USE;

/* Parses a duration: integer seconds ("60") or a number with one unit
 * ms, s, m, h, d ("500ms", "60s", "5m", "1h", "365d"). Returns TE_OK,
 * TE_ERR_PARSE or TE_ERR_RANGE (overflow). */
te_err_t te_duration_parse_ms(const char *text, unsigned long long *ms) TE_MUST_USE;

#endif
