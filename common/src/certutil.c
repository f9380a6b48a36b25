/* certutil: device ids, durations, dates, serials and validity for `tedge cert`. */
#include "tedge/certutil.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#define NS_PER_S 1000000000LL

static bool is_device_id_char(unsigned char c)
{
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))
        return true;
    return c != '\0' && strchr("'=(),-.?_*@!%", c) != NULL;
}

te_err_t te_cert_check_device_id(const char *id, char *err, size_t errlen)
{
    /* Same order of checks as thin-edge.io: empty, too long, bad character. */
    size_t len = strlen(id);
    const char *problem = NULL;
    if (len == 0) {
        snprintf(err, errlen, "The empty string cannot be used as a name");
        return TE_ERR_INVAL;
    }
    if (len > TE_CERT_MAX_ID_BYTES) {
        problem = "is more than 64 characters long and cannot be used as a name";
    } else {
        for (size_t i = 0; i < len && !problem; i++)
            if (!is_device_id_char((unsigned char)id[i]))
                problem = "contains characters which cannot be used in a name "
                          "[use only A-Z, a-z, 0-9, ' = ( ) , - . ? % * _ ! @]";
    }
    if (!problem)
        return TE_OK;
    if (errlen == 0)
        return TE_ERR_INVAL;
    /* The quoted id goes straight into err: an id may be of any length. */
    snprintf(err, errlen, "The string '");
    size_t used = strlen(err);
    te_cert_debug_quote(id, err + used, errlen - used);
    used += strlen(err + used);
    snprintf(err + used, errlen - used, "' %s", problem);
    return TE_ERR_INVAL;
}

void te_cert_debug_quote(const char *s, char *out, size_t outlen)
{
    if (outlen == 0)
        return;
    size_t used = 0;
    char piece[16];
#define PUT(text)                                                  \
    do {                                                           \
        size_t n_ = strlen(text);                                  \
        if (used + n_ + 1 > outlen)                                \
            goto done;                                             \
        memcpy(out + used, text, n_);                              \
        used += n_;                                                \
    } while (0)
    PUT("\"");
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        switch (*p) {
        case '"': PUT("\\\""); break;
        case '\\': PUT("\\\\"); break;
        case '\n': PUT("\\n"); break;
        case '\r': PUT("\\r"); break;
        case '\t': PUT("\\t"); break;
        default:
            if (*p < 0x20 || *p == 0x7f) {
                snprintf(piece, sizeof piece, "\\u{%x}", *p);
            } else {
                piece[0] = (char)*p;
                piece[1] = '\0';
            }
            PUT(piece);
        }
    }
    PUT("\"");
#undef PUT
done:
    out[used] = '\0';
}

void te_cert_format_duration(uint64_t seconds, char *out, size_t outlen)
{
    if (outlen == 0)
        return;
    out[0] = '\0';
    if (seconds == 0) {
        snprintf(out, outlen, "0s");
        return;
    }
    const uint64_t parts[5] = {
        seconds / (365 * 86400ULL),
        seconds % (365 * 86400ULL) / 86400,
        seconds % 86400 / 3600,
        seconds % 3600 / 60,
        seconds % 60,
    };
    static const char units[5] = {'y', 'd', 'h', 'm', 's'};
    size_t used = 0;
    for (int i = 0; i < 5; i++) {
        if (parts[i] == 0)
            continue;
        int n = snprintf(out + used, outlen - used, "%s%" PRIu64 "%c", used ? " " : "", parts[i], units[i]);
        if (n < 0 || (size_t)n >= outlen - used)
            return;
        used += (size_t)n;
    }
}

te_err_t te_cert_format_date(int64_t unix_seconds, char *out, size_t outlen)
{
    static const char days[7][4] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static const char months[12][4] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                       "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    time_t t = (time_t)unix_seconds;
    struct tm tm;
    if ((int64_t)t != unix_seconds || !gmtime_r(&t, &tm) || tm.tm_year + 1900 > 9999 || tm.tm_year + 1900 < 0)
        return TE_ERR_RANGE;
    int n = snprintf(out, outlen, "%s, %02d %s %04d %02d:%02d:%02d +0000", days[tm.tm_wday], tm.tm_mday,
                     months[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
    return (n > 0 && (size_t)n < outlen) ? TE_OK : TE_ERR_TOOBIG;
}

te_err_t te_cert_serial_text(const uint8_t *bytes, size_t len, char *dec, size_t declen,
                             char *hex, size_t hexlen)
{
    while (len > 0 && bytes[0] == 0) {
        bytes++;
        len--;
    }
    if (len > 64 || hexlen < 2 * len + 2 || declen < len * 5 / 2 + 2)
        return TE_ERR_TOOBIG;
    if (len == 0) {
        strcpy(dec, "0");
        strcpy(hex, "0");
        return TE_OK;
    }
    size_t h = 0;
    for (size_t i = 0; i < len; i++)
        h += (size_t)snprintf(hex + h, hexlen - h, i == 0 ? "%x" : "%02x", bytes[i]);

    /* Decimal by repeated division of a base-256 number by 10. */
    uint8_t work[64];
    memcpy(work, bytes, len);
    size_t start = 0, d = 0;
    char digits[160];
    while (start < len) {
        unsigned rem = 0;
        for (size_t i = start; i < len; i++) {
            unsigned cur = rem * 256 + work[i];
            work[i] = (uint8_t)(cur / 10);
            rem = cur % 10;
        }
        digits[d++] = (char)('0' + rem);
        while (start < len && work[start] == 0)
            start++;
    }
    for (size_t i = 0; i < d; i++)
        dec[i] = digits[d - 1 - i];
    dec[d] = '\0';
    return TE_OK;
}

te_cert_validity_t te_cert_validity(int64_t not_before, int64_t not_after, int64_t now_ns,
                                    uint64_t minimum_seconds, uint64_t *seconds)
{
    /* Whole seconds and a fraction, so that dates up to year 9999 compare
     * without overflow; durations are truncated to whole seconds. */
    int64_t now_s = now_ns / NS_PER_S, frac = now_ns % NS_PER_S;
    if (frac < 0) {
        now_s -= 1;
        frac += NS_PER_S;
    }
    if (now_s < not_before) {
        *seconds = (uint64_t)(not_before - now_s) - (frac > 0);
        return TE_CERT_NOT_VALID_YET;
    }
    if (now_s > not_after || (now_s == not_after && frac > 0)) {
        *seconds = (uint64_t)(now_s - not_after);
        return TE_CERT_EXPIRED;
    }
    uint64_t whole = (uint64_t)(not_after - now_s);
    *seconds = whole - (frac > 0);
    /* remaining = whole - frac <= minimum exactly when whole <= minimum */
    return whole <= minimum_seconds ? TE_CERT_EXPIRES_SOON : TE_CERT_VALID;
}

void te_cert_status_text(te_cert_validity_t validity, uint64_t seconds, char *out, size_t outlen)
{
    char duration[64];
    te_cert_format_duration(seconds, duration, sizeof duration);
    switch (validity) {
    case TE_CERT_VALID: snprintf(out, outlen, "VALID (expires in: %s)", duration); break;
    case TE_CERT_EXPIRES_SOON: snprintf(out, outlen, "EXPIRES SOON (expires in: %s)", duration); break;
    case TE_CERT_EXPIRED: snprintf(out, outlen, "EXPIRED (since: %s)", duration); break;
    case TE_CERT_NOT_VALID_YET: snprintf(out, outlen, "NOT VALID YET (will be in: %s)", duration); break;
    }
}

bool te_cert_needs_renewal(te_cert_validity_t validity)
{
    return validity == TE_CERT_EXPIRED || validity == TE_CERT_EXPIRES_SOON;
}
