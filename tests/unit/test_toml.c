/* Unit tests: toml (reader, writer, tree edits). Most cases are rows of
 * tables, each row run as its own named cmocka test:
 *   valid_cases  - a document and the expected tree, dumped as
 *                  {key:value,...} with ints bare, floats as f(..), strings "..";
 *   error_cases  - a document and the exact "line N: reason" message;
 *   write_cases  - a document and the exact text te_toml_write gives for it;
 *   round_trips  - documents that must re-parse equal and re-write identical. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "tedge/toml.h"

/* ---- helpers ---- */

static void dump_value(FILE *f, const te_toml_t *v)
{
    switch (te_toml_type(v)) {
    case TE_TOML_STRING:
        fprintf(f, "\"%s\"", te_toml_str(v));
        break;
    case TE_TOML_INT:
        fprintf(f, "%lld", (long long)te_toml_int(v));
        break;
    case TE_TOML_FLOAT: {
        double d = te_toml_float(v);
        char text[40];
        for (int precision = 15; precision <= 17; precision++) {
            snprintf(text, sizeof text, "%.*g", precision, d);
            if (strtod(text, NULL) == d || isnan(d))
                break;
        }
        fprintf(f, "f(%s)", text);
        break;
    }
    case TE_TOML_BOOL:
        fputs(te_toml_bool(v) ? "true" : "false", f);
        break;
    case TE_TOML_ARRAY:
        fputc('[', f);
        for (size_t i = 0; i < te_toml_len(v); i++) {
            if (i)
                fputc(',', f);
            dump_value(f, te_toml_at(v, i));
        }
        fputc(']', f);
        break;
    case TE_TOML_TABLE:
        fputc('{', f);
        for (size_t i = 0; i < te_toml_len(v); i++) {
            if (i)
                fputc(',', f);
            fprintf(f, "%s:", te_toml_key_at(v, i));
            dump_value(f, te_toml_at(v, i));
        }
        fputc('}', f);
        break;
    }
}

/* The tree as one line of text; caller frees. */
static char *dump(const te_toml_t *v)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    assert_non_null(f);
    dump_value(f, v);
    fclose(f);
    return text;
}

static te_toml_t *parse_ok(const char *text)
{
    te_toml_t *root = NULL;
    char err[256] = "";
    te_err_t rc = te_toml_parse(text, strlen(text), &root, err, sizeof err);
    if (rc != TE_OK)
        fail_msg("parse failed (%d): %s\n--- input ---\n%s", rc, err, text);
    assert_non_null(root);
    return root;
}

static char *write_ok(const te_toml_t *root)
{
    char *out = NULL;
    size_t len = 0;
    assert_int_equal(te_toml_write(root, &out, &len), TE_OK);
    assert_non_null(out);
    assert_int_equal(len, strlen(out));
    return out;
}

/* Trees equal regardless of table member order (the writer puts keys before
 * tables); arrays compare in order. */
static bool tree_equal(const te_toml_t *a, const te_toml_t *b)
{
    if (te_toml_type(a) != te_toml_type(b))
        return false;
    switch (te_toml_type(a)) {
    case TE_TOML_STRING:
        return strcmp(te_toml_str(a), te_toml_str(b)) == 0;
    case TE_TOML_INT:
        return te_toml_int(a) == te_toml_int(b);
    case TE_TOML_FLOAT: {
        double x = te_toml_float(a), y = te_toml_float(b);
        if (isnan(x) || isnan(y))
            return isnan(x) && isnan(y);
        return x == y && signbit(x) == signbit(y);
    }
    case TE_TOML_BOOL:
        return te_toml_bool(a) == te_toml_bool(b);
    case TE_TOML_ARRAY:
    case TE_TOML_TABLE:
        if (te_toml_len(a) != te_toml_len(b))
            return false;
        for (size_t i = 0; i < te_toml_len(a); i++) {
            const te_toml_t *other = te_toml_type(a) == TE_TOML_ARRAY
                                         ? te_toml_at(b, i)
                                         : te_toml_get(b, te_toml_key_at(a, i));
            if (!other || !tree_equal(te_toml_at(a, i), other))
                return false;
        }
        return true;
    }
    return false;
}

/* ---- valid documents and their trees ---- */

typedef struct valid_case {
    const char *name;
    const char *text;
    const char *tree;
} valid_case_t;

static const valid_case_t valid_cases[] = {
    { "empty_document_is_an_empty_table", "", "{}" },
    { "comments_blank_lines_and_crlf_only_give_empty_table",
      "# a comment\r\n\n\t  # another\n\r\n", "{}" },
    { "byte_order_mark_is_skipped", "\xEF\xBB\xBF" "a = 1\n", "{a:1}" },
    { "top_level_keys_keep_insertion_order",
      "b = 1\na = \"x\"\nc = true\nd = false\n", "{b:1,a:\"x\",c:true,d:false}" },
    { "last_line_needs_no_newline", "a = 1", "{a:1}" },
    { "table_headers_create_nested_tables",
      "[c8y]\nurl = \"example.c8y.io\"\n[mqtt.bind]\nport = 1883\n",
      "{c8y:{url:\"example.c8y.io\"},mqtt:{bind:{port:1883}}}" },
    { "dotted_keys_create_and_extend_tables",
      "a.b.c = 1\na.b.d = 2\na.e = 3\n", "{a:{b:{c:1,d:2},e:3}}" },
    { "whitespace_around_dots_equals_and_in_headers",
      " a . b\t=\t1 \n[ x . y ]\nz=2\n", "{a:{b:1},x:{y:{z:2}}}" },
    { "quoted_keys_may_hold_dots_spaces_or_be_empty",
      "\"my key\" = 1\n'lit.key' = 2\n\"\" = 3\n\"a.b\".c = 4\n\"q\\\"k\" = 5\n",
      "{my key:1,lit.key:2,:3,a.b:{c:4},q\"k:5}" },
    { "bare_keys_may_be_digits_dashes_or_keywords",
      "1234 = 1\n-_- = 2\ntrue = 3\ninf = 4\n", "{1234:1,-_-:2,true:3,inf:4}" },
    { "quoted_header_parts", "[a.\"b c\".'d.e']\nx = 1\n", "{a:{b c:{d.e:{x:1}}}}" },
    { "basic_string_escapes_decode",
      "s = \"t\\tn\\nq\\\"b\\\\ \\b\\f\\r\"\n", "{s:\"t\tn\nq\"b\\ \b\f\r\"}" },
    { "unicode_escapes_become_utf8",
      "s = \"\\u00e9\\u20AC\\U0001F600\\u007f\"\n",
      "{s:\"\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80\x7F\"}" },
    { "raw_utf8_in_keys_and_strings", "\"\xC3\xA9\" = \"\xC3\xBC\xE2\x82\xAC\"\n",
      "{\xC3\xA9:\"\xC3\xBC\xE2\x82\xAC\"}" },
    { "literal_string_keeps_backslashes", "p = 'C:\\Users\\x \"q\"'\n",
      "{p:\"C:\\Users\\x \"q\"\"}" },
    { "tab_is_allowed_inside_strings", "s = \"a\tb\"\nl = 'c\td'\n", "{s:\"a\tb\",l:\"c\td\"}" },
    { "hash_inside_string_is_not_a_comment", "s = \"a # b\" # real comment\n",
      "{s:\"a # b\"}" },
    { "multiline_basic_trims_first_newline", "s = \"\"\"\nab\ncd\"\"\"\n", "{s:\"ab\ncd\"}" },
    { "multiline_basic_line_ending_backslash_joins_lines",
      "s = \"\"\"a \\\n    b \\   \n\n  c\\\n\"\"\"\n", "{s:\"a b c\"}" },
    { "multiline_basic_allows_one_or_two_quotes_and_closes_on_up_to_five",
      "s = \"\"\"a\"\"b\"\"\"\"\nt = \"\"\"\"x\"\"\"\"\"\n", "{s:\"a\"\"b\"\",t:\"\"x\"\"\"}" },
    { "multiline_basic_crlf_becomes_newline", "s = \"\"\"a\r\nb\"\"\"\r\n", "{s:\"a\nb\"}" },
    { "multiline_literal_keeps_everything",
      "s = '''\nC:\\x\n'it''s'''\ne = ''''''\n", "{s:\"C:\\x\n'it''s\",e:\"\"}" },
    { "decimal_integers_with_signs_and_underscores",
      "a = 0\nb = +17\nc = -42\nd = 1_000_000\ne = 9223372036854775807\n"
      "f = -9223372036854775808\ng = -0\n",
      "{a:0,b:17,c:-42,d:1000000,e:9223372036854775807,f:-9223372036854775808,g:0}" },
    { "hex_octal_and_binary_integers",
      "h = 0xDEAD_beef\no = 0o755\nb = 0b1010_1010\nm = 0x7FFFFFFFFFFFFFFF\nz = 0x00\n",
      "{h:3735928559,o:493,b:170,m:9223372036854775807,z:0}" },
    { "floats_with_fractions_exponents_and_underscores",
      "a = 1.5\nb = -0.25\nc = 5e+22\nd = 1e06\ne = -2E-2\nf = 6.626e-34\n"
      "g = 224_617.445_991\nh = 0e0\ni = +1.0\nj = 1e-400\n",
      "{a:f(1.5),b:f(-0.25),c:f(5e+22),d:f(1000000),e:f(-0.02),f:f(6.626e-34),"
      "g:f(224617.445991),h:f(0),i:f(1),j:f(0)}" },
    { "special_floats", "a = inf\nb = +inf\nc = -inf\nd = nan\ne = -nan\nf = +nan\n",
      "{a:f(inf),b:f(inf),c:f(-inf),d:f(nan),e:f(-nan),f:f(nan)}" },
    { "booleans_may_touch_a_comment", "a = true#c\nb = false\n", "{a:true,b:false}" },
    { "arrays_nest_mix_types_and_allow_newlines_comments_trailing_comma",
      "a = [\n  1, # one\n  \"two\",\n  [3.5, [true]],\n  { x = 1 },\n  # last\n]\n"
      "b = [1,2,3]\n",
      "{a:[1,\"two\",[f(3.5),[true]],{x:1}],b:[1,2,3]}" },
    { "empty_arrays_and_inline_tables", "a = []\nb = {}\nc = [ ]\nd = [\n]\ne = { }\n",
      "{a:[],b:{},c:[],d:[],e:{}}" },
    { "inline_table_with_dotted_keys_and_nesting",
      "p = { a.b = 1, a.c = \"x\", d = [1], e = { f = false } }\n",
      "{p:{a:{b:1,c:\"x\"},d:[1],e:{f:false}}}" },
    { "log_plugin_files_array_of_inline_tables",
      "files = [\n  { path = \"/var/log/syslog\", type = \"syslog\" },\n"
      "  { path = \"/var/log/tedge/agent/*\", type = \"software-management\" }\n]\n",
      "{files:[{path:\"/var/log/syslog\",type:\"syslog\"},"
      "{path:\"/var/log/tedge/agent/*\",type:\"software-management\"}]}" },
    { "arrays_of_tables_with_subtables_and_nested_arrays",
      "[[w]]\nname = \"a\"\n[[w]]\nname = \"b\"\n[w.sub]\nx = 1\n[[w.steps]]\nn = 1\n"
      "[[w.steps]]\nn = 2\n",
      "{w:[{name:\"a\"},{name:\"b\",sub:{x:1},steps:[{n:1},{n:2}]}]}" },
    { "empty_array_of_tables_elements", "[[a]]\n[[a]]\n", "{a:[{},{}]}" },
    { "table_may_be_defined_after_its_subtable", "[a.b]\nx = 1\n[a]\ny = 2\n",
      "{a:{b:{x:1},y:2}}" },
    { "header_may_add_subtable_below_dotted_key_table",
      "[fruit]\napple.color = \"red\"\n[fruit.apple.texture]\nsmooth = true\n",
      "{fruit:{apple:{color:\"red\",texture:{smooth:true}}}}" },
    { "dotted_keys_may_extend_table_made_implicitly_by_a_header",
      "[a.b.c]\nz = 1\n[a]\nb.d = 2\n", "{a:{b:{c:{z:1},d:2}}}" },
    { "empty_table_header_gives_empty_table", "[empty]\n[x]\ny = 1\n", "{empty:{},x:{y:1}}" },
    { "comments_after_headers_and_values", "[t] # c\na = 1 # c\n[[u]] # c\n",
      "{t:{a:1},u:[{}]}" },
    { "operation_file_exec_section",
      "[exec]\ntopic = \"c8y/s/ds\"\non_message = \"528\"\n"
      "command = \"/etc/tedge/operations/command\"\n",
      "{exec:{topic:\"c8y/s/ds\",on_message:\"528\",command:\"/etc/tedge/operations/command\"}}" },
    { "system_toml_init_argv_arrays",
      "[init]\nname = \"systemd\"\nis_available = [\"/bin/systemctl\", \"--version\"]\n"
      "restart = [\"/bin/systemctl\", \"restart\", \"{}\"]\n",
      "{init:{name:\"systemd\",is_available:[\"/bin/systemctl\",\"--version\"],"
      "restart:[\"/bin/systemctl\",\"restart\",\"{}\"]}}" },
};

static void run_valid_case(void **state)
{
    const valid_case_t *c = *state;
    te_toml_t *root = parse_ok(c->text);
    char *tree = dump(root);
    assert_string_equal(tree, c->tree);
    free(tree);
    te_toml_free(root);
}

/* ---- invalid documents and their messages ---- */

typedef struct error_case {
    const char *name;
    const char *text;
    te_err_t rc;
    const char *message;
} error_case_t;

static const error_case_t error_cases[] = {
    { "missing_equals_names_the_key", "a = 1\n\nport 1883\n", TE_ERR_PARSE,
      "line 3: expected '=' after key \"port\"" },
    { "duplicate_key_names_key_and_table",
      "[c8y]\n# the cloud\n\nurl = \"a\"\n\n\nurl = \"b\"\n", TE_ERR_PARSE,
      "line 7: duplicate key \"url\" in table [c8y]" },
    { "duplicate_top_level_key", "a = 1\na = \"x\"\n", TE_ERR_PARSE,
      "line 2: duplicate key \"a\"" },
    { "duplicate_key_through_dotted_keys", "a.b = 1\na.b = 2\n", TE_ERR_PARSE,
      "line 2: duplicate key \"b\" in table [a]" },
    { "key_redefining_dotted_table", "a.b = 1\na = 2\n", TE_ERR_PARSE,
      "line 2: duplicate key \"a\"" },
    { "dotted_key_through_a_scalar", "a = 1\na.b = 2\n", TE_ERR_PARSE,
      "line 2: key \"a\" is already an integer, not a table" },
    { "table_defined_twice", "[a]\nx = 1\n[b]\n[a]\n", TE_ERR_PARSE,
      "line 4: table [a] is defined twice" },
    { "table_defined_twice_after_subtable", "[a]\n[a.b]\n[a]\n", TE_ERR_PARSE,
      "line 3: table [a] is defined twice" },
    { "header_over_a_scalar_key", "[a]\nb = 1\n[a.b]\n", TE_ERR_PARSE,
      "line 3: table header conflicts with the integer value of key \"b\"" },
    { "header_after_dotted_keys_defined_the_table", "a.b = 1\n[a]\n", TE_ERR_PARSE,
      "line 2: table [a] was already defined by dotted keys" },
    { "header_after_dotted_keys_in_a_section", "[a]\nb.c = 1\n[a.b]\n", TE_ERR_PARSE,
      "line 3: table [a.b] was already defined by dotted keys" },
    { "dotted_keys_into_table_with_own_header", "[a.b]\nx = 1\n[a]\nb.c = 1\n", TE_ERR_PARSE,
      "line 4: cannot add keys to table [a.b] with dotted keys: it was defined by its header" },
    { "dotted_keys_into_inline_table", "a = { b = 1 }\na.c = 2\n", TE_ERR_PARSE,
      "line 2: cannot add keys to table [a] with dotted keys: it was defined as an inline table" },
    { "header_for_inline_table", "a = { b = 1 }\n[a]\n", TE_ERR_PARSE,
      "line 2: cannot extend [a]: it was defined as an inline table" },
    { "header_below_inline_table", "[t]\na = { b = 1 }\n[t.a.c]\n", TE_ERR_PARSE,
      "line 3: cannot extend [t.a]: it was defined as an inline table" },
    { "duplicate_key_inside_inline_table", "a = { b = 1, b = 2 }\n", TE_ERR_PARSE,
      "line 1: duplicate key \"b\" in table [a]" },
    { "inline_dotted_then_plain_key_clash", "x.a = { b.c = 1, b = 2 }\n", TE_ERR_PARSE,
      "line 1: duplicate key \"b\" in table [x.a]" },
    { "array_of_tables_over_static_array", "a = [1]\n[[a]]\n", TE_ERR_PARSE,
      "line 2: array of tables conflicts with the array value of key \"a\"" },
    { "header_through_static_array", "a = [{}]\n[a.b]\n", TE_ERR_PARSE,
      "line 2: table header conflicts with the array value of key \"a\"" },
    { "table_over_array_of_tables", "[[a]]\n[a]\n", TE_ERR_PARSE,
      "line 2: table [a] conflicts with the array of tables [[a]]" },
    { "array_of_tables_over_table", "[a]\n[[a]]\n", TE_ERR_PARSE,
      "line 2: [[a]] conflicts with the table [a]" },
    { "unknown_escape", "s = \"a\\qb\"\n", TE_ERR_PARSE, "line 1: invalid escape sequence \\q" },
    { "hex_byte_escape_is_not_toml_1_0", "\n\ns = \"\\x41\"\n", TE_ERR_PARSE,
      "line 3: invalid escape sequence \\x" },
    { "backslash_space_in_single_line_string", "s = \"a\\ b\"\n", TE_ERR_PARSE,
      "line 1: invalid escape: '\\' followed by a space" },
    { "line_ending_backslash_must_end_the_line", "s = \"\"\"a\\  b\"\"\"\n", TE_ERR_PARSE,
      "line 1: invalid escape: a '\\' followed by spaces must end the line" },
    { "escape_of_surrogate", "s = \"\\uD800\"\n", TE_ERR_PARSE,
      "line 1: invalid escape: \\uD800 is not a Unicode scalar value" },
    { "escape_above_unicode_range", "s = \"\\U00110000\"\n", TE_ERR_PARSE,
      "line 1: invalid escape: \\U00110000 is not a Unicode scalar value" },
    { "short_unicode_escape", "s = \"\\u12\"\n", TE_ERR_PARSE,
      "line 1: invalid escape: \\u needs 4 hex digits" },
    { "nul_escape_is_refused", "s = \"a\\u0000\"\n", TE_ERR_PARSE,
      "line 1: invalid escape: NUL (\\u0000) is not allowed in strings" },
    { "control_character_in_basic_string", "a = 1\ns = \"a\x01z\"\n", TE_ERR_PARSE,
      "line 2: control character U+0001 in string (use an escape)" },
    { "delete_character_in_literal_string", "s = 'a\x7fz'\n", TE_ERR_PARSE,
      "line 1: control character U+007F in string (use an escape)" },
    { "bare_newline_in_basic_string", "a = 1\ns = \"abc\ndef\"\n", TE_ERR_PARSE,
      "line 2: unterminated string (newline before the closing quote)" },
    { "bare_newline_in_literal_string", "s = 'abc\n'\n", TE_ERR_PARSE,
      "line 1: unterminated string (newline before the closing quote)" },
    { "unterminated_string_at_end_of_file", "a = 1\ns = \"abc", TE_ERR_PARSE,
      "line 2: unterminated string" },
    { "unterminated_multiline_string", "s = \"\"\"abc\n\ndef\n", TE_ERR_PARSE,
      "line 1: unterminated string" },
    { "lone_carriage_return_in_multiline_string", "s = '''a\rb'''\n", TE_ERR_PARSE,
      "line 1: control character U+000D in string (use an escape)" },
    { "six_quotes_inside_multiline_string", "s = \"\"\"a\"\"\"\"\"\"\n", TE_ERR_PARSE,
      "line 1: three quotes in a row inside a multi-line string must be escaped" },
    { "missing_value_at_end_of_line", "a = 1\nb =\n", TE_ERR_PARSE,
      "line 2: missing value for key \"b\"" },
    { "missing_value_before_comment", "b.c = # nothing\n", TE_ERR_PARSE,
      "line 1: missing value for key \"b.c\"" },
    { "missing_value_at_end_of_file", "b = ", TE_ERR_PARSE,
      "line 1: missing value for key \"b\"" },
    { "missing_value_in_inline_table", "t = { a = }\n", TE_ERR_PARSE,
      "line 1: missing value for key \"a\"" },
    { "garbage_after_string_value", "a = \"x\" y\n", TE_ERR_PARSE,
      "line 1: unexpected 'y' after value (expected end of line)" },
    { "two_values_on_one_line", "a = 1\nb = true false\n", TE_ERR_PARSE,
      "line 2: unexpected 'f' after value (expected end of line)" },
    { "two_keys_on_one_line", "a = 1 b = 2\n", TE_ERR_PARSE,
      "line 1: unexpected 'b' after value (expected end of line)" },
    { "garbage_after_header", "[a] b = 1\n", TE_ERR_PARSE,
      "line 1: unexpected 'b' after table header (expected end of line)" },
    { "bare_word_value", "a = hello\n", TE_ERR_PARSE,
      "line 1: invalid value \"hello\" (strings must be quoted)" },
    { "capitalised_boolean", "a = True\n", TE_ERR_PARSE,
      "line 1: invalid value \"True\" (strings must be quoted)" },
    { "leading_zero", "a = 012\n", TE_ERR_PARSE, "line 1: leading zeros are not allowed (\"012\")" },
    { "leading_zero_in_float", "a = 01.5\n", TE_ERR_PARSE,
      "line 1: leading zeros are not allowed (\"01.5\")" },
    { "double_underscore", "a = 1__2\n", TE_ERR_PARSE, "line 1: invalid number \"1__2\"" },
    { "leading_underscore_is_a_word", "a = _1\n", TE_ERR_PARSE, "line 1: invalid number \"_1\"" },
    { "trailing_underscore", "a = 1_\n", TE_ERR_PARSE, "line 1: invalid number \"1_\"" },
    { "hex_prefix_without_digits", "a = 0x\n", TE_ERR_PARSE, "line 1: invalid number \"0x\"" },
    { "signed_hex", "a = +0x10\n", TE_ERR_PARSE,
      "line 1: a sign is not allowed on hex, octal or binary integers (\"+0x10\")" },
    { "bad_binary_digit", "a = 0b102\n", TE_ERR_PARSE, "line 1: invalid number \"0b102\"" },
    { "bad_octal_digit", "a = 0o8\n", TE_ERR_PARSE, "line 1: invalid number \"0o8\"" },
    { "uppercase_hex_prefix", "a = 0X1\n", TE_ERR_PARSE, "line 1: invalid number \"0X1\"" },
    { "float_without_fraction_digits", "a = 1.\n", TE_ERR_PARSE, "line 1: invalid number \"1.\"" },
    { "float_without_integer_part", "a = .5\n", TE_ERR_PARSE, "line 1: invalid number \".5\"" },
    { "float_with_empty_exponent", "a = 1e\n", TE_ERR_PARSE, "line 1: invalid number \"1e\"" },
    { "float_with_underscore_after_dot", "a = 1._5\n", TE_ERR_PARSE,
      "line 1: invalid number \"1._5\"" },
    { "float_with_two_dots", "a = 1.2.3\n", TE_ERR_PARSE, "line 1: invalid number \"1.2.3\"" },
    { "integer_overflow", "a = 9223372036854775808\n", TE_ERR_PARSE,
      "line 1: integer \"9223372036854775808\" is out of range" },
    { "negative_integer_overflow", "a = -9223372036854775809\n", TE_ERR_PARSE,
      "line 1: integer \"-9223372036854775809\" is out of range" },
    { "hex_integer_overflow", "a = 0x8000000000000000\n", TE_ERR_PARSE,
      "line 1: integer \"0x8000000000000000\" is out of range" },
    { "float_overflow", "a = 1e400\n", TE_ERR_PARSE, "line 1: float \"1e400\" is out of range" },
    { "local_date", "a = 1\nd = 1979-05-27\n", TE_ERR_PARSE,
      "line 2: dates and times are not supported" },
    { "local_time", "t = 07:32:00\n", TE_ERR_PARSE, "line 1: dates and times are not supported" },
    { "offset_date_time_in_array", "t = [\n1979-05-27T07:32:00Z]\n", TE_ERR_PARSE,
      "line 2: dates and times are not supported" },
    { "date_time_with_space", "t = 1979-05-27 07:32:00\n", TE_ERR_PARSE,
      "line 1: dates and times are not supported" },
    { "invalid_utf8_byte", "a = 1\nb = 2\ns = \"\xff\"\n", TE_ERR_PARSE, "line 3: invalid UTF-8" },
    { "overlong_utf8", "s = \"\xc0\xaf\"\n", TE_ERR_PARSE, "line 1: invalid UTF-8" },
    { "utf8_encoded_surrogate", "# \xed\xa0\x80\n", TE_ERR_PARSE, "line 1: invalid UTF-8" },
    { "truncated_utf8_at_end", "a = 1 # \xe2\x82", TE_ERR_PARSE, "line 1: invalid UTF-8" },
    { "control_character_in_comment", "a = 1\n# bell\x07\n", TE_ERR_PARSE,
      "line 2: control character U+0007 in comment" },
    { "lone_carriage_return_after_value", "a = 1\rb = 2\n", TE_ERR_PARSE,
      "line 1: unexpected character U+000D after value (expected end of line)" },
    { "newline_inside_inline_table", "a = { b = 1,\n c = 2 }\n", TE_ERR_PARSE,
      "line 1: unterminated inline table (it must end on the line it starts)" },
    { "trailing_comma_in_inline_table", "a = { b = 1, }\n", TE_ERR_PARSE,
      "line 1: trailing comma in inline table" },
    { "missing_comma_in_inline_table", "a = { b = 1 c = 2 }\n", TE_ERR_PARSE,
      "line 1: expected ',' or '}' in inline table, found 'c'" },
    { "unterminated_array", "a = [\n1,\n2\n", TE_ERR_PARSE, "line 1: unterminated array" },
    { "missing_comma_in_array", "a = [1 2]\n", TE_ERR_PARSE,
      "line 1: expected ',' or ']' in array, found '2'" },
    { "empty_array_element", "a = [1,,2]\n", TE_ERR_PARSE,
      "line 1: expected a value, found ','" },
    { "lone_comma_array", "a = [,]\n", TE_ERR_PARSE, "line 1: expected a value, found ','" },
    { "line_without_key", "= 1\n", TE_ERR_PARSE, "line 1: expected a key, found '='" },
    { "empty_header", "[]\n", TE_ERR_PARSE, "line 1: expected a key, found ']'" },
    { "unclosed_header", "[a\nb = 1\n", TE_ERR_PARSE,
      "line 1: expected ']' to close the header, found end of line" },
    { "half_closed_array_header", "[[a]\n", TE_ERR_PARSE,
      "line 1: expected ']]' to close the header, found ']'" },
    { "dot_without_next_key", "a. = 1\n", TE_ERR_PARSE, "line 1: expected a key, found '='" },
    { "space_inside_bare_key", "a b = 1\n", TE_ERR_PARSE, "line 1: expected '=' after key \"a\"" },
    { "multiline_string_is_not_a_key", "\"\"\"a\"\"\" = 1\n", TE_ERR_PARSE,
      "line 1: expected '=' after key \"\"" },
    { "nul_byte_in_document", "a = 1\n\0", TE_ERR_PARSE,
      "line 2: expected a key, found character U+0000" },
};

static void run_error_case(void **state)
{
    const error_case_t *c = *state;
    te_toml_t *root = (te_toml_t *)&root; /* must be reset to NULL */
    char err[256] = "";
    /* sizeof-based length so the NUL-byte case keeps its NUL */
    size_t len = strlen(c->text);
    if (strcmp(c->name, "nul_byte_in_document") == 0)
        len += 1;
    assert_int_equal(te_toml_parse(c->text, len, &root, err, sizeof err), c->rc);
    assert_null(root);
    assert_string_equal(err, c->message);
}

/* ---- writer output, byte for byte ---- */

typedef struct write_case {
    const char *name;
    const char *text;
    const char *written;
} write_case_t;

static const write_case_t write_cases[] = {
    { "empty_tree_writes_nothing", "# only a comment\n", "" },
    { "top_level_keys_come_before_tables",
      "[c8y]\nurl = \"x\"\n\n[az]\nurl = \"y\"\n", "[c8y]\nurl = \"x\"\n\n[az]\nurl = \"y\"\n" },
    { "tables_with_only_subtables_get_no_header",
      "mqtt.bind.port = 1883\nmqtt.bind.address = \"0.0.0.0\"\nmqtt.client.port = 1884\n",
      "[mqtt.bind]\nport = 1883\naddress = \"0.0.0.0\"\n\n[mqtt.client]\nport = 1884\n" },
    { "scalars_of_a_table_precede_its_subtables",
      "[a]\nx = 1\n[a.b]\ny = 2\n[a.b.c]\nz = 3\n[a.d]\nw = 4\n",
      "[a]\nx = 1\n\n[a.b]\ny = 2\n\n[a.b.c]\nz = 3\n\n[a.d]\nw = 4\n" },
    { "root_scalars_then_blank_line_then_tables",
      "[t]\nk = 1\n", "[t]\nk = 1\n" },
    { "key_order_puts_scalars_first",
      "z = 1\nt.a = 2\ny = \"s\"\n", "z = 1\ny = \"s\"\n\n[t]\na = 2\n" },
    { "values_of_every_type",
      "s = 'lit \"q\" \\ '\ni = -42\nh = 0xff\nf = 1.5\ng = 2e10\nn = -0.0\nb = true\n"
      "a = [ \"a\", \"b\" ]\nm = [1, [2.0, \"x\"], []]\n",
      "s = \"lit \\\"q\\\" \\\\ \"\ni = -42\nh = 255\nf = 1.5\ng = 20000000000.0\nn = -0.0\n"
      "b = true\na = [\"a\", \"b\"]\nm = [1, [2.0, \"x\"], []]\n" },
    { "floats_are_shortest_exact_and_always_look_like_floats",
      "a = 0.1\nb = 1.0\nc = 1e300\nd = 0.3333333333333333\ne = inf\nf = -inf\ng = nan\n"
      "h = 1e-7\ni = 123456789012345678.0\n",
      "a = 0.1\nb = 1.0\nc = 1e+300\nd = 0.3333333333333333\ne = inf\nf = -inf\ng = nan\n"
      "h = 1e-07\ni = 1.2345678901234568e+17\n" },
    { "strings_are_escaped",
      "s = \"tab\\tnl\\ncr\\rbs\\bff\\fq\\\"back\\\\bell\\u0007del\\u007f\\u00e9\"\n",
      "s = \"tab\\tnl\\ncr\\rbs\\bff\\fq\\\"back\\\\bell\\u0007del\\u007F\xC3\xA9\"\n" },
    { "keys_are_quoted_when_not_bare",
      "\"a b\" = 1\n\"\" = 2\n\"x.y\" = 3\nok_-9 = 4\n\"\xC3\xA9\" = 5\n[\"sec tion\".\"q\\\"\"]\nk = 1\n",
      "\"a b\" = 1\n\"\" = 2\n\"x.y\" = 3\nok_-9 = 4\n\"\xC3\xA9\" = 5\n\n[\"sec tion\".\"q\\\"\"]\nk = 1\n" },
    { "inline_tables_in_arrays_stay_inline",
      "files = [\n  { path = \"/var/log/syslog\", type = \"syslog\" },\n  {},\n"
      "  { a = { b = [1] } },\n]\n",
      "files = [{ path = \"/var/log/syslog\", type = \"syslog\" }, {}, { a = { b = [1] } }]\n" },
    { "standalone_inline_table_becomes_a_section",
      "p = { x = 1, y = { z = 2 } }\nq = 3\n", "q = 3\n\n[p]\nx = 1\n\n[p.y]\nz = 2\n" },
    { "empty_tables_keep_their_header",
      "[a]\n[b.c]\n[d]\nx = 1\n[d.e]\n", "[a]\n\n[b.c]\n\n[d]\nx = 1\n\n[d.e]\n" },
    { "arrays_of_tables_as_blocks",
      "name = \"wf\"\n[[steps]]\nid = 1\n[steps.exec]\ncommand = \"a\"\n[[steps]]\n"
      "[[steps]]\nid = 3\n[[steps.sub]]\nk = \"v\"\n",
      "name = \"wf\"\n\n[[steps]]\nid = 1\n\n[steps.exec]\ncommand = \"a\"\n\n[[steps]]\n\n"
      "[[steps]]\nid = 3\n\n[[steps.sub]]\nk = \"v\"\n" },
    { "array_of_tables_below_table_without_scalars",
      "[[a.b]]\nx = 1\n", "[[a.b]]\nx = 1\n" },
};

static void run_write_case(void **state)
{
    const write_case_t *c = *state;
    te_toml_t *root = parse_ok(c->text);
    char *out = write_ok(root);
    assert_string_equal(out, c->written);
    te_toml_t *again = parse_ok(out);
    assert_true(tree_equal(root, again));
    free(out);
    te_toml_free(again);
    te_toml_free(root);
}

/* ---- round trips ---- */

typedef struct round_trip {
    const char *name;
    const char *text;
} round_trip_t;

static const round_trip_t round_trips[] = {
    { "tedge_toml_round_trips",
      "[device]\nkey_path = \"/etc/tedge/device-certs/tedge-private-key.pem\"\n"
      "cert_path = \"/etc/tedge/device-certs/tedge-certificate.pem\"\ntype = \"thin-edge.io\"\n"
      "[c8y]\nurl = \"example.cumulocity.com\"\nsmartrest.templates = [\"a\", \"b\"]\n"
      "[mqtt.bind]\nport = 1883\n[mqtt.client.auth]\nca_file = \"/x\"\n"
      "[software.plugin]\nmax_packages = 1000\n" },
    { "workflow_round_trips",
      "operation = \"firmware_update\"\n[init]\naction = \"proceed\"\n"
      "on_success = \"scheduled\"\n[scheduled]\nscript = \"/usr/bin/check.sh ${.payload.url}\"\n"
      "on_exit.0 = \"executing\"\non_exit.1 = { status = \"failed\", reason = \"bad\" }\n"
      "on_exit._ = \"failed\"\n[[steps]]\nname = \"a\"\n[[steps]]\nname = \"b\"\n"
      "[steps.opts]\ntimeout_second = 3600\n" },
    { "strange_strings_and_keys_round_trip",
      "\"\\u0001\\u001f\\t\\\"\" = \"\\u0001\\u001f\\u007f\\\\\\\"\\r\\n\"\n"
      "\"\xF0\x9F\x98\x80 key\" = '\"\"\"'\nm = \"\"\"\nline1\nline2\\\n  end\"\"\"\n" },
    { "extreme_numbers_round_trip",
      "a = -9223372036854775808\nb = 9223372036854775807\nc = 5e-324\n"
      "d = 1.7976931348623157e308\ne = -0.0\nf = 2.5\ng = 1e21\nh = 123.456e-5\n" },
    { "mixed_nested_arrays_round_trip",
      "a = [[], [[]], [{}], [{ x = [{ y = [] }] }], 1, \"s\", 1.5, false]\n" },
    { "deep_tables_round_trip",
      "[a.b.c.d.e.f]\nx = 1\n[a.b]\ny = 2\n[[a.b.c.g]]\n[[a.b.c.g]]\nz = 3\n" },
};

static void run_round_trip(void **state)
{
    const round_trip_t *c = *state;
    te_toml_t *root = parse_ok(c->text);
    char *first = write_ok(root);
    te_toml_t *again = parse_ok(first);
    if (!tree_equal(root, again)) {
        char *a = dump(root), *b = dump(again);
        fail_msg("trees differ:\n%s\n%s\n--- written ---\n%s", a, b, first);
    }
    char *second = write_ok(again);
    assert_string_equal(first, second);
    free(first);
    free(second);
    te_toml_free(again);
    te_toml_free(root);
}

/* ---- single tests ---- */

static void test_getters_return_defaults_for_other_types(void **state)
{
    (void)state;
    te_toml_t *root = parse_ok("s = \"x\"\ni = 7\nf = 2.5\nb = true\na = [1]\n[t]\nk = 1\n");
    const te_toml_t *s = te_toml_get(root, "s"), *i = te_toml_get(root, "i");
    const te_toml_t *f = te_toml_get(root, "f"), *b = te_toml_get(root, "b");
    const te_toml_t *a = te_toml_get(root, "a"), *t = te_toml_get(root, "t");
    assert_string_equal(te_toml_str(s), "x");
    assert_int_equal(te_toml_int(i), 7);
    assert_true(te_toml_float(f) == 2.5);
    assert_true(te_toml_bool(b));
    assert_null(te_toml_str(i));
    assert_int_equal(te_toml_int(s), 0);
    assert_true(te_toml_float(i) == 0.0);
    assert_false(te_toml_bool(s));
    assert_null(te_toml_get(s, "x"));
    assert_null(te_toml_get(a, "0"));
    assert_int_equal(te_toml_len(s), 0);
    assert_int_equal(te_toml_len(a), 1);
    assert_int_equal(te_toml_len(t), 1);
    assert_null(te_toml_at(a, 1));
    assert_null(te_toml_at(s, 0));
    assert_null(te_toml_key_at(a, 0));
    assert_null(te_toml_key_at(t, 1));
    assert_string_equal(te_toml_key_at(t, 0), "k");
    assert_int_equal(te_toml_int(te_toml_at(t, 0)), 1);
    assert_null(te_toml_get(root, "t.k")); /* te_toml_get does not split on dots */
    assert_int_equal(te_toml_int(te_toml_get_path(root, "t.k")), 1);
    assert_null(te_toml_get_path(root, "t.k.x"));
    assert_null(te_toml_get_path(root, "t..k"));
    assert_null(te_toml_get_path(root, ""));
    assert_null(te_toml_get_path(root, "missing.k"));
    te_toml_free(root);
}

static void test_set_path_creates_tables_and_writes_tedge_toml(void **state)
{
    (void)state;
    te_toml_t *root = te_toml_new_table();
    assert_int_equal(te_toml_set_path(root, "c8y.url", te_toml_new_str("example.c8y.io")), TE_OK);
    assert_int_equal(te_toml_set_path(root, "mqtt.bind.port", te_toml_new_int(1883)), TE_OK);
    assert_int_equal(te_toml_set_path(root, "mqtt.bind.address", te_toml_new_str("127.0.0.1")),
                     TE_OK);
    te_toml_t *list = te_toml_new_array();
    assert_int_equal(te_toml_array_push(list, te_toml_new_str("a")), TE_OK);
    assert_int_equal(te_toml_array_push(list, te_toml_new_str("b")), TE_OK);
    assert_int_equal(te_toml_set_path(root, "c8y.smartrest.templates", list), TE_OK);
    assert_int_equal(te_toml_set_path(root, "run.lock_files", te_toml_new_bool(false)), TE_OK);
    assert_int_equal(te_toml_set_path(root, "sample", te_toml_new_float(0.5)), TE_OK);
    assert_string_equal(te_toml_str(te_toml_get_path(root, "c8y.url")), "example.c8y.io");
    char *out = write_ok(root);
    assert_string_equal(out, "sample = 0.5\n\n"
                             "[c8y]\nurl = \"example.c8y.io\"\n\n"
                             "[c8y.smartrest]\ntemplates = [\"a\", \"b\"]\n\n"
                             "[mqtt.bind]\nport = 1883\naddress = \"127.0.0.1\"\n\n"
                             "[run]\nlock_files = false\n");
    free(out);
    te_toml_free(root);
}

static void test_set_path_replaces_value_in_place(void **state)
{
    (void)state;
    te_toml_t *root = parse_ok("[c8y]\nurl = \"old\"\nport = 1\n");
    assert_int_equal(te_toml_set_path(root, "c8y.url", te_toml_new_str("new")), TE_OK);
    assert_int_equal(te_toml_set_path(root, "c8y", te_toml_new_int(5)) , TE_OK);
    char *tree = dump(root);
    assert_string_equal(tree, "{c8y:5}");
    free(tree);
    te_toml_free(root);
    root = parse_ok("[c8y]\nurl = \"old\"\nport = 1\n");
    assert_int_equal(te_toml_set_path(root, "c8y.url", te_toml_new_str("new")), TE_OK);
    tree = dump(root);
    assert_string_equal(tree, "{c8y:{url:\"new\",port:1}}");
    free(tree);
    te_toml_free(root);
}

static void test_set_path_rejects_bad_paths_and_frees_value(void **state)
{
    (void)state;
    te_toml_t *root = parse_ok("a = 1\n");
    /* under valgrind/ASan, a leak here means the value was not freed */
    assert_int_equal(te_toml_set_path(root, "a.b", te_toml_new_str("x")), TE_ERR_INVAL);
    assert_int_equal(te_toml_set_path(root, "", te_toml_new_str("x")), TE_ERR_INVAL);
    assert_int_equal(te_toml_set_path(root, "x..y", te_toml_new_str("x")), TE_ERR_INVAL);
    assert_int_equal(te_toml_set_path(root, "x.", te_toml_new_str("x")), TE_ERR_INVAL);
    assert_int_equal(te_toml_set_path(root, "x", NULL), TE_ERR_NOMEM);
    te_toml_t *scalar = te_toml_new_int(1);
    assert_int_equal(te_toml_set_path(scalar, "x", te_toml_new_int(2)), TE_ERR_INVAL);
    te_toml_free(scalar);
    assert_int_equal(te_toml_array_push(root, te_toml_new_int(2)), TE_ERR_INVAL);
    assert_int_equal(te_toml_len(root), 1);
    char *tree = dump(root);
    assert_string_equal(tree, "{a:1}"); /* nothing created by the failed calls */
    free(tree);
    te_toml_free(root);
}

static void test_remove_path_removes_emptied_tables(void **state)
{
    (void)state;
    te_toml_t *root = parse_ok("[c8y]\nurl = \"u\"\n[mqtt.bind]\nport = 1\n[mqtt.client]\n"
                               "host = \"h\"\n[keep]\n");
    assert_int_equal(te_toml_remove_path(root, "mqtt.bind.port"), TE_OK);
    char *tree = dump(root);
    assert_string_equal(tree, "{c8y:{url:\"u\"},mqtt:{client:{host:\"h\"}},keep:{}}");
    free(tree);
    assert_int_equal(te_toml_remove_path(root, "mqtt.client.host"), TE_OK);
    tree = dump(root);
    assert_string_equal(tree, "{c8y:{url:\"u\"},keep:{}}");
    free(tree);
    /* absent keys: nothing changes, not even the already-empty [keep] */
    assert_int_equal(te_toml_remove_path(root, "keep.x"), TE_OK);
    assert_int_equal(te_toml_remove_path(root, "c8y.url.deeper"), TE_OK);
    assert_int_equal(te_toml_remove_path(root, "nope"), TE_OK);
    assert_int_equal(te_toml_remove_path(root, ""), TE_OK);
    tree = dump(root);
    assert_string_equal(tree, "{c8y:{url:\"u\"},keep:{}}");
    free(tree);
    assert_int_equal(te_toml_remove_path(root, "c8y"), TE_OK);
    tree = dump(root);
    assert_string_equal(tree, "{keep:{}}");
    free(tree);
    te_toml_free(root);
}

static void test_remove_path_keeps_root_and_written_file_shrinks(void **state)
{
    (void)state;
    te_toml_t *root = parse_ok("[c8y]\nurl = \"u\"\n[az]\nurl = \"v\"\n");
    assert_int_equal(te_toml_remove_path(root, "c8y.url"), TE_OK);
    char *out = write_ok(root);
    assert_string_equal(out, "[az]\nurl = \"v\"\n");
    free(out);
    assert_int_equal(te_toml_remove_path(root, "az.url"), TE_OK);
    assert_int_equal(te_toml_type(root), TE_TOML_TABLE);
    assert_int_equal(te_toml_len(root), 0);
    out = write_ok(root);
    assert_string_equal(out, "");
    free(out);
    te_toml_free(root);
}

static void test_big_table_finds_keys_and_duplicates(void **state)
{
    (void)state;
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    for (int i = 0; i < 2000; i++)
        fprintf(f, "k%d = %d\n", i, i);
    fprintf(f, "k1234 = 0\n");
    fclose(f);
    te_toml_t *root = NULL;
    char err[128];
    assert_int_equal(te_toml_parse(text, len, &root, err, sizeof err), TE_ERR_PARSE);
    assert_string_equal(err, "line 2001: duplicate key \"k1234\"");
    /* without the duplicate it parses, and every key is found */
    text[len - strlen("k1234 = 0\n")] = '\0';
    root = parse_ok(text);
    char key[16];
    for (int i = 0; i < 2000; i++) {
        snprintf(key, sizeof key, "k%d", i);
        assert_int_equal(te_toml_int(te_toml_get(root, key)), i);
    }
    /* removal keeps lookups right (the index is rebuilt) */
    for (int i = 0; i < 2000; i += 2) {
        snprintf(key, sizeof key, "k%d", i);
        assert_int_equal(te_toml_remove_path(root, key), TE_OK);
    }
    assert_int_equal(te_toml_len(root), 1000);
    for (int i = 0; i < 2000; i++) {
        snprintf(key, sizeof key, "k%d", i);
        const te_toml_t *v = te_toml_get(root, key);
        if (i % 2)
            assert_int_equal(te_toml_int(v), i);
        else
            assert_null(v);
    }
    assert_int_equal(te_toml_set_path(root, "k0", te_toml_new_int(-1)), TE_OK);
    assert_int_equal(te_toml_int(te_toml_get(root, "k0")), -1);
    assert_string_equal(te_toml_key_at(root, 1000), "k0");
    te_toml_free(root);
    free(text);
}

static char *repeat(const char *unit, size_t times, const char *prefix, const char *suffix)
{
    size_t n = strlen(unit) * times + strlen(prefix) + strlen(suffix) + 1;
    char *s = malloc(n);
    assert_non_null(s);
    strcpy(s, prefix);
    for (size_t i = 0; i < times; i++)
        strcat(s, unit);
    strcat(s, suffix);
    return s;
}

static void test_nesting_is_limited_to_64_levels(void **state)
{
    (void)state;
    te_toml_t *root = NULL;
    char err[128];
    /* 64 levels of arrays under the root: accepted */
    char *open = repeat("[", 64, "a = ", "");
    char *text = repeat("]", 64, open, "\n");
    free(open);
    root = parse_ok(text);
    te_toml_free(root);
    free(text);
    open = repeat("[", 65, "a = ", "");
    text = repeat("]", 65, open, "\n");
    free(open);
    assert_int_equal(te_toml_parse(text, strlen(text), &root, err, sizeof err), TE_ERR_PARSE);
    assert_string_equal(err, "line 1: nesting is deeper than 64 levels");
    free(text);
    /* inline tables count too */
    open = repeat("{ a = ", 65, "a = ", "1");
    text = repeat(" }", 65, open, "\n");
    free(open);
    assert_int_equal(te_toml_parse(text, strlen(text), &root, err, sizeof err), TE_ERR_PARSE);
    assert_string_equal(err, "line 1: nesting is deeper than 64 levels");
    free(text);
    /* headers: 64 parts fine, a table 65 deep not */
    text = repeat(".a", 63, "[a", "]\nx = 1\n");
    root = parse_ok(text);
    te_toml_free(root);
    free(text);
    text = repeat(".a", 63, "[[a", "]]\nx = 1\n");
    assert_int_equal(te_toml_parse(text, strlen(text), &root, err, sizeof err), TE_ERR_PARSE);
    assert_string_equal(err, "line 1: nesting is deeper than 64 levels");
    free(text);
    text = repeat(".a", 64, "a", " = 1\n");
    assert_int_equal(te_toml_parse(text, strlen(text), &root, err, sizeof err), TE_ERR_PARSE);
    assert_string_equal(err, "line 1: key has more than 64 dotted parts");
    free(text);
    text = repeat(".a", 60, "[t.t.t.t.t]\na", " = 1\n");
    assert_int_equal(te_toml_parse(text, strlen(text), &root, err, sizeof err), TE_ERR_PARSE);
    assert_string_equal(err, "line 2: nesting is deeper than 64 levels");
    free(text);
}

static void test_size_limit_is_four_mebibytes(void **state)
{
    (void)state;
    char *text = malloc(TE_TOML_MAX_BYTES + 1);
    assert_non_null(text);
    text[0] = '#';
    memset(text + 1, 'x', TE_TOML_MAX_BYTES);
    te_toml_t *root = NULL;
    char err[128];
    assert_int_equal(te_toml_parse(text, TE_TOML_MAX_BYTES + 1, &root, err, sizeof err),
                     TE_ERR_TOOBIG);
    assert_null(root);
    assert_string_equal(err, "document is larger than 4194304 bytes");
    assert_int_equal(te_toml_parse(text, TE_TOML_MAX_BYTES, &root, err, sizeof err), TE_OK);
    assert_int_equal(te_toml_len(root), 0);
    te_toml_free(root);
    free(text);
}

static void test_parse_without_error_buffer(void **state)
{
    (void)state;
    te_toml_t *root = NULL;
    assert_int_equal(te_toml_parse("a = ", 4, &root, NULL, 0), TE_ERR_PARSE);
    assert_null(root);
    char tiny[8];
    assert_int_equal(te_toml_parse("a = ", 4, &root, tiny, sizeof tiny), TE_ERR_PARSE);
    assert_string_equal(tiny, "line 1:");
    assert_int_equal(te_toml_parse("a = 1", 3, &root, NULL, 0), TE_ERR_PARSE); /* len counts */
    assert_int_equal(te_toml_parse(NULL, 0, &root, NULL, 0), TE_OK);
    assert_int_equal(te_toml_len(root), 0);
    te_toml_free(root);
}

static void test_writer_replaces_invalid_utf8_from_the_api(void **state)
{
    (void)state;
    te_toml_t *root = te_toml_new_table();
    assert_int_equal(te_toml_set_path(root, "s", te_toml_new_str("a\xff" "b\xc3")), TE_OK);
    char *out = write_ok(root);
    assert_string_equal(out, "s = \"a\xEF\xBF\xBD" "b\xEF\xBF\xBD\"\n");
    te_toml_t *again = parse_ok(out);
    assert_string_equal(te_toml_str(te_toml_get(again, "s")), "a\xEF\xBF\xBD" "b\xEF\xBF\xBD");
    te_toml_free(again);
    free(out);
    te_toml_free(root);
}

static void test_writer_puts_api_built_table_arrays_inline(void **state)
{
    (void)state;
    te_toml_t *root = te_toml_new_table();
    te_toml_t *files = te_toml_new_array();
    te_toml_t *entry = te_toml_new_table();
    assert_int_equal(te_toml_set_path(entry, "path", te_toml_new_str("/var/log/syslog")), TE_OK);
    assert_int_equal(te_toml_set_path(entry, "type", te_toml_new_str("syslog")), TE_OK);
    assert_int_equal(te_toml_array_push(files, entry), TE_OK);
    assert_int_equal(te_toml_set_path(root, "files", files), TE_OK);
    char *out = write_ok(root);
    assert_string_equal(out, "files = [{ path = \"/var/log/syslog\", type = \"syslog\" }]\n");
    free(out);
    te_toml_free(root);
    te_toml_free(NULL);
}

static void test_parse_file_missing_names_path(void **state)
{
    (void)state;
    te_toml_t *root = (te_toml_t *)&root;
    char err[256];
    assert_int_equal(te_toml_parse_file("/nonexistent-dir/tedge.toml", &root, err, sizeof err),
                     TE_ERR_NOTFOUND);
    assert_null(root);
    assert_string_equal(err, "/nonexistent-dir/tedge.toml: No such file or directory");
}

static void test_parse_file_on_directory_or_long_name_says_why(void **state)
{
    (void)state;
    te_toml_t *root = NULL;
    char err[512];
    assert_int_equal(te_toml_parse_file("/", &root, err, sizeof err), TE_ERR_IO);
    assert_null(root);
    assert_string_equal(err, "/: Is a directory");
    char *name = repeat("x", 300, "/tmp/", "");
    assert_int_equal(te_toml_parse_file(name, &root, err, sizeof err), TE_ERR_TOOBIG);
    assert_non_null(strstr(err, ": File name too long"));
    free(name);
}

static void test_parse_file_too_big_file(void **state)
{
    (void)state;
    char path[] = "/tmp/test_toml_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(ftruncate(fd, TE_TOML_MAX_BYTES + 1), 0);
    close(fd);
    te_toml_t *root = NULL;
    char err[256];
    assert_int_equal(te_toml_parse_file(path, &root, err, sizeof err), TE_ERR_TOOBIG);
    char expected[300];
    snprintf(expected, sizeof expected, "%s: file is larger than 4194304 bytes", path);
    assert_string_equal(err, expected);
    unlink(path);
}

static void test_parse_file_reads_and_prefixes_errors(void **state)
{
    (void)state;
    char path[] = "/tmp/test_toml_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    const char *good = "[c8y]\nurl = \"x\"\n";
    assert_int_equal(write(fd, good, strlen(good)), (ssize_t)strlen(good));
    te_toml_t *root = NULL;
    char err[256] = "";
    assert_int_equal(te_toml_parse_file(path, &root, err, sizeof err), TE_OK);
    assert_string_equal(te_toml_str(te_toml_get_path(root, "c8y.url")), "x");
    te_toml_free(root);
    const char *bad = "port 1\n";
    assert_int_equal(write(fd, bad, strlen(bad)), (ssize_t)strlen(bad));
    close(fd);
    assert_int_equal(te_toml_parse_file(path, &root, err, sizeof err), TE_ERR_PARSE);
    assert_null(root);
    char expected[300];
    snprintf(expected, sizeof expected, "%s: line 3: expected '=' after key \"port\"", path);
    assert_string_equal(err, expected);
    unlink(path);
}

/* ---- main: one named test per table row ---- */

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

int main(void)
{
    static const struct CMUnitTest singles[] = {
        cmocka_unit_test(test_getters_return_defaults_for_other_types),
        cmocka_unit_test(test_set_path_creates_tables_and_writes_tedge_toml),
        cmocka_unit_test(test_set_path_replaces_value_in_place),
        cmocka_unit_test(test_set_path_rejects_bad_paths_and_frees_value),
        cmocka_unit_test(test_remove_path_removes_emptied_tables),
        cmocka_unit_test(test_remove_path_keeps_root_and_written_file_shrinks),
        cmocka_unit_test(test_big_table_finds_keys_and_duplicates),
        cmocka_unit_test(test_nesting_is_limited_to_64_levels),
        cmocka_unit_test(test_size_limit_is_four_mebibytes),
        cmocka_unit_test(test_parse_without_error_buffer),
        cmocka_unit_test(test_writer_replaces_invalid_utf8_from_the_api),
        cmocka_unit_test(test_writer_puts_api_built_table_arrays_inline),
        cmocka_unit_test(test_parse_file_missing_names_path),
        cmocka_unit_test(test_parse_file_on_directory_or_long_name_says_why),
        cmocka_unit_test(test_parse_file_too_big_file),
        cmocka_unit_test(test_parse_file_reads_and_prefixes_errors),
    };
    size_t total = COUNT(singles) + COUNT(valid_cases) + COUNT(error_cases) +
                   COUNT(write_cases) + COUNT(round_trips);
    struct CMUnitTest *tests = calloc(total, sizeof(*tests));
    char (*names)[96] = calloc(total, sizeof(*names));
    if (!tests || !names)
        return 1;
    size_t n = 0;
#define ADD_ROWS(rows, prefix, fn)                                                   \
    for (size_t i = 0; i < COUNT(rows); i++, n++) {                                   \
        snprintf(names[n], sizeof names[n], "%s%s", prefix, rows[i].name);           \
        tests[n] = (struct CMUnitTest){ names[n], fn, NULL, NULL, (void *)&rows[i] }; \
    }
    ADD_ROWS(valid_cases, "parses_", run_valid_case)
    ADD_ROWS(error_cases, "rejects_", run_error_case)
    ADD_ROWS(write_cases, "writes_", run_write_case)
    ADD_ROWS(round_trips, "", run_round_trip)
    for (size_t i = 0; i < COUNT(singles); i++)
        tests[n++] = singles[i];
    int failed = _cmocka_run_group_tests("toml", tests, n, NULL, NULL);
    free(tests);
    free(names);
    return failed;
}
