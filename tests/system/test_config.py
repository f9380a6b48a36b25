"""System tests of `tedge config` (spec/cli.md §2 and §7), driving the real
binary against a private config dir. Outputs and exit codes are thin-edge.io's,
byte for byte where users' scripts may depend on them."""
import os
import stat
import subprocess

import pytest

URL_HINT = ("         Provided URL should contain only domain, eg: "
            "'subdomain.cumulocity.com'.")

C8Y_TOPICS = ('["te/+/+/+/+", "te/+/+/+/+/twin/+", "te/+/+/+/+/m/+", "te/+/+/+/+/m/+/meta", '
              '"te/+/+/+/+/e/+", "te/+/+/+/+/a/+", "te/+/+/+/+/status/health"]')
AZ_TOPICS = '["te/+/+/+/+/m/+", "te/+/+/+/+/e/+", "te/+/+/+/+/a/+", "te/+/+/+/+/status/health"]'


def toml_path(tedge):
    return os.path.join(tedge.config_dir, "tedge.toml")


def read_toml(tedge):
    try:
        with open(toml_path(tedge), "rb") as f:
            return f.read()
    except FileNotFoundError:
        return None


def write_toml(tedge, text):
    with open(toml_path(tedge), "w") as f:
        f.write(text)


def get(tedge, key, **kw):
    r = tedge.run("config", "get", key, **kw)
    assert r.returncode == 0, r.stderr
    return r.stdout


def listing(tedge, *args, **kw):
    r = tedge.run("config", "list", *args, **kw)
    assert r.returncode == 0, r.stderr
    return r.stdout


def make_cert(directory, cn, name="cert.pem"):
    cert = os.path.join(directory, name)
    key = os.path.join(directory, name + ".key")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
                    "-nodes", "-subj", f"/CN={cn}", "-keyout", key, "-out", cert],
                   check=True, capture_output=True)
    return cert


# --- get / set / unset -------------------------------------------------------

@pytest.mark.parametrize("key,value", [
    ("device.type", "thin-edge.io"),
    ("mqtt.bind.port", "1883"),
    ("mqtt.client.port", "1883"),
    ("mqtt.bind.address", "127.0.0.1"),
    ("mqtt.topic_root", "te"),
    ("mqtt.device_topic_id", "device/main//"),
    ("c8y.root_cert_path", "/etc/ssl/certs"),
    ("c8y.smartrest.templates", "[]"),
    ("c8y.topics", C8Y_TOPICS),
    ("az.topics", AZ_TOPICS),
    ("c8y.bridge.keepalive_interval", "60s"),
    ("c8y.mapper.mqtt.max_payload_size", "16184"),
    ("http.bind.port", "8000"),
    ("c8y.proxy.client.port", "8001"),
    ("firmware.child.update.timeout", "1h"),
    ("logs.path", "/var/log/tedge"),
])
def test_get_prints_default(tedge, key, value):
    r = tedge.run("config", "get", key)
    assert (r.returncode, r.stdout, r.stderr) == (0, value + "\n", "")


def test_default_paths_follow_config_dir(tedge):
    d = tedge.config_dir
    assert get(tedge, "device.cert_path") == f"{d}/device-certs/tedge-certificate.pem\n"
    assert get(tedge, "device.key_path") == f"{d}/device-certs/tedge-private-key.pem\n"
    assert get(tedge, "c8y.device.csr_path") == f"{d}/device-certs/tedge.csr\n"


def test_config_dir_from_environment_variable(tedge):
    r = tedge.run("config", "set", "device.type", "via-env-dir", config_dir=False)
    assert r.returncode == 0, r.stderr
    assert b'type = "via-env-dir"' in read_toml(tedge)


def test_set_get_unset_round_trip(tedge):
    r = tedge.run("config", "set", "c8y.url", "tenant.example.com")
    assert (r.returncode, r.stdout, r.stderr) == (0, "", "")
    assert get(tedge, "c8y.url") == "tenant.example.com\n"
    assert get(tedge, "c8y.http") == "tenant.example.com:443\n"
    assert get(tedge, "c8y.mqtt") == "tenant.example.com:8883\n"
    assert read_toml(tedge) == b'[c8y]\nurl = "tenant.example.com"\n'
    assert stat.S_IMODE(os.stat(toml_path(tedge)).st_mode) == 0o644
    r = tedge.run("config", "unset", "c8y.url")
    assert (r.returncode, r.stdout, r.stderr) == (0, "", "")
    r = tedge.run("config", "get", "c8y.url")
    assert (r.returncode, r.stdout, r.stderr) == (1, "", "The provided config key: 'c8y.url' is not set\n")
    # unsetting an unset key is fine
    assert tedge.run("config", "unset", "c8y.url").returncode == 0


def test_set_keeps_values_as_their_type(tedge):
    tedge.config_set("mqtt.bind.port", "1884")
    tedge.config_set("c8y.bridge.keepalive_interval", "90s")
    tedge.config_set("firmware.child.update.timeout", "4000")
    tedge.config_set("c8y.topics", "a/+,b/#")
    tedge.config_set("sudo.enable", "false")
    text = read_toml(tedge).decode()
    assert "port = 1884\n" in text
    assert 'keepalive_interval = "90s"\n' in text
    assert 'timeout = "4000"\n' in text
    assert 'topics = ["a/+", "b/#"]\n' in text
    assert "enable = false\n" in text
    assert get(tedge, "mqtt.client.port") == "1884\n"
    assert get(tedge, "firmware.child.update.timeout") == "4000\n"
    assert get(tedge, "c8y.topics") == '["a/+", "b/#"]\n'


def test_relative_path_is_made_absolute(tedge, tmp_path):
    r = tedge.run("config", "set", "c8y.device.csr_path", "c8y-device.csr")
    assert r.returncode == 0
    assert get(tedge, "c8y.device.csr_path") == os.path.join(os.getcwd(), "c8y-device.csr") + "\n"


def test_keys_accept_underscores_for_dots(tedge):
    tedge.config_set("c8y_url", "u.example.com")
    assert get(tedge, "c8y.url") == "u.example.com\n"
    r = tedge.run("config", "get", "c8y_url")
    assert r.stdout == "u.example.com\n"


def test_deprecated_key_warns_and_works(tedge):
    r = tedge.run("config", "set", "mqtt.port", "1999")
    assert r.returncode == 0
    assert "The key 'mqtt.port' is deprecated. Use 'mqtt.bind.port' instead." in r.stderr
    assert get(tedge, "mqtt.bind.port") == "1999\n"


def test_device_id_can_be_set_when_there_is_no_certificate(tedge):
    tedge.config_set("device.id", "my-device")
    assert get(tedge, "device.id") == "my-device\n"
    assert get(tedge, "c8y.device.id") == "my-device\n"


# --- list ------------------------------------------------------------------

def test_list_prints_keys_with_values_in_fixed_order(tedge):
    tedge.config_set("c8y.url", "x.example.com")
    out = listing(tedge)
    lines = out.splitlines()
    assert lines[0] == f"device.key_path={tedge.config_dir}/device-certs/tedge-private-key.pem"
    assert "device.type=thin-edge.io" in lines
    assert "c8y.url=x.example.com" in lines
    assert "c8y.smartrest.templates=[]" in lines
    assert f"az.topics={AZ_TOPICS}" in lines
    assert lines.index("c8y.url=x.example.com") < lines.index("mqtt.bind.port=1883")
    assert not any(line.startswith("az.url=") for line in lines)
    assert not any(line.startswith("device.id=") for line in lines)
    assert "" not in lines
    assert listing(tedge) == out


def test_list_all_adds_unset_keys_after_a_blank_line(tedge):
    out = listing(tedge, "--all")
    with_values, without = out.split("\n\n")
    assert "device.type=thin-edge.io" in with_values.splitlines()
    unset = without.splitlines()
    assert "az.url=" in unset and "device.id=" in unset and "c8y.url=" in unset
    assert all(line.endswith("=") for line in unset)


def test_list_filter_is_a_substring_match(tedge):
    out = listing(tedge, "mqtt.bind")
    assert out == ("c8y.mapper.mqtt.max_payload_size=16184\n" * 0 +
                   "mqtt.bind.address=127.0.0.1\nmqtt.bind.port=1883\n")
    assert listing(tedge, "--all", "external.bind") == (
        "\nmqtt.external.bind.port=\nmqtt.external.bind.address=\nmqtt.external.bind.interface=\n")


def test_list_doc_layout(tedge):
    out = listing(tedge, "--doc", "c8y.root_cert_path")
    assert out == ("c8y.root_cert_path  The path where Cumulocity root certificate(s) are stored. \n"
                   "                    Note: The value can be a directory path as well as the path of "
                   "the certificate file.\n"
                   "                    Example: /etc/tedge/c8y-trusted-root-certificates.pem\n"
                   "\n")
    out = listing(tedge, "--doc", "auth_method")
    assert "Examples: certificate, basic, auto\n" in out
    full = listing(tedge, "--doc")
    blocks = full.split("\n\n")
    assert blocks[-1] == ""
    key_lines = [block.split("\n")[0] for block in blocks[:-1]]
    keys = [line.split()[0] for line in key_lines]
    width = max(len(key) for key in keys)
    # keys right-aligned to the longest one, then two spaces and the doc ending ". "
    for key, line in zip(keys, key_lines):
        assert line.startswith(" " * (width - len(key)) + key + "  "), line
        assert line.endswith(". "), line
    assert keys[0] == "device.id" and len(keys) == len(set(keys))
    assert "mqtt.bind.port" in keys and "c8y.topics" in keys


# --- add / remove ----------------------------------------------------------

def test_add_remove_on_empty_list(tedge):
    assert tedge.run("config", "add", "c8y.smartrest.templates", "1").returncode == 0
    assert "c8y.smartrest.templates=[\"1\"]" in listing(tedge)
    assert tedge.run("config", "remove", "c8y.smartrest.templates", "1").returncode == 0
    assert "c8y.smartrest.templates=[]" in listing(tedge)


def test_add_sorts_and_deduplicates(tedge):
    tedge.config_set("c8y.smartrest.templates", "1")
    assert tedge.run("config", "add", "c8y.smartrest.templates", "3,2").returncode == 0
    assert get(tedge, "c8y.smartrest.templates") == '["1", "2", "3"]\n'
    assert tedge.run("config", "add", "c8y.smartrest.templates", "1,2").returncode == 0
    assert get(tedge, "c8y.smartrest.templates") == '["1", "2", "3"]\n'
    assert tedge.run("config", "remove", "c8y.smartrest.templates", "2,4").returncode == 0
    assert get(tedge, "c8y.smartrest.templates") == '["1", "3"]\n'


def test_add_remove_with_default_list(tedge):
    assert tedge.run("config", "add", "az.topics", "azure1,azure2").returncode == 0
    assert get(tedge, "az.topics") == ('["azure1", "azure2", "te/+/+/+/+/a/+", "te/+/+/+/+/e/+", '
                                       '"te/+/+/+/+/m/+", "te/+/+/+/+/status/health"]\n')
    assert tedge.run("config", "remove", "az.topics", "azure2,te/+/+/+/+/status/health").returncode == 0
    assert get(tedge, "az.topics") == '["azure1", "te/+/+/+/+/a/+", "te/+/+/+/+/e/+", "te/+/+/+/+/m/+"]\n'


def test_add_remove_single_value(tedge):
    assert tedge.run("config", "add", "device.type", "changed-type").returncode == 0
    assert get(tedge, "device.type") == "changed-type\n"
    assert tedge.run("config", "remove", "device.type", "something-else").returncode == 0
    assert get(tedge, "device.type") == "changed-type\n"
    assert tedge.run("config", "remove", "device.type", "changed-type").returncode == 0
    assert get(tedge, "device.type") == "thin-edge.io\n"


# --- bad input (§7) ----------------------------------------------------------

@pytest.mark.parametrize("action", [("get",), ("set", "x"), ("unset",), ("add", "x"), ("remove", "x")])
def test_unknown_key_is_a_usage_error(tedge, action):
    r = tedge.run("config", action[0], "does.not.exist", *action[1:])
    assert r.returncode == 2
    assert r.stdout == ""
    assert r.stderr == ("error: invalid value 'does.not.exist' for '<KEY>': Unknown tedge config key: "
                        "'does.not.exist'\n\nFor more information, try '--help'.\n")


def test_get_unset_key(tedge):
    r = tedge.run("config", "get", "az.url")
    assert (r.returncode, r.stdout, r.stderr) == (1, "", "The provided config key: 'az.url' is not set\n")


def set_error(key, value, *causes):
    text = f"Error: failed to set the configuration key: '{key}' with value: {value}.\n\nCaused by:\n"
    for i, cause in enumerate(causes):
        lines = cause.split("\n")
        text += f"    {i}: {lines[0]}\n" if len(causes) > 1 else f"    {lines[0]}\n"
        for line in lines[1:]:
            text += ("       " if len(causes) > 1 else "    ") + line + "\n"
    return text


@pytest.mark.parametrize("key,value,causes", [
    ("mqtt.bind.port", "abc", ["invalid digit found in string"]),
    ("mqtt.bind.port", "70000", ["number too large to fit in target type"]),
    ("mqtt.bind.port", "0", ["number would be zero for non-zero type"]),
    ("mqtt.client.port", "", ["cannot parse integer from empty string"]),
    ("mqtt.bind.address", "foo", ["invalid IP address syntax"]),
    ("c8y.url", "https://x.com/",
     [f"Could not parse provided URL: 'https://x.com/' as a valid domain name.\n{URL_HINT}"]),
    ("c8y.url", "x.com:443",
     [f"Could not parse provided URL: 'x.com:443' as a valid domain name.\n{URL_HINT}"]),
    ("c8y.enable.log_upload", "yes", ["provided string was not `true` or `false`"]),
    ("c8y.bridge.include.local_cleansession", "maybe",
     ["Failed to parse flag: maybe. Supported values are: true, false, auto"]),
    ("az.mapper.timestamp_format", "iso",
     ["Failed to parse flag: iso. Supported values are: 'rfc-3339' or 'unix'"]),
    ("c8y.bridge.keepalive_interval", "soon", ["expected number at 0"]),
    ("c8y.http", "x.com:http", ["Could not parse port", "invalid digit found in string"]),
    ("c8y.bridge.topic_prefix", "a/#",
     ["Topic prefix cannot contain '#'", "Topic prefix cannot contain '#'"]),
    ("c8y.mapper.mqtt.max_payload_size", "0",
     ["Invalid MQTT payload size limit: 0. Provide a value between 0 and 268435455 bytes"]),
    ("c8y.mqtt_service.topics", "te/#/x", ['Invalid topic filter: "te/#/x"']),
])
def test_rejected_value_leaves_file_unchanged(tedge, key, value, causes):
    tedge.config_set("device.type", "before")
    before = read_toml(tedge)
    r = tedge.run("config", "set", key, value)
    assert r.returncode == 1
    assert r.stdout == ""
    assert r.stderr == set_error(key, value, "Failed to parse input", *causes)
    assert read_toml(tedge) == before


def test_rejected_add_leaves_file_unchanged(tedge):
    r = tedge.run("config", "add", "mqtt.bind.port", "x")
    assert r.returncode == 1
    assert r.stderr == set_error("mqtt.bind.port", "x", "Failed to parse input", "invalid digit found in string")
    assert read_toml(tedge) is None


def test_rejected_value_without_file_creates_nothing(tedge):
    assert tedge.run("config", "set", "mqtt.bind.port", "abc").returncode == 1
    assert read_toml(tedge) is None


@pytest.mark.parametrize("text,line", [
    ('[c8y\nurl = "x"\n', 1),
    ('[device]\ntype = "a"\n\ntype = "b"\n', 4),
    ('[mqtt.bind]\nport = 1883\nfoo = \n', 3),
])
def test_malformed_toml_fails_every_command(tedge, text, line):
    write_toml(tedge, text)
    for args in (("get", "device.type"), ("list",), ("set", "device.type", "x"),
                 ("unset", "device.type"), ("add", "c8y.topics", "a"), ("list", "--doc")):
        r = tedge.run("config", *args)
        assert r.returncode == 1, args
        assert r.stdout == ""
        assert r.stderr.startswith("Error: failed to "), r.stderr
        assert toml_path(tedge) in r.stderr
        assert f"line {line}" in r.stderr
    with open(toml_path(tedge)) as f:
        assert f.read() == text


def test_invalid_value_in_file_fails_with_key_and_file(tedge):
    write_toml(tedge, "[mqtt.bind]\nport = 70000\n")
    r = tedge.run("config", "get", "device.type")
    assert r.returncode == 1
    assert r.stderr == ("Error: failed to get the configuration value for key: 'device.type'\n\nCaused by:\n"
                        f"    0: Invalid value for 'mqtt.bind.port' in {toml_path(tedge)}\n"
                        "    1: number too large to fit in target type\n")


def test_unwritable_config_dir(tedge, tmp_path):
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("")
    r = tedge.run("--config-dir", str(blocker), "config", "set", "c8y.url", "x.example.com", config_dir=False)
    assert r.returncode == 1
    assert r.stderr == ("Error: failed to set the configuration key: 'c8y.url' with value: x.example.com.\n\n"
                        "Caused by:\n"
                        f"    0: Failed to create the configuration directory {blocker}\n"
                        "    1: Not a directory (os error 20)\n")
    assert blocker.read_text() == ""


def test_unwritable_config_file(tedge):
    os.mkdir(toml_path(tedge) + ".d")
    os.rename(toml_path(tedge) + ".d", toml_path(tedge))  # tedge.toml is a directory
    r = tedge.run("config", "set", "c8y.url", "x.example.com")
    assert r.returncode == 1
    assert r.stderr.startswith("Error: failed to set the configuration key: 'c8y.url' with value: x.example.com.\n")
    assert toml_path(tedge) in r.stderr


def test_missing_config_dir_is_created(tedge, tmp_path):
    target = tmp_path / "a" / "b" / "etc-tedge"
    r = tedge.run("--config-dir", str(target), "config", "set", "device.type", "x", config_dir=False)
    assert r.returncode == 0, r.stderr
    assert (target / "tedge.toml").read_text() == '[device]\ntype = "x"\n'


# --- unknown keys in the file ------------------------------------------------

def test_unknown_file_keys_warn_and_are_kept(tedge):
    write_toml(tedge, '[c8y]\nurl = "a.example.com"\nfuture = true\n\n[my.plugin]\nname = "x"\n')
    r = tedge.run("config", "get", "c8y.url")
    assert r.returncode == 0 and r.stdout == "a.example.com\n"
    assert f'Unknown configuration field "c8y.future" from toml file {toml_path(tedge)}' in r.stderr
    assert f'Unknown configuration field "my" from toml file {toml_path(tedge)}' in r.stderr
    tedge.config_set("device.type", "y")
    text = read_toml(tedge).decode()
    assert "future = true" in text and '[my.plugin]\nname = "x"' in text


def test_any_toml_spelling_is_read(tedge):
    write_toml(tedge, 'mqtt.bind.port = 1999\nc8y = { url = "inline.example.com" }\n[device]\ntype = "t"\n')
    assert get(tedge, "mqtt.client.port") == "1999\n"
    assert get(tedge, "c8y.url") == "inline.example.com\n"
    assert get(tedge, "device.type") == "t\n"


def test_deprecated_file_keys_are_migrated(tedge):
    write_toml(tedge, '[mqtt]\nport = 1234\n[azure]\nurl = "hub.azure-devices.net"\n')
    r = tedge.run("config", "get", "mqtt.bind.port")
    assert r.stdout == "1234\n"
    assert "The key 'mqtt.port' is deprecated. Use 'mqtt.bind.port' instead." in r.stderr
    assert get(tedge, "az.url") == "hub.azure-devices.net\n"
    tedge.config_set("device.type", "t")
    text = read_toml(tedge).decode()
    assert "[mqtt.bind]\nport = 1234\n" in text
    assert "[azure]" not in text
    assert '[config]\nversion = "2"\n' in text


# --- environment -------------------------------------------------------------

@pytest.mark.parametrize("var,key,value", [
    ("TEDGE_AZ_URL", "az.url", "az.example.com"),
    ("TEDGE_C8Y_URL", "c8y.url", "example.com"),
    ("TEDGE_DEVICE_KEY_PATH", "device.key_path", "/etc/example.key"),
    ("TEDGE_DEVICE_CERT_PATH", "device.cert_path", "/etc/example.pem"),
    ("TEDGE_MQTT_BIND_ADDRESS", "mqtt.bind.address", "0.0.0.1"),
    ("TEDGE_MQTT_CLIENT_HOST", "mqtt.client.host", "custom_host_name"),
    ("TEDGE_MQTT_CLIENT_PORT", "mqtt.client.port", "8888"),
])
def test_env_overrides(tedge, var, key, value):
    assert get(tedge, key, env={var: value}) == value + "\n"


@pytest.mark.parametrize("key", ["c8y.topics", "az.topics", "aws.topics"])
def test_env_list_override(tedge, key):
    var = "TEDGE_" + key.upper().replace(".", "_")
    out = get(tedge, key, env={var: "topic/1,topic/2/+,topic/3/#"})
    assert out == '["topic/1", "topic/2/+", "topic/3/#"]\n'
    assert get(tedge, key, env={var: '["x", "y"]'}) == '["x", "y"]\n'


def test_env_override_wins_over_file_and_empty_is_unset(tedge):
    tedge.config_set("c8y.url", "file.example.com")
    assert get(tedge, "c8y.url", env={"TEDGE_C8Y_URL": "env.example.com"}) == "env.example.com\n"
    assert get(tedge, "c8y.url", env={"TEDGE_C8Y_URL": ""}) == "file.example.com\n"
    assert "c8y.url=env.example.com" in listing(tedge, env={"TEDGE_C8Y_URL": "env.example.com"})


def test_set_never_writes_environment_values(tedge):
    r = tedge.run("config", "set", "device.type", "x", env={"TEDGE_C8Y_URL": "env.example.com"})
    assert r.returncode == 0
    assert read_toml(tedge) == b'[device]\ntype = "x"\n'


def test_unknown_env_variable_warns(tedge):
    r = tedge.run("config", "get", "c8y.url",
                  env={"TEDGE_C8Y_UNKNOWN_CONFIGURATION": "dummy", "TEDGE_C8Y_URL": "example.com"})
    assert r.returncode == 0 and r.stdout == "example.com\n"
    assert ('Unknown configuration field "c8y_unknown_configuration" from environment variable '
            'TEDGE_C8Y_UNKNOWN_CONFIGURATION') in r.stderr


def test_bad_env_value_fails_every_command(tedge):
    env = {"TEDGE_MQTT_BIND_PORT": "abc"}
    causes = ('Caused by:\n    0: Failed to set value for mqtt.bind.port to "abc" from environment variable '
              'TEDGE_MQTT_BIND_PORT\n    1: invalid digit found in string\n')
    for args in (("get", "c8y.url"), ("list",), ("set", "device.type", "x"), ("unset", "device.type")):
        r = tedge.run("config", *args, env=env)
        assert r.returncode == 1, args
        assert r.stdout == ""
        assert r.stderr.startswith("Error: failed to ")
        assert r.stderr.endswith(causes), r.stderr
    assert read_toml(tedge) is None


# --- device.id ---------------------------------------------------------------

def test_device_id_without_certificate(tedge):
    r = tedge.run("config", "get", "device.id")
    assert r.returncode == 1
    assert r.stdout == ""
    assert r.stderr == ("The provided config key: 'device.id' is not configured: The device id is read from "
                        "the device certificate.\nTo set 'device.id' to some <id>, you can use "
                        "`tedge cert create --device-id <id>`.\n")


def test_device_id_from_certificate(tedge, tmp_path):
    certs = os.path.join(tedge.config_dir, "device-certs")
    os.makedirs(certs)
    make_cert(certs, "mydev", "tedge-certificate.pem")
    assert get(tedge, "device.id") == "mydev\n"
    assert get(tedge, "c8y.device.id") == "mydev\n"
    assert "device.id=mydev" in listing(tedge).splitlines()
    # the certificate wins over a value in the file
    tedge.config_set("device.id", "from-file")
    assert get(tedge, "device.id") == "mydev\n"
    # a cloud with its own certificate
    other = make_cert(str(tmp_path), "c8y-dev")
    tedge.config_set("c8y.device.cert_path", other)
    assert get(tedge, "c8y.device.id") == "c8y-dev\n"
    assert get(tedge, "az.device.id") == "mydev\n"


def test_device_id_from_unreadable_certificate(tedge, tmp_path):
    bad = tmp_path / "bad.pem"
    bad.write_text("not a certificate\n")
    tedge.config_set("device.cert_path", str(bad))
    r = tedge.run("config", "get", "device.id")
    assert r.returncode == 1
    assert r.stderr.startswith("Error: failed to get the configuration value for key: 'device.id'\n\n"
                               "Caused by:\n    Derivation for `device.id` failed: ")
    assert str(bad) in r.stderr


# --- help and usage ----------------------------------------------------------

def test_help(tedge):
    r = tedge.run("config", "--help")
    assert r.returncode == 0 and "Usage: tedge config <COMMAND>" in r.stdout and r.stderr == ""
    for action in ("get", "set", "unset", "add", "remove", "list"):
        r = tedge.run("config", action, "--help")
        assert r.returncode == 0, action
        assert f"Usage: tedge config {action}" in r.stdout
    r = tedge.run("config", "help", "list")
    assert r.returncode == 0 and "--doc" in r.stdout


@pytest.mark.parametrize("args,message", [
    ((), None),
    (("frobnicate",), "error: unrecognized subcommand 'frobnicate'"),
    (("get",), "error: the following required arguments were not provided:\n  <KEY>\n"),
    (("set", "c8y.url"), "error: the following required arguments were not provided:\n  <VALUE>\n"),
    (("get", "c8y.url", "extra"), "error: unexpected argument 'extra' found"),
    (("list", "--bogus"), "error: unexpected argument '--bogus' found"),
])
def test_usage_errors_exit_2(tedge, args, message):
    r = tedge.run("config", *args)
    assert r.returncode == 2
    assert r.stdout == ""
    if message:
        assert r.stderr.startswith(message)
        assert r.stderr.endswith("For more information, try '--help'.\n")
    else:
        assert "Usage: tedge config" in r.stderr


def test_global_options_anywhere(tedge):
    tedge.config_set("device.type", "anywhere")
    r = tedge.run("config", "get", "--config-dir", tedge.config_dir, "device.type", config_dir=False)
    assert (r.returncode, r.stdout) == (0, "anywhere\n")
