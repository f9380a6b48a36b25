/* connect_bridges: tedge disconnect, reconnect and refresh-bridges
 * (spec/cli.md §4.6-§4.8). "Connected" means the bridge file exists. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "connect.h"

#define ERR_LEN TE_CONNECT_ERR_LEN

int te_disconnect_run(const te_cli_ctx_t *ctx, te_cloud_t cloud, const char *what)
{
    te_config_t *cfg = NULL;
    te_sysconfig_t *sc = NULL;
    int exit_code = te_connect_load(ctx, what, &cfg, &sc);
    if (exit_code >= 0)
        return exit_code;
    const char *display = te_cloud_display_name(cloud);
    char dir[600], path[1024], svc_path[1024], file[128];
    snprintf(dir, sizeof dir, "%s/mosquitto-conf", te_config_dir(cfg));
    if (te_bridge_file_name(cloud, te_config_profile(cfg), file, sizeof file) != TE_OK)
        file[0] = '\0';
    snprintf(path, sizeof path, "%s/%s", dir, file);
    snprintf(svc_path, sizeof svc_path, "%s/c8y-mqtt-svc-bridge.conf", dir);

    static const char removing[] = "Removing bridge config file";
    te_ui_step_begin(removing);
    bool existed = true;
    int failed_errno = 0;
    const char *failed_path = NULL;
    if (unlink(path) != 0) {
        if (errno == ENOENT) {
            existed = false;
        } else {
            failed_errno = errno;
            failed_path = path;
        }
    }
    if (cloud == TE_CLOUD_C8Y && !te_config_profile(cfg) && unlink(svc_path) != 0 && errno != ENOENT && !failed_path) {
        failed_errno = errno;
        failed_path = svc_path;
    }
    char err[ERR_LEN];
    if (failed_path) {
        te_ui_step_fail(removing, "Failed to delete %s: %s (os error %d)", failed_path, strerror(failed_errno),
                        failed_errno);
        exit_code = TE_EXIT_FAILURE;
        goto out;
    }
    te_ui_step_ok(removing);
    exit_code = TE_EXIT_OK;
    if (!existed) {
        printf("Bridge doesn't exist. Device is already disconnected from %s.\n", display);
        fflush(stdout);
        goto out;
    }
    if (!te_svc_available(sc, err, sizeof err)) {
        printf("Service manager '%s' is not available, skipping stopping/disabling of tedge components.\n",
               sc->init_name);
        fflush(stdout);
        goto out;
    }
    /* is_active: a non-zero exit means "not running"; a broken command is
     * reported and then ignored, as thin-edge.io does */
    te_err_t active = te_svc_run(sc, TE_SVC_IS_ACTIVE, "mosquitto", err, sizeof err);
    if (active == TE_ERR_CONFIG || active == TE_ERR_NOTFOUND)
        te_ui_error("%s", err);
    if (active == TE_OK) {
        static const char restarting[] = "Restarting mosquitto to apply configuration";
        te_ui_step_begin(restarting);
        if (te_svc_run(sc, TE_SVC_RESTART, "mosquitto", err, sizeof err) == TE_OK)
            te_ui_step_ok(restarting);
        else
            te_ui_step_fail(restarting, "%s", err); /* ignored, as thin-edge.io does */
    }
    if (te_which("tedge-mapper")) {
        char mapper[128], title[160];
        te_mapper_service_name(cloud, te_config_profile(cfg), mapper, sizeof mapper);
        snprintf(title, sizeof title, "Disabling %s", mapper);
        te_ui_step_begin(title);
        if (te_svc_run(sc, TE_SVC_STOP, mapper, err, sizeof err) != TE_OK ||
            te_svc_run(sc, TE_SVC_DISABLE, mapper, err, sizeof err) != TE_OK) {
            te_ui_step_fail(title, "%s", err);
            exit_code = TE_EXIT_FAILURE;
        } else {
            te_ui_step_ok(title);
        }
    }
out:
    te_sysconfig_free(sc);
    te_config_free(cfg);
    return exit_code;
}

/* ctx with the profile te_connect_parse_args found (profile "" = none). */
static te_cli_ctx_t with_profile_of(const te_cli_ctx_t *ctx, const char *profile)
{
    te_cli_ctx_t copy = *ctx;
    copy.profile = profile[0] ? profile : NULL;
    return copy;
}

int te_cli_disconnect_main(const te_cli_ctx_t *ctx, int argc, char **argv)
{
    te_cloud_t cloud;
    bool offline, test;
    char profile[TE_PROFILE_NAME_MAX];
    int rc = te_connect_parse_args("disconnect", argc, argv, false, false, &cloud, &offline, &test, profile, sizeof profile);
    if (rc >= 0)
        return rc;
    te_cli_ctx_t with_profile = with_profile_of(ctx, profile);
    ctx = &with_profile;
    char what[128];
    snprintf(what, sizeof what, "remove the bridge to disconnect %s cloud", te_cloud_display_name(cloud));
    return te_disconnect_run(ctx, cloud, what);
}

int te_cli_reconnect_main(const te_cli_ctx_t *ctx, int argc, char **argv)
{
    te_cloud_t cloud;
    bool offline, test;
    char profile[TE_PROFILE_NAME_MAX];
    int rc = te_connect_parse_args("reconnect", argc, argv, false, true, &cloud, &offline, &test, profile, sizeof profile);
    if (rc >= 0)
        return rc;
    te_cli_ctx_t with_profile = with_profile_of(ctx, profile);
    ctx = &with_profile;
    char what[128];
    snprintf(what, sizeof what, "reconnect %s cloud", te_cloud_display_name(cloud));
    fprintf(stderr, "Disconnecting from %s:\n", te_cloud_display_name(cloud));
    rc = te_disconnect_run(ctx, cloud, what);
    if (rc != TE_EXIT_OK)
        return rc;
    return te_connect_run(ctx, cloud, offline, false, true);
}

static const char refresh_what[] = "Refresh all currently active mosquitto bridges (restarts mosquitto)";

int te_cli_refresh_bridges_main(const te_cli_ctx_t *ctx, int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
            printf("%s\n\nUsage: tedge refresh-bridges\n\nOptions:\n  -h, --help  Print help\n", refresh_what);
            return TE_EXIT_OK;
        }
        return te_cli_usage_error("unexpected argument '%s' found\n\nUsage: tedge refresh-bridges", argv[i]);
    }
    te_config_t *cfg = NULL;
    te_sysconfig_t *sc = NULL;
    int exit_code = te_connect_load(ctx, refresh_what, &cfg, &sc);
    if (exit_code >= 0)
        return exit_code;
    /* Every bridge file that exists: each cloud's default one and its profiles'. */
    static const te_cloud_t clouds[] = {TE_CLOUD_C8Y, TE_CLOUD_AZ, TE_CLOUD_AWS};
    enum { MAX_PROFILES_PER_CLOUD = 32 };
    struct { te_cloud_t cloud; char profile[TE_PROFILE_NAME_MAX]; } bridges[3 * (1 + MAX_PROFILES_PER_CLOUD)];
    size_t n_bridges = 0;
    char err[ERR_LEN];
    for (size_t i = 0; i < 3; i++) {
        const char *cloud_name = te_cloud_name(clouds[i]);
        size_t n_profiles = te_config_profile_count(cfg, cloud_name);
        for (size_t k = 0; k <= n_profiles && k <= MAX_PROFILES_PER_CLOUD; k++) {
            const char *profile = k == 0 ? NULL : te_config_profile_at(cfg, cloud_name, k - 1);
            char path[700], file[128];
            if (te_bridge_file_name(clouds[i], profile, file, sizeof file) != TE_OK)
                continue;
            snprintf(path, sizeof path, "%s/mosquitto-conf/%s", te_config_dir(cfg), file);
            if (access(path, F_OK) != 0)
                continue;
            bridges[n_bridges].cloud = clouds[i];
            snprintf(bridges[n_bridges].profile, sizeof bridges[n_bridges].profile, "%s", profile ? profile : "");
            n_bridges++;
        }
    }
    if (n_bridges == 0) {
        fprintf(stderr, "No bridges to refresh.\n");
        exit_code = TE_EXIT_OK;
        goto out;
    }
    if (te_write_mosquitto_conf(cfg, err, sizeof err) != TE_OK) {
        const char *causes[] = {err};
        exit_code = te_ui_fail_plain(refresh_what, causes, 1);
        goto out;
    }
    for (size_t i = 0; i < n_bridges; i++) {
        const char *profile = bridges[i].profile[0] ? bridges[i].profile : NULL;
        if (profile)
            fprintf(stderr, "Refreshing bridge %s@%s\n", te_cloud_display_name(bridges[i].cloud), profile);
        else
            fprintf(stderr, "Refreshing bridge %s\n", te_cloud_display_name(bridges[i].cloud));
        te_cloud_settings_t s;
        memset(&s, 0, sizeof s);
        if (te_config_use_profile(cfg, profile) != TE_OK ||
            te_cloud_settings_resolve(cfg, bridges[i].cloud, &s, refresh_what) != 0) {
            te_cloud_settings_free(&s);
            exit_code = TE_EXIT_FAILURE;
            goto out;
        }
        te_err_t rc = te_write_bridge_file(&s, false, true, err, sizeof err);
        if (rc == TE_OK)
            te_chown_cert_and_key(&s);
        te_cloud_settings_free(&s);
        if (rc != TE_OK) {
            const char *causes[] = {err};
            exit_code = te_ui_fail_plain(refresh_what, causes, 1);
            goto out;
        }
    }
    fprintf(stderr, "Restarting mosquitto service.\n\n");
    if (te_svc_run(sc, TE_SVC_RESTART, "mosquitto", err, sizeof err) != TE_OK) {
        const char *causes[] = {err};
        exit_code = te_ui_fail_plain(refresh_what, causes, 1);
        goto out;
    }
    exit_code = TE_EXIT_OK;
out:
    te_sysconfig_free(sc);
    te_config_free(cfg);
    return exit_code;
}
