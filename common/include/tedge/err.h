/* err: the one error enum of the project and its messages.
 * Every fallible function returns TE_OK (0) or a negative te_err_t. */
#ifndef TEDGE_ERR_H
#define TEDGE_ERR_H

#include <stddef.h>

#define TE_MUST_USE __attribute__((warn_unused_result))

typedef enum te_err {
    TE_OK = 0,
    TE_ERR_PARSE = -1,       /* malformed input (JSON, TOML, topic, time ...) */
    TE_ERR_RANGE = -2,       /* value or size out of the accepted range */
    TE_ERR_NOMEM = -3,       /* allocation failed */
    TE_ERR_IO = -4,          /* file or socket I/O failed (errno is logged) */
    TE_ERR_CONFIG = -5,      /* bad configuration value or file */
    TE_ERR_NOCONN = -6,      /* not connected to the broker */
    TE_ERR_TIMEOUT = -7,     /* gave up waiting */
    TE_ERR_INVAL = -8,       /* invalid argument from the caller */
    TE_ERR_NOTFOUND = -9,    /* key, file or entity does not exist */
    TE_ERR_EXISTS = -10,     /* would overwrite something that exists */
    TE_ERR_TOOBIG = -11,     /* payload or buffer larger than its cap */
    TE_ERR_FULL = -12,       /* a bounded queue or table is full */
    TE_ERR_PERM = -13,       /* permission denied */
    TE_ERR_UNSUPPORTED = -14,/* valid but not supported by this build */
    TE_ERR_MQTT = -15,       /* the MQTT client or broker refused the request */
} te_err_t;

/* Returns a static, human-readable message for err (never NULL). */
const char *te_strerror(te_err_t err);

/* Writes a printf-style message into a caller's error buffer; a NULL buffer
 * or errlen 0 is fine (nothing written). The usual way modules report why. */
void te_errf(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif
