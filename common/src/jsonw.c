/* jsonw: a compact, canonical JSON writer into a caller buffer. */
#include "tedge/jsonw.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tedge/numfmt.h"

static void fail(te_jsonw_t *w, te_err_t err)
{
    if (w->err == TE_OK)
        w->err = err;
}

static void put(te_jsonw_t *w, const char *s, size_t n)
{
    if (w->err != TE_OK)
        return;
    if (n > w->cap - w->len) {
        fail(w, TE_ERR_TOOBIG);
        return;
    }
    memcpy(w->buf + w->len, s, n);
    w->len += n;
}

static void put_char(te_jsonw_t *w, char c)
{
    put(w, &c, 1);
}

/* Before a value or a key: the separator from the previous sibling. */
static void separate(te_jsonw_t *w)
{
    if (w->comma)
        put_char(w, ',');
}

void te_jsonw_init(te_jsonw_t *w, char *buf, size_t cap)
{
    w->buf = buf;
    w->cap = buf ? cap : 0;
    w->len = 0;
    w->err = TE_OK;
    w->comma = false;
}

void te_jsonw_object_begin(te_jsonw_t *w)
{
    separate(w);
    put_char(w, '{');
    w->comma = false;
}

void te_jsonw_object_end(te_jsonw_t *w)
{
    put_char(w, '}');
    w->comma = true;
}

void te_jsonw_array_begin(te_jsonw_t *w)
{
    separate(w);
    put_char(w, '[');
    w->comma = false;
}

void te_jsonw_array_end(te_jsonw_t *w)
{
    put_char(w, ']');
    w->comma = true;
}

static void put_quoted(te_jsonw_t *w, const char *s, size_t len)
{
    static const char hex[] = "0123456789abcdef";
    put_char(w, '"');
    size_t run = 0; /* start of the bytes copied as they are */
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c != '"' && c != '\\')
            continue;
        put(w, s + run, i - run);
        run = i + 1;
        char esc[6] = {'\\', 0, 0, 0, 0, 0};
        size_t n = 2;
        switch (c) {
        case '"': esc[1] = '"'; break;
        case '\\': esc[1] = '\\'; break;
        case '\b': esc[1] = 'b'; break;
        case '\t': esc[1] = 't'; break;
        case '\n': esc[1] = 'n'; break;
        case '\f': esc[1] = 'f'; break;
        case '\r': esc[1] = 'r'; break;
        default:
            esc[1] = 'u';
            esc[2] = '0';
            esc[3] = '0';
            esc[4] = hex[c >> 4];
            esc[5] = hex[c & 15];
            n = 6;
            break;
        }
        put(w, esc, n);
    }
    put(w, s + run, len - run);
    put_char(w, '"');
}

void te_jsonw_key(te_jsonw_t *w, const char *s, size_t len)
{
    separate(w);
    put_quoted(w, s, len);
    put_char(w, ':');
    w->comma = false;
}

void te_jsonw_string(te_jsonw_t *w, const char *s, size_t len)
{
    separate(w);
    put_quoted(w, s, len);
    w->comma = true;
}

void te_jsonw_double(te_jsonw_t *w, double value)
{
    char text[TE_NUMFMT_DOUBLE_MAX];
    separate(w);
    te_err_t err = te_numfmt_double(value, text, sizeof text);
    if (err != TE_OK)
        fail(w, err);
    else
        put(w, text, strlen(text));
    w->comma = true;
}

void te_jsonw_int(te_jsonw_t *w, int64_t value)
{
    char text[24];
    separate(w);
    int n = snprintf(text, sizeof text, "%" PRId64, value);
    put(w, text, (size_t)n);
    w->comma = true;
}

void te_jsonw_bool(te_jsonw_t *w, bool value)
{
    separate(w);
    put(w, value ? "true" : "false", value ? 4 : 5);
    w->comma = true;
}

void te_jsonw_null(te_jsonw_t *w)
{
    separate(w);
    put(w, "null", 4);
    w->comma = true;
}

typedef struct member {
    const char *key;
    size_t key_len;
    json_t *value;
} member_t;

/* Rust's String order: bytes compared as unsigned, a prefix first. */
static int member_cmp(const void *a, const void *b)
{
    const member_t *x = a, *y = b;
    size_t n = x->key_len < y->key_len ? x->key_len : y->key_len;
    int c = memcmp(x->key, y->key, n);
    if (c != 0)
        return c;
    return (x->key_len > y->key_len) - (x->key_len < y->key_len);
}

static void write_value(te_jsonw_t *w, const json_t *v, int depth);

static void write_object(te_jsonw_t *w, const json_t *obj, int depth)
{
    member_t on_stack[TE_JSONW_SORT_STACK];
    size_t n = json_object_size(obj);
    member_t *members = on_stack;
    if (n > TE_JSONW_SORT_STACK) {
        members = malloc(n * sizeof *members);
        if (!members) {
            fail(w, TE_ERR_NOMEM);
            return;
        }
    }
    size_t i = 0;
    const char *key;
    size_t key_len;
    json_t *value;
    json_object_keylen_foreach((json_t *)obj, key, key_len, value) {
        if (i == n)
            break;
        members[i++] = (member_t){key, key_len, value};
    }
    qsort(members, i, sizeof *members, member_cmp);
    te_jsonw_object_begin(w);
    for (size_t k = 0; k < i && w->err == TE_OK; k++) {
        te_jsonw_key(w, members[k].key, members[k].key_len);
        write_value(w, members[k].value, depth + 1);
    }
    te_jsonw_object_end(w);
    if (members != on_stack)
        free(members);
}

static void write_value(te_jsonw_t *w, const json_t *v, int depth)
{
    if (w->err != TE_OK)
        return;
    switch (json_typeof(v)) {
    case JSON_OBJECT:
    case JSON_ARRAY:
        if (depth >= TE_JSONW_MAX_DEPTH) {
            fail(w, TE_ERR_RANGE);
            return;
        }
        if (json_is_object(v)) {
            write_object(w, v, depth);
        } else {
            te_jsonw_array_begin(w);
            for (size_t i = 0; i < json_array_size(v) && w->err == TE_OK; i++)
                write_value(w, json_array_get(v, i), depth + 1);
            te_jsonw_array_end(w);
        }
        break;
    case JSON_STRING:
        te_jsonw_string(w, json_string_value(v), json_string_length(v));
        break;
    case JSON_INTEGER:
        te_jsonw_int(w, (int64_t)json_integer_value(v));
        break;
    case JSON_REAL:
        te_jsonw_double(w, json_real_value(v));
        break;
    case JSON_TRUE:
        te_jsonw_bool(w, true);
        break;
    case JSON_FALSE:
        te_jsonw_bool(w, false);
        break;
    case JSON_NULL:
    default:
        te_jsonw_null(w);
        break;
    }
}

te_err_t te_jsonw_json(te_jsonw_t *w, const json_t *v)
{
    if (v == NULL) {
        fail(w, TE_ERR_INVAL);
        return w->err;
    }
    write_value(w, v, 0);
    return w->err;
}

te_err_t te_jsonw_finish(te_jsonw_t *w, size_t *len)
{
    if (w->len < w->cap)
        w->buf[w->len] = '\0';
    if (len)
        *len = w->len;
    return w->err;
}
