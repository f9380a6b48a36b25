/* cert_err: anyhow-style error chains on stderr. */
#include "cert_err.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define MAX_CAUSES 8

/* anyhow's Indented writer: the first line of a cause gets the prefix, each
 * further line 4 spaces (7 when causes are numbered) before its own text. */
static void print_cause(FILE *out, const char *cause, bool numbered, size_t number)
{
    if (numbered)
        fprintf(out, "%5zu: ", number);
    else
        fputs("    ", out);
    for (const char *p = cause; *p; p++) {
        fputc(*p, out);
        if (*p == '\n')
            fputs(numbered ? "       " : "    ", out);
    }
}

void cert_err_print(FILE *out, const char *headline, const char *const *causes, size_t n)
{
    fprintf(out, "%s", headline);
    if (n > 0) {
        fputs("\n\nCaused by:", out);
        for (size_t i = 0; i < n; i++) {
            fputc('\n', out);
            print_cause(out, causes[i], n > 1, i);
        }
    }
    fputc('\n', out);
    fflush(out);
}

static int fail_with(const char *what, const char *const *causes, size_t n)
{
    size_t len = strlen(what) + sizeof "Error: failed to ";
    char *headline = malloc(len);
    if (headline) {
        snprintf(headline, len, "Error: failed to %s", what);
        cert_err_print(stderr, headline, causes, n);
        free(headline);
    }
    return 1;
}

int cert_fail(const char *what, ...)
{
    const char *causes[MAX_CAUSES];
    size_t n = 0;
    va_list ap;
    va_start(ap, what);
    for (const char *cause; (cause = va_arg(ap, const char *)) != NULL;)
        if (n < MAX_CAUSES)
            causes[n++] = cause;
    va_end(ap);
    return fail_with(what, causes, n);
}

int cert_fail_text(const char *what, const char *text)
{
    char *copy = strdup(text ? text : "");
    const char *causes[MAX_CAUSES] = {NULL};
    size_t n = 0;
    if (!copy)
        return fail_with(what, causes, 0);
    /* Split at each newline not followed by a space (a continuation line). */
    char *start = copy;
    for (char *p = copy; *p; p++) {
        if (*p == '\n' && p[1] != ' ' && n < MAX_CAUSES - 1) {
            *p = '\0';
            causes[n++] = start;
            start = p + 1;
        }
    }
    if (*start)
        causes[n++] = start;
    int rc = fail_with(what, causes, n);
    free(copy);
    return rc;
}

int cert_fail_config(const char *cause)
{
    const char *causes[1] = {cause};
    cert_err_print(stderr, "Error: missing configuration parameter", causes, 1);
    return 1;
}

const char *cert_os_error(int errnum, char *buf, size_t buflen)
{
    snprintf(buf, buflen, "%s (os error %d)", strerror(errnum), errnum);
    return buf;
}

/* The reason phrases of the http crate, which thin-edge.io prints. */
const char *cert_http_reason(long status)
{
    static const struct { long code; const char *text; } phrases[] = {
        {200, "OK"}, {201, "Created"}, {202, "Accepted"}, {204, "No Content"},
        {301, "Moved Permanently"}, {302, "Found"}, {304, "Not Modified"}, {307, "Temporary Redirect"},
        {308, "Permanent Redirect"}, {400, "Bad Request"}, {401, "Unauthorized"}, {402, "Payment Required"},
        {403, "Forbidden"}, {404, "Not Found"}, {405, "Method Not Allowed"}, {406, "Not Acceptable"},
        {408, "Request Timeout"}, {409, "Conflict"}, {410, "Gone"}, {411, "Length Required"},
        {413, "Payload Too Large"}, {415, "Unsupported Media Type"}, {422, "Unprocessable Entity"},
        {423, "Locked"}, {429, "Too Many Requests"}, {500, "Internal Server Error"}, {501, "Not Implemented"},
        {502, "Bad Gateway"}, {503, "Service Unavailable"}, {504, "Gateway Timeout"},
    };
    for (size_t i = 0; i < sizeof phrases / sizeof phrases[0]; i++)
        if (phrases[i].code == status)
            return phrases[i].text;
    return "<unknown status code>";
}
