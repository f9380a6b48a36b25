"""`tedge connect c8y` with basic auth (spec/cli.md §4.2, the c8y basic row of
§4.3): the bridge logs in to the cloud with the username and password of
the credentials file, and the connection check is `123` on `c8y/s/us`
answered by `124,...` on `c8y/s/ds`. The fake cloud (fakecloud.py) takes
username/password on its TLS listener and refuses anonymous clients and
client certificates alone, so a message crossing the bridge proves the
login."""
import os

from test_connect import DEVICE_ID, close, relay

USER, PASSWORD = "t123/octocat", "secret-1"
FAST = {"TE_CONNECT_ATTEMPTS": "2", "TE_CONNECT_RETRY_SLEEP_S": "0", "TE_CONNECT_RESPONSE_TIMEOUT_S": "1"}


def summary_end(stderr):
    return stderr.split("\tproxy: Not configured\n", 1)[1]


def setup_basic(device, cloud, pki, password=PASSWORD):
    creds = os.path.join(device.cfg, "credentials.toml")
    with open(creds, "w") as f:
        f.write(f'[c8y]\nusername = "{USER}"\npassword = "{password}"\n')
    cloud.use_basic_auth(USER, PASSWORD)
    cloud.start()
    device.tedge.config_set("c8y.url", cloud.ip)
    device.tedge.config_set("device.id", DEVICE_ID)
    device.tedge.config_set("c8y.root_cert_path", pki.ca_cert)
    device.tedge.config_set("c8y.auth_method", "basic")
    device.start_mosquitto()
    return creds


def test_connect_c8y_basic_auth_bridges_and_the_check_gets_124(device, cloud, pki):
    creds = setup_basic(device, cloud, pki)
    # a renewed certificate plays no part with basic auth: not validated, not promoted
    os.makedirs(os.path.dirname(device.cert), exist_ok=True)
    with open(device.cert + ".new", "w") as f:
        f.write("not used\n")
    r = device.tedge_run("connect", "c8y")
    assert r.returncode == 0, r.stderr
    assert "\tauth type: Basic\n" f"\tcredentials path: {creds}\n" in r.stderr
    assert summary_end(r.stderr) == ("Creating device in Cumulocity cloud... ✓\n"
                                     "Creating mosquitto bridge... ✓\n"
                                     "Restarting mosquitto... ✓\n"
                                     "Waiting for mosquitto to be listening for connections... ✓\n"
                                     "Verifying device is connected to cloud... ✓\n"
                                     "warning: tedge-mapper is not installed.\n"), r.stderr
    assert os.path.exists(device.cert + ".new") and not os.path.exists(device.cert)
    # the direct connection (device creation) and the check through the bridge reached the cloud
    assert cloud.wait_for(lambda t, p: t == "s/us" and p == f"100,{DEVICE_ID},thin-edge.io".encode())
    assert cloud.wait_for(lambda t, p: t == "s/us" and p == b"123")
    text = device.read("c8y-bridge.conf")
    assert f"\nremote_username {USER}\nremote_password {PASSWORD}\n" in text
    local, remote = device.client(), cloud.client()
    try:
        assert relay(local, remote, "c8y/s/us", "s/us", b"200,basic,T,1") == ("s/us", b"200,basic,T,1")
        assert relay(remote, local, "s/ds", "c8y/s/ds", b"510,basic") == ("c8y/s/ds", b"510,basic")
    finally:
        close(local, remote)
    r = device.tedge_run("connect", "c8y", "--test")
    assert r.returncode == 0, r.stderr
    assert summary_end(r.stderr) == ("Verifying device is connected to cloud... ✓\n"
                                     "Connection check to c8y cloud is successful.\n"), r.stderr


def test_basic_auth_check_fails_clearly_when_the_cloud_does_not_answer(device, cloud, pki):
    setup_basic(device, cloud, pki)
    cloud.answer_123 = False
    r = device.tedge_run("connect", "c8y", env=FAST)
    assert r.returncode == 1
    assert summary_end(r.stderr) == ("Creating device in Cumulocity cloud... ✓\n"
                                     "Creating mosquitto bridge... ✓\n"
                                     "Restarting mosquitto... ✓\n"
                                     "Waiting for mosquitto to be listening for connections... ✓\n"
                                     "Verifying device is connected to cloud... ✗\n"
                                     "error: Didn't receive a response from Cumulocity\n"
                                     "Connection test failed, attempt 1 of 2\n"
                                     "\n"
                                     "Verifying device is connected to cloud... ✗\n"
                                     "error: Didn't receive a response from Cumulocity\n"
                                     "warning: Bridge has been configured, but Cumulocity connection check "
                                     "failed.\n"
                                     "warning: tedge-mapper is not installed.\n"
                                     "error: Connection check failed\n"), r.stderr
    # the request did cross the bridge: only the answer was missing
    assert cloud.wait_for(lambda t, p: t == "s/us" and p == b"123")
    assert device.exists("c8y-bridge.conf")
    r = device.tedge_run("connect", "c8y", "--test", env=FAST)
    assert r.returncode == 1
    assert summary_end(r.stderr) == ("Verifying device is connected to cloud... ✗\n"
                                     "error: Didn't receive a response from Cumulocity\n"), r.stderr


def test_basic_auth_with_a_wrong_password_is_refused_before_any_file(device, cloud, pki):
    setup_basic(device, cloud, pki, password="wrong")
    r = device.tedge_run("connect", "c8y")
    assert r.returncode == 1
    end = summary_end(r.stderr)
    assert end.startswith("Creating device in Cumulocity cloud... ✗\n"
                          "error: Cumulocity refused the connection: "), end
    assert "not authori" in end
    assert not device.exists("c8y-bridge.conf")
