"""System tests of `tedge cert renew --ca c8y` (spec/cli.md §3.5): the CSR of
the device key is posted to a fake EST server standing in for the Cumulocity
proxy of tedge-mapper-c8y (certutil.FakeEst), which signs it with a test CA
using the `openssl` command. The certificate stored in <cert>.new is checked
with openssl; every failure must leave no .new and the current files as
they were."""
import base64
import os
import socket
import stat

import pytest

from certutil import CertAuthority, FakeEst, cert_public_pem, key_public_pem, openssl, x509_text

DEVICE_ID = "renew-device-01"
RENEWED = ("Certificate renewed successfully\n"
           "    For an un-interrupted service:\n"
           "    => the device has to be reconnected to the cloud\n\n")


class Paths:
    def __init__(self, tedge):
        self.dir = os.path.join(tedge.config_dir, "device-certs")
        self.cert = os.path.join(self.dir, "tedge-certificate.pem")
        self.key = os.path.join(self.dir, "tedge-private-key.pem")
        self.csr = os.path.join(self.dir, "tedge.csr")
        self.new = self.cert + ".new"


def read(path):
    with open(path, "rb") as f:
        return f.read()


def mode(path):
    return stat.S_IMODE(os.lstat(path).st_mode)


@pytest.fixture
def paths(tedge):
    p = Paths(tedge)
    os.makedirs(p.dir)
    r = tedge.run("cert", "create", "--device-id", DEVICE_ID)
    assert r.returncode == 0, r.stderr
    p.before = {name: read(getattr(p, name)) for name in ("cert", "key")}
    return p


@pytest.fixture
def ca(tmp_path):
    return CertAuthority(tmp_path / "c8y-ca", name="c8y-test-ca")


@pytest.fixture
def est(tedge, ca):
    for name in ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"):
        tedge.env.pop(name, None)
    server = FakeEst(ca)
    tedge.config_set("c8y.proxy.client.port", server.port)
    yield server
    server.stop()


def renew(tedge, *args, **kw):
    return tedge.run("cert", "renew", *args, **kw)


def assert_untouched(paths):
    """A failed renewal: no .new, the certificate and key as they were."""
    assert not os.path.exists(paths.new)
    assert {name: read(getattr(paths, name)) for name in ("cert", "key")} == paths.before


def what(port, scheme="http"):
    return f"Error: failed to renew the device certificate via Cumulocity HTTP proxy {scheme}://127.0.0.1:{port}\n"


# ---- the happy path ------------------------------------------------------------

def test_renew_c8y_stores_a_ca_signed_certificate_for_the_same_key(tedge, paths, est, ca):
    tedge.config_set("certificate.organization", "Acme")
    tedge.config_set("certificate.organization_unit", "Sensors")
    r = renew(tedge, "--ca", "c8y")
    assert r.returncode == 0, r.stderr
    assert r.stderr == RENEWED
    assert r.stdout.startswith(f"Certificate:   {paths.new}\n"
                               f"Subject:       CN={DEVICE_ID}, O=Acme, OU=Sensors\n"
                               "Issuer:        CN=c8y-test-ca\n"
                               "Status:        VALID (expires in: "), r.stdout
    # one request, as EST wants it: base64 DER of a PKCS#10 request
    (req,) = est.requests
    assert req["path"] == "/c8y/.well-known/est/simplereenroll"
    assert req["content_type"] == "application/pkcs10"
    csr_der = base64.b64decode(req["body"], validate=False)
    assert base64.b64encode(csr_der).decode() == "".join(req["body"].decode().split())
    # the CSR sent is the one written to device.csr_path, for the device key
    assert read(paths.csr).decode().split("\n", 1)[1].rsplit("-----END", 1)[0] == req["body"].decode()
    assert mode(paths.csr) == 0o444
    assert "Subject: CN = renew-device-01, O = Acme, OU = Sensors" in openssl(
        "req", "-in", paths.csr, "-noout", "-text")
    # the new certificate: signed by the CA, same key, same CN; current files untouched
    assert mode(paths.new) == 0o444
    text = x509_text(paths.new)
    assert "Issuer: CN = c8y-test-ca\n" in text
    assert f"Subject: CN = {DEVICE_ID}, O = Acme, OU = Sensors\n" in text
    assert cert_public_pem(paths.new) == key_public_pem(paths.key)
    openssl("verify", "-CAfile", ca.cert, paths.new)
    assert {name: read(getattr(paths, name)) for name in ("cert", "key")} == paths.before
    # the chain: device certificate first, then the CA's
    pem = read(paths.new).decode()
    assert pem.count("-----BEGIN CERTIFICATE-----") == 2
    assert pem.index("-----BEGIN CERTIFICATE-----") == 0 and pem.endswith(read(ca.cert).decode())


def test_renew_defaults_to_the_c8y_ca(tedge, paths, est, ca):
    r = renew(tedge)
    assert r.returncode == 0, r.stderr
    assert len(est.requests) == 1
    assert "Issuer: CN = c8y-test-ca\n" in x509_text(paths.new)


def test_renew_c8y_renews_a_ca_signed_certificate_again(tedge, paths, est, ca):
    assert renew(tedge).returncode == 0
    os.chmod(paths.cert, 0o644)
    os.replace(paths.new, paths.cert)
    r = renew(tedge, "c8y")
    assert r.returncode == 0, r.stderr
    assert cert_public_pem(paths.new) == key_public_pem(paths.key)
    assert len(est.requests) == 2


def test_renew_c8y_reads_a_ber_encoded_answer(tedge, paths, est, ca):
    est.mode = "ber"
    r = renew(tedge)
    assert r.returncode == 0, r.stderr
    assert cert_public_pem(paths.new) == key_public_pem(paths.key)
    assert f"Subject: CN = {DEVICE_ID}, O = Thin Edge, OU = Device\n" in x509_text(paths.new)


def test_renew_c8y_with_a_given_csr_posts_it_as_is(tedge, paths, est, tmp_path):
    csr = str(tmp_path / "given.csr")
    openssl("req", "-new", "-key", paths.key, "-subj", f"/CN={DEVICE_ID}/O=Given", "-out", csr)
    r = renew(tedge, "--csr-path", csr)
    assert r.returncode == 0, r.stderr
    assert "Subject: CN = renew-device-01, O = Given\n" in x509_text(paths.new)
    assert not os.path.exists(paths.csr)


def test_renew_c8y_over_https_with_a_client_certificate(tedge, paths, ca, tmp_path):
    client_ca = CertAuthority(tmp_path / "client-ca", name="client-ca")
    client_cert, client_key = client_ca.issue("tedge-client", "/CN=tedge-client")
    server = FakeEst(ca, tls=True, client_ca=client_ca)
    try:
        tedge.config_set("c8y.proxy.client.port", server.port)
        tedge.config_set("c8y.proxy.cert_path", server.server_cert)
        tedge.config_set("c8y.root_cert_path", ca.cert)
        # without the client certificate, the proxy refuses the TLS handshake
        r = renew(tedge, env={"no_proxy": "*"})
        assert r.returncode == 1
        assert r.stderr.startswith(what(server.port, "https") + "\nCaused by:\n"
                                   "    0: Fail to connect to Cumulocity HTTP proxy "
                                   f"https://127.0.0.1:{server.port}/c8y/.well-known/est/simplereenroll\n"), r.stderr
        assert_untouched(paths)
        tedge.config_set("http.client.auth.cert_file", client_cert)
        tedge.config_set("http.client.auth.key_file", client_key)
        r = renew(tedge)
        assert r.returncode == 0, r.stderr
        assert "Issuer: CN = c8y-test-ca\n" in x509_text(paths.new)
    finally:
        server.stop()


# ---- bad input: nothing written ---------------------------------------------

def test_renew_c8y_proxy_down_names_the_mapper_and_the_url(tedge, paths):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    tedge.config_set("c8y.proxy.client.port", port)
    r = renew(tedge, "--ca", "c8y")
    assert r.returncode == 1
    assert r.stdout == ""
    url = f"http://127.0.0.1:{port}/c8y/.well-known/est/simplereenroll"
    assert r.stderr.startswith(what(port) + "\nCaused by:\n"
                               f"    0: Fail to connect to Cumulocity HTTP proxy {url}\n"
                               f"    1: Failed to connect to 127.0.0.1 port {port} "), r.stderr
    assert r.stderr.endswith("       The Cumulocity HTTP proxy is served by tedge-mapper-c8y: check that it is "
                             "running (`tedge connect c8y` starts it) and that c8y.proxy.client.host/port name "
                             "it.\n"), r.stderr
    assert_untouched(paths)


@pytest.mark.parametrize("status,reason,body", [(404, "Not Found", "no CA on this tenant"),
                                                (500, "Internal Server Error", "boom\nagain")])
def test_renew_c8y_error_status_is_reported_with_the_answer(tedge, paths, est, status, reason, body):
    est.mode = "status"
    est.status, est.status_body = status, body
    r = renew(tedge)
    assert r.returncode == 1
    shown = body.replace("\n", " ")
    assert r.stderr == (what(est.port) + "\nCaused by:\n"
                        f"    The request failed with {status} {reason}:\n"
                        f"    \t{shown}\n")
    assert_untouched(paths)


@pytest.mark.parametrize("mode,reason", [
    ("not-base64", "the response is not base64: invalid byte 0x3c at offset 0"),
    ("not-pkcs7", "Invalid pkcs#7 certificate"),
])
def test_renew_c8y_answer_that_is_no_certificate_is_refused(tedge, paths, est, mode, reason):
    est.mode = mode
    r = renew(tedge)
    assert r.returncode == 1
    url = f"http://127.0.0.1:{est.port}/c8y/.well-known/est/simplereenroll"
    assert r.stderr.startswith(what(est.port) + "\nCaused by:\n"
                               f"    0: Fail to extract a certificate from the response of {url}\n"
                               f"    1: {reason}"), r.stderr
    assert_untouched(paths)


def test_renew_c8y_certificate_for_another_key_is_refused(tedge, paths, est):
    est.mode = "other-key"
    r = renew(tedge)
    assert r.returncode == 1
    url = f"http://127.0.0.1:{est.port}/c8y/.well-known/est/simplereenroll"
    assert r.stderr == (what(est.port) + "\nCaused by:\n"
                        f"    0: The certificate received from {url} is not for the device key: refused\n"
                        "    1: none of the 2 certificate(s) received holds the public key of the certificate "
                        "signing request\n")
    assert_untouched(paths)


def test_renew_c8y_without_private_key_fails_before_any_request(tedge, paths, est):
    os.chmod(paths.key, 0o600)
    os.remove(paths.key)
    r = renew(tedge)
    assert r.returncode == 1
    # anyhow's indentation of a multi-line cause, as thin-edge.io prints it
    assert r.stderr == (what(est.port) + "\nCaused by:\n"
                        "    No private key has been attached to that device.\n"
                        f"            Missing file: \"{paths.key}\"\n"
                        "            Run `tedge cert create` to generate a new key and certificate.\n"
                        "        \n")
    assert est.requests == []
    assert not os.path.exists(paths.new) and not os.path.exists(paths.csr)


def test_renew_c8y_without_certificate_fails_before_any_request(tedge, paths, est):
    os.chmod(paths.cert, 0o644)
    os.remove(paths.cert)
    r = renew(tedge)
    assert r.returncode == 1
    assert r.stderr.startswith("Error: missing configuration parameter\n\nCaused by:\n"
                               f"    Cannot renew certificate {paths.cert}: No certificate has been attached")
    assert est.requests == []
    assert not os.path.exists(paths.new)


def test_renew_c8y_with_a_csr_path_that_is_no_csr(tedge, paths, est, tmp_path):
    bad = str(tmp_path / "bad.csr")
    with open(bad, "w") as f:
        f.write("not a request\n")
    r = renew(tedge, "--csr-path", bad)
    assert r.returncode == 1
    assert r.stderr == (what(est.port) + "\nCaused by:\n"
                        "    0: Invalid certificate signing request\n"
                        "    1: no PEM certificate signing request (-----BEGIN CERTIFICATE REQUEST-----) found\n")
    assert est.requests == []
    assert_untouched(paths)


def test_renew_for_az_is_not_supported_by_the_c8y_ca(tedge, paths, est):
    r = renew(tedge, "az")
    assert r.returncode == 1
    assert r.stderr == ("Error: missing configuration parameter\n\nCaused by:\n"
                        "    Certificate renewal is not supported for Azure\n")
    assert est.requests == []
