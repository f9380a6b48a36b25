/* cert_upload: `tedge cert upload c8y` (spec/cli.md §3.6): makes the tenant
 * trust the device certificate, over HTTPS with libcurl and basic auth. */
#ifndef TEDGE_CLI_CERT_UPLOAD_H
#define TEDGE_CLI_CERT_UPLOAD_H

#include "tedge/config.h"

/* user / password: from the command line, or NULL to take them from
 * C8Y_USER / C8Y_PASSWORD (C8YPASS) or to prompt. cfg stays the caller's.
 * Prints the outcome; returns the exit code (0 uploaded or already there,
 * 1 otherwise). */
int cert_upload_c8y(te_config_t *cfg, const char *user, const char *password);

#endif
