"""tedge connect / disconnect / reconnect / refresh-bridges against a local fake
cloud (fakecloud.py): generated files byte for byte, the link end to end
through the real mosquitto bridge, service commands through system.toml, and
the bad inputs of spec/cli.md §7."""
import os
import time

from fakecloud import Pki, expected_mosquitto_conf, make_device_cert, mode_of

DEVICE_ID = "test-device-01"


def setup_cloud(device, cloud, pki, name="c8y", trusted=True, start_mosquitto=True):
    """A device certificate trusted by the running cloud, config pointing at it."""
    make_device_cert(device.cert, device.key, DEVICE_ID)
    if trusted:
        cloud.trust(device.cert)
    cloud.start()
    device.tedge.config_set(f"{name}.url", cloud.ip)
    device.tedge.config_set(f"{name}.root_cert_path", pki.ca_cert)
    if start_mosquitto:
        device.start_mosquitto()


def c8y_bridge(device, ca, local_cleansession=True, prefix="c8y", templates=()):
    lines = ["### Bridge",
             "connection edge_to_c8y",
             f"address {device.cloud_address}",
             f"bridge_cafile {ca}",
             f"remote_clientid {DEVICE_ID}",
             "local_clientid Cumulocity",
             f"bridge_certfile {device.cert}",
             f"bridge_keyfile {device.key}",
             "try_private false",
             "start_type automatic",
             "cleansession true"]
    if local_cleansession:
        lines.append("local_cleansession false")
    lines += ["notifications true",
              "notifications_local_only true",
              f"notification_topic te/device/main/service/mosquitto-{prefix}-bridge/status/health",
              "bridge_attempt_unsubscribe false",
              "keepalive_interval 60",
              "",
              "### Topics"]
    topics = [("s/dt", "in", 1), ("s/ut/#", "out", 1), ("s/us/#", "out", 1), ("t/us/#", "out", 1),
              ("q/us/#", "out", 1), ("c/us/#", "out", 1), ("s/ds", "in", 1), ("s/e", "in", 0),
              ("s/uc/#", "out", 1), ("t/uc/#", "out", 1), ("q/uc/#", "out", 1), ("c/uc/#", "out", 1),
              ("s/dc/#", "in", 1), ("inventory/managedObjects/update/#", "out", 1),
              ("measurement/measurements/create", "out", 1), ("measurement/measurements/createBulk", "out", 1),
              ("event/events/create", "out", 1), ("event/events/createBulk", "out", 1),
              ("alarm/alarms/create", "out", 1), ("alarm/alarms/createBulk", "out", 1),
              ("devicecontrol/notifications", "in", 1), ("error", "in", 1),
              ("s/uat", "out", 0), ("s/dat", "in", 0)]
    for t in templates:
        topics += [(f"s/uc/{t}", "out", 1), (f"s/dc/{t}", "in", 1)]
    lines += [f'topic {p} {d} {q} {prefix}/ ""' for p, d, q in topics]
    return "\n".join(lines) + "\n"


def close(*clients):
    for c in clients:
        c.disconnect()
        c.loop_stop()


def relay(src_client, dst_client, src_topic, dst_filter, payload, timeout=10):
    """Publishes on src and waits for the message on dst; returns (topic, payload) or None."""
    got = []
    import threading
    ev = threading.Event()

    def on_message(client, userdata, msg):
        got.append((msg.topic, bytes(msg.payload)))
        if bytes(msg.payload) == payload:
            ev.set()
    subscribed = threading.Event()
    dst_client.on_message = on_message
    dst_client.on_subscribe = lambda *a: subscribed.set()
    dst_client.subscribe(dst_filter, 1)
    assert subscribed.wait(5)
    deadline = time.monotonic() + timeout
    # the bridge may still be connecting: resend until it arrives
    while time.monotonic() < deadline:
        src_client.publish(src_topic, payload, qos=1).wait_for_publish()
        if ev.wait(1.0):
            return [m for m in got if m[1] == payload][0]
    return None


# ---- c8y: the happy path ------------------------------------------------------

def test_connect_c8y_writes_files_creates_device_and_links_both_ways(device, cloud, pki):
    setup_cloud(device, cloud, pki)
    device.cloud_address = f"{cloud.ip}:8883"
    device.install_fake_services()
    device.clear_calls()
    r = device.tedge_run("connect", "c8y")
    assert r.returncode == 0, r.stderr
    assert r.stderr.startswith(
        "Connecting to Cumulocity:\n"
        f"\tdevice id: {DEVICE_ID}\n"
        "\tcloud profile: <none>\n"
        f"\tcloud host: {cloud.ip}:8883\n"
        "\tauth type: Certificate\n"
        f"\tcertificate file: {device.cert}\n"
        "\tcryptoki: off\n"
        "\tbridge: mosquitto\n"
        "\tservice manager: test-init\n"
        "\tmosquitto version: 2.0.11\n"
        "\tproxy: Not configured\n"
        "Creating device in Cumulocity cloud... ✓\n"
        "Creating mosquitto bridge... ✓\n"
        "Restarting mosquitto... ✓\n"
        "Waiting for mosquitto to be listening for connections... ✓\n"
        "Verifying device is connected to cloud... ✓\n"
        "Enabling tedge-mapper-c8y... ✓\n"
        "Checking Cumulocity is connected to intended tenant... ✓\n"
        "Enabling tedge-agent... ✓\n"), r.stderr
    assert r.stdout == ""
    # device creation on the cloud, by the direct connection
    assert cloud.wait_for(lambda t, p: t == "s/us" and p == f"100,{DEVICE_ID},thin-edge.io".encode())
    # generated files, byte for byte
    assert device.read("c8y-bridge.conf") == c8y_bridge(device, pki.ca_cert)
    assert device.read("tedge-mosquitto.conf") == expected_mosquitto_conf(device.port)
    assert mode_of(os.path.join(device.conf_dir, "c8y-bridge.conf")) == 0o644
    # service commands, in order, through system.toml
    assert device.calls() == ["stop mosquitto", "restart mosquitto", "enable mosquitto",
                              "start tedge-mapper-c8y", "enable tedge-mapper-c8y",
                              "start tedge-agent", "enable tedge-agent"]
    # the link, both ways
    local, remote = device.client(), cloud.client()
    try:
        assert relay(local, remote, "c8y/s/us", "s/us", b"200,temp,T,21") == ("s/us", b"200,temp,T,21")
        assert relay(remote, local, "s/ds", "c8y/s/ds", b"510,test") == ("c8y/s/ds", b"510,test")
        # not bridged: a topic outside the bridge's table stays local
        assert relay(local, remote, "c8y/not/bridged", "not/bridged", b"x", timeout=1) is None
    finally:
        close(local, remote)

    # disconnect: file removed, mosquitto restarted, mapper stopped; the link is down
    device.clear_calls()
    r = device.tedge_run("disconnect", "c8y")
    assert r.returncode == 0, r.stderr
    assert r.stderr == ("Removing bridge config file... ✓\n"
                        "Restarting mosquitto to apply configuration... ✓\n"
                        "Disabling tedge-mapper-c8y... ✓\n")
    assert not device.exists("c8y-bridge.conf")
    assert device.exists("tedge-mosquitto.conf")
    assert device.calls() == ["is_active mosquitto", "restart mosquitto",
                              "stop tedge-mapper-c8y", "disable tedge-mapper-c8y"]
    local, remote = device.client(), cloud.client()
    try:
        assert relay(local, remote, "c8y/s/us", "s/us", b"200,after,T,1", timeout=1) is None
    finally:
        close(local, remote)
    # and again: nothing to do, exit 0
    r = device.tedge_run("disconnect", "c8y")
    assert r.returncode == 0
    assert r.stdout == "Bridge doesn't exist. Device is already disconnected from Cumulocity.\n"
    assert r.stderr == "Removing bridge config file... ✓\n"


# ---- az and aws ---------------------------------------------------------------

def az_bridge(device, cloud, ca):
    return ("### Bridge\n"
            "connection edge_to_az\n"
            f"address {cloud.ip}:8883\n"
            f"bridge_cafile {ca}\n"
            f"remote_clientid {DEVICE_ID}\n"
            "local_clientid Azure\n"
            f"remote_username {cloud.ip}/{DEVICE_ID}/?api-version=2018-06-30\n"
            f"bridge_certfile {device.cert}\n"
            f"bridge_keyfile {device.key}\n"
            "try_private false\n"
            "start_type automatic\n"
            "cleansession false\n"
            "notifications true\n"
            "notifications_local_only true\n"
            "notification_topic te/device/main/service/mosquitto-az-bridge/status/health\n"
            "bridge_attempt_unsubscribe false\n"
            "keepalive_interval 60\n"
            "\n"
            "### Topics\n"
            f"topic messages/events/# out 1 az/ devices/{DEVICE_ID}/\n"
            f"topic messages/devicebound/# in 1 az/ devices/{DEVICE_ID}/\n"
            "topic methods/POST/# in 1 az/ $iothub/\n"
            "topic methods/res/# out 1 az/ $iothub/\n"
            "topic twin/res/# in 1 az/ $iothub/\n"
            "topic twin/GET/# out 1 az/ $iothub/\n"
            "topic twin/PATCH/# out 1 az/ $iothub/\n")


def aws_bridge(device, cloud, ca):
    return ("### Bridge\n"
            "connection edge_to_aws\n"
            f"address {cloud.ip}:8883\n"
            f"bridge_cafile {ca}\n"
            f"remote_clientid {DEVICE_ID}\n"
            "local_clientid Aws\n"
            f"remote_username {DEVICE_ID}\n"
            f"bridge_certfile {device.cert}\n"
            f"bridge_keyfile {device.key}\n"
            "try_private false\n"
            "start_type automatic\n"
            "cleansession false\n"
            "notifications true\n"
            "notifications_local_only true\n"
            "notification_topic te/device/main/service/mosquitto-aws-bridge/status/health\n"
            "bridge_attempt_unsubscribe false\n"
            "keepalive_interval 60\n"
            "\n"
            "### Topics\n"
            f"topic td/# out 1 aws/ thinedge/{DEVICE_ID}/\n"
            f"topic cmd/# in 1 aws/ thinedge/{DEVICE_ID}/\n"
            f"topic shadow/# both 1 aws/ $aws/things/{DEVICE_ID}/\n"
            f'topic "" out 1 aws/test-connection thinedge/devices/{DEVICE_ID}/test-connection\n'
            f'topic "" in 1 aws/connection-success thinedge/devices/{DEVICE_ID}/test-connection\n')


def test_connect_az_bridges_telemetry_and_c2d_and_test_succeeds(device, cloud, pki):
    setup_cloud(device, cloud, pki, name="az")
    r = device.tedge_run("connect", "az")
    assert r.returncode == 0, r.stderr
    assert "Creating device in Cumulocity cloud" not in r.stderr
    assert r.stderr.endswith("Creating mosquitto bridge... ✓\n"
                             "Restarting mosquitto... ✓\n"
                             "Waiting for mosquitto to be listening for connections... ✓\n"
                             "Verifying device is connected to cloud... ✓\n"
                             "warning: tedge-mapper is not installed.\n"), r.stderr
    assert device.read("az-bridge.conf") == az_bridge(device, cloud, pki.ca_cert)
    # the check asked for the twin on the cloud
    assert cloud.wait_for(lambda t, p: t == "$iothub/twin/GET/?$rid=1")
    local, remote = device.client(), cloud.client()
    try:
        assert relay(local, remote, "az/messages/events/a=1", f"devices/{DEVICE_ID}/messages/events/#",
                     b'{"temp":21}') == (f"devices/{DEVICE_ID}/messages/events/a=1", b'{"temp":21}')
        assert relay(remote, local, f"devices/{DEVICE_ID}/messages/devicebound/x", "az/messages/devicebound/#",
                     b"c2d") == ("az/messages/devicebound/x", b"c2d")
    finally:
        close(local, remote)
    r = device.tedge_run("connect", "az", "--test")
    assert r.returncode == 0, r.stderr
    assert r.stderr.startswith("Testing connection to Azure:\n")
    assert r.stderr.endswith("Verifying device is connected to cloud... ✓\n"
                             "Connection check to az cloud is successful.\n")


def test_connect_aws_bridges_telemetry_commands_and_shadow(device, cloud, pki):
    setup_cloud(device, cloud, pki, name="aws")
    r = device.tedge_run("connect", "aws")
    assert r.returncode == 0, r.stderr
    assert "Verifying device is connected to cloud... ✓\n" in r.stderr
    assert device.read("aws-bridge.conf") == aws_bridge(device, cloud, pki.ca_cert)
    # the check's round trip went through the cloud
    assert cloud.wait_for(lambda t, p: t == f"thinedge/devices/{DEVICE_ID}/test-connection")
    local, remote = device.client(), cloud.client()
    try:
        assert relay(local, remote, "aws/td/m", f"thinedge/{DEVICE_ID}/td/#", b"t1") == \
            (f"thinedge/{DEVICE_ID}/td/m", b"t1")
        assert relay(remote, local, f"thinedge/{DEVICE_ID}/cmd/reboot", "aws/cmd/#", b"c1") == \
            ("aws/cmd/reboot", b"c1")
        assert relay(local, remote, "aws/shadow/update", f"$aws/things/{DEVICE_ID}/shadow/#", b"s1") == \
            (f"$aws/things/{DEVICE_ID}/shadow/update", b"s1")
        assert relay(remote, local, f"$aws/things/{DEVICE_ID}/shadow/get/accepted", "aws/shadow/#", b"s2") == \
            ("aws/shadow/get/accepted", b"s2")
    finally:
        close(local, remote)


# ---- running connect twice, reconnect, refresh-bridges, --test, --offline ----------

def test_connect_twice_is_refused_and_keeps_the_bridge(device, cloud, pki):
    setup_cloud(device, cloud, pki, name="az")
    assert device.tedge_run("connect", "az").returncode == 0
    before = device.read("az-bridge.conf")
    device.clear_calls()
    r = device.tedge_run("connect", "az")
    assert r.returncode == 1
    assert r.stderr.endswith(
        "\tproxy: Not configured\n"
        "Error: failed to connect to Azure cloud.\n"
        "\n"
        "Caused by:\n"
        "    Connection is already established. To remove the existing connection, run "
        "`tedge disconnect az` and try again.\n"), r.stderr
    assert device.read("az-bridge.conf") == before
    assert device.calls() == []


def test_reconnect_regenerates_the_bridge_and_restarts(device, cloud, pki):
    setup_cloud(device, cloud, pki, name="c8y")
    device.cloud_address = f"{cloud.ip}:8883"
    assert device.tedge_run("connect", "c8y").returncode == 0
    device.tedge.config_set("c8y.smartrest.templates", "tmplA,tmplB")
    device.clear_calls()
    r = device.tedge_run("reconnect", "c8y")
    assert r.returncode == 0, r.stderr
    assert r.stderr.startswith("Disconnecting from Cumulocity:\n"
                               "Removing bridge config file... ✓\n"
                               "Restarting mosquitto to apply configuration... ✓\n"
                               "Reconnecting to Cumulocity:\n"), r.stderr
    assert "Verifying device is connected to cloud... ✓\n" in r.stderr
    assert device.read("c8y-bridge.conf") == c8y_bridge(device, pki.ca_cert, templates=("tmplA", "tmplB"))
    assert device.calls()[:5] == ["is_active mosquitto", "restart mosquitto", "stop mosquitto",
                                  "restart mosquitto", "enable mosquitto"]


def test_refresh_bridges_rewrites_existing_bridges_only(device, cloud, pki):
    r = device.tedge_run("refresh-bridges")
    assert (r.returncode, r.stdout, r.stderr) == (0, "", "No bridges to refresh.\n")
    setup_cloud(device, cloud, pki, name="c8y", start_mosquitto=False)
    device.cloud_address = f"{cloud.ip}:8883"
    assert device.tedge_run("connect", "c8y", "--offline").returncode == 0
    device.tedge.config_set("c8y.bridge.topic_prefix", "cumulocity")
    device.tedge.config_set("mqtt.bind.address", "127.0.0.1")
    os.remove(os.path.join(device.conf_dir, "tedge-mosquitto.conf"))
    device.clear_calls()
    r = device.tedge_run("refresh-bridges")
    assert r.returncode == 0, r.stderr
    assert r.stderr == "Refreshing bridge Cumulocity\nRestarting mosquitto service.\n\n"
    assert device.read("c8y-bridge.conf") == c8y_bridge(device, pki.ca_cert, prefix="cumulocity")
    assert device.read("tedge-mosquitto.conf") == expected_mosquitto_conf(device.port)
    assert not device.exists("az-bridge.conf")
    assert device.calls() == ["restart mosquitto"]


def test_test_when_not_connected_fails_and_writes_nothing(device, cloud, pki):
    setup_cloud(device, cloud, pki, name="c8y", start_mosquitto=False)
    r = device.tedge_run("connect", "c8y", "--test")
    assert r.returncode == 1
    assert r.stderr.startswith("Testing connection to Cumulocity:\n")
    assert r.stderr.endswith("\tproxy: Not configured\nerror: Device is not connected to Cumulocity cloud\n")
    assert not os.path.exists(device.conf_dir) or os.listdir(device.conf_dir) == []
    assert device.calls() == []


def test_offline_writes_files_without_contacting_the_cloud_then_test_fails(device, pki, tmp_path):
    make_device_cert(device.cert, device.key, DEVICE_ID)
    device.tedge.config_set("c8y.url", "127.0.0.9")   # nothing listens there
    device.tedge.config_set("c8y.root_cert_path", pki.ca_cert)
    device.cloud_address = "127.0.0.9:8883"
    device.start_mosquitto()
    r = device.tedge_run("connect", "c8y", "--offline")
    assert r.returncode == 0, r.stderr
    assert r.stderr.endswith("\tproxy: Not configured\n"
                             "Offline mode. Skipping device creation in Cumulocity cloud.\n"
                             "Creating mosquitto bridge... ✓\n"
                             "Restarting mosquitto... ✓\n"
                             "Waiting for mosquitto to be listening for connections... ✓\n"
                             "warning: tedge-mapper is not installed.\n"), r.stderr
    assert r.stdout == "Info: Software management is not installed. So, skipping enabling related components.\n\n"
    assert device.read("c8y-bridge.conf") == c8y_bridge(device, pki.ca_cert)
    r = device.tedge_run("connect", "c8y", "--test", env={"TE_CONNECT_RESPONSE_TIMEOUT_S": "1"})
    assert r.returncode == 1
    assert r.stderr.endswith("Verifying device is connected to cloud... ✗\n"
                             "error: Failed to verify device is connected to Cumulocity: "
                             "Local MQTT publish has timed out\n"), r.stderr


def test_tenant_mismatch_warns_on_connect_and_fails_test(device, cloud, pki):
    cloud.iss = "t999.other-tenant.example.com"
    setup_cloud(device, cloud, pki, name="c8y")
    r = device.tedge_run("connect", "c8y")
    assert r.returncode == 0, r.stderr
    warning = (f"warning: The device is connected to t999.other-tenant.example.com, but the configured URL is "
               f"(mqtt={cloud.ip}, http={cloud.ip}).\n"
               "    To connect the device to the intended tenant, remove the device certificate from "
               "t999.other-tenant.example.com, and then run `tedge reconnect c8y`\n")
    assert "Checking Cumulocity is connected to intended tenant... ✓\n" + warning in r.stderr
    r = device.tedge_run("connect", "c8y", "--test")
    assert r.returncode == 1
    assert r.stderr.endswith("Verifying device is connected to cloud... ✓\n"
                             "Checking Cumulocity is connected to intended tenant... ✓\n" + warning)


# ---- generated files: variants ------------------------------------------------------

def test_bridge_uses_capath_for_a_directory_and_follows_flags(device, pki, tmp_path):
    make_device_cert(device.cert, device.key, DEVICE_ID)
    ca_dir = str(tmp_path / "ca-dir")
    os.makedirs(ca_dir)
    device.tedge.config_set("c8y.url", "127.0.0.9")
    device.tedge.config_set("c8y.root_cert_path", ca_dir)
    device.tedge.config_set("c8y.bridge.include.local_cleansession", "false")
    device.tedge.config_set("c8y.bridge.keepalive_interval", "2m")
    device.tedge.config_set("mqtt.topic_root", "tedge")
    r = device.tedge_run("connect", "c8y", "--offline", env={"TEDGE_C8Y_SMARTREST_TEMPLATES": "t1"})
    assert r.returncode == 0, r.stderr
    assert "mosquitto version" not in r.stderr
    text = device.read("c8y-bridge.conf")
    assert f"\nbridge_capath {ca_dir}\n" in text
    assert "local_cleansession" not in text
    assert "\nkeepalive_interval 120\n" in text
    assert "\nnotification_topic tedge/device/main/service/mosquitto-c8y-bridge/status/health\n" in text
    assert text.endswith('topic s/uc/t1 out 1 c8y/ ""\ntopic s/dc/t1 in 1 c8y/ ""\n')


def test_unknown_mosquitto_version_omits_local_cleansession(device, pki):
    make_device_cert(device.cert, device.key, DEVICE_ID)
    device.tedge.config_set("c8y.url", "127.0.0.9")
    device.tedge.config_set("c8y.root_cert_path", pki.ca_cert)
    r = device.tedge_run("connect", "c8y", "--offline", env={"PATH": f"{device.bin}:/bin"})
    assert r.returncode == 0, r.stderr
    assert r.stderr.startswith("Failed to detect mosquitto version: assuming mosquitto version < 2.0.0\n"
                               "Connecting to Cumulocity:\n")
    assert "local_cleansession" not in device.read("c8y-bridge.conf")


# ---- bad input (spec/cli.md §7) --------------------------------------------------

def summary_end(stderr):
    """What follows the summary lines."""
    return stderr.split("\tproxy: Not configured\n", 1)[1]


def test_missing_url_is_reported_with_the_key_to_set(device):
    for cloud, display in (("c8y", "Cumulocity"), ("az", "Azure"), ("aws", "Aws")):
        r = device.tedge_run("connect", cloud)
        assert r.returncode == 1
        assert r.stdout == ""
        assert r.stderr == (f"Error: failed to connect to {display} cloud.\n"
                            "\n"
                            "Caused by:\n"
                            f"    A value for '{cloud}.url' is missing.\n"
                            f"        A value can be set with `tedge config set {cloud}.url <value>`\n")
    assert not os.path.exists(device.conf_dir)


def test_missing_device_id_is_reported(device):
    device.tedge.config_set("c8y.url", "127.0.0.9")
    r = device.tedge_run("connect", "c8y")
    assert r.returncode == 1
    assert r.stderr == (
        "Error: failed to connect to Cumulocity cloud.\n"
        "\n"
        "Caused by:\n"
        "    The provided config key: 'device.id' is not configured: The device id is read from the device "
        "certificate.\n"
        "    To set 'device.id' to some <id>, you can use `tedge cert create --device-id <id>`.\n")


def test_missing_certificate_fails_device_creation_step(device, pki):
    device.tedge.config_set("c8y.url", "127.0.0.9")
    device.tedge.config_set("device.id", DEVICE_ID)
    device.tedge.config_set("c8y.root_cert_path", pki.ca_cert)
    r = device.tedge_run("connect", "c8y")
    assert r.returncode == 1
    assert summary_end(r.stderr) == (
        "Creating device in Cumulocity cloud... ✗\n"
        f"error: Could not access \"{device.cert}\": No such file or directory (os error 2)\n")
    assert not os.path.exists(device.conf_dir)
    assert device.calls() == []
    # az has no device creation step: the bridge step refuses
    device.tedge.config_set("az.url", "127.0.0.9")
    device.tedge.config_set("az.root_cert_path", pki.ca_cert)
    r = device.tedge_run("connect", "az")
    assert r.returncode == 1
    assert summary_end(r.stderr) == (
        "Creating mosquitto bridge... ✗\n"
        f"error: Could not access \"{device.cert}\": No such file or directory (os error 2)\n")
    assert not device.exists("az-bridge.conf")
    assert device.calls() == []


def test_certificate_not_matching_key_is_explained(device, pki, tmp_path):
    make_device_cert(device.cert, device.key, DEVICE_ID)
    other_cert = str(tmp_path / "other.pem")
    make_device_cert(other_cert, str(tmp_path / "other.key"), "other")
    device.tedge.config_set("device.cert_path", other_cert)
    device.tedge.config_set("aws.url", "127.0.0.9")
    device.tedge.config_set("aws.root_cert_path", pki.ca_cert)
    device.tedge.config_set("c8y.url", "127.0.0.9")
    device.tedge.config_set("c8y.root_cert_path", pki.ca_cert)
    expected = "error: The private key is not paired with the certificate. Check your 'device.key_path'.\n"
    r = device.tedge_run("connect", "c8y")
    assert r.returncode == 1
    assert summary_end(r.stderr) == "Creating device in Cumulocity cloud... ✗\n" + expected
    r = device.tedge_run("connect", "aws")
    assert r.returncode == 1
    assert summary_end(r.stderr) == "Creating mosquitto bridge... ✗\n" + expected
    assert not os.path.exists(os.path.join(device.conf_dir, "aws-bridge.conf"))


def test_expired_certificate_is_refused_before_connecting(device, cloud, pki):
    make_device_cert(device.cert, device.key, DEVICE_ID, expired=True)
    cloud.trust(device.cert)
    cloud.start()
    device.tedge.config_set("c8y.url", cloud.ip)
    device.tedge.config_set("c8y.root_cert_path", pki.ca_cert)
    r = device.tedge_run("connect", "c8y")
    assert r.returncode == 1
    end = summary_end(r.stderr)
    assert end.startswith("Creating device in Cumulocity cloud... ✗\n"
                          "error: The device certificate has expired (not valid after "), end
    assert end.endswith(f"): {device.cert}\n"
                        "Create a new certificate (or renew it) and upload it to the cloud before connecting.\n")
    assert cloud.wait_for(lambda t, p: t == "s/us", timeout=0.5) is None
    assert not os.path.exists(device.conf_dir)


def test_cloud_refusing_the_device_certificate_names_the_cause(device, cloud, pki):
    setup_cloud(device, cloud, pki, name="c8y", trusted=False, start_mosquitto=False)
    r = device.tedge_run("connect", "c8y")
    assert r.returncode == 1
    assert summary_end(r.stderr) == (
        "Creating device in Cumulocity cloud... ✗\n"
        "error: The device certificate is not trusted by Cumulocity. Upload the certificate using "
        "`tedge cert upload c8y`\n")
    assert not os.path.exists(device.conf_dir)
    assert device.calls() == []


def test_untrusted_cloud_certificate_names_root_cert_path(device, cloud, pki, tmp_path):
    setup_cloud(device, cloud, pki, name="c8y", start_mosquitto=False)
    other_ca = Pki(str(tmp_path / "other"))
    device.tedge.config_set("c8y.root_cert_path", other_ca.ca_cert)
    r = device.tedge_run("connect", "c8y")
    assert r.returncode == 1
    assert summary_end(r.stderr) == (
        "Creating device in Cumulocity cloud... ✗\n"
        "error: Cumulocity certificate is not trusted by the device. Check your 'c8y.root_cert_path'.\n")


def test_unreachable_cloud_fails_device_creation(device, pki):
    make_device_cert(device.cert, device.key, DEVICE_ID)
    device.tedge.config_set("c8y.url", "127.0.0.9")
    device.tedge.config_set("c8y.root_cert_path", pki.ca_cert)
    r = device.tedge_run("connect", "c8y")
    assert r.returncode == 1
    assert summary_end(r.stderr) == (
        "Creating device in Cumulocity cloud... ✗\n"
        "error: Connection error while creating device in Cumulocity: cannot connect to 127.0.0.9:8883: "
        "Connection refused (os error 111)\n")
    assert not os.path.exists(device.conf_dir)


def test_silent_cloud_keeps_the_bridge_enables_the_mapper_and_fails(device, cloud, pki):
    # the cloud does not trust the device: the bridge never comes up
    setup_cloud(device, cloud, pki, name="az", trusted=False)
    device.install_fake_services()
    device.clear_calls()
    r = device.tedge_run("connect", "az", env={"TE_CONNECT_RESPONSE_TIMEOUT_S": "1",
                                               "TE_CONNECT_ATTEMPTS": "2", "TE_CONNECT_RETRY_SLEEP_S": "0"})
    assert r.returncode == 1
    assert summary_end(r.stderr) == (
        "Creating mosquitto bridge... ✓\n"
        "Restarting mosquitto... ✓\n"
        "Waiting for mosquitto to be listening for connections... ✓\n"
        "Verifying device is connected to cloud... ✗\n"
        "error: Didn't receive a response from Azure\n"
        "Connection test failed, attempt 1 of 2\n"
        "\n"
        "Verifying device is connected to cloud... ✗\n"
        "error: Didn't receive a response from Azure\n"
        "warning: Bridge has been configured, but Azure connection check failed.\n"
        "Enabling tedge-mapper-az... ✓\n"
        "error: Connection check failed\n"), r.stderr
    assert device.exists("az-bridge.conf")
    assert device.calls()[-2:] == ["start tedge-mapper-az", "enable tedge-mapper-az"]


def test_mosquitto_restart_failure_removes_the_bridge(device, cloud, pki):
    setup_cloud(device, cloud, pki, name="c8y")
    open(os.path.join(device.dir, "fail-restart"), "w").close()
    r = device.tedge_run("connect", "c8y")
    assert r.returncode == 1
    bridge = os.path.join(device.conf_dir, "c8y-bridge.conf")
    assert summary_end(r.stderr) == (
        "Creating device in Cumulocity cloud... ✓\n"
        "Creating mosquitto bridge... ✓\n"
        "Restarting mosquitto... ✗\n"
        f"error: Service command <\"{device.scripts}/restart mosquitto\"> failed with code: 3.\n"
        f"Cleaning up {bridge} due to failure... ✓\n"), r.stderr
    assert not os.path.exists(bridge)
    assert device.exists("tedge-mosquitto.conf")


def test_system_toml_syntax_error_fails_before_anything(device, pki):
    make_device_cert(device.cert, device.key, DEVICE_ID)
    device.tedge.config_set("c8y.url", "127.0.0.9")
    path = os.path.join(device.cfg, "system.toml")
    with open(path, "w") as f:
        f.write('[init]\nname = "x\n')
    for args in (("connect", "c8y"), ("disconnect", "c8y"), ("init",)):
        r = device.tedge_run(*args)
        assert r.returncode == 1, args
        assert r.stderr.startswith("Error: missing configuration parameter\n\nCaused by:\n"
                                   f"    Toml syntax error in the system config file '{path}': line 2: "), r.stderr
    with open(path, "w") as f:
        f.write('[init]\nname = "x"\nreboot = ["init", "6"]\n')
    r = device.tedge_run("connect", "c8y")
    assert r.returncode == 1
    assert f"Toml syntax error in the system config file '{path}': unknown field `reboot`" in r.stderr
    assert not os.path.exists(device.conf_dir)


def test_system_toml_command_without_placeholder(device, cloud, pki):
    setup_cloud(device, cloud, pki, name="az")
    s = device.scripts
    with open(os.path.join(device.cfg, "system.toml"), "w") as f:
        f.write("[init]\n"
                'name = "test-init"\n'
                f'is_available = ["{s}/is_available"]\n'
                f'restart = ["{s}/restart", "mosquitto"]\n'
                f'stop = ["{s}/stop", "{{}}"]\n'
                f'enable = ["{s}/enable", "{{}}"]\n'
                f'disable = ["{s}/disable", "{{}}"]\n'
                f'is_active = ["{s}/is_active", "{{}}"]\n')
    r = device.tedge_run("connect", "az")
    assert r.returncode == 1
    path = os.path.join(device.cfg, "system.toml")
    assert summary_end(r.stderr).endswith(
        "Restarting mosquitto... ✗\n"
        "error: Syntax error in the system config file for 'restart': A placeholder '{}' is missing.\n"
        f"Check '{path}' file.\n"
        f"Cleaning up {device.conf_dir}/az-bridge.conf due to failure... ✓\n"), r.stderr


def test_unwritable_config_dir_fails_and_keeps_other_bridges(device, cloud, pki):
    setup_cloud(device, cloud, pki, name="az")
    assert device.tedge_run("connect", "az").returncode == 0
    az_before = device.read("az-bridge.conf")
    device.tedge.config_set("c8y.url", "127.0.0.9")
    device.tedge.config_set("c8y.root_cert_path", pki.ca_cert)
    # tedge-mosquitto.conf cannot be replaced: a directory stands in its way
    conf = os.path.join(device.conf_dir, "tedge-mosquitto.conf")
    os.remove(conf)
    os.mkdir(conf)
    r = device.tedge_run("connect", "c8y", "--offline")
    assert r.returncode == 1
    assert summary_end(r.stderr) == (
        "Offline mode. Skipping device creation in Cumulocity cloud.\n"
        f"error: Failed to write {conf}: Is a directory (os error 21)\n"), r.stderr
    assert not device.exists("c8y-bridge.conf")
    assert device.read("az-bridge.conf") == az_before


def test_without_init_system_files_are_written_and_exit_is_0(device, pki):
    make_device_cert(device.cert, device.key, DEVICE_ID)
    device.tedge.config_set("c8y.url", "127.0.0.9")
    device.tedge.config_set("c8y.root_cert_path", pki.ca_cert)
    open(os.path.join(device.dir, "no-init"), "w").close()
    r = device.tedge_run("connect", "c8y", "--offline")
    assert r.returncode == 0, r.stderr
    assert r.stderr.split("Connecting to Cumulocity:\n")[0] == ""
    assert summary_end(r.stderr) == (
        "warning: 'test-init' service manager is not available on the system.\n"
        "Offline mode. Skipping device creation in Cumulocity cloud.\n"
        "Creating mosquitto bridge... ✓\n"
        f"error: Failed to execute '{device.scripts}/is_available' to check the service manager availability.\n"
        "Service manager 'test-init' is not available on the system or elevated permissions have not been "
        "granted.\n"), r.stderr
    assert r.stdout == ("'tedge connect' configured the necessary tedge components, but you will have to start "
                        "the required services on your own.\n"
                        "Start/restart mosquitto and other thin edge components.\n"
                        "thin-edge.io works seamlessly with 'systemd'.\n\n")
    assert device.exists("c8y-bridge.conf")
    assert device.calls() == []
    r = device.tedge_run("disconnect", "c8y")
    assert r.returncode == 0
    assert r.stdout == ("Service manager 'test-init' is not available, skipping stopping/disabling of tedge "
                        "components.\n")
    assert not device.exists("c8y-bridge.conf")


def test_usage_errors_exit_2(device):
    for args in (("connect",), ("connect", "gcp"), ("connect", "c8y", "--bogus"), ("disconnect", "c8y", "--test"),
                 ("connect", "c8y", "--profile", "a b")):
        r = device.tedge_run(*args)
        assert r.returncode == 2, args
        assert r.stdout == ""
    r = device.tedge_run("connect", "c8y", "--help")
    assert r.returncode == 0 and "--offline" in r.stdout


def test_c8y_basic_auth_bridge_uses_the_credentials_file(device, pki):
    creds = os.path.join(device.cfg, "credentials.toml")
    with open(creds, "w") as f:
        f.write('[c8y]\nusername = "t123/octocat"\npassword = "secret-1"\n')
    device.tedge.config_set("c8y.url", "127.0.0.9")
    device.tedge.config_set("device.id", DEVICE_ID)
    device.tedge.config_set("c8y.root_cert_path", pki.ca_cert)
    device.tedge.config_set("c8y.auth_method", "auto")
    device.tedge.config_set("c8y.mqtt_service.enabled", "true")
    r = device.tedge_run("connect", "c8y", "--offline")
    assert r.returncode == 0, r.stderr
    assert "\tcloud host: 127.0.0.9:9883\n\tauth type: Basic\n" f"\tcredentials path: {creds}\n" in r.stderr
    text = device.read("c8y-bridge.conf")
    assert "\naddress 127.0.0.9:9883\n" in text
    assert "\nlocal_clientid Cumulocity\nremote_username t123/octocat\nremote_password secret-1\ntry_private" in text
    assert "bridge_certfile" not in text and "s/uat" not in text
    assert text.endswith('topic # out 1 c8y/mqtt/out/ ""\n')
