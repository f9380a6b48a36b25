/* config_devid: the device id is the subject common name of the device
 * certificate, read again on every request so a new certificate is seen
 * without a restart (spec/cli.md §8). x509_cn does the parsing, so the
 * daemons need no libcrypto for it. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "config_internal.h"
#include "tedge/fsutil.h"
#include "tedge/x509_cn.h"

/* A certificate chain file larger than this is not a device certificate. */
#define DEVID_MAX_CERT_BYTES (1u << 20)

te_err_t te_config_cert_cn(const char *path, char **cn, char *err, size_t errlen)
{
    *cn = NULL;
    char *pem = NULL;
    size_t len = 0;
    errno = 0;
    te_err_t rc = te_fs_read_file(path, DEVID_MAX_CERT_BYTES, &pem, &len);
    if (rc != TE_OK) {
        int saved = errno;
        if (rc == TE_ERR_NOTFOUND || rc == TE_ERR_PERM || (rc == TE_ERR_IO && saved))
            te_config_errf(err, errlen, "Failed to read the certificate %s: %s (os error %d)", path,
                           strerror(saved), saved);
        else
            te_config_errf(err, errlen, "Failed to read the certificate %s: %s", path,
                           rc == TE_ERR_TOOBIG ? "too large" : te_strerror(rc));
        return rc;
    }
    char name[256];
    rc = te_x509_pem_cn(pem, len, name, sizeof name);
    free(pem);
    if (rc == TE_ERR_NOTFOUND) {
        te_config_errf(err, errlen, "The certificate %s has no subject common name", path);
        return TE_ERR_PARSE;
    }
    if (rc != TE_OK) {
        te_config_errf(err, errlen, "Failed to read the certificate %s: not a PEM certificate", path);
        return TE_ERR_PARSE;
    }
    *cn = strdup(name);
    return *cn ? TE_OK : TE_ERR_NOMEM;
}
