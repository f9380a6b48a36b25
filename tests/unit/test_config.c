/* Unit tests of the config module: value types with thin-edge.io's exact
 * error texts, defaults and derived values, environment overrides, key
 * lookup, add/remove, the device id and tedge.toml round trips. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "tedge/config.h"
#include "tedge/log.h"

extern char **environ;

typedef struct fixture {
    char dir[64];
    char file[96];
} fixture_t;

static void clear_tedge_env(void)
{
    for (;;) {
        char name[256] = "";
        for (char **e = environ; *e; e++) {
            if (strncmp(*e, "TEDGE_", 6) == 0) {
                size_t n = strcspn(*e, "=");
                if (n < sizeof name) {
                    memcpy(name, *e, n);
                    name[n] = '\0';
                }
                break;
            }
        }
        if (!name[0])
            return;
        unsetenv(name);
    }
}

static int setup(void **state)
{
    fixture_t *f = calloc(1, sizeof *f);
    strcpy(f->dir, "/tmp/test_config_XXXXXX");
    if (!mkdtemp(f->dir))
        return -1;
    snprintf(f->file, sizeof f->file, "%s/tedge.toml", f->dir);
    clear_tedge_env();
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
    clear_tedge_env();
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
    FILE *fp = fopen(path, "r");
    if (!fp)
        return NULL;
    static char buf[8192];
    size_t n = fread(buf, 1, sizeof buf - 1, fp);
    buf[n] = '\0';
    fclose(fp);
    return buf;
}

static te_config_t *load(fixture_t *f, bool file_only)
{
    te_config_t *cfg = NULL;
    char err[512];
    te_err_t rc = te_config_load(&cfg, f->dir, file_only, err, sizeof err);
    if (rc != TE_OK)
        fail_msg("load failed: %s", err);
    return cfg;
}

static void assert_value(te_config_t *cfg, const char *key, const char *expected)
{
    const char *value = te_config_get(cfg, key);
    if (!expected) {
        if (value)
            fail_msg("%s: expected no value, got '%s'", key, value);
        return;
    }
    if (!value)
        fail_msg("%s: expected '%s', got no value", key, expected);
    if (strcmp(value, expected) != 0)
        fail_msg("%s: expected '%s', got '%s'", key, expected, value);
}

/* --- value types --- */

typedef struct set_case {
    const char *key;
    const char *value;
    const char *printed; /* NULL: rejected */
    const char *reason;  /* the reason when rejected */
} set_case_t;

#define URL_ERROR(v)                                                   \
    "Could not parse provided URL: '" v "' as a valid domain name.\n" \
    "         Provided URL should contain only domain, eg: 'subdomain.cumulocity.com'."
#define PAYLOAD_ERROR(v) "Invalid MQTT payload size limit: " v ". Provide a value between 0 and 268435455 bytes"
#define TWICE(m) m "\n" m

static const set_case_t set_cases[] = {
    /* ports: 1..65535 */
    {"mqtt.bind.port", "1884", "1884", NULL},
    {"mqtt.bind.port", "+80", "80", NULL},
    {"mqtt.bind.port", "65535", "65535", NULL},
    {"mqtt.bind.port", "abc", NULL, "invalid digit found in string"},
    {"mqtt.bind.port", "70000", NULL, "number too large to fit in target type"},
    {"mqtt.bind.port", "0", NULL, "number would be zero for non-zero type"},
    {"mqtt.bind.port", "", NULL, "cannot parse integer from empty string"},
    {"mqtt.bind.port", "-1", NULL, "invalid digit found in string"},
    {"http.bind.port", "8080", "8080", NULL},
    {"c8y.proxy.bind.port", " 80", NULL, "invalid digit found in string"},
    /* unsigned counts */
    {"software.plugin.max_packages", "42", "42", NULL},
    {"software.plugin.max_packages", "4294967296", NULL, "number too large to fit in target type"},
    {"c8y.mapper.mqtt.max_payload_size", "268435455", "268435455", NULL},
    {"c8y.mapper.mqtt.max_payload_size", "0", NULL, PAYLOAD_ERROR("0")},
    {"az.mapper.mqtt.max_payload_size", "268435456", NULL, PAYLOAD_ERROR("268435456")},
    {"aws.mapper.mqtt.max_payload_size", "lots", NULL, PAYLOAD_ERROR("lots")},
    /* booleans */
    {"c8y.enable.log_upload", "false", "false", NULL},
    {"sudo.enable", "true", "true", NULL},
    {"sudo.enable", "yes", NULL, "provided string was not `true` or `false`"},
    {"sudo.enable", "True", NULL, "provided string was not `true` or `false`"},
    /* IP addresses, printed normalised */
    {"mqtt.bind.address", "0.0.0.0", "0.0.0.0", NULL},
    {"mqtt.bind.address", "::1", "::1", NULL},
    {"mqtt.bind.address", "0:0:0:0:0:0:0:1", "::1", NULL},
    {"mqtt.bind.address", "foo", NULL, "invalid IP address syntax"},
    {"mqtt.bind.address", "1.2.3", NULL, "invalid IP address syntax"},
    {"mqtt.bind.address", "01.2.3.4", NULL, "invalid IP address syntax"},
    /* durations, kept as entered */
    {"c8y.bridge.keepalive_interval", "90s", "90s", NULL},
    {"firmware.child.update.timeout", "4000", "4000", NULL},
    {"firmware.child.update.timeout", "+4000", "4000", NULL},
    {"c8y.availability.interval", "1h 30m", "1h 30m", NULL},
    {"certificate.validity.requested_duration", "2years", "2years", NULL},
    {"c8y.bridge.keepalive_interval", "abc", NULL, "expected number at 0"},
    {"c8y.bridge.keepalive_interval", "10x", NULL,
     "unknown time unit \"x\", supported units: ns, us, ms, sec, min, hours, days, weeks, months, years "
     "(and few variations)"},
    {"c8y.bridge.keepalive_interval", "10 ", NULL, "time unit needed, for example 10sec or 10ms"},
    {"c8y.bridge.keepalive_interval", "", NULL, "value was empty"},
    {"c8y.bridge.keepalive_interval", "5s!", NULL, "invalid character at 2"},
    {"c8y.bridge.keepalive_interval", "99999999999999999999999s", NULL, "number is too large"},
    /* URLs: a host name only */
    {"c8y.url", "tenant.cumulocity.com", "tenant.cumulocity.com", NULL},
    {"c8y.url", "Tenant.Example.com", "Tenant.Example.com", NULL},
    {"az.url", "127.0.0.1", "127.0.0.1", NULL},
    {"c8y.url", "https://x.com/", NULL, URL_ERROR("https://x.com/")},
    {"aws.url", "x.com:443", NULL, URL_ERROR("x.com:443")},
    {"c8y.url", "", NULL, URL_ERROR("")},
    {"c8y.url", "1.2.3.256", NULL, URL_ERROR("1.2.3.256")},
    /* host:port, printed with the port */
    {"c8y.http", "http.example.com", "http.example.com:443", NULL},
    {"c8y.mqtt", "Mqtt.Example.com", "mqtt.example.com:8883", NULL},
    {"c8y.mqtt", "mqtt.example.com:1234", "mqtt.example.com:1234", NULL},
    {"c8y.http", "x.com:abc", NULL, "Could not parse port\ninvalid digit found in string"},
    {"c8y.http", "x.com:", NULL, "Could not parse port\ncannot parse integer from empty string"},
    {"c8y.http", ":8080", NULL, "Could not parse hostname\nempty host"},
    {"c8y.http", "a b:8080", NULL, "Could not parse hostname\ninvalid domain character"},
    /* flags and words */
    {"c8y.bridge.include.local_cleansession", "auto", "auto", NULL},
    {"c8y.bridge.include.local_cleansession", "false", "false", NULL},
    {"c8y.bridge.include.local_cleansession", "maybe", NULL,
     "Failed to parse flag: maybe. Supported values are: true, false, auto"},
    {"az.mapper.timestamp_format", "rfc3339", "rfc-3339", NULL},
    {"service.timestamp_format", "unix", "unix", NULL},
    {"service.timestamp_format", "iso8601", NULL,
     "Failed to parse flag: iso8601. Supported values are: 'rfc-3339' or 'unix'"},
    {"c8y.auth_method", "basic", "basic", NULL},
    {"c8y.auth_method", "password", NULL,
     "Failed to parse flag: password. Supported values are: 'certificate', 'basic' or 'auto'"},
    {"device.cryptoki.mode", "hsm", NULL, "Failed to parse flag: hsm. Supported values are: off, module, socket"},
    {"c8y.software_management.api", "advanced", "advanced", NULL},
    {"c8y.operations.auto_log_upload", "sometimes", NULL,
     "Failed to parse flag: sometimes. Supported values are: 'never', 'always' or 'on-failure'"},
    {"apt.dpkg.options.config", "keepnew", "keepnew", NULL},
    /* topic prefixes */
    {"c8y.bridge.topic_prefix", "c8y-main", "c8y-main", NULL},
    {"c8y.bridge.topic_prefix", "", NULL, TWICE("Topic prefix must not be empty")},
    {"az.bridge.topic_prefix", "a/#", NULL, TWICE("Topic prefix cannot contain '#'")},
    {"aws.bridge.topic_prefix", "a+", NULL, TWICE("Topic prefix cannot contain '+'")},
    {"c8y.bridge.topic_prefix", "c8y-internal", NULL, TWICE("Topic prefix cannot be c8y-internal")},
    /* lists */
    {"c8y.topics", "a,b/+", "[\"a\", \"b/+\"]", NULL},
    {"c8y.topics", " a , ,b ", "[\"a\", \"b\"]", NULL},
    {"c8y.smartrest.templates", "", "[]", NULL},
    {"c8y.smartrest.templates", "x\"y", "[\"x\\\"y\"]", NULL},
    /* mapper inputs: any strings, as thin-edge.io; the mapper skips bad filters */
    {"az.topics", "a/#/b", "[\"a/#/b\"]", NULL},
    {"aws.topics", "a/b+", "[\"a/b+\"]", NULL},
    {"c8y.mqtt_service.topics", "a/#/b", NULL, "Invalid topic filter: \"a/#/b\""},
    /* strings and paths */
    {"device.type", "my type", "my type", NULL},
    {"logs.path", "/var//log/./x/../tedge/", "/var/log/tedge", NULL},
    {"device.id", "my-device", "my-device", NULL},
};

static void test_set_validates_each_type_with_thin_edge_reasons(void **state)
{
    fixture_t *f = *state;
    te_config_t *cfg = load(f, true);
    for (size_t i = 0; i < sizeof set_cases / sizeof set_cases[0]; i++) {
        const set_case_t *c = &set_cases[i];
        char err[512] = "";
        te_err_t rc = te_config_set(cfg, c->key, c->value, err, sizeof err);
        if (c->printed) {
            if (rc != TE_OK)
                fail_msg("set %s '%s' failed: %s", c->key, c->value, err);
            assert_value(cfg, c->key, c->printed);
        } else {
            if (rc != TE_ERR_CONFIG)
                fail_msg("set %s '%s': expected TE_ERR_CONFIG, got %d", c->key, c->value, rc);
            if (strcmp(err, c->reason) != 0)
                fail_msg("set %s '%s': reason\n'%s'\nexpected\n'%s'", c->key, c->value, err, c->reason);
        }
    }
    te_config_free(cfg);
}

static void test_relative_path_is_joined_to_cwd(void **state)
{
    fixture_t *f = *state;
    te_config_t *cfg = load(f, true);
    char cwd[1024], expected[1100], err[256];
    assert_non_null(getcwd(cwd, sizeof cwd));
    snprintf(expected, sizeof expected, "%s/c8y-device.csr", cwd);
    assert_int_equal(te_config_set(cfg, "c8y.device.csr_path", "c8y-device.csr", err, sizeof err), TE_OK);
    assert_value(cfg, "c8y.device.csr_path", expected);
    te_config_free(cfg);
}

static void test_rejected_value_leaves_previous_value(void **state)
{
    fixture_t *f = *state;
    te_config_t *cfg = load(f, true);
    char err[256];
    assert_int_equal(te_config_set(cfg, "mqtt.bind.port", "1999", err, sizeof err), TE_OK);
    assert_int_equal(te_config_set(cfg, "mqtt.bind.port", "x", err, sizeof err), TE_ERR_CONFIG);
    assert_value(cfg, "mqtt.bind.port", "1999");
    te_config_free(cfg);
}

/* --- defaults and derived values --- */

static void test_defaults(void **state)
{
    fixture_t *f = *state;
    te_config_t *cfg = load(f, true);
    char path[256];
    static const char *const defaults[][2] = {
        {"device.type", "thin-edge.io"},
        {"mqtt.topic_root", "te"},
        {"mqtt.device_topic_id", "device/main//"},
        {"mqtt.bind.address", "127.0.0.1"},
        {"mqtt.bind.port", "1883"},
        {"mqtt.client.host", "127.0.0.1"},
        {"mqtt.client.port", "1883"},
        {"c8y.root_cert_path", "/etc/ssl/certs"},
        {"c8y.bridge.topic_prefix", "c8y"},
        {"az.bridge.topic_prefix", "az"},
        {"aws.bridge.topic_prefix", "aws"},
        {"c8y.bridge.keepalive_interval", "60s"},
        {"c8y.bridge.include.local_cleansession", "auto"},
        {"c8y.smartrest.templates", "[]"},
        {"c8y.topics", "[\"te/+/+/+/+\", \"te/+/+/+/+/twin/+\", \"te/+/+/+/+/m/+\", \"te/+/+/+/+/m/+/meta\", "
                       "\"te/+/+/+/+/e/+\", \"te/+/+/+/+/a/+\", \"te/+/+/+/+/status/health\"]"},
        {"az.topics", "[\"te/+/+/+/+/m/+\", \"te/+/+/+/+/e/+\", \"te/+/+/+/+/a/+\", \"te/+/+/+/+/status/health\"]"},
        {"c8y.mapper.mqtt.max_payload_size", "16184"},
        {"az.mapper.mqtt.max_payload_size", "262144"},
        {"aws.mapper.mqtt.max_payload_size", "131072"},
        {"az.mapper.timestamp", "true"},
        {"aws.mapper.timestamp_format", "unix"},
        {"c8y.proxy.bind.port", "8001"},
        {"c8y.proxy.client.port", "8001"},
        {"c8y.availability.interval", "60m"},
        {"http.bind.port", "8000"},
        {"http.bind.address", "127.0.0.1"},
        {"http.client.port", "8000"},
        {"agent.state.path", "/data/tedge/agent"},
        {"logs.path", "/var/log/tedge"},
        {"tmp.path", "/tmp"},
        {"data.path", "/var/tedge"},
        {"run.path", "/run"},
        {"service.type", "service"},
        {"sudo.enable", "true"},
        {"certificate.validity.requested_duration", "365d"},
        {"certificate.organization", "Thin Edge"},
        {"firmware.child.update.timeout", "1h"},
        {"c8y.url", NULL},
        {"c8y.http", NULL},
        {"software.plugin.default", NULL},
        {"mqtt.external.bind.port", NULL},
    };
    for (size_t i = 0; i < sizeof defaults / sizeof defaults[0]; i++)
        assert_value(cfg, defaults[i][0], defaults[i][1]);
    snprintf(path, sizeof path, "%s/device-certs/tedge-certificate.pem", f->dir);
    assert_value(cfg, "device.cert_path", path);
    assert_value(cfg, "c8y.device.cert_path", path);
    snprintf(path, sizeof path, "%s/device-certs/tedge-private-key.pem", f->dir);
    assert_value(cfg, "device.key_path", path);
    snprintf(path, sizeof path, "%s/credentials.toml", f->dir);
    assert_value(cfg, "c8y.credentials_path", path);
    assert_string_equal(te_config_dir(cfg), f->dir);
    assert_string_equal(te_config_file(cfg), f->file);
    te_config_free(cfg);
}

static void test_derived_values_follow_their_source(void **state)
{
    fixture_t *f = *state;
    write_file(f->file, "[c8y]\nurl = \"Tenant.example.com\"\n[mqtt.bind]\nport = 2000\naddress = \"10.0.0.1\"\n"
                        "[c8y.proxy.bind]\nport = 9000\n[device]\ncert_path = \"/x/cert.pem\"\n");
    te_config_t *cfg = load(f, true);
    char err[256];
    assert_value(cfg, "c8y.http", "tenant.example.com:443");
    assert_value(cfg, "c8y.mqtt", "tenant.example.com:8883");
    assert_value(cfg, "mqtt.client.port", "2000");
    assert_value(cfg, "c8y.proxy.client.port", "9000");
    assert_value(cfg, "http.bind.address", "10.0.0.1");
    assert_value(cfg, "az.device.cert_path", "/x/cert.pem");
    assert_int_equal(te_config_set(cfg, "mqtt.external.bind.address", "0.0.0.0", err, sizeof err), TE_OK);
    assert_value(cfg, "http.bind.address", "0.0.0.0");
    assert_int_equal(te_config_set(cfg, "http.bind.address", "1.2.3.4", err, sizeof err), TE_OK);
    assert_value(cfg, "http.bind.address", "1.2.3.4");
    /* a value of its own wins over the derived one */
    assert_int_equal(te_config_set(cfg, "mqtt.client.port", "3000", err, sizeof err), TE_OK);
    assert_value(cfg, "mqtt.client.port", "3000");
    assert_int_equal(te_config_set(cfg, "c8y.mqtt", "mqtt.other.com", err, sizeof err), TE_OK);
    assert_value(cfg, "c8y.mqtt", "mqtt.other.com:8883");
    assert_int_equal(te_config_unset(cfg, "c8y.url"), TE_OK);
    assert_value(cfg, "c8y.http", NULL);
    te_config_free(cfg);
}

/* --- typed getters --- */

static void test_typed_getters(void **state)
{
    fixture_t *f = *state;
    write_file(f->file, "[c8y]\ntopics = [\"a\", \"b\"]\n[c8y.bridge]\nkeepalive_interval = \"2m\"\n"
                        "[firmware.child.update]\ntimeout = 120\n");
    te_config_t *cfg = load(f, true);
    int64_t n = 0;
    bool b = false;
    const char *const *items = NULL;
    size_t count = 0;
    assert_int_equal(te_config_get_int(cfg, "mqtt.bind.port", &n), TE_OK);
    assert_int_equal(n, 1883);
    assert_int_equal(te_config_get_int(cfg, "mqtt.external.bind.port", &n), TE_ERR_NOTFOUND);
    assert_int_equal(te_config_get_int(cfg, "device.type", &n), TE_ERR_INVAL);
    assert_int_equal(te_config_get_int(cfg, "no.such.key", &n), TE_ERR_INVAL);
    assert_int_equal(te_config_get_bool(cfg, "sudo.enable", &b), TE_OK);
    assert_true(b);
    assert_int_equal(te_config_get_duration_s(cfg, "c8y.bridge.keepalive_interval", &n), TE_OK);
    assert_int_equal(n, 120);
    assert_int_equal(te_config_get_duration_s(cfg, "firmware.child.update.timeout", &n), TE_OK);
    assert_int_equal(n, 120);
    assert_int_equal(te_config_get_duration_s(cfg, "certificate.validity.requested_duration", &n), TE_OK);
    assert_int_equal(n, 365 * 86400);
    assert_int_equal(te_config_get_list(cfg, "c8y.topics", &items, &count), TE_OK);
    assert_int_equal(count, 2);
    assert_string_equal(items[0], "a");
    assert_string_equal(items[1], "b");
    assert_int_equal(te_config_get_list(cfg, "c8y.smartrest.templates", &items, &count), TE_OK);
    assert_int_equal(count, 0);
    te_config_free(cfg);
}

static void test_returned_strings_stay_valid(void **state)
{
    fixture_t *f = *state;
    te_config_t *cfg = load(f, true);
    char err[64];
    const char *first = te_config_get(cfg, "device.type");
    assert_ptr_equal(te_config_get(cfg, "device.type"), first);
    assert_int_equal(te_config_set(cfg, "device.type", "other", err, sizeof err), TE_OK);
    assert_string_equal(te_config_get(cfg, "device.type"), "other");
    assert_string_equal(first, "thin-edge.io"); /* still readable (ASan checks) */
    te_config_free(cfg);
}

/* --- key lookup --- */

static void test_key_lookup_treats_underscore_as_dot(void **state)
{
    (void)state;
    const te_cfg_key_t *key = te_config_key_find("c8y_url");
    assert_non_null(key);
    assert_string_equal(key->name, "c8y.url");
    assert_ptr_equal(te_config_key_find("mqtt_bind_port"), te_config_key_find("mqtt.bind.port"));
    assert_ptr_equal(te_config_key_find("device.key.path"), te_config_key_find("device.key_path"));
    assert_null(te_config_key_find("C8Y_URL"));
    assert_null(te_config_key_find("does.not.exist"));
    assert_null(te_config_key_find("mqtt.port"));
    assert_string_equal(te_config_key_lookup("mqtt.port")->name, "mqtt.bind.port");
    assert_string_equal(te_config_key_lookup("azure.url")->name, "az.url");
    assert_string_equal(te_config_key_lookup("mqtt.external.capath")->name, "mqtt.external.ca_path");
    assert_string_equal(te_config_key_lookup("c8y.enable.log_management")->name, "c8y.enable.log_upload");
    assert_null(te_config_key_lookup("azure"));
}

static void test_key_table_is_consistent(void **state)
{
    (void)state;
    size_t n = te_config_key_count();
    assert_true(n > 100);
    for (size_t i = 0; i < n; i++) {
        const te_cfg_key_t *key = te_config_key_at(i);
        const char *doc = te_config_key_doc(key);
        assert_non_null(doc);
        assert_null(key->doc); /* the daemons' table carries no text */
        size_t len = strlen(doc);
        if (len == 0 || doc[len - 1] != '.')
            fail_msg("%s: doc must end with '.'", key->name);
        assert_ptr_equal(te_config_key_find(key->name), key);
        if (key->derived_from) {
            char first[128];
            snprintf(first, sizeof first, "%.*s", (int)strcspn(key->derived_from, ","), key->derived_from);
            if (!te_config_key_find(first))
                fail_msg("%s derives from unknown %s", key->name, first);
        }
        if (te_config_key_example(key) && te_config_key_example_count(key) == 0)
            fail_msg("%s: example without count", key->name);
        for (size_t j = 0; j < i; j++) {
            if (strcmp(te_config_key_at(j)->name, key->name) == 0)
                fail_msg("%s twice", key->name);
        }
    }
    assert_null(te_config_key_at(n));
    assert_string_equal(te_config_key_note(te_config_key_find("c8y.root_cert_path")),
                        "The value can be a directory path as well as the path of the certificate file.");
    assert_int_equal(te_config_key_example_count(te_config_key_find("c8y.auth_method")), 3);
}

/* --- environment --- */

static void test_env_overrides_file(void **state)
{
    fixture_t *f = *state;
    write_file(f->file, "[c8y]\nurl = \"file.example.com\"\n[device]\ntype = \"from-file\"\n");
    setenv("TEDGE_C8Y_URL", "env.example.com", 1);
    setenv("TEDGE_MQTT_CLIENT_PORT", "8888", 1);
    setenv("TEDGE_C8Y_TOPICS", "topic/1,topic/2/+,topic/3/#", 1);
    setenv("TEDGE_AZ_TOPICS", "[\"x\", \"y\"]", 1);
    setenv("TEDGE_DEVICE_TYPE", "", 1);      /* empty = unset */
    setenv("TEDGE_AWS_URL", "\"quoted.example.com\"", 1);
    setenv("TEDGE_CONFIG_DIR", "/nowhere", 1); /* not a key */
    setenv("TEDGE_CLOUD_PROFILE", "p", 1);
    setenv("TEDGE_C8Y_UNKNOWN_THING", "x", 1); /* only a warning */
    setenv("TEDGE_mqtt_bind_address", "10.1.1.1", 1);
    te_config_t *cfg = load(f, false);
    assert_value(cfg, "c8y.url", "env.example.com");
    assert_value(cfg, "c8y.http", "env.example.com:443");
    assert_value(cfg, "mqtt.client.port", "8888");
    assert_value(cfg, "c8y.topics", "[\"topic/1\", \"topic/2/+\", \"topic/3/#\"]");
    assert_value(cfg, "az.topics", "[\"x\", \"y\"]");
    assert_value(cfg, "device.type", "from-file");
    assert_value(cfg, "aws.url", "quoted.example.com");
    assert_value(cfg, "mqtt.bind.address", "10.1.1.1");
    te_config_free(cfg);

    /* set/unset work on the file only: the environment is never saved */
    cfg = load(f, true);
    assert_value(cfg, "c8y.url", "file.example.com");
    char err[256];
    assert_int_equal(te_config_set(cfg, "device.type", "new", err, sizeof err), TE_OK);
    assert_int_equal(te_config_save(cfg, err, sizeof err), TE_OK);
    te_config_free(cfg);
    const char *text = read_file(f->file);
    assert_non_null(strstr(text, "file.example.com"));
    assert_null(strstr(text, "env.example.com"));
    assert_null(strstr(text, "8888"));
}

typedef struct env_case {
    const char *name;
    const char *value;
    const char *error;
} env_case_t;

static const env_case_t bad_env[] = {
    {"TEDGE_MQTT_BIND_PORT", "abc",
     "Failed to set value for mqtt.bind.port to \"abc\" from environment variable TEDGE_MQTT_BIND_PORT\n"
     "invalid digit found in string"},
    {"TEDGE_C8Y_URL", "https://x.com",
     "Failed to set value for c8y.url to \"https://x.com\" from environment variable TEDGE_C8Y_URL\n"
     "Could not parse provided URL: 'https://x.com' as a valid domain name.\n"
     "         Provided URL should contain only domain, eg: 'subdomain.cumulocity.com'."},
    {"TEDGE_SUDO_ENABLE", "1",
     "Failed to set value for sudo.enable to \"1\" from environment variable TEDGE_SUDO_ENABLE\n"
     "provided string was not `true` or `false`"},
    {"TEDGE_MQTT_PORT", "0",
     "Failed to set value for mqtt.bind.port to \"0\" from environment variable TEDGE_MQTT_PORT\n"
     "number would be zero for non-zero type"},
};

static void test_bad_env_value_fails_load(void **state)
{
    fixture_t *f = *state;
    for (size_t i = 0; i < sizeof bad_env / sizeof bad_env[0]; i++) {
        clear_tedge_env();
        setenv(bad_env[i].name, bad_env[i].value, 1);
        te_config_t *cfg = NULL;
        char err[512] = "";
        assert_int_equal(te_config_load(&cfg, f->dir, false, err, sizeof err), TE_ERR_CONFIG);
        assert_null(cfg);
        assert_string_equal(err, bad_env[i].error);
        /* the file-only view used by `config set` does not look at the environment */
        assert_int_equal(te_config_load(&cfg, f->dir, true, err, sizeof err), TE_OK);
        te_config_free(cfg);
    }
    clear_tedge_env();
    setenv("TEDGE_C8Y_TOPICS", "[\"a\", ", 1);
    te_config_t *cfg = NULL;
    char err[512] = "";
    assert_int_equal(te_config_load(&cfg, f->dir, false, err, sizeof err), TE_ERR_CONFIG);
    assert_non_null(strstr(err, "Failed to set value for c8y.topics to \"[\"a\", \" from environment variable "
                                "TEDGE_C8Y_TOPICS\n"));
}

static void test_config_dir_from_environment(void **state)
{
    fixture_t *f = *state;
    write_file(f->file, "[device]\ntype = \"envdir\"\n");
    setenv("TEDGE_CONFIG_DIR", f->dir, 1);
    te_config_t *cfg = NULL;
    char err[256];
    assert_int_equal(te_config_load(&cfg, NULL, false, err, sizeof err), TE_OK);
    assert_string_equal(te_config_dir(cfg), f->dir);
    assert_value(cfg, "device.type", "envdir");
    te_config_free(cfg);
}

/* --- add / remove --- */

static void test_add_remove_lists_sort_and_deduplicate(void **state)
{
    fixture_t *f = *state;
    te_config_t *cfg = load(f, true);
    char err[256];
    assert_int_equal(te_config_add(cfg, "c8y.smartrest.templates", "1", err, sizeof err), TE_OK);
    assert_value(cfg, "c8y.smartrest.templates", "[\"1\"]");
    assert_int_equal(te_config_add(cfg, "c8y.smartrest.templates", "3,2,1", err, sizeof err), TE_OK);
    assert_value(cfg, "c8y.smartrest.templates", "[\"1\", \"2\", \"3\"]");
    assert_int_equal(te_config_remove(cfg, "c8y.smartrest.templates", "2", err, sizeof err), TE_OK);
    assert_value(cfg, "c8y.smartrest.templates", "[\"1\", \"3\"]");
    assert_int_equal(te_config_remove(cfg, "c8y.smartrest.templates", "4,5", err, sizeof err), TE_OK);
    assert_value(cfg, "c8y.smartrest.templates", "[\"1\", \"3\"]");
    assert_int_equal(te_config_remove(cfg, "c8y.smartrest.templates", "1,3", err, sizeof err), TE_OK);
    assert_value(cfg, "c8y.smartrest.templates", "[]");
    /* add to a default value: the default items are kept, all sorted */
    assert_int_equal(te_config_add(cfg, "az.topics", "azure1,azure2", err, sizeof err), TE_OK);
    assert_value(cfg, "az.topics", "[\"azure1\", \"azure2\", \"te/+/+/+/+/a/+\", \"te/+/+/+/+/e/+\", "
                                   "\"te/+/+/+/+/m/+\", \"te/+/+/+/+/status/health\"]");
    assert_int_equal(te_config_remove(cfg, "az.topics", "azure2,te/+/+/+/+/status/health", err, sizeof err), TE_OK);
    assert_value(cfg, "az.topics", "[\"azure1\", \"te/+/+/+/+/a/+\", \"te/+/+/+/+/e/+\", \"te/+/+/+/+/m/+\"]");
    /* items are validated like set (bridge topics must be valid filters) */
    assert_int_equal(te_config_add(cfg, "c8y.mqtt_service.topics", "bad/#/x", err, sizeof err), TE_ERR_CONFIG);
    assert_string_equal(err, "Invalid topic filter: \"bad/#/x\"");
    te_config_free(cfg);
}

static void test_add_remove_single_values(void **state)
{
    fixture_t *f = *state;
    te_config_t *cfg = load(f, true);
    char err[256];
    assert_int_equal(te_config_add(cfg, "device.type", "changed-type", err, sizeof err), TE_OK);
    assert_value(cfg, "device.type", "changed-type");
    assert_int_equal(te_config_remove(cfg, "device.type", "other", err, sizeof err), TE_OK);
    assert_value(cfg, "device.type", "changed-type");
    assert_int_equal(te_config_remove(cfg, "device.type", "changed-type", err, sizeof err), TE_OK);
    assert_value(cfg, "device.type", "thin-edge.io");
    assert_int_equal(te_config_set(cfg, "mqtt.bind.address", "0:0::1", err, sizeof err), TE_OK);
    assert_int_equal(te_config_remove(cfg, "mqtt.bind.address", "::0:1", err, sizeof err), TE_OK);
    assert_value(cfg, "mqtt.bind.address", "127.0.0.1");
    assert_int_equal(te_config_add(cfg, "mqtt.bind.port", "x", err, sizeof err), TE_ERR_CONFIG);
    assert_int_equal(te_config_set(cfg, "no.such.key", "x", err, sizeof err), TE_ERR_NOTFOUND);
    assert_int_equal(te_config_unset(cfg, "no.such.key"), TE_ERR_NOTFOUND);
    assert_int_equal(te_config_unset(cfg, "c8y.url"), TE_OK); /* unsetting an unset key is fine */
    te_config_free(cfg);
}

/* --- files --- */

static void test_save_and_reload_keeps_unknown_keys(void **state)
{
    fixture_t *f = *state;
    write_file(f->file, "# comment\nmqtt.bind.port = \"1884\"\n[c8y]\nurl = \"a.example.com\"\nfuture_key = 5\n"
                        "[plugins.custom]\nname = \"x\"\nlist = [1, 2]\n");
    te_config_t *cfg = load(f, true);
    char err[256];
    assert_value(cfg, "mqtt.bind.port", "1884");
    assert_int_equal(te_config_set(cfg, "device.type", "saved", err, sizeof err), TE_OK);
    assert_int_equal(te_config_save(cfg, err, sizeof err), TE_OK);
    te_config_free(cfg);
    struct stat st;
    assert_int_equal(stat(f->file, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0644);
    const char *text = read_file(f->file);
    assert_non_null(strstr(text, "[c8y]\n"));
    assert_non_null(strstr(text, "future_key = 5"));
    assert_non_null(strstr(text, "[plugins.custom]\n"));
    assert_non_null(strstr(text, "port = 1884\n")); /* written back as its type */
    cfg = load(f, true);
    assert_value(cfg, "device.type", "saved");
    assert_value(cfg, "c8y.url", "a.example.com");
    assert_value(cfg, "mqtt.bind.port", "1884");
    assert_int_equal(te_config_unset(cfg, "c8y.url"), TE_OK);
    assert_int_equal(te_config_save(cfg, err, sizeof err), TE_OK);
    te_config_free(cfg);
    text = read_file(f->file);
    assert_null(strstr(text, "a.example.com"));
    assert_non_null(strstr(text, "future_key"));
}

static void test_save_creates_missing_config_dir(void **state)
{
    fixture_t *f = *state;
    char dir[128], file[160];
    snprintf(dir, sizeof dir, "%s/new/etc-tedge", f->dir);
    snprintf(file, sizeof file, "%s/tedge.toml", dir);
    te_config_t *cfg = NULL;
    char err[256];
    assert_int_equal(te_config_load(&cfg, dir, true, err, sizeof err), TE_OK);
    assert_int_equal(te_config_set(cfg, "c8y.url", "x.example.com", err, sizeof err), TE_OK);
    assert_int_equal(te_config_save(cfg, err, sizeof err), TE_OK);
    te_config_free(cfg);
    assert_string_equal(read_file(file), "[c8y]\nurl = \"x.example.com\"\n");
}

static void test_save_to_unwritable_dir_names_the_path(void **state)
{
    fixture_t *f = *state;
    char dir[128];
    snprintf(dir, sizeof dir, "%s/not-a-dir", f->dir);
    write_file(dir, "");
    te_config_t *cfg = NULL;
    char err[512];
    assert_int_equal(te_config_load(&cfg, dir, true, err, sizeof err), TE_OK);
    assert_int_equal(te_config_set(cfg, "c8y.url", "x.example.com", err, sizeof err), TE_OK);
    assert_int_not_equal(te_config_save(cfg, err, sizeof err), TE_OK);
    assert_non_null(strstr(err, dir));
    assert_non_null(strstr(err, "Not a directory (os error 20)"));
    te_config_free(cfg);
}

static void test_bad_toml_names_file_and_line(void **state)
{
    fixture_t *f = *state;
    write_file(f->file, "[device]\ntype = \"ok\"\n\n[c8y\nurl = \"x\"\n");
    te_config_t *cfg = NULL;
    char err[512] = "";
    assert_int_equal(te_config_load(&cfg, f->dir, true, err, sizeof err), TE_ERR_CONFIG);
    assert_null(cfg);
    assert_non_null(strstr(err, f->file));
    assert_non_null(strstr(err, "line 4"));
}

static void test_bad_file_value_names_key_and_file(void **state)
{
    fixture_t *f = *state;
    write_file(f->file, "[mqtt.bind]\nport = 70000\n");
    te_config_t *cfg = NULL;
    char err[512] = "", expected[512];
    assert_int_equal(te_config_load(&cfg, f->dir, true, err, sizeof err), TE_ERR_CONFIG);
    snprintf(expected, sizeof expected, "Invalid value for 'mqtt.bind.port' in %s\n"
             "number too large to fit in target type", f->file);
    assert_string_equal(err, expected);
    write_file(f->file, "c8y = \"oops\"\n");
    assert_int_equal(te_config_load(&cfg, f->dir, true, err, sizeof err), TE_ERR_CONFIG);
    assert_non_null(strstr(err, "'c8y'"));
}

static void test_file_spellings_are_equivalent(void **state)
{
    fixture_t *f = *state;
    static const char *const spellings[] = {
        "[mqtt.bind]\nport = 1999\n",
        "mqtt.bind.port = 1999\n",
        "[mqtt]\nbind.port = 1999\n",
        "mqtt = { bind = { port = 1999 } }\n",
        "[mqtt.bind]\nport = \"1999\"\n",
    };
    for (size_t i = 0; i < sizeof spellings / sizeof spellings[0]; i++) {
        write_file(f->file, spellings[i]);
        te_config_t *cfg = load(f, true);
        assert_value(cfg, "mqtt.bind.port", "1999");
        assert_value(cfg, "mqtt.client.port", "1999");
        te_config_free(cfg);
    }
}

static void test_deprecated_keys_are_migrated(void **state)
{
    fixture_t *f = *state;
    write_file(f->file, "[mqtt]\nport = 1234\nbind_address = \"0.0.0.0\"\nexternal_port = 8883\n"
                        "[azure]\nurl = \"hub.azure-devices.net\"\nmapper_timestamp = false\n"
                        "[http]\nport = 9000\n[mqtt.client.auth]\ncafile = \"/ca.pem\"\n");
    te_config_t *cfg = load(f, true);
    char err[256];
    assert_value(cfg, "mqtt.bind.port", "1234");
    assert_value(cfg, "mqtt.bind.address", "0.0.0.0");
    assert_value(cfg, "mqtt.external.bind.port", "8883");
    assert_value(cfg, "az.url", "hub.azure-devices.net");
    assert_value(cfg, "az.mapper.timestamp", "false");
    assert_value(cfg, "http.bind.port", "9000");
    assert_value(cfg, "mqtt.client.auth.ca_file", "/ca.pem");
    assert_int_equal(te_config_save(cfg, err, sizeof err), TE_OK);
    te_config_free(cfg);
    const char *text = read_file(f->file);
    assert_null(strstr(text, "[azure]"));
    assert_non_null(strstr(text, "[az]\nurl = \"hub.azure-devices.net\"\n"));
    assert_null(strstr(text, "bind_address"));
    assert_non_null(strstr(text, "[config]\nversion = \"2\"\n"));
    /* the deprecated names work as keys too */
    cfg = load(f, true);
    assert_value(cfg, "mqtt.port", "1234");
    assert_value(cfg, "azure.url", "hub.azure-devices.net");
    te_config_free(cfg);
}

/* --- device id --- */

static void make_cert(const char *path, const char *cn)
{
    EVP_PKEY *key = EVP_EC_gen("P-256");
    assert_non_null(key);
    X509 *cert = X509_new();
    X509_set_version(cert, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(cert), 1);
    X509_gmtime_adj(X509_getm_notBefore(cert), 0);
    X509_gmtime_adj(X509_getm_notAfter(cert), 3600);
    X509_NAME *name = X509_get_subject_name(cert);
    X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC, (const unsigned char *)"Thin Edge", -1, -1, 0);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)cn, -1, -1, 0);
    X509_set_issuer_name(cert, name);
    X509_set_pubkey(cert, key);
    assert_true(X509_sign(cert, key, EVP_sha256()) > 0);
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    PEM_write_X509(fp, cert);
    fclose(fp);
    X509_free(cert);
    EVP_PKEY_free(key);
}

static void test_device_id_comes_from_the_certificate(void **state)
{
    fixture_t *f = *state;
    char certs[128], cert[160], c8y_cert[160], toml[512], err[512];
    snprintf(certs, sizeof certs, "%s/device-certs", f->dir);
    mkdir(certs, 0755);
    snprintf(cert, sizeof cert, "%s/tedge-certificate.pem", certs);
    snprintf(c8y_cert, sizeof c8y_cert, "%s/c8y.pem", certs);

    te_config_t *cfg = load(f, true);
    const char *value = NULL;
    assert_int_equal(te_config_read(cfg, "device.id", &value, err, sizeof err), TE_ERR_NOTFOUND);
    assert_string_equal(err, "The device id is read from the device certificate.\n"
                             "To set 'device.id' to some <id>, you can use `tedge cert create --device-id <id>`.");
    assert_int_equal(te_config_read(cfg, "c8y.url", &value, err, sizeof err), TE_ERR_NOTFOUND);
    assert_string_equal(err, "");

    /* without a certificate, a device.id in the file is used */
    assert_int_equal(te_config_set(cfg, "device.id", "from-file", err, sizeof err), TE_OK);
    assert_value(cfg, "device.id", "from-file");
    assert_value(cfg, "c8y.device.id", "from-file");

    /* the certificate wins, and is read again on each request */
    make_cert(cert, "mydev");
    assert_value(cfg, "device.id", "mydev");
    assert_value(cfg, "az.device.id", "mydev");
    make_cert(cert, "renewed");
    assert_value(cfg, "device.id", "renewed");

    /* a cloud with its own certificate */
    make_cert(c8y_cert, "c8y-dev");
    assert_int_equal(te_config_set(cfg, "c8y.device.cert_path", c8y_cert, err, sizeof err), TE_OK);
    assert_value(cfg, "c8y.device.id", "c8y-dev");
    assert_value(cfg, "device.id", "renewed");
    te_config_free(cfg);

    /* an unreadable certificate: the stored value, else an error */
    write_file(cert, "not a certificate\n");
    snprintf(toml, sizeof toml, "[device]\ncert_path = \"%s\"\n", cert);
    write_file(f->file, toml);
    cfg = load(f, true);
    assert_int_equal(te_config_read(cfg, "device.id", &value, err, sizeof err), TE_ERR_CONFIG);
    assert_non_null(strstr(err, "Derivation for `device.id` failed: "));
    assert_non_null(strstr(err, cert));
    assert_int_equal(te_config_set(cfg, "device.id", "fallback", err, sizeof err), TE_OK);
    assert_value(cfg, "device.id", "fallback");
    te_config_free(cfg);
}

int main(void)
{
    te_log_init("test_config", TE_LOG_ERROR);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_set_validates_each_type_with_thin_edge_reasons, setup, teardown),
        cmocka_unit_test_setup_teardown(test_relative_path_is_joined_to_cwd, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rejected_value_leaves_previous_value, setup, teardown),
        cmocka_unit_test_setup_teardown(test_defaults, setup, teardown),
        cmocka_unit_test_setup_teardown(test_derived_values_follow_their_source, setup, teardown),
        cmocka_unit_test_setup_teardown(test_typed_getters, setup, teardown),
        cmocka_unit_test_setup_teardown(test_returned_strings_stay_valid, setup, teardown),
        cmocka_unit_test(test_key_lookup_treats_underscore_as_dot),
        cmocka_unit_test(test_key_table_is_consistent),
        cmocka_unit_test_setup_teardown(test_env_overrides_file, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_env_value_fails_load, setup, teardown),
        cmocka_unit_test_setup_teardown(test_config_dir_from_environment, setup, teardown),
        cmocka_unit_test_setup_teardown(test_add_remove_lists_sort_and_deduplicate, setup, teardown),
        cmocka_unit_test_setup_teardown(test_add_remove_single_values, setup, teardown),
        cmocka_unit_test_setup_teardown(test_save_and_reload_keeps_unknown_keys, setup, teardown),
        cmocka_unit_test_setup_teardown(test_save_creates_missing_config_dir, setup, teardown),
        cmocka_unit_test_setup_teardown(test_save_to_unwritable_dir_names_the_path, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_toml_names_file_and_line, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_file_value_names_key_and_file, setup, teardown),
        cmocka_unit_test_setup_teardown(test_file_spellings_are_equivalent, setup, teardown),
        cmocka_unit_test_setup_teardown(test_deprecated_keys_are_migrated, setup, teardown),
        cmocka_unit_test_setup_teardown(test_device_id_comes_from_the_certificate, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
