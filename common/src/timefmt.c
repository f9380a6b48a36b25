/* timefmt: RFC 3339 / unix time parsing and printing.
 *
 * Calendar conversions use Howard Hinnant's days-from-civil algorithms
 * (proleptic Gregorian, any int64 year), so the result never depends on TZ
 * or on the C library's time functions. */
#include "tedge/timefmt.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tedge/numfmt.h"

#define NSEC_PER_SEC 1000000000
#define SECS_PER_DAY INT64_C(86400)

static const char RANGE_TEXT[] =
    "timestamp must be in the range -377705116800..=253402300799";


static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    if ((a % b != 0) && ((a < 0) != (b < 0)))
        q--;
    return q;
}

static int64_t days_from_civil(int64_t year, int month, int day)
{
    year -= month <= 2;
    int64_t era = (year >= 0 ? year : year - 399) / 400;
    int64_t yoe = year - era * 400;
    int64_t doy = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static void civil_from_days(int64_t days, int64_t *year, int *month, int *day)
{
    days += 719468;
    int64_t era = (days >= 0 ? days : days - 146096) / 146097;
    int64_t doe = days - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    *day = (int)(doy - (153 * mp + 2) / 5 + 1);
    *month = (int)(mp < 10 ? mp + 3 : mp - 9);
    *year = yoe + era * 400 + (*month <= 2);
}

static bool is_leap(int64_t year)
{
    return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

static int days_in_month(int64_t year, int month)
{
    static const int days[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    return month == 2 && is_leap(year) ? 29 : days[month - 1];
}

/* ---- RFC 3339 parsing ---- */

typedef struct cursor {
    const char *s;
    size_t len;
    size_t pos;
    char *err;
    size_t errlen;
} cursor_t;

/* Describes the byte at the cursor for an error message. */
static void describe_here(const cursor_t *c, char *buf, size_t buflen)
{
    if (c->pos >= c->len) {
        snprintf(buf, buflen, "end of input");
        return;
    }
    unsigned char ch = (unsigned char)c->s[c->pos];
    if (ch >= 0x20 && ch < 0x7f && ch != '\'')
        snprintf(buf, buflen, "'%c'", ch);
    else
        snprintf(buf, buflen, "byte 0x%02x", ch);
}

static te_err_t expected(cursor_t *c, const char *what)
{
    char found[24];
    describe_here(c, found, sizeof found);
    te_errf(c->err, c->errlen, "expected %s at byte %zu, found %s", what,
            c->pos, found);
    return TE_ERR_PARSE;
}

/* Reads exactly n ASCII digits. */
static te_err_t read_digits(cursor_t *c, int n, const char *what, int *value)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (c->pos >= c->len || c->s[c->pos] < '0' || c->s[c->pos] > '9')
            return expected(c, what);
        v = v * 10 + (c->s[c->pos] - '0');
        c->pos++;
    }
    *value = v;
    return TE_OK;
}

static te_err_t read_char(cursor_t *c, char want, const char *what)
{
    if (c->pos >= c->len || c->s[c->pos] != want)
        return expected(c, what);
    c->pos++;
    return TE_OK;
}

static te_err_t check_range(cursor_t *c, const char *name, int value, int lo,
                            int hi)
{
    if (value >= lo && value <= hi)
        return TE_OK;
    te_errf(c->err, c->errlen, "%s %d out of range %d..=%d", name, value, lo, hi);
    return TE_ERR_PARSE;
}

#define TRY(expr)                  \
    do {                           \
        te_err_t rc_ = (expr);     \
        if (rc_ != TE_OK)          \
            return rc_;            \
    } while (0)

te_err_t te_time_parse_rfc3339(const char *s, size_t len, te_time_t *out,
                               char *err, size_t errlen)
{
    if (s == NULL || out == NULL) {
        te_errf(err, errlen, "no input");
        return TE_ERR_INVAL;
    }
    cursor_t c = { s, len, 0, err, errlen };
    int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0, nsec = 0;

    TRY(read_digits(&c, 4, "a 4-digit year", &year));
    TRY(read_char(&c, '-', "'-' after the year"));
    TRY(read_digits(&c, 2, "a 2-digit month", &month));
    TRY(check_range(&c, "month", month, 1, 12));
    TRY(read_char(&c, '-', "'-' after the month"));
    TRY(read_digits(&c, 2, "a 2-digit day", &day));
    int mdays = days_in_month(year, month);
    if (day < 1 || day > mdays) {
        te_errf(err, errlen, "day %d out of range 1..=%d for %04d-%02d", day,
                mdays, year, month);
        return TE_ERR_PARSE;
    }
    if (c.pos >= len || (s[c.pos] != 'T' && s[c.pos] != 't'))
        return expected(&c, "'T' between date and time");
    c.pos++;
    TRY(read_digits(&c, 2, "a 2-digit hour", &hour));
    TRY(check_range(&c, "hour", hour, 0, 23));
    TRY(read_char(&c, ':', "':' after the hour"));
    TRY(read_digits(&c, 2, "a 2-digit minute", &minute));
    TRY(check_range(&c, "minute", minute, 0, 59));
    TRY(read_char(&c, ':', "':' after the minute"));
    TRY(read_digits(&c, 2, "a 2-digit second", &second));
    TRY(check_range(&c, "second", second, 0, 60));
    if (c.pos < len && s[c.pos] == '.') {
        c.pos++;
        size_t first = c.pos;
        int scale = NSEC_PER_SEC / 10;
        while (c.pos < len && s[c.pos] >= '0' && s[c.pos] <= '9') {
            nsec += (s[c.pos] - '0') * scale;
            scale /= 10;
            c.pos++;
        }
        if (c.pos == first)
            return expected(&c, "a digit after '.'");
    }

    int offset_min = 0;
    bool utc_z = false;
    if (c.pos < len && (s[c.pos] == 'Z' || s[c.pos] == 'z')) {
        utc_z = true;
        c.pos++;
    } else if (c.pos < len && (s[c.pos] == '+' || s[c.pos] == '-')) {
        int sign = s[c.pos] == '-' ? -1 : 1, oh = 0, om = 0;
        c.pos++;
        TRY(read_digits(&c, 2, "a 2-digit offset hour", &oh));
        TRY(check_range(&c, "offset hour", oh, 0, 23));
        TRY(read_char(&c, ':', "':' in the offset"));
        TRY(read_digits(&c, 2, "a 2-digit offset minute", &om));
        TRY(check_range(&c, "offset minute", om, 0, 59));
        offset_min = sign * (oh * 60 + om);
    } else {
        return expected(&c, "'Z' or a +hh:mm/-hh:mm offset");
    }
    if (c.pos != len) {
        char found[24];
        describe_here(&c, found, sizeof found);
        te_errf(err, errlen, "unexpected %s at byte %zu after the offset", found,
                c.pos);
        return TE_ERR_PARSE;
    }

    bool leap = second == 60;
    if (leap) {
        second = 59;
        nsec = NSEC_PER_SEC - 1;
    }
    int64_t local = days_from_civil(year, month, day) * SECS_PER_DAY +
                    hour * 3600 + minute * 60 + second;
    int64_t unix_s = local - (int64_t)offset_min * 60;
    if (leap) {
        /* a leap second exists only as the last second of a month in UTC */
        int64_t y;
        int m, d;
        civil_from_days(floor_div(unix_s, SECS_PER_DAY), &y, &m, &d);
        int64_t tod = unix_s - floor_div(unix_s, SECS_PER_DAY) * SECS_PER_DAY;
        if (tod != SECS_PER_DAY - 1 || d != days_in_month(y, m)) {
            te_errf(err, errlen, "second 60 is only valid as a leap second "
                    "(23:59:60 UTC on the last day of a month)");
            return TE_ERR_PARSE;
        }
    }
    out->unix_s = unix_s;
    out->nsec = nsec;
    out->offset_min = (int16_t)offset_min;
    out->utc_z = utc_z;
    return TE_OK;
}

/* ---- unix input ---- */

te_err_t te_time_from_unix_s(int64_t unix_s, te_time_t *out, char *err,
                             size_t errlen)
{
    if (out == NULL)
        return TE_ERR_INVAL;
    if (unix_s < TE_TIME_UNIX_MIN || unix_s > TE_TIME_UNIX_MAX) {
        te_errf(err, errlen,
                "Invalid unix timestamp (reading integer value in seconds): "
                "%lld; %s", (long long)unix_s, RANGE_TEXT);
        return TE_ERR_RANGE;
    }
    *out = (te_time_t){ .unix_s = unix_s, .nsec = 0, .offset_min = 0, .utc_z = true };
    return TE_OK;
}

te_err_t te_time_from_unix_double(double unix_s, te_time_t *out, char *err,
                                  size_t errlen)
{
    if (out == NULL)
        return TE_ERR_INVAL;
    /* ms = trunc(seconds * 1000), the same rounding as thin-edge.io; the
     * bounds are on the untruncated product (trunc(x) >= MIN <=> x > MIN - 1),
     * and the int64 cast truncates (no libm needed). NaN fails both tests. */
    double ms_d = unix_s * 1000.0;
    if (!(ms_d > (double)TE_TIME_UNIX_MIN * 1000.0 - 1.0 &&
          ms_d < (double)TE_TIME_UNIX_MAX * 1000.0 + 1000.0)) {
        char num[TE_NUMFMT_DOUBLE_MAX];
        if (te_numfmt_double(unix_s, num, sizeof num) != TE_OK)
            snprintf(num, sizeof num, "%s", isnan(unix_s) ? "NaN" : "inf");
        te_errf(err, errlen,
                "Invalid unix timestamp (reading decimal value in seconds): "
                "%s; %s", num, RANGE_TEXT);
        return TE_ERR_RANGE;
    }
    int64_t ms = (int64_t)ms_d;
    int64_t secs = floor_div(ms, 1000);
    *out = (te_time_t){ .unix_s = secs,
                        .nsec = (int32_t)((ms - secs * 1000) * 1000000),
                        .offset_min = 0,
                        .utc_z = true };
    return TE_OK;
}

te_time_t te_time_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (te_time_t){ .unix_s = (int64_t)ts.tv_sec, .nsec = (int32_t)ts.tv_nsec,
                        .offset_min = 0, .utc_z = true };
}

void te_time_truncate_ms(te_time_t *t)
{
    if (t != NULL)
        t->nsec -= t->nsec % 1000000;
}

double te_time_to_unix_double(const te_time_t *t)
{
    /* The double nearest the exact decimal "s.nnnnnnnnn" (strtod rounds
     * correctly), so .361 prints as .361; thin-edge.io's (double)nanos / 1e9
     * rounds twice and can print 1714676361.3609998. */
    uint64_t magnitude = (uint64_t)t->unix_s;
    int32_t nsec = t->nsec;
    bool negative = t->unix_s < 0;
    if (negative) {
        magnitude = (uint64_t)0 - magnitude;
        if (nsec > 0) {
            magnitude -= 1;
            nsec = NSEC_PER_SEC - nsec;
        }
    }
    char text[40];
    snprintf(text, sizeof text, "%s%llu.%09d", negative ? "-" : "",
             (unsigned long long)magnitude, (int)nsec);
    return strtod(text, NULL);
}

/* ---- printing ---- */

static bool valid_time(const te_time_t *t)
{
    return t->nsec >= 0 && t->nsec < NSEC_PER_SEC && t->offset_min > -1440 &&
           t->offset_min < 1440 && t->unix_s >= TE_TIME_UNIX_MIN - SECS_PER_DAY &&
           t->unix_s <= TE_TIME_UNIX_MAX + SECS_PER_DAY;
}

/* frac_digits: -1 trimmed, 0..9 fixed; offset_min printed ("Z" when 0). */
static te_err_t format_rfc3339(const te_time_t *t, int offset_min,
                               int frac_digits, char *buf, size_t buflen)
{
    if (t == NULL || buf == NULL || frac_digits < -1 || frac_digits > 9)
        return TE_ERR_INVAL;
    if (buflen > 0)
        buf[0] = '\0';
    if (!valid_time(t))
        return TE_ERR_RANGE;
    int64_t local = t->unix_s + (int64_t)offset_min * 60;
    int64_t days = floor_div(local, SECS_PER_DAY);
    int64_t tod = local - days * SECS_PER_DAY;
    int64_t year;
    int month, day;
    civil_from_days(days, &year, &month, &day);
    if (year < 0 || year > 9999)
        return TE_ERR_RANGE;

    char frac[16] = "";
    int digits = frac_digits;
    if (digits < 0) {
        digits = 9;
        if (t->nsec == 0) {
            digits = 0;
        } else {
            for (int32_t n = t->nsec; n % 10 == 0; n /= 10)
                digits--;
        }
    }
    if (digits > 0) {
        int32_t n = t->nsec;
        for (int i = 9; i > digits; i--)
            n /= 10;
        snprintf(frac, sizeof frac, ".%0*d", digits, (int)n);
    }
    char zone[16] = "Z";
    if (offset_min != 0) {
        int a = offset_min < 0 ? -offset_min : offset_min;
        snprintf(zone, sizeof zone, "%c%02d:%02d", offset_min < 0 ? '-' : '+',
                 a / 60, a % 60);
    }
    int n = snprintf(buf, buflen, "%04d-%02d-%02dT%02d:%02d:%02d%s%s", (int)year,
                     month, day, (int)(tod / 3600), (int)(tod / 60 % 60),
                     (int)(tod % 60), frac, zone);
    if (n < 0 || (size_t)n >= buflen) {
        if (buflen > 0)
            buf[0] = '\0';
        return TE_ERR_TOOBIG;
    }
    return TE_OK;
}

te_err_t te_time_format_rfc3339(const te_time_t *t, char *buf, size_t buflen)
{
    if (t == NULL)
        return TE_ERR_INVAL;
    return format_rfc3339(t, t->offset_min, -1, buf, buflen);
}

te_err_t te_time_format_rfc3339_utc(const te_time_t *t, int frac_digits,
                                    char *buf, size_t buflen)
{
    return format_rfc3339(t, 0, frac_digits, buf, buflen);
}

te_err_t te_time_format_unix(const te_time_t *t, char *buf, size_t buflen)
{
    if (t == NULL || buf == NULL)
        return TE_ERR_INVAL;
    return te_numfmt_double(te_time_to_unix_double(t), buf, buflen);
}
