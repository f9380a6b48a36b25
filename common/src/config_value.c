/* config_value: the value types of tedge config keys: parsing what users
 * type (with thin-edge.io's error texts, which scripts and users see through
 * `tedge config set`), checking what tedge.toml holds, and printing values
 * the way `tedge config get` does. */
#include <arpa/inet.h>
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config_internal.h"

#define PAYLOAD_LIMIT_MAX 268435455u

void te_config_errf(char *err, size_t errlen, const char *fmt, ...)
{
    if (!err || errlen == 0)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

/* --- lists and topics --- */

static bool is_ws(char c) { return c == ' ' || (c >= '\t' && c <= '\r'); }

static te_err_t check_list(const te_config_keydef_t *kd, const te_toml_t *array, char *err, size_t errlen)
{
    if (kd->check != TE_CFG_CHECK_TOPIC_FILTERS)
        return TE_OK;
    for (size_t i = 0; i < te_toml_len(array); i++) {
        const char *item = te_toml_str(te_toml_at(array, i));
        if (!te_config_valid_topic_filter(item)) {
            te_config_errf(err, errlen, "Invalid topic filter: \"%s\"", item);
            return TE_ERR_CONFIG;
        }
    }
    return TE_OK;
}

/* Comma-separated items, each trimmed, empty ones dropped. */
static te_err_t split_list(const char *text, te_toml_t **out)
{
    te_toml_t *array = te_toml_new_array();
    if (!array)
        return TE_ERR_NOMEM;
    const char *p = text;
    for (;;) {
        const char *end = strchr(p, ',');
        size_t n = end ? (size_t)(end - p) : strlen(p);
        const char *s = p;
        while (n > 0 && is_ws(*s)) {
            s++;
            n--;
        }
        while (n > 0 && is_ws(s[n - 1]))
            n--;
        if (n > 0) {
            char *item = strndup(s, n);
            te_toml_t *node = item ? te_toml_new_str(item) : NULL;
            free(item);
            if (!node || te_toml_array_push(array, node) != TE_OK) {
                te_toml_free(array);
                return TE_ERR_NOMEM;
            }
        }
        if (!end)
            break;
        p = end + 1;
    }
    *out = array;
    return TE_OK;
}

/* --- parsing --- */

static te_err_t new_str(const char *s, te_toml_t **out)
{
    *out = te_toml_new_str(s);
    return *out ? TE_OK : TE_ERR_NOMEM;
}

static te_err_t new_int(int64_t v, te_toml_t **out)
{
    *out = te_toml_new_int(v);
    return *out ? TE_OK : TE_ERR_NOMEM;
}

static te_err_t parse_choice(const te_config_keydef_t *kd, const char *text, bool any_case,
                             te_toml_t **out, char *err, size_t errlen)
{
    static const char *const autoflag[] = {"true", "false", "auto", NULL};
    static const char *const timefmt[] = {"rfc-3339", "rfc3339", "unix", NULL};
    const char *const *choices = kd->choices;
    const char *message = kd->choice_error;
    if (kd->pub.type == TE_CFG_AUTOFLAG) {
        choices = autoflag;
        message = "Failed to parse flag: %s. Supported values are: true, false, auto";
    } else if (kd->pub.type == TE_CFG_TIMEFMT) {
        choices = timefmt;
        message = "Failed to parse flag: %s. Supported values are: 'rfc-3339' or 'unix'";
    }
    for (size_t i = 0; choices && choices[i]; i++) {
        if (strcmp(text, choices[i]) == 0 || (any_case && strcasecmp(text, choices[i]) == 0))
            return new_str(strcmp(choices[i], "rfc3339") == 0 ? "rfc-3339" : choices[i], out);
    }
    /* serde's spelling of thin-edge.io's enums in files: KeepOld, OnFailure ... */
    if (any_case) {
        char folded[64];
        size_t n = 0;
        for (const char *p = text; *p && n + 1 < sizeof folded; p++)
            if (*p != '-' && *p != '_')
                folded[n++] = (char)tolower((unsigned char)*p);
        folded[n] = '\0';
        for (size_t i = 0; choices && choices[i]; i++) {
            char c[64];
            size_t m = 0;
            for (const char *p = choices[i]; *p && m + 1 < sizeof c; p++)
                if (*p != '-')
                    c[m++] = *p;
            c[m] = '\0';
            if (strcmp(folded, c) == 0)
                return new_str(strcmp(choices[i], "rfc3339") == 0 ? "rfc-3339" : choices[i], out);
        }
    }
    te_config_errf(err, errlen, message ? message : "Failed to parse flag: %s", text);
    return TE_ERR_CONFIG;
}

/* Parses one scalar text for kd. file_value: from tedge.toml (paths kept as
 * written, words in any case). */
static te_err_t parse_scalar(const te_config_keydef_t *kd, const char *text, bool file_value,
                             te_toml_t **out, char *err, size_t errlen)
{
    uint64_t n = 0;
    int status;
    switch (kd->pub.type) {
    case TE_CFG_PATH: {
        if (file_value)
            return new_str(text, out);
        char *abs = te_config_abs_path(text);
        if (!abs) {
            te_config_errf(err, errlen, "Cannot be converted to an absolute path: %s", text);
            return TE_ERR_CONFIG;
        }
        te_err_t rc = new_str(abs, out);
        free(abs);
        return rc;
    }
    case TE_CFG_PORT:
        status = te_config_parse_uint(text, 65535, &n);
        if (status == TE_CONFIG_INT_OK && n == 0) {
            te_config_errf(err, errlen, "number would be zero for non-zero type");
            return TE_ERR_CONFIG;
        }
        if (status != TE_CONFIG_INT_OK) {
            te_config_errf(err, errlen, "%s", te_config_uint_reason(status));
            return TE_ERR_CONFIG;
        }
        return new_int((int64_t)n, out);
    case TE_CFG_UINT:
        status = te_config_parse_uint(text, UINT32_MAX, &n);
        if (kd->check == TE_CFG_CHECK_PAYLOAD_LIMIT) {
            if (status != TE_CONFIG_INT_OK) {
                te_config_errf(err, errlen, "Invalid MQTT payload size limit: %s. Provide a value between "
                               "0 and 268435455 bytes", text);
                return TE_ERR_CONFIG;
            }
            if (n == 0 || n > PAYLOAD_LIMIT_MAX) {
                te_config_errf(err, errlen, "Invalid MQTT payload size limit: %llu. Provide a value between "
                               "0 and 268435455 bytes", (unsigned long long)n);
                return TE_ERR_CONFIG;
            }
        } else if (status != TE_CONFIG_INT_OK) {
            te_config_errf(err, errlen, "%s", te_config_uint_reason(status));
            return TE_ERR_CONFIG;
        }
        return new_int((int64_t)n, out);
    case TE_CFG_BOOL:
        if (strcmp(text, "true") != 0 && strcmp(text, "false") != 0) {
            te_config_errf(err, errlen, "provided string was not `true` or `false`");
            return TE_ERR_CONFIG;
        }
        *out = te_toml_new_bool(text[0] == 't');
        return *out ? TE_OK : TE_ERR_NOMEM;
    case TE_CFG_IP: {
        unsigned char addr[sizeof(struct in6_addr)];
        char buf[INET6_ADDRSTRLEN];
        int family = AF_INET;
        if (inet_pton(AF_INET, text, addr) != 1) {
            family = AF_INET6;
            if (inet_pton(AF_INET6, text, addr) != 1) {
                te_config_errf(err, errlen, "invalid IP address syntax");
                return TE_ERR_CONFIG;
            }
        }
        inet_ntop(family, addr, buf, sizeof buf);
        return new_str(buf, out);
    }
    case TE_CFG_DURATION: {
        status = te_config_parse_uint(text, UINT64_MAX, &n);
        if (status == TE_CONFIG_INT_OK) {
            char buf[24];
            snprintf(buf, sizeof buf, "%llu", (unsigned long long)n);
            return new_str(buf, out);
        }
        if (!te_config_parse_duration(text, &n, err, errlen))
            return TE_ERR_CONFIG;
        return new_str(text, out);
    }
    case TE_CFG_URL: {
        if (te_config_parse_host(text, strlen(text), NULL)) {
            te_config_errf(err, errlen,
                           "Could not parse provided URL: '%s' as a valid domain name.\n"
                           "         Provided URL should contain only domain, eg: 'subdomain.cumulocity.com'.",
                           text);
            return TE_ERR_CONFIG;
        }
        return new_str(text, out);
    }
    case TE_CFG_HOSTPORT:
        if (!te_config_parse_hostport(text, kd->default_port, NULL, err, errlen))
            return TE_ERR_CONFIG;
        return new_str(text, out);
    case TE_CFG_AUTOFLAG:
    case TE_CFG_TIMEFMT:
    case TE_CFG_ENUM:
        return parse_choice(kd, text, file_value, out, err, errlen);
    case TE_CFG_LIST:
    case TE_CFG_STRING:
    default:
        break;
    }
    if (kd->check == TE_CFG_CHECK_TOPIC_PREFIX) {
        /* thin-edge.io's error wraps an error with the same text: two causes. */
        const char *reason = NULL;
        if (!*text)
            reason = "Topic prefix must not be empty";
        else if (strchr(text, '#'))
            reason = "Topic prefix cannot contain '#'";
        else if (strchr(text, '+'))
            reason = "Topic prefix cannot contain '+'";
        else if (strcmp(text, "c8y-internal") == 0)
            reason = "Topic prefix cannot be c8y-internal";
        if (reason) {
            te_config_errf(err, errlen, "%s\n%s", reason, reason);
            return TE_ERR_CONFIG;
        }
    }
    return new_str(text, out);
}

te_err_t te_config_value_parse_text(const te_config_keydef_t *kd, const char *text,
                                    te_toml_t **out, char *err, size_t errlen)
{
    if (err && errlen)
        err[0] = '\0';
    *out = NULL;
    if (kd->pub.type != TE_CFG_LIST)
        return parse_scalar(kd, text, false, out, err, errlen);
    te_err_t rc = split_list(text, out);
    if (rc == TE_OK && (rc = check_list(kd, *out, err, errlen)) != TE_OK) {
        te_toml_free(*out);
        *out = NULL;
    }
    return rc;
}

static const char *toml_type_name(te_toml_type_t type)
{
    switch (type) {
    case TE_TOML_STRING: return "string";
    case TE_TOML_INT: return "integer";
    case TE_TOML_FLOAT: return "float";
    case TE_TOML_BOOL: return "boolean";
    case TE_TOML_ARRAY: return "array";
    default: return "table";
    }
}

/* The text of a scalar node (malloc'd), or NULL for arrays and tables. */
static char *scalar_text(const te_toml_t *node)
{
    char buf[64];
    switch (te_toml_type(node)) {
    case TE_TOML_STRING: return strdup(te_toml_str(node));
    case TE_TOML_INT: snprintf(buf, sizeof buf, "%lld", (long long)te_toml_int(node)); break;
    case TE_TOML_FLOAT: snprintf(buf, sizeof buf, "%g", te_toml_float(node)); break;
    case TE_TOML_BOOL: snprintf(buf, sizeof buf, "%s", te_toml_bool(node) ? "true" : "false"); break;
    default: return NULL;
    }
    return strdup(buf);
}

te_err_t te_config_value_parse_node(const te_config_keydef_t *kd, const te_toml_t *in,
                                    te_toml_t **out, char *err, size_t errlen)
{
    if (err && errlen)
        err[0] = '\0';
    *out = NULL;
    te_toml_type_t type = te_toml_type(in);
    if (kd->pub.type == TE_CFG_LIST && type == TE_TOML_ARRAY) {
        te_toml_t *array = te_toml_new_array();
        if (!array)
            return TE_ERR_NOMEM;
        for (size_t i = 0; i < te_toml_len(in); i++) {
            const te_toml_t *item = te_toml_at(in, i);
            if (te_toml_type(item) != TE_TOML_STRING) {
                te_config_errf(err, errlen, "invalid type: found %s, expected a string",
                               toml_type_name(te_toml_type(item)));
                te_toml_free(array);
                return TE_ERR_CONFIG;
            }
            te_toml_t *copy = te_toml_new_str(te_toml_str(item));
            if (!copy || te_toml_array_push(array, copy) != TE_OK) {
                te_toml_free(array);
                return TE_ERR_NOMEM;
            }
        }
        te_err_t rc = check_list(kd, array, err, errlen);
        if (rc != TE_OK)
            te_toml_free(array);
        else
            *out = array;
        return rc;
    }
    if (type == TE_TOML_ARRAY || type == TE_TOML_TABLE) {
        te_config_errf(err, errlen, "invalid type: found %s, expected a %s", toml_type_name(type),
                       kd->pub.type == TE_CFG_LIST ? "list" : "single value");
        return TE_ERR_CONFIG;
    }
    char *text = scalar_text(in);
    if (!text)
        return TE_ERR_NOMEM;
    te_err_t rc;
    if (kd->pub.type == TE_CFG_LIST) {
        rc = split_list(text, out);
        if (rc == TE_OK && (rc = check_list(kd, *out, err, errlen)) != TE_OK) {
            te_toml_free(*out);
            *out = NULL;
        }
    } else {
        rc = parse_scalar(kd, text, true, out, err, errlen);
    }
    free(text);
    return rc;
}

/* --- printing --- */

/* A string as Rust's {:?} prints it. */
static void put_debug_str(FILE *f, const char *s)
{
    fputc('"', f);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        switch (*p) {
        case '"': fputs("\\\"", f); break;
        case '\\': fputs("\\\\", f); break;
        case '\n': fputs("\\n", f); break;
        case '\r': fputs("\\r", f); break;
        case '\t': fputs("\\t", f); break;
        case '\0': fputs("\\0", f); break;
        default:
            if (*p < 0x20 || *p == 0x7f)
                fprintf(f, "\\u{%x}", *p);
            else
                fputc(*p, f);
        }
    }
    fputc('"', f);
}

te_err_t te_config_value_format(const te_config_keydef_t *kd, const te_toml_t *node, char **out)
{
    *out = NULL;
    if (te_toml_type(node) == TE_TOML_ARRAY) {
        char *buf = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&buf, &len);
        if (!f)
            return TE_ERR_NOMEM;
        fputc('[', f);
        for (size_t i = 0; i < te_toml_len(node); i++) {
            if (i)
                fputs(", ", f);
            const te_toml_t *item = te_toml_at(node, i);
            put_debug_str(f, te_toml_type(item) == TE_TOML_STRING ? te_toml_str(item) : "");
        }
        fputc(']', f);
        if (fclose(f) != 0 || !buf) {
            free(buf);
            return TE_ERR_NOMEM;
        }
        *out = buf;
        return TE_OK;
    }
    if (kd->pub.type == TE_CFG_HOSTPORT && te_toml_type(node) == TE_TOML_STRING) {
        char err[256];
        if (te_config_parse_hostport(te_toml_str(node), kd->default_port, out, err, sizeof err))
            return TE_OK;
    }
    *out = scalar_text(node);
    return *out ? TE_OK : TE_ERR_NOMEM;
}

te_toml_t *te_config_node_clone(const te_toml_t *node)
{
    switch (te_toml_type(node)) {
    case TE_TOML_STRING: return te_toml_new_str(te_toml_str(node));
    case TE_TOML_INT: return te_toml_new_int(te_toml_int(node));
    case TE_TOML_FLOAT: return te_toml_new_float(te_toml_float(node));
    case TE_TOML_BOOL: return te_toml_new_bool(te_toml_bool(node));
    case TE_TOML_ARRAY: {
        te_toml_t *copy = te_toml_new_array();
        for (size_t i = 0; copy && i < te_toml_len(node); i++) {
            te_toml_t *item = te_config_node_clone(te_toml_at(node, i));
            if (!item || te_toml_array_push(copy, item) != TE_OK) {
                te_toml_free(copy);
                return NULL;
            }
        }
        return copy;
    }
    default:
        return NULL;
    }
}

te_err_t te_config_duration_seconds(const te_toml_t *node, int64_t *seconds)
{
    uint64_t n = 0;
    if (te_toml_type(node) == TE_TOML_INT) {
        *seconds = te_toml_int(node);
        return TE_OK;
    }
    const char *text = te_toml_str(node);
    if (!text)
        return TE_ERR_INVAL;
    if (te_config_parse_uint(text, UINT64_MAX, &n) != TE_CONFIG_INT_OK && !te_config_parse_duration(text, &n, NULL, 0))
        return TE_ERR_PARSE;
    *seconds = n > INT64_MAX ? INT64_MAX : (int64_t)n;
    return TE_OK;
}
