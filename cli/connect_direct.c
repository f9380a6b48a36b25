/* connect_direct: checks the device certificate and key before they are used,
 * and registers the device in Cumulocity over a direct MQTT/TLS connection
 * (spec/cli.md §4.2 step 8), explaining TLS failures by their likely cause.
 *
 * libmosquitto does the TLS; it reports OpenSSL's errors only through its log
 * callback ("OpenSSL Error[0]: error:0A000418:SSL routines::tlsv1 alert
 * unknown ca"), so the error code is taken from there. The connection is
 * driven by mosquitto_loop() with deadlines: a one-shot CLI exchange, no
 * background thread. */
#include <errno.h>
#include <mosquitto.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/sslerr.h>
#include <openssl/x509.h>

#include "connect.h"

static double now_s(void);

static void format_asn1_time(const ASN1_TIME *t, char *buf, size_t size)
{
    struct tm tm;
    if (!t || ASN1_TIME_to_tm(t, &tm) != 1 || strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
        snprintf(buf, size, "?");
}

te_err_t te_connect_check_device_cert(const char *cert_path, const char *key_path, bool check_validity,
                                      char *err, size_t errlen)
{
    FILE *f = fopen(cert_path, "r");
    if (!f) {
        int e = errno;
        snprintf(err, errlen, "Could not access \"%s\": %s (os error %d)", cert_path, strerror(e), e);
        return TE_ERR_NOTFOUND;
    }
    X509 *cert = PEM_read_X509(f, NULL, NULL, NULL);
    fclose(f);
    if (!cert) {
        ERR_clear_error();
        snprintf(err, errlen, "Could not parse the device certificate \"%s\": not a PEM certificate", cert_path);
        return TE_ERR_PARSE;
    }
    f = fopen(key_path, "r");
    if (!f) {
        int e = errno;
        X509_free(cert);
        snprintf(err, errlen, "Could not access \"%s\": %s (os error %d)", key_path, strerror(e), e);
        return TE_ERR_NOTFOUND;
    }
    EVP_PKEY *key = PEM_read_PrivateKey(f, NULL, NULL, NULL);
    fclose(f);
    if (!key) {
        ERR_clear_error();
        X509_free(cert);
        snprintf(err, errlen, "Could not parse the private key \"%s\": not a PEM private key", key_path);
        return TE_ERR_PARSE;
    }
    te_err_t rc = TE_OK;
    if (X509_check_private_key(cert, key) != 1) {
        snprintf(err, errlen, "The private key is not paired with the certificate. Check your 'device.key_path'.");
        rc = TE_ERR_CONFIG;
    } else if (check_validity) {
        char when[64];
        if (X509_cmp_current_time(X509_get0_notAfter(cert)) < 0) {
            format_asn1_time(X509_get0_notAfter(cert), when, sizeof when);
            snprintf(err, errlen,
                     "The device certificate has expired (not valid after %s): %s\n"
                     "Create a new certificate (or renew it) and upload it to the cloud before connecting.",
                     when, cert_path);
            rc = TE_ERR_CONFIG;
        } else if (X509_cmp_current_time(X509_get0_notBefore(cert)) > 0) {
            format_asn1_time(X509_get0_notBefore(cert), when, sizeof when);
            snprintf(err, errlen,
                     "The device certificate is not valid yet (not valid before %s): %s\n"
                     "Check the system clock.", when, cert_path);
            rc = TE_ERR_CONFIG;
        }
    }
    ERR_clear_error();
    EVP_PKEY_free(key);
    X509_free(cert);
    return rc;
}

typedef struct direct_conn {
    bool connack;          /* a CONNACK arrived */
    int connack_rc;
    int create_mid;
    bool acked;            /* the PUBACK of the device creation message */
    bool lost;
    unsigned long ssl_error;   /* the first OpenSSL error code reported */
    char ssl_text[256];
} direct_conn_t;

static void on_log(struct mosquitto *mosq, void *ctx, int level, const char *text)
{
    (void)mosq;
    (void)level;
    direct_conn_t *d = ctx;
    unsigned long code = 0;
    const char *at = strstr(text, "OpenSSL Error");
    if (!at || d->ssl_error)
        return;
    const char *e = strstr(at, "error:");
    if (e && sscanf(e, "error:%lx", &code) == 1) {
        d->ssl_error = code;
        /* keep the readable part after "error:XXXXXXXX:" */
        const char *colon = strchr(e + 6, ':');
        snprintf(d->ssl_text, sizeof d->ssl_text, "%s", colon ? colon + 1 : e);
    }
}

static void on_connect(struct mosquitto *mosq, void *ctx, int rc)
{
    (void)mosq;
    direct_conn_t *d = ctx;
    d->connack = true;
    d->connack_rc = rc;
}

static void on_publish(struct mosquitto *mosq, void *ctx, int mid)
{
    (void)mosq;
    direct_conn_t *d = ctx;
    if (mid == d->create_mid)
        d->acked = true;
}

static void on_disconnect(struct mosquitto *mosq, void *ctx, int rc)
{
    (void)mosq;
    (void)rc;
    direct_conn_t *d = ctx;
    d->lost = true;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

#define CONNECTION_ERROR_CONTEXT "Connection error while creating device in Cumulocity"

/* The likely cause of a TLS failure, from OpenSSL's reason code. */
static void explain_tls_failure(const direct_conn_t *d, char *err, size_t errlen)
{
    switch (ERR_GET_REASON(d->ssl_error)) {
    case SSL_R_CERTIFICATE_VERIFY_FAILED:
        snprintf(err, errlen, "Cumulocity certificate is not trusted by the device. Check your 'c8y.root_cert_path'.");
        break;
    case SSL_R_TLSV1_ALERT_UNKNOWN_CA:
    case SSL_R_SSLV3_ALERT_CERTIFICATE_UNKNOWN:
    case SSL_R_SSLV3_ALERT_BAD_CERTIFICATE:
    case SSL_R_TLSV13_ALERT_CERTIFICATE_REQUIRED:
        snprintf(err, errlen,
                 "The device certificate is not trusted by Cumulocity. Upload the certificate using `tedge cert upload c8y`");
        break;
    case SSL_R_SSLV3_ALERT_CERTIFICATE_EXPIRED:
        snprintf(err, errlen,
                 "Cumulocity rejected the device certificate as expired. Create or renew the certificate and upload it again.");
        break;
    case SSL_R_SSLV3_ALERT_HANDSHAKE_FAILURE:
        snprintf(err, errlen, "The private key is not paired with the certificate. Check your 'device.key_path'.");
        break;
    default:
        snprintf(err, errlen, CONNECTION_ERROR_CONTEXT ": TLS error: %s", d->ssl_text);
        break;
    }
}

static te_err_t connection_failed(const direct_conn_t *d, int rc, int saved_errno, const char *address,
                                  char *err, size_t errlen)
{
    if (d->ssl_error) {
        explain_tls_failure(d, err, errlen);
        return TE_ERR_NOCONN;
    }
    /* TLS 1.3: the server's alert for a client certificate it does not trust
     * may arrive after the client finished its side of the handshake; the
     * read then fails with EPROTO (or a reset) and no OpenSSL reason. The TCP
     * probe already succeeded, so the peer aborted TLS: the likely cause is
     * the same as for an "unknown CA" alert. */
    if (!d->connack && rc == MOSQ_ERR_ERRNO && (saved_errno == EPROTO || saved_errno == ECONNRESET)) {
        snprintf(err, errlen,
                 "The device certificate is not trusted by Cumulocity. Upload the certificate using `tedge cert upload c8y`");
        return TE_ERR_NOCONN;
    }
    if (rc == MOSQ_ERR_ERRNO && saved_errno) {
        snprintf(err, errlen, CONNECTION_ERROR_CONTEXT ": cannot connect to %s: %s (os error %d)", address,
                 strerror(saved_errno), saved_errno);
    } else if (rc == MOSQ_ERR_EAI || rc == MOSQ_ERR_UNKNOWN) {
        snprintf(err, errlen, CONNECTION_ERROR_CONTEXT ": cannot resolve %s", address);
    } else if (!d->connack) {
        snprintf(err, errlen,
                 CONNECTION_ERROR_CONTEXT ": the connection to %s was closed before Cumulocity accepted it "
                 "(is the device certificate trusted by the tenant? Upload it using `tedge cert upload c8y`)",
                 address);
    } else {
        snprintf(err, errlen, "Unexpectedly disconnected from Cumulocity while attempting to create device");
    }
    return TE_ERR_NOCONN;
}

/* TCP reachability of host:port within timeout_s, before libmosquitto takes
 * over: libmosquitto 2.0's non-blocking connect hides a refused connection
 * (the loop then spins until the keepalive), and its blocking connect has no
 * timeout. Returns 0 or an errno value. */
static int probe_tcp(const char *host, unsigned port, unsigned timeout_s)
{
    char service[16];
    snprintf(service, sizeof service, "%u", port);
    struct addrinfo hints = {.ai_socktype = SOCK_STREAM}, *res = NULL;
    int rc = getaddrinfo(host, service, &hints, &res);
    if (rc != 0)
        return rc == EAI_SYSTEM ? errno : EHOSTUNREACH;
    int result = ECONNREFUSED;
    double deadline = now_s() + timeout_s;
    for (struct addrinfo *a = res; a; a = a->ai_next) {
        int fd = socket(a->ai_family, a->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, a->ai_protocol);
        if (fd < 0) {
            result = errno;
            continue;
        }
        if (connect(fd, a->ai_addr, a->ai_addrlen) == 0) {
            result = 0;
        } else if (errno != EINPROGRESS) {
            result = errno;
        } else {
            struct pollfd pfd = {.fd = fd, .events = POLLOUT};
            int left_ms = (int)((deadline - now_s()) * 1000);
            int n = poll(&pfd, 1, left_ms > 0 ? left_ms : 0);
            int so_error = 0;
            socklen_t len = sizeof so_error;
            if (n == 0)
                result = ETIMEDOUT;
            else if (n < 0 || getsockopt(fd, SOL_SOCKET, SO_ERROR, &so_error, &len) != 0)
                result = errno;
            else
                result = so_error;
        }
        close(fd);
        if (result == 0)
            break;
    }
    freeaddrinfo(res);
    return result;
}

te_err_t te_connect_c8y_create_device(const te_cloud_settings_t *s, char *err, size_t errlen)
{
    struct stat st;
    if (stat(s->root_cert_path, &st) != 0) {
        int e = errno;
        snprintf(err, errlen, "Could not access \"%s\" (c8y.root_cert_path): %s (os error %d)", s->root_cert_path,
                 strerror(e), e);
        return TE_ERR_CONFIG;
    }
    bool root_is_dir = S_ISDIR(st.st_mode);
    if (!s->basic_auth) {
        te_err_t rc = te_connect_check_device_cert(s->cert_path, s->key_path, true, err, errlen);
        if (rc != TE_OK)
            return rc;
    }

    mosquitto_lib_init();
    direct_conn_t d = {.create_mid = -1};
    struct mosquitto *mosq = mosquitto_new(s->device_id, true, &d);
    if (!mosq) {
        snprintf(err, errlen, "%s", te_strerror(TE_ERR_NOMEM));
        return TE_ERR_NOMEM;
    }
    mosquitto_int_option(mosq, MOSQ_OPT_PROTOCOL_VERSION, MQTT_PROTOCOL_V311);
    mosquitto_log_callback_set(mosq, on_log);
    mosquitto_connect_callback_set(mosq, on_connect);
    mosquitto_publish_callback_set(mosq, on_publish);
    mosquitto_disconnect_callback_set(mosq, on_disconnect);
    const char *cafile = root_is_dir ? NULL : s->root_cert_path;
    const char *capath = root_is_dir ? s->root_cert_path : NULL;
    int rc;
    if (s->basic_auth) {
        rc = mosquitto_username_pw_set(mosq, s->username, s->password);
        if (rc == MOSQ_ERR_SUCCESS)
            rc = mosquitto_tls_set(mosq, cafile, capath, NULL, NULL, NULL);
    } else {
        rc = mosquitto_tls_set(mosq, cafile, capath, s->cert_path, s->key_path, NULL);
    }
    if (rc != MOSQ_ERR_SUCCESS) {
        snprintf(err, errlen, CONNECTION_ERROR_CONTEXT ": invalid TLS settings: %s", mosquitto_strerror(rc));
        mosquitto_destroy(mosq);
        return TE_ERR_CONFIG;
    }

    te_err_t result = TE_OK;
    int probe = probe_tcp(s->mqtt_host, s->mqtt_port, s->timing.cloud_timeout_s);
    if (probe != 0) {
        if (probe == ETIMEDOUT)
            snprintf(err, errlen, CONNECTION_ERROR_CONTEXT ": timed out after %us connecting to %s",
                     s->timing.cloud_timeout_s, s->address);
        else
            snprintf(err, errlen, CONNECTION_ERROR_CONTEXT ": cannot connect to %s: %s (os error %d)", s->address,
                     strerror(probe), probe);
        mosquitto_destroy(mosq);
        return probe == ETIMEDOUT ? TE_ERR_TIMEOUT : TE_ERR_NOCONN;
    }
    errno = 0;
    rc = mosquitto_connect_async(mosq, s->mqtt_host, (int)s->mqtt_port, 5);
    int saved_errno = errno;
    if (rc != MOSQ_ERR_SUCCESS) {
        result = connection_failed(&d, rc, saved_errno, s->address, err, errlen);
        mosquitto_destroy(mosq);
        return result;
    }
    double deadline = now_s() + s->timing.cloud_timeout_s;
    bool published = false;
    for (;;) {
        errno = 0;
        rc = mosquitto_loop(mosq, 100, 1);
        saved_errno = errno;
        if (d.connack && d.connack_rc != 0) {
            snprintf(err, errlen, "Cumulocity refused the connection: %s", mosquitto_connack_string(d.connack_rc));
            result = TE_ERR_NOCONN;
            break;
        }
        if (d.acked)
            break;
        if (d.connack && !published) {
            char payload[600];
            snprintf(payload, sizeof payload, "100,%s,%s", s->device_id, s->device_type);
            if (mosquitto_publish(mosq, &d.create_mid, "s/us", (int)strlen(payload), payload, 1, false) !=
                MOSQ_ERR_SUCCESS) {
                snprintf(err, errlen, CONNECTION_ERROR_CONTEXT ": could not publish on s/us");
                result = TE_ERR_MQTT;
                break;
            }
            published = true;
            deadline = now_s() + s->timing.ack_timeout_s;
        }
        if (rc != MOSQ_ERR_SUCCESS || d.lost || mosquitto_socket(mosq) < 0) {
            result = connection_failed(&d, rc, saved_errno, s->address, err, errlen);
            break;
        }
        if (now_s() > deadline) {
            if (published)
                snprintf(err, errlen, "Timed-out waiting for device creation acknowledgment from Cumulocity");
            else
                snprintf(err, errlen, CONNECTION_ERROR_CONTEXT ": timed out after %us connecting to %s",
                         s->timing.cloud_timeout_s, s->address);
            result = TE_ERR_TIMEOUT;
            break;
        }
    }
    if (result == TE_OK) {
        mosquitto_disconnect(mosq);
        for (int i = 0; i < 5 && mosquitto_loop(mosq, 10, 1) == MOSQ_ERR_SUCCESS; i++)
            ;
    }
    mosquitto_destroy(mosq);
    ERR_clear_error();
    return result;
}
