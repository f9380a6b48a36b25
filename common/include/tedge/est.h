/* est: the two messages of EST simple re-enrollment (RFC 7030 §4.2.2) as
 * `tedge cert renew --ca c8y` exchanges them with Cumulocity's CA through the
 * local c8y proxy: the request body (the PKCS#10 CSR as base64 DER,
 * Content-Type application/pkcs10) and the response (a certs-only PKCS#7
 * SignedData as base64 DER or BER, application/pkcs7-mime), decoded into the
 * PEM chain to store. Pure: memory in, memory out, no I/O. The response is
 * untrusted input: it is bounded, strictly decoded and must hold the key of
 * the request. */
#ifndef TEDGE_EST_H
#define TEDGE_EST_H

#include <stddef.h>
#include <stdint.h>

#include "tedge/err.h"

/* Largest response accepted (bytes of base64 text): a chain of a few
 * certificates is a few KiB. */
#define TE_EST_MAX_RESPONSE_BYTES (64 * 1024)

/* Largest CSR text accepted (bytes). */
#define TE_EST_MAX_CSR_BYTES (64 * 1024)

/* The request body for csr_pem, the PEM text of a PKCS#10 request
 * ("CERTIFICATE REQUEST" or "NEW CERTIFICATE REQUEST", possibly after text
 * lines as gnutls certtool writes them): its DER in base64, 64 characters a
 * line, each line ending "\n" (what thin-edge.io sends: the PEM body). Also
 * the DER SubjectPublicKeyInfo of the request's key, to check the answer.
 * *body (NUL-terminated) and *spki are malloc'd: the caller frees both.
 * Returns TE_OK, TE_ERR_PARSE (no PEM request, or not a PKCS#10 request; err
 * says why), TE_ERR_TOOBIG (over TE_EST_MAX_CSR_BYTES) or TE_ERR_NOMEM. */
te_err_t te_est_request_body(const char *csr_pem, size_t len, char **body, size_t *body_len, uint8_t **spki,
                             size_t *spki_len, char *err, size_t errlen) TE_MUST_USE;

/* Decodes an EST response body: base64 (ASCII whitespace ignored, padding
 * required) of a PKCS#7 SignedData whose certificate set must hold one
 * certificate for the public key spki (DER SubjectPublicKeyInfo). *pem gets
 * the certificates as PEM, the one for the key first, then the others in the
 * order received (malloc'd, NUL-terminated, caller frees).
 * Returns TE_OK; TE_ERR_PARSE (not base64, not a PKCS#7 SignedData, no
 * certificate, or a bad spki); TE_ERR_INVAL (no certificate for the key:
 * the CA answered for another key); TE_ERR_TOOBIG (over
 * TE_EST_MAX_RESPONSE_BYTES) or TE_ERR_NOMEM. err says why. */
te_err_t te_est_response_certs(const char *body, size_t len, const uint8_t *spki, size_t spki_len, char **pem,
                               size_t *pem_len, char *err, size_t errlen) TE_MUST_USE;

/* Strict base64 (RFC 4648 standard alphabet) decoding into out (outlen
 * bytes); ASCII whitespace is skipped, '=' padding is required and only at
 * the end. *decoded gets the length. On TE_ERR_PARSE err names the first
 * offending byte and its offset. Returns TE_OK, TE_ERR_PARSE or
 * TE_ERR_TOOBIG (out too small). */
te_err_t te_est_base64_decode(const char *text, size_t len, uint8_t *out, size_t outlen, size_t *decoded,
                              char *err, size_t errlen) TE_MUST_USE;

#endif
