/* Unit tests of cloud profiles in the config module (spec/cli.md §2.1 P2):
 * profile names, <cloud>.profiles.<name>.* keys with the base keys' types,
 * checks and defaults, the profile in use, environment overrides and the
 * tedge.toml round trip. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tedge/config.h"
#include "tedge/log.h"

typedef struct fixture {
    char dir[64];
    char file[96];
} fixture_t;

static int setup(void **state)
{
    fixture_t *f = calloc(1, sizeof *f);
    strcpy(f->dir, "/tmp/test_profiles_XXXXXX");
    if (!mkdtemp(f->dir))
        return -1;
    snprintf(f->file, sizeof f->file, "%s/tedge.toml", f->dir);
    unsetenv("TEDGE_C8Y_PROFILES_SECOND_URL");
    unsetenv("TEDGE_C8Y_URL");
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture_t *f = *state;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", f->dir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", f->dir);
    unsetenv("TEDGE_C8Y_PROFILES_SECOND_URL");
    free(f);
    return 0;
}

static void write_file(const char *path, const char *text)
{
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    fputs(text, fp);
    fclose(fp);
}

static char *read_file(const char *path)
{
    static char buf[4096];
    FILE *fp = fopen(path, "r");
    assert_non_null(fp);
    size_t n = fread(buf, 1, sizeof buf - 1, fp);
    buf[n] = '\0';
    fclose(fp);
    return buf;
}

static void test_profile_names(void **state)
{
    (void)state;
    char out[TE_PROFILE_NAME_MAX], err[128];
    assert_int_equal(te_config_profile_name("Second_1-a", out, sizeof out, err, sizeof err), TE_OK);
    assert_string_equal(out, "second_1-a");
    assert_int_equal(te_config_profile_name("a b", out, sizeof out, err, sizeof err), TE_ERR_INVAL);
    assert_string_equal(err, "Profile names can only contain letters, numbers, `-` or `_`");
    assert_int_equal(te_config_profile_name("", out, sizeof out, err, sizeof err), TE_ERR_INVAL);
    assert_string_equal(err, "Profile names cannot be empty");
    assert_int_equal(te_config_profile_name("-_", out, sizeof out, err, sizeof err), TE_ERR_INVAL);
    assert_string_equal(err, "Profile names must contain at least one letter or number");
    assert_int_equal(te_config_profile_name("a.b", out, sizeof out, err, sizeof err), TE_ERR_INVAL);
}

static void test_profiled_key_names(void **state)
{
    (void)state;
    char out[256], profile[TE_PROFILE_NAME_MAX];
    assert_int_equal(te_config_profiled_key("c8y.url", "New", out, sizeof out), TE_OK);
    assert_string_equal(out, "c8y.profiles.new.url");
    assert_int_equal(te_config_profiled_key("az_bridge_topic_prefix", "x", out, sizeof out), TE_OK);
    assert_string_equal(out, "az.profiles.x.bridge.topic_prefix");
    assert_int_equal(te_config_profiled_key("c8y.url", NULL, out, sizeof out), TE_OK);
    assert_string_equal(out, "c8y.url");
    assert_int_equal(te_config_profiled_key("device.id", "x", out, sizeof out), TE_ERR_INVAL);
    assert_int_equal(te_config_profiled_key("c8y.profiles.x.url", "y", out, sizeof out), TE_ERR_INVAL);
    assert_int_equal(te_config_profiled_key("nope", "y", out, sizeof out), TE_ERR_NOTFOUND);
    const te_cfg_key_t *key = te_config_key_split("c8y.profiles.Second.proxy.bind.port", profile, sizeof profile);
    assert_non_null(key);
    assert_string_equal(key->name, "c8y.proxy.bind.port");
    assert_string_equal(profile, "second");
    key = te_config_key_split("c8y_profiles_second_url", profile, sizeof profile);
    assert_non_null(key);
    assert_string_equal(key->name, "c8y.url");
    assert_null(te_config_key_split("c8y.profiles.x.device_id_nope", profile, sizeof profile));
    assert_null(te_config_key_split("c8y.profiles.x.az.url", profile, sizeof profile));
    assert_null(te_config_key_split("device.profiles.x.id", profile, sizeof profile));
    assert_null(te_config_key_split("c8y.profiles.a b.url", profile, sizeof profile));
}

static void test_profile_values_defaults_and_derivation(void **state)
{
    fixture_t *f = *state;
    te_config_t *cfg = NULL;
    char err[512];
    assert_int_equal(te_config_load(&cfg, f->dir, true, err, sizeof err), TE_OK);
    assert_int_equal(te_config_set(cfg, "c8y.url", "base.example.com", err, sizeof err), TE_OK);
    assert_int_equal(te_config_set(cfg, "c8y.bridge.topic_prefix", "c8y-base", err, sizeof err), TE_OK);
    assert_int_equal(te_config_set(cfg, "c8y.profiles.second.url", "second.example.com", err, sizeof err), TE_OK);
    assert_int_equal(te_config_set(cfg, "c8y.profiles.second.proxy.bind.port", "8002", err, sizeof err), TE_OK);
    /* same validation as the base key */
    assert_int_equal(te_config_set(cfg, "c8y.profiles.second.proxy.bind.port", "0", err, sizeof err),
                     TE_ERR_CONFIG);
    assert_int_equal(te_config_set(cfg, "c8y.profiles.second.bridge.topic_prefix", "a/#", err, sizeof err),
                     TE_ERR_CONFIG);
    /* derived from the same profile's key */
    assert_string_equal(te_config_get(cfg, "c8y.profiles.second.http"), "second.example.com:443");
    assert_string_equal(te_config_get(cfg, "c8y.profiles.second.proxy.client.port"), "8002");
    /* defaults are the literal ones, not the default profile's values */
    assert_string_equal(te_config_get(cfg, "c8y.profiles.second.bridge.topic_prefix"), "c8y");
    assert_string_equal(te_config_get(cfg, "c8y.bridge.topic_prefix"), "c8y-base");
    /* device keys of a profile follow device.* */
    assert_int_equal(te_config_set(cfg, "device.cert_path", "/x/cert.pem", err, sizeof err), TE_OK);
    assert_string_equal(te_config_get(cfg, "c8y.profiles.second.device.cert_path"), "/x/cert.pem");
    int64_t port = 0;
    assert_int_equal(te_config_get_int(cfg, "c8y.profiles.second.proxy.bind.port", &port), TE_OK);
    assert_int_equal(port, 8002);
    const char *const *items = NULL;
    size_t n = 0;
    assert_int_equal(te_config_add(cfg, "c8y.profiles.second.smartrest.templates", "b,a", err, sizeof err), TE_OK);
    assert_int_equal(te_config_get_list(cfg, "c8y.profiles.second.smartrest.templates", &items, &n), TE_OK);
    assert_int_equal(n, 2);
    assert_string_equal(items[0], "a");
    assert_int_equal(te_config_get_list(cfg, "c8y.smartrest.templates", &items, &n), TE_OK);
    assert_int_equal(n, 0);

    /* the profile in use redirects cloud keys only */
    assert_int_equal(te_config_use_profile(cfg, "SECOND"), TE_OK);
    assert_string_equal(te_config_profile(cfg), "second");
    assert_string_equal(te_config_get(cfg, "c8y.url"), "second.example.com");
    assert_string_equal(te_config_get(cfg, "c8y.proxy.bind.port"), "8002");
    assert_string_equal(te_config_get(cfg, "device.cert_path"), "/x/cert.pem");
    assert_string_equal(te_config_get(cfg, "c8y.profiles.second.url"), "second.example.com");
    assert_int_equal(te_config_use_profile(cfg, "a b"), TE_ERR_INVAL);
    assert_int_equal(te_config_use_profile(cfg, NULL), TE_OK);
    assert_null(te_config_profile(cfg));
    assert_string_equal(te_config_get(cfg, "c8y.url"), "base.example.com");

    assert_int_equal(te_config_save(cfg, err, sizeof err), TE_OK);
    te_config_free(cfg);
    const char *text = read_file(f->file);
    assert_non_null(strstr(text, "[c8y.profiles.second]\nurl = \"second.example.com\"\n"));

    /* reload: the profile's keys are read back; unset drops empty tables */
    assert_int_equal(te_config_load(&cfg, f->dir, false, err, sizeof err), TE_OK);
    assert_string_equal(te_config_get(cfg, "c8y.profiles.second.url"), "second.example.com");
    assert_int_equal(te_config_profile_count(cfg, "c8y"), 1);
    assert_string_equal(te_config_profile_at(cfg, "c8y", 0), "second");
    assert_int_equal(te_config_profile_count(cfg, "az"), 0);
    assert_int_equal(te_config_unset(cfg, "c8y.profiles.second.proxy.bind.port"), TE_OK);
    assert_string_equal(te_config_get(cfg, "c8y.profiles.second.proxy.bind.port"), "8001");
    assert_int_equal(te_config_save(cfg, err, sizeof err), TE_OK);
    te_config_free(cfg);
    assert_null(strstr(read_file(f->file), "[c8y.profiles.second.proxy"));
}

static void test_profile_file_and_environment(void **state)
{
    fixture_t *f = *state;
    write_file(f->file, "[c8y]\nurl = \"a.com\"\n"
                        "[c8y.profiles.new]\nurl = \"b.com\"\nbridge.topic_prefix = \"c8y-new\"\n"
                        "[az.profiles.x]\nurl = \"x.azure-devices.net\"\n");
    te_config_t *cfg = NULL;
    char err[512];
    assert_int_equal(te_config_load(&cfg, f->dir, false, err, sizeof err), TE_OK);
    assert_string_equal(te_config_get(cfg, "c8y.profiles.new.bridge.topic_prefix"), "c8y-new");
    assert_string_equal(te_config_get(cfg, "az.profiles.x.url"), "x.azure-devices.net");
    assert_null(te_config_get(cfg, "az.url"));
    te_config_free(cfg);

    write_file(f->file, "[c8y.profiles.new]\nproxy.bind.port = \"nope\"\n");
    assert_int_equal(te_config_load(&cfg, f->dir, false, err, sizeof err), TE_ERR_CONFIG);
    assert_non_null(strstr(err, "c8y.profiles.new.proxy.bind.port"));

    write_file(f->file, "[c8y.profiles.second]\nurl = \"b.com\"\n");
    setenv("TEDGE_C8Y_PROFILES_SECOND_URL", "env.example.com", 1);
    assert_int_equal(te_config_load(&cfg, f->dir, false, err, sizeof err), TE_OK);
    assert_string_equal(te_config_get(cfg, "c8y.profiles.second.url"), "env.example.com");
    assert_null(te_config_get(cfg, "c8y.url"));
    te_config_free(cfg);
    setenv("TEDGE_C8Y_PROFILES_SECOND_URL", "bad url/", 1);
    assert_int_equal(te_config_load(&cfg, f->dir, false, err, sizeof err), TE_ERR_CONFIG);
    assert_non_null(strstr(err, "c8y.profiles.second.url"));
}

int main(void)
{
    te_log_init("test_profiles", TE_LOG_ERROR);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_profile_names),
        cmocka_unit_test(test_profiled_key_names),
        cmocka_unit_test_setup_teardown(test_profile_values_defaults_and_derivation, setup, teardown),
        cmocka_unit_test_setup_teardown(test_profile_file_and_environment, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
