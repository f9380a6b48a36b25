/* numfmt: shortest round-trip double printing with serde_json/ryu layout.
 *
 * The digits come from printf's correctly rounded "%.*e": if the shortest
 * round-trip form has at most 15 significant digits, the 15-digit rounding
 * is that form padded with zeros (DBL_DIG is 15), so at most three tries
 * (15, 16, 17 digits) find it (subnormals try every precision). The layout then follows ryu's rules
 * (ryu::pretty::format64, what serde_json writes): plain digits for
 * 1e-5 <= |v| < 1e16, else d.ddde<exp> ("1e16", "3e-6"). The positive
 * exponent has no '+' as with ryu; serde_json >= 1.0.146 (zmij) writes "1e+16".
 * Only <math.h> macros are used: nothing here needs libm. */
#include "tedge/numfmt.h"

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Significant digits (no leading/trailing zeros) and the decimal exponent of
 * the first digit, so that |value| = 0.DIGITS x 10^point. */
typedef struct decimal {
    char digits[20];
    int ndigits;
    int point;
} decimal_t;

static void shortest_digits(double magnitude, decimal_t *dec)
{
    char text[40];
    /* subnormals carry fewer bits, so the DBL_DIG shortcut does not hold */
    int first = isnormal(magnitude) ? 15 : 1;
    for (int precision = first; precision <= 17; precision++) {
        snprintf(text, sizeof text, "%.*e", precision - 1, magnitude);
        if (precision == 17 || strtod(text, NULL) == magnitude)
            break;
    }
    /* text is "d.ddddde[+-]xx" */
    dec->ndigits = 0;
    const char *p = text;
    for (; *p != 'e'; p++) {
        if (*p != '.')
            dec->digits[dec->ndigits++] = *p;
    }
    int exponent = atoi(p + 1);
    while (dec->ndigits > 1 && dec->digits[dec->ndigits - 1] == '0')
        dec->ndigits--;
    dec->digits[dec->ndigits] = '\0';
    dec->point = exponent + 1;
}

/* Appends to a bounded buffer; remembers overflow instead of failing early. */
typedef struct out {
    char *buf;
    size_t cap;
    size_t len;
    bool overflow;
} out_t;

static void put(out_t *o, const char *s, size_t n)
{
    if (o->overflow || o->len + n >= o->cap) {
        o->overflow = true;
        return;
    }
    memcpy(o->buf + o->len, s, n);
    o->len += n;
    o->buf[o->len] = '\0';
}

static void put_zeros(out_t *o, int count)
{
    for (int i = 0; i < count; i++)
        put(o, "0", 1);
}

te_err_t te_numfmt_double(double value, char *buf, size_t buflen)
{
    if (buf == NULL || buflen == 0)
        return TE_ERR_TOOBIG;
    buf[0] = '\0';
    if (!isfinite(value))
        return TE_ERR_RANGE;

    out_t o = { buf, buflen, 0, false };
    if (signbit(value))
        put(&o, "-", 1);
    double magnitude = signbit(value) ? -value : value;
    if (magnitude == 0.0) {
        put(&o, "0.0", 3);
    } else {
        decimal_t dec;
        shortest_digits(magnitude, &dec);
        int n = dec.ndigits, point = dec.point;
        if (point >= n && point <= 16) {
            /* integral: 1234e7 -> 12340000000.0 */
            put(&o, dec.digits, (size_t)n);
            put_zeros(&o, point - n);
            put(&o, ".0", 2);
        } else if (point > 0 && point <= 16) {
            /* 1234e-2 -> 12.34 */
            put(&o, dec.digits, (size_t)point);
            put(&o, ".", 1);
            put(&o, dec.digits + point, (size_t)(n - point));
        } else if (point > -5 && point <= 0) {
            /* 1234e-6 -> 0.001234 */
            put(&o, "0.", 2);
            put_zeros(&o, -point);
            put(&o, dec.digits, (size_t)n);
        } else {
            /* 1e30, 1.234e33, 1e-7 */
            char exponent[16];
            int elen = snprintf(exponent, sizeof exponent, "e%d", point - 1);
            put(&o, dec.digits, 1);
            if (n > 1) {
                put(&o, ".", 1);
                put(&o, dec.digits + 1, (size_t)(n - 1));
            }
            put(&o, exponent, (size_t)elen);
        }
    }
    if (o.overflow) {
        buf[0] = '\0';
        return TE_ERR_TOOBIG;
    }
    return TE_OK;
}
