/* cert_x509: keys, self-signed certificates, CSRs and certificate details
 * with OpenSSL 3's EVP and X509 APIs. The certificate is rcgen's as
 * thin-edge.io builds it, so a device can swap implementations and keep its
 * identity: same subject, same serial rule, same extensions. */
#include "cert_x509.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/sha.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "tedge/certutil.h"

#define SERIAL_BYTES 20 /* RFC 5280's maximum, and rcgen's default length */
#define MAX_PEM_BYTES (1024 * 1024)

/* Puts what OpenSSL said (or fallback) into err and clears its error queue. */
static void ossl_reason(char *err, size_t errlen, const char *fallback)
{
    unsigned long code = ERR_peek_last_error();
    if (code && errlen) {
        char text[256];
        ERR_error_string_n(code, text, sizeof text);
        snprintf(err, errlen, "%s: %s", fallback, text);
    } else if (errlen) {
        snprintf(err, errlen, "%s", fallback);
    }
    ERR_clear_error();
}

/* Copies a memory BIO's content into a malloc'd NUL-terminated buffer. */
static te_err_t bio_to_buffer(BIO *bio, char **out, size_t *len)
{
    char *data = NULL;
    long n = BIO_get_mem_data(bio, &data);
    if (n < 0 || n > MAX_PEM_BYTES)
        return TE_ERR_TOOBIG;
    char *copy = malloc((size_t)n + 1);
    if (!copy)
        return TE_ERR_NOMEM;
    memcpy(copy, data, (size_t)n);
    copy[n] = '\0';
    *out = copy;
    if (len)
        *len = (size_t)n;
    return TE_OK;
}

void cert_pem_free_secret(char *pem, size_t len)
{
    if (!pem)
        return;
    OPENSSL_cleanse(pem, len);
    free(pem);
}

te_err_t cert_key_generate(EVP_PKEY **key, char *err, size_t errlen)
{
    *key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    if (!*key) {
        ossl_reason(err, errlen, "Cryptography related error");
        return TE_ERR_IO;
    }
    return TE_OK;
}

/* Never ask for a passphrase on the terminal: an encrypted key is an error. */
static int no_passphrase(char *buf, int size, int rwflag, void *u)
{
    (void)buf, (void)size, (void)rwflag, (void)u;
    return -1;
}

te_err_t cert_key_from_pem(const char *pem, size_t len, EVP_PKEY **key, char *err, size_t errlen)
{
    *key = NULL;
    BIO *bio = BIO_new_mem_buf(pem, (int)len);
    if (bio) {
        *key = PEM_read_bio_PrivateKey(bio, NULL, no_passphrase, NULL);
        BIO_free(bio);
    }
    if (!*key) {
        ossl_reason(err, errlen, "Fail to parse the private key");
        return TE_ERR_PARSE;
    }
    return TE_OK;
}

te_err_t cert_key_to_pem(EVP_PKEY *key, char **pem, size_t *len, char *err, size_t errlen)
{
    *pem = NULL;
    BIO *bio = BIO_new(BIO_s_secmem());
    if (!bio)
        bio = BIO_new(BIO_s_mem());
    te_err_t rc = TE_ERR_IO;
    if (bio && PEM_write_bio_PrivateKey(bio, key, NULL, NULL, 0, NULL, NULL) == 1)
        rc = bio_to_buffer(bio, pem, len);
    if (rc != TE_OK)
        ossl_reason(err, errlen, "Cryptography related error");
    BIO_free(bio);
    return rc;
}

/* The raw public key (the SPKI BIT STRING content: 04||X||Y for P-256) and
 * the SPKI DER, the inputs of the serial number and of the SKI. */
static te_err_t public_key_digests(EVP_PKEY *key, uint8_t serial[SERIAL_BYTES], uint8_t ski[SERIAL_BYTES])
{
    X509_PUBKEY *spki = NULL;
    if (X509_PUBKEY_set(&spki, key) != 1)
        return TE_ERR_IO;
    const unsigned char *point = NULL;
    int point_len = 0;
    unsigned char *der = NULL;
    int der_len = i2d_X509_PUBKEY(spki, &der);
    te_err_t rc = TE_ERR_IO;
    if (der_len > 0 && X509_PUBKEY_get0_param(NULL, &point, &point_len, NULL, spki) == 1) {
        uint8_t digest[SHA256_DIGEST_LENGTH];
        SHA256(point, (size_t)point_len, digest);
        memcpy(serial, digest, SERIAL_BYTES);
        serial[0] &= 0x7f; /* positive, so it stays within 20 bytes once DER-encoded */
        SHA256(der, (size_t)der_len, digest);
        memcpy(ski, digest, SERIAL_BYTES);
        rc = TE_OK;
    }
    OPENSSL_free(der);
    X509_PUBKEY_free(spki);
    return rc;
}

static X509_NAME *make_name(const cert_subject_t *subject)
{
    X509_NAME *name = X509_NAME_new();
    const struct { const char *field; const char *value; } rdns[] = {
        {"CN", subject->common_name},
        {"O", subject->organization},
        {"OU", subject->organization_unit},
    };
    for (size_t i = 0; name && i < sizeof rdns / sizeof rdns[0]; i++) {
        if (X509_NAME_add_entry_by_txt(name, rdns[i].field, MBSTRING_UTF8,
                                       (const unsigned char *)rdns[i].value, -1, -1, 0) != 1) {
            X509_NAME_free(name);
            name = NULL;
        }
    }
    return name;
}

/* Ed25519/Ed448 keys sign without a separate digest. */
static const EVP_MD *digest_for(EVP_PKEY *key)
{
    int id = EVP_PKEY_get_id(key);
    return (id == EVP_PKEY_ED25519 || id == EVP_PKEY_ED448) ? NULL : EVP_sha256();
}

static te_err_t add_extensions(X509 *cert, const uint8_t ski[SERIAL_BYTES])
{
    ASN1_OCTET_STRING *key_id = ASN1_OCTET_STRING_new();
    BASIC_CONSTRAINTS *constraints = BASIC_CONSTRAINTS_new();
    te_err_t rc = TE_ERR_IO;
    if (key_id && constraints && ASN1_OCTET_STRING_set(key_id, ski, SERIAL_BYTES) == 1) {
        /* CA:TRUE without a path length: Cumulocity rejects the upload otherwise. */
        constraints->ca = 0xff;
        if (X509_add1_ext_i2d(cert, NID_subject_key_identifier, key_id, 0, X509V3_ADD_DEFAULT) == 1 &&
            X509_add1_ext_i2d(cert, NID_basic_constraints, constraints, 1, X509V3_ADD_DEFAULT) == 1)
            rc = TE_OK;
    }
    ASN1_OCTET_STRING_free(key_id);
    BASIC_CONSTRAINTS_free(constraints);
    return rc;
}

te_err_t cert_selfsigned_pem(EVP_PKEY *key, const cert_subject_t *subject, int64_t not_before,
                             uint64_t days, char **pem, size_t *len, char *err, size_t errlen)
{
    *pem = NULL;
    /* Beyond year 9999 there is no X.509 time to write. */
    const uint64_t max_days = 3000000;
    if (days > max_days) {
        snprintf(err, errlen, "The requested validity of %llu days is too long", (unsigned long long)days);
        return TE_ERR_RANGE;
    }
    uint8_t serial_bytes[SERIAL_BYTES], ski[SERIAL_BYTES];
    X509 *cert = X509_new();
    X509_NAME *name = make_name(subject);
    BIGNUM *serial = NULL;
    BIO *bio = NULL;
    te_err_t rc = TE_ERR_IO;
    if (!cert || !name || public_key_digests(key, serial_bytes, ski) != TE_OK)
        goto out;
    serial = BN_bin2bn(serial_bytes, SERIAL_BYTES, NULL);
    if (!serial || !BN_to_ASN1_INTEGER(serial, X509_get_serialNumber(cert)))
        goto out;
    if (X509_set_version(cert, X509_VERSION_3) != 1 || X509_set_subject_name(cert, name) != 1 ||
        X509_set_issuer_name(cert, name) != 1 || X509_set_pubkey(cert, key) != 1)
        goto out;
    time_t start = (time_t)not_before;
    time_t end = (time_t)(not_before + (int64_t)days * 86400);
    if (!ASN1_TIME_set(X509_getm_notBefore(cert), start) || !ASN1_TIME_set(X509_getm_notAfter(cert), end)) {
        rc = TE_ERR_RANGE;
        goto out;
    }
    if (add_extensions(cert, ski) != TE_OK || X509_sign(cert, key, digest_for(key)) <= 0)
        goto out;
    bio = BIO_new(BIO_s_mem());
    if (bio && PEM_write_bio_X509(bio, cert) == 1)
        rc = bio_to_buffer(bio, pem, len);
out:
    if (rc != TE_OK)
        ossl_reason(err, errlen, rc == TE_ERR_RANGE ? "The certificate validity cannot be encoded"
                                                    : "Cryptography related error");
    BIO_free(bio);
    BN_free(serial);
    X509_NAME_free(name);
    X509_free(cert);
    return rc;
}

te_err_t cert_csr_pem(EVP_PKEY *key, const cert_subject_t *subject, char **pem, size_t *len,
                      char *err, size_t errlen)
{
    *pem = NULL;
    X509_REQ *req = X509_REQ_new();
    X509_NAME *name = make_name(subject);
    BIO *bio = NULL;
    te_err_t rc = TE_ERR_IO;
    if (req && name && X509_REQ_set_version(req, X509_REQ_VERSION_1) == 1 &&
        X509_REQ_set_subject_name(req, name) == 1 && X509_REQ_set_pubkey(req, key) == 1 &&
        X509_REQ_sign(req, key, digest_for(key)) > 0) {
        bio = BIO_new(BIO_s_mem());
        if (bio && PEM_write_bio_X509_REQ(bio, req) == 1)
            rc = bio_to_buffer(bio, pem, len);
    }
    if (rc != TE_OK)
        ossl_reason(err, errlen, "Cryptography related error");
    BIO_free(bio);
    X509_NAME_free(name);
    X509_REQ_free(req);
    return rc;
}

/* "CN=alpha, O=Thin Edge, OU=Device" as x509-parser prints a name: RDNs
 * joined by ", ", attributes of one RDN by " + ", values unescaped. */
static char *name_text(const X509_NAME *name)
{
    BIO *bio = BIO_new(BIO_s_mem());
    if (!bio)
        return NULL;
    int previous_set = -1;
    for (int i = 0; i < X509_NAME_entry_count(name); i++) {
        const X509_NAME_ENTRY *entry = X509_NAME_get_entry(name, i);
        int set = X509_NAME_ENTRY_set(entry);
        if (i > 0)
            BIO_puts(bio, set == previous_set ? " + " : ", ");
        previous_set = set;
        const ASN1_OBJECT *obj = X509_NAME_ENTRY_get_object(entry);
        int nid = OBJ_obj2nid(obj);
        char oid[80];
        const char *field = nid != NID_undef ? OBJ_nid2sn(nid) : NULL;
        if (!field) {
            OBJ_obj2txt(oid, sizeof oid, obj, 1);
            field = oid;
        }
        unsigned char *utf8 = NULL;
        int n = ASN1_STRING_to_UTF8(&utf8, X509_NAME_ENTRY_get_data(entry));
        BIO_printf(bio, "%s=", field);
        if (n > 0)
            BIO_write(bio, utf8, n);
        OPENSSL_free(utf8);
    }
    char *text = NULL;
    if (bio_to_buffer(bio, &text, NULL) != TE_OK)
        text = NULL;
    BIO_free(bio);
    ERR_clear_error();
    return text;
}

static char *common_name(const X509_NAME *name)
{
    int index = X509_NAME_get_index_by_NID(name, NID_commonName, -1);
    unsigned char *utf8 = NULL;
    int n = index < 0 ? -1 : ASN1_STRING_to_UTF8(&utf8, X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, index)));
    char *text = malloc(n > 0 ? (size_t)n + 1 : 1);
    if (text) {
        if (n > 0)
            memcpy(text, utf8, (size_t)n);
        text[n > 0 ? n : 0] = '\0';
    }
    OPENSSL_free(utf8);
    return text;
}

static bool asn1_seconds(const ASN1_TIME *t, int64_t *out)
{
    struct tm tm;
    if (!t || ASN1_TIME_to_tm(t, &tm) != 1)
        return false;
    *out = (int64_t)timegm(&tm);
    return true;
}

static te_err_t serial_text(X509 *cert, cert_info_t *info)
{
    BIGNUM *bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(cert), NULL);
    if (!bn)
        return TE_ERR_PARSE;
    uint8_t bytes[64];
    int n = BN_num_bytes(bn);
    te_err_t rc = TE_ERR_TOOBIG;
    if (n <= (int)sizeof bytes) {
        BN_bn2bin(bn, bytes);
        rc = te_cert_serial_text(bytes, (size_t)n, info->serial_dec, sizeof info->serial_dec,
                                 info->serial_hex, sizeof info->serial_hex);
    }
    BN_free(bn);
    return rc;
}

te_err_t cert_info_read(const char *pem, size_t len, cert_info_t *info, char *err, size_t errlen)
{
    memset(info, 0, sizeof *info);
    BIO *bio = BIO_new_mem_buf(pem, (int)len);
    X509 *cert = bio ? PEM_read_bio_X509(bio, NULL, no_passphrase, NULL) : NULL;
    BIO_free(bio);
    if (!cert) {
        ossl_reason(err, errlen, "PEM file format error");
        return TE_ERR_PARSE;
    }
    te_err_t rc = TE_ERR_PARSE;
    unsigned char sha1[EVP_MAX_MD_SIZE];
    unsigned int sha1_len = 0;
    info->subject = name_text(X509_get_subject_name(cert));
    info->issuer = name_text(X509_get_issuer_name(cert));
    info->common_name = common_name(X509_get_subject_name(cert));
    if (!info->subject || !info->issuer || !info->common_name) {
        rc = TE_ERR_NOMEM;
    } else if (!asn1_seconds(X509_get0_notBefore(cert), &info->not_before) ||
               !asn1_seconds(X509_get0_notAfter(cert), &info->not_after)) {
        snprintf(err, errlen, "X509 file format error: invalid validity");
    } else if (serial_text(cert, info) != TE_OK) {
        snprintf(err, errlen, "X509 file format error: invalid serial number");
    } else if (X509_digest(cert, EVP_sha1(), sha1, &sha1_len) != 1 || sha1_len != 20) {
        ossl_reason(err, errlen, "X509 file format error");
    } else {
        for (unsigned i = 0; i < sha1_len; i++)
            snprintf(info->thumbprint + 2 * i, 3, "%02X", sha1[i]);
        rc = TE_OK;
    }
    X509_free(cert);
    ERR_clear_error();
    if (rc != TE_OK)
        cert_info_free(info);
    return rc;
}

void cert_info_free(cert_info_t *info)
{
    free(info->subject);
    free(info->issuer);
    free(info->common_name);
    info->subject = info->issuer = info->common_name = NULL;
}
