/* cert_est: the HTTP side of `tedge cert renew --ca c8y` (spec/cli.md §3.5):
 * the CSR posted with libcurl to Cumulocity's CA through the local
 * Cumulocity proxy of tedge-mapper-c8y (spec/mapper-c8y.md §8.1), EST
 * simple re-enrollment, and the certificate chain received. */
#ifndef TEDGE_CLI_CERT_EST_H
#define TEDGE_CLI_CERT_EST_H

#include <stddef.h>

#include "tedge/config.h"

/* "<proto>://<c8y.proxy.client.host>:<c8y.proxy.client.port>" into buf,
 * proto https when c8y.proxy.cert_path is set, else http. */
void cert_est_proxy_base(te_config_t *cfg, char *buf, size_t buflen);

/* Posts csr_pem (PEM text of a PKCS#10 request) to
 * <proxy base>/c8y/.well-known/est/simplereenroll and decodes the answer.
 * On success *chain gets the PEM chain, the certificate for the CSR's key
 * first (malloc'd, NUL-terminated, caller frees). On failure prints the
 * error chain headed "Error: failed to <what>" (proxy unreachable, HTTP
 * error status, an answer that is no certificate or not for the CSR's key)
 * and writes nothing. cfg stays the caller's. Returns 0 or 1 (exit code). */
int cert_est_reenroll(te_config_t *cfg, const char *what, const char *csr_pem, size_t csr_len, char **chain,
                      size_t *chain_len);

#endif
