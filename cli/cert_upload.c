/* cert_upload: `tedge cert upload c8y`. Asks the tenant its id
 * (GET /tenant/currentTenant), then posts the device certificate to its
 * trusted certificates, as thin-edge.io does and with its messages.
 *
 * TLS trust: c8y.root_cert_path, as thin-edge.io. A file is used as the CA
 * bundle (CURLOPT_CAINFO); a directory as a hashed CA directory
 * (CURLOPT_CAPATH, `openssl rehash`), as mosquitto's bridge_capath needs it
 * too, on top of libcurl's default bundle. az/aws.root_cert_path, which
 * thin-edge.io also trusts here, are not used.
 *
 * Differences from thin-edge.io: the certificate is read before asking for
 * credentials (a missing certificate fails without a prompt, same message);
 * transport errors are worded after libcurl's (same first words). */
#include "cert_upload.h"

#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "cert_err.h"
#include "cert_files.h"

#define WHAT "upload root certificate"
#define MAX_RESPONSE_BYTES (64 * 1024)
#define MAX_CREDENTIAL_BYTES 1024
#define CONNECT_TIMEOUT_S 30L
#define REQUEST_TIMEOUT_S 120L

typedef struct response {
    char data[MAX_RESPONSE_BYTES + 1];
    size_t len;
    long status;
} response_t;

typedef struct upload {
    te_config_t *cfg;
    const char *host;           /* c8y.http: host[:port] */
    char host_buf[512];
    char user[MAX_CREDENTIAL_BYTES];
    char password[MAX_CREDENTIAL_BYTES];
    CURL *curl;
    response_t response;
} upload_t;

/* The terminal state to restore if a signal arrives while echo is off: the
 * one piece of process-wide state here, because a signal handler needs it. */
static struct termios saved_termios;
static volatile sig_atomic_t saved_tty_fd = -1;

static void restore_tty_and_reraise(int sig)
{
    if (saved_tty_fd >= 0)
        tcsetattr(saved_tty_fd, TCSAFLUSH, &saved_termios);
    signal(sig, SIG_DFL);
    raise(sig);
}

static void trim_newline(char *s)
{
    size_t n = strlen(s);
    while (n > 0 && (s[n - 1] == '\n' || s[n - 1] == '\r'))
        s[--n] = '\0';
}

/* "Enter username: " on stdout, the answer from stdin (as thin-edge.io). */
static int prompt_user(char *out, size_t outlen)
{
    fputs("Enter username: ", stdout);
    fflush(stdout);
    if (!fgets(out, (int)outlen, stdin)) {
        if (ferror(stdin))
            return errno ? errno : EIO;
        out[0] = '\0';
    }
    trim_newline(out);
    return 0;
}

/* "Enter password: " on the terminal, read there without echo. */
static int prompt_password(char *out, size_t outlen)
{
    int fd = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (fd < 0)
        return errno;
    FILE *tty = fdopen(fd, "r+");
    if (!tty) {
        int err = errno;
        close(fd);
        return err;
    }
    struct termios quiet;
    bool restore = tcgetattr(fd, &saved_termios) == 0;
    struct sigaction act = {.sa_handler = restore_tty_and_reraise}, old_int, old_term;
    if (restore) {
        saved_tty_fd = fd;
        sigaction(SIGINT, &act, &old_int);
        sigaction(SIGTERM, &act, &old_term);
        quiet = saved_termios;
        quiet.c_lflag &= ~(tcflag_t)(ECHO | ECHOE | ECHOK);
        quiet.c_lflag |= ECHONL;
        tcsetattr(fd, TCSAFLUSH, &quiet);
    }
    /* only now: an answer typed as soon as the prompt shows must not be
     * echoed, nor discarded by the TCSAFLUSH above */
    fputs("Enter password: ", tty);
    fflush(tty);
    int err = 0;
    if (!fgets(out, (int)outlen, tty)) {
        err = ferror(tty) ? (errno ? errno : EIO) : 0;
        out[0] = '\0';
    }
    if (restore) {
        tcsetattr(fd, TCSAFLUSH, &saved_termios);
        saved_tty_fd = -1;
        sigaction(SIGINT, &old_int, NULL);
        sigaction(SIGTERM, &old_term, NULL);
    }
    fclose(tty);
    trim_newline(out);
    return err;
}

static const char *non_empty(const char *a, const char *b, const char *c)
{
    if (a && *a)
        return a;
    if (b && *b)
        return b;
    return c && *c ? c : NULL;
}

/* User and password from the options, the environment, else the prompts. */
static int credentials(upload_t *up, const char *user_opt, const char *password_opt)
{
    char os[256];
    const char *user = non_empty(user_opt, getenv("C8Y_USER"), NULL);
    const char *password = non_empty(password_opt, getenv("C8Y_PASSWORD"), getenv("C8YPASS"));
    int err = 0;
    if (user)
        snprintf(up->user, sizeof up->user, "%s", user);
    else
        err = prompt_user(up->user, sizeof up->user);
    if (!err && password)
        snprintf(up->password, sizeof up->password, "%s", password);
    else if (!err)
        err = prompt_password(up->password, sizeof up->password);
    return err ? cert_fail(WHAT, cert_os_error(err, os, sizeof os), NULL) : 0;
}

static size_t collect(char *ptr, size_t size, size_t nmemb, void *userdata)
{
    response_t *r = userdata;
    size_t n = size * nmemb;
    size_t room = MAX_RESPONSE_BYTES - r->len;
    size_t take = n < room ? n : room; /* the rest is dropped: only `name` matters */
    memcpy(r->data + r->len, ptr, take);
    r->len += take;
    r->data[r->len] = '\0';
    return n;
}

/* Performs a request on up->curl. On a transport failure prints the error
 * (thin-edge.io's wording) and returns 1; else 0 with up->response filled. */
static int perform(upload_t *up, const char *url)
{
    char errbuf[CURL_ERROR_SIZE] = "";
    up->response.len = 0;
    up->response.data[0] = '\0';
    up->response.status = 0;
    curl_easy_setopt(up->curl, CURLOPT_URL, url);
    curl_easy_setopt(up->curl, CURLOPT_ERRORBUFFER, errbuf);
    CURLcode rc = curl_easy_perform(up->curl);
    curl_easy_setopt(up->curl, CURLOPT_ERRORBUFFER, NULL);
    if (rc == CURLE_OK) {
        curl_easy_getinfo(up->curl, CURLINFO_RESPONSE_CODE, &up->response.status);
        return 0;
    }
    char cause[CURL_ERROR_SIZE + 256];
    const char *detail = errbuf[0] ? errbuf : curl_easy_strerror(rc);
    switch (rc) {
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_SSL_CERTPROBLEM:
        snprintf(cause, sizeof cause, "HTTP Connection Problem: %s \nHint: Server certificate validation error.",
                 detail);
        break;
    case CURLE_OPERATION_TIMEDOUT:
        snprintf(cause, sizeof cause, "Request time out");
        break;
    case CURLE_COULDNT_CONNECT:
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
        snprintf(cause, sizeof cause, "Connection error: %s", detail);
        break;
    default:
        snprintf(cause, sizeof cause, "error sending request for url (%s): %s", url, detail);
    }
    return cert_fail(WHAT, cause, NULL);
}

static void setup_curl(upload_t *up, struct curl_slist *headers)
{
    CURL *c = up->curl;
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
    curl_easy_setopt(c, CURLOPT_USERNAME, up->user);
    curl_easy_setopt(c, CURLOPT_PASSWORD, up->password);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &up->response);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, CONNECT_TIMEOUT_S);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, REQUEST_TIMEOUT_S);
    curl_easy_setopt(c, CURLOPT_USERAGENT, "tedge/" TEDGE_VERSION);
    const char *roots = te_config_get(up->cfg, "c8y.root_cert_path");
    struct stat st;
    if (roots && stat(roots, &st) == 0)
        curl_easy_setopt(c, S_ISDIR(st.st_mode) ? CURLOPT_CAPATH : CURLOPT_CAINFO, roots);
}

/* GET /tenant/currentTenant: the tenant id is its "name". */
static int tenant_id(upload_t *up, char *tenant, size_t tenantlen)
{
    char url[1024];
    snprintf(url, sizeof url, "https://%s/tenant/currentTenant", up->host);
    curl_easy_setopt(up->curl, CURLOPT_HTTPGET, 1L);
    if (perform(up, url))
        return 1;
    long status = up->response.status;
    if (status >= 400) {
        char cause[1400];
        snprintf(cause, sizeof cause, "HTTP status %s error (%ld %s) for url (%s)",
                 status < 500 ? "client" : "server", status, cert_http_reason(status), url);
        return cert_fail(WHAT, cause, NULL);
    }
    json_error_t jerr;
    json_t *root = json_loadb(up->response.data, up->response.len, 0, &jerr);
    const char *name = json_string_value(json_object_get(root, "name"));
    if (!name) {
        char detail[256];
        snprintf(detail, sizeof detail, "%s", root ? "missing field `name`" : jerr.text);
        json_decref(root);
        return cert_fail(WHAT, "error decoding response body", detail, NULL);
    }
    snprintf(tenant, tenantlen, "%s", name);
    json_decref(root);
    return 0;
}

static int post_certificate(upload_t *up, const char *tenant, const char *device_id, const char *pem, bool is_new)
{
    char *escaped = curl_easy_escape(up->curl, tenant, 0);
    char url[1400];
    snprintf(url, sizeof url, "https://%s/tenant/tenants/%s/trusted-certificates", up->host, escaped ? escaped : "");
    curl_free(escaped);
    json_t *body = json_pack("{s:s, s:s, s:b, s:s}", "name", device_id, "certInPemFormat", pem,
                             "autoRegistrationEnabled", 1, "status", "ENABLED");
    char *text = body ? json_dumps(body, JSON_PRESERVE_ORDER | JSON_COMPACT) : NULL;
    json_decref(body);
    if (!text)
        return cert_fail(WHAT, "Out of memory", NULL);
    curl_easy_setopt(up->curl, CURLOPT_POSTFIELDS, text);
    int rc = perform(up, url);
    free(text);
    if (rc)
        return rc;
    const char *which = is_new ? "New device certificate" : "Device certificate";
    long status = up->response.status;
    if (status == 200 || status == 201) {
        printf("%s uploaded successfully.\n", which);
        return 0;
    }
    if (status == 409) {
        printf("%s already exists in the cloud.\n", which);
        return 0;
    }
    printf("Something went wrong: %ld %s\n", status, cert_http_reason(status));
    fflush(stdout);
    char cause[256];
    snprintf(cause, sizeof cause, "Request returned with code: %ld %s", status, cert_http_reason(status));
    return cert_fail(WHAT, cause, NULL);
}

/* The certificate to upload: <cert>.new when a renewal is pending. */
static int read_certificate(te_config_t *cfg, char **pem, bool *is_new)
{
    const char *cert_path = te_config_get(cfg, "c8y.device.cert_path");
    char path[4200], os[256];
    snprintf(path, sizeof path, "%s.new", cert_path ? cert_path : "");
    *is_new = cert_file_exists(path);
    if (!*is_new)
        snprintf(path, sizeof path, "%s", cert_path ? cert_path : "");
    int err = cert_file_read(path, pem, NULL);
    return err ? cert_fail(WHAT, "I/O error", cert_os_error(err, os, sizeof os), NULL) : 0;
}

int cert_upload_c8y(te_config_t *cfg, const char *user, const char *password)
{
    upload_t *up = calloc(1, sizeof *up);
    if (!up)
        return cert_fail(WHAT, "Out of memory", NULL);
    up->cfg = cfg;
    up->host = te_config_get(cfg, "c8y.http");
    if (up->host) {
        /* As the url crate prints it (thin-edge.io's messages): no default port. */
        size_t n = strlen(up->host);
        snprintf(up->host_buf, sizeof up->host_buf, "%.*s",
                 (int)(n > 4 && strcmp(up->host + n - 4, ":443") == 0 ? n - 4 : n), up->host);
        up->host = up->host_buf;
    }
    const char *device_id = NULL;
    char err[2048];
    int rc = 0;
    if (!up->host) {
        rc = cert_fail_config("A value for 'c8y.url' is missing.\n"
                              "    A value can be set with `tedge config set c8y.url <value>`");
    } else if (te_config_read(cfg, "c8y.device.id", &device_id, err, sizeof err) != TE_OK) {
        rc = cert_fail_config(err[0] ? err : "A value for 'device.id' is missing.");
    }
    if (rc) {
        free(up);
        return rc;
    }
    if (getenv("C8YPASS"))
        fputs("warning: Detected use of a deprecated env variable, C8YPASS. Please use C8Y_PASSWORD instead\n\n",
              stderr);
    char *pem = NULL, tenant[256];
    bool is_new = false;
    struct curl_slist *headers = NULL;
    rc = read_certificate(cfg, &pem, &is_new);
    if (rc == 0)
        rc = credentials(up, user, password);
    if (rc == 0) {
        curl_global_init(CURL_GLOBAL_DEFAULT);
        up->curl = curl_easy_init();
        headers = curl_slist_append(headers, "Accept: application/json");
        headers = curl_slist_append(headers, "Content-Type: application/json");
        if (!up->curl || !headers) {
            rc = cert_fail(WHAT, "Out of memory", NULL);
        } else {
            setup_curl(up, headers);
            rc = tenant_id(up, tenant, sizeof tenant);
            if (rc == 0)
                rc = post_certificate(up, tenant, device_id, pem, is_new);
        }
        curl_easy_cleanup(up->curl);
        curl_slist_free_all(headers);
        curl_global_cleanup();
    }
    free(pem);
    OPENSSL_cleanse(up->password, sizeof up->password);
    free(up);
    return rc;
}
