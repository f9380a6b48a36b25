/* libFuzzer harness for est, the messages of `tedge cert renew --ca c8y`.
 * The first byte picks what the rest is: 'B' raw DER/BER, base64-encoded
 * here and decoded as an EST response (so the fuzzer works on the ASN.1);
 * 'C' the PEM text of a CSR; anything else the response text as received.
 * The device key is the public key below (its certificate is in the seeds).
 * Invariants: only the documented errors; an accepted response is PEM whose
 * first certificate holds the device key; an accepted CSR gives a body that
 * decodes to a PKCS#10 request holding the key returned. abort() otherwise.
 * Seeds: tests/fuzz/seeds/est/. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "tedge/est.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char device_public_key[] =
    "-----BEGIN PUBLIC KEY-----\n"
    "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAETzhaHLqo9pz0pov+YfIQMSNENZvC\n"
    "fOtF5ip8LW3wIN8eAeELpX8WUw3IuzkBORA7onFzH87LdPJysbAWR5qJig==\n"
    "-----END PUBLIC KEY-----\n";

static void require(int condition)
{
    if (!condition)
        abort();
}

static EVP_PKEY *device_key(uint8_t **spki, size_t *spki_len)
{
    static EVP_PKEY *key;
    static unsigned char *der;
    static int der_len;
    if (!key) {
        BIO *in = BIO_new_mem_buf(device_public_key, -1);
        key = PEM_read_bio_PUBKEY(in, NULL, NULL, NULL);
        BIO_free(in);
        require(key != NULL);
        der_len = i2d_PUBKEY(key, &der);
        require(der_len > 0);
    }
    *spki = der;
    *spki_len = (size_t)der_len;
    return key;
}

static void check_response(const char *text, size_t len)
{
    uint8_t *spki;
    size_t spki_len;
    EVP_PKEY *key = device_key(&spki, &spki_len);
    char *pem = NULL, err[512] = "";
    size_t pem_len = 0;
    te_err_t rc = te_est_response_certs(text, len, spki, spki_len, &pem, &pem_len, err, sizeof err);
    if (rc != TE_OK) {
        require(rc == TE_ERR_PARSE || rc == TE_ERR_INVAL || rc == TE_ERR_TOOBIG || rc == TE_ERR_NOMEM);
        require(pem == NULL && err[0] != '\0');
        return;
    }
    require(pem != NULL && strlen(pem) == pem_len);
    BIO *in = BIO_new_mem_buf(pem, (int)pem_len);
    X509 *first = PEM_read_bio_X509(in, NULL, NULL, NULL);
    BIO_free(in);
    require(first != NULL);
    require(EVP_PKEY_eq(X509_get0_pubkey(first), key) == 1);
    X509_free(first);
    free(pem);
}

static void check_csr(const char *text, size_t len)
{
    char *body = NULL, err[512] = "";
    uint8_t *spki = NULL;
    size_t body_len = 0, spki_len = 0;
    te_err_t rc = te_est_request_body(text, len, &body, &body_len, &spki, &spki_len, err, sizeof err);
    if (rc != TE_OK) {
        require(rc == TE_ERR_PARSE || rc == TE_ERR_TOOBIG || rc == TE_ERR_NOMEM);
        require(body == NULL && spki == NULL);
        return;
    }
    require(strlen(body) == body_len);
    uint8_t *der = malloc(body_len);
    size_t der_len = 0;
    require(der != NULL);
    require(te_est_base64_decode(body, body_len, der, body_len, &der_len, NULL, 0) == TE_OK);
    const unsigned char *p = der;
    X509_REQ *req = d2i_X509_REQ(NULL, &p, (long)der_len);
    require(req != NULL);
    const unsigned char *k = spki;
    EVP_PKEY *key = d2i_PUBKEY(NULL, &k, (long)spki_len);
    require(key != NULL && EVP_PKEY_eq(X509_REQ_get0_pubkey(req), key) == 1);
    EVP_PKEY_free(key);
    X509_REQ_free(req);
    free(der);
    free(body);
    free(spki);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 0 && data[0] == 'B' && size - 1 <= TE_EST_MAX_RESPONSE_BYTES / 2) {
        int n = (int)(size - 1);
        unsigned char *text = malloc((size_t)(n + 2) / 3 * 4 + 1);
        require(text != NULL);
        int len = EVP_EncodeBlock(text, data + 1, n);
        check_response((const char *)text, (size_t)len);
        free(text);
    } else if (size > 0 && data[0] == 'C') {
        check_csr((const char *)data + 1, size - 1);
    } else {
        check_response((const char *)data, size);
    }
    ERR_clear_error();
    return 0;
}
