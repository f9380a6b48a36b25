/* toml: the tree of te_toml_t nodes (constructors, getters, set/remove by
 * path), reading a file, and the helpers the reader (toml_parse.c) and the
 * writer (toml_write.c) share: number tokens, a text buffer, UTF-8. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tedge/fsutil.h"
#include "tedge/toml.h"
#include "toml_internal.h"
#include "tedge/text.h"

#define NOT_FOUND ((size_t)-1)

static te_toml_t *new_node(te_toml_type_t type)
{
    te_toml_t *node = calloc(1, sizeof(*node));
    if (node)
        node->type = (uint8_t)type;
    return node;
}

te_toml_t *te_toml_new_table(void) { return new_node(TE_TOML_TABLE); }
te_toml_t *te_toml_new_array(void) { return new_node(TE_TOML_ARRAY); }

te_toml_t *te_toml_new_strn(const char *s, size_t len)
{
    /* One allocation for node and text: strings are most of a config file. */
    if (len > SIZE_MAX - sizeof(te_toml_t) - 1)
        return NULL;
    te_toml_t *node = malloc(sizeof(*node) + len + 1);
    if (!node)
        return NULL;
    memset(node, 0, sizeof(*node));
    node->type = TE_TOML_STRING;
    char *text = (char *)(node + 1);
    if (len > 0)
        memcpy(text, s, len);
    text[len] = '\0';
    node->u.str = text;
    return node;
}

te_toml_t *te_toml_new_str(const char *s)
{
    return s ? te_toml_new_strn(s, strlen(s)) : NULL;
}

te_toml_t *te_toml_new_int(int64_t v)
{
    te_toml_t *node = new_node(TE_TOML_INT);
    if (node)
        node->u.i = v;
    return node;
}

te_toml_t *te_toml_new_float(double v)
{
    te_toml_t *node = new_node(TE_TOML_FLOAT);
    if (node)
        node->u.f = v;
    return node;
}

te_toml_t *te_toml_new_bool(bool v)
{
    te_toml_t *node = new_node(TE_TOML_BOOL);
    if (node)
        node->u.b = v;
    return node;
}

void te_toml_free(te_toml_t *node)
{
    if (!node)
        return;
    if (node->type == TE_TOML_ARRAY) {
        for (size_t i = 0; i < node->u.arr.len; i++)
            te_toml_free(node->u.arr.items[i]);
        free(node->u.arr.items);
    } else if (node->type == TE_TOML_TABLE) {
        for (size_t i = 0; i < node->u.tab.len; i++) {
            free(node->u.tab.members[i].key);
            te_toml_free(node->u.tab.members[i].val);
        }
        free(node->u.tab.members);
        free(node->u.tab.index);
    }
    free(node);
}

/* ---- table members and their index ---- */

static uint32_t hash_key(const char *key, size_t len)
{
    uint32_t h = 2166136261u; /* FNV-1a */
    for (size_t i = 0; i < len; i++)
        h = (h ^ (unsigned char)key[i]) * 16777619u;
    return h;
}

static bool key_is(const char *key, const char *name, size_t len)
{
    return strncmp(key, name, len) == 0 && key[len] == '\0';
}

static void index_insert(te_toml_t *table, size_t pos)
{
    size_t mask = table->u.tab.index_cap - 1;
    const char *key = table->u.tab.members[pos].key;
    size_t slot = hash_key(key, strlen(key)) & mask;
    while (table->u.tab.index[slot])
        slot = (slot + 1) & mask;
    table->u.tab.index[slot] = (uint32_t)(pos + 1);
}

/* Rebuilds the index for the current members. The index only speeds up
 * lookups: when it cannot be allocated the table is searched linearly. */
static void index_rebuild(te_toml_t *table)
{
    free(table->u.tab.index);
    table->u.tab.index = NULL;
    table->u.tab.index_cap = 0;
    size_t len = table->u.tab.len;
    if (len <= TE_TOML_INDEX_MIN || len >= UINT32_MAX / 4)
        return;
    size_t cap = 16;
    while (cap < len * 4)
        cap *= 2;
    table->u.tab.index = calloc(cap, sizeof(uint32_t));
    if (!table->u.tab.index)
        return;
    table->u.tab.index_cap = cap;
    for (size_t i = 0; i < len; i++)
        index_insert(table, i);
}

/* Position of the member named name[0..len), or NOT_FOUND. */
static size_t table_find_n(const te_toml_t *table, const char *name, size_t len)
{
    const te_toml_member_t *members = table->u.tab.members;
    if (table->u.tab.index) {
        size_t mask = table->u.tab.index_cap - 1;
        for (size_t slot = hash_key(name, len) & mask; table->u.tab.index[slot];
             slot = (slot + 1) & mask) {
            size_t pos = table->u.tab.index[slot] - 1;
            if (key_is(members[pos].key, name, len))
                return pos;
        }
        return NOT_FOUND;
    }
    for (size_t i = 0; i < table->u.tab.len; i++)
        if (key_is(members[i].key, name, len))
            return i;
    return NOT_FOUND;
}

size_t te_toml_table_find(const te_toml_t *table, const char *key)
{
    return table_find_n(table, key, strlen(key));
}

te_err_t te_toml_table_append(te_toml_t *table, char *key, te_toml_t *val)
{
    if (!key || !val) {
        free(key);
        te_toml_free(val);
        return TE_ERR_NOMEM;
    }
    if (table->u.tab.len == table->u.tab.cap) {
        size_t cap = table->u.tab.cap ? table->u.tab.cap * 2 : 4;
        te_toml_member_t *members = realloc(table->u.tab.members, cap * sizeof(*members));
        if (!members) {
            free(key);
            te_toml_free(val);
            return TE_ERR_NOMEM;
        }
        table->u.tab.members = members;
        table->u.tab.cap = cap;
    }
    size_t pos = table->u.tab.len++;
    table->u.tab.members[pos] = (te_toml_member_t){ key, val };
    if (table->u.tab.len > TE_TOML_INDEX_MIN) {
        if (table->u.tab.index && table->u.tab.len * 2 <= table->u.tab.index_cap)
            index_insert(table, pos);
        else
            index_rebuild(table);
    }
    return TE_OK;
}

static void table_remove_at(te_toml_t *table, size_t pos)
{
    te_toml_member_t *members = table->u.tab.members;
    free(members[pos].key);
    te_toml_free(members[pos].val);
    memmove(members + pos, members + pos + 1,
            (table->u.tab.len - pos - 1) * sizeof(*members));
    table->u.tab.len--;
    index_rebuild(table);
}

te_err_t te_toml_array_append(te_toml_t *array, te_toml_t *val)
{
    if (!val)
        return TE_ERR_NOMEM;
    if (array->u.arr.len == array->u.arr.cap) {
        size_t cap = array->u.arr.cap ? array->u.arr.cap * 2 : 4;
        te_toml_t **items = realloc(array->u.arr.items, cap * sizeof(*items));
        if (!items) {
            te_toml_free(val);
            return TE_ERR_NOMEM;
        }
        array->u.arr.items = items;
        array->u.arr.cap = cap;
    }
    array->u.arr.items[array->u.arr.len++] = val;
    return TE_OK;
}

te_err_t te_toml_array_push(te_toml_t *array, te_toml_t *value)
{
    if (!value)
        return TE_ERR_NOMEM;
    if (!array || array->type != TE_TOML_ARRAY) {
        te_toml_free(value);
        return TE_ERR_INVAL;
    }
    return te_toml_array_append(array, value);
}

/* ---- getters ---- */

te_toml_type_t te_toml_type(const te_toml_t *node)
{
    return (te_toml_type_t)node->type;
}

const te_toml_t *te_toml_get(const te_toml_t *table, const char *key)
{
    if (!table || !key || table->type != TE_TOML_TABLE)
        return NULL;
    size_t pos = te_toml_table_find(table, key);
    return pos == NOT_FOUND ? NULL : table->u.tab.members[pos].val;
}

/* Length of the first '.'-separated segment of path. */
static size_t segment_len(const char *path)
{
    const char *dot = strchr(path, '.');
    return dot ? (size_t)(dot - path) : strlen(path);
}

/* A path is one or more non-empty segments separated by single dots. */
static bool path_valid(const char *path)
{
    if (!path)
        return false;
    for (;;) {
        size_t n = segment_len(path);
        if (n == 0)
            return false;
        if (!path[n])
            return true;
        path += n + 1;
    }
}

const te_toml_t *te_toml_get_path(const te_toml_t *table, const char *path)
{
    if (!path_valid(path))
        return NULL;
    const te_toml_t *node = table;
    for (;;) {
        if (!node || node->type != TE_TOML_TABLE)
            return NULL;
        size_t n = segment_len(path);
        size_t pos = table_find_n(node, path, n);
        if (pos == NOT_FOUND)
            return NULL;
        node = node->u.tab.members[pos].val;
        if (!path[n])
            return node;
        path += n + 1;
    }
}

size_t te_toml_len(const te_toml_t *node)
{
    if (!node)
        return 0;
    if (node->type == TE_TOML_ARRAY)
        return node->u.arr.len;
    if (node->type == TE_TOML_TABLE)
        return node->u.tab.len;
    return 0;
}

const te_toml_t *te_toml_at(const te_toml_t *node, size_t i)
{
    if (!node || i >= te_toml_len(node))
        return NULL;
    return node->type == TE_TOML_ARRAY ? node->u.arr.items[i] : node->u.tab.members[i].val;
}

const char *te_toml_key_at(const te_toml_t *table, size_t i)
{
    if (!table || table->type != TE_TOML_TABLE || i >= table->u.tab.len)
        return NULL;
    return table->u.tab.members[i].key;
}

const char *te_toml_str(const te_toml_t *node)
{
    return node && node->type == TE_TOML_STRING ? node->u.str : NULL;
}

int64_t te_toml_int(const te_toml_t *node)
{
    return node && node->type == TE_TOML_INT ? node->u.i : 0;
}

double te_toml_float(const te_toml_t *node)
{
    return node && node->type == TE_TOML_FLOAT ? node->u.f : 0.0;
}

bool te_toml_bool(const te_toml_t *node)
{
    return node && node->type == TE_TOML_BOOL ? node->u.b : false;
}

/* ---- set and remove by path ---- */

te_err_t te_toml_set_path(te_toml_t *root, const char *path, te_toml_t *value)
{
    if (!value)
        return TE_ERR_NOMEM;
    if (!root || root->type != TE_TOML_TABLE || !path_valid(path)) {
        te_toml_free(value);
        return TE_ERR_INVAL;
    }
    te_toml_t *table = root;
    for (;;) {
        size_t n = segment_len(path);
        size_t pos = table_find_n(table, path, n);
        if (!path[n]) {
            if (pos != NOT_FOUND) {
                te_toml_free(table->u.tab.members[pos].val);
                table->u.tab.members[pos].val = value;
                return TE_OK;
            }
            return te_toml_table_append(table, strndup(path, n), value);
        }
        if (pos == NOT_FOUND) {
            te_err_t rc = te_toml_table_append(table, strndup(path, n), te_toml_new_table());
            if (rc != TE_OK) {
                te_toml_free(value);
                return rc;
            }
            pos = table->u.tab.len - 1;
        }
        table = table->u.tab.members[pos].val;
        if (table->type != TE_TOML_TABLE) {
            te_toml_free(value);
            return TE_ERR_INVAL;
        }
        path += n + 1;
    }
}

/* Removes path below table; returns true when table was changed. Tables left
 * empty by the removal are removed too, on the way back up. */
static bool remove_below(te_toml_t *table, const char *path)
{
    if (!table || table->type != TE_TOML_TABLE)
        return false;
    size_t n = segment_len(path);
    size_t pos = table_find_n(table, path, n);
    if (pos == NOT_FOUND)
        return false;
    te_toml_t *child = table->u.tab.members[pos].val;
    if (path[n]) {
        if (!remove_below(child, path + n + 1) || child->u.tab.len > 0)
            return false;
    }
    table_remove_at(table, pos);
    return true;
}

te_err_t te_toml_remove_path(te_toml_t *root, const char *path)
{
    if (path_valid(path))
        (void)remove_below(root, path);
    return TE_OK;
}

/* ---- file ---- */

te_err_t te_toml_parse_file(const char *path, te_toml_t **root, char *err, size_t errlen)
{
    *root = NULL;
    char *text = NULL;
    size_t len = 0;
    errno = 0;
    te_err_t rc = te_fs_read_file(path, TE_TOML_MAX_BYTES, &text, &len);
    if (rc != TE_OK) {
        if (err && errlen) {
            /* TOOBIG is also how fsutil maps ENAMETOOLONG and EFBIG */
            if (rc == TE_ERR_TOOBIG && errno != ENAMETOOLONG && errno != EFBIG)
                snprintf(err, errlen, "%s: file is larger than %u bytes", path,
                         TE_TOML_MAX_BYTES);
            else if (rc == TE_ERR_NOMEM)
                snprintf(err, errlen, "%s: out of memory", path);
            else
                snprintf(err, errlen, "%s: %s", path, strerror(errno));
        }
        return rc;
    }
    char detail[512];
    rc = te_toml_parse(text, len, root, detail, sizeof(detail));
    free(text);
    if (rc != TE_OK && err && errlen)
        snprintf(err, errlen, "%s: %s", path, detail);
    return rc;
}

/* ---- number, boolean and date tokens ---- */


static bool is_digit_in(int c, int base)
{
    if (base == 16)
        return te_hex_digit(c) >= 0;
    return c >= '0' && c < '0' + base;
}

/* Skips digits of base with single '_' between digits; false if none. */
static bool scan_digits(const char *s, size_t n, size_t *i, int base)
{
    if (*i >= n || !is_digit_in((unsigned char)s[*i], base))
        return false;
    while (*i < n) {
        if (is_digit_in((unsigned char)s[*i], base))
            (*i)++;
        else if (s[*i] == '_' && *i + 1 < n && is_digit_in((unsigned char)s[*i + 1], base))
            (*i)++;
        else
            break;
    }
    return true;
}

static bool looks_like_date_or_time(const char *s, size_t n)
{
    for (size_t i = 0; i < n && i < 5; i++) {
        if (s[i] >= '0' && s[i] <= '9')
            continue;
        return (i == 4 && s[i] == '-') || (i == 2 && s[i] == ':');
    }
    return false;
}

static te_err_t token_error(char *msg, size_t msglen, const char *fmt, const char *s, size_t n)
{
    char shown[48];
    snprintf(shown, sizeof(shown), "%.*s", (int)(n > 40 ? 40 : n), s);
    snprintf(msg, msglen, fmt, shown);
    return TE_ERR_PARSE;
}

static te_err_t float_from_text(const char *s, size_t n, te_toml_t **out, char *msg, size_t msglen)
{
    char clean[128];
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '_')
            continue;
        if (m + 1 >= sizeof(clean))
            return token_error(msg, msglen, "number \"%s\" is too long", s, n);
        clean[m++] = s[i];
    }
    clean[m] = '\0';
    double v = strtod(clean, NULL);
    if (isinf(v))
        return token_error(msg, msglen, "float \"%s\" is out of range", s, n);
    *out = te_toml_new_float(v);
    return *out ? TE_OK : TE_ERR_NOMEM;
}

te_err_t te_toml_scalar_from_token(const char *s, size_t n, te_toml_t **out, char *msg,
                                   size_t msglen)
{
    if (looks_like_date_or_time(s, n)) {
        snprintf(msg, msglen, "dates and times are not supported");
        return TE_ERR_PARSE;
    }
    if ((n == 4 && memcmp(s, "true", 4) == 0) || (n == 5 && memcmp(s, "false", 5) == 0)) {
        *out = te_toml_new_bool(n == 4);
        return *out ? TE_OK : TE_ERR_NOMEM;
    }
    size_t i = 0;
    bool neg = false, sign = false;
    if (n > 0 && (s[0] == '+' || s[0] == '-')) {
        sign = true;
        neg = s[0] == '-';
        i = 1;
    }
    const char *rest = s + i;
    size_t rest_len = n - i;
    if (rest_len == 3 && (memcmp(rest, "inf", 3) == 0 || memcmp(rest, "nan", 3) == 0)) {
        double v = rest[0] == 'i' ? INFINITY : NAN;
        *out = te_toml_new_float(neg ? -v : v);
        return *out ? TE_OK : TE_ERR_NOMEM;
    }
    int base = 10;
    if (rest_len >= 2 && rest[0] == '0' && (rest[1] == 'x' || rest[1] == 'o' || rest[1] == 'b')) {
        if (sign)
            return token_error(msg, msglen, "a sign is not allowed on hex, octal or binary "
                                            "integers (\"%s\")", s, n);
        base = rest[1] == 'x' ? 16 : rest[1] == 'o' ? 8 : 2;
        i += 2;
    }
    size_t digits_from = i;
    if (!scan_digits(s, n, &i, base))
        goto invalid;
    if (base == 10) {
        if (s[digits_from] == '0' && i - digits_from > 1)
            return token_error(msg, msglen, "leading zeros are not allowed (\"%s\")", s, n);
        bool is_float = false;
        if (i < n && s[i] == '.') {
            i++;
            if (!scan_digits(s, n, &i, 10))
                goto invalid;
            is_float = true;
        }
        if (i < n && (s[i] == 'e' || s[i] == 'E')) {
            i++;
            if (i < n && (s[i] == '+' || s[i] == '-'))
                i++;
            if (!scan_digits(s, n, &i, 10))
                goto invalid;
            is_float = true;
        }
        if (i != n)
            goto invalid;
        if (is_float)
            return float_from_text(s, n, out, msg, msglen);
    } else if (i != n) {
        goto invalid;
    }
    uint64_t limit = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
    uint64_t v = 0;
    for (size_t k = digits_from; k < n; k++) {
        if (s[k] == '_')
            continue;
        uint64_t d = (uint64_t)te_hex_digit((unsigned char)s[k]);
        if (v > (limit - d) / (uint64_t)base)
            return token_error(msg, msglen, "integer \"%s\" is out of range", s, n);
        v = v * (uint64_t)base + d;
    }
    int64_t value = neg ? (v == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)v) : (int64_t)v;
    *out = te_toml_new_int(value);
    return *out ? TE_OK : TE_ERR_NOMEM;
invalid:
    if (rest_len > 0 && ((rest[0] >= 'a' && rest[0] <= 'z') || (rest[0] >= 'A' && rest[0] <= 'Z')))
        return token_error(msg, msglen, "invalid value \"%s\" (strings must be quoted)", s, n);
    return token_error(msg, msglen, "invalid number \"%s\"", s, n);
}

/* ---- text buffer, shared by writer and error messages ---- */

void te_toml_buf_put(te_toml_buf_t *buf, const char *s, size_t len)
{
    if (buf->oom)
        return;
    if (buf->cap - buf->len <= len) {
        size_t cap = buf->cap ? buf->cap : 256;
        while (cap - buf->len <= len) {
            if (cap > SIZE_MAX / 2) {
                buf->oom = true;
                return;
            }
            cap *= 2;
        }
        char *data = realloc(buf->data, cap);
        if (!data) {
            buf->oom = true;
            return;
        }
        buf->data = data;
        buf->cap = cap;
    }
    memcpy(buf->data + buf->len, s, len);
    buf->len += len;
    buf->data[buf->len] = '\0';
}

void te_toml_buf_putc(te_toml_buf_t *buf, char c)
{
    te_toml_buf_put(buf, &c, 1);
}

size_t te_toml_utf8_decode(const unsigned char *s, size_t len, uint32_t *cp)
{
    unsigned char c = s[0];
    size_t n;
    uint32_t v, min;
    if (c < 0x80) {
        *cp = c;
        return 1;
    } else if ((c & 0xE0) == 0xC0) {
        n = 2, v = c & 0x1F, min = 0x80;
    } else if ((c & 0xF0) == 0xE0) {
        n = 3, v = c & 0x0F, min = 0x800;
    } else if ((c & 0xF8) == 0xF0) {
        n = 4, v = c & 0x07, min = 0x10000;
    } else {
        return 0;
    }
    if (len < n)
        return 0;
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        v = (v << 6) | (s[i] & 0x3F);
    }
    if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
        return 0;
    *cp = v;
    return n;
}

void te_toml_buf_quoted(te_toml_buf_t *buf, const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t len = strlen(s);
    te_toml_buf_putc(buf, '"');
    while (len > 0) {
        size_t run = 0; /* bytes that need no escaping are copied in one go */
        while (run < len && p[run] >= 0x20 && p[run] < 0x7F && p[run] != '"' && p[run] != '\\')
            run++;
        te_toml_buf_put(buf, (const char *)p, run);
        p += run;
        len -= run;
        if (len == 0)
            break;
        uint32_t cp;
        size_t n = te_toml_utf8_decode(p, len, &cp);
        char esc[12];
        switch (n ? cp : 0xFFFD) {
        case '"': te_toml_buf_put(buf, "\\\"", 2); break;
        case '\\': te_toml_buf_put(buf, "\\\\", 2); break;
        case '\b': te_toml_buf_put(buf, "\\b", 2); break;
        case '\t': te_toml_buf_put(buf, "\\t", 2); break;
        case '\n': te_toml_buf_put(buf, "\\n", 2); break;
        case '\f': te_toml_buf_put(buf, "\\f", 2); break;
        case '\r': te_toml_buf_put(buf, "\\r", 2); break;
        default:
            if (n == 0) {
                te_toml_buf_put(buf, "\xEF\xBF\xBD", 3);
                n = 1;
            } else if (cp < 0x20 || cp == 0x7F) {
                snprintf(esc, sizeof(esc), "\\u%04X", (unsigned)cp);
                te_toml_buf_put(buf, esc, 6);
            } else {
                te_toml_buf_put(buf, (const char *)p, n);
            }
        }
        p += n;
        len -= n;
    }
    te_toml_buf_putc(buf, '"');
}

void te_toml_buf_key(te_toml_buf_t *buf, const char *key)
{
    size_t n = strlen(key);
    bool bare = n > 0;
    for (size_t i = 0; i < n && bare; i++) {
        char c = key[i];
        bare = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
               c == '_' || c == '-';
    }
    if (bare)
        te_toml_buf_put(buf, key, n);
    else
        te_toml_buf_quoted(buf, key);
}
