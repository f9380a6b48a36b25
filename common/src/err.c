/* err: messages for te_err_t. */
#include "tedge/err.h"

#include <stdarg.h>
#include <stdio.h>

const char *te_strerror(te_err_t err)
{
    switch (err) {
    case TE_OK: return "success";
    case TE_ERR_PARSE: return "parse error";
    case TE_ERR_RANGE: return "value out of range";
    case TE_ERR_NOMEM: return "out of memory";
    case TE_ERR_IO: return "I/O error";
    case TE_ERR_CONFIG: return "configuration error";
    case TE_ERR_NOCONN: return "not connected";
    case TE_ERR_TIMEOUT: return "timed out";
    case TE_ERR_INVAL: return "invalid argument";
    case TE_ERR_NOTFOUND: return "not found";
    case TE_ERR_EXISTS: return "already exists";
    case TE_ERR_TOOBIG: return "too large";
    case TE_ERR_FULL: return "queue full";
    case TE_ERR_PERM: return "permission denied";
    case TE_ERR_UNSUPPORTED: return "not supported";
    case TE_ERR_MQTT: return "MQTT error";
    }
    return "unknown error";
}

void te_errf(char *err, size_t errlen, const char *fmt, ...)
{
    if (err == NULL || errlen == 0)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}
