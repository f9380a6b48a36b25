/* x509_cn: PEM → DER → Certificate.tbsCertificate.subject → first CN.
 * See x509_cn.h. The DER reader checks every length against its parent. */
#include "tedge/x509_cn.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tedge/text.h"

typedef struct der {
    const uint8_t *p, *end;
} der_t;

/* Reads one TLV from d: *tag, and *inner spanning its content. */
static bool der_next(der_t *d, uint8_t *tag, der_t *inner)
{
    if (d->end - d->p < 2)
        return false;
    *tag = *d->p++;
    if ((*tag & 0x1f) == 0x1f)
        return false; /* multi-byte tags do not occur in a certificate name */
    size_t len = *d->p++;
    if (len & 0x80) {
        size_t n = len & 0x7f;
        if (n == 0 || n > 4 || (size_t)(d->end - d->p) < n)
            return false; /* indefinite lengths are not DER */
        len = 0;
        for (size_t i = 0; i < n; i++)
            len = len << 8 | *d->p++;
    }
    if ((size_t)(d->end - d->p) < len)
        return false;
    inner->p = d->p;
    inner->end = d->p + len;
    d->p += len;
    return true;
}

static bool der_expect(der_t *d, uint8_t want, der_t *inner)
{
    uint8_t tag;
    return der_next(d, &tag, inner) && tag == want;
}

static te_err_t name_cn(der_t name, char *cn, size_t cnlen)
{
    static const uint8_t cn_oid[] = {0x55, 0x04, 0x03}; /* 2.5.4.3 */
    der_t rdn;
    while (name.p < name.end) {
        if (!der_expect(&name, 0x31, &rdn)) /* SET */
            return TE_ERR_PARSE;
        der_t atv;
        while (rdn.p < rdn.end) {
            der_t oid, value;
            uint8_t vtag;
            if (!der_expect(&rdn, 0x30, &atv) || !der_expect(&atv, 0x06, &oid) ||
                !der_next(&atv, &vtag, &value))
                return TE_ERR_PARSE;
            if ((size_t)(oid.end - oid.p) != sizeof cn_oid || memcmp(oid.p, cn_oid, sizeof cn_oid) != 0)
                continue;
            /* UTF8String, PrintableString, T61String, IA5String */
            if (vtag != 0x0c && vtag != 0x13 && vtag != 0x14 && vtag != 0x16)
                return TE_ERR_PARSE;
            size_t len = (size_t)(value.end - value.p);
            if (memchr(value.p, '\0', len))
                return TE_ERR_PARSE;
            if (len + 1 > cnlen)
                return TE_ERR_TOOBIG;
            memcpy(cn, value.p, len);
            cn[len] = '\0';
            return TE_OK;
        }
    }
    return TE_ERR_NOTFOUND;
}

static te_err_t der_cert_cn(const uint8_t *der, size_t len, char *cn, size_t cnlen)
{
    der_t d = {der, der + len}, cert, tbs, skip;
    uint8_t tag;
    if (!der_expect(&d, 0x30, &cert) || !der_expect(&cert, 0x30, &tbs))
        return TE_ERR_PARSE;
    if (!der_next(&tbs, &tag, &skip))
        return TE_ERR_PARSE;
    if (tag == 0xa0 && !der_next(&tbs, &tag, &skip)) /* [0] version, then serial */
        return TE_ERR_PARSE;
    if (tag != 0x02)
        return TE_ERR_PARSE;
    der_t name;
    if (!der_expect(&tbs, 0x30, &skip) ||  /* signature algorithm */
        !der_expect(&tbs, 0x30, &skip) ||  /* issuer */
        !der_expect(&tbs, 0x30, &skip) ||  /* validity */
        !der_expect(&tbs, 0x30, &name))    /* subject */
        return TE_ERR_PARSE;
    return name_cn(name, cn, cnlen);
}

static const char *find(const char *hay, size_t len, const char *needle)
{
    return memmem(hay, len, needle, strlen(needle));
}

te_err_t te_x509_pem_cn(const char *pem, size_t len, char *cn, size_t cnlen)
{
    static const char *const begins[] = {"-----BEGIN CERTIFICATE-----", "-----BEGIN X509 CERTIFICATE-----"};
    const char *body = NULL;
    const char *end_marker = NULL;
    for (size_t i = 0; i < 2; i++) {
        const char *b = find(pem, len, begins[i]);
        if (b && (!body || b < body)) {
            body = b + strlen(begins[i]);
            end_marker = i == 0 ? "-----END CERTIFICATE-----" : "-----END X509 CERTIFICATE-----";
        }
    }
    if (!body)
        return TE_ERR_PARSE;
    const char *stop = find(body, len - (size_t)(body - pem), end_marker);
    if (!stop)
        return TE_ERR_PARSE;
    size_t b64_max = (size_t)(stop - body);
    char *b64 = malloc(b64_max + 1);
    uint8_t *der = malloc(b64_max / 4 * 3 + 3);
    te_err_t rc = TE_ERR_NOMEM;
    if (!b64 || !der)
        goto out;
    size_t n = 0;
    for (const char *c = body; c < stop; c++)
        if (*c != '\n' && *c != '\r' && *c != ' ' && *c != '\t')
            b64[n++] = *c;
    size_t der_len;
    rc = te_base64_decode(b64, n, der, b64_max / 4 * 3 + 3, &der_len);
    if (rc == TE_OK)
        rc = der_cert_cn(der, der_len, cn, cnlen);
    else
        rc = TE_ERR_PARSE;
out:
    free(b64);
    free(der);
    return rc;
}
