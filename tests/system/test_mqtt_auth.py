"""The mqtt.client.auth.* keys: TLS with a client certificate and
username/password (first line of password_file) to the local broker, for
`tedge mqtt` and the services alike."""
import json
import os
import subprocess
import time

import pytest

from conftest import Broker


def openssl(*args, cwd):
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True)


@pytest.fixture
def pki(tmp_path):
    d = str(tmp_path / "pki")
    os.makedirs(d)
    openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
            "-subj", "/CN=test-ca", "-keyout", "ca.key", "-out", "ca.pem", "-days", "2", cwd=d)
    for name, ext in (("server", "subjectAltName=IP:127.0.0.1,DNS:localhost"),
                      ("client", "basicConstraints=CA:FALSE")):
        openssl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                "-subj", f"/CN={name}", "-keyout", f"{name}.key", "-out", f"{name}.csr", cwd=d)
        with open(os.path.join(d, f"{name}.ext"), "w") as f:
            f.write(ext + "\n")
        openssl("x509", "-req", "-in", f"{name}.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
                "-CAcreateserial", "-days", "2", "-extfile", f"{name}.ext", "-out", f"{name}.pem", cwd=d)
    return d


def start_broker(tmp_path, extra):
    b = Broker(str(tmp_path))
    with open(b.conf, "w") as f:
        f.write(b.user_line() + f"listener {b.port} 127.0.0.1\npersistence false\nlog_dest file {b.log}\n" + extra)
    b.start()
    return b


def test_tls_with_client_certificate(tedge, tmp_path, pki):
    b = start_broker(tmp_path, f"cafile {pki}/ca.pem\ncertfile {pki}/server.pem\n"
                               f"keyfile {pki}/server.key\nrequire_certificate true\nallow_anonymous true\n")
    try:
        tedge.config_set("mqtt.client.port", b.port)
        # without TLS settings the connection fails
        r = tedge.run("mqtt", "pub", "--connection-timeout", "1s", "a/b", "x")
        assert r.returncode == 1
        tedge.config_set("mqtt.client.auth.ca_file", f"{pki}/ca.pem")
        tedge.config_set("mqtt.client.auth.cert_file", f"{pki}/client.pem")
        tedge.config_set("mqtt.client.auth.key_file", f"{pki}/client.key")
        sub = subprocess.Popen([tedge.bin("tedge"), "--config-dir", tedge.config_dir, "mqtt", "sub",
                                "-C", "1", "te/device/main/service/tedge-agent/status/health"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=tedge.env)
        time.sleep(0.5)
        r = tedge.run("mqtt", "pub", "tls/test", "over tls")
        assert r.returncode == 0, r.stderr
        agent = tedge.spawn("tedge-agent")
        out, err = sub.communicate(timeout=15)
        assert sub.returncode == 0, err
        topic, payload = out.split(" ", 1)
        assert json.loads(payload)["status"] == "up"
        agent.terminate()
        assert agent.wait(10) == 0
    finally:
        b.stop()


def test_username_and_password_file(tedge, tmp_path):
    pwfile = str(tmp_path / "passwd")
    subprocess.run(["mosquitto_passwd", "-c", "-b", pwfile, "tedge-user", "s3cret"], check=True)
    b = start_broker(tmp_path, f"allow_anonymous false\npassword_file {pwfile}\n")
    try:
        tedge.config_set("mqtt.client.port", b.port)
        tedge.config_set("mqtt.client.auth.username", "tedge-user")
        secret = tmp_path / "secret"
        secret.write_text("wrong\n")
        tedge.config_set("mqtt.client.auth.password_file", str(secret))
        r = tedge.run("mqtt", "pub", "--connection-timeout", "1s", "a/b", "x")
        assert r.returncode == 1
        secret.write_text("s3cret\nsecond line ignored\n")
        r = tedge.run("mqtt", "pub", "a/b", "x")
        assert r.returncode == 0, r.stderr
    finally:
        b.stop()


def test_missing_password_file_is_a_clear_error(tedge, broker, tmp_path):
    tedge.use_broker(broker)
    tedge.config_set("mqtt.client.auth.username", "u")
    tedge.config_set("mqtt.client.auth.password_file", str(tmp_path / "nope"))
    r = tedge.run("mqtt", "pub", "a/b", "x")
    assert r.returncode == 1
    assert "password_file" in r.stderr and "nope" in r.stderr


def test_large_messages_cross_tls_whole_and_in_order(tedge, tmp_path, pki):
    """TLS records are 16 KiB: 20 messages of 120 KiB each span several,
    from tedge mqtt pub to tedge mqtt sub over TLS, whole and in order."""
    b = start_broker(tmp_path, f"cafile {pki}/ca.pem\ncertfile {pki}/server.pem\n"
                               f"keyfile {pki}/server.key\nrequire_certificate true\nallow_anonymous true\n")
    sub = None
    try:
        tedge.config_set("mqtt.client.port", b.port)
        tedge.config_set("mqtt.client.auth.ca_file", f"{pki}/ca.pem")
        tedge.config_set("mqtt.client.auth.cert_file", f"{pki}/client.pem")
        tedge.config_set("mqtt.client.auth.key_file", f"{pki}/client.key")
        sub = subprocess.Popen([tedge.bin("tedge"), "--config-dir", tedge.config_dir, "mqtt", "sub",
                                "-q", "1", "-C", "20", "--no-topic", "big/#"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=tedge.env)
        time.sleep(0.5)
        for i in range(20):
            body = (b"%02d" % i) * (60 * 1024)
            r = subprocess.run([tedge.bin("tedge"), "--config-dir", tedge.config_dir, "mqtt", "pub",
                                f"big/{i}", body.decode()], capture_output=True, env=tedge.env, timeout=30)
            assert r.returncode == 0, r.stderr
        out, err = sub.communicate(timeout=30)
        assert sub.returncode == 0, err
        lines = out.split(b"\n")[:20]
        assert [len(l) for l in lines] == [120 * 1024] * 20
        assert [l[:2] for l in lines] == [b"%02d" % i for i in range(20)]
    finally:
        if sub and sub.poll() is None:
            sub.kill()
            sub.wait()
        b.stop()
