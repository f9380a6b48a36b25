/* cert_files: the file rules of the device certificate and key (spec/cli.md
 * §3.1, §6.1): exclusive creation that never overwrites, a private key that
 * is never readable by others, not even while it is being written, and
 * nothing left behind when a step fails. */
#ifndef TEDGE_CLI_CERT_FILES_H
#define TEDGE_CLI_CERT_FILES_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* Longest certificate, key or CSR file read (bytes). */
#define CERT_FILE_MAX_BYTES (1024 * 1024)

/* Creates path, which must not exist (O_EXCL, symlinks not followed), with
 * data; fsyncs it and its directory. A secret file is created 0600 (the
 * umask can only remove bits) and chmod'ed to mode once written; any other
 * file is created with mode. Ownership goes to owner:owner when possible
 * (errors ignored, as thin-edge.io does). On failure nothing is left.
 * Returns 0 or the errno of the failing step (EEXIST when path exists). */
int cert_file_create(const char *path, const void *data, size_t len, mode_t mode, bool secret,
                     const char *owner);

/* Reads a whole file of at most CERT_FILE_MAX_BYTES into *data (malloc'd,
 * NUL-terminated; caller frees, cleansing it if secret). Returns 0 or errno
 * (EFBIG when too large). */
int cert_file_read(const char *path, char **data, size_t *len);

/* Copies the directory part of path into dir ("." when there is none). */
void cert_file_dirname(const char *path, char *dir, size_t dirlen);

/* chown path to owner:owner if possible; failures are ignored. */
void cert_file_give_to(const char *path, const char *owner);

/* True when path names an existing entry (a dangling symlink counts). */
bool cert_file_exists(const char *path);

#endif
