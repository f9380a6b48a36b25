/* cert_x509: the OpenSSL side of `tedge cert` (spec/cli.md §3): ECDSA P-256
 * keys, thin-edge.io's self-signed certificates and CSRs, and what `cert
 * show` reads out of a certificate. Everything works on memory; the caller
 * does the file I/O. PEM buffers returned are malloc'd and NUL-terminated;
 * private key PEM must be released with cert_pem_free_secret(). */
#ifndef TEDGE_CLI_CERT_X509_H
#define TEDGE_CLI_CERT_X509_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <openssl/evp.h>

#include "tedge/err.h"

/* The subject (and, self-signed, issuer) of thin-edge.io's certificates:
 * CN=<device id>, O=<certificate.organization>, OU=<certificate.organization_unit>. */
typedef struct cert_subject {
    const char *common_name;
    const char *organization;
    const char *organization_unit;
} cert_subject_t;

/* What `cert show` prints. Strings are owned by the struct (cert_info_free). */
typedef struct cert_info {
    char *subject;          /* "CN=alpha, O=Thin Edge, OU=Device" */
    char *issuer;
    char *common_name;      /* "" when the subject has no CN */
    int64_t not_before;     /* Unix seconds */
    int64_t not_after;
    char serial_dec[168];
    char serial_hex[132];
    char thumbprint[41];    /* SHA-1 of the DER, uppercase hex */
} cert_info_t;

/* Generates a fresh ECDSA P-256 key; *key is the caller's (EVP_PKEY_free).
 * Returns TE_OK or TE_ERR_IO (OpenSSL failure, err says why). */
te_err_t cert_key_generate(EVP_PKEY **key, char *err, size_t errlen) TE_MUST_USE;

/* Parses a PEM private key (never prompts for a passphrase); *key is the
 * caller's. Returns TE_OK or TE_ERR_PARSE. */
te_err_t cert_key_from_pem(const char *pem, size_t len, EVP_PKEY **key, char *err,
                           size_t errlen) TE_MUST_USE;

/* Writes key as unencrypted PKCS#8 PEM ("BEGIN PRIVATE KEY") into *pem
 * (release with cert_pem_free_secret). Returns TE_OK or TE_ERR_IO. */
te_err_t cert_key_to_pem(EVP_PKEY *key, char **pem, size_t *len, char *err, size_t errlen) TE_MUST_USE;

/* Builds the self-signed X.509 v3 certificate of spec/cli.md §3.1 for key:
 * subject = issuer, validity [not_before, not_before + days], serial from the
 * public key, SKI and critical CA:TRUE only, signed ecdsa-with-SHA256.
 * *pem is malloc'd (free). Returns TE_OK, TE_ERR_RANGE (validity beyond what
 * X.509 dates hold) or TE_ERR_IO. */
te_err_t cert_selfsigned_pem(EVP_PKEY *key, const cert_subject_t *subject, int64_t not_before,
                             uint64_t days, char **pem, size_t *len, char *err, size_t errlen) TE_MUST_USE;

/* Builds a PKCS#10 v1 CSR for key with subject and no extensions; *pem is
 * malloc'd (free). Returns TE_OK or TE_ERR_IO. */
te_err_t cert_csr_pem(EVP_PKEY *key, const cert_subject_t *subject, char **pem, size_t *len,
                      char *err, size_t errlen) TE_MUST_USE;

/* Reads the first certificate of a PEM text. On TE_ERR_PARSE err says why.
 * Returns TE_OK, TE_ERR_PARSE or TE_ERR_NOMEM. */
te_err_t cert_info_read(const char *pem, size_t len, cert_info_t *info, char *err,
                        size_t errlen) TE_MUST_USE;
void cert_info_free(cert_info_t *info);

/* Zeroes and frees a buffer that held a private key (NULL is fine). */
void cert_pem_free_secret(char *pem, size_t len);

#endif
