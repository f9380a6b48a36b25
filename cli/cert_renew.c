/* cert_renew: `tedge cert renew [--ca self-signed|c8y] [--csr-path P]
 * [CLOUD]` (spec/cli.md §3.5). The current certificate is never touched:
 * the new one is written to <cert>.new (0444), which `tedge connect` puts in
 * its place once the cloud accepts it (§4.2 step 6).
 *
 * --ca self-signed: a fresh self-signed certificate for the same key.
 * --ca c8y (the default, as thin-edge.io's): a CSR for the same key, CN of
 * the current certificate, O/OU of the current config, written to
 * device.csr_path (or the CSR given by --csr-path), signed by Cumulocity's
 * CA through the local proxy (cert_est.c).
 *
 * Differences from thin-edge.io (crates/core/tedge/src/cli/certificate/
 * c8y/renew.rs, c8y/mod.rs, create_csr.rs): a missing private key is an
 * error (thin-edge.io's CSR step creates a new key, so the renewed
 * certificate would not match the key the device keeps using until then);
 * the certificate received must hold the key of the CSR; the PEM chain is
 * written device certificate first, "\n"-joined (thin-edge.io: as received,
 * "\r\n"-joined). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cert_cmd.h"
#include "cert_err.h"
#include "cert_est.h"
#include "cert_files.h"
#include "cli.h"
#include "tedge/certutil.h"
#include "tedge/fsutil.h"

/* Reads the current certificate into *info if it can be renewed (and, for
 * self_signed, is self-signed); else prints why (an error preparing the
 * command, as thin-edge.io) and returns false. */
static bool check_renewable(const char *path, cert_info_t *info, bool self_signed)
{
    char reason[CERT_ERR_LEN], cause[3 * CERT_CAUSE_LEN], quoted[CERT_CAUSE_LEN];
    char *pem = NULL;
    size_t len = 0;
    int err = cert_file_read(path, &pem, &len);
    if (err == ENOENT) {
        snprintf(cause, sizeof cause, "Cannot renew certificate %s: No certificate has been attached to that device.\n"
                 "        Missing file: %s\n"
                 "        Run `tedge cert create` to generate a new certificate.\n    ", path,
                 cert_debug_path(path, quoted));
    } else if (err) {
        snprintf(cause, sizeof cause, "Cannot renew certificate %s: I/O error", path);
    } else if (cert_info_read(pem, len, info, reason, sizeof reason) != TE_OK) {
        snprintf(cause, sizeof cause, "Cannot renew certificate %s: %s", path, reason);
    } else if (self_signed && strcmp(info->issuer, info->subject) != 0) {
        cert_info_free(info);
        snprintf(cause, sizeof cause, "Cannot renew certificate with `--self-signed`: %s is not self-signed", path);
    } else {
        free(pem);
        return true;
    }
    free(pem);
    cert_fail_config(cause);
    return false;
}

/* Writes pem to <cert>.new (atomic, 0444) and reports as thin-edge.io. */
static int store_new(const char *what, const char *new_path, const char *pem, size_t len, const char *hints)
{
    char os[256];
    if (te_fs_write_atomic(new_path, pem, len, 0444) != TE_OK)
        return cert_fail(what, "I/O error", cert_os_error(errno, os, sizeof os), NULL);
    cert_file_give_to(new_path, CERT_BROKER_USER);
    fputs(hints, stderr);
    return cert_show_file(what, new_path, CERT_SHOW_MINIMUM_S);
}

static int renew_self_signed(cert_cmd_t *cmd, const cert_info_t *current, const char *new_path)
{
    const char *what = "Renew the self-signed certificate of the device.";
    char err[CERT_ERR_LEN];
    EVP_PKEY *key = NULL;
    int rc = cert_read_key(what, cmd->key_path, &key, NULL);
    if (rc)
        return rc;
    cert_subject_t subject;
    cert_subject_from_config(cmd->cfg, current->common_name, &subject);
    uint64_t days = cert_config_seconds(cmd->cfg, "certificate.validity.requested_duration", 365 * 86400ULL) / 86400;
    char *pem = NULL;
    size_t len = 0;
    if (cert_selfsigned_pem(key, &subject, (int64_t)time(NULL) - 86400, days, &pem, &len, err, sizeof err) != TE_OK)
        rc = cert_fail(what, err, NULL);
    else
        rc = store_new(what, new_path, pem, len,
                       "Certificate renewed successfully\n"
                       "    For an un-interrupted service:\n"
                       "    => the new certificate has to be uploaded to the cloud\n"
                       "    => before the device is reconnected\n\n");
    free(pem);
    EVP_PKEY_free(key);
    return rc;
}

/* The CSR of the device key for the current CN, written to csr_path as
 * `cert create-csr` does; *csr is malloc'd. Returns 0 or the exit code. */
static int make_csr(cert_cmd_t *cmd, const char *what, const cert_info_t *current, char **csr, size_t *csr_len)
{
    char err[CERT_ERR_LEN], os[256];
    if (current->common_name[0] == '\0')
        return cert_fail(what, "The current certificate has no common name (CN): it names no device", NULL);
    if (te_cert_check_device_id(current->common_name, err, sizeof err) != TE_OK)
        return cert_fail(what, "DeviceID Error", err, NULL);
    EVP_PKEY *key = NULL;
    int rc = cert_read_key(what, cmd->key_path, &key, NULL);
    if (rc)
        return rc;
    cert_subject_t subject;
    cert_subject_from_config(cmd->cfg, current->common_name, &subject);
    if (cert_csr_pem(key, &subject, csr, csr_len, err, sizeof err) != TE_OK)
        rc = cert_fail(what, err, NULL);
    EVP_PKEY_free(key);
    if (rc == 0 && te_fs_write_atomic(cmd->csr_path, *csr, *csr_len, 0444) != TE_OK) {
        char cause[CERT_PATH_LEN + 64];
        snprintf(cause, sizeof cause, "writing the certificate signing request to %s", cmd->csr_path);
        rc = cert_fail(what, cause, cert_os_error(errno, os, sizeof os), NULL);
    }
    if (rc) {
        free(*csr);
        *csr = NULL;
        return rc;
    }
    cert_file_give_to(cmd->csr_path, CERT_BROKER_USER);
    return 0;
}

static int renew_c8y(cert_cmd_t *cmd, const cert_info_t *current, const char *new_path)
{
    char base[600], what[700], os[256];
    cert_est_proxy_base(cmd->cfg, base, sizeof base);
    snprintf(what, sizeof what, "renew the device certificate via Cumulocity HTTP proxy %s", base);
    char *csr = NULL;
    size_t csr_len = 0;
    int rc = 0;
    if (cmd->args->csr_path) {
        int err = cert_file_read(cmd->args->csr_path, &csr, &csr_len);
        if (err) {
            char cause[CERT_PATH_LEN + 64];
            snprintf(cause, sizeof cause, "reading the certificate signing request from %s", cmd->args->csr_path);
            return cert_fail(what, cause, cert_os_error(err, os, sizeof os), NULL);
        }
    } else if ((rc = make_csr(cmd, what, current, &csr, &csr_len)) != 0) {
        return rc;
    }
    char *chain = NULL;
    size_t chain_len = 0;
    rc = cert_est_reenroll(cmd->cfg, what, csr, csr_len, &chain, &chain_len);
    free(csr);
    if (rc == 0)
        rc = store_new(what, new_path, chain, chain_len,
                       "Certificate renewed successfully\n"
                       "    For an un-interrupted service:\n"
                       "    => the device has to be reconnected to the cloud\n\n");
    free(chain);
    return rc;
}

int cert_cmd_renew(cert_cmd_t *cmd)
{
    const cert_args_t *args = cmd->args;
    bool self_signed = args->self_signed || (args->ca && strcmp(args->ca, "self-signed") == 0);
    if (!self_signed && args->cloud && strcmp(args->cloud, "c8y") != 0) {
        char cause[128];
        snprintf(cause, sizeof cause, "Certificate renewal is not supported for %s",
                 strcmp(args->cloud, "az") == 0 ? "Azure" : "AWS");
        return cert_fail_config(cause);
    }
    cert_info_t current;
    if (!check_renewable(cmd->cert_path, &current, self_signed))
        return TE_EXIT_FAILURE;
    char new_path[CERT_PATH_LEN + 8];
    snprintf(new_path, sizeof new_path, "%s.new", cmd->cert_path);
    int rc = self_signed ? renew_self_signed(cmd, &current, new_path) : renew_c8y(cmd, &current, new_path);
    cert_info_free(&current);
    return rc;
}
