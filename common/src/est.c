/* est: EST simple re-enrollment messages (RFC 7030 §4.2.2), with OpenSSL 3
 * for the ASN.1 and a strict base64 codec of our own (OpenSSL's
 * EVP_DecodeBlock accepts what RFC 4648 does not, and BIO_f_base64 silently
 * stops at garbage). */
#include "tedge/est.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/pkcs7.h>
#include <openssl/x509.h>

#define LINE_CHARS 64 /* base64 characters a line, as PEM */

static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* What OpenSSL said last (or fallback), and its error queue cleared. */
static void ossl_reason(char *err, size_t errlen, const char *context)
{
    unsigned long code = ERR_peek_last_error();
    const char *reason = code ? ERR_reason_error_string(code) : NULL;
    if (reason)
        te_errf(err, errlen, "%s: %s", context, reason);
    else
        te_errf(err, errlen, "%s", context);
    ERR_clear_error();
}

/* Base64 of data in lines of LINE_CHARS, each ending "\n"; *out malloc'd. */
static te_err_t base64_lines(const uint8_t *data, size_t len, char **out, size_t *out_len)
{
    size_t chars = (len + 2) / 3 * 4;
    size_t lines = (chars + LINE_CHARS - 1) / LINE_CHARS;
    char *text = malloc(chars + lines + 1);
    if (!text)
        return TE_ERR_NOMEM;
    size_t n = 0, on_line = 0;
    for (size_t i = 0; i < len; i += 3) {
        uint32_t v = (uint32_t)data[i] << 16;
        size_t left = len - i;
        if (left > 1)
            v |= (uint32_t)data[i + 1] << 8;
        if (left > 2)
            v |= data[i + 2];
        char quad[4] = {alphabet[(v >> 18) & 63], alphabet[(v >> 12) & 63],
                        left > 1 ? alphabet[(v >> 6) & 63] : '=', left > 2 ? alphabet[v & 63] : '='};
        for (int k = 0; k < 4; k++) {
            text[n++] = quad[k];
            if (++on_line == LINE_CHARS) {
                text[n++] = '\n';
                on_line = 0;
            }
        }
    }
    if (on_line)
        text[n++] = '\n';
    text[n] = '\0';
    *out = text;
    *out_len = n;
    return TE_OK;
}

static int sextet(unsigned char c)
{
    const char *at = c ? strchr(alphabet, c) : NULL;
    return at ? (int)(at - alphabet) : -1;
}

static bool is_space(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

te_err_t te_est_base64_decode(const char *text, size_t len, uint8_t *out, size_t outlen, size_t *decoded,
                              char *err, size_t errlen)
{
    uint32_t acc = 0;
    size_t in_quad = 0, n = 0, pad = 0;
    *decoded = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)text[i];
        if (is_space(c))
            continue;
        if (c == '=') {
            /* padding: only the last one or two characters of a quad */
            if (in_quad < 2 || pad > 2) {
                te_errf(err, errlen, "invalid padding at offset %zu", i);
                return TE_ERR_PARSE;
            }
            pad++;
            acc <<= 6;
            if (++in_quad < 4)
                continue;
        } else {
            int v = sextet(c);
            if (v < 0 || pad) {
                te_errf(err, errlen, "invalid byte 0x%02x at offset %zu", c, i);
                return TE_ERR_PARSE;
            }
            acc = acc << 6 | (uint32_t)v;
            if (++in_quad < 4)
                continue;
        }
        size_t bytes = 3 - pad;
        uint32_t spare = pad == 2 ? (acc >> 12) & 0xF : pad == 1 ? (acc >> 6) & 0x3 : 0;
        if (spare) {
            te_errf(err, errlen, "non-zero unused bits before the padding at offset %zu", i);
            return TE_ERR_PARSE;
        }
        if (n + bytes > outlen)
            return TE_ERR_TOOBIG;
        uint8_t triple[3] = {(uint8_t)(acc >> 16), (uint8_t)(acc >> 8), (uint8_t)acc};
        memcpy(out + n, triple, bytes);
        n += bytes;
        in_quad = 0;
        acc = 0;
        if (pad)
            pad = 3; /* a padded quad ends the text: anything after is an error */
    }
    if (in_quad != 0) {
        te_errf(err, errlen, "the text ends inside a group of 4 characters (missing padding?)");
        return TE_ERR_PARSE;
    }
    *decoded = n;
    return TE_OK;
}

/* Never ask for a passphrase: an encrypted PEM block is just an error. */
static int no_passphrase(char *buf, int size, int rwflag, void *u)
{
    (void)buf, (void)size, (void)rwflag, (void)u;
    return -1;
}

te_err_t te_est_request_body(const char *csr_pem, size_t len, char **body, size_t *body_len, uint8_t **spki,
                             size_t *spki_len, char *err, size_t errlen)
{
    *body = NULL;
    *spki = NULL;
    if (len > TE_EST_MAX_CSR_BYTES) {
        te_errf(err, errlen, "the certificate signing request is larger than %d bytes", TE_EST_MAX_CSR_BYTES);
        return TE_ERR_TOOBIG;
    }
    BIO *in = BIO_new_mem_buf(csr_pem, (int)len);
    if (!in)
        return TE_ERR_NOMEM;
    X509_REQ *req = PEM_read_bio_X509_REQ(in, NULL, no_passphrase, NULL);
    BIO_free(in);
    if (!req) {
        unsigned long code = ERR_peek_last_error();
        if (ERR_GET_LIB(code) == ERR_LIB_PEM && ERR_GET_REASON(code) == PEM_R_NO_START_LINE) {
            ERR_clear_error();
            te_errf(err, errlen, "no PEM certificate signing request (-----BEGIN CERTIFICATE REQUEST-----) found");
        } else {
            ossl_reason(err, errlen, "not a PKCS#10 certificate signing request");
        }
        return TE_ERR_PARSE;
    }
    te_err_t rc = TE_OK;
    unsigned char *der = NULL, *key_der = NULL;
    int der_len = i2d_X509_REQ(req, &der);
    EVP_PKEY *key = X509_REQ_get0_pubkey(req);
    int key_len = key ? i2d_PUBKEY(key, &key_der) : -1;
    if (der_len <= 0 || key_len <= 0) {
        ossl_reason(err, errlen, "unreadable certificate signing request");
        rc = TE_ERR_PARSE;
    } else if ((rc = base64_lines(der, (size_t)der_len, body, body_len)) == TE_OK) {
        *spki = malloc((size_t)key_len);
        if (*spki) {
            memcpy(*spki, key_der, (size_t)key_len);
            *spki_len = (size_t)key_len;
        } else {
            free(*body);
            *body = NULL;
            rc = TE_ERR_NOMEM;
        }
    }
    OPENSSL_free(der);
    OPENSSL_free(key_der);
    X509_REQ_free(req);
    ERR_clear_error();
    return rc;
}

/* The PEM of the certificates of certs, certs[first] first. */
static te_err_t chain_pem(STACK_OF(X509) *certs, int first, char **pem, size_t *pem_len)
{
    BIO *out = BIO_new(BIO_s_mem());
    if (!out)
        return TE_ERR_NOMEM;
    te_err_t rc = PEM_write_bio_X509(out, sk_X509_value(certs, first)) ? TE_OK : TE_ERR_NOMEM;
    for (int i = 0; rc == TE_OK && i < sk_X509_num(certs); i++)
        if (i != first && !PEM_write_bio_X509(out, sk_X509_value(certs, i)))
            rc = TE_ERR_NOMEM;
    char *data = NULL;
    long n = BIO_get_mem_data(out, &data);
    if (rc == TE_OK && n > 0 && (*pem = malloc((size_t)n + 1)) != NULL) {
        memcpy(*pem, data, (size_t)n);
        (*pem)[n] = '\0';
        *pem_len = (size_t)n;
    } else {
        rc = TE_ERR_NOMEM;
    }
    BIO_free(out);
    return rc;
}

te_err_t te_est_response_certs(const char *body, size_t len, const uint8_t *spki, size_t spki_len, char **pem,
                               size_t *pem_len, char *err, size_t errlen)
{
    *pem = NULL;
    if (len > TE_EST_MAX_RESPONSE_BYTES) {
        te_errf(err, errlen, "the response is larger than %d bytes", TE_EST_MAX_RESPONSE_BYTES);
        return TE_ERR_TOOBIG;
    }
    size_t cap = len / 4 * 3 + 3, der_len = 0;
    uint8_t *der = malloc(cap);
    if (!der)
        return TE_ERR_NOMEM;
    char why[256];
    te_err_t rc = te_est_base64_decode(body, len, der, cap, &der_len, why, sizeof why);
    if (rc != TE_OK) {
        te_errf(err, errlen, "the response is not base64: %s", why);
        free(der);
        return TE_ERR_PARSE;
    }
    if (der_len == 0) {
        te_errf(err, errlen, "the response is empty: a base64 PKCS#7 certs-only message was expected");
        free(der);
        return TE_ERR_PARSE;
    }
    const unsigned char *p = der;
    PKCS7 *p7 = d2i_PKCS7(NULL, &p, (long)der_len);
    size_t used = (size_t)(p - der);
    free(der);
    if (!p7) {
        ossl_reason(err, errlen, "Invalid pkcs#7 certificate");
        return TE_ERR_PARSE;
    }
    if (used != der_len) {
        PKCS7_free(p7);
        te_errf(err, errlen, "Invalid pkcs#7 certificate: %zu bytes after its end", der_len - used);
        return TE_ERR_PARSE;
    }
    STACK_OF(X509) *certs = PKCS7_type_is_signed(p7) && p7->d.sign ? p7->d.sign->cert : NULL;
    if (!PKCS7_type_is_signed(p7)) {
        te_errf(err, errlen, "Invalid pkcs#7 certificate: the content type is %s, not signedData",
                OBJ_nid2sn(OBJ_obj2nid(p7->type)));
        PKCS7_free(p7);
        return TE_ERR_PARSE;
    }
    if (!certs || sk_X509_num(certs) == 0) {
        te_errf(err, errlen, "No certificate found in pkcs#7 content");
        PKCS7_free(p7);
        return TE_ERR_PARSE;
    }
    const unsigned char *k = spki;
    EVP_PKEY *want = d2i_PUBKEY(NULL, &k, (long)spki_len);
    if (!want) {
        ossl_reason(err, errlen, "unreadable public key of the request");
        PKCS7_free(p7);
        return TE_ERR_PARSE;
    }
    int match = -1;
    for (int i = 0; i < sk_X509_num(certs) && match < 0; i++) {
        EVP_PKEY *key = X509_get0_pubkey(sk_X509_value(certs, i));
        if (key && EVP_PKEY_eq(key, want) == 1)
            match = i;
    }
    EVP_PKEY_free(want);
    if (match < 0) {
        te_errf(err, errlen,
                "none of the %d certificate(s) received holds the public key of the certificate signing request",
                sk_X509_num(certs));
        rc = TE_ERR_INVAL;
    } else {
        rc = chain_pem(certs, match, pem, pem_len);
    }
    PKCS7_free(p7);
    ERR_clear_error();
    return rc;
}
