/* log: levelled lines "2026-11-25T20:59:34.123Z LEVEL program: message" on stderr. */
#include "tedge/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <syslog.h>
#include <time.h>

static const char *log_program = "tedge";
static te_log_level_t log_level = TE_LOG_INFO;
static bool log_syslog;

static const char *const level_names[] = {"ERROR", "WARN", "INFO", "DEBUG", "TRACE"};

void te_log_init(const char *program, te_log_level_t level)
{
    const char *slash = program ? strrchr(program, '/') : NULL;
    log_program = slash ? slash + 1 : (program ? program : "tedge");
    log_level = level;
}

void te_log_set_level(te_log_level_t level) { log_level = level; }
te_log_level_t te_log_get_level(void) { return log_level; }
bool te_log_enabled(te_log_level_t level) { return level <= log_level; }

void te_log_use_syslog(bool on)
{
    log_syslog = on;
    if (on)
        openlog(log_program, LOG_PID, LOG_DAEMON);
}

te_err_t te_log_parse_level(const char *text, te_log_level_t *level)
{
    static const char *const names[] = {"error", "warn", "info", "debug", "trace"};
    for (int i = 0; i < 5; i++) {
        if (text && strcasecmp(text, names[i]) == 0) {
            *level = (te_log_level_t)i;
            return TE_OK;
        }
    }
    if (text && strcasecmp(text, "warning") == 0) {
        *level = TE_LOG_WARN;
        return TE_OK;
    }
    return TE_ERR_PARSE;
}

void te_log(te_log_level_t level, const char *fmt, ...)
{
    if (level > log_level)
        return;
    char message[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(message, sizeof message, fmt, ap);
    va_end(ap);
    if (log_syslog) {
        static const int prio[] = {LOG_ERR, LOG_WARNING, LOG_INFO, LOG_DEBUG, LOG_DEBUG};
        syslog(prio[level], "%s", message);
        return;
    }
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    struct tm tm;
    gmtime_r(&now.tv_sec, &tm);
    fprintf(stderr, "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ %-5s %s: %s\n", tm.tm_year + 1900,
            tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
            now.tv_nsec / 1000000, level_names[level], log_program, message);
}
