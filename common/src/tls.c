/* tls: OpenSSL client sessions, with libssl opened by dlopen(). See tls.h.
 * The OpenSSL headers give the types and constants; every call goes through
 * the function table filled by dlsym(), so nothing here links libssl. */
#include "tedge/tls.h"

#include <arpa/inet.h>
#include <dlfcn.h>
#include <errno.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define TLS_FUNCS(X)                        \
    X(TLS_client_method)                    \
    X(SSL_CTX_new)                          \
    X(SSL_CTX_free)                         \
    X(SSL_CTX_ctrl)                         \
    X(SSL_CTX_set_verify)                   \
    X(SSL_CTX_load_verify_locations)        \
    X(SSL_CTX_use_certificate_chain_file)   \
    X(SSL_CTX_use_PrivateKey_file)          \
    X(SSL_CTX_check_private_key)            \
    X(SSL_new)                              \
    X(SSL_free)                             \
    X(SSL_set_fd)                           \
    X(SSL_ctrl)                             \
    X(SSL_set1_host)                        \
    X(SSL_get0_param)                       \
    X(X509_VERIFY_PARAM_set1_ip_asc)        \
    X(SSL_connect)                          \
    X(SSL_read)                             \
    X(SSL_write)                            \
    X(SSL_get_error)                        \
    X(SSL_get_verify_result)                \
    X(X509_verify_cert_error_string)        \
    X(ERR_get_error)                        \
    X(ERR_error_string_n)                   \
    X(ERR_clear_error)

#define TLS_COUNT(name) +1
enum { TLS_NFUNCS = 0 TLS_FUNCS(TLS_COUNT) };

/* The function table, filled by name: slot[i] is the i-th of TLS_FUNCS. */
typedef struct tls_api {
    void *handle;
    union {
        struct {
#define TLS_FIELD(name) __typeof__(&name) name;
            TLS_FUNCS(TLS_FIELD)
#undef TLS_FIELD
        } f;
        void *slot[TLS_NFUNCS];
    } u;
} tls_api_t;

struct te_tls_ctx {
    tls_api_t api;
    SSL_CTX *ssl_ctx;
};

struct te_tls {
    te_tls_ctx_t *ctx;
    SSL *ssl;
};

static te_err_t api_load(tls_api_t *api, char *err, size_t errlen)
{
    static const char *const names[] = {"libssl.so.3", "libssl.so"};
    for (size_t i = 0; i < sizeof names / sizeof names[0] && !api->handle; i++)
        api->handle = dlopen(names[i], RTLD_NOW | RTLD_LOCAL);
    if (!api->handle) {
        te_errf(err, errlen, "TLS needs OpenSSL's libssl, which cannot be loaded: %s", dlerror());
        return TE_ERR_UNSUPPORTED;
    }
    static const char *const funcs[TLS_NFUNCS] = {
#define TLS_NAME(name) #name,
        TLS_FUNCS(TLS_NAME)
#undef TLS_NAME
    };
    for (size_t i = 0; i < TLS_NFUNCS; i++) {
        api->u.slot[i] = dlsym(api->handle, funcs[i]);
        if (!api->u.slot[i]) {
            te_errf(err, errlen, "TLS: libssl lacks %s (OpenSSL 1.1 or later needed)", funcs[i]);
            dlclose(api->handle);
            api->handle = NULL;
            return TE_ERR_UNSUPPORTED;
        }
    }
    return TE_OK;
}

/* The last OpenSSL error, or fallback when there is none. */
static void ssl_reason(const tls_api_t *api, const char *what, const char *fallback, char *err,
                       size_t errlen)
{
    unsigned long code = api->u.f.ERR_get_error();
    char text[256];
    if (code)
        api->u.f.ERR_error_string_n(code, text, sizeof text);
    te_errf(err, errlen, "%s: %s", what, code ? text : fallback);
    api->u.f.ERR_clear_error();
}

te_err_t te_tls_ctx_new(te_tls_ctx_t **out, const char *ca_file, const char *ca_dir,
                        const char *cert_file, const char *key_file, char *err, size_t errlen)
{
    *out = NULL;
    te_tls_ctx_t *ctx = calloc(1, sizeof *ctx);
    if (!ctx)
        return TE_ERR_NOMEM;
    te_err_t rc = api_load(&ctx->api, err, errlen);
    if (rc != TE_OK) {
        free(ctx);
        return rc;
    }
    const tls_api_t *api = &ctx->api;
    ctx->ssl_ctx = api->u.f.SSL_CTX_new(api->u.f.TLS_client_method());
    if (!ctx->ssl_ctx) {
        te_tls_ctx_free(ctx);
        return TE_ERR_NOMEM;
    }
    api->u.f.SSL_CTX_set_verify(ctx->ssl_ctx, SSL_VERIFY_PEER, NULL);
    /* The bus's write buffer may move between a partial write and its retry. */
    api->u.f.SSL_CTX_ctrl(ctx->ssl_ctx, SSL_CTRL_MODE,
                      SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER, NULL);
    rc = TE_ERR_CONFIG;
    if ((ca_file || ca_dir) && api->u.f.SSL_CTX_load_verify_locations(ctx->ssl_ctx, ca_file, ca_dir) != 1) {
        char what[512];
        snprintf(what, sizeof what, "cannot load the CA certificates %s", ca_file ? ca_file : ca_dir);
        ssl_reason(api, what, "unreadable", err, errlen);
        goto fail;
    }
    if (cert_file) {
        if (api->u.f.SSL_CTX_use_certificate_chain_file(ctx->ssl_ctx, cert_file) != 1) {
            char what[512];
            snprintf(what, sizeof what, "cannot load the client certificate %s", cert_file);
            ssl_reason(api, what, "unreadable", err, errlen);
            goto fail;
        }
        const char *key = key_file ? key_file : cert_file;
        if (api->u.f.SSL_CTX_use_PrivateKey_file(ctx->ssl_ctx, key, SSL_FILETYPE_PEM) != 1) {
            char what[512];
            snprintf(what, sizeof what, "cannot load the client key %s", key);
            ssl_reason(api, what, "unreadable", err, errlen);
            goto fail;
        }
        if (api->u.f.SSL_CTX_check_private_key(ctx->ssl_ctx) != 1) {
            ssl_reason(api, "the client key does not match the certificate", "mismatch", err, errlen);
            goto fail;
        }
    }
    *out = ctx;
    return TE_OK;
fail:
    te_tls_ctx_free(ctx);
    return rc;
}

void te_tls_ctx_free(te_tls_ctx_t *ctx)
{
    if (!ctx)
        return;
    if (ctx->ssl_ctx)
        ctx->api.u.f.SSL_CTX_free(ctx->ssl_ctx);
    /* libssl stays mapped: OpenSSL registers atexit handlers. */
    free(ctx);
}

te_err_t te_tls_new(te_tls_t **out, te_tls_ctx_t *ctx, int fd, const char *host)
{
    *out = NULL;
    const tls_api_t *api = &ctx->api;
    te_tls_t *tls = calloc(1, sizeof *tls);
    if (!tls)
        return TE_ERR_NOMEM;
    tls->ctx = ctx;
    tls->ssl = api->u.f.SSL_new(ctx->ssl_ctx);
    if (!tls->ssl || api->u.f.SSL_set_fd(tls->ssl, fd) != 1) {
        te_tls_free(tls);
        return TE_ERR_NOMEM;
    }
    unsigned char addr[16];
    bool is_ip = inet_pton(AF_INET, host, addr) == 1 || inet_pton(AF_INET6, host, addr) == 1;
    if (is_ip) {
        api->u.f.X509_VERIFY_PARAM_set1_ip_asc(api->u.f.SSL_get0_param(tls->ssl), host);
    } else {
        api->u.f.SSL_ctrl(tls->ssl, SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name, (void *)host);
        api->u.f.SSL_set1_host(tls->ssl, host);
    }
    *out = tls;
    return TE_OK;
}

void te_tls_free(te_tls_t *tls)
{
    if (!tls)
        return;
    if (tls->ssl)
        tls->ctx->api.u.f.SSL_free(tls->ssl);
    free(tls);
}

int te_tls_handshake(te_tls_t *tls, int *want, char *err, size_t errlen)
{
    const tls_api_t *api = &tls->ctx->api;
    int rc = api->u.f.SSL_connect(tls->ssl);
    if (rc == 1)
        return 1;
    int e = api->u.f.SSL_get_error(tls->ssl, rc);
    if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) {
        *want = e == SSL_ERROR_WANT_READ ? TE_TLS_WANT_READ : TE_TLS_WANT_WRITE;
        return 0;
    }
    long verify = api->u.f.SSL_get_verify_result(tls->ssl);
    if (verify != X509_V_OK) {
        te_errf(err, errlen, "TLS handshake failed: server certificate not trusted: %s",
                api->u.f.X509_verify_cert_error_string(verify));
        api->u.f.ERR_clear_error();
    } else {
        ssl_reason(api, "TLS handshake failed",
                   e == SSL_ERROR_SYSCALL ? "connection closed by the server" : "protocol error",
                   err, errlen);
    }
    return -1;
}

/* Maps an SSL_read/SSL_write failure onto the read(2)/write(2) contract. */
static ssize_t io_result(te_tls_t *tls, int rc, int *want)
{
    const tls_api_t *api = &tls->ctx->api;
    int e = api->u.f.SSL_get_error(tls->ssl, rc);
    switch (e) {
    case SSL_ERROR_WANT_READ:
        *want = TE_TLS_WANT_READ;
        errno = EAGAIN;
        return -1;
    case SSL_ERROR_WANT_WRITE:
        *want = TE_TLS_WANT_WRITE;
        errno = EAGAIN;
        return -1;
    case SSL_ERROR_ZERO_RETURN:
        return 0;
    case SSL_ERROR_SYSCALL:
        api->u.f.ERR_clear_error();
        if (errno == 0 || errno == EAGAIN)
            errno = EPIPE;
        return -1;
    default:
        api->u.f.ERR_clear_error();
        errno = EIO;
        return -1;
    }
}

ssize_t te_tls_read(te_tls_t *tls, void *buf, size_t len, int *want)
{
    int n = len > INT32_MAX ? INT32_MAX : (int)len;
    errno = 0;
    int rc = tls->ctx->api.u.f.SSL_read(tls->ssl, buf, n);
    return rc > 0 ? rc : io_result(tls, rc, want);
}

ssize_t te_tls_write(te_tls_t *tls, const void *buf, size_t len, int *want)
{
    int n = len > INT32_MAX ? INT32_MAX : (int)len;
    errno = 0;
    int rc = tls->ctx->api.u.f.SSL_write(tls->ssl, buf, n);
    return rc > 0 ? rc : io_result(tls, rc, want);
}
