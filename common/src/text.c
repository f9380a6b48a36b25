/* text: UTF-8 validation, base64 and durations. */
#include "tedge/text.h"

#include <stdint.h>
#include <string.h>

bool te_utf8_valid(const char *s, size_t len)
{
    const unsigned char *p = (const unsigned char *)s, *end = p + len;
    while (p < end) {
        unsigned char c = *p;
        if (c < 0x80) {
            p++;
            continue;
        }
        size_t need;
        uint32_t cp, min;
        if ((c & 0xE0) == 0xC0) {
            need = 1; cp = c & 0x1F; min = 0x80;
        } else if ((c & 0xF0) == 0xE0) {
            need = 2; cp = c & 0x0F; min = 0x800;
        } else if ((c & 0xF8) == 0xF0) {
            need = 3; cp = c & 0x07; min = 0x10000;
        } else {
            return false;
        }
        if ((size_t)(end - p) <= need)
            return false;
        for (size_t i = 1; i <= need; i++) {
            if ((p[i] & 0xC0) != 0x80)
                return false;
            cp = (cp << 6) | (p[i] & 0x3F);
        }
        if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
            return false;
        p += need + 1;
    }
    return true;
}

int te_hex_digit(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

static const char b64_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

size_t te_base64_encoded_len(size_t n) { return (n + 2) / 3 * 4; }

te_err_t te_base64_encode(const void *in, size_t n, char *out, size_t out_size)
{
    if (out_size < te_base64_encoded_len(n) + 1)
        return TE_ERR_TOOBIG;
    const unsigned char *p = in;
    size_t o = 0;
    for (size_t i = 0; i < n; i += 3) {
        uint32_t v = (uint32_t)p[i] << 16;
        if (i + 1 < n)
            v |= (uint32_t)p[i + 1] << 8;
        if (i + 2 < n)
            v |= p[i + 2];
        out[o++] = b64_alphabet[(v >> 18) & 63];
        out[o++] = b64_alphabet[(v >> 12) & 63];
        out[o++] = i + 1 < n ? b64_alphabet[(v >> 6) & 63] : '=';
        out[o++] = i + 2 < n ? b64_alphabet[v & 63] : '=';
    }
    out[o] = '\0';
    return TE_OK;
}

static int b64_value(char c)
{
    const char *hit = c ? strchr(b64_alphabet, c) : NULL;
    return hit ? (int)(hit - b64_alphabet) : -1;
}

te_err_t te_base64_decode(const char *text, size_t n, void *out, size_t out_size, size_t *out_len)
{
    if (n % 4 != 0)
        return TE_ERR_PARSE;
    unsigned char *o = out;
    size_t used = 0;
    for (size_t i = 0; i < n; i += 4) {
        int v[4];
        int pad = 0;
        for (int k = 0; k < 4; k++) {
            char c = text[i + (size_t)k];
            if (c == '=' && i + 4 == n && k >= 2) {
                v[k] = 0;
                pad++;
            } else {
                if (pad)
                    return TE_ERR_PARSE; /* data after padding */
                v[k] = b64_value(c);
                if (v[k] < 0)
                    return TE_ERR_PARSE;
            }
        }
        uint32_t bits = (uint32_t)v[0] << 18 | (uint32_t)v[1] << 12 | (uint32_t)v[2] << 6 | (uint32_t)v[3];
        size_t bytes = 3 - (size_t)pad;
        if (used + bytes > out_size)
            return TE_ERR_TOOBIG;
        o[used++] = (unsigned char)(bits >> 16);
        if (bytes > 1)
            o[used++] = (unsigned char)(bits >> 8);
        if (bytes > 2)
            o[used++] = (unsigned char)bits;
    }
    *out_len = used;
    return TE_OK;
}

te_err_t te_duration_parse_ms(const char *text, unsigned long long *ms)
{
    if (!text || *text < '0' || *text > '9')
        return TE_ERR_PARSE;
    unsigned long long value = 0;
    const char *p = text;
    while (*p >= '0' && *p <= '9') {
        unsigned digit = (unsigned)(*p - '0');
        if (value > (UINT64_MAX - digit) / 10)
            return TE_ERR_RANGE;
        value = value * 10 + digit;
        p++;
    }
    unsigned long long unit;
    if (*p == '\0' || strcmp(p, "s") == 0)
        unit = 1000;
    else if (strcmp(p, "ms") == 0)
        unit = 1;
    else if (strcmp(p, "m") == 0)
        unit = 60000;
    else if (strcmp(p, "h") == 0)
        unit = 3600000;
    else if (strcmp(p, "d") == 0)
        unit = 86400000;
    else
        return TE_ERR_PARSE;
    if (value > UINT64_MAX / unit)
        return TE_ERR_RANGE;
    *ms = value * unit;
    return TE_OK;
}
