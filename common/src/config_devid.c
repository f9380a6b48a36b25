/* config_devid: the device id is the subject common name of the device
 * certificate, read again on every request so a new certificate is seen
 * without a restart (spec/cli.md §8). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "config_internal.h"
#include "tedge/fsutil.h"

te_err_t te_config_cert_cn(const char *path, char **cn, char *err, size_t errlen)
{
    *cn = NULL;
    FILE *f = fopen(path, "r");
    if (!f) {
        int saved = errno;
        te_config_errf(err, errlen, "Failed to read the certificate %s: %s (os error %d)", path,
                       strerror(saved), saved);
        return te_fs_err_from_errno(saved);
    }
    X509 *cert = PEM_read_X509(f, NULL, NULL, NULL);
    fclose(f);
    if (!cert) {
        ERR_clear_error();
        te_config_errf(err, errlen, "Failed to read the certificate %s: not a PEM certificate", path);
        return TE_ERR_PARSE;
    }
    char name[256];
    int len = X509_NAME_get_text_by_NID(X509_get_subject_name(cert), NID_commonName, name, sizeof name);
    X509_free(cert);
    if (len < 0) {
        te_config_errf(err, errlen, "The certificate %s has no subject common name", path);
        return TE_ERR_PARSE;
    }
    *cn = strdup(name);
    return *cn ? TE_OK : TE_ERR_NOMEM;
}
