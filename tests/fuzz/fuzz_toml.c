/* libFuzzer harness for the toml module: every input that parses must write
 * out as text that parses again to an equal tree and writes back to the same
 * text; anything else aborts. Seeds: tests/fuzz/seeds/toml/. */
#include <math.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tedge/toml.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Equal as trees; table members may come in another order (the writer puts
 * keys before sub-tables). */
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

static void die(const char *what, const char *text, const char *err)
{
    fprintf(stderr, "fuzz_toml: %s\n--- text ---\n%s\n--- error ---\n%s\n", what,
            text ? text : "", err ? err : "");
    abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char err[256];
    te_toml_t *root = NULL;
    te_err_t rc = te_toml_parse((const char *)data, size, &root, err, sizeof err);
    if (rc != TE_OK) {
        if (root || err[0] == '\0')
            die("failed parse left a tree or no message", NULL, err);
        if (rc == TE_ERR_PARSE && strncmp(err, "line ", 5) != 0)
            die("parse error without a line number", NULL, err);
        return 0;
    }
    char *first = NULL, *second = NULL;
    size_t first_len = 0, second_len = 0;
    if (te_toml_write(root, &first, &first_len) != TE_OK)
        die("write failed", NULL, NULL);
    if (strlen(first) != first_len)
        die("write length is wrong", first, NULL);
    te_toml_t *again = NULL;
    if (te_toml_parse(first, first_len, &again, err, sizeof err) != TE_OK)
        die("written text does not parse", first, err);
    if (!tree_equal(root, again))
        die("written text parses to another tree", first, NULL);
    if (te_toml_write(again, &second, &second_len) != TE_OK)
        die("second write failed", first, NULL);
    if (second_len != first_len || memcmp(first, second, first_len) != 0)
        die("second write differs", first, second);
    free(first);
    free(second);
    te_toml_free(again);
    te_toml_free(root);
    return 0;
}
