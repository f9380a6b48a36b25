/* timefmt: RFC 3339 and unix-epoch times, both ways, as Thin-Edge JSON uses
 * them (mqtt-api.md §3.1): parse RFC 3339 keeping the original offset, read
 * unix seconds (integer with a range check, decimal truncated to ms), print
 * RFC 3339 (offset kept, fraction trimmed, UTC as "Z") or unix float seconds.
 * Calendar arithmetic is done by hand: no timegm(), no TZ dependence, no
 * allocation, no global state. */
#ifndef TEDGE_TIMEFMT_H
#define TEDGE_TIMEFMT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "tedge/err.h"

/* Accepted instants: -9999-01-01T00:00:00Z ..= 9999-12-31T23:59:59.999999999Z
 * (the `time` crate's range, which thin-edge.io enforces on unix input). */
#define TE_TIME_UNIX_MIN INT64_C(-377705116800)
#define TE_TIME_UNIX_MAX INT64_C(253402300799)

/* Room for any formatted time with its NUL:
 * "9999-12-31T23:59:59.999999999+23:59" is 35 bytes. */
#define TE_TIME_STR_MAX 40

typedef struct te_time {
    int64_t unix_s;      /* seconds since 1970-01-01T00:00:00Z (floor) */
    int32_t nsec;        /* 0 ..= 999999999, added to unix_s */
    int16_t offset_min;  /* UTC offset it was written with, -1439 ..= 1439 */
    bool utc_z;          /* written with "Z"/"z" (false for "+00:00") */
} te_time_t;

/* Parses an RFC 3339 date-time: "YYYY-MM-DD" "T"|"t" "hh:mm:ss"
 * ["." 1+ digits] ("Z"|"z"|"+hh:mm"|"-hh:mm"), nothing before or after.
 * Digits past the 9th of the fraction are truncated; "23:59:60" is taken
 * as 23:59:59.999999999 when it is the last second of a month in UTC
 * (else rejected). s need not be NUL-terminated; nothing is kept.
 * Returns TE_OK, TE_ERR_PARSE (err gets a precise reason naming the byte
 * position, e.g. "expected 'T' at byte 10, found end of input") or
 * TE_ERR_INVAL (NULL s or out). err may be NULL. */
te_err_t te_time_parse_rfc3339(const char *s, size_t len, te_time_t *out,
                               char *err, size_t errlen) TE_MUST_USE;

/* Builds a UTC time ("Z") from integer unix seconds.
 * Returns TE_OK or TE_ERR_RANGE outside TE_TIME_UNIX_MIN..MAX, with err
 * "Invalid unix timestamp (reading integer value in seconds): <v>;
 * timestamp must be in the range -377705116800..=253402300799". */
te_err_t te_time_from_unix_s(int64_t unix_s, te_time_t *out, char *err,
                             size_t errlen) TE_MUST_USE;

/* Builds a UTC time from decimal unix seconds, kept to milliseconds:
 * ms = trunc(seconds * 1000), as thin-edge.io does.
 * Returns TE_OK or TE_ERR_RANGE (out of range or not finite) with err
 * "Invalid unix timestamp (reading decimal value in seconds): <v>; ...". */
te_err_t te_time_from_unix_double(double unix_s, te_time_t *out, char *err,
                                  size_t errlen) TE_MUST_USE;

/* The current time (CLOCK_REALTIME, ns resolution), as UTC "Z". */
te_time_t te_time_now(void);

/* Drops the sub-millisecond part (for values that travel as float seconds). */
void te_time_truncate_ms(te_time_t *t);

/* The instant as float seconds: the double nearest to the exact decimal
 * value (t must be valid: nsec in 0..999999999). */
double te_time_to_unix_double(const te_time_t *t);

/* Prints RFC 3339 in the offset the time was written with: fraction only
 * when non-zero with trailing zeros dropped, offset 0 written "Z" (so
 * "+00:00" input comes back as "Z"), e.g. "2021-04-22T17:05:26.958+02:00".
 * Caller owns buf (TE_TIME_STR_MAX always suffices).
 * Returns TE_OK, TE_ERR_RANGE (local year outside 0000..9999, or a field
 * out of range), TE_ERR_TOOBIG (buf too small) or TE_ERR_INVAL. */
te_err_t te_time_format_rfc3339(const te_time_t *t, char *buf,
                                size_t buflen) TE_MUST_USE;

/* Prints RFC 3339 in UTC with "Z". frac_digits -1: trimmed fraction as
 * above; 0..9: exactly that many digits (truncated, none for 0).
 * Returns as te_time_format_rfc3339, plus TE_ERR_INVAL for frac_digits
 * outside -1..9. */
te_err_t te_time_format_rfc3339_utc(const te_time_t *t, int frac_digits,
                                    char *buf, size_t buflen) TE_MUST_USE;

/* Prints float unix seconds for the "unix" time format (az/aws `time`,
 * health): shortest round-trip text of te_time_to_unix_double(), e.g.
 * "1765877875.135", integral values "1702029646.0". (thin-edge.io divides
 * (double)nanos by 1e9 and may print "1714676361.3609998" for .361.)
 * Returns TE_OK, TE_ERR_TOOBIG or TE_ERR_INVAL. */
te_err_t te_time_format_unix(const te_time_t *t, char *buf,
                             size_t buflen) TE_MUST_USE;

#endif
