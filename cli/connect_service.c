/* connect_service: runs the init system's argv lists of system.toml (never
 * through a shell; output discarded) with thin-edge.io's error texts, and a
 * few process helpers (PATH lookup, captured output). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "connect.h"

extern char **environ;

/* Spawns argv with stdin from /dev/null, stdout into out_fd (or /dev/null
 * when -1) and stderr to /dev/null; waits. Returns 0 and *status, or the
 * spawn errno. */
static int spawn_wait(char *const argv[], int out_fd, int *status)
{
    posix_spawn_file_actions_t actions;
    if (posix_spawn_file_actions_init(&actions) != 0)
        return ENOMEM;
    posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    if (out_fd >= 0)
        posix_spawn_file_actions_adddup2(&actions, out_fd, STDOUT_FILENO);
    else
        posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
    pid_t pid;
    int rc = posix_spawnp(&pid, argv[0], &actions, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&actions);
    if (rc != 0)
        return rc;
    while (waitpid(pid, status, 0) < 0) {
        if (errno != EINTR)
            return errno;
    }
    return 0;
}

/* thin-edge.io shows the command as a Rust debug string: quoted, escaped. */
static void quote_command(const char *text, char *buf, size_t size)
{
    size_t used = 0;
    if (size < 3) {
        if (size)
            buf[0] = '\0';
        return;
    }
    buf[used++] = '"';
    for (const char *p = text; *p && used + 3 < size; p++) {
        if (*p == '"' || *p == '\\')
            buf[used++] = '\\';
        buf[used++] = *p;
    }
    buf[used++] = '"';
    buf[used] = '\0';
}

te_err_t te_svc_run(const te_sysconfig_t *sc, te_svc_action_t action, const char *service, char *err,
                    size_t errlen)
{
    char **argv = NULL;
    te_err_t rc = te_sysconfig_argv(sc, action, service, &argv, err, errlen);
    if (rc != TE_OK) {
        if (rc == TE_ERR_NOMEM)
            snprintf(err, errlen, "%s", te_strerror(rc));
        return rc;
    }
    char text[1024], quoted[1100];
    if (te_sysconfig_argv_text(argv, text, sizeof text) != TE_OK)
        text[sizeof text - 1] = '\0';
    quote_command(text, quoted, sizeof quoted);
    int status = 0;
    int spawn_rc = spawn_wait(argv, -1, &status);
    te_sysconfig_argv_free(argv);
    if (spawn_rc != 0) {
        snprintf(err, errlen, "Service command <%s> not found.\nCheck '%s' file.", quoted, sc->path);
        return TE_ERR_NOTFOUND;
    }
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
        return TE_OK;
    if (WIFEXITED(status))
        snprintf(err, errlen, "Service command <%s> failed with code: %d.", quoted, WEXITSTATUS(status));
    else
        snprintf(err, errlen, "Service command <%s> terminated by a signal.", quoted);
    return TE_ERR_IO;
}

bool te_svc_available(const te_sysconfig_t *sc, char *err, size_t errlen)
{
    char **argv = NULL;
    char text[1024] = "";
    if (te_sysconfig_argv(sc, TE_SVC_IS_AVAILABLE, NULL, &argv, err, errlen) != TE_OK)
        return false;
    if (te_sysconfig_argv_text(argv, text, sizeof text) != TE_OK)
        text[sizeof text - 1] = '\0';
    int status = 0;
    int spawn_rc = spawn_wait(argv, -1, &status);
    te_sysconfig_argv_free(argv);
    if (spawn_rc == 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0)
        return true;
    snprintf(err, errlen,
             "Failed to execute '%s' to check the service manager availability.\n"
             "Service manager '%s' is not available on the system or elevated permissions have not been granted.",
             text, sc->init_name);
    return false;
}

bool te_which(const char *name)
{
    const char *path = getenv("PATH");
    if (!path || !*path)
        return false;
    while (*path) {
        const char *end = strchr(path, ':');
        size_t len = end ? (size_t)(end - path) : strlen(path);
        char candidate[PATH_MAX];
        if (len > 0 && snprintf(candidate, sizeof candidate, "%.*s/%s", (int)len, path, name) <
                            (int)sizeof candidate) {
            struct stat st;
            if (stat(candidate, &st) == 0 && S_ISREG(st.st_mode) && access(candidate, X_OK) == 0)
                return true;
        }
        if (!end)
            break;
        path = end + 1;
    }
    return false;
}

int te_run_capture(char *const argv[], char *out, size_t outlen)
{
    int fds[2];
    if (outlen)
        out[0] = '\0';
    if (pipe2(fds, O_CLOEXEC) != 0)
        return -1;
    posix_spawn_file_actions_t actions;
    if (posix_spawn_file_actions_init(&actions) != 0) {
        close(fds[0]);
        close(fds[1]);
        return -1;
    }
    posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&actions, fds[1], STDOUT_FILENO);
    posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
    pid_t pid;
    int rc = posix_spawnp(&pid, argv[0], &actions, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&actions);
    close(fds[1]);
    if (rc != 0) {
        close(fds[0]);
        return -1;
    }
    size_t used = 0;
    char scratch[512];
    for (;;) {
        char *dst = used + 1 < outlen ? out + used : scratch;
        size_t room = used + 1 < outlen ? outlen - 1 - used : sizeof scratch;
        ssize_t n = read(fds[0], dst, room);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        if (dst != scratch)
            used += (size_t)n;
    }
    if (outlen)
        out[used] = '\0';
    close(fds[0]);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR)
            return -1;
    }
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

bool te_mosquitto_version(char *buf, size_t size)
{
    char out[512];
    char *argv[] = {"mosquitto", "--help", NULL};
    if (!te_which("mosquitto"))
        return false;
    if (te_run_capture(argv, out, sizeof out) < 0 && out[0] == '\0')
        return false;
    if (strncmp(out, "mosquitto version ", 18) != 0)
        return false;
    const char *version = out + 18;
    size_t len = strcspn(version, "\r\n");
    snprintf(buf, size, "%.*s", (int)len, version);
    return true;
}
