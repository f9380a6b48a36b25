/* toml_parse: the TOML 1.0 reader behind te_toml_parse. A recursive-descent
 * parser over the input bytes (never relying on a trailing NUL) that builds
 * the te_toml_t tree directly, applies TOML's rules on redefinition through
 * the TE_TOML_F_* flags on tables, and stops at the first error with
 * "line N: <reason>". Dates and times are rejected: tedge's files never hold
 * them. A "\u0000" escape is rejected too, since getters hand out C strings. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tedge/toml.h"
#include "toml_internal.h"
#include "tedge/text.h"

#define NOT_FOUND ((size_t)-1)

typedef struct parser {
    const char *text;
    size_t len, pos;
    te_toml_t *root;
    char *err;
    size_t errlen;
    te_toml_buf_t str;   /* decoded string value, reused */
    te_toml_buf_t keys;  /* decoded key segments, each NUL-terminated */
    size_t seg_off[TE_TOML_MAX_DEPTH + 1];
    size_t nseg;
    te_toml_buf_t path;  /* current table as "a.b", for messages */
} parser_t;

static te_err_t parse_value(parser_t *p, te_toml_t **out, size_t depth);

/* ---- errors ---- */

static te_err_t fail(parser_t *p, size_t at, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static te_err_t fail(parser_t *p, size_t at, const char *fmt, ...)
{
    if (!p->err || p->errlen == 0)
        return TE_ERR_PARSE;
    size_t line = 1;
    for (size_t i = 0; i < at && i < p->len; i++)
        line += p->text[i] == '\n';
    int n = snprintf(p->err, p->errlen, "line %zu: ", line);
    if (n > 0 && (size_t)n < p->errlen) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(p->err + n, p->errlen - (size_t)n, fmt, ap);
        va_end(ap);
    }
    return TE_ERR_PARSE;
}

static te_err_t nomem(parser_t *p)
{
    if (p->err && p->errlen)
        snprintf(p->err, p->errlen, "out of memory");
    return TE_ERR_NOMEM;
}

static const char *type_name(const te_toml_t *node)
{
    static const char *const names[] = { "string", "integer", "float",
                                         "boolean", "array", "table" };
    return names[node->type];
}

/* Names the character at `at` for a message: 'x', a space, end of line ... */
static const char *describe(const parser_t *p, size_t at, char *buf, size_t size)
{
    if (at >= p->len)
        return "end of file";
    unsigned char c = (unsigned char)p->text[at];
    if (c == '\n' || (c == '\r' && at + 1 < p->len && p->text[at + 1] == '\n'))
        return "end of line";
    if (c == ' ')
        return "a space";
    if (c == '\t')
        return "a tab";
    if (c > 0x20 && c < 0x7F) {
        snprintf(buf, size, "'%c'", c);
        return buf;
    }
    uint32_t cp = c;
    (void)te_toml_utf8_decode((const unsigned char *)p->text + at, p->len - at, &cp);
    snprintf(buf, size, "character U+%04X", (unsigned)cp);
    return buf;
}

/* ---- keys and their display ---- */

static const char *seg(const parser_t *p, size_t i)
{
    return p->keys.data + p->seg_off[i];
}

/* Key segments [from, to) joined by '.', quoted as a TOML string: "a.b". */
static void key_quoted(const parser_t *p, size_t from, size_t to, te_toml_buf_t *out)
{
    te_toml_buf_t raw = { 0 };
    for (size_t i = from; i < to; i++) {
        if (i > from)
            te_toml_buf_putc(&raw, '.');
        te_toml_buf_put(&raw, seg(p, i), strlen(seg(p, i)));
    }
    te_toml_buf_quoted(out, raw.data ? raw.data : "");
    free(raw.data);
}

/* Appends a key to the display path of the current table. */
static void path_push(parser_t *p, const char *key)
{
    if (p->path.len > 0)
        te_toml_buf_putc(&p->path, '.');
    te_toml_buf_key(&p->path, key);
}

static void path_pop(parser_t *p, size_t mark)
{
    if (p->path.data && mark <= p->path.len) {
        p->path.len = mark;
        p->path.data[mark] = '\0';
    }
}

static const char *path_text(const parser_t *p)
{
    return p->path.data && !p->path.oom ? p->path.data : "";
}

/* ---- characters ---- */

static int peek_at(const parser_t *p, size_t ahead)
{
    size_t at = p->pos + ahead;
    return at < p->len ? (unsigned char)p->text[at] : -1;
}

static int peek(const parser_t *p) { return peek_at(p, 0); }

static bool at_newline(const parser_t *p)
{
    int c = peek(p);
    return c == '\n' || (c == '\r' && peek_at(p, 1) == '\n');
}

static void skip_ws(parser_t *p)
{
    while (p->pos < p->len && (p->text[p->pos] == ' ' || p->text[p->pos] == '\t'))
        p->pos++;
}

static bool is_bare_key_char(int c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
           c == '_' || c == '-';
}

static bool is_control(unsigned char c)
{
    return (c < 0x20 && c != '\t') || c == 0x7F;
}

/* Skips a comment if one starts here (up to, not including, the newline). */
static te_err_t skip_comment(parser_t *p)
{
    if (peek(p) != '#')
        return TE_OK;
    while (p->pos < p->len && !at_newline(p)) {
        unsigned char c = (unsigned char)p->text[p->pos];
        if (is_control(c))
            return fail(p, p->pos, "control character U+%04X in comment", (unsigned)c);
        p->pos++;
    }
    return TE_OK;
}

static void skip_newline(parser_t *p)
{
    p->pos += peek(p) == '\r' ? 2 : 1;
}

/* After a value or header: spaces, an optional comment, then a newline or EOF. */
static te_err_t expect_eol(parser_t *p, const char *after)
{
    skip_ws(p);
    te_err_t rc = skip_comment(p);
    if (rc != TE_OK)
        return rc;
    if (p->pos >= p->len)
        return TE_OK;
    if (!at_newline(p)) {
        char what[32];
        return fail(p, p->pos, "unexpected %s after %s (expected end of line)",
                    describe(p, p->pos, what, sizeof(what)), after);
    }
    skip_newline(p);
    return TE_OK;
}

/* Skips spaces, newlines and comments (inside arrays). */
static te_err_t skip_blank(parser_t *p)
{
    for (;;) {
        skip_ws(p);
        te_err_t rc = skip_comment(p);
        if (rc != TE_OK)
            return rc;
        if (!at_newline(p))
            return TE_OK;
        skip_newline(p);
    }
}

/* ---- strings ---- */

static void put_utf8(te_toml_buf_t *out, uint32_t cp)
{
    char b[4];
    size_t n;
    if (cp < 0x80) {
        b[0] = (char)cp, n = 1;
    } else if (cp < 0x800) {
        b[0] = (char)(0xC0 | (cp >> 6)), b[1] = (char)(0x80 | (cp & 0x3F)), n = 2;
    } else if (cp < 0x10000) {
        b[0] = (char)(0xE0 | (cp >> 12)), b[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        b[2] = (char)(0x80 | (cp & 0x3F)), n = 3;
    } else {
        b[0] = (char)(0xF0 | (cp >> 18)), b[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
        b[2] = (char)(0x80 | ((cp >> 6) & 0x3F)), b[3] = (char)(0x80 | (cp & 0x3F)), n = 4;
    }
    te_toml_buf_put(out, b, n);
}

/* Decodes the escape at p->pos (a backslash) of a basic string into out. */
static te_err_t parse_escape(parser_t *p, te_toml_buf_t *out, bool multi, size_t start)
{
    size_t at = p->pos;
    int e = peek_at(p, 1);
    const char *simple = NULL;
    switch (e) {
    case 'b': simple = "\b"; break;
    case 't': simple = "\t"; break;
    case 'n': simple = "\n"; break;
    case 'f': simple = "\f"; break;
    case 'r': simple = "\r"; break;
    case '"': simple = "\""; break;
    case '\\': simple = "\\"; break;
    case -1: return fail(p, start, "unterminated string");
    default: break;
    }
    if (simple) {
        te_toml_buf_put(out, simple, 1);
        p->pos += 2;
        return TE_OK;
    }
    if (e == 'u' || e == 'U') {
        size_t digits = e == 'u' ? 4 : 8;
        uint32_t cp = 0;
        for (size_t i = 0; i < digits; i++) {
            int h = te_hex_digit(peek_at(p, 2 + i));
            if (h < 0)
                return fail(p, at, "invalid escape: \\%c needs %zu hex digits", e, digits);
            cp = (cp << 4) | (uint32_t)h;
        }
        if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
            return fail(p, at, "invalid escape: \\%c%0*X is not a Unicode scalar value",
                        e, (int)digits, (unsigned)cp);
        if (cp == 0)
            return fail(p, at, "invalid escape: NUL (\\%c0000) is not allowed in strings", e);
        put_utf8(out, cp);
        p->pos += 2 + digits;
        return TE_OK;
    }
    if (multi && (e == ' ' || e == '\t' || e == '\n' || e == '\r')) {
        /* Line-ending backslash: drop it and all whitespace up to the next text. */
        p->pos++;
        skip_ws(p);
        if (!at_newline(p))
            return fail(p, at, "invalid escape: a '\\' followed by spaces must end the line");
        while (p->pos < p->len) {
            skip_ws(p);
            if (!at_newline(p))
                break;
            skip_newline(p);
        }
        return TE_OK;
    }
    char what[32];
    if (e > 0x20 && e < 0x7F)
        return fail(p, at, "invalid escape sequence \\%c", e);
    return fail(p, at, "invalid escape: '\\' followed by %s",
                describe(p, at + 1, what, sizeof(what)));
}

/* Decodes the string starting at p->pos (a quote) and appends its text to
 * out. Multi-line forms are recognised only when multi_ok (not in keys). */
static te_err_t parse_string(parser_t *p, te_toml_buf_t *out, bool multi_ok)
{
    size_t start = p->pos;
    char quote = p->text[p->pos];
    bool literal = quote == '\'';
    bool multi = multi_ok && peek_at(p, 1) == quote && peek_at(p, 2) == quote;
    p->pos += multi ? 3 : 1;
    if (multi && at_newline(p))
        skip_newline(p); /* a newline right after the opening quotes is trimmed */
    for (;;) {
        if (p->pos >= p->len)
            return fail(p, start, "unterminated string");
        unsigned char c = (unsigned char)p->text[p->pos];
        if (c == (unsigned char)quote) {
            if (!multi) {
                p->pos++;
                return TE_OK;
            }
            size_t run = 0;
            while (peek_at(p, run) == quote)
                run++;
            if (run >= 3) {
                if (run > 5)
                    return fail(p, p->pos, "three quotes in a row inside a multi-line string "
                                           "must be escaped");
                te_toml_buf_put(out, p->text + p->pos, run - 3);
                p->pos += run;
                return TE_OK;
            }
            te_toml_buf_put(out, p->text + p->pos, run);
            p->pos += run;
        } else if (c == '\\' && !literal) {
            te_err_t rc = parse_escape(p, out, multi, start);
            if (rc != TE_OK)
                return rc;
        } else if (at_newline(p)) {
            if (!multi)
                return fail(p, start, "unterminated string (newline before the closing quote)");
            te_toml_buf_putc(out, '\n');
            skip_newline(p);
        } else if (is_control(c)) {
            return fail(p, p->pos, "control character U+%04X in string (use an escape)",
                        (unsigned)c);
        } else {
            size_t run = 1;
            while (p->pos + run < p->len) {
                unsigned char d = (unsigned char)p->text[p->pos + run];
                if (d == (unsigned char)quote || (d == '\\' && !literal) || is_control(d))
                    break;
                run++;
            }
            te_toml_buf_put(out, p->text + p->pos, run);
            p->pos += run;
        }
    }
}

/* Parses a possibly dotted key into p->keys / p->seg_off / p->nseg. */
static te_err_t parse_key(parser_t *p)
{
    p->keys.len = 0;
    p->nseg = 0;
    for (;;) {
        skip_ws(p);
        if (p->nseg == TE_TOML_MAX_DEPTH)
            return fail(p, p->pos, "key has more than %u dotted parts", TE_TOML_MAX_DEPTH);
        p->seg_off[p->nseg++] = p->keys.len;
        int c = peek(p);
        if (c == '"' || c == '\'') {
            te_err_t rc = parse_string(p, &p->keys, false);
            if (rc != TE_OK)
                return rc;
        } else if (is_bare_key_char(c)) {
            size_t from = p->pos;
            while (is_bare_key_char(peek(p)))
                p->pos++;
            te_toml_buf_put(&p->keys, p->text + from, p->pos - from);
        } else {
            char what[32];
            return fail(p, p->pos, "expected a key, found %s",
                        describe(p, p->pos, what, sizeof(what)));
        }
        te_toml_buf_putc(&p->keys, '\0');
        skip_ws(p);
        if (peek(p) != '.')
            break;
        p->pos++;
    }
    return p->keys.oom ? nomem(p) : TE_OK;
}

/* ---- scalars other than strings ---- */

static bool is_token_char(int c)
{
    return is_bare_key_char(c) || c == '+' || c == '.' || c == ':';
}

/* Numbers, booleans (and dates, to reject them): the run of token characters
 * here is handed to te_toml_scalar_from_token. */
static te_err_t parse_scalar(parser_t *p, te_toml_t **out)
{
    size_t start = p->pos;
    while (is_token_char(peek(p)))
        p->pos++;
    if (p->pos == start) {
        char what[32];
        return fail(p, start, "expected a value, found %s", describe(p, start, what, sizeof(what)));
    }
    char reason[128];
    te_err_t rc = te_toml_scalar_from_token(p->text + start, p->pos - start, out, reason,
                                            sizeof(reason));
    if (rc == TE_ERR_PARSE)
        return fail(p, start, "%s", reason);
    return rc == TE_OK ? TE_OK : nomem(p);
}

/* ---- arrays and inline tables ---- */

static te_err_t check_depth(parser_t *p, size_t depth)
{
    if (depth > TE_TOML_MAX_DEPTH)
        return fail(p, p->pos, "nesting is deeper than %u levels", TE_TOML_MAX_DEPTH);
    return TE_OK;
}

static te_err_t parse_array(parser_t *p, te_toml_t **out, size_t depth)
{
    size_t start = p->pos;
    te_err_t rc = check_depth(p, depth);
    if (rc != TE_OK)
        return rc;
    te_toml_t *array = te_toml_new_array();
    if (!array)
        return nomem(p);
    p->pos++;
    for (;;) {
        if ((rc = skip_blank(p)) != TE_OK)
            break;
        if (peek(p) == ']') {
            p->pos++;
            *out = array;
            return TE_OK;
        }
        if (peek(p) < 0) {
            rc = fail(p, start, "unterminated array");
            break;
        }
        te_toml_t *value = NULL;
        if ((rc = parse_value(p, &value, depth + 1)) != TE_OK)
            break;
        if ((rc = te_toml_array_append(array, value)) != TE_OK) {
            rc = nomem(p);
            break;
        }
        if ((rc = skip_blank(p)) != TE_OK)
            break;
        int c = peek(p);
        if (c == ',') {
            p->pos++;
        } else if (c == ']') {
            p->pos++;
            *out = array;
            return TE_OK;
        } else if (c < 0) {
            rc = fail(p, start, "unterminated array");
            break;
        } else {
            char what[32];
            rc = fail(p, p->pos, "expected ',' or ']' in array, found %s",
                      describe(p, p->pos, what, sizeof(what)));
            break;
        }
    }
    te_toml_free(array);
    return rc;
}

static te_err_t parse_keyval(parser_t *p, te_toml_t *table, size_t depth);

static te_err_t parse_inline_table(parser_t *p, te_toml_t **out, size_t depth)
{
    size_t start = p->pos;
    te_err_t rc = check_depth(p, depth);
    if (rc != TE_OK)
        return rc;
    te_toml_t *table = te_toml_new_table();
    if (!table)
        return nomem(p);
    p->pos++;
    skip_ws(p);
    if (peek(p) == '}') {
        p->pos++;
        goto done;
    }
    for (;;) {
        skip_ws(p);
        if (peek(p) < 0 || at_newline(p)) {
            rc = fail(p, start, "unterminated inline table (it must end on the line it starts)");
            break;
        }
        if ((rc = parse_keyval(p, table, depth)) != TE_OK)
            break;
        skip_ws(p);
        int c = peek(p);
        if (c == ',') {
            p->pos++;
            skip_ws(p);
            if (peek(p) == '}') {
                rc = fail(p, p->pos, "trailing comma in inline table");
                break;
            }
        } else if (c == '}') {
            p->pos++;
            goto done;
        } else if (c < 0 || at_newline(p)) {
            rc = fail(p, start, "unterminated inline table (it must end on the line it starts)");
            break;
        } else {
            char what[32];
            rc = fail(p, p->pos, "expected ',' or '}' in inline table, found %s",
                      describe(p, p->pos, what, sizeof(what)));
            break;
        }
    }
    te_toml_free(table);
    return rc;
done:
    table->flags |= TE_TOML_F_INLINE;
    *out = table;
    return TE_OK;
}

static te_err_t parse_value(parser_t *p, te_toml_t **out, size_t depth)
{
    int c = peek(p);
    if (c == '"' || c == '\'') {
        p->str.len = 0;
        te_err_t rc = parse_string(p, &p->str, true);
        if (rc != TE_OK)
            return rc;
        if (p->str.oom)
            return nomem(p);
        *out = te_toml_new_strn(p->str.data, p->str.len);
        return *out ? TE_OK : nomem(p);
    }
    if (c == '[')
        return parse_array(p, out, depth);
    if (c == '{')
        return parse_inline_table(p, out, depth);
    return parse_scalar(p, out);
}

/* ---- key = value and [headers] ---- */

/* Parses `key = value` into table (at depth) following TOML's rules on dotted
 * keys: they may create tables or extend ones they created, never a table
 * with its own header nor an inline table. */
static te_err_t parse_keyval(parser_t *p, te_toml_t *table, size_t depth)
{
    size_t start = p->pos;
    size_t path_mark = p->path.len;
    te_toml_buf_t shown = { 0 };
    te_err_t rc = parse_key(p);
    if (rc != TE_OK)
        return rc;
    skip_ws(p);
    if (peek(p) != '=') {
        key_quoted(p, 0, p->nseg, &shown);
        rc = fail(p, p->pos, "expected '=' after key %s", shown.data ? shown.data : "");
        goto out;
    }
    p->pos++;
    skip_ws(p);
    te_toml_t *t = table;
    for (size_t i = 0; i + 1 < p->nseg; i++) {
        const char *name = seg(p, i);
        size_t pos = te_toml_table_find(t, name);
        te_toml_t *child = pos == NOT_FOUND ? NULL : t->u.tab.members[pos].val;
        if (!child) {
            child = te_toml_new_table();
            if (te_toml_table_append(t, strdup(name), child) != TE_OK) {
                rc = nomem(p);
                goto out;
            }
        } else if (child->type != TE_TOML_TABLE) {
            key_quoted(p, 0, i + 1, &shown);
            rc = fail(p, start, "key %s is already a%s %s, not a table", shown.data ? shown.data : "",
                      child->type == TE_TOML_INT || child->type == TE_TOML_ARRAY ? "n" : "",
                      type_name(child));
            goto out;
        } else if (child->flags & (TE_TOML_F_INLINE | TE_TOML_F_HEADER)) {
            path_push(p, name);
            rc = fail(p, start, "cannot add keys to table [%s] with dotted keys: it was "
                                "defined %s", path_text(p),
                      child->flags & TE_TOML_F_INLINE ? "as an inline table" : "by its header");
            goto out;
        }
        child->flags |= TE_TOML_F_DOTTED;
        path_push(p, name);
        if ((rc = check_depth(p, ++depth)) != TE_OK)
            goto out;
        t = child;
    }
    const char *last = seg(p, p->nseg - 1);
    if (te_toml_table_find(t, last) != NOT_FOUND) {
        te_toml_buf_quoted(&shown, last);
        if (p->path.len > 0)
            rc = fail(p, start, "duplicate key %s in table [%s]", shown.data ? shown.data : "",
                      path_text(p));
        else
            rc = fail(p, start, "duplicate key %s", shown.data ? shown.data : "");
        goto out;
    }
    int c = peek(p);
    if (c < 0 || c == '#' || c == ',' || c == '}' || c == ']' || at_newline(p)) {
        key_quoted(p, 0, p->nseg, &shown);
        rc = fail(p, p->pos, "missing value for key %s", shown.data ? shown.data : "");
        goto out;
    }
    char *key = strdup(last);
    if (!key) {
        rc = nomem(p);
        goto out;
    }
    path_push(p, key); /* names an inline table in messages about its keys */
    te_toml_t *value = NULL;
    rc = parse_value(p, &value, depth + 1);
    if (rc != TE_OK) {
        free(key);
        goto out;
    }
    if (te_toml_table_append(t, key, value) != TE_OK)
        rc = nomem(p);
out:
    free(shown.data);
    path_pop(p, path_mark);
    return rc;
}

/* Parses a [table] or [[array]] header; *current becomes the table that the
 * following keys go to, at *depth. */
static te_err_t parse_header(parser_t *p, te_toml_t **current, size_t *depth)
{
    size_t start = p->pos;
    bool is_array = peek_at(p, 1) == '[';
    p->pos += is_array ? 2 : 1;
    te_err_t rc = parse_key(p);
    if (rc != TE_OK)
        return rc;
    skip_ws(p);
    if (peek(p) != ']' || (is_array && peek_at(p, 1) != ']')) {
        char what[32];
        return fail(p, p->pos, "expected '%s' to close the header, found %s",
                    is_array ? "]]" : "]", describe(p, p->pos, what, sizeof(what)));
    }
    p->pos += is_array ? 2 : 1;

    p->path.len = 0;
    te_toml_t *t = p->root;
    size_t level = 0;
    for (size_t i = 0; i < p->nseg; i++) {
        const char *name = seg(p, i);
        bool last = i + 1 == p->nseg;
        path_push(p, name);
        size_t pos = te_toml_table_find(t, name);
        te_toml_t *child = pos == NOT_FOUND ? NULL : t->u.tab.members[pos].val;
        if ((rc = check_depth(p, ++level)) != TE_OK)
            return rc;
        if (!child) {
            child = last && is_array ? te_toml_new_array() : te_toml_new_table();
            if (!child)
                return nomem(p);
            if (last)
                child->flags = is_array ? TE_TOML_F_AOT : TE_TOML_F_HEADER;
            if (te_toml_table_append(t, strdup(name), child) != TE_OK)
                return nomem(p);
            if (child->type == TE_TOML_TABLE) {
                t = child;
                continue;
            }
        } else if (child->type == TE_TOML_TABLE) {
            if (child->flags & TE_TOML_F_INLINE)
                return fail(p, start, "cannot extend [%s]: it was defined as an inline table",
                            path_text(p));
            if (last && is_array)
                return fail(p, start, "[[%s]] conflicts with the table [%s]", path_text(p),
                            path_text(p));
            if (last && (child->flags & TE_TOML_F_HEADER))
                return fail(p, start, "table [%s] is defined twice", path_text(p));
            if (last && (child->flags & TE_TOML_F_DOTTED))
                return fail(p, start, "table [%s] was already defined by dotted keys",
                            path_text(p));
            if (last)
                child->flags |= TE_TOML_F_HEADER;
            t = child;
            continue;
        } else if (child->type == TE_TOML_ARRAY && (child->flags & TE_TOML_F_AOT)) {
            if (last && !is_array)
                return fail(p, start, "table [%s] conflicts with the array of tables [[%s]]",
                            path_text(p), path_text(p));
        } else {
            te_toml_buf_t shown = { 0 };
            te_toml_buf_quoted(&shown, name);
            rc = fail(p, start, "%s conflicts with the %s value of key %s",
                      is_array && last ? "array of tables" : "table header", type_name(child),
                      shown.data ? shown.data : "\"\"");
            free(shown.data);
            return rc;
        }
        /* child is an array of tables: go into its last element, or append one */
        if ((rc = check_depth(p, ++level)) != TE_OK)
            return rc;
        if (last) {
            te_toml_t *element = te_toml_new_table();
            if (!element)
                return nomem(p);
            element->flags = TE_TOML_F_HEADER;
            if (te_toml_array_append(child, element) != TE_OK)
                return nomem(p);
            t = element;
        } else {
            t = child->u.arr.items[child->u.arr.len - 1];
        }
    }
    if (p->path.oom)
        return nomem(p);
    *current = t;
    *depth = level;
    return TE_OK;
}

static te_err_t check_utf8(parser_t *p)
{
    const unsigned char *s = (const unsigned char *)p->text;
    for (size_t i = 0; i < p->len;) {
        if (s[i] < 0x80) {
            i++;
            continue;
        }
        uint32_t cp;
        size_t n = te_toml_utf8_decode(s + i, p->len - i, &cp);
        if (n == 0)
            return fail(p, i, "invalid UTF-8");
        i += n;
    }
    return TE_OK;
}

static te_err_t parse_document(parser_t *p)
{
    te_err_t rc = check_utf8(p);
    if (rc != TE_OK)
        return rc;
    if (p->len >= 3 && memcmp(p->text, "\xEF\xBB\xBF", 3) == 0)
        p->pos = 3; /* byte order mark */
    te_toml_t *table = p->root;
    size_t depth = 0;
    while (rc == TE_OK) {
        skip_ws(p);
        int c = peek(p);
        if (c < 0)
            break;
        if (c == '#' || at_newline(p)) {
            rc = expect_eol(p, "comment");
        } else if (c == '[') {
            rc = parse_header(p, &table, &depth);
            if (rc == TE_OK)
                rc = expect_eol(p, "table header");
        } else {
            rc = parse_keyval(p, table, depth);
            if (rc == TE_OK)
                rc = expect_eol(p, "value");
        }
    }
    return rc;
}

te_err_t te_toml_parse(const char *text, size_t len, te_toml_t **root, char *err, size_t errlen)
{
    *root = NULL;
    if (err && errlen)
        err[0] = '\0';
    if (len > TE_TOML_MAX_BYTES) {
        if (err && errlen)
            snprintf(err, errlen, "document is larger than %u bytes", TE_TOML_MAX_BYTES);
        return TE_ERR_TOOBIG;
    }
    parser_t p = { .text = text ? text : "", .len = text ? len : 0,
                   .err = err, .errlen = errlen };
    p.root = te_toml_new_table();
    if (!p.root)
        return nomem(&p);
    p.root->flags = TE_TOML_F_HEADER;
    te_err_t rc = parse_document(&p);
    free(p.str.data);
    free(p.keys.data);
    free(p.path.data);
    if (rc != TE_OK) {
        te_toml_free(p.root);
        return rc;
    }
    p.root->flags = 0;
    *root = p.root;
    return TE_OK;
}
