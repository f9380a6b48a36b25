/* fsutil: atomic writes, mkdir -p, bounded reads, chown by name. */
#include "tedge/fsutil.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

te_err_t te_fs_err_from_errno(int errnum)
{
    switch (errnum) {
    case EACCES: case EPERM: case EROFS: return TE_ERR_PERM;
    case ENOENT: case ENOTDIR: return TE_ERR_NOTFOUND;
    case EEXIST: return TE_ERR_EXISTS;
    case ENOMEM: return TE_ERR_NOMEM;
    case EFBIG: case ENAMETOOLONG: return TE_ERR_TOOBIG;
    default: return TE_ERR_IO;
    }
}

static int fsync_parent_dir(const char *path)
{
    char dir[PATH_MAX];
    const char *slash = strrchr(path, '/');
    if (!slash) {
        strcpy(dir, ".");
    } else if (slash == path) {
        strcpy(dir, "/");
    } else {
        size_t n = (size_t)(slash - path);
        if (n >= sizeof dir)
            return -1;
        memcpy(dir, path, n);
        dir[n] = '\0';
    }
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    int rc = fsync(fd);
    close(fd);
    return rc;
}

te_err_t te_fs_write_atomic(const char *path, const void *data, size_t len, mode_t mode)
{
    char tmp[PATH_MAX];
    if (snprintf(tmp, sizeof tmp, "%s.tmp-%ld", path, (long)getpid()) >= (int)sizeof tmp)
        return TE_ERR_TOOBIG;
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
    if (fd < 0)
        return te_fs_err_from_errno(errno);
    const char *p = data;
    size_t left = len;
    while (left > 0) {
        ssize_t n = write(fd, p, left);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            goto fail;
        }
        p += n;
        left -= (size_t)n;
    }
    /* open() applies the umask; the caller asked for an exact mode. */
    if (fchmod(fd, mode) != 0 || fsync(fd) != 0)
        goto fail;
    if (close(fd) != 0) {
        fd = -1;
        goto fail;
    }
    fd = -1;
    if (rename(tmp, path) != 0)
        goto fail;
    fsync_parent_dir(path);
    return TE_OK;
fail: {
        int saved = errno;
        if (fd >= 0)
            close(fd);
        unlink(tmp);
        errno = saved;
        return te_fs_err_from_errno(saved);
    }
}

te_err_t te_fs_mkdir_p(const char *path, mode_t mode)
{
    char buf[PATH_MAX];
    size_t n = strlen(path);
    if (n == 0 || n >= sizeof buf)
        return TE_ERR_INVAL;
    memcpy(buf, path, n + 1);
    for (char *p = buf + 1; ; p++) {
        if (*p == '/' || *p == '\0') {
            char saved = *p;
            *p = '\0';
            if (mkdir(buf, mode) != 0 && errno != EEXIST)
                return te_fs_err_from_errno(errno);
            *p = saved;
            if (saved == '\0')
                break;
        }
    }
    struct stat st;
    if (stat(path, &st) != 0)
        return te_fs_err_from_errno(errno);
    if (!S_ISDIR(st.st_mode)) {
        errno = ENOTDIR;
        return TE_ERR_IO;
    }
    return TE_OK;
}

te_err_t te_fs_read_file(const char *path, size_t max_bytes, char **data, size_t *len)
{
    *data = NULL;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return te_fs_err_from_errno(errno);
    size_t cap = 4096, used = 0;
    char *buf = malloc(cap);
    if (!buf) {
        close(fd);
        return TE_ERR_NOMEM;
    }
    for (;;) {
        if (used + 1 >= cap) {
            if (cap > max_bytes + 1) {
                free(buf);
                close(fd);
                return TE_ERR_TOOBIG;
            }
            char *bigger = realloc(buf, cap * 2);
            if (!bigger) {
                free(buf);
                close(fd);
                return TE_ERR_NOMEM;
            }
            buf = bigger;
            cap *= 2;
        }
        ssize_t n = read(fd, buf + used, cap - used - 1);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            int saved = errno;
            free(buf);
            close(fd);
            errno = saved;
            return te_fs_err_from_errno(saved);
        }
        if (n == 0)
            break;
        used += (size_t)n;
        if (used > max_bytes) {
            free(buf);
            close(fd);
            return TE_ERR_TOOBIG;
        }
    }
    close(fd);
    buf[used] = '\0';
    *data = buf;
    if (len)
        *len = used;
    return TE_OK;
}

te_err_t te_fs_chown_names(const char *path, const char *user, const char *group)
{
    uid_t uid = (uid_t)-1;
    gid_t gid = (gid_t)-1;
    if (user) {
        struct passwd *pw = getpwnam(user);
        if (!pw)
            return TE_ERR_NOTFOUND;
        uid = pw->pw_uid;
    }
    if (group) {
        struct group *gr = getgrnam(group);
        if (!gr)
            return TE_ERR_NOTFOUND;
        gid = gr->gr_gid;
    }
    if (chown(path, uid, gid) != 0)
        return te_fs_err_from_errno(errno);
    return TE_OK;
}
