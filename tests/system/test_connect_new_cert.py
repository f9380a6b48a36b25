"""`tedge connect` with a renewed certificate waiting in <cert>.new (spec/cli.md
§4.2 step 6, the exit code 3 of §1): c8y validates it by a direct connection
to the cloud before it replaces the current one; az and aws take it
unchecked; offline, nothing changes. Against the fake TLS cloud of
fakecloud.py, which trusts the device certificates it was told to and every
certificate signed by its test CA (as a tenant trusting its own CA)."""
import os
import subprocess
import time
import types

from certutil import CertAuthority, FakeEst, x509_text
from fakecloud import make_device_cert, mode_of
from test_connect import DEVICE_ID, close, relay

FAST = {"TE_CONNECT_ATTEMPTS": "2", "TE_CONNECT_RETRY_SLEEP_S": "0"}


def read(path):
    with open(path, "rb") as f:
        return f.read()


def summary_end(stderr):
    return stderr.split("\tproxy: Not configured\n", 1)[1]


def sign_device_key(device, ca_cert, ca_key, out):
    """A certificate for the device key, signed by the CA, written 0444 to out."""
    csr = out + ".csr"
    subprocess.run(["openssl", "req", "-new", "-key", device.key, "-subj", f"/CN={DEVICE_ID}/O=Thin Edge/OU=Device",
                    "-out", csr], check=True, capture_output=True)
    subprocess.run(["openssl", "x509", "-req", "-in", csr, "-CA", ca_cert, "-CAkey", ca_key, "-CAcreateserial",
                    "-days", "30", "-out", out], check=True, capture_output=True)
    os.remove(csr)
    os.chmod(out, 0o444)


def configure(device, cloud, pki, name):
    device.tedge.config_set(f"{name}.url", cloud.ip)
    device.tedge.config_set(f"{name}.root_cert_path", pki.ca_cert)


def test_c8y_promotes_a_certificate_renewed_by_the_c8y_ca_and_uses_it(device, cloud, pki):
    # the current self-signed certificate is NOT trusted by the cloud: the
    # connection can only succeed with the renewed one
    make_device_cert(device.cert, device.key, DEVICE_ID)
    cloud.start()
    configure(device, cloud, pki, "c8y")
    device.start_mosquitto()
    est = FakeEst(types.SimpleNamespace(cert=pki.ca_cert, key=pki.ca_key, dir=pki.dir))
    try:
        device.tedge.config_set("c8y.proxy.client.port", est.port)
        r = device.tedge_run("cert", "renew", "--ca", "c8y")
        assert r.returncode == 0, r.stderr
    finally:
        est.stop()
    new = device.cert + ".new"
    renewed = read(new)
    r = device.tedge_run("connect", "c8y")
    assert r.returncode == 0, r.stderr
    assert summary_end(r.stderr).startswith(
        f"Validating new certificate: {new}... ✓\n"
        f"The new certificate is now the active certificate {device.cert}\n"
        "Creating device in Cumulocity cloud... ✓\n"
        "Creating mosquitto bridge... ✓\n"), r.stderr
    assert "not using the new certificate" not in r.stderr
    assert read(device.cert) == renewed and not os.path.exists(new)
    assert mode_of(device.cert) == 0o444
    assert "Issuer: CN = Fake Cloud Test CA\n" in x509_text(device.cert)
    # the validation connection registered the device with the new certificate, then the real step again
    creation = ("s/us", f"100,{DEVICE_ID},thin-edge.io".encode())
    deadline = time.monotonic() + 5
    while cloud.messages.count(creation) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert cloud.messages.count(creation) == 2
    local, remote = device.client(), cloud.client()
    try:
        assert relay(local, remote, "c8y/s/us", "s/us", b"200,renewed,T,1") == ("s/us", b"200,renewed,T,1")
    finally:
        close(local, remote)


def test_c8y_keeps_the_current_certificate_when_the_cloud_refuses_the_new_one(device, cloud, pki, tmp_path):
    make_device_cert(device.cert, device.key, DEVICE_ID)
    cloud.trust(device.cert)
    cloud.start()
    configure(device, cloud, pki, "c8y")
    device.start_mosquitto()
    other = CertAuthority(tmp_path / "other", name="untrusted-ca")
    new = device.cert + ".new"
    sign_device_key(device, other.cert, other.key, new)
    current, renewed = read(device.cert), read(new)
    r = device.tedge_run("connect", "c8y", env=FAST)
    assert r.returncode == 3, r.stderr
    end = summary_end(r.stderr)
    assert end.startswith(
        f"Validating new certificate: {new}... ✗\n"
        "Validating new certificate: attempt 2 of 2... ✗\n"
        "Error validating the new certificate: The device certificate is not trusted by Cumulocity. Upload the "
        "certificate using `tedge cert upload c8y`\n"
        f"  => keep using the current certificate unchanged {device.cert}\n"
        "Creating device in Cumulocity cloud... ✓\n"), end
    assert end.endswith("Successfully connected, however not using the new certificate\n"), end
    assert read(device.cert) == current and read(new) == renewed
    assert device.exists("c8y-bridge.conf")
    local, remote = device.client(), cloud.client()
    try:
        assert relay(local, remote, "c8y/s/us", "s/us", b"200,old,T,1") == ("s/us", b"200,old,T,1")
    finally:
        close(local, remote)
    # reconnect tries again, with the same outcome
    r = device.tedge_run("reconnect", "c8y", env=FAST)
    assert r.returncode == 3, r.stderr
    assert "Error validating the new certificate: " in r.stderr
    assert read(device.cert) == current


def test_connect_failing_with_a_refused_new_certificate_exits_1_not_3(device, cloud, pki, tmp_path):
    # neither certificate is trusted: the failure of the connection wins
    make_device_cert(device.cert, device.key, DEVICE_ID)
    cloud.start()
    configure(device, cloud, pki, "c8y")
    other = CertAuthority(tmp_path / "other", name="untrusted-ca")
    sign_device_key(device, other.cert, other.key, device.cert + ".new")
    r = device.tedge_run("connect", "c8y", env=FAST)
    assert r.returncode == 1
    assert r.stderr.endswith("Creating device in Cumulocity cloud... ✗\n"
                             "error: The device certificate is not trusted by Cumulocity. Upload the certificate "
                             "using `tedge cert upload c8y`\n"), r.stderr
    assert not device.exists("c8y-bridge.conf")


def test_offline_connect_ignores_the_new_certificate_and_exits_3(device, pki):
    make_device_cert(device.cert, device.key, DEVICE_ID)
    device.tedge.config_set("c8y.url", "127.0.0.9")
    device.tedge.config_set("c8y.root_cert_path", pki.ca_cert)
    new = device.cert + ".new"
    sign_device_key(device, pki.ca_cert, pki.ca_key, new)
    current = read(device.cert)
    r = device.tedge_run("connect", "c8y", "--offline")
    assert r.returncode == 3, r.stderr
    end = summary_end(r.stderr)
    assert end.startswith("Offline mode. Skipping new device certificate validation\n"
                          f"  => use current certificate {device.cert}\n"
                          f"  => ignoring new certificate {new}\n"
                          "Offline mode. Skipping device creation in Cumulocity cloud.\n"), end
    assert end.endswith("Successfully connected, however not using the new certificate\n")
    assert read(device.cert) == current and os.path.exists(new)


def test_az_promotes_the_new_certificate_without_checking_it(device, cloud, pki):
    make_device_cert(device.cert, device.key, DEVICE_ID)
    cloud.start()   # the current certificate is not trusted; the new one is
    configure(device, cloud, pki, "az")
    device.start_mosquitto()
    new = device.cert + ".new"
    sign_device_key(device, pki.ca_cert, pki.ca_key, new)
    renewed = read(new)
    r = device.tedge_run("connect", "az")
    assert r.returncode == 0, r.stderr
    assert summary_end(r.stderr).startswith(
        f"Validating new certificate: {new}... ✓\n"
        f"The new certificate is now the active certificate {device.cert}\n"
        "Creating mosquitto bridge... ✓\n"), r.stderr
    assert read(device.cert) == renewed
    local, remote = device.client(), cloud.client()
    try:
        assert relay(local, remote, "az/messages/events/", f"devices/{DEVICE_ID}/messages/events/#", b"{}") == \
            (f"devices/{DEVICE_ID}/messages/events/", b"{}")
    finally:
        close(local, remote)


def test_aws_promotes_even_a_certificate_the_cloud_refuses(device, cloud, pki, tmp_path):
    make_device_cert(device.cert, device.key, DEVICE_ID)
    cloud.trust(device.cert)
    cloud.start()
    configure(device, cloud, pki, "aws")
    device.start_mosquitto()
    other = CertAuthority(tmp_path / "other", name="untrusted-ca")
    new = device.cert + ".new"
    sign_device_key(device, other.cert, other.key, new)
    renewed = read(new)
    r = device.tedge_run("connect", "aws", env={"TE_CONNECT_ATTEMPTS": "1", "TE_CONNECT_RESPONSE_TIMEOUT_S": "1"})
    # unchecked: promoted, then the bridge cannot connect with it
    assert r.returncode == 1
    assert summary_end(r.stderr).startswith(
        f"Validating new certificate: {new}... ✓\n"
        f"The new certificate is now the active certificate {device.cert}\n"), r.stderr
    assert r.stderr.endswith("error: Connection check failed\n")
    assert read(device.cert) == renewed
