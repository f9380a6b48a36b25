/* tedge init [--user U] [--group G] (spec/cli.md §5.2, §6.1): creates tedge's
 * directories with owner U:G and mode 0775 (forced on existing ones too).
 * Idempotent; needs root. The multicall symlinks of thin-edge.io
 * (--relative-links) are not made: tedge's programs are separate files. */
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "connect.h"
#include "tedge/fsutil.h"

#define ERR_LEN TE_CONNECT_ERR_LEN

static const char init_help[] =
    "Initialize Thin Edge\n"
    "\n"
    "Usage: tedge init [OPTIONS]\n"
    "\n"
    "Options:\n"
    "      --user <USER>     The user who will own the directories created [default: from system.toml, else tedge]\n"
    "      --group <GROUP>   The group who will own the directories created [default: from system.toml, else tedge]\n"
    "      --relative-links  Accepted for compatibility; tedge makes no symlinks\n"
    "  -h, --help            Print help\n";

static const char init_what[] = "Initialize tedge";
static const char init_context[] = "Failed to initialize tedge. You have to run tedge with sudo.";

typedef struct owner {
    const char *user, *group;
    uid_t uid;
    gid_t gid;
} owner_t;

/* mkdir -p (missing parents root-owned, 0755), then owner and 0775 on the leaf. */
static te_err_t create_directory(const char *path, const owner_t *owner, char *err, size_t errlen)
{
    if (te_fs_mkdir_p(path, 0755) != TE_OK) {
        int e = errno;
        snprintf(err, errlen, "Failed to create directory %s: %s (os error %d)", path, strerror(e), e);
        return TE_ERR_IO;
    }
    if (chown(path, owner->uid, owner->gid) != 0) {
        int e = errno;
        snprintf(err, errlen, "Failed to change the ownership of %s to %s:%s: %s (os error %d)", path, owner->user,
                 owner->group, strerror(e), e);
        return TE_ERR_PERM;
    }
    if (chmod(path, 0775) != 0) {
        int e = errno;
        snprintf(err, errlen, "Failed to change the mode of %s to 775: %s (os error %d)", path, strerror(e), e);
        return TE_ERR_PERM;
    }
    return TE_OK;
}

static int fail(const char *cause)
{
    const char *causes[] = {init_context, cause};
    return te_ui_fail_plain(init_what, causes, 2);
}

static te_err_t initialize(te_config_t *cfg, const te_sysconfig_t *sc, const owner_t *owner, char *err,
                           size_t errlen)
{
    static const char *const subdirs[] = {"",        "mosquitto-conf", "operations", "operations/c8y",
                                          "plugins", "sm-plugins",     "device-certs", "mappers",
                                          ".tedge-mapper-c8y"};
    const char *dir = te_config_dir(cfg);
    char path[1024];
    for (size_t i = 0; i < sizeof subdirs / sizeof subdirs[0]; i++) {
        snprintf(path, sizeof path, "%s%s%s", dir, *subdirs[i] ? "/" : "", subdirs[i]);
        te_err_t rc = create_directory(path, owner, err, errlen);
        if (rc != TE_OK)
            return rc;
    }
    static const char *const roots[] = {"logs.path", "data.path"};
    for (size_t i = 0; i < 2; i++) {
        const char *root = te_config_get(cfg, roots[i]);
        if (root) {
            te_err_t rc = create_directory(root, owner, err, errlen);
            if (rc != TE_OK)
                return rc;
        }
    }
    struct stat st;
    if (stat(sc->path, &st) == 0 && chmod(sc->path, 0644) != 0) {
        int e = errno;
        snprintf(err, errlen, "Failed to change the mode of %s to 644: %s (os error %d)", sc->path, strerror(e), e);
        return TE_ERR_PERM;
    }
    const char *state = te_config_get(cfg, "agent.state.path");
    if (state && stat(state, &st) == 0 && S_ISDIR(st.st_mode)) {
        te_err_t rc = create_directory(state, owner, err, errlen);
        if (rc != TE_OK)
            return rc;
    } else {
        snprintf(path, sizeof path, "%s/.agent", dir);
        te_err_t rc = create_directory(path, owner, err, errlen);
        if (rc != TE_OK)
            return rc;
    }
    snprintf(path, sizeof path, "%s/.tedge-mapper-c8y/entity_store.jsonl", dir);
    if (stat(path, &st) == 0 && chown(path, owner->uid, owner->gid) != 0) {
        int e = errno;
        snprintf(err, errlen, "Failed to change the ownership of %s to %s:%s: %s (os error %d)", path, owner->user,
                 owner->group, strerror(e), e);
        return TE_ERR_PERM;
    }
    return TE_OK;
}

int te_cli_init_main(const te_cli_ctx_t *ctx, int argc, char **argv)
{
    const char *user = NULL, *group = NULL;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            fputs(init_help, stdout);
            return TE_EXIT_OK;
        } else if (strcmp(a, "--user") == 0 || strcmp(a, "--group") == 0) {
            if (i + 1 >= argc)
                return te_cli_usage_error("a value is required for '%s <%s>' but none was supplied", a,
                                          a[2] == 'u' ? "USER" : "GROUP");
            *(a[2] == 'u' ? &user : &group) = argv[++i];
        } else if (strncmp(a, "--user=", 7) == 0) {
            user = a + 7;
        } else if (strncmp(a, "--group=", 8) == 0) {
            group = a + 8;
        } else if (strcmp(a, "--relative-links") == 0) {
            continue;
        } else {
            return te_cli_usage_error("unexpected argument '%s' found\n\nUsage: tedge init [OPTIONS]", a);
        }
    }
    te_config_t *cfg = NULL;
    te_sysconfig_t *sc = NULL;
    int exit_code = te_connect_load(ctx, init_what, &cfg, &sc);
    if (exit_code >= 0)
        return exit_code;
    owner_t owner = {user ? user : sc->user, group ? group : sc->group, 0, 0};
    char err[ERR_LEN];
    struct passwd *pw = getpwnam(owner.user);
    struct group *gr = pw ? getgrnam(owner.group) : NULL;
    if (!pw) {
        snprintf(err, sizeof err, "User \"%s\" not found", owner.user);
        exit_code = fail(err);
    } else if (!gr) {
        snprintf(err, sizeof err, "Group \"%s\" not found", owner.group);
        exit_code = fail(err);
    } else {
        owner.uid = pw->pw_uid;
        owner.gid = gr->gr_gid;
        exit_code = initialize(cfg, sc, &owner, err, sizeof err) == TE_OK ? TE_EXIT_OK : fail(err);
    }
    te_sysconfig_free(sc);
    te_config_free(cfg);
    return exit_code;
}
