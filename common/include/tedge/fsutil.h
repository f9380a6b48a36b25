/* fsutil: file helpers that survive crashes: atomic writes (temp file, fsync,
 * rename, fsync of the directory), mkdir -p, bounded whole-file reads,
 * ownership by user/group name. */
#ifndef TEDGE_FSUTIL_H
#define TEDGE_FSUTIL_H

#include <stddef.h>
#include <sys/types.h>
#include "tedge/err.h"

/* Replaces path with data atomically: writes "<path>.tmp-<pid>" with mode,
 * fsyncs it, renames it over path and fsyncs the directory. On failure path
 * is untouched and the temp file removed.
 * Returns TE_OK, TE_ERR_PERM (EACCES/EPERM/EROFS), TE_ERR_NOTFOUND (no dir)
 * or TE_ERR_IO; errno is preserved from the failing call. */
te_err_t te_fs_write_atomic(const char *path, const void *data, size_t len,
                            mode_t mode) TE_MUST_USE;

/* Creates path and its missing parents with mode (existing dirs are kept as they are).
 * Returns TE_OK, TE_ERR_PERM or TE_ERR_IO (errno preserved). */
te_err_t te_fs_mkdir_p(const char *path, mode_t mode) TE_MUST_USE;

/* Reads a whole file of at most max_bytes into *data (malloc'd, NUL-terminated,
 * caller frees) and its length into *len (len may be NULL).
 * Returns TE_OK, TE_ERR_NOTFOUND, TE_ERR_PERM, TE_ERR_TOOBIG, TE_ERR_NOMEM or TE_ERR_IO. */
te_err_t te_fs_read_file(const char *path, size_t max_bytes, char **data,
                         size_t *len) TE_MUST_USE;

/* chown by names; either may be NULL to leave it. Returns TE_OK,
 * TE_ERR_NOTFOUND (unknown user/group), TE_ERR_PERM or TE_ERR_IO. */
te_err_t te_fs_chown_names(const char *path, const char *user,
                           const char *group) TE_MUST_USE;

/* Maps an errno value to the closest te_err_t. */
te_err_t te_fs_err_from_errno(int errnum);

#endif
