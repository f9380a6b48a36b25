/* tedge cert create|create-csr|show|remove|renew|needs-renewal|upload
 * (spec/cli.md §3): the device certificate and its private key. Outputs,
 * error chains and exit codes are thin-edge.io's; the certificate itself is
 * built in cert_x509.c, files are handled by cert_files.c.
 *
 * Deviation (spec/cli.md §8): `cert create` writes the private key first,
 * then the certificate, and removes the key again if the certificate cannot
 * be written. thin-edge.io writes the certificate first, so a key left over
 * from an earlier attempt makes it fail after leaving a new certificate. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cert_cmd.h"
#include "cert_err.h"
#include "cert_files.h"
#include "cert_upload.h"
#include "cert_x509.h"
#include "cli.h"
#include "tedge/certutil.h"
#include "tedge/config.h"
#include "tedge/fsutil.h"

#define ERR_LEN CERT_ERR_LEN
#define CAUSE_LEN CERT_CAUSE_LEN
#define SHOW_MINIMUM_S CERT_SHOW_MINIMUM_S
#define BROKER_USER CERT_BROKER_USER

static const char cert_help[] =
    "Create and manage device certificate\n"
    "\n"
    "Usage: tedge cert <COMMAND>\n"
    "\n"
    "Commands:\n"
    "  create         Create a self-signed device certificate\n"
    "  create-csr     Create a certificate signing request\n"
    "  renew          Renew the device certificate\n"
    "  needs-renewal  Check if the device certificate has to be renewed\n"
    "  show           Show the device certificate, if any\n"
    "  remove         Remove the device certificate\n"
    "  upload         Upload root certificate\n"
    "  help           Print this message or the help of the given subcommand(s)\n"
    "\n"
    "Options:\n"
    "  -h, --help  Print help\n"
    "\n"
    "A trailing cloud (c8y, az or aws) selects the <cloud>.device.* paths, and with\n"
    "--profile <PROFILE> (or TEDGE_CLOUD_PROFILE) those of <cloud>.profiles.<PROFILE>.\n";

typedef enum { OPT_DEVICE_ID, OPT_OUTPUT_PATH, OPT_CERT_PATH, OPT_CSR_PATH, OPT_CA, OPT_USER,
               OPT_PASSWORD, OPT_NEW, OPT_SELF_SIGNED, OPT_PROFILE } opt_id_t;

typedef struct opt_def {
    const char *name;           /* "--device-id" */
    const char *value_name;     /* "<ID>", NULL for a flag */
    opt_id_t id;
} opt_def_t;

typedef struct subcommand {
    const char *name;
    const char *usage;          /* after "Usage: tedge cert " */
    const char *help;
    opt_id_t options[4];
    int n_options;
} subcommand_t;

static const opt_def_t opt_defs[] = {
    {"--device-id", "<ID>", OPT_DEVICE_ID},      {"--output-path", "<OUTPUT_PATH>", OPT_OUTPUT_PATH},
    {"--cert-path", "<CERT_PATH>", OPT_CERT_PATH}, {"--csr-path", "<CSR_PATH>", OPT_CSR_PATH},
    {"--ca", "<CA>", OPT_CA},                    {"--user", "<USERNAME>", OPT_USER},
    {"--password", "<PASSWORD>", OPT_PASSWORD},  {"--new", NULL, OPT_NEW},
    {"--self-signed", NULL, OPT_SELF_SIGNED},    {"--profile", "<PROFILE>", OPT_PROFILE},
};

static const subcommand_t subcommands[] = {
    {"create", "create [OPTIONS] [CLOUD]",
     "Create a self-signed device certificate\n\n"
     "Usage: tedge cert create [OPTIONS] [CLOUD]\n\n"
     "Options:\n"
     "      --device-id <ID>  The device identifier to be used as the common name for the certificate\n"
     "  -h, --help            Print help\n",
     {OPT_DEVICE_ID}, 1},
    {"create-csr", "create-csr [OPTIONS] [CLOUD]",
     "Create a certificate signing request\n\n"
     "Usage: tedge cert create-csr [OPTIONS] [CLOUD]\n\n"
     "Options:\n"
     "      --device-id <ID>             The device identifier to be used as the common name for the certificate\n"
     "      --output-path <OUTPUT_PATH>  Path where a Certificate signing request will be stored\n"
     "  -h, --help                       Print help\n",
     {OPT_DEVICE_ID, OPT_OUTPUT_PATH}, 2},
    {"renew", "renew [OPTIONS] [CLOUD]",
     "Renew the device certificate\n\n"
     "The current certificate is left unchanged: the new one is written to <cert>.new,\n"
     "which `tedge connect` puts in its place after validation.\n\n"
     "Usage: tedge cert renew [OPTIONS] [CLOUD]\n\n"
     "Options:\n"
     "      --ca <CA>              The CA that signs the new certificate: self-signed or c8y [default: c8y]\n"
     "      --self-signed          Same as --ca self-signed\n"
     "      --csr-path <CSR_PATH>  Path to a CSR ready to be used (--ca c8y)\n"
     "  -h, --help                 Print help\n",
     {OPT_CA, OPT_SELF_SIGNED, OPT_CSR_PATH}, 3},
    {"needs-renewal", "needs-renewal [OPTIONS] [CLOUD]",
     "Check if the device certificate has to be renewed\n\n"
     "Exit code:\n"
     "* `0` - certificate needs renewal as it is no longer valid,\n"
     "  or it will expire within the duration, `certificate.validity.minimum_duration`\n"
     "* `1` - certificate is still valid and does not need renewal\n"
     "* `2` - unexpected error (e.g. certificate does not exist, or can't be read)\n\n"
     "Usage: tedge cert needs-renewal [OPTIONS] [CLOUD]\n\n"
     "Options:\n"
     "      --cert-path <CERT_PATH>  Path to the certificate - default to the configured device certificate\n"
     "  -h, --help                   Print help\n",
     {OPT_CERT_PATH}, 1},
    {"show", "show [OPTIONS] [CLOUD]",
     "Show the device certificate, if any\n\n"
     "Usage: tedge cert show [OPTIONS] [CLOUD]\n\n"
     "Options:\n"
     "      --cert-path <CERT_PATH>  Path to the certificate - default to the configured device certificate\n"
     "      --new                    Show the new certificate, if any, instead of the current one\n"
     "  -h, --help                   Print help\n",
     {OPT_CERT_PATH, OPT_NEW}, 2},
    {"remove", "remove [CLOUD]",
     "Remove the device certificate\n\n"
     "Usage: tedge cert remove [CLOUD]\n\n"
     "Options:\n"
     "  -h, --help  Print help\n",
     {0}, 0},
    {"upload", "upload c8y [OPTIONS]",
     "Upload root certificate\n\n"
     "Usage: tedge cert upload c8y [OPTIONS]\n\n"
     "Options:\n"
     "      --user <USERNAME>      Cumulocity user with tenant management permissions [env: C8Y_USER]\n"
     "                             You will be prompted for input if the value is not provided or is empty\n"
     "      --password <PASSWORD>  Cumulocity password [env: C8Y_PASSWORD] (C8YPASS is deprecated)\n"
     "                             You will be prompted for input if the value is not provided or is empty\n"
     "  -h, --help                 Print help\n",
     {OPT_USER, OPT_PASSWORD}, 2},
};

static const opt_def_t *find_option(const subcommand_t *sub, const char *arg, const char **inline_value)
{
    *inline_value = NULL;
    for (size_t i = 0; i < sizeof opt_defs / sizeof opt_defs[0]; i++) {
        const opt_def_t *def = &opt_defs[i];
        size_t n = strlen(def->name);
        if (strncmp(arg, def->name, n) != 0 || (arg[n] != '\0' && arg[n] != '='))
            continue;
        if (arg[n] == '=' && !def->value_name)
            return NULL;
        bool allowed = def->id == OPT_PROFILE;
        for (int k = 0; k < sub->n_options; k++)
            allowed = allowed || sub->options[k] == def->id;
        if (!allowed)
            return NULL;
        if (arg[n] == '=')
            *inline_value = arg + n + 1;
        return def;
    }
    return NULL;
}

static void set_option(cert_args_t *args, opt_id_t id, const char *value)
{
    switch (id) {
    case OPT_DEVICE_ID: args->device_id = value; break;
    case OPT_OUTPUT_PATH: args->output_path = value; break;
    case OPT_CERT_PATH: args->cert_path = value; break;
    case OPT_CSR_PATH: args->csr_path = value; break;
    case OPT_CA: args->ca = value; break;
    case OPT_USER: args->user = value; break;
    case OPT_PASSWORD: args->password = value; break;
    case OPT_NEW: args->show_new = true; break;
    case OPT_SELF_SIGNED: args->self_signed = true; break;
    case OPT_PROFILE: break;
    }
}

/* Returns -1 to go on, else the exit code (help printed or usage error). */
static int parse_args(const subcommand_t *sub, int argc, char **argv, cert_args_t *args)
{
    bool positional_only = false, explicit_profile = false;
    for (int i = 2; i < argc; i++) {
        const char *arg = argv[i];
        if (!positional_only && arg[0] == '-' && arg[1] != '\0') {
            if (strcmp(arg, "--") == 0) {
                positional_only = true;
                continue;
            }
            if (strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0) {
                fputs(sub->help, stdout);
                return TE_EXIT_OK;
            }
            const char *value = NULL;
            const opt_def_t *def = find_option(sub, arg, &value);
            if (!def)
                return te_cli_usage_error("unexpected argument '%s' found\n\n"
                                          "  tip: to pass '%s' as a value, use '-- %s'\n\n"
                                          "Usage: tedge cert %s", arg, arg, arg, sub->usage);
            if (def->value_name && !value) {
                if (i + 1 >= argc)
                    return te_cli_usage_error("a value is required for '%s %s' but none was supplied",
                                              def->name, def->value_name);
                value = argv[++i];
            }
            if (def->id == OPT_PROFILE) {
                char reason[128];
                if (te_config_profile_name(value, args->profile, sizeof args->profile, reason,
                                           sizeof reason) != TE_OK)
                    return te_cli_usage_error("invalid value '%s' for '--profile <PROFILE>': %s", value, reason);
                explicit_profile = true;
            }
            set_option(args, def->id, value);
        } else if (!args->cloud && (strcmp(arg, "c8y") == 0 || (strcmp(sub->name, "upload") != 0 &&
                                                                (strcmp(arg, "az") == 0 || strcmp(arg, "aws") == 0)))) {
            args->cloud = arg;
        } else {
            return te_cli_usage_error("unrecognized subcommand '%s'\n\nUsage: tedge cert %s", arg, sub->usage);
        }
    }
    if (explicit_profile && !args->cloud)
        return te_cli_usage_error("unexpected argument '--profile' found\n\n"
                                  "  note: a profile belongs to a cloud: tedge cert %s c8y --profile <PROFILE>",
                                  sub->name);
    const char *env = getenv("TEDGE_CLOUD_PROFILE");
    if (args->cloud && !explicit_profile && env && *env) {
        char reason[128];
        if (te_config_profile_name(env, args->profile, sizeof args->profile, reason, sizeof reason) != TE_OK)
            return te_cli_usage_error("invalid value '%s' for '--profile <PROFILE>': %s", env, reason);
    }
    if (strcmp(sub->name, "upload") == 0 && !args->cloud) {
        fputs("Upload root certificate\n\nUsage: tedge cert upload <COMMAND>\n\n"
              "Commands:\n  c8y   Upload root certificate to Cumulocity\n  help  Print this message or the help of the given subcommand(s)\n\n"
              "Options:\n  -h, --help  Print help\n", stderr);
        return TE_EXIT_USAGE;
    }
    if (args->ca && strcmp(args->ca, "self-signed") != 0 && strcmp(args->ca, "c8y") != 0)
        return te_cli_usage_error("invalid value '%s' for '--ca <CA>'\n  [possible values: self-signed, c8y]", args->ca);
    return -1;
}

/* "<cloud>.device.<leaf>" or "device.<leaf>" from the configuration. */
static const char *device_key(const cert_cmd_t *cmd, const char *leaf, char *key, size_t keylen)
{
    if (cmd->args->cloud)
        snprintf(key, keylen, "%s.device.%s", cmd->args->cloud, leaf);
    else
        snprintf(key, keylen, "device.%s", leaf);
    return key;
}

static void load_path(cert_cmd_t *cmd, const char *leaf, char *out, size_t outlen)
{
    char key[64];
    const char *value = te_config_get(cmd->cfg, device_key(cmd, leaf, key, sizeof key));
    snprintf(out, outlen, "%s", value ? value : "");
}

static bool colour_on(FILE *stream)
{
    const char *no_color = getenv("NO_COLOR");
    return isatty(fileno(stream)) && !(no_color && *no_color);
}

static int64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* Prints the status line text, green, yellow or red on a terminal. */
static void put_status(FILE *out, const cert_info_t *info, uint64_t minimum_s, te_cert_validity_t *validity)
{
    uint64_t seconds = 0;
    *validity = te_cert_validity(info->not_before, info->not_after, now_ns(), minimum_s, &seconds);
    char text[128];
    te_cert_status_text(*validity, seconds, text, sizeof text);
    const char *colour = *validity == TE_CERT_VALID ? "32" : *validity == TE_CERT_EXPIRES_SOON ? "33" : "31";
    if (colour_on(out))
        fprintf(out, "Status:        \033[%sm%s\033[0m\n", colour, text);
    else
        fprintf(out, "Status:        %s\n", text);
}

/* Reads and decodes the certificate at path; on failure *causes gets the two
 * causes thin-edge.io reports ("reading certificate from P" + OS error). */
static int read_certificate(const char *path, cert_info_t *info, char causes[2][ERR_LEN])
{
    char *pem = NULL;
    size_t len = 0;
    int err = cert_file_read(path, &pem, &len);
    if (err) {
        snprintf(causes[0], ERR_LEN, "reading certificate from %s", path);
        cert_os_error(err, causes[1], ERR_LEN);
        return -1;
    }
    te_err_t rc = cert_info_read(pem, len, info, causes[1], ERR_LEN);
    free(pem);
    if (rc != TE_OK) {
        snprintf(causes[0], ERR_LEN, "decoding certificate from %s", path);
        if (rc == TE_ERR_NOMEM)
            snprintf(causes[1], ERR_LEN, "%s", te_strerror(rc));
        return -1;
    }
    return 0;
}

int cert_show_file(const char *what, const char *path, uint64_t minimum_s)
{
    cert_info_t info;
    char causes[2][ERR_LEN];
    if (read_certificate(path, &info, causes) != 0)
        return cert_fail(what, causes[0], causes[1], NULL);
    char from[64], until[64];
    if (te_cert_format_date(info.not_before, from, sizeof from) != TE_OK ||
        te_cert_format_date(info.not_after, until, sizeof until) != TE_OK) {
        cert_info_free(&info);
        return cert_fail(what, "X509 file format error: invalid validity", NULL);
    }
    te_cert_validity_t validity;
    printf("Certificate:   %s\n", path);
    printf("Subject:       %s\n", info.subject);
    printf("Issuer:        %s\n", info.issuer);
    fflush(stdout);
    put_status(stdout, &info, minimum_s, &validity);
    printf("Valid from:    %s\n", from);
    printf("Valid until:   %s\n", until);
    printf("Serial number: %s (0x%s)\n", info.serial_dec, info.serial_hex);
    printf("Thumbprint:    %s\n", info.thumbprint);
    fflush(stdout);
    cert_info_free(&info);
    return TE_EXIT_OK;
}

uint64_t cert_config_seconds(te_config_t *cfg, const char *key, uint64_t fallback)
{
    int64_t seconds = 0;
    return te_config_get_duration_s(cfg, key, &seconds) == TE_OK && seconds >= 0 ? (uint64_t)seconds : fallback;
}

void cert_subject_from_config(te_config_t *cfg, const char *id, cert_subject_t *subject)
{
    const char *o = te_config_get(cfg, "certificate.organization");
    const char *ou = te_config_get(cfg, "certificate.organization_unit");
    subject->common_name = id;
    subject->organization = o ? o : "Thin Edge";
    subject->organization_unit = ou ? ou : "Device";
}

/* The device id: --device-id, else the configured one, else NULL after the
 * "No device ID is provided" error. */
static const char *device_id(const cert_cmd_t *cmd)
{
    if (cmd->args->device_id)
        return cmd->args->device_id;
    char key[64];
    const char *id = NULL;
    if (te_config_read(cmd->cfg, device_key(cmd, "id", key, sizeof key), &id, NULL, 0) == TE_OK && id)
        return id;
    cert_fail_config("No device ID is provided. Use `--device-id <name>` option to specify the device ID.");
    return NULL;
}

/* C deviation (spec/cli.md §7): a missing directory is named, with the
 * command that creates it, instead of thin-edge.io's "Missing file". */
static int check_parent_dir(const cert_cmd_t *cmd, const char *what, const char *path, const char *kind,
                            const char *leaf)
{
    char key[64];
    char dir[4096], cause[CAUSE_LEN];
    cert_file_dirname(path, dir, sizeof dir);
    struct stat st;
    if (stat(dir, &st) == 0 && S_ISDIR(st.st_mode))
        return 0;
    snprintf(cause, sizeof cause,
             "The directory of the %s does not exist.\n"
             "        Missing directory: \"%s\"\n"
             "        Run `tedge init` to create it, or set `%s` to a path in an existing directory.\n    ",
             kind, dir, device_key(cmd, leaf, key, sizeof key));
    return cert_fail(what, cause, NULL);
}

const char *cert_debug_path(const char *path, char *out)
{
    te_cert_debug_quote(path, out, CAUSE_LEN);
    return out;
}

static void already_exists(char *out, size_t len, bool is_key, const char *path)
{
    char quoted[CAUSE_LEN];
    if (is_key)
        snprintf(out, len, "A private key already exists and would be overwritten.\n"
                           "        Existing file: %s\n"
                           "        Run `tedge cert remove` first to generate a new certificate and private key.\n    ",
                 cert_debug_path(path, quoted));
    else
        snprintf(out, len, "A certificate already exists and would be overwritten.\n"
                           "        Existing file: \"%s\"\n"
                           "        Run `tedge cert remove` first to generate a new certificate.\n    ",
                 path);
}

/* A file could not be created: thin-edge.io's wording for the errno. */
static int file_error(const char *what, int err, bool is_key, const char *path)
{
    char cause[2 * CAUSE_LEN], os[256];
    if (err == EEXIST) {
        already_exists(cause, sizeof cause, is_key, path);
        return cert_fail(what, cause, NULL);
    }
    return cert_fail(what, "I/O error", cert_os_error(err, os, sizeof os), NULL);
}

/* Creates the private key file from key (exclusive, 0600 then 0400). */
static int write_new_key(const char *what, EVP_PKEY *key, const char *path)
{
    char *pem = NULL, err[ERR_LEN];
    size_t len = 0;
    if (cert_key_to_pem(key, &pem, &len, err, sizeof err) != TE_OK)
        return cert_fail(what, err, NULL);
    int rc = cert_file_create(path, pem, len, 0400, true, BROKER_USER);
    cert_pem_free_secret(pem, len);
    return rc ? file_error(what, rc, true, path) : 0;
}

static int cmd_create(cert_cmd_t *cmd)
{
    const char *id = device_id(cmd);
    if (!id)
        return TE_EXIT_FAILURE;
    char what[512], err[ERR_LEN];
    snprintf(what, sizeof what, "create a test certificate for the device %s.", id);
    if (te_cert_check_device_id(id, err, sizeof err) != TE_OK)
        return cert_fail(what, "DeviceID Error", err, NULL);
    if (check_parent_dir(cmd, what, cmd->cert_path, "certificate", "cert_path") ||
        check_parent_dir(cmd, what, cmd->key_path, "private key", "key_path"))
        return TE_EXIT_FAILURE;
    if (cert_file_exists(cmd->cert_path))
        return file_error(what, EEXIST, false, cmd->cert_path);
    if (cert_file_exists(cmd->key_path))
        return file_error(what, EEXIST, true, cmd->key_path);

    cert_subject_t subject;
    cert_subject_from_config(cmd->cfg, id, &subject);
    uint64_t days = cert_config_seconds(cmd->cfg, "certificate.validity.requested_duration", 365 * 86400ULL) / 86400;
    EVP_PKEY *key = NULL;
    char *cert_pem = NULL;
    size_t cert_len = 0;
    if (cert_key_generate(&key, err, sizeof err) != TE_OK ||
        cert_selfsigned_pem(key, &subject, (int64_t)time(NULL) - 86400, days, &cert_pem, &cert_len, err,
                            sizeof err) != TE_OK) {
        EVP_PKEY_free(key);
        return cert_fail(what, err, NULL);
    }
    int rc = write_new_key(what, key, cmd->key_path);
    EVP_PKEY_free(key);
    if (rc == 0) {
        int werr = cert_file_create(cmd->cert_path, cert_pem, cert_len, 0444, false, BROKER_USER);
        if (werr) {
            unlink(cmd->key_path); /* ours: created exclusively above */
            rc = file_error(what, werr, false, cmd->cert_path);
        }
    }
    free(cert_pem);
    if (rc)
        return rc;
    fputs("Certificate created successfully\n"
          "    => the certificate has to be uploaded to the cloud\n"
          "    => before the device can be connected\n\n", stderr);
    return cert_show_file(what, cmd->cert_path, SHOW_MINIMUM_S);
}

int cert_read_key(const char *what, const char *path, EVP_PKEY **key, bool *missing)
{
    char *pem = NULL, err[2 * CAUSE_LEN], os[256], quoted[CAUSE_LEN];
    size_t len = 0;
    int rc = cert_file_read(path, &pem, &len);
    if (rc == ENOENT && missing) {
        *missing = true;
        return 0;
    }
    if (rc == ENOENT) {
        snprintf(err, sizeof err, "No private key has been attached to that device.\n"
                                  "        Missing file: %s\n"
                                  "        Run `tedge cert create` to generate a new key and certificate.\n    ",
                 cert_debug_path(path, quoted));
        return cert_fail(what, err, NULL);
    }
    if (rc)
        return cert_fail(what, "I/O error", cert_os_error(rc, os, sizeof os), NULL);
    te_err_t prc = cert_key_from_pem(pem, len, key, err, sizeof err);
    cert_pem_free_secret(pem, len);
    return prc == TE_OK ? 0 : cert_fail(what, "Fail to parse the private key", NULL);
}

static int cmd_create_csr(cert_cmd_t *cmd)
{
    const char *what = "Generate a Certificate Signing Request.";
    const char *id = device_id(cmd);
    if (!id)
        return TE_EXIT_FAILURE;
    char err[ERR_LEN], os[256];
    if (te_cert_check_device_id(id, err, sizeof err) != TE_OK)
        return cert_fail(what, "DeviceID Error", err, NULL);
    const char *csr_path = cmd->args->output_path ? cmd->args->output_path : cmd->csr_path;
    if (check_parent_dir(cmd, what, cmd->key_path, "private key", "key_path") ||
        check_parent_dir(cmd, what, csr_path, "CSR", "csr_path"))
        return TE_EXIT_FAILURE;
    EVP_PKEY *key = NULL;
    bool new_key = false;
    int rc = cert_read_key(what, cmd->key_path, &key, &new_key);
    if (rc)
        return rc;
    if (new_key && cert_key_generate(&key, err, sizeof err) != TE_OK)
        return cert_fail(what, err, NULL);
    cert_subject_t subject;
    cert_subject_from_config(cmd->cfg, id, &subject);
    char *csr = NULL;
    size_t csr_len = 0;
    if (cert_csr_pem(key, &subject, &csr, &csr_len, err, sizeof err) != TE_OK)
        rc = cert_fail(what, err, NULL);
    else if (new_key)
        rc = write_new_key(what, key, cmd->key_path);
    EVP_PKEY_free(key);
    if (rc == 0 && te_fs_write_atomic(csr_path, csr, csr_len, 0444) != TE_OK) {
        int werr = errno;
        if (new_key)
            unlink(cmd->key_path);
        rc = cert_fail(what, "I/O error", cert_os_error(werr, os, sizeof os), NULL);
    }
    free(csr);
    if (rc == 0) {
        cert_file_give_to(csr_path, BROKER_USER);
        fputs("Certificate Signing Request was successfully created.\n", stderr);
    }
    return rc;
}

static int cmd_show(cert_cmd_t *cmd)
{
    char path[4200];
    snprintf(path, sizeof path, "%s%s", cmd->args->cert_path ? cmd->args->cert_path : cmd->cert_path,
             cmd->args->show_new ? ".new" : "");
    uint64_t minimum = cert_config_seconds(cmd->cfg, "certificate.validity.minimum_duration", SHOW_MINIMUM_S);
    return cert_show_file("show the device certificate", path, minimum);
}

static int cmd_needs_renewal(cert_cmd_t *cmd)
{
    const char *path = cmd->args->cert_path ? cmd->args->cert_path : cmd->cert_path;
    uint64_t minimum = cert_config_seconds(cmd->cfg, "certificate.validity.minimum_duration", SHOW_MINIMUM_S);
    cert_info_t info;
    char causes[2][ERR_LEN];
    if (read_certificate(path, &info, causes) != 0) {
        const char *chain[1] = {causes[1]};
        char headline[ERR_LEN + 64];
        snprintf(headline, sizeof headline, "Cannot check the certificate: %s", causes[0]);
        cert_err_print(stderr, headline, chain, 1);
        return 2;
    }
    te_cert_validity_t validity;
    put_status(stderr, &info, minimum, &validity);
    cert_info_free(&info);
    return te_cert_needs_renewal(validity) ? 0 : 1;
}

static int cmd_remove(cert_cmd_t *cmd)
{
    char new_path[4200], os[256];
    snprintf(new_path, sizeof new_path, "%s.new", cmd->cert_path);
    unlink(new_path);
    int cert_err = unlink(cmd->cert_path) == 0 ? 0 : errno;
    int key_err = unlink(cmd->key_path) == 0 ? 0 : errno;
    int err = cert_err ? cert_err : key_err;
    if (err == 0)
        fputs("Certificate was successfully removed\n", stderr);
    else if (err == ENOENT)
        fputs("There is no certificate to remove\n", stderr);
    else
        return cert_fail("remove the device certificate", "I/O error", cert_os_error(err, os, sizeof os), NULL);
    return TE_EXIT_OK;
}

static const subcommand_t *find_subcommand(const char *name)
{
    for (size_t i = 0; i < sizeof subcommands / sizeof subcommands[0]; i++)
        if (strcmp(name, subcommands[i].name) == 0)
            return &subcommands[i];
    return NULL;
}

int te_cli_cert_main(const te_cli_ctx_t *ctx, int argc, char **argv)
{
    if (argc < 2) {
        fputs(cert_help, stderr);
        return TE_EXIT_USAGE;
    }
    const char *name = argv[1];
    if (strcmp(name, "-h") == 0 || strcmp(name, "--help") == 0 || strcmp(name, "help") == 0) {
        const subcommand_t *sub = argc > 2 && strcmp(name, "help") == 0 ? find_subcommand(argv[2]) : NULL;
        fputs(sub ? sub->help : cert_help, stdout);
        return TE_EXIT_OK;
    }
    const subcommand_t *sub = find_subcommand(name);
    if (!sub)
        return te_cli_usage_error("unrecognized subcommand '%s'\n\nUsage: tedge cert <COMMAND>", name);
    cert_args_t args = {0};
    int rc = parse_args(sub, argc, argv, &args);
    if (rc >= 0)
        return rc;

    char err[ERR_LEN];
    cert_cmd_t cmd = {.args = &args};
    if (te_config_load(&cmd.cfg, ctx->config_dir, false, err, sizeof err) != TE_OK)
        return cert_fail_text("read the tedge configuration", err);
    /* <cloud>.device.* now name <cloud>.profiles.<P>.device.* */
    if (args.profile[0] && te_config_use_profile(cmd.cfg, args.profile) != TE_OK) {
        te_config_free(cmd.cfg);
        return te_cli_usage_error("invalid value '%s' for '--profile <PROFILE>'", args.profile);
    }
    load_path(&cmd, "cert_path", cmd.cert_path, sizeof cmd.cert_path);
    load_path(&cmd, "key_path", cmd.key_path, sizeof cmd.key_path);
    load_path(&cmd, "csr_path", cmd.csr_path, sizeof cmd.csr_path);
    if (strcmp(sub->name, "create") == 0)
        rc = cmd_create(&cmd);
    else if (strcmp(sub->name, "create-csr") == 0)
        rc = cmd_create_csr(&cmd);
    else if (strcmp(sub->name, "show") == 0)
        rc = cmd_show(&cmd);
    else if (strcmp(sub->name, "needs-renewal") == 0)
        rc = cmd_needs_renewal(&cmd);
    else if (strcmp(sub->name, "remove") == 0)
        rc = cmd_remove(&cmd);
    else if (strcmp(sub->name, "renew") == 0)
        rc = cert_cmd_renew(&cmd);
    else
        rc = cert_upload_c8y(cmd.cfg, args.user, args.password);
    te_config_free(cmd.cfg);
    return rc;
}
