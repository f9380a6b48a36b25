/* config_syntax: the text syntaxes of config values, parsed the way
 * thin-edge.io parses them and failing with the same reasons (Rust's integer
 * parser, humantime durations, the url crate's hosts, HostPort), plus MQTT
 * topic filters and lexical path normalisation. */
#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config_internal.h"
#include "tedge/text.h"

/* --- integers, as Rust's str::parse for unsigned types --- */

int te_config_parse_uint(const char *s, uint64_t max, uint64_t *out)
{
    size_t len = strlen(s);
    if (len == 0)
        return TE_CONFIG_INT_EMPTY;
    if (len == 1 && (s[0] == '+' || s[0] == '-'))
        return TE_CONFIG_INT_INVALID;
    const char *p = s[0] == '+' ? s + 1 : s;
    uint64_t v = 0;
    for (; *p; p++) {
        if (*p < '0' || *p > '9')
            return TE_CONFIG_INT_INVALID;
        unsigned d = (unsigned)(*p - '0');
        if (v > (max - d) / 10)
            return TE_CONFIG_INT_OVERFLOW;
        v = v * 10 + d;
    }
    *out = v;
    return TE_CONFIG_INT_OK;
}

const char *te_config_uint_reason(int status)
{
    switch (status) {
    case TE_CONFIG_INT_EMPTY: return "cannot parse integer from empty string";
    case TE_CONFIG_INT_INVALID: return "invalid digit found in string";
    default: return "number too large to fit in target type";
    }
}

/* --- durations, as humantime::parse_duration --- */

static bool is_ws(char c) { return c == ' ' || (c >= '\t' && c <= '\r'); }
static bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

static const struct {
    const char *name;
    uint64_t seconds; /* 0: sub-second unit */
    uint64_t nanos;
} duration_units[] = {
    {"nanos", 0, 1}, {"nsec", 0, 1}, {"ns", 0, 1},
    {"usec", 0, 1000}, {"us", 0, 1000},
    {"millis", 0, 1000000}, {"msec", 0, 1000000}, {"ms", 0, 1000000},
    {"seconds", 1, 0}, {"second", 1, 0}, {"secs", 1, 0}, {"sec", 1, 0}, {"s", 1, 0},
    {"minutes", 60, 0}, {"minute", 60, 0}, {"min", 60, 0}, {"mins", 60, 0}, {"m", 60, 0},
    {"hours", 3600, 0}, {"hour", 3600, 0}, {"hr", 3600, 0}, {"hrs", 3600, 0}, {"h", 3600, 0},
    {"days", 86400, 0}, {"day", 86400, 0}, {"d", 86400, 0},
    {"weeks", 604800, 0}, {"week", 604800, 0}, {"w", 604800, 0},
    {"months", 2630016, 0}, {"month", 2630016, 0}, {"M", 2630016, 0},
    {"years", 31557600, 0}, {"year", 31557600, 0}, {"y", 31557600, 0},
};

typedef struct duration_parser {
    const char *src;
    size_t pos;
    uint64_t secs, nanos;
    char *err;
    size_t errlen;
} duration_parser_t;

/* Skips whitespace; returns the digit found (0..9), -1 at the end, -2 on error. */
static int duration_first_digit(duration_parser_t *p)
{
    size_t start = p->pos;
    while (p->src[p->pos]) {
        char c = p->src[p->pos++];
        if (c >= '0' && c <= '9')
            return c - '0';
        if (!is_ws(c)) {
            te_config_errf(p->err, p->errlen, "expected number at %zu", start);
            return -2;
        }
    }
    return -1;
}

static bool duration_add_unit(duration_parser_t *p, uint64_t n, size_t start, size_t end)
{
    size_t len = end - start;
    for (size_t i = 0; i < sizeof duration_units / sizeof duration_units[0]; i++) {
        if (strlen(duration_units[i].name) != len || strncmp(duration_units[i].name, p->src + start, len) != 0)
            continue;
        uint64_t secs = 0, nanos = 0;
        if (duration_units[i].seconds) {
            if (n > UINT64_MAX / duration_units[i].seconds)
                goto overflow;
            secs = n * duration_units[i].seconds;
        } else {
            if (n > UINT64_MAX / duration_units[i].nanos)
                goto overflow;
            nanos = n * duration_units[i].nanos;
            secs = nanos / 1000000000u;
            nanos %= 1000000000u;
        }
        p->nanos += nanos;
        secs += p->nanos / 1000000000u;
        p->nanos %= 1000000000u;
        if (p->secs > UINT64_MAX - secs)
            goto overflow;
        p->secs += secs;
        return true;
    }
    if (len == 0)
        te_config_errf(p->err, p->errlen, "time unit needed, for example %llusec or %llums",
                       (unsigned long long)n, (unsigned long long)n);
    else
        te_config_errf(p->err, p->errlen,
                       "unknown time unit \"%.*s\", supported units: ns, us, ms, sec, min, hours, days, "
                       "weeks, months, years (and few variations)", (int)len, p->src + start);
    return false;
overflow:
    te_config_errf(p->err, p->errlen, "number is too large");
    return false;
}

bool te_config_parse_duration(const char *text, uint64_t *seconds, char *err, size_t errlen)
{
    duration_parser_t p = {.src = text, .err = err, .errlen = errlen};
    int digit = duration_first_digit(&p);
    if (digit == -2)
        return false;
    if (digit == -1) {
        te_config_errf(err, errlen, "value was empty");
        return false;
    }
    uint64_t n = (uint64_t)digit;
    for (;;) {
        size_t off = p.pos;
        while (p.src[p.pos]) {
            char c = p.src[p.pos];
            if (c >= '0' && c <= '9') {
                if (n > (UINT64_MAX - (uint64_t)(c - '0')) / 10) {
                    te_config_errf(err, errlen, "number is too large");
                    return false;
                }
                n = n * 10 + (uint64_t)(c - '0');
            } else if (is_alpha(c)) {
                break;
            } else if (!is_ws(c)) {
                te_config_errf(err, errlen, "invalid character at %zu", off);
                return false;
            }
            p.pos++;
            off = p.pos;
        }
        size_t start = off;
        if (p.src[p.pos])
            p.pos++; /* the first letter of the unit */
        off = p.pos;
        bool next_number = false;
        while (p.src[p.pos]) {
            char c = p.src[p.pos++];
            if (c >= '0' && c <= '9') {
                if (!duration_add_unit(&p, n, start, off))
                    return false;
                n = (uint64_t)(c - '0');
                next_number = true;
                break;
            }
            if (is_ws(c))
                break;
            if (!is_alpha(c)) {
                te_config_errf(err, errlen, "invalid character at %zu", off);
                return false;
            }
            off = p.pos;
        }
        if (next_number)
            continue;
        if (!duration_add_unit(&p, n, start, off))
            return false;
        digit = duration_first_digit(&p);
        if (digit == -2)
            return false;
        if (digit == -1)
            break;
        n = (uint64_t)digit;
    }
    *seconds = p.secs;
    return true;
}

/* --- hosts, as url::Host::parse --- */


static bool forbidden_domain_char(unsigned char c)
{
    return c <= 0x20 || c == 0x7f || strchr("#%/:<>?@[\\]^|", c) != NULL;
}

static bool ends_in_number(const char *domain)
{
    size_t len = strlen(domain);
    if (len > 1 && domain[len - 1] == '.')
        len--;
    size_t start = len;
    while (start > 0 && domain[start - 1] != '.')
        start--;
    if (start == len)
        return false;
    bool digits = true;
    for (size_t i = start; i < len; i++)
        digits = digits && domain[i] >= '0' && domain[i] <= '9';
    if (digits)
        return true;
    if (len - start >= 2 && domain[start] == '0' && (domain[start + 1] == 'x' || domain[start + 1] == 'X')) {
        for (size_t i = start + 2; i < len; i++)
            if (te_hex_digit(domain[i]) < 0)
                return false;
        return true;
    }
    return false;
}

/* Parses a host; on success *normalised (malloc'd, may be NULL if not wanted)
 * is what thin-edge.io prints for it. Returns the url crate's error or NULL. */
const char *te_config_parse_host(const char *input, size_t len, char **normalised)
{
    char text[INET6_ADDRSTRLEN + 16];
    if (len == 0)
        return "empty host";
    if (input[0] == '[') {
        struct in6_addr a6;
        char inner[INET6_ADDRSTRLEN + 8];
        if (input[len - 1] != ']' || len - 2 >= sizeof inner)
            return "invalid IPv6 address";
        memcpy(inner, input + 1, len - 2);
        inner[len - 2] = '\0';
        if (inet_pton(AF_INET6, inner, &a6) != 1)
            return "invalid IPv6 address";
        if (normalised) {
            inet_ntop(AF_INET6, &a6, inner, sizeof inner);
            snprintf(text, sizeof text, "[%s]", inner);
            if (!(*normalised = strdup(text)))
                return "out of memory";
        }
        return NULL;
    }
    char *domain = malloc(len + 1);
    if (!domain)
        return "out of memory";
    size_t n = 0;
    for (size_t i = 0; i < len; i++) {
        int hi, lo;
        if (input[i] == '%' && i + 2 < len &&
            (hi = te_hex_digit(input[i + 1])) >= 0 && (lo = te_hex_digit(input[i + 2])) >= 0) {
            domain[n++] = (char)(hi * 16 + lo);
            i += 2;
        } else {
            domain[n++] = (char)tolower((unsigned char)input[i]);
        }
    }
    domain[n] = '\0';
    const char *reason = NULL;
    if (n == 0)
        reason = "empty host";
    for (size_t i = 0; !reason && i < n; i++)
        if (forbidden_domain_char((unsigned char)domain[i]))
            reason = "invalid domain character";
    if (!reason && ends_in_number(domain)) {
        struct in_addr a4;
        if (n > 1 && domain[n - 1] == '.')
            domain[n - 1] = '\0';
        if (inet_aton(domain, &a4) == 0) {
            reason = "invalid IPv4 address";
        } else if (normalised) {
            inet_ntop(AF_INET, &a4, text, sizeof text);
            free(domain);
            return (*normalised = strdup(text)) ? NULL : "out of memory";
        }
    }
    if (!reason && normalised) {
        *normalised = domain;
        return NULL;
    }
    free(domain);
    return reason;
}

/* host[:port] as thin-edge.io's HostPort: split at the first ':'. On error
 * err gets the causes. *display (optional) is host:port as printed. */
bool te_config_parse_hostport(const char *text, uint16_t default_port, char **display, char *err, size_t errlen)
{
    const char *colon = strchr(text, ':');
    uint64_t port = default_port;
    size_t host_len = colon ? (size_t)(colon - text) : strlen(text);
    if (colon) {
        int status = te_config_parse_uint(colon + 1, 65535, &port);
        if (status != TE_CONFIG_INT_OK) {
            te_config_errf(err, errlen, "Could not parse port\n%s", te_config_uint_reason(status));
            return false;
        }
    }
    char *host = NULL;
    const char *reason = te_config_parse_host(text, host_len, display ? &host : NULL);
    if (reason) {
        te_config_errf(err, errlen, "Could not parse hostname\n%s", reason);
        return false;
    }
    if (display) {
        size_t size = strlen(host) + 8;
        *display = malloc(size);
        if (*display)
            snprintf(*display, size, "%s:%u", host, (unsigned)port);
        free(host);
        if (!*display) {
            te_config_errf(err, errlen, "out of memory");
            return false;
        }
    }
    return true;
}


bool te_config_valid_topic_filter(const char *filter)
{
    size_t len = strlen(filter);
    if (len == 0 || len > 65535)
        return false;
    const char *level = filter;
    for (;;) {
        const char *end = strchr(level, '/');
        size_t n = end ? (size_t)(end - level) : strlen(level);
        if (memchr(level, '#', n) && (n != 1 || end))
            return false;
        if (memchr(level, '+', n) && n != 1)
            return false;
        if (!end)
            return true;
        level = end + 1;
    }
}

/* --- paths --- */

char *te_config_abs_path(const char *path)
{
    char cwd[4096];
    size_t plen = strlen(path);
    bool relative = path[0] != '/';
    if (relative && !getcwd(cwd, sizeof cwd))
        return NULL;
    size_t clen = relative ? strlen(cwd) : 0;
    char *joined = malloc(clen + plen + 2);
    char *out = malloc(clen + plen + 2);
    if (!joined || !out) {
        free(joined);
        free(out);
        return NULL;
    }
    snprintf(joined, clen + plen + 2, "%s/%s", relative ? cwd : "", path);
    /* Lexical clean: drop empty and "." parts, ".." removes the part before it. */
    size_t n = 0;
    char *save = NULL;
    for (char *part = strtok_r(joined, "/", &save); part; part = strtok_r(NULL, "/", &save)) {
        if (strcmp(part, ".") == 0)
            continue;
        if (strcmp(part, "..") == 0) {
            while (n > 0 && out[n - 1] != '/')
                n--;
            if (n > 0)
                n--;
            continue;
        }
        out[n++] = '/';
        size_t len = strlen(part);
        memcpy(out + n, part, len);
        n += len;
    }
    if (n == 0)
        out[n++] = '/';
    out[n] = '\0';
    free(joined);
    return out;
}

