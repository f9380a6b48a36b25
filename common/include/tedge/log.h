/* log: levelled logging to stderr (or syslog).
 * The level and program name are process-wide settings made once by main();
 * they are the one piece of global state outside main.c, as with syslog(3). */
#ifndef TEDGE_LOG_H
#define TEDGE_LOG_H

#include <stdbool.h>
#include "tedge/err.h"

typedef enum te_log_level {
    TE_LOG_ERROR = 0,
    TE_LOG_WARN = 1,
    TE_LOG_INFO = 2,
    TE_LOG_DEBUG = 3,
    TE_LOG_TRACE = 4,
} te_log_level_t;

/* Sets the program name shown in each line (pointer kept: pass a literal or argv[0]). */
void te_log_init(const char *program, te_log_level_t level);
void te_log_set_level(te_log_level_t level);
te_log_level_t te_log_get_level(void);
/* Sends lines to syslog instead of stderr. */
void te_log_use_syslog(bool on);
/* Parses "error|warn|info|debug|trace" (case-insensitive).
 * Returns TE_OK or TE_ERR_PARSE. */
te_err_t te_log_parse_level(const char *text, te_log_level_t *level) TE_MUST_USE;
bool te_log_enabled(te_log_level_t level);

void te_log(te_log_level_t level, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#define te_log_error(...) te_log(TE_LOG_ERROR, __VA_ARGS__)
#define te_log_warn(...)  te_log(TE_LOG_WARN, __VA_ARGS__)
#define te_log_info(...)  te_log(TE_LOG_INFO, __VA_ARGS__)
#define te_log_debug(...) do { if (te_log_enabled(TE_LOG_DEBUG)) te_log(TE_LOG_DEBUG, __VA_ARGS__); } while (0)
#define te_log_trace(...) do { if (te_log_enabled(TE_LOG_TRACE)) te_log(TE_LOG_TRACE, __VA_ARGS__); } while (0)

#endif
