/* tls: the client side of TLS for the bus, with OpenSSL loaded on demand.
 *
 * libssl and libcrypto are opened with dlopen() the first time a process
 * asks for TLS, so the daemons that talk plain MQTT to 127.0.0.1 (the usual
 * case) never map them: their load-time relocations alone cost about
 * 400 KiB of private memory per process. A device that configures
 * mqtt.client.auth.ca_file pays that only then.
 *
 * A te_tls_ctx_t holds the trust anchors and the client certificate; a
 * te_tls_t is one session on a connected, non-blocking socket the caller
 * owns (and closes after te_tls_free). Errors are written into the caller's
 * err buffer with OpenSSL's reason. */
#ifndef TEDGE_TLS_H
#define TEDGE_TLS_H

#include <stddef.h>
#include <sys/types.h>
#include "tedge/err.h"

typedef struct te_tls_ctx te_tls_ctx_t;
typedef struct te_tls te_tls_t;

/* What a non-blocking TLS call is waiting for. */
enum { TE_TLS_WANT_READ = 1, TE_TLS_WANT_WRITE = 2 };

/* Loads OpenSSL and builds a client context that verifies the server
 * against ca_file and/or ca_dir (at least one) and, when cert_file is set,
 * presents cert_file/key_file. Strings are not kept.
 * Returns TE_OK, TE_ERR_UNSUPPORTED (no libssl on the system),
 * TE_ERR_CONFIG (unreadable or mismatched files) or TE_ERR_NOMEM. */
te_err_t te_tls_ctx_new(te_tls_ctx_t **ctx, const char *ca_file, const char *ca_dir,
                        const char *cert_file, const char *key_file, char *err,
                        size_t errlen) TE_MUST_USE;
void te_tls_ctx_free(te_tls_ctx_t *ctx);

/* Starts a session on fd for a server expected to be host (a DNS name or an
 * IP address, checked against the certificate). Returns TE_OK or
 * TE_ERR_NOMEM. */
te_err_t te_tls_new(te_tls_t **tls, te_tls_ctx_t *ctx, int fd, const char *host) TE_MUST_USE;
void te_tls_free(te_tls_t *tls);

/* Advances the handshake. Returns 1 when done, 0 when it waits for *want,
 * -1 on failure (reason in err). */
int te_tls_handshake(te_tls_t *tls, int *want, char *err, size_t errlen);

/* Like read(2)/write(2) on the socket: > 0 bytes moved; 0 from te_tls_read
 * when the peer closed; -1 with errno EAGAIN when the call waits for *want,
 * or another errno (EIO for a TLS failure) when the session is broken. */
ssize_t te_tls_read(te_tls_t *tls, void *buf, size_t len, int *want);
ssize_t te_tls_write(te_tls_t *tls, const void *buf, size_t len, int *want);

#endif
