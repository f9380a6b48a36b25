/* toml_write: te_toml_write, the serialiser `tedge config set` relies on.
 * Layout: top-level keys first, then one [a.b] header per table that holds
 * keys (tables holding only tables get no header of their own), a blank line
 * between tables, arrays of tables as [[x]] blocks, other arrays inline with
 * any tables in them as inline tables. Output re-parses to an equal tree and
 * writes back to the same text. */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tedge/toml.h"
#include "toml_internal.h"

typedef struct writer {
    te_toml_buf_t out;
    te_toml_buf_t path; /* header of the table being written: a.b."c d" */
} writer_t;

/* An array written as [[x]] blocks: one that came from [[x]] headers and
 * still holds only tables. */
static bool is_table_array(const te_toml_t *v)
{
    if (v->type != TE_TOML_ARRAY || !(v->flags & TE_TOML_F_AOT) || v->u.arr.len == 0)
        return false;
    for (size_t i = 0; i < v->u.arr.len; i++)
        if (v->u.arr.items[i]->type != TE_TOML_TABLE)
            return false;
    return true;
}

/* Whether a member gets its own header(s) rather than a `key = value` line. */
static bool is_section(const te_toml_t *v)
{
    return v->type == TE_TOML_TABLE || is_table_array(v);
}

static void put_str(te_toml_buf_t *b, const char *s)
{
    te_toml_buf_put(b, s, strlen(s));
}

/* The shortest of %.15g..%.17g that reads back as the same double, with a
 * '.0' added when it would otherwise read as an integer. */
static void write_float(te_toml_buf_t *b, double v)
{
    char text[40];
    if (isnan(v)) {
        put_str(b, "nan");
        return;
    }
    if (isinf(v)) {
        put_str(b, v < 0 ? "-inf" : "inf");
        return;
    }
    for (int precision = 15; precision <= 17; precision++) {
        snprintf(text, sizeof(text), "%.*g", precision, v);
        if (strtod(text, NULL) == v)
            break;
    }
    put_str(b, text);
    if (!strpbrk(text, ".e"))
        put_str(b, ".0");
}

static void write_inline(te_toml_buf_t *b, const te_toml_t *v)
{
    char num[32];
    switch ((te_toml_type_t)v->type) {
    case TE_TOML_STRING:
        te_toml_buf_quoted(b, v->u.str);
        break;
    case TE_TOML_INT:
        snprintf(num, sizeof(num), "%" PRId64, v->u.i);
        put_str(b, num);
        break;
    case TE_TOML_FLOAT:
        write_float(b, v->u.f);
        break;
    case TE_TOML_BOOL:
        put_str(b, v->u.b ? "true" : "false");
        break;
    case TE_TOML_ARRAY:
        te_toml_buf_putc(b, '[');
        for (size_t i = 0; i < v->u.arr.len; i++) {
            if (i > 0)
                put_str(b, ", ");
            write_inline(b, v->u.arr.items[i]);
        }
        te_toml_buf_putc(b, ']');
        break;
    case TE_TOML_TABLE:
        if (v->u.tab.len == 0) {
            put_str(b, "{}");
            break;
        }
        put_str(b, "{ ");
        for (size_t i = 0; i < v->u.tab.len; i++) {
            if (i > 0)
                put_str(b, ", ");
            te_toml_buf_key(b, v->u.tab.members[i].key);
            put_str(b, " = ");
            write_inline(b, v->u.tab.members[i].val);
        }
        put_str(b, " }");
        break;
    }
}

/* Writes table, whose header path is w->path (empty for the root). */
static void write_table(writer_t *w, const te_toml_t *table, bool is_root, bool is_element)
{
    size_t lines = 0;
    for (size_t i = 0; i < table->u.tab.len; i++)
        lines += !is_section(table->u.tab.members[i].val);
    /* An empty table needs its header to exist at all; an [[x]] element
     * needs it to be an element. */
    if (!is_root && (lines > 0 || table->u.tab.len == 0 || is_element)) {
        if (w->out.len > 0)
            te_toml_buf_putc(&w->out, '\n');
        put_str(&w->out, is_element ? "[[" : "[");
        te_toml_buf_put(&w->out, w->path.data, w->path.len);
        put_str(&w->out, is_element ? "]]\n" : "]\n");
    }
    for (size_t i = 0; i < table->u.tab.len; i++) {
        const te_toml_member_t *m = &table->u.tab.members[i];
        if (is_section(m->val))
            continue;
        te_toml_buf_key(&w->out, m->key);
        put_str(&w->out, " = ");
        write_inline(&w->out, m->val);
        te_toml_buf_putc(&w->out, '\n');
    }
    for (size_t i = 0; i < table->u.tab.len; i++) {
        const te_toml_member_t *m = &table->u.tab.members[i];
        if (!is_section(m->val))
            continue;
        size_t mark = w->path.len;
        if (!is_root)
            te_toml_buf_putc(&w->path, '.');
        te_toml_buf_key(&w->path, m->key);
        if (w->path.oom)
            return;
        if (m->val->type == TE_TOML_TABLE) {
            write_table(w, m->val, false, false);
        } else {
            for (size_t k = 0; k < m->val->u.arr.len; k++)
                write_table(w, m->val->u.arr.items[k], false, true);
        }
        w->path.len = mark;
        w->path.data[mark] = '\0';
    }
}

te_err_t te_toml_write(const te_toml_t *root, char **out, size_t *len)
{
    *out = NULL;
    if (len)
        *len = 0;
    writer_t w = { { 0 }, { 0 } };
    te_toml_buf_put(&w.out, "", 0); /* an empty tree still gives "" */
    if (root && root->type == TE_TOML_TABLE)
        write_table(&w, root, true, false);
    free(w.path.data);
    if (w.out.oom || w.path.oom) {
        free(w.out.data);
        return TE_ERR_NOMEM;
    }
    *out = w.out.data;
    if (len)
        *len = w.out.len;
    return TE_OK;
}
