"""Cloud profiles (spec/cli.md §2.1 P2, §3, §4): `--profile P` and
TEDGE_CLOUD_PROFILE for tedge cert, tedge config and tedge connect/disconnect, the
<cloud>@P-bridge.conf file and the link through the profile's topic prefix,
against the local fake cloud of fakecloud.py."""
import os
import subprocess

from fakecloud import make_device_cert
from mqttutil import Recorder
from test_connect import DEVICE_ID, c8y_bridge, close, relay, setup_cloud

SECOND_ID = "test-device-02"


# ---- tedge cert <cloud> --profile ------------------------------------------------

def cert_subject(path):
    r = subprocess.run(["openssl", "x509", "-noout", "-subject", "-in", path], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    return r.stdout


def test_cert_with_cloud_and_profile_uses_the_profile_paths(tedge):
    d = tedge.config_dir
    tedge.config_set("c8y.profiles.second.device.cert_path", f"{d}/second-cert.pem")
    tedge.config_set("c8y.profiles.second.device.key_path", f"{d}/second-key.pem")
    r = tedge.run("cert", "create", "c8y", "--profile", "second", "--device-id", SECOND_ID)
    assert r.returncode == 0, r.stderr
    assert "CN = " + SECOND_ID in cert_subject(f"{d}/second-cert.pem")
    assert oct(os.stat(f"{d}/second-key.pem").st_mode & 0o777) == "0o400"
    # the default profile's paths are untouched
    assert not os.path.exists(os.path.join(d, "device-certs", "tedge-certificate.pem"))
    r = tedge.run("cert", "show", "c8y", env={"TEDGE_CLOUD_PROFILE": "Second"})
    assert r.returncode == 0 and f"{d}/second-cert.pem" in r.stdout and SECOND_ID in r.stdout
    # without the cloud TEDGE_CLOUD_PROFILE does not apply: the default cert is missing
    assert tedge.run("cert", "show", env={"TEDGE_CLOUD_PROFILE": "second"}).returncode == 1
    r = tedge.run("cert", "remove", "c8y", "--profile", "second")
    assert r.returncode == 0, r.stderr
    assert not os.path.exists(f"{d}/second-cert.pem")


def test_cert_profile_needs_a_cloud_and_a_valid_name(tedge):
    r = tedge.run("cert", "show", "--profile", "second")
    assert r.returncode == 2 and "unexpected argument '--profile'" in r.stderr
    r = tedge.run("cert", "show", "c8y", "--profile", "bad name")
    assert r.returncode == 2 and "Profile names can only contain" in r.stderr
    r = tedge.run("cert", "show", "c8y", env={"TEDGE_CLOUD_PROFILE": "bad name"})
    assert r.returncode == 2 and "Profile names can only contain" in r.stderr


# ---- tedge config -------------------------------------------------------------

def test_config_set_get_with_profile_and_environment(tedge):
    tedge.config_set("c8y.url", "base.example.com")
    r = tedge.run("config", "set", "c8y.url", "second.example.com", "--profile", "Second")
    assert r.returncode == 0, r.stderr
    r = tedge.run("config", "set", "c8y.bridge.topic_prefix", "c8y-second", env={"TEDGE_CLOUD_PROFILE": "second"})
    assert r.returncode == 0, r.stderr
    with open(os.path.join(tedge.config_dir, "tedge.toml")) as f:
        text = f.read()
    assert '[c8y.profiles.second]\nurl = "second.example.com"\n' in text
    assert 'topic_prefix = "c8y-second"' in text
    assert tedge.run("config", "get", "c8y.url").stdout == "base.example.com\n"
    assert tedge.run("config", "get", "c8y.url", "--profile", "second").stdout == "second.example.com\n"
    assert tedge.run("config", "get", "c8y.url", "--profile=SECOND").stdout == "second.example.com\n"
    assert tedge.run("config", "get", "c8y.profiles.second.url").stdout == "second.example.com\n"
    env = {"TEDGE_CLOUD_PROFILE": "second"}
    assert tedge.run("config", "get", "c8y.url", env=env).stdout == "second.example.com\n"
    # derived from the profile's own url; defaults are the literal ones
    assert tedge.run("config", "get", "c8y.http", env=env).stdout == "second.example.com:443\n"
    assert tedge.run("config", "get", "c8y.proxy.bind.port", env=env).stdout == "8001\n"
    # --profile wins over the environment; an empty variable is the default profile
    assert tedge.run("config", "get", "c8y.url", env={"TEDGE_CLOUD_PROFILE": ""}).stdout == "base.example.com\n"
    # a non-cloud key ignores TEDGE_CLOUD_PROFILE but refuses --profile
    assert tedge.run("config", "get", "mqtt.topic_root", env=env).stdout == "te\n"
    r = tedge.run("config", "get", "mqtt.topic_root", "--profile", "second")
    assert r.returncode == 1
    assert "You've supplied a profile, but mqtt.topic_root is not a profiled configuration" in r.stderr
    # environment override of a profile key
    r = tedge.run("config", "get", "c8y.url", "--profile", "second",
                  env={"TEDGE_C8Y_PROFILES_SECOND_URL": "other.example.com"})
    assert r.stdout == "other.example.com\n"
    # unset, add/remove on a profile
    assert tedge.run("config", "add", "c8y.smartrest.templates", "b,a", "--profile", "second").returncode == 0
    assert tedge.run("config", "get", "c8y.smartrest.templates", "--profile", "second").stdout == '["a", "b"]\n'
    assert tedge.run("config", "get", "c8y.smartrest.templates").stdout == "[]\n"
    assert tedge.run("config", "remove", "c8y.smartrest.templates", "a", "--profile", "second").returncode == 0
    assert tedge.run("config", "get", "c8y.smartrest.templates", "--profile", "second").stdout == '["b"]\n'
    assert tedge.run("config", "unset", "c8y.url", "--profile", "second").returncode == 0
    r = tedge.run("config", "get", "c8y.url", "--profile", "second")
    assert r.returncode == 1
    assert r.stderr == "The provided config key: 'c8y.profiles.second.url' is not set\n"


def test_config_list_shows_profiles_after_their_cloud(tedge):
    tedge.config_set("c8y.url", "base.example.com")
    tedge.config_set("c8y.profiles.new.url", "new.example.com")
    tedge.config_set("az.profiles.x.url", "x.azure-devices.net")
    r = tedge.run("config", "list", "url")
    assert r.returncode == 0, r.stderr
    assert r.stdout == ("c8y.url=base.example.com\n"
                        "c8y.profiles.new.url=new.example.com\n"
                        "az.profiles.x.url=x.azure-devices.net\n")
    lines = tedge.run("config", "list").stdout.splitlines()
    keys = [line.split("=", 1)[0] for line in lines]
    assert keys.index("c8y.profiles.new.url") > keys.index("c8y.mqtt_service.topics")
    assert keys.index("c8y.profiles.new.url") < keys.index("az.root_cert_path")
    assert "c8y.profiles.new.bridge.topic_prefix=c8y" in lines
    assert "c8y.profiles.new.http=new.example.com:443" in lines
    r = tedge.run("config", "list", "--all", "profiles.new.device.key_uri")
    assert r.stdout == "\nc8y.profiles.new.device.key_uri=\n"


def test_bad_profile_names_and_keys(tedge):
    for bad in ("a b", "a.b", "", "-_", "x/y"):
        r = tedge.run("config", "set", "c8y.url", "h.example.com", "--profile", bad)
        assert r.returncode == 2, bad
        assert "--profile <PROFILE>" in r.stderr
    r = tedge.run("config", "get", "c8y.url", "--profile", "a b")
    assert "Profile names can only contain letters, numbers, `-` or `_`" in r.stderr
    r = tedge.run("config", "get", "c8y.url", env={"TEDGE_CLOUD_PROFILE": "a b"})
    assert r.returncode == 1
    assert "Parsing TEDGE_CLOUD_PROFILE" in r.stderr
    for key in ("c8y.profiles.x.nope", "c8y.profiles.x.az.url", "device.profiles.x.id", "c8y.profiles..url"):
        r = tedge.run("config", "get", key)
        assert r.returncode == 2, key
        assert f"Unknown tedge config key: '{key}'" in r.stderr
    # a profile's values are checked like the base key's
    r = tedge.run("config", "set", "c8y.proxy.bind.port", "0", "--profile", "x")
    assert r.returncode == 1
    r = tedge.run("config", "set", "c8y.bridge.topic_prefix", "a/#", "--profile", "x")
    assert r.returncode == 1
    # list takes no --profile, as thin-edge.io
    assert tedge.run("config", "list", "--profile", "x").returncode == 2


def test_profile_table_in_file_is_checked(tedge):
    with open(os.path.join(tedge.config_dir, "tedge.toml"), "w") as f:
        f.write('[c8y.profiles.second]\nproxy.bind.port = "nope"\n')
    r = tedge.run("config", "get", "c8y.url")
    assert r.returncode == 1
    assert "c8y.profiles.second.proxy.bind.port" in r.stderr


# ---- tedge connect / disconnect -------------------------------------------------

def trust_second(device, cloud):
    """A second device certificate, trusted before the cloud starts."""
    certs = os.path.join(device.cfg, "device-certs")
    cert2, key2 = os.path.join(certs, "second-cert.pem"), os.path.join(certs, "second-key.pem")
    make_device_cert(cert2, key2, SECOND_ID)
    cloud.trust(cert2)
    return cert2, key2


def setup_second(device, cloud, pki, cert2, key2):
    """The second device on the same fake cloud, as profile 'second'."""
    t = device.tedge
    for key, value in (("url", cloud.ip), ("root_cert_path", pki.ca_cert), ("device.cert_path", cert2),
                       ("device.key_path", key2), ("bridge.topic_prefix", "c8y-second"),
                       ("proxy.bind.port", "8002")):
        r = t.run("config", "set", f"c8y.{key}", value, "--profile", "second")
        assert r.returncode == 0, r.stderr
    return cert2, key2


def second_bridge(device, ca, cert2, key2):
    text = c8y_bridge(device, ca, prefix="c8y-second")
    text = text.replace("connection edge_to_c8y\n", "connection edge_to_c8y@second\n")
    text = text.replace("local_clientid Cumulocity\n", "local_clientid Cumulocity@second\n")
    text = text.replace(f"remote_clientid {DEVICE_ID}\n", f"remote_clientid {SECOND_ID}\n")
    text = text.replace(f"bridge_certfile {device.cert}\n", f"bridge_certfile {cert2}\n")
    return text.replace(f"bridge_keyfile {device.key}\n", f"bridge_keyfile {key2}\n")


def test_connect_profile_writes_its_bridge_and_links_with_its_prefix(device, cloud, pki):
    cert2, key2 = trust_second(device, cloud)
    setup_cloud(device, cloud, pki)
    setup_second(device, cloud, pki, cert2, key2)
    device.cloud_address = f"{cloud.ip}:8883"
    device.install_fake_services()
    device.clear_calls()
    r = device.tedge_run("connect", "c8y", "--profile", "second")
    assert r.returncode == 0, r.stderr
    assert r.stderr.startswith("Connecting to Cumulocity:\n"
                               f"\tdevice id: {SECOND_ID}\n"
                               "\tcloud profile: second\n"
                               f"\tcloud host: {cloud.ip}:8883\n"), r.stderr
    assert "Enabling tedge-mapper-c8y@second... ✓\n" in r.stderr
    assert cloud.wait_for(lambda t, p: t == "s/us" and p == f"100,{SECOND_ID},thin-edge.io".encode())
    assert device.read("c8y@second-bridge.conf") == second_bridge(device, pki.ca_cert, cert2, key2)
    assert not device.exists("c8y-bridge.conf")
    assert "start tedge-mapper-c8y@second" in device.calls()
    assert "enable tedge-mapper-c8y@second" in device.calls()
    local, remote = device.client(), cloud.client()
    try:
        assert relay(local, remote, "c8y-second/s/us", "s/us", b"200,p,T,1") == ("s/us", b"200,p,T,1")
        assert relay(remote, local, "s/ds", "c8y-second/s/ds", b"510,x") == ("c8y-second/s/ds", b"510,x")
    finally:
        close(local, remote)

    # the default profile alongside: two bridges at once
    r = device.tedge_run("connect", "c8y")
    assert r.returncode == 0, r.stderr
    assert device.read("c8y-bridge.conf") == c8y_bridge(device, pki.ca_cert)
    local, remote = device.client(), cloud.client()
    try:
        assert relay(local, remote, "c8y/s/us", "s/us", b"200,a,T,1") == ("s/us", b"200,a,T,1")
        assert relay(local, remote, "c8y-second/s/us", "s/us", b"200,b,T,2") == ("s/us", b"200,b,T,2")
    finally:
        close(local, remote)

    # refresh-bridges regenerates the profile's bridge as well as the default one
    for name in ("c8y-bridge.conf", "c8y@second-bridge.conf"):
        with open(os.path.join(device.conf_dir, name), "w") as f:
            f.write("stale\n")
    r = device.tedge_run("refresh-bridges")
    assert r.returncode == 0, r.stderr
    assert "Refreshing bridge Cumulocity\n" in r.stderr
    assert "Refreshing bridge Cumulocity@second\n" in r.stderr
    assert device.read("c8y-bridge.conf") == c8y_bridge(device, pki.ca_cert)
    assert device.read("c8y@second-bridge.conf") == second_bridge(device, pki.ca_cert, cert2, key2)

    # --test with the environment variable
    r = device.tedge_run("connect", "c8y", "--test", env={"TEDGE_CLOUD_PROFILE": "second"})
    assert r.returncode == 0, r.stderr
    assert "Connection check to c8y cloud is successful.\n" in r.stderr

    # disconnect the profile: only its file goes, only its mapper stops
    device.clear_calls()
    r = device.tedge_run("disconnect", "c8y", "--profile", "second")
    assert r.returncode == 0, r.stderr
    assert r.stderr == ("Removing bridge config file... ✓\n"
                        "Restarting mosquitto to apply configuration... ✓\n"
                        "Disabling tedge-mapper-c8y@second... ✓\n")
    assert not device.exists("c8y@second-bridge.conf")
    assert device.exists("c8y-bridge.conf")
    assert device.calls() == ["is_active mosquitto", "restart mosquitto",
                              "stop tedge-mapper-c8y@second", "disable tedge-mapper-c8y@second"]
    local, remote = device.client(), cloud.client()
    try:
        assert relay(local, remote, "c8y/s/us", "s/us", b"200,c,T,3") == ("s/us", b"200,c,T,3")
        assert relay(local, remote, "c8y-second/s/us", "s/us", b"200,d,T,4", timeout=1) is None
    finally:
        close(local, remote)


def test_connect_refuses_profiles_sharing_a_topic_prefix(device, cloud, pki):
    setup_cloud(device, cloud, pki, start_mosquitto=False)
    device.tedge.config_set("c8y.profiles.second.url", "second.example.com")
    r = device.tedge_run("connect", "c8y", "--profile", "second", "--offline")
    assert r.returncode == 1
    assert ("The configurations: c8y.bridge.topic_prefix, c8y.profiles.second.bridge.topic_prefix should be "
            "set to different values before connecting, but are currently set to the same value\n") in r.stderr
    assert not device.exists("c8y@second-bridge.conf")
    # also for the default profile and for --test
    r = device.tedge_run("connect", "c8y", "--test")
    assert r.returncode == 1 and "c8y.profiles.second.bridge.topic_prefix" in r.stderr
    device.tedge.config_set("c8y.profiles.second.bridge.topic_prefix", "c8y-second")
    r = device.tedge_run("connect", "c8y", "--profile", "second", "--offline")
    assert r.returncode == 1
    assert ("The configurations: c8y.proxy.bind.port, c8y.profiles.second.proxy.bind.port should be set to "
            "different values") in r.stderr
    # same URL and device id: not a distinct device
    device.tedge.config_set("c8y.profiles.second.proxy.bind.port", "8002")
    device.tedge.config_set("c8y.profiles.second.url", cloud.ip)
    r = device.tedge_run("connect", "c8y", "--profile", "second", "--offline")
    assert r.returncode == 1
    assert "You have matching URLs and device IDs for different profiles." in r.stderr
    assert "c8y.url, c8y.profiles.second.url are set to the same value, but so are c8y.device.id, " \
           "c8y.profiles.second.device.id." in r.stderr


def test_connect_profile_missing_url_names_the_profile_key(device, pki):
    make_device_cert(device.cert, device.key, DEVICE_ID)
    r = device.tedge_run("connect", "c8y", "--profile", "nope")
    assert r.returncode == 1
    assert "A value for 'c8y.profiles.nope.url' is missing." in r.stderr


def test_mapper_with_profile_uses_the_profile_keys(tedge_online, broker):
    """tedge-mapper az --profile second (what tedge-mapper-az@second.service
    runs): the profile's topic prefix names the service and its output."""
    r = tedge_online.run("config", "set", "az.bridge.topic_prefix", "az-second", "--profile", "second")
    assert r.returncode == 0, r.stderr
    rec = Recorder(broker.port, topics=("te/#", "az-second/#", "az/#"))
    p = tedge_online.spawn("tedge-mapper-az", "--profile", "second")
    health = "te/device/main/service/tedge-mapper-az-second/status/health"
    assert rec.wait_for(lambda t, pl: t == health and b'"up"' in pl, 10), tedge_online.log_of("tedge-mapper-az")
    rec.publish("te/device/main///m/env", b'{"temperature":1,"time":1}')
    assert rec.wait_for(lambda t, pl: t == "az-second/messages/events/" and b"temperature" in pl, 10)
    assert not any(m[0].startswith("az/") for m in rec.messages)
    rec.close()
    p.terminate()
    assert p.wait(10) == 0


def test_mapper_rejects_a_bad_profile_name(tedge):
    r = subprocess.run([tedge.bin("tedge-mapper-az"), "--config-dir", tedge.config_dir, "--profile", "a b"],
                       capture_output=True, text=True, timeout=10)
    assert r.returncode == 2
    assert "--profile" in r.stderr


def test_c8y_mapper_with_profile_is_named_after_its_topic_prefix(tedge_online, broker):
    for key, value in (("bridge.topic_prefix", "c8y-second"), ("device.id", "second-dev")):
        r = tedge_online.run("config", "set", f"c8y.{key}", value, "--profile", "second")
        assert r.returncode == 0, r.stderr
    rec = Recorder(broker.port, topics=("te/#", "c8y-second/#", "c8y/#"))
    p = tedge_online.spawn("tedge-mapper-c8y", "--profile", "second")
    health = "te/device/main/service/tedge-mapper-c8y-second/status/health"
    assert rec.wait_for(lambda t, pl: t == health and b'"up"' in pl, 10), tedge_online.log_of("tedge-mapper-c8y")
    assert rec.wait_for(lambda t, pl: t == "c8y-second/s/us" and pl.startswith(b"117,"), 10)
    rec.publish("te/device/main///m/env", b'{"temperature":1}')
    assert rec.wait_for(lambda t, pl: t == "c8y-second/measurement/measurements/create", 10)
    assert not any(m[0].startswith("c8y/") for m in rec.messages)
    rec.close()
    p.terminate()
    assert p.wait(10) == 0
