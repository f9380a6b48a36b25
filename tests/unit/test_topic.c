/* Unit tests for topic: every row of mqtt-api.md §1.2 and the topic rows of
 * §7, as one named test per table row, plus builders, id helpers and MQTT
 * topic/filter checks. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "tedge/topic.h"

/* ---- te_topic_parse table ---- */

typedef struct parse_case {
    const char *name;
    const char *root;     /* NULL: "te" */
    const char *topic;
    te_err_t rc;
    const char *id;
    te_channel_kind_t kind;
    const char *chan_name;
    const char *cmd_id;
    const char *rebuilt;  /* build(parse(topic)); NULL: same as topic */
} parse_case_t;

#define OK_ROW(n, t, i, k, nm, c, rb) { n, NULL, t, TE_OK, i, k, nm, c, rb }
#define ERR_ROW(n, t, e) { n, NULL, t, e, "", TE_CH_REGISTRATION, "", "", NULL }

static const parse_case_t PARSE_CASES[] = {
    /* §1.1 default scheme and registration topics */
    OK_ROW("main_device_registration", "te/device/main//", "device/main//",
           TE_CH_REGISTRATION, "", "", NULL),
    OK_ROW("child_registration_short_is_padded", "te/device/child01", "device/child01//",
           TE_CH_REGISTRATION, "", "", "te/device/child01//"),
    OK_ROW("child_registration_one_slash_short", "te/device/child01/", "device/child01//",
           TE_CH_REGISTRATION, "", "", "te/device/child01//"),
    OK_ROW("main_service_registration", "te/device/main/service/nodered",
           "device/main/service/nodered", TE_CH_REGISTRATION, "", "", NULL),
    OK_ROW("child_service_registration", "te/device/child01/service/nodered",
           "device/child01/service/nodered", TE_CH_REGISTRATION, "", "", NULL),
    OK_ROW("custom_scheme_registration", "te/factory01/hallA/packaging/belt001",
           "factory01/hallA/packaging/belt001", TE_CH_REGISTRATION, "", "", NULL),
    OK_ROW("custom_scheme_short_registration", "te/packaging/belt001",
           "packaging/belt001//", TE_CH_REGISTRATION, "", "", "te/packaging/belt001//"),
    OK_ROW("registration_with_trailing_fourth_slash", "te/device/main///", "device/main//",
           TE_CH_REGISTRATION, "", "", "te/device/main//"),
    OK_ROW("missing_slashes_read_as_registration", "te/device/main/m/temp",
           "device/main/m/temp", TE_CH_REGISTRATION, "", "", NULL),
    OK_ROW("all_empty_id", "te////", "///", TE_CH_REGISTRATION, "", "", NULL),
    OK_ROW("root_and_slash_only_is_empty_id", "te/", "///", TE_CH_REGISTRATION, "", "",
           "te////"),
    OK_ROW("errors_topic_is_not_special_to_the_parser", "te/errors", "errors///",
           TE_CH_REGISTRATION, "", "", "te/errors///"),
    /* §1.2 channel grammar */
    OK_ROW("measurement", "te/device/main///m/environment", "device/main//",
           TE_CH_MEASUREMENT, "environment", "", NULL),
    OK_ROW("measurement_empty_type", "te/device/main///m/", "device/main//",
           TE_CH_MEASUREMENT, "", "", NULL),
    OK_ROW("measurement_of_child_empty_type", "te/device/child01///m/", "device/child01//",
           TE_CH_MEASUREMENT, "", "", NULL),
    OK_ROW("measurement_of_service", "te/device/child001/service/service001/m/measurement_type",
           "device/child001/service/service001", TE_CH_MEASUREMENT, "measurement_type", "",
           NULL),
    OK_ROW("measurement_custom_id", "te/factory/line1/plc/s1/m/", "factory/line1/plc/s1",
           TE_CH_MEASUREMENT, "", "", NULL),
    OK_ROW("measurement_type_looks_like_channel", "te/device/main///m/meta",
           "device/main//", TE_CH_MEASUREMENT, "meta", "", NULL),
    OK_ROW("measurement_meta", "te/device/main///m/battery/meta", "device/main//",
           TE_CH_MEASUREMENT_META, "battery", "", NULL),
    OK_ROW("measurement_meta_empty_type", "te/device/main///m//meta", "device/main//",
           TE_CH_MEASUREMENT_META, "", "", NULL),
    OK_ROW("event", "te/device/main///e/login", "device/main//", TE_CH_EVENT, "login", "",
           NULL),
    OK_ROW("event_empty_type", "te/device/main///e/", "device/main//", TE_CH_EVENT, "", "",
           NULL),
    OK_ROW("event_of_service", "te/device/main/service/app/e/login",
           "device/main/service/app", TE_CH_EVENT, "login", "", NULL),
    OK_ROW("event_meta", "te/device/main///e/login/meta", "device/main//", TE_CH_EVENT_META,
           "login", "", NULL),
    OK_ROW("alarm", "te/device/main///a/temperature_high", "device/main//", TE_CH_ALARM,
           "temperature_high", "", NULL),
    OK_ROW("alarm_empty_type", "te/device/main///a/", "device/main//", TE_CH_ALARM, "", "",
           NULL),
    OK_ROW("alarm_meta_of_child", "te/device/child001///a/sensors/meta", "device/child001//",
           TE_CH_ALARM_META, "sensors", "", NULL),
    OK_ROW("twin", "te/device/main///twin/os", "device/main//", TE_CH_TWIN, "os", "", NULL),
    OK_ROW("twin_empty_key_left_to_consumer", "te/device/main///twin/", "device/main//",
           TE_CH_TWIN, "", "", NULL),
    OK_ROW("twin_at_key_left_to_consumer", "te/device/main///twin/@id", "device/main//",
           TE_CH_TWIN, "@id", "", NULL),
    OK_ROW("config", "te/device/main/service/tedge-agent/config",
           "device/main/service/tedge-agent", TE_CH_CONFIG, "", "", NULL),
    OK_ROW("capability", "te/device/main///cmd/restart", "device/main//", TE_CH_CAPABILITY,
           "restart", "", NULL),
    OK_ROW("capability_named_health", "te/device/main///cmd/health", "device/main//",
           TE_CH_CAPABILITY, "health", "", NULL),
    OK_ROW("command", "te/device/main///cmd/restart/c8y-mapper-123", "device/main//",
           TE_CH_COMMAND, "restart", "c8y-mapper-123", NULL),
    OK_ROW("command_sub_id_with_colons", "te/device/main///cmd/software_update/sub:device_profile:c8y-12",
           "device/main//", TE_CH_COMMAND, "software_update", "sub:device_profile:c8y-12",
           NULL),
    OK_ROW("command_of_child", "te/device/child01///cmd/config_update/1234",
           "device/child01//", TE_CH_COMMAND, "config_update", "1234", NULL),
    OK_ROW("health_op_other_id_is_a_command", "te/device/main///cmd/health/other",
           "device/main//", TE_CH_COMMAND, "health", "other", NULL),
    OK_ROW("health_check_of_service", "te/device/main/service/tedge-agent/cmd/health/check",
           "device/main/service/tedge-agent", TE_CH_HEALTH_CHECK, "health", "check", NULL),
    OK_ROW("health_check_device_wide", "te/device/main///cmd/health/check", "device/main//",
           TE_CH_HEALTH_CHECK, "health", "check", NULL),
    OK_ROW("signal", "te/device/main/service/tedge-agent/signal/sync",
           "device/main/service/tedge-agent", TE_CH_SIGNAL, "sync", "", NULL),
    OK_ROW("signal_sync_log_upload", "te/device/main/service/tedge-agent/signal/sync_log_upload",
           "device/main/service/tedge-agent", TE_CH_SIGNAL, "sync_log_upload", "", NULL),
    OK_ROW("service_health", "te/device/main/service/tedge-agent/status/health",
           "device/main/service/tedge-agent", TE_CH_HEALTH, "", "", NULL),
    OK_ROW("bridge_health", "te/device/main/service/mosquitto-c8y-bridge/status/health",
           "device/main/service/mosquitto-c8y-bridge", TE_CH_HEALTH, "", "", NULL),
    OK_ROW("segments_may_hold_spaces_and_utf8", "te/device/k\xc3\xbc hl///m/t 1",
           "device/k\xc3\xbc hl//", TE_CH_MEASUREMENT, "t 1", "", NULL),
    { "custom_root", "thin-edge", "thin-edge/device/main///m/x", TE_OK, "device/main//",
      TE_CH_MEASUREMENT, "x", "", NULL },
    { "root_with_dash_and_dot", "my.te-1", "my.te-1/device/main///e/x", TE_OK,
      "device/main//", TE_CH_EVENT, "x", "", NULL },

    /* §7: root not ours */
    ERR_ROW("other_root_is_not_ours", "c8y/s/us", TE_ERR_NOTFOUND),
    ERR_ROW("root_prefix_of_longer_level_is_not_ours", "tedge/device/main///m/x",
            TE_ERR_NOTFOUND),
    ERR_ROW("shorter_first_level_is_not_ours", "t/device/main//", TE_ERR_NOTFOUND),
    ERR_ROW("root_alone_is_not_ours", "te", TE_ERR_NOTFOUND),
    ERR_ROW("empty_topic_is_not_ours", "", TE_ERR_NOTFOUND),
    ERR_ROW("root_is_case_sensitive", "TE/device/main//", TE_ERR_NOTFOUND),
    ERR_ROW("leading_slash_is_not_ours", "/te/device/main//", TE_ERR_NOTFOUND),
    ERR_ROW("legacy_tedge_topic_is_not_ours", "tedge/measurements", TE_ERR_NOTFOUND),
    { "default_root_topic_under_custom_root", "thin-edge", "te/device/main///m/x",
      TE_ERR_NOTFOUND, "", TE_CH_REGISTRATION, "", "", NULL },
    /* §7: invalid channels */
    ERR_ROW("unknown_channel", "te/device/main///foo/x", TE_ERR_PARSE),
    ERR_ROW("measurement_without_type", "te/device/main///m", TE_ERR_PARSE),
    ERR_ROW("measurement_extra_segment", "te/device/main///m/t/x", TE_ERR_PARSE),
    ERR_ROW("measurement_meta_extra_segment", "te/device/main///m/t/meta/x", TE_ERR_PARSE),
    ERR_ROW("event_without_type", "te/device/main///e", TE_ERR_PARSE),
    ERR_ROW("event_extra_segment", "te/device/main///e/t/other", TE_ERR_PARSE),
    ERR_ROW("alarm_without_type", "te/device/main///a", TE_ERR_PARSE),
    ERR_ROW("command_four_segments", "te/device/main///cmd/a/b/c", TE_ERR_PARSE),
    ERR_ROW("cmd_alone", "te/device/main///cmd", TE_ERR_PARSE),
    ERR_ROW("capability_empty_op", "te/device/main///cmd/", TE_ERR_PARSE),
    ERR_ROW("command_empty_op", "te/device/main///cmd//123", TE_ERR_PARSE),
    ERR_ROW("command_empty_id", "te/device/main///cmd/restart/", TE_ERR_PARSE),
    ERR_ROW("signal_alone", "te/device/main///signal", TE_ERR_PARSE),
    ERR_ROW("signal_empty_type", "te/device/main///signal/", TE_ERR_PARSE),
    ERR_ROW("signal_extra_segment", "te/device/main///signal/sync/x", TE_ERR_PARSE),
    ERR_ROW("status_other_is_reserved", "te/device/main///status/other", TE_ERR_PARSE),
    ERR_ROW("status_alone", "te/device/main///status", TE_ERR_PARSE),
    ERR_ROW("status_health_extra_segment", "te/device/main///status/health/x", TE_ERR_PARSE),
    ERR_ROW("twin_without_key", "te/device/main///twin", TE_ERR_PARSE),
    ERR_ROW("twin_nested_key", "te/device/main///twin/a/b", TE_ERR_PARSE),
    ERR_ROW("config_with_key", "te/device/main///config/x", TE_ERR_PARSE),
    ERR_ROW("extra_slash_after_id", "te/device/main////m/temp", TE_ERR_PARSE),
    ERR_ROW("channel_letter_is_case_sensitive", "te/device/main///M/temp", TE_ERR_PARSE),
    /* wildcards are never topics */
    ERR_ROW("plus_in_id", "te/+/+/+/+", TE_ERR_PARSE),
    ERR_ROW("plus_in_one_id_level", "te/device/+//", TE_ERR_PARSE),
    ERR_ROW("hash_in_channel", "te/device/main///m/#", TE_ERR_PARSE),
    ERR_ROW("plus_inside_type", "te/device/main///m/a+b", TE_ERR_PARSE),
    ERR_ROW("hash_after_root", "te/#", TE_ERR_PARSE),
};

static void run_parse_case(void **state)
{
    const parse_case_t *c = *state;
    const char *root = c->root ? c->root : "te";
    te_topic_t t;
    memset(&t, 0x5a, sizeof t);
    te_err_t rc = te_topic_parse(root, c->topic, strlen(c->topic), &t);
    if (rc != c->rc)
        fail_msg("%s: rc %d, want %d", c->topic, rc, c->rc);
    if (rc != TE_OK) {
        /* a failed parse leaves nothing half-filled */
        assert_string_equal(t.entity_id, "");
        return;
    }
    assert_string_equal(t.entity_id, c->id);
    if (t.kind != c->kind)
        fail_msg("%s: kind %s, want %s", c->topic, te_topic_kind_name(t.kind),
                 te_topic_kind_name(c->kind));
    assert_string_equal(t.name, c->chan_name);
    assert_string_equal(t.cmd_id, c->cmd_id);

    char buf[TE_TOPIC_MAX];
    assert_int_equal(te_topic_build(root, &t, buf, sizeof buf), TE_OK);
    assert_string_equal(buf, c->rebuilt ? c->rebuilt : c->topic);
}

/* ---- parse: lengths, NUL, arguments ---- */

static void test_parse_rejects_nul_inside_topic(void **state)
{
    (void)state;
    static const char topic[] = "te/device/ma\0in///m/x";
    te_topic_t t;
    assert_int_equal(te_topic_parse("te", topic, sizeof topic - 1, &t), TE_ERR_PARSE);
}

static void test_parse_reads_only_topic_len_bytes(void **state)
{
    (void)state;
    static const char topic[] = "te/device/main///m/envXXXX";
    te_topic_t t;
    assert_int_equal(te_topic_parse("te", topic, strlen(topic) - 4, &t), TE_OK);
    assert_string_equal(t.name, "env");
}

static void test_parse_rejects_bad_root_argument(void **state)
{
    (void)state;
    te_topic_t t;
    char long_root[TE_TOPIC_ROOT_MAX + 1];
    memset(long_root, 'r', sizeof long_root - 1);
    long_root[sizeof long_root - 1] = '\0';
    const char *topic = "te/device/main//";
    assert_int_equal(te_topic_parse("", topic, strlen(topic), &t), TE_ERR_INVAL);
    assert_int_equal(te_topic_parse("te/device", topic, strlen(topic), &t), TE_ERR_INVAL);
    assert_int_equal(te_topic_parse("+", topic, strlen(topic), &t), TE_ERR_INVAL);
    assert_int_equal(te_topic_parse("#", topic, strlen(topic), &t), TE_ERR_INVAL);
    assert_int_equal(te_topic_parse(long_root, topic, strlen(topic), &t), TE_ERR_INVAL);
    assert_int_equal(te_topic_parse(NULL, topic, strlen(topic), &t), TE_ERR_INVAL);
    assert_int_equal(te_topic_parse("te", NULL, 0, &t), TE_ERR_INVAL);
    assert_int_equal(te_topic_parse("te", topic, strlen(topic), NULL), TE_ERR_INVAL);
}

/* "te/" + id of id_len bytes (given as segments) + channel */
static void make_topic(char *buf, size_t buflen, size_t seg_len, const char *tail)
{
    char seg[400];
    memset(seg, 'd', seg_len);
    seg[seg_len] = '\0';
    snprintf(buf, buflen, "te/%s%s", seg, tail);
}

static void test_parse_id_length_limit_is_255_bytes(void **state)
{
    (void)state;
    char topic[600];
    te_topic_t t;
    /* "<seg>///" is seg + 3 bytes: 252 + 3 = 255 fits, 253 + 3 does not */
    make_topic(topic, sizeof topic, 252, "////m/x");
    assert_int_equal(te_topic_parse("te", topic, strlen(topic), &t), TE_OK);
    assert_int_equal(strlen(t.entity_id), 255);
    make_topic(topic, sizeof topic, 253, "////m/x");
    assert_int_equal(te_topic_parse("te", topic, strlen(topic), &t), TE_ERR_RANGE);
    /* a short id counts its padding */
    make_topic(topic, sizeof topic, 252, "");
    assert_int_equal(te_topic_parse("te", topic, strlen(topic), &t), TE_OK);
    assert_int_equal(strlen(t.entity_id), 255);
    make_topic(topic, sizeof topic, 253, "");
    assert_int_equal(te_topic_parse("te", topic, strlen(topic), &t), TE_ERR_RANGE);
}

static void test_parse_name_length_limit_is_127_bytes(void **state)
{
    (void)state;
    char topic[600], type[200];
    te_topic_t t;
    memset(type, 't', 127);
    type[127] = '\0';
    snprintf(topic, sizeof topic, "te/device/main///m/%s", type);
    assert_int_equal(te_topic_parse("te", topic, strlen(topic), &t), TE_OK);
    assert_int_equal(strlen(t.name), 127);
    snprintf(topic, sizeof topic, "te/device/main///m/%st", type);
    assert_int_equal(te_topic_parse("te", topic, strlen(topic), &t), TE_ERR_RANGE);
    snprintf(topic, sizeof topic, "te/device/main///cmd/restart/%st", type);
    assert_int_equal(te_topic_parse("te", topic, strlen(topic), &t), TE_ERR_RANGE);
    snprintf(topic, sizeof topic, "te/device/main///cmd/restart/%s", type);
    assert_int_equal(te_topic_parse("te", topic, strlen(topic), &t), TE_OK);
    assert_int_equal(strlen(t.cmd_id), 127);
}

/* ---- builders ---- */

static void test_build_for_normalises_a_short_id(void **state)
{
    (void)state;
    char buf[TE_TOPIC_MAX];
    assert_int_equal(te_topic_build_for("te", "device/child0", TE_CH_MEASUREMENT, "temp",
                                        NULL, buf, sizeof buf),
                     TE_OK);
    assert_string_equal(buf, "te/device/child0///m/temp");
    assert_int_equal(te_topic_build_for("te", "device/child0", TE_CH_REGISTRATION, NULL,
                                        NULL, buf, sizeof buf),
                     TE_OK);
    assert_string_equal(buf, "te/device/child0//");
}

static void test_build_every_kind(void **state)
{
    (void)state;
    static const struct {
        te_channel_kind_t kind;
        const char *name, *cmd_id, *topic;
    } cases[] = {
        { TE_CH_REGISTRATION, NULL, NULL, "te/device/c//" },
        { TE_CH_TWIN, "name", NULL, "te/device/c///twin/name" },
        { TE_CH_CONFIG, NULL, NULL, "te/device/c///config" },
        { TE_CH_MEASUREMENT, "", NULL, "te/device/c///m/" },
        { TE_CH_MEASUREMENT_META, "t", NULL, "te/device/c///m/t/meta" },
        { TE_CH_EVENT, "t", NULL, "te/device/c///e/t" },
        { TE_CH_EVENT_META, "t", NULL, "te/device/c///e/t/meta" },
        { TE_CH_ALARM, "t", NULL, "te/device/c///a/t" },
        { TE_CH_ALARM_META, "t", NULL, "te/device/c///a/t/meta" },
        { TE_CH_CAPABILITY, "restart", NULL, "te/device/c///cmd/restart" },
        { TE_CH_COMMAND, "restart", "r-1", "te/device/c///cmd/restart/r-1" },
        { TE_CH_HEALTH_CHECK, NULL, NULL, "te/device/c///cmd/health/check" },
        { TE_CH_SIGNAL, "sync", NULL, "te/device/c///signal/sync" },
        { TE_CH_HEALTH, NULL, NULL, "te/device/c///status/health" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char buf[TE_TOPIC_MAX];
        assert_int_equal(te_topic_build_for("te", "device/c//", cases[i].kind, cases[i].name,
                                            cases[i].cmd_id, buf, sizeof buf),
                         TE_OK);
        assert_string_equal(buf, cases[i].topic);
    }
}

static void test_build_rejects_invalid_parts(void **state)
{
    (void)state;
    char buf[TE_TOPIC_MAX];
    static const struct {
        const char *id;
        te_channel_kind_t kind;
        const char *name, *cmd_id;
        te_err_t rc;
    } cases[] = {
        { "device/main//", TE_CH_MEASUREMENT, "a/b", NULL, TE_ERR_INVAL },
        { "device/main//", TE_CH_MEASUREMENT, "a+", NULL, TE_ERR_INVAL },
        { "device/main//", TE_CH_EVENT, "#", NULL, TE_ERR_INVAL },
        { "device/main//", TE_CH_ALARM, NULL, NULL, TE_ERR_INVAL },
        { "device/main//", TE_CH_CAPABILITY, "", NULL, TE_ERR_INVAL },
        { "device/main//", TE_CH_COMMAND, "restart", "", TE_ERR_INVAL },
        { "device/main//", TE_CH_COMMAND, "restart", NULL, TE_ERR_INVAL },
        { "device/main//", TE_CH_COMMAND, "restart", "a/b", TE_ERR_INVAL },
        { "device/main//", TE_CH_COMMAND, "health", "check", TE_ERR_INVAL },
        { "device/main//", TE_CH_SIGNAL, "", NULL, TE_ERR_INVAL },
        { "device/main//", (te_channel_kind_t)99, "x", NULL, TE_ERR_INVAL },
        { "a/b/c/d/e", TE_CH_REGISTRATION, NULL, NULL, TE_ERR_INVAL },
        { "device/+//", TE_CH_REGISTRATION, NULL, NULL, TE_ERR_INVAL },
        { "device/#//", TE_CH_HEALTH, NULL, NULL, TE_ERR_INVAL },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        te_err_t rc = te_topic_build_for("te", cases[i].id, cases[i].kind, cases[i].name,
                                         cases[i].cmd_id, buf, sizeof buf);
        if (rc != cases[i].rc)
            fail_msg("case %zu: rc %d, want %d", i, rc, cases[i].rc);
        assert_string_equal(buf, "");
    }
    assert_int_equal(te_topic_build_for("te/x", "device/main//", TE_CH_HEALTH, NULL, NULL,
                                        buf, sizeof buf),
                     TE_ERR_INVAL);
    assert_int_equal(te_topic_build("te", NULL, buf, sizeof buf), TE_ERR_INVAL);
}

static void test_build_rejects_over_long_name_as_range(void **state)
{
    (void)state;
    char buf[TE_TOPIC_MAX], name[200], id[300];
    memset(name, 'n', 128);
    name[128] = '\0';
    assert_int_equal(te_topic_build_for("te", "device/main//", TE_CH_MEASUREMENT, name, NULL,
                                        buf, sizeof buf),
                     TE_ERR_RANGE);
    memset(id, 'i', 253);
    id[253] = '\0';
    assert_int_equal(te_topic_build_for("te", id, TE_CH_REGISTRATION, NULL, NULL, buf,
                                        sizeof buf),
                     TE_ERR_RANGE);
}

static void test_build_small_buffer_is_toobig_and_exact_fits(void **state)
{
    (void)state;
    char buf[32];
    const char *want = "te/device/main///m/env"; /* 22 chars */
    assert_int_equal(te_topic_build_for("te", "device/main//", TE_CH_MEASUREMENT, "env",
                                        NULL, buf, 22),
                     TE_ERR_TOOBIG);
    assert_string_equal(buf, "");
    assert_int_equal(te_topic_build_for("te", "device/main//", TE_CH_MEASUREMENT, "env",
                                        NULL, buf, 23),
                     TE_OK);
    assert_string_equal(buf, want);
}

static void test_longest_topic_fits_te_topic_max(void **state)
{
    (void)state;
    char root[TE_TOPIC_ROOT_MAX], id[TE_TOPIC_ID_MAX], name[TE_TOPIC_NAME_MAX],
        cmd[TE_TOPIC_NAME_MAX], buf[TE_TOPIC_MAX];
    memset(root, 'r', sizeof root - 1);
    root[sizeof root - 1] = '\0';
    memset(id, 'i', sizeof id - 1);
    id[sizeof id - 1] = '\0';
    id[10] = id[20] = id[30] = '/';
    memset(name, 'n', sizeof name - 1);
    name[sizeof name - 1] = '\0';
    memset(cmd, 'c', sizeof cmd - 1);
    cmd[sizeof cmd - 1] = '\0';
    assert_int_equal(te_topic_build_for(root, id, TE_CH_COMMAND, name, cmd, buf, sizeof buf),
                     TE_OK);
    te_topic_t t;
    assert_int_equal(te_topic_parse(root, buf, strlen(buf), &t), TE_OK);
    assert_string_equal(t.entity_id, id);
    assert_string_equal(t.cmd_id, cmd);
}

static void test_errors_topic(void **state)
{
    (void)state;
    char buf[TE_TOPIC_MAX];
    assert_int_equal(te_topic_errors("te", buf, sizeof buf), TE_OK);
    assert_string_equal(buf, "te/errors");
    assert_int_equal(te_topic_errors("thin-edge", buf, sizeof buf), TE_OK);
    assert_string_equal(buf, "thin-edge/errors");
    assert_int_equal(te_topic_errors("", buf, sizeof buf), TE_ERR_INVAL);
    assert_int_equal(te_topic_errors("te", buf, 9), TE_ERR_TOOBIG);
}

/* ---- ids in payloads ---- */

typedef struct normalize_case {
    const char *in;
    te_err_t rc;
    const char *out_or_err;
} normalize_case_t;

static void test_id_normalize_table(void **state)
{
    (void)state;
    static const normalize_case_t cases[] = {
        { "device/child0", TE_OK, "device/child0//" },
        { "device/child0/", TE_OK, "device/child0//" },
        { "device/child0//", TE_OK, "device/child0//" },
        { "device/main/service/x", TE_OK, "device/main/service/x" },
        { "device", TE_OK, "device///" },
        { "", TE_OK, "///" },
        { "///", TE_OK, "///" },
        { "a/b/c/d/e", TE_ERR_PARSE, "An entity topic identifier has at most 4 segments" },
        { "device/child0///", TE_ERR_PARSE,
          "An entity topic identifier has at most 4 segments" },
        { "device/+//", TE_ERR_PARSE, "An entity topic identifier must be a valid MQTT topic" },
        { "device/#", TE_ERR_PARSE, "An entity topic identifier must be a valid MQTT topic" },
        { "+", TE_ERR_PARSE, "An entity topic identifier must be a valid MQTT topic" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char out[TE_TOPIC_ID_MAX] = "", err[128] = "";
        te_err_t rc = te_topic_id_normalize(cases[i].in, out, sizeof out, err, sizeof err);
        if (rc != cases[i].rc)
            fail_msg("\"%s\": rc %d, want %d", cases[i].in, rc, cases[i].rc);
        assert_string_equal(rc == TE_OK ? out : err, cases[i].out_or_err);
    }
}

static void test_id_normalize_in_place_and_limits(void **state)
{
    (void)state;
    char buf[TE_TOPIC_ID_MAX] = "device/child0";
    assert_int_equal(te_topic_id_normalize(buf, buf, sizeof buf, NULL, 0), TE_OK);
    assert_string_equal(buf, "device/child0//");

    char small[10];
    assert_int_equal(te_topic_id_normalize("device/child0", small, sizeof small, NULL, 0),
                     TE_ERR_TOOBIG);
    char long_id[400], out[600];
    memset(long_id, 'x', 253);
    long_id[253] = '\0';
    assert_int_equal(te_topic_id_normalize(long_id, out, sizeof out, NULL, 0), TE_ERR_RANGE);
    long_id[252] = '\0';
    assert_int_equal(te_topic_id_normalize(long_id, out, sizeof out, NULL, 0), TE_OK);
    assert_int_equal(te_topic_id_normalize(NULL, out, sizeof out, NULL, 0), TE_ERR_INVAL);
}

static void test_default_scheme_table(void **state)
{
    (void)state;
    static const struct {
        const char *id;
        bool is_default, is_service;
        const char *device, *service;
    } cases[] = {
        { "device/main//", true, false, "main", NULL },
        { "device/child//", true, false, "child", NULL },
        { "device/main/service/foo", true, true, "main", "foo" },
        { "device/child/service/foo", true, true, "child", "foo" },
        { "device/main//foo", false, false, NULL, NULL },
        { "device///", false, false, NULL, NULL },
        { "device/x/service/", false, false, NULL, NULL },
        { "device//service/x", false, false, NULL, NULL },
        { "custom///", false, false, NULL, NULL },
        { "custom/main//", false, false, NULL, NULL },
        { "custom/main/service/foo", false, false, NULL, NULL },
        { "device/main/custom_service/foo", false, false, NULL, NULL },
        { "device/main/service", false, false, NULL, NULL },
        { "device/main", false, false, NULL, NULL },
        { "factory01/hallA/packaging/belt001", false, false, NULL, NULL },
        { "", false, false, NULL, NULL },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char dev[64] = "?", svc[64] = "?";
        if (te_topic_id_is_default_scheme(cases[i].id) != cases[i].is_default)
            fail_msg("%s: default scheme %d", cases[i].id, !cases[i].is_default);
        assert_int_equal(te_topic_id_is_default_service(cases[i].id), cases[i].is_service);
        te_err_t rc = te_topic_id_device_name(cases[i].id, dev, sizeof dev);
        assert_int_equal(rc, cases[i].device ? TE_OK : TE_ERR_NOTFOUND);
        if (cases[i].device)
            assert_string_equal(dev, cases[i].device);
        rc = te_topic_id_service_name(cases[i].id, svc, sizeof svc);
        assert_int_equal(rc, cases[i].service ? TE_OK : TE_ERR_NOTFOUND);
        if (cases[i].service)
            assert_string_equal(svc, cases[i].service);
    }
    char tiny[4];
    assert_int_equal(te_topic_id_device_name("device/child01//", tiny, sizeof tiny),
                     TE_ERR_TOOBIG);
}

static void test_default_parent_rules(void **state)
{
    (void)state;
    char out[TE_TOPIC_ID_MAX];
    /* §2.1: service device/<d>/service/<s> -> device/<d>// */
    assert_int_equal(te_topic_id_default_parent("device/child01/service/nodered", true, NULL,
                                                out, sizeof out),
                     TE_OK);
    assert_string_equal(out, "device/child01//");
    assert_int_equal(te_topic_id_default_parent("device/main/service/tedge-agent", true, NULL,
                                                out, sizeof out),
                     TE_OK);
    assert_string_equal(out, "device/main//");
    /* other services and every child device -> main */
    assert_int_equal(te_topic_id_default_parent("factory/a/b/c", true, NULL, out, sizeof out),
                     TE_OK);
    assert_string_equal(out, "device/main//");
    assert_int_equal(te_topic_id_default_parent("device/child01//", false, NULL, out,
                                                sizeof out),
                     TE_OK);
    assert_string_equal(out, "device/main//");
    assert_int_equal(te_topic_id_default_parent("device/nested/service/x", false, NULL, out,
                                                sizeof out),
                     TE_OK);
    assert_string_equal(out, "device/main//");
    assert_int_equal(te_topic_id_default_parent("plant/belt//", false, "plant/gw//", out,
                                                sizeof out),
                     TE_OK);
    assert_string_equal(out, "plant/gw//");
    /* "device/child01//" is 16 chars: 17 bytes fit, 16 do not */
    assert_int_equal(te_topic_id_default_parent("device/child01/service/x", true, NULL, out,
                                                17),
                     TE_OK);
    assert_int_equal(te_topic_id_default_parent("device/child01/service/x", true, NULL, out,
                                                16),
                     TE_ERR_TOOBIG);
    assert_int_equal(te_topic_id_default_parent(NULL, true, NULL, out, sizeof out),
                     TE_ERR_INVAL);
}

static void test_id_split_points_into_the_id(void **state)
{
    (void)state;
    const char *id = "device/child01/service/x";
    const char *seg[4];
    size_t len[4];
    assert_int_equal(te_topic_id_split(id, seg, len), TE_OK);
    assert_ptr_equal(seg[0], id);
    assert_int_equal(len[0], 6);
    assert_int_equal(len[1], 7);
    assert_memory_equal(seg[2], "service", 7);
    assert_int_equal(len[3], 1);
    assert_int_equal(te_topic_id_split("device/main//", seg, len), TE_OK);
    assert_int_equal(len[2], 0);
    assert_int_equal(len[3], 0);
    assert_int_equal(te_topic_id_split("device/main", seg, len), TE_ERR_PARSE);
    assert_int_equal(te_topic_id_split("a/b/c/d/e", seg, len), TE_ERR_PARSE);
}

/* ---- MQTT syntax ---- */

static void test_filter_validity_table(void **state)
{
    (void)state;
    static const struct {
        const char *filter;
        bool valid;
    } cases[] = {
        { "te/+/+/+/+", true },        { "te/+/+/+/+/m/+", true },
        { "te/+/+/+/+/cmd/+/+", true }, { "te/+/+/+/+/status/health", true },
        { "te/#", true },              { "#", true },
        { "+", true },                 { "+/+", true },
        { "/", true },                 { "a//b", true },
        { "sport/tennis/#", true },    { "$SYS/#", true },
        { "te/device/main///m/", true },
        { "", false },                 { "te/#/x", false },
        { "te#", false },              { "te/+x", false },
        { "te/x+", false },            { "##", false },
        { "te/ #", false },            { "#/", false },
        { "te/\xff", false },          { "te/\xc3\x28", false },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        if (te_topic_filter_valid(cases[i].filter) != cases[i].valid)
            fail_msg("filter \"%s\": want %s", cases[i].filter,
                     cases[i].valid ? "valid" : "invalid");
    }
    assert_false(te_topic_filter_valid(NULL));
}

static void test_topic_name_validity_table(void **state)
{
    (void)state;
    static const struct {
        const char *topic;
        bool valid;
    } cases[] = {
        { "te/device/main///m/x", true }, { "a", true },  { "/", true },
        { "c8y/s/us", true },              { "te/k\xc3\xbc", true },
        { "", false },                     { "te/+", false }, { "te/#", false },
        { "te/\xc3\x28", false },          { "te/\xed\xa0\x80", false },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        if (te_topic_name_valid(cases[i].topic) != cases[i].valid)
            fail_msg("topic \"%s\": want %s", cases[i].topic,
                     cases[i].valid ? "valid" : "invalid");
    }
    assert_false(te_topic_name_valid(NULL));
}

static void test_mqtt_length_limit_is_65535_bytes(void **state)
{
    (void)state;
    static char big[TE_TOPIC_MQTT_MAX + 2];
    memset(big, 'a', TE_TOPIC_MQTT_MAX);
    big[TE_TOPIC_MQTT_MAX] = '\0';
    assert_true(te_topic_name_valid(big));
    assert_true(te_topic_filter_valid(big));
    big[TE_TOPIC_MQTT_MAX] = 'a';
    big[TE_TOPIC_MQTT_MAX + 1] = '\0';
    assert_false(te_topic_name_valid(big));
    assert_false(te_topic_filter_valid(big));
}

static void test_kind_names_are_distinct(void **state)
{
    (void)state;
    for (int a = TE_CH_REGISTRATION; a <= TE_CH_HEALTH; a++) {
        assert_string_not_equal(te_topic_kind_name((te_channel_kind_t)a), "unknown");
        for (int b = a + 1; b <= TE_CH_HEALTH; b++)
            assert_string_not_equal(te_topic_kind_name((te_channel_kind_t)a),
                                    te_topic_kind_name((te_channel_kind_t)b));
    }
    assert_string_equal(te_topic_kind_name((te_channel_kind_t)99), "unknown");
}

int main(void)
{
    static struct CMUnitTest tests[256];
    size_t n = 0;
    for (size_t i = 0; i < sizeof PARSE_CASES / sizeof PARSE_CASES[0]; i++)
        tests[n++] = (struct CMUnitTest){ PARSE_CASES[i].name, run_parse_case, NULL, NULL,
                                          (void *)&PARSE_CASES[i] };
    const struct CMUnitTest fixed[] = {
        cmocka_unit_test(test_parse_rejects_nul_inside_topic),
        cmocka_unit_test(test_parse_reads_only_topic_len_bytes),
        cmocka_unit_test(test_parse_rejects_bad_root_argument),
        cmocka_unit_test(test_parse_id_length_limit_is_255_bytes),
        cmocka_unit_test(test_parse_name_length_limit_is_127_bytes),
        cmocka_unit_test(test_build_for_normalises_a_short_id),
        cmocka_unit_test(test_build_every_kind),
        cmocka_unit_test(test_build_rejects_invalid_parts),
        cmocka_unit_test(test_build_rejects_over_long_name_as_range),
        cmocka_unit_test(test_build_small_buffer_is_toobig_and_exact_fits),
        cmocka_unit_test(test_longest_topic_fits_te_topic_max),
        cmocka_unit_test(test_errors_topic),
        cmocka_unit_test(test_id_normalize_table),
        cmocka_unit_test(test_id_normalize_in_place_and_limits),
        cmocka_unit_test(test_default_scheme_table),
        cmocka_unit_test(test_default_parent_rules),
        cmocka_unit_test(test_id_split_points_into_the_id),
        cmocka_unit_test(test_filter_validity_table),
        cmocka_unit_test(test_topic_name_validity_table),
        cmocka_unit_test(test_mqtt_length_limit_is_65535_bytes),
        cmocka_unit_test(test_kind_names_are_distinct),
    };
    for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++)
        tests[n++] = fixed[i];
    return _cmocka_run_group_tests("topic", tests, n, NULL, NULL);
}
