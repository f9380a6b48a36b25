/* connect_ui: the output styles of the cloud commands (spec/cli.md §1):
 * steps "<Title>... ✓|✗" with "error: ..." under a failed one, warnings, the
 * connection summary and the plain "Error: failed to ..." chain. Everything
 * goes to stderr; colours only on a TTY without NO_COLOR. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "connect.h"

#define GREEN_BOLD "\033[1;32m"
#define RED_BOLD "\033[1;31m"
#define YELLOW_BOLD "\033[1;33m"
#define BLUE_BOLD "\033[1;34m"
#define BLUE "\033[34m"
#define RESET "\033[0m"

bool te_ui_colour(void)
{
    const char *no_color = getenv("NO_COLOR");
    return isatty(STDERR_FILENO) && !(no_color && *no_color);
}

void te_ui_step_begin(const char *title)
{
    if (isatty(STDERR_FILENO)) {
        fprintf(stderr, "%s... ", title);
        fflush(stderr);
    }
}

static void step_end(const char *title, bool ok)
{
    bool colour = te_ui_colour();
    const char *mark = ok ? "✓" : "✗";
    if (isatty(STDERR_FILENO))
        fputc('\r', stderr);
    if (colour)
        fprintf(stderr, "%s... %s%s%s\n", title, ok ? GREEN_BOLD : RED_BOLD, mark, RESET);
    else
        fprintf(stderr, "%s... %s\n", title, mark);
}

void te_ui_step_ok(const char *title)
{
    step_end(title, true);
}

void te_ui_step_failed(const char *title)
{
    step_end(title, false);
}

static void vlabel(const char *label, const char *colour_code, const char *fmt, va_list ap)
{
    if (te_ui_colour())
        fprintf(stderr, "%s%s%s ", colour_code, label, RESET);
    else
        fprintf(stderr, "%s ", label);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
}

void te_ui_step_fail(const char *title, const char *fmt, ...)
{
    step_end(title, false);
    va_list ap;
    va_start(ap, fmt);
    vlabel("error:", RED_BOLD, fmt, ap);
    va_end(ap);
}

void te_ui_warning(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vlabel("warning:", YELLOW_BOLD, fmt, ap);
    va_end(ap);
}

void te_ui_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vlabel("error:", RED_BOLD, fmt, ap);
    va_end(ap);
}

void te_ui_summary_entry(const char *name, const char *value)
{
    if (te_ui_colour())
        fprintf(stderr, "\t" BLUE_BOLD "%s:" RESET " " BLUE "%s" RESET "\n", name, value);
    else
        fprintf(stderr, "\t%s: %s\n", name, value);
}

/* Prints text with every line after the first indented by indent spaces. */
static void print_indented(const char *text, int indent)
{
    for (const char *line = text;;) {
        const char *end = strchr(line, '\n');
        int len = end ? (int)(end - line) : (int)strlen(line);
        if (line != text)
            fprintf(stderr, "%*s", indent, "");
        fprintf(stderr, "%.*s\n", len, line);
        if (!end)
            break;
        line = end + 1;
    }
}

int te_ui_fail_plain(const char *what, const char *const *causes, size_t n_causes)
{
    fprintf(stderr, "Error: failed to %s\n", what);
    if (n_causes == 0)
        return 1;
    fputs("\nCaused by:\n", stderr);
    for (size_t i = 0; i < n_causes; i++) {
        if (n_causes == 1) {
            fputs("    ", stderr);
            print_indented(causes[i], 4);
        } else {
            fprintf(stderr, "%5zu: ", i);
            print_indented(causes[i], 7);
        }
    }
    return 1;
}
