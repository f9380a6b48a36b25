/* c8y_smartrest: SmartREST CSV and JSON writers on fixed buffers. */
#include "tedge/c8y_smartrest.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "tedge/numfmt.h"

void te_c8y_buf_init(te_c8y_buf_t *b, char *mem, size_t cap)
{
    b->data = mem;
    b->cap = cap;
    te_c8y_buf_reset(b);
}

void te_c8y_buf_reset(te_c8y_buf_t *b)
{
    b->len = 0;
    b->overflow = false;
    if (b->cap)
        b->data[0] = '\0';
}

void te_c8y_buf_raw(te_c8y_buf_t *b, const char *s, size_t n)
{
    if (b->overflow)
        return;
    if (b->len + n + 1 > b->cap) {
        b->overflow = true;
        return;
    }
    memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = '\0';
}

void te_c8y_buf_str(te_c8y_buf_t *b, const char *s)
{
    te_c8y_buf_raw(b, s, strlen(s));
}

void te_c8y_buf_printf(te_c8y_buf_t *b, const char *fmt, ...)
{
    if (b->overflow)
        return;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(b->data + b->len, b->cap - b->len, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n + 1 > b->cap - b->len) {
        b->data[b->len] = '\0';
        b->overflow = true;
        return;
    }
    b->len += (size_t)n;
}

void te_c8y_csv_field(te_c8y_buf_t *b, const char *s)
{
    if (b->len)
        te_c8y_buf_raw(b, ",", 1);
    if (!strpbrk(s, ",\"\r\n")) {
        te_c8y_buf_str(b, s);
        return;
    }
    te_c8y_buf_raw(b, "\"", 1);
    for (const char *p = s; *p; p++) {
        const char *q = strchr(p, '"');
        if (!q) {
            te_c8y_buf_str(b, p);
            break;
        }
        te_c8y_buf_raw(b, p, (size_t)(q - p));
        te_c8y_buf_raw(b, "\"\"", 2);
        p = q;
    }
    te_c8y_buf_raw(b, "\"", 1);
}

void te_c8y_csv_raw(te_c8y_buf_t *b, const char *s)
{
    if (b->len)
        te_c8y_buf_raw(b, ",", 1);
    te_c8y_buf_str(b, s);
}

void te_c8y_json_string(te_c8y_buf_t *b, const char *s, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    te_c8y_buf_raw(b, "\"", 1);
    size_t start = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c != '"' && c != '\\')
            continue;
        te_c8y_buf_raw(b, s + start, i - start);
        start = i + 1;
        char esc[7] = {'\\', 0};
        size_t elen = 2;
        switch (c) {
        case '"': esc[1] = '"'; break;
        case '\\': esc[1] = '\\'; break;
        case '\b': esc[1] = 'b'; break;
        case '\f': esc[1] = 'f'; break;
        case '\n': esc[1] = 'n'; break;
        case '\r': esc[1] = 'r'; break;
        case '\t': esc[1] = 't'; break;
        default:
            memcpy(esc + 1, "u00", 3);
            esc[4] = hex[c >> 4];
            esc[5] = hex[c & 15];
            elen = 6;
        }
        te_c8y_buf_raw(b, esc, elen);
    }
    te_c8y_buf_raw(b, s + start, n - start);
    te_c8y_buf_raw(b, "\"", 1);
}

void te_c8y_json_cstring(te_c8y_buf_t *b, const char *s)
{
    te_c8y_json_string(b, s, strlen(s));
}

void te_c8y_json_double(te_c8y_buf_t *b, double v)
{
    char num[TE_NUMFMT_DOUBLE_MAX];
    if (te_numfmt_double(v, num, sizeof num) != TE_OK) {
        b->overflow = true;
        return;
    }
    te_c8y_buf_str(b, num);
}

static te_err_t write_value(te_c8y_buf_t *b, const json_t *v, int depth)
{
    if (depth > TE_C8Y_JSON_MAX_DEPTH)
        return TE_ERR_RANGE;
    switch (json_typeof(v)) {
    case JSON_OBJECT: {
        const char *key;
        json_t *member;
        bool first = true;
        te_c8y_buf_raw(b, "{", 1);
        json_object_foreach((json_t *)v, key, member) {
            if (!first)
                te_c8y_buf_raw(b, ",", 1);
            first = false;
            te_c8y_json_cstring(b, key);
            te_c8y_buf_raw(b, ":", 1);
            te_err_t rc = write_value(b, member, depth + 1);
            if (rc != TE_OK)
                return rc;
            if (b->overflow)
                return TE_OK;
        }
        te_c8y_buf_raw(b, "}", 1);
        return TE_OK;
    }
    case JSON_ARRAY: {
        te_c8y_buf_raw(b, "[", 1);
        for (size_t i = 0; i < json_array_size(v); i++) {
            if (i)
                te_c8y_buf_raw(b, ",", 1);
            te_err_t rc = write_value(b, json_array_get(v, i), depth + 1);
            if (rc != TE_OK)
                return rc;
            if (b->overflow)
                return TE_OK;
        }
        te_c8y_buf_raw(b, "]", 1);
        return TE_OK;
    }
    case JSON_STRING:
        te_c8y_json_string(b, json_string_value(v), json_string_length(v));
        return TE_OK;
    case JSON_INTEGER:
        te_c8y_buf_printf(b, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
        return TE_OK;
    case JSON_REAL: {
        double d = json_real_value(v);
        if (!isfinite(d))
            return TE_ERR_RANGE;
        te_c8y_json_double(b, d);
        return TE_OK;
    }
    case JSON_TRUE:
        te_c8y_buf_raw(b, "true", 4);
        return TE_OK;
    case JSON_FALSE:
        te_c8y_buf_raw(b, "false", 5);
        return TE_OK;
    case JSON_NULL:
    default:
        te_c8y_buf_raw(b, "null", 4);
        return TE_OK;
    }
}

te_err_t te_c8y_json_value(te_c8y_buf_t *b, const json_t *v)
{
    return write_value(b, v, 0);
}
