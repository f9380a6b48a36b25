/* certutil: the pure parts of `tedge cert` (spec/cli.md §3): device id
 * validation, the validity status and its `Ny Nd Nh Nm Ns` durations, the
 * RFC 2822 dates and serial numbers of `cert show`, and the Rust `{:?}`
 * quoting thin-edge.io's messages use. No I/O, no allocation: callers pass
 * the output buffers, which are always NUL-terminated (truncated if short). */
#ifndef TEDGE_CERTUTIL_H
#define TEDGE_CERTUTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "tedge/err.h"

/* Longest device id (the certificate CN), in bytes. */
#define TE_CERT_MAX_ID_BYTES 64

/* Checks a device id: 1..64 bytes of A-Z a-z 0-9 ' = ( ) , - . ? % * _ ! @.
 * On TE_ERR_INVAL err holds thin-edge.io's DeviceIdError text ("The empty
 * string cannot be used as a name", ...). Returns TE_OK or TE_ERR_INVAL. */
te_err_t te_cert_check_device_id(const char *id, char *err, size_t errlen) TE_MUST_USE;

/* Writes s as Rust's `{:?}` prints a str: in double quotes, with \" \\ \n
 * \r \t \0 and \u{..} for other control characters. */
void te_cert_debug_quote(const char *s, char *out, size_t outlen);

/* Formats a duration as `5y 219d 2h 59m` (365-day years, zero parts
 * dropped, "0s" for zero). */
void te_cert_format_duration(uint64_t seconds, char *out, size_t outlen);

/* Formats a UTC time as RFC 2822: `Tue, 09 Nov 2021 14:38:41 +0000`
 * (English names whatever the locale). Returns TE_OK or TE_ERR_RANGE. */
te_err_t te_cert_format_date(int64_t unix_seconds, char *out, size_t outlen) TE_MUST_USE;

/* Serial number of `cert show` from its big-endian magnitude bytes:
 * decimal and lowercase hex without leading zeros ("0" for zero).
 * dec needs 2.5 chars per byte + 1, hex 2 per byte + 1.
 * Returns TE_OK or TE_ERR_TOOBIG (buffer too small, or more than 64 bytes). */
te_err_t te_cert_serial_text(const uint8_t *bytes, size_t len, char *dec, size_t declen,
                             char *hex, size_t hexlen) TE_MUST_USE;

typedef enum te_cert_validity {
    TE_CERT_VALID,          /* remaining > minimum */
    TE_CERT_EXPIRES_SOON,   /* 0 <= remaining <= minimum */
    TE_CERT_EXPIRED,        /* now after notAfter */
    TE_CERT_NOT_VALID_YET,  /* now before notBefore */
} te_cert_validity_t;

/* Where now_ns (Unix time in nanoseconds) stands against [not_before,
 * not_after] (seconds); *seconds gets the whole seconds shown after the
 * status (until expiry, since expiry, or until valid). */
te_cert_validity_t te_cert_validity(int64_t not_before, int64_t not_after, int64_t now_ns,
                                    uint64_t minimum_seconds, uint64_t *seconds);

/* "VALID (expires in: 364d 23h 59m 58s)", "EXPIRES SOON (expires in: …)",
 * "EXPIRED (since: …)" or "NOT VALID YET (will be in: …)". */
void te_cert_status_text(te_cert_validity_t validity, uint64_t seconds, char *out, size_t outlen);

/* `cert needs-renewal`: expired or expiring within the minimum duration. */
bool te_cert_needs_renewal(te_cert_validity_t validity);

#endif
