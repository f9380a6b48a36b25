/* x509_cn: the subject common name of a PEM certificate, by a small DER
 * walk, so that every daemon can derive device.id from the device
 * certificate without linking libcrypto (whose load-time relocations cost
 * ~400 KiB of private memory per process). Only `tedge cert` needs the real
 * X.509 machinery. Pure: the caller owns every buffer. */
#ifndef TEDGE_X509_CN_H
#define TEDGE_X509_CN_H

#include <stddef.h>
#include "tedge/err.h"

/* Finds the first "-----BEGIN CERTIFICATE-----" block of pem[0..len),
 * decodes it and copies the first commonName of its subject into cn
 * (NUL-terminated). Returns TE_OK, TE_ERR_PARSE (no certificate, bad
 * base64 or DER, an unsupported string type), TE_ERR_NOTFOUND (no common
 * name), TE_ERR_TOOBIG (cn too small) or TE_ERR_NOMEM. */
te_err_t te_x509_pem_cn(const char *pem, size_t len, char *cn, size_t cnlen) TE_MUST_USE;

#endif
