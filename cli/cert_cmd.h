/* cert_cmd: what the `tedge cert` subcommands share inside cli/: the parsed
 * arguments, the loaded configuration with the device paths, and the
 * helpers printing thin-edge.io's messages (defined in cmd_cert.c). */
#ifndef TEDGE_CLI_CERT_CMD_H
#define TEDGE_CLI_CERT_CMD_H

#include <stdbool.h>
#include <stdint.h>
#include <openssl/evp.h>

#include "cert_x509.h"
#include "tedge/config.h"

#define CERT_ERR_LEN 2048
#define CERT_CAUSE_LEN 12288 /* a cause naming up to two paths and a reason */
#define CERT_SHOW_MINIMUM_S (30 * 86400ULL) /* status threshold after create/renew */
#define CERT_BROKER_USER "mosquitto"
#define CERT_PATH_LEN 4096

typedef struct cert_args {
    const char *device_id, *output_path, *cert_path, *csr_path, *ca, *user, *password;
    const char *cloud;          /* c8y, az, aws or NULL */
    char profile[TE_PROFILE_NAME_MAX]; /* with a cloud: --profile or TEDGE_CLOUD_PROFILE; "" none */
    bool show_new, self_signed;
} cert_args_t;

/* The command being run: its arguments, the loaded config and the paths. */
typedef struct cert_cmd {
    const cert_args_t *args;
    te_config_t *cfg;
    char cert_path[CERT_PATH_LEN], key_path[CERT_PATH_LEN], csr_path[CERT_PATH_LEN];
} cert_cmd_t;

/* Prints the §3.2 report of the certificate at path on stdout; what names
 * the command in errors. Returns the exit code (0, or 1 after the error). */
int cert_show_file(const char *what, const char *path, uint64_t minimum_s);

/* Reads the private key at path into *key (the caller's, EVP_PKEY_free).
 * On failure prints the error naming what and returns its exit code; a
 * missing key sets *missing instead, when missing is given. Returns 0 or 1. */
int cert_read_key(const char *what, const char *path, EVP_PKEY **key, bool *missing);

/* CN=id, O=certificate.organization, OU=certificate.organization_unit;
 * the strings stay cfg's (and id the caller's). */
void cert_subject_from_config(te_config_t *cfg, const char *id, cert_subject_t *subject);

/* A duration key of cfg in seconds, or fallback when unset or bad. */
uint64_t cert_config_seconds(te_config_t *cfg, const char *key, uint64_t fallback);

/* path as Rust's `{:?}` prints it (quoted, escaped) into out, which has
 * CERT_CAUSE_LEN bytes; returns out. */
const char *cert_debug_path(const char *path, char *out);

/* `tedge cert renew` (cert_renew.c). Returns the exit code. */
int cert_cmd_renew(cert_cmd_t *cmd);

#endif
