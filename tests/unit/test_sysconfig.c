/* Unit tests: sysconfig (system.toml: defaults, argv lists with "{}", the
 * error texts of spec/cli.md §6.4). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tedge/sysconfig.h"

static int make_tmpdir(void **state)
{
    char *dir = strdup("/tmp/te-sysconfig-XXXXXX");
    if (!mkdtemp(dir))
        return -1;
    *state = dir;
    return 0;
}

static int remove_tmpdir(void **state)
{
    char path[300];
    snprintf(path, sizeof path, "%s/system.toml", (char *)*state);
    unlink(path);
    rmdir(*state);
    free(*state);
    return 0;
}

static void write_system_toml(const char *dir, const char *text)
{
    char path[300];
    snprintf(path, sizeof path, "%s/system.toml", dir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static char *argv_text(const te_sysconfig_t *cfg, te_svc_action_t action, const char *service)
{
    char **argv = NULL, err[512], text[512];
    assert_int_equal(te_sysconfig_argv(cfg, action, service, &argv, err, sizeof err), TE_OK);
    assert_int_equal(te_sysconfig_argv_text(argv, text, sizeof text), TE_OK);
    te_sysconfig_argv_free(argv);
    return strdup(text);
}

static void test_missing_file_gives_systemd_defaults(void **state)
{
    te_sysconfig_t *cfg = NULL;
    char err[512];
    assert_int_equal(te_sysconfig_load(&cfg, *state, err, sizeof err), TE_OK);
    assert_string_equal(cfg->user, "tedge");
    assert_string_equal(cfg->group, "tedge");
    assert_string_equal(cfg->init_name, "systemd");
    assert_int_equal(cfg->reboot_timeout_seconds, 120);
    static const struct { te_svc_action_t action; const char *expected; } cases[] = {
        {TE_SVC_IS_AVAILABLE, "/bin/systemctl --version"},
        {TE_SVC_RESTART, "/bin/systemctl restart mosquitto"},
        {TE_SVC_STOP, "/bin/systemctl stop mosquitto"},
        {TE_SVC_START, "/bin/systemctl start mosquitto"},
        {TE_SVC_ENABLE, "/bin/systemctl enable mosquitto"},
        {TE_SVC_DISABLE, "/bin/systemctl disable mosquitto"},
        {TE_SVC_IS_ACTIVE, "/bin/systemctl is-active mosquitto"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *text = argv_text(cfg, cases[i].action, "mosquitto");
        assert_string_equal(text, cases[i].expected);
        free(text);
    }
    te_sysconfig_free(cfg);
}

static void test_openrc_sample_with_placeholders_everywhere(void **state)
{
    write_system_toml(*state,
                      "user = \"edge\"\ngroup = \"edgegrp\"\n"
                      "[init]\n"
                      "name = \"OpenRC\"\n"
                      "is_available = [\"/sbin/rc-service\", \"-l\"]\n"
                      "restart = [\"/sbin/rc-service\", \"{}\", \"restart\"]\n"
                      "stop = [\"/sbin/rc-service\", \"{}\", \"stop\"]\n"
                      "enable = [\"/sbin/rc-update\", \"add\", \"{}\"]\n"
                      "disable = [\"/sbin/rc-update\", \"delete\", \"{}\"]\n"
                      "is_active = [\"/sbin/rc-service\", \"{}\", \"status\"]\n"
                      "[system]\nreboot = [\"/sbin/reboot\"]\nreboot_timeout_seconds = 30\n"
                      "[log]\ntedge_mapper = \"debug\"\n");
    te_sysconfig_t *cfg = NULL;
    char err[512];
    assert_int_equal(te_sysconfig_load(&cfg, *state, err, sizeof err), TE_OK);
    assert_string_equal(cfg->user, "edge");
    assert_string_equal(cfg->group, "edgegrp");
    assert_string_equal(cfg->init_name, "OpenRC");
    char *text = argv_text(cfg, TE_SVC_RESTART, "tedge-agent");
    assert_string_equal(text, "/sbin/rc-service tedge-agent restart");
    free(text);
    /* start defaults to restart */
    text = argv_text(cfg, TE_SVC_START, "tedge-mapper-c8y");
    assert_string_equal(text, "/sbin/rc-service tedge-mapper-c8y restart");
    free(text);
    assert_int_equal(cfg->reboot.n, 1);
    assert_string_equal(cfg->reboot.args[0], "/sbin/reboot");
    assert_int_equal(cfg->reboot_timeout_seconds, 30);
    assert_int_equal(cfg->n_log, 1);
    assert_string_equal(cfg->log_names[0], "tedge_mapper");
    assert_string_equal(cfg->log_levels[0], "debug");
    te_sysconfig_free(cfg);
}

static void test_every_placeholder_is_replaced(void **state)
{
    write_system_toml(*state, "[init]\nname = \"x\"\nis_available = [\"true\"]\n"
                              "restart = [\"svc\", \"{}\", \"--unit={}\", \"{}\"]\nstop = [\"s\", \"{}\"]\n"
                              "enable = [\"s\", \"{}\"]\ndisable = [\"s\", \"{}\"]\nis_active = [\"s\", \"{}\"]\n");
    te_sysconfig_t *cfg = NULL;
    char err[512];
    assert_int_equal(te_sysconfig_load(&cfg, *state, err, sizeof err), TE_OK);
    /* only whole "{}" arguments are placeholders, as in thin-edge.io */
    char *text = argv_text(cfg, TE_SVC_RESTART, "mosquitto");
    assert_string_equal(text, "svc mosquitto --unit={} mosquitto");
    free(text);
    te_sysconfig_free(cfg);
}

static void test_missing_placeholder_is_a_syntax_error_at_use(void **state)
{
    write_system_toml(*state, "[init]\nname = \"x\"\nis_available = [\"true\"]\n"
                              "restart = [\"svc\", \"restart\"]\nstop = [\"s\", \"{}\"]\n"
                              "enable = [\"s\", \"{}\"]\ndisable = [\"s\", \"{}\"]\nis_active = []\n");
    te_sysconfig_t *cfg = NULL;
    char err[512], expected[700], **argv = NULL;
    assert_int_equal(te_sysconfig_load(&cfg, *state, err, sizeof err), TE_OK);
    assert_int_equal(te_sysconfig_argv(cfg, TE_SVC_RESTART, "mosquitto", &argv, err, sizeof err), TE_ERR_CONFIG);
    assert_null(argv);
    snprintf(expected, sizeof expected,
             "Syntax error in the system config file for 'restart': A placeholder '{}' is missing.\n"
             "Check '%s/system.toml' file.", (char *)*state);
    assert_string_equal(err, expected);
    assert_int_equal(te_sysconfig_argv(cfg, TE_SVC_IS_ACTIVE, "mosquitto", &argv, err, sizeof err), TE_ERR_CONFIG);
    assert_non_null(strstr(err, "for 'is_active': A placeholder '{}' is missing."));
    /* is_available takes no service */
    assert_int_equal(te_sysconfig_argv(cfg, TE_SVC_IS_AVAILABLE, NULL, &argv, err, sizeof err), TE_OK);
    te_sysconfig_argv_free(argv);
    te_sysconfig_free(cfg);
}

static void test_bad_files_are_reported_with_the_path(void **state)
{
    static const struct { const char *text, *reason; } cases[] = {
        {"[init]\nname = \"x\n", "line 2: "},
        {"[init]\nname = \"x\"\nis_available = [\"a\"]\nrestart = [\"a\", \"{}\"]\nstop = [\"a\", \"{}\"]\n"
         "enable = [\"a\", \"{}\"]\ndisable = [\"a\", \"{}\"]\nis_active = [\"a\", \"{}\"]\nreload = [\"a\"]\n",
         "unknown field `reload`"},
        {"[init]\nname = \"x\"\n", "missing field `is_available`"},
        {"[init]\nname = \"x\"\nis_available = \"a\"\n", "expected a sequence of strings for key `init.is_available`"},
        {"[system]\nshutdown = [\"x\"]\n", "unknown field `shutdown`"},
        {"[system]\nreboot_timeout_seconds = \"soon\"\n", "system.reboot_timeout_seconds"},
        {"user = 5\n", "expected a string for key `user`"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        write_system_toml(*state, cases[i].text);
        te_sysconfig_t *cfg = (te_sysconfig_t *)&cases; /* must be reset */
        char err[512], prefix[400];
        assert_int_equal(te_sysconfig_load(&cfg, *state, err, sizeof err), TE_ERR_CONFIG);
        assert_null(cfg);
        snprintf(prefix, sizeof prefix, "Toml syntax error in the system config file '%s/system.toml': ",
                 (char *)*state);
        assert_memory_equal(err, prefix, strlen(prefix));
        if (!strstr(err, cases[i].reason))
            fail_msg("case %zu: '%s' lacks '%s'", i, err, cases[i].reason);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_missing_file_gives_systemd_defaults, make_tmpdir, remove_tmpdir),
        cmocka_unit_test_setup_teardown(test_openrc_sample_with_placeholders_everywhere, make_tmpdir, remove_tmpdir),
        cmocka_unit_test_setup_teardown(test_every_placeholder_is_replaced, make_tmpdir, remove_tmpdir),
        cmocka_unit_test_setup_teardown(test_missing_placeholder_is_a_syntax_error_at_use, make_tmpdir, remove_tmpdir),
        cmocka_unit_test_setup_teardown(test_bad_files_are_reported_with_the_path, make_tmpdir, remove_tmpdir),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
