/* serdenum: JSON numbers read as serde_json reads them (see the header).
 * The parse mirrors serde_json's de.rs: parse_integer, parse_long_integer,
 * parse_decimal, parse_decimal_overflow, parse_exponent,
 * parse_exponent_overflow and the default (not float_roundtrip)
 * f64_from_parts, step by step, in IEEE double arithmetic. */
#include "tedge/serdenum.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* serde_json's POW10: the doubles nearest to 10^0 .. 10^308. */
static const double POW10[309] = {
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
    1e17, 1e18, 1e19, 1e20, 1e21, 1e22, 1e23, 1e24, 1e25, 1e26, 1e27, 1e28, 1e29, 1e30, 1e31, 1e32,
    1e33, 1e34, 1e35, 1e36, 1e37, 1e38, 1e39, 1e40, 1e41, 1e42, 1e43, 1e44, 1e45, 1e46, 1e47, 1e48,
    1e49, 1e50, 1e51, 1e52, 1e53, 1e54, 1e55, 1e56, 1e57, 1e58, 1e59, 1e60, 1e61, 1e62, 1e63, 1e64,
    1e65, 1e66, 1e67, 1e68, 1e69, 1e70, 1e71, 1e72, 1e73, 1e74, 1e75, 1e76, 1e77, 1e78, 1e79, 1e80,
    1e81, 1e82, 1e83, 1e84, 1e85, 1e86, 1e87, 1e88, 1e89, 1e90, 1e91, 1e92, 1e93, 1e94, 1e95, 1e96,
    1e97, 1e98, 1e99, 1e100, 1e101, 1e102, 1e103, 1e104, 1e105, 1e106, 1e107, 1e108, 1e109, 1e110,
    1e111, 1e112, 1e113, 1e114, 1e115, 1e116, 1e117, 1e118, 1e119, 1e120, 1e121, 1e122, 1e123,
    1e124, 1e125, 1e126, 1e127, 1e128, 1e129, 1e130, 1e131, 1e132, 1e133, 1e134, 1e135, 1e136,
    1e137, 1e138, 1e139, 1e140, 1e141, 1e142, 1e143, 1e144, 1e145, 1e146, 1e147, 1e148, 1e149,
    1e150, 1e151, 1e152, 1e153, 1e154, 1e155, 1e156, 1e157, 1e158, 1e159, 1e160, 1e161, 1e162,
    1e163, 1e164, 1e165, 1e166, 1e167, 1e168, 1e169, 1e170, 1e171, 1e172, 1e173, 1e174, 1e175,
    1e176, 1e177, 1e178, 1e179, 1e180, 1e181, 1e182, 1e183, 1e184, 1e185, 1e186, 1e187, 1e188,
    1e189, 1e190, 1e191, 1e192, 1e193, 1e194, 1e195, 1e196, 1e197, 1e198, 1e199, 1e200, 1e201,
    1e202, 1e203, 1e204, 1e205, 1e206, 1e207, 1e208, 1e209, 1e210, 1e211, 1e212, 1e213, 1e214,
    1e215, 1e216, 1e217, 1e218, 1e219, 1e220, 1e221, 1e222, 1e223, 1e224, 1e225, 1e226, 1e227,
    1e228, 1e229, 1e230, 1e231, 1e232, 1e233, 1e234, 1e235, 1e236, 1e237, 1e238, 1e239, 1e240,
    1e241, 1e242, 1e243, 1e244, 1e245, 1e246, 1e247, 1e248, 1e249, 1e250, 1e251, 1e252, 1e253,
    1e254, 1e255, 1e256, 1e257, 1e258, 1e259, 1e260, 1e261, 1e262, 1e263, 1e264, 1e265, 1e266,
    1e267, 1e268, 1e269, 1e270, 1e271, 1e272, 1e273, 1e274, 1e275, 1e276, 1e277, 1e278, 1e279,
    1e280, 1e281, 1e282, 1e283, 1e284, 1e285, 1e286, 1e287, 1e288, 1e289, 1e290, 1e291, 1e292,
    1e293, 1e294, 1e295, 1e296, 1e297, 1e298, 1e299, 1e300, 1e301, 1e302, 1e303, 1e304, 1e305,
    1e306, 1e307, 1e308
};

#define U64_MAX_TEXT "18446744073709551615"
#define I64_MAX_TEXT "9223372036854775807"
#define I64_MIN_MAGNITUDE_TEXT "9223372036854775808"
/* The JSON spelling of the decoded marker character. */
#define MARK_ESCAPE "\\u0001"
#define MARK_ESCAPE_LEN 6
/* A replacement is at most "-1.2345678901234567e-308" plus ".0", or a
 * marked u64: quote, escape, 20 digits, quote. */
#define REPLACEMENT_MAX 32

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* serde_json's overflow!(a * 10 + b, max) */
static bool overflows_u64(uint64_t a, unsigned b)
{
    return a >= UINT64_MAX / 10 && (a > UINT64_MAX / 10 || b > UINT64_MAX % 10);
}

static bool overflows_i32(int32_t a, int b)
{
    return a >= INT32_MAX / 10 && (a > INT32_MAX / 10 || b > INT32_MAX % 10);
}

static int32_t saturating_add(int32_t a, int32_t b)
{
    int64_t r = (int64_t)a + b;
    return r > INT32_MAX ? INT32_MAX : r < INT32_MIN ? INT32_MIN : (int32_t)r;
}

static te_err_t from_parts(bool positive, uint64_t significand, int32_t exponent, double *out)
{
    double f = (double)significand;
    for (;;) {
        /* exponent.wrapping_abs() as usize */
        uint32_t index = exponent < 0 ? (uint32_t)0 - (uint32_t)exponent : (uint32_t)exponent;
        if (index < sizeof POW10 / sizeof POW10[0]) {
            if (exponent >= 0) {
                f *= POW10[index];
                if (f - f != 0.0) /* infinite */
                    return TE_ERR_RANGE;
            } else {
                f /= POW10[index];
            }
            break;
        }
        if (f == 0.0)
            break;
        if (exponent >= 0)
            return TE_ERR_RANGE;
        f /= 1e308;
        exponent += 308;
    }
    *out = positive ? f : -f;
    return TE_OK;
}

typedef struct cursor {
    const char *s;
    size_t n, i;
} cursor_t;

static char peek(const cursor_t *c)
{
    return c->i < c->n ? c->s[c->i] : '\0';
}

static te_err_t parse_exponent(cursor_t *c, bool positive, uint64_t significand, int32_t starting_exp,
                               double *out)
{
    c->i++; /* e or E */
    bool positive_exp = true;
    if (peek(c) == '+') {
        c->i++;
    } else if (peek(c) == '-') {
        positive_exp = false;
        c->i++;
    }
    int32_t exp = peek(c) - '0';
    c->i++;
    while (is_digit(peek(c))) {
        int digit = peek(c) - '0';
        if (overflows_i32(exp, digit)) {
            /* parse_exponent_overflow: an error instead of infinity */
            if (significand != 0 && positive_exp)
                return TE_ERR_RANGE;
            while (is_digit(peek(c)))
                c->i++;
            *out = positive ? 0.0 : -0.0;
            return TE_OK;
        }
        c->i++;
        exp = exp * 10 + digit;
    }
    int32_t final_exp = positive_exp ? saturating_add(starting_exp, exp)
                                     : saturating_add(starting_exp, exp == INT32_MIN ? INT32_MAX : -exp);
    return from_parts(positive, significand, final_exp, out);
}

static te_err_t parse_decimal(cursor_t *c, bool positive, uint64_t significand, int32_t exp_before, double *out)
{
    c->i++; /* . */
    int32_t exp_after = 0;
    while (is_digit(peek(c))) {
        unsigned digit = (unsigned)(peek(c) - '0');
        if (overflows_u64(significand, digit)) {
            /* parse_decimal_overflow: the remaining digits are dropped */
            while (is_digit(peek(c)))
                c->i++;
            break;
        }
        c->i++;
        significand = significand * 10 + digit;
        exp_after -= 1;
    }
    int32_t exponent = exp_before + exp_after;
    if (peek(c) == 'e' || peek(c) == 'E')
        return parse_exponent(c, positive, significand, exponent, out);
    return from_parts(positive, significand, exponent, out);
}

te_err_t te_serdenum_f64(const char *s, size_t n, double *out)
{
    cursor_t c = {.s = s, .n = n, .i = 0};
    bool positive = true;
    if (peek(&c) == '-') {
        positive = false;
        c.i++;
    }
    uint64_t significand = 0;
    int32_t exponent = 0;
    while (is_digit(peek(&c))) {
        unsigned digit = (unsigned)(peek(&c) - '0');
        if (overflows_u64(significand, digit)) {
            /* parse_long_integer: further integer digits scale by ten */
            while (is_digit(peek(&c))) {
                c.i++;
                exponent += 1;
            }
            break;
        }
        c.i++;
        significand = significand * 10 + digit;
    }
    if (peek(&c) == '.')
        return parse_decimal(&c, positive, significand, exponent, out);
    if (peek(&c) == 'e' || peek(&c) == 'E')
        return parse_exponent(&c, positive, significand, exponent, out);
    /* an integer: serde_json keeps one of u64/i64 range as an integer; as a
     * float (below i64::MIN, -0, beyond u64) it is this value */
    return from_parts(positive, significand, exponent, out);
}

/* Length of the JSON number at s[0..n), or 0 when none starts there. */
static size_t number_length(const char *s, size_t n)
{
    size_t i = 0;
    if (i < n && s[i] == '-')
        i++;
    if (i >= n || !is_digit(s[i]))
        return 0;
    if (s[i] == '0')
        i++;
    else
        while (i < n && is_digit(s[i]))
            i++;
    if (i < n && s[i] == '.') {
        i++;
        if (i >= n || !is_digit(s[i]))
            return 0;
        while (i < n && is_digit(s[i]))
            i++;
    }
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        if (i < n && (s[i] == '+' || s[i] == '-'))
            i++;
        if (i >= n || !is_digit(s[i]))
            return 0;
        while (i < n && is_digit(s[i]))
            i++;
    }
    return i;
}

static int digits_cmp(const char *a, size_t na, const char *b)
{
    size_t nb = strlen(b);
    if (na != nb)
        return na < nb ? -1 : 1;
    return memcmp(a, b, na);
}

/* What strtod (so jansson) reads for the token. */
static bool strtod_token(const char *tok, size_t n, double *out)
{
    char local[128];
    char *text = n < sizeof local ? local : malloc(n + 1);
    if (!text)
        return false;
    memcpy(text, tok, n);
    text[n] = '\0';
    *out = strtod(text, NULL);
    if (text != local)
        free(text);
    return true;
}

static size_t format_real(double v, char *buf)
{
    int len = snprintf(buf, REPLACEMENT_MAX, "%.17g", v);
    if (!strpbrk(buf, ".eE")) {
        memcpy(buf + len, ".0", 3);
        len += 2;
    }
    return (size_t)len;
}

/* The replacement for the number token tok[0..n): *repl_len 0 keeps it.
 * Returns TE_OK, TE_ERR_PARSE or TE_ERR_NOMEM. */
static te_err_t replacement(const char *tok, size_t n, bool mark_ok, char *repl, size_t *repl_len)
{
    *repl_len = 0;
    bool integer = !memchr(tok, '.', n) && !memchr(tok, 'e', n) && !memchr(tok, 'E', n);
    bool negative = tok[0] == '-';
    const char *digits = tok + negative;
    size_t ndigits = n - negative;
    if (integer) {
        if (negative && ndigits == 1 && digits[0] == '0') {
            memcpy(repl, "-0.0", 5);
            *repl_len = 4;
            return TE_OK;
        }
        if (digits_cmp(digits, ndigits, U64_MAX_TEXT) <= 0) {
            if (!negative && digits_cmp(digits, ndigits, I64_MAX_TEXT) > 0 && mark_ok) {
                repl[0] = '"';
                memcpy(repl + 1, MARK_ESCAPE, MARK_ESCAPE_LEN);
                memcpy(repl + 1 + MARK_ESCAPE_LEN, tok, n);
                repl[1 + MARK_ESCAPE_LEN + n] = '"';
                *repl_len = n + 2 + MARK_ESCAPE_LEN;
                return TE_OK;
            }
            if (negative ? digits_cmp(digits, ndigits, I64_MIN_MAGNITUDE_TEXT) <= 0
                         : digits_cmp(digits, ndigits, I64_MAX_TEXT) <= 0)
                return TE_OK; /* an int64 for jansson too */
            /* a float of the (correctly rounded) integer, as strtod reads it */
            memcpy(repl, tok, n);
            memcpy(repl + n, ".0", 3);
            *repl_len = n + 2;
            return TE_OK;
        }
    }
    double serde, libc;
    if (te_serdenum_f64(tok, n, &serde) != TE_OK)
        return TE_ERR_PARSE;
    if (!strtod_token(tok, n, &libc))
        return TE_ERR_NOMEM;
    if (!integer && memcmp(&serde, &libc, sizeof serde) == 0)
        return TE_OK;
    *repl_len = format_real(serde, repl);
    return TE_OK;
}

typedef struct writer {
    char *buf;      /* NULL: only measure */
    size_t len;     /* bytes written, or the grown length when measuring */
    size_t copied;  /* bytes of the input copied or replaced so far */
    size_t count;   /* tokens replaced */
    bool marks;
} writer_t;

static te_err_t scan(const char *text, size_t len, bool mark_ok, writer_t *w)
{
    for (size_t i = 0; i < len;) {
        char ch = text[i];
        if (ch == '"') {
            for (i++; i < len && text[i] != '"'; i++)
                if (text[i] == '\\')
                    i++;
            i++;
            continue;
        }
        if (ch != '-' && !is_digit(ch)) {
            i++;
            continue;
        }
        size_t n = number_length(text + i, len - i);
        if (n == 0) {
            i++;
            continue; /* not JSON: jansson rejects it */
        }
        char repl[REPLACEMENT_MAX];
        size_t repl_len;
        te_err_t rc = replacement(text + i, n, mark_ok, repl, &repl_len);
        if (rc != TE_OK)
            return rc;
        if (repl_len > 0) {
            if (w->buf) {
                memcpy(w->buf + w->len, text + w->copied, i - w->copied);
                w->len += i - w->copied;
                memcpy(w->buf + w->len, repl, repl_len);
                w->len += repl_len;
                w->copied = i + n;
            }
            w->count++;
            w->marks |= repl[0] == '"';
        }
        i += n;
    }
    return TE_OK;
}

te_err_t te_serdenum_rewrite(const char *text, size_t len, char **out, size_t *out_len, bool *marks)
{
    *out = NULL;
    *out_len = 0;
    *marks = false;
    bool mark_ok = true;
    for (size_t i = 0; i + MARK_ESCAPE_LEN <= len && mark_ok; i++)
        if (text[i] == '\\' && strncasecmp(text + i, MARK_ESCAPE, MARK_ESCAPE_LEN) == 0)
            mark_ok = false;
    writer_t measure = {0};
    te_err_t rc = scan(text, len, mark_ok, &measure);
    if (rc != TE_OK || measure.count == 0)
        return rc;
    writer_t w = {.buf = malloc(len + measure.count * REPLACEMENT_MAX + 1)};
    if (!w.buf)
        return TE_ERR_NOMEM;
    rc = scan(text, len, mark_ok, &w);
    if (rc != TE_OK) {
        free(w.buf);
        return rc;
    }
    memcpy(w.buf + w.len, text + w.copied, len - w.copied);
    w.len += len - w.copied;
    w.buf[w.len] = '\0';
    *out = w.buf;
    *out_len = w.len;
    *marks = w.marks;
    return TE_OK;
}

size_t te_serdenum_unmark(char *buf, size_t len)
{
    static const char pattern[] = "\"" MARK_ESCAPE;
    size_t w = 0;
    for (size_t r = 0; r < len;) {
        if (len - r > sizeof pattern - 1 && memcmp(buf + r, pattern, sizeof pattern - 1) == 0) {
            r += sizeof pattern - 1;
            while (r < len && buf[r] != '"')
                buf[w++] = buf[r++];
            r++; /* the closing quote */
            continue;
        }
        buf[w++] = buf[r++];
    }
    buf[w] = '\0';
    return w;
}
