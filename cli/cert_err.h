/* cert_err: the error reports of `tedge cert`, byte for byte as thin-edge.io
 * (an anyhow chain) prints them: "Error: <headline>", a blank line,
 * "Caused by:" and the causes, one indented 4 spaces or several numbered
 * "    0: ". A cause may span lines: its continuation lines are indented
 * like anyhow does (4 more spaces, 7 when numbered), so the multi-line
 * messages of thin-edge.io keep their exact shape. */
#ifndef TEDGE_CLI_CERT_ERR_H
#define TEDGE_CLI_CERT_ERR_H

#include <stddef.h>
#include <stdio.h>

/* Writes the chain (headline, then n causes) to out. */
void cert_err_print(FILE *out, const char *headline, const char *const *causes, size_t n);

/* "Error: failed to <what>" and the causes given (NULL-terminated list).
 * Returns 1, the exit code of a runtime failure. */
int cert_fail(const char *what, ...) __attribute__((sentinel));

/* Like cert_fail with the causes of text: one per line, a line starting with
 * a space continuing the one before (the convention of tedge/config.h). */
int cert_fail_text(const char *what, const char *text);

/* The error raised while preparing a command (spec/cli.md §1):
 * "Error: missing configuration parameter" with one cause. Returns 1. */
int cert_fail_config(const char *cause);

/* Rust's io::Error text: "No such file or directory (os error 2)". */
const char *cert_os_error(int errnum, char *buf, size_t buflen);

/* The reason phrase of an HTTP status as the http crate prints it ("Not
 * Found"), "<unknown status code>" for others. Static text. */
const char *cert_http_reason(long status);

#endif
