/* Unit tests: est (the EST re-enrollment request body and the PKCS#7
 * response of `tedge cert renew --ca c8y`). Keys, requests and responses are
 * built with OpenSSL here, so each case says exactly what it feeds in. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/pkcs7.h>
#include <openssl/x509.h>

#include "tedge/est.h"

/* ---- fixtures built with OpenSSL ---------------------------------------- */

static EVP_PKEY *new_key(void)
{
    EVP_PKEY *key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    assert_non_null(key);
    return key;
}

static X509_NAME *name_of(const char *cn)
{
    X509_NAME *name = X509_NAME_new();
    assert_non_null(name);
    assert_int_equal(X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, (const unsigned char *)cn, -1, -1, 0), 1);
    return name;
}

static char *csr_pem(EVP_PKEY *key, const char *cn)
{
    X509_REQ *req = X509_REQ_new();
    X509_NAME *name = name_of(cn);
    assert_int_equal(X509_REQ_set_subject_name(req, name), 1);
    assert_int_equal(X509_REQ_set_pubkey(req, key), 1);
    assert_true(X509_REQ_sign(req, key, EVP_sha256()) > 0);
    BIO *out = BIO_new(BIO_s_mem());
    assert_int_equal(PEM_write_bio_X509_REQ(out, req), 1);
    char *data = NULL;
    long n = BIO_get_mem_data(out, &data);
    char *copy = calloc(1, (size_t)n + 1);
    memcpy(copy, data, (size_t)n);
    BIO_free(out);
    X509_NAME_free(name);
    X509_REQ_free(req);
    return copy;
}

/* A certificate for subject_key with CN cn, signed by issuer_key. */
static X509 *cert_for(EVP_PKEY *subject_key, const char *cn, EVP_PKEY *issuer_key, const char *issuer_cn)
{
    X509 *cert = X509_new();
    X509_NAME *subject = name_of(cn), *issuer = name_of(issuer_cn);
    assert_int_equal(X509_set_version(cert, 2), 1);
    ASN1_INTEGER_set(X509_get_serialNumber(cert), 42);
    X509_set_subject_name(cert, subject);
    X509_set_issuer_name(cert, issuer);
    X509_gmtime_adj(X509_getm_notBefore(cert), 0);
    X509_gmtime_adj(X509_getm_notAfter(cert), 86400);
    X509_set_pubkey(cert, subject_key);
    assert_true(X509_sign(cert, issuer_key, EVP_sha256()) > 0);
    X509_NAME_free(subject);
    X509_NAME_free(issuer);
    return cert;
}

static char *base64_of(const unsigned char *der, int len)
{
    char *text = calloc(1, (size_t)(len + 2) / 3 * 4 + 1);
    EVP_EncodeBlock((unsigned char *)text, der, len);
    return text;
}

/* base64 DER of a certs-only PKCS#7 (what `openssl crl2pkcs7 -nocrl` makes),
 * followed by extra zero bytes. */
static char *certs_only_then(X509 *const *certs, int n, int extra)
{
    PKCS7 *p7 = PKCS7_new();
    assert_int_equal(PKCS7_set_type(p7, NID_pkcs7_signed), 1);
    assert_int_equal(PKCS7_content_new(p7, NID_pkcs7_data), 1);
    for (int i = 0; i < n; i++)
        assert_int_equal(PKCS7_add_certificate(p7, certs[i]), 1);
    unsigned char *der = NULL;
    int len = i2d_PKCS7(p7, &der);
    assert_true(len > 0);
    unsigned char *longer = calloc(1, (size_t)(len + extra));
    memcpy(longer, der, (size_t)len);
    char *text = base64_of(longer, len + extra);
    free(longer);
    OPENSSL_free(der);
    PKCS7_free(p7);
    return text;
}

static char *certs_only(X509 *const *certs, int n)
{
    return certs_only_then(certs, n, 0);
}

static char *pem_of(X509 *cert)
{
    BIO *out = BIO_new(BIO_s_mem());
    PEM_write_bio_X509(out, cert);
    char *data = NULL;
    long n = BIO_get_mem_data(out, &data);
    char *copy = calloc(1, (size_t)n + 1);
    memcpy(copy, data, (size_t)n);
    BIO_free(out);
    return copy;
}

static void spki_of(EVP_PKEY *key, uint8_t **spki, size_t *len)
{
    unsigned char *der = NULL;
    int n = i2d_PUBKEY(key, &der);
    assert_true(n > 0);
    *spki = malloc((size_t)n);
    memcpy(*spki, der, (size_t)n);
    *len = (size_t)n;
    OPENSSL_free(der);
}

/* ---- request -------------------------------------------------------------- */

/* The PEM body: the lines between BEGIN and END, each with its "\n". */
static char *pem_body(const char *pem)
{
    const char *start = strchr(pem, '\n') + 1;
    const char *end = strstr(pem, "-----END");
    char *body = calloc(1, (size_t)(end - start) + 1);
    memcpy(body, start, (size_t)(end - start));
    return body;
}

static void test_request_body_is_the_pem_body_and_names_the_key(void **state)
{
    (void)state;
    EVP_PKEY *key = new_key();
    char *pem = csr_pem(key, "device-01");
    char *body = NULL, err[256] = "";
    uint8_t *spki = NULL, *want = NULL;
    size_t body_len = 0, spki_len = 0, want_len = 0;
    assert_int_equal(te_est_request_body(pem, strlen(pem), &body, &body_len, &spki, &spki_len, err, sizeof err),
                     TE_OK);
    char *expected = pem_body(pem);
    assert_string_equal(body, expected);
    assert_int_equal(body_len, strlen(expected));
    spki_of(key, &want, &want_len);
    assert_int_equal(spki_len, want_len);
    assert_memory_equal(spki, want, want_len);
    free(expected), free(body), free(spki), free(want), free(pem);
    EVP_PKEY_free(key);
}

static void test_request_accepts_text_before_and_the_new_header(void **state)
{
    (void)state;
    EVP_PKEY *key = new_key();
    char *pem = csr_pem(key, "device-02");
    char *inner = pem_body(pem);
    /* as gnutls certtool writes a request: a description, then the PEM */
    char certtool[4096];
    snprintf(certtool, sizeof certtool,
             "PKCS #10 Certificate Request Information:\n\tVersion: 1\n\tSubject: CN=device-02\n\n"
             "-----BEGIN NEW CERTIFICATE REQUEST-----\n%s-----END NEW CERTIFICATE REQUEST-----\n", inner);
    char *body = NULL, err[256] = "";
    uint8_t *spki = NULL;
    size_t body_len = 0, spki_len = 0;
    assert_int_equal(te_est_request_body(certtool, strlen(certtool), &body, &body_len, &spki, &spki_len, err,
                                         sizeof err), TE_OK);
    assert_string_equal(body, inner);
    free(body), free(spki), free(inner), free(pem);
    EVP_PKEY_free(key);
}

static void test_request_rejects_what_is_not_a_csr(void **state)
{
    (void)state;
    static const struct { const char *text; const char *reason; } cases[] = {
        {"", "no PEM certificate signing request"},
        {"hello\n", "no PEM certificate signing request"},
        {"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n", "no PEM certificate signing request"},
        {"-----BEGIN CERTIFICATE REQUEST-----\naGVsbG8=\n-----END CERTIFICATE REQUEST-----\n",
         "not a PKCS#10 certificate signing request"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *body = NULL, err[256] = "";
        uint8_t *spki = NULL;
        size_t body_len = 0, spki_len = 0;
        assert_int_equal(te_est_request_body(cases[i].text, strlen(cases[i].text), &body, &body_len, &spki,
                                             &spki_len, err, sizeof err), TE_ERR_PARSE);
        assert_null(body);
        assert_null(spki);
        assert_non_null(strstr(err, cases[i].reason));
    }
}

static void test_request_too_big_is_refused(void **state)
{
    (void)state;
    size_t len = TE_EST_MAX_CSR_BYTES + 1;
    char *big = malloc(len);
    memset(big, 'A', len);
    char *body = NULL, err[256] = "";
    uint8_t *spki = NULL;
    size_t body_len = 0, spki_len = 0;
    assert_int_equal(te_est_request_body(big, len, &body, &body_len, &spki, &spki_len, err, sizeof err),
                     TE_ERR_TOOBIG);
    free(big);
}

/* ---- response ------------------------------------------------------------- */

typedef struct pki {
    EVP_PKEY *ca_key, *device_key, *other_key;
    X509 *ca, *device, *other;
    uint8_t *spki;
    size_t spki_len;
} pki_t;

static int pki_setup(void **state)
{
    pki_t *p = calloc(1, sizeof *p);
    p->ca_key = new_key();
    p->device_key = new_key();
    p->other_key = new_key();
    p->ca = cert_for(p->ca_key, "Test CA", p->ca_key, "Test CA");
    p->device = cert_for(p->device_key, "device-01", p->ca_key, "Test CA");
    p->other = cert_for(p->other_key, "device-01", p->ca_key, "Test CA");
    spki_of(p->device_key, &p->spki, &p->spki_len);
    *state = p;
    return 0;
}

static int pki_teardown(void **state)
{
    pki_t *p = *state;
    X509_free(p->ca), X509_free(p->device), X509_free(p->other);
    EVP_PKEY_free(p->ca_key), EVP_PKEY_free(p->device_key), EVP_PKEY_free(p->other_key);
    free(p->spki);
    free(p);
    return 0;
}

static void test_response_puts_the_device_certificate_first(void **state)
{
    pki_t *p = *state;
    X509 *chain[] = {p->ca, p->device}; /* the CA sends its own first */
    char *body = certs_only(chain, 2);
    char *pem = NULL, err[256] = "";
    size_t pem_len = 0;
    assert_int_equal(te_est_response_certs(body, strlen(body), p->spki, p->spki_len, &pem, &pem_len, err,
                                           sizeof err), TE_OK);
    char *device = pem_of(p->device), *ca = pem_of(p->ca);
    assert_int_equal(pem_len, strlen(device) + strlen(ca));
    assert_memory_equal(pem, device, strlen(device));
    assert_string_equal(pem + strlen(device), ca);
    free(device), free(ca), free(pem), free(body);
}

static void test_response_split_in_lines_with_crlf_decodes(void **state)
{
    pki_t *p = *state;
    X509 *chain[] = {p->device};
    char *body = certs_only(chain, 1);
    size_t n = strlen(body);
    char *lines = calloc(1, n * 2 + 8);
    size_t k = 0;
    lines[k++] = '\n';
    for (size_t i = 0; i < n; i++) {
        lines[k++] = body[i];
        if (i % 64 == 63) {
            lines[k++] = '\r';
            lines[k++] = '\n';
        }
    }
    lines[k++] = '\n';
    char *pem = NULL, err[256] = "";
    size_t pem_len = 0;
    assert_int_equal(te_est_response_certs(lines, k, p->spki, p->spki_len, &pem, &pem_len, err, sizeof err),
                     TE_OK);
    char *device = pem_of(p->device);
    assert_string_equal(pem, device);
    free(device), free(pem), free(lines), free(body);
}

static void test_response_for_another_key_is_refused(void **state)
{
    pki_t *p = *state;
    X509 *chain[] = {p->other, p->ca};
    char *body = certs_only(chain, 2);
    char *pem = NULL, err[256] = "";
    size_t pem_len = 0;
    assert_int_equal(te_est_response_certs(body, strlen(body), p->spki, p->spki_len, &pem, &pem_len, err,
                                           sizeof err), TE_ERR_INVAL);
    assert_null(pem);
    assert_string_equal(err, "none of the 2 certificate(s) received holds the public key of the certificate "
                             "signing request");
    free(body);
}

static char *pkcs7_without_certs(int type)
{
    PKCS7 *p7 = PKCS7_new();
    assert_int_equal(PKCS7_set_type(p7, type), 1);
    if (type == NID_pkcs7_signed)
        assert_int_equal(PKCS7_content_new(p7, NID_pkcs7_data), 1);
    unsigned char *der = NULL;
    int len = i2d_PKCS7(p7, &der);
    assert_true(len > 0);
    char *text = base64_of(der, len);
    OPENSSL_free(der);
    PKCS7_free(p7);
    return text;
}

static void test_response_that_is_no_certs_only_pkcs7_is_refused(void **state)
{
    pki_t *p = *state;
    char *no_certs = pkcs7_without_certs(NID_pkcs7_signed);
    char *data_type = pkcs7_without_certs(NID_pkcs7_data);
    X509 *chain[] = {p->device};
    char *trailing = certs_only_then(chain, 1, 3);
    char *device_pem = pem_of(p->device);
    const struct { const char *body; const char *reason; } cases[] = {
        {"", "the response is empty"},
        {" \r\n", "the response is empty"},
        {"<html>Bad Gateway</html>", "the response is not base64: invalid byte 0x3c at offset 0"},
        {device_pem, "the response is not base64: invalid byte 0x2d at offset 0"},
        {"aGVsbG8", "the response is not base64: the text ends inside a group of 4 characters"},
        {"aGVsbG8=", "Invalid pkcs#7 certificate"},
        {"MAA=", "Invalid pkcs#7 certificate"},
        {trailing, "Invalid pkcs#7 certificate: 3 bytes after its end"},
        {no_certs, "No certificate found in pkcs#7 content"},
        {data_type, "Invalid pkcs#7 certificate: the content type is pkcs7-data, not signedData"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *pem = NULL, err[256] = "";
        size_t pem_len = 0;
        te_err_t rc = te_est_response_certs(cases[i].body, strlen(cases[i].body), p->spki, p->spki_len, &pem,
                                            &pem_len, err, sizeof err);
        if (rc != TE_ERR_PARSE || strncmp(err, cases[i].reason, strlen(cases[i].reason)) != 0)
            fail_msg("case %zu: rc %d, err '%s', expected '%s'", i, rc, err, cases[i].reason);
        assert_null(pem);
    }
    free(no_certs), free(data_type), free(trailing), free(device_pem);
}

static void test_response_too_big_is_refused(void **state)
{
    pki_t *p = *state;
    size_t len = TE_EST_MAX_RESPONSE_BYTES + 1;
    char *big = malloc(len);
    memset(big, 'A', len);
    char *pem = NULL, err[256] = "";
    size_t pem_len = 0;
    assert_int_equal(te_est_response_certs(big, len, p->spki, p->spki_len, &pem, &pem_len, err, sizeof err),
                     TE_ERR_TOOBIG);
    assert_null(pem);
    free(big);
}

/* ---- base64 ---------------------------------------------------------------- */

static void test_base64_decoding_is_strict(void **state)
{
    (void)state;
    static const struct { const char *text; te_err_t rc; const char *out; const char *reason; } cases[] = {
        {"", TE_OK, "", NULL},
        {"aGVsbG8=", TE_OK, "hello", NULL},
        {"aGVs\nbG8=\n", TE_OK, "hello", NULL},
        {" aG Vs\tbG\r\n8= ", TE_OK, "hello", NULL},
        {"aGk=", TE_OK, "hi", NULL},
        {"aA==", TE_OK, "h", NULL},
        {"aGVsbA==", TE_OK, "hell", NULL},
        {"aGVsbG8", TE_ERR_PARSE, NULL, "the text ends inside a group of 4 characters (missing padding?)"},
        {"aGVsbG8-", TE_ERR_PARSE, NULL, "invalid byte 0x2d at offset 7"},
        {"aGVs_bG8=", TE_ERR_PARSE, NULL, "invalid byte 0x5f at offset 4"},
        {"=aGV", TE_ERR_PARSE, NULL, "invalid padding at offset 0"},
        {"a===", TE_ERR_PARSE, NULL, "invalid padding at offset 1"},
        {"aG=s", TE_ERR_PARSE, NULL, "invalid byte 0x73 at offset 3"},
        {"aA==aA==", TE_ERR_PARSE, NULL, "invalid byte 0x61 at offset 4"},
        {"aGk==", TE_ERR_PARSE, NULL, "invalid padding at offset 4"},
        {"aB==", TE_ERR_PARSE, NULL, "non-zero unused bits before the padding at offset 3"},
        {"aGl=", TE_ERR_PARSE, NULL, "non-zero unused bits before the padding at offset 3"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        uint8_t out[64];
        size_t n = 99;
        char err[128] = "";
        te_err_t rc = te_est_base64_decode(cases[i].text, strlen(cases[i].text), out, sizeof out, &n, err,
                                           sizeof err);
        if (rc != cases[i].rc)
            fail_msg("case %zu (%s): rc %d, err '%s'", i, cases[i].text, rc, err);
        if (cases[i].out) {
            assert_int_equal(n, strlen(cases[i].out));
            assert_memory_equal(out, cases[i].out, n);
        } else {
            assert_string_equal(err, cases[i].reason);
        }
    }
}

static void test_base64_output_that_does_not_fit_is_refused(void **state)
{
    (void)state;
    uint8_t out[4];
    size_t n = 0;
    assert_int_equal(te_est_base64_decode("aGVsbG8=", 8, out, sizeof out, &n, NULL, 0), TE_ERR_TOOBIG);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_request_body_is_the_pem_body_and_names_the_key),
        cmocka_unit_test(test_request_accepts_text_before_and_the_new_header),
        cmocka_unit_test(test_request_rejects_what_is_not_a_csr),
        cmocka_unit_test(test_request_too_big_is_refused),
        cmocka_unit_test_setup_teardown(test_response_puts_the_device_certificate_first, pki_setup, pki_teardown),
        cmocka_unit_test_setup_teardown(test_response_split_in_lines_with_crlf_decodes, pki_setup, pki_teardown),
        cmocka_unit_test_setup_teardown(test_response_for_another_key_is_refused, pki_setup, pki_teardown),
        cmocka_unit_test_setup_teardown(test_response_that_is_no_certs_only_pkcs7_is_refused, pki_setup,
                                        pki_teardown),
        cmocka_unit_test_setup_teardown(test_response_too_big_is_refused, pki_setup, pki_teardown),
        cmocka_unit_test(test_base64_decoding_is_strict),
        cmocka_unit_test(test_base64_output_that_does_not_fit_is_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
