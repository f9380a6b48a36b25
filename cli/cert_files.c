/* cert_files: exclusive creation and bounded reads for certificate files. */
#include "cert_files.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tedge/fsutil.h"

void cert_file_dirname(const char *path, char *dir, size_t dirlen)
{
    const char *slash = strrchr(path, '/');
    size_t n = !slash ? 0 : slash == path ? 1 : (size_t)(slash - path);
    if (n == 0) {
        snprintf(dir, dirlen, ".");
        return;
    }
    snprintf(dir, dirlen, "%.*s", (int)n, path);
}

void cert_file_give_to(const char *path, const char *owner)
{
    /* Best effort, as thin-edge.io: without root the file stays the caller's. */
    if (owner && te_fs_chown_names(path, owner, owner) != TE_OK)
        return;
}

bool cert_file_exists(const char *path)
{
    struct stat st;
    return lstat(path, &st) == 0;
}

static int write_all(int fd, const char *p, size_t left)
{
    while (left > 0) {
        ssize_t n = write(fd, p, left);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return errno;
        }
        p += n;
        left -= (size_t)n;
    }
    return 0;
}

int cert_file_create(const char *path, const void *data, size_t len, mode_t mode, bool secret,
                     const char *owner)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, secret ? 0600 : mode);
    if (fd < 0)
        return errno;
    /* From here on the file is ours: any failure removes it. */
    cert_file_give_to(path, owner);
    int rc = write_all(fd, data, len);
    if (rc == 0 && (fchmod(fd, mode) != 0 || fsync(fd) != 0))
        rc = errno;
    if (close(fd) != 0 && rc == 0)
        rc = errno;
    if (rc != 0) {
        unlink(path);
        return rc;
    }
    char dir[4096];
    cert_file_dirname(path, dir, sizeof dir);
    int dir_fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dir_fd >= 0) {
        (void)fsync(dir_fd);
        close(dir_fd);
    }
    return 0;
}

int cert_file_read(const char *path, char **data, size_t *len)
{
    *data = NULL;
    char *text = NULL;
    size_t size = 0;
    te_err_t rc = te_fs_read_file(path, CERT_FILE_MAX_BYTES, &text, &size);
    if (rc == TE_ERR_TOOBIG)
        return EFBIG;
    if (rc == TE_ERR_NOMEM)
        return ENOMEM;
    if (rc != TE_OK)
        return errno ? errno : EIO;
    *data = text;
    if (len)
        *len = size;
    return 0;
}
