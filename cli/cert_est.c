/* cert_est: POST of the CSR to the EST endpoint of Cumulocity's CA behind
 * the local proxy, as thin-edge.io does it
 * (crates/core/tedge/src/cli/certificate/c8y/renew.rs): the body is the base64
 * DER of the CSR (its PEM body), Content-Type application/pkcs10, and a 200
 * answer carries a base64 certs-only PKCS#7. The encoding and decoding are
 * common/src/est.c; here only the transport and the messages.
 *
 * TLS (proxy over https, when c8y.proxy.cert_path is set): the proxy's
 * certificate is checked against c8y.root_cert_path (a file as CA bundle, a
 * directory as a hashed CA directory), as for the cloud; the client
 * certificate is http.client.auth.cert_file/key_file when both are set.
 * Environment proxies (http_proxy, ...) are not used: the endpoint is local.
 *
 * Differences from thin-edge.io: an answer whose certificates do not hold
 * the key of the CSR is refused (thin-edge.io stores whatever it gets); the
 * connection error names tedge-mapper-c8y, which serves the proxy. */
#include "cert_est.h"

#include <curl/curl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cert_err.h"
#include "tedge/est.h"

#define EST_PATH "/c8y/.well-known/est/simplereenroll"
#define CONNECT_TIMEOUT_S 30L
#define REQUEST_TIMEOUT_S 120L
#define SHOWN_BODY_BYTES 512 /* of an error answer, in the message */

typedef struct answer {
    char data[TE_EST_MAX_RESPONSE_BYTES + 1];
    size_t len;
    bool too_big;
} answer_t;

void cert_est_proxy_base(te_config_t *cfg, char *buf, size_t buflen)
{
    const char *host = te_config_get(cfg, "c8y.proxy.client.host");
    const char *port = te_config_get(cfg, "c8y.proxy.client.port");
    bool https = te_config_get(cfg, "c8y.proxy.cert_path") != NULL;
    snprintf(buf, buflen, "%s://%s:%s", https ? "https" : "http", host ? host : "127.0.0.1", port ? port : "8001");
}

/* Keeps at most TE_EST_MAX_RESPONSE_BYTES; more aborts the transfer. */
static size_t collect(char *ptr, size_t size, size_t nmemb, void *userdata)
{
    answer_t *a = userdata;
    size_t n = size * nmemb;
    if (n > TE_EST_MAX_RESPONSE_BYTES - a->len) {
        a->too_big = true;
        return 0;
    }
    memcpy(a->data + a->len, ptr, n);
    a->len += n;
    a->data[a->len] = '\0';
    return n;
}

static void set_tls(CURL *c, te_config_t *cfg)
{
    const char *roots = te_config_get(cfg, "c8y.root_cert_path");
    struct stat st;
    if (roots && stat(roots, &st) == 0)
        curl_easy_setopt(c, S_ISDIR(st.st_mode) ? CURLOPT_CAPATH : CURLOPT_CAINFO, roots);
    const char *cert = te_config_get(cfg, "http.client.auth.cert_file");
    const char *key = te_config_get(cfg, "http.client.auth.key_file");
    if (cert && key) {
        curl_easy_setopt(c, CURLOPT_SSLCERT, cert);
        curl_easy_setopt(c, CURLOPT_SSLKEY, key);
    }
}

/* An error answer's body as one line of printable text, cut short. */
static void shown_body(const answer_t *a, char *out, size_t outlen)
{
    size_t n = 0;
    for (size_t i = 0; i < a->len && n + 4 < outlen && i < SHOWN_BODY_BYTES; i++) {
        unsigned char ch = (unsigned char)a->data[i];
        out[n++] = ch >= 0x20 && ch < 0x7f ? (char)ch : ' ';
    }
    if (a->len > SHOWN_BODY_BYTES && n + 4 < outlen) {
        memcpy(out + n, "...", 3);
        n += 3;
    }
    out[n] = '\0';
}

static int transport_failed(const char *what, const char *url, CURLcode rc, const char *detail)
{
    char first[1300], second[CURL_ERROR_SIZE + 600];
    snprintf(first, sizeof first, "Fail to connect to Cumulocity HTTP proxy %s", url);
    switch (rc) {
    case CURLE_COULDNT_CONNECT:
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_OPERATION_TIMEDOUT:
        snprintf(second, sizeof second,
                 "%s\nThe Cumulocity HTTP proxy is served by tedge-mapper-c8y: check that it is running "
                 "(`tedge connect c8y` starts it) and that c8y.proxy.client.host/port name it.",
                 detail);
        break;
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_SSL_CERTPROBLEM:
        snprintf(second, sizeof second,
                 "%s\nHint: the proxy serves https (c8y.proxy.cert_path is set): its certificate is checked "
                 "against c8y.root_cert_path.", detail);
        break;
    default:
        snprintf(second, sizeof second, "%s", detail);
    }
    return cert_fail(what, first, second, NULL);
}

/* Returns 0 with *a filled and *status set, else the exit code after the error. */
static int post(te_config_t *cfg, const char *what, const char *url, const char *body, size_t body_len,
                answer_t *a, long *status)
{
    CURL *c = curl_easy_init();
    struct curl_slist *headers = curl_slist_append(NULL, "Content-Type: application/pkcs10");
    struct curl_slist *more = headers ? curl_slist_append(headers, "Expect:") : NULL;
    if (!c || !more) {
        curl_easy_cleanup(c);
        curl_slist_free_all(headers);
        return cert_fail(what, "Out of memory", NULL);
    }
    headers = more;
    char errbuf[CURL_ERROR_SIZE] = "";
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_PROXY, "");
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)body_len);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, a);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, CONNECT_TIMEOUT_S);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, REQUEST_TIMEOUT_S);
    curl_easy_setopt(c, CURLOPT_USERAGENT, "tedge/" TEDGE_VERSION);
    set_tls(c, cfg);
    CURLcode rc = curl_easy_perform(c);
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, status);
    curl_easy_cleanup(c);
    curl_slist_free_all(headers);
    if (rc == CURLE_WRITE_ERROR && a->too_big) {
        char cause[1400];
        snprintf(cause, sizeof cause, "The answer of %s is larger than %d bytes: not a certificate", url,
                 TE_EST_MAX_RESPONSE_BYTES);
        return cert_fail(what, cause, NULL);
    }
    if (rc != CURLE_OK) {
        char detail[CURL_ERROR_SIZE + 200];
        snprintf(detail, sizeof detail, "%s", errbuf[0] ? errbuf : curl_easy_strerror(rc));
        return transport_failed(what, url, rc, detail);
    }
    return 0;
}

int cert_est_reenroll(te_config_t *cfg, const char *what, const char *csr_pem, size_t csr_len, char **chain,
                      size_t *chain_len)
{
    *chain = NULL;
    char *body = NULL, err[1024] = "";
    uint8_t *spki = NULL;
    size_t body_len = 0, spki_len = 0;
    if (te_est_request_body(csr_pem, csr_len, &body, &body_len, &spki, &spki_len, err, sizeof err) != TE_OK)
        return cert_fail(what, "Invalid certificate signing request", err[0] ? err : "Out of memory", NULL);

    char url[1200];
    cert_est_proxy_base(cfg, url, sizeof url - sizeof EST_PATH);
    strcat(url, EST_PATH);
    answer_t *a = calloc(1, sizeof *a);
    long status = 0;
    int rc = a ? 0 : cert_fail(what, "Out of memory", NULL);
    if (rc == 0) {
        curl_global_init(CURL_GLOBAL_DEFAULT);
        rc = post(cfg, what, url, body, body_len, a, &status);
        curl_global_cleanup();
    }
    if (rc == 0 && status != 200) {
        char cause[SHOWN_BODY_BYTES + 256], shown[SHOWN_BODY_BYTES + 8];
        shown_body(a, shown, sizeof shown);
        snprintf(cause, sizeof cause, "The request failed with %ld %s:\n\t%s", status, cert_http_reason(status),
                 shown);
        rc = cert_fail(what, cause, NULL);
    }
    if (rc == 0) {
        te_err_t drc = te_est_response_certs(a->data, a->len, spki, spki_len, chain, chain_len, err, sizeof err);
        if (drc != TE_OK) {
            char cause[1400];
            if (drc == TE_ERR_INVAL)
                snprintf(cause, sizeof cause,
                         "The certificate received from %s is not for the device key: refused", url);
            else
                snprintf(cause, sizeof cause, "Fail to extract a certificate from the response of %s", url);
            rc = cert_fail(what, cause, err[0] ? err : "Out of memory", NULL);
        }
    }
    free(a);
    free(body);
    free(spki);
    return rc;
}
