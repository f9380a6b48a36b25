"""System tests of `tedge cert` (spec/cli.md §3, the cert rows of §7, §6.1
file modes): the real binary, a private config dir, certificates checked
with the `openssl` command, and a fake Cumulocity over HTTPS for upload."""
import base64
import datetime
import json
import os
import pwd
import re
import stat
import subprocess
import time

import pytest

from certutil import (CertAuthority, FakeC8y, cert_public_pem, expected_serial, key_public_pem,
                      openssl, rfc2822, x509_dates, x509_serial, x509_sha1, x509_text)

CREATED = ("Certificate created successfully\n"
           "    => the certificate has to be uploaded to the cloud\n"
           "    => before the device can be connected\n\n")
BAD_CHARS = "[use only A-Z, a-z, 0-9, ' = ( ) , - . ? % * _ ! @]"
DAY = datetime.timedelta(days=1)


class Paths:
    def __init__(self, tedge):
        self.dir = os.path.join(tedge.config_dir, "device-certs")
        self.cert = os.path.join(self.dir, "tedge-certificate.pem")
        self.key = os.path.join(self.dir, "tedge-private-key.pem")
        self.csr = os.path.join(self.dir, "tedge.csr")
        self.new = self.cert + ".new"


@pytest.fixture
def paths(tedge):
    p = Paths(tedge)
    os.makedirs(p.dir)
    return p


def mode(path):
    return stat.S_IMODE(os.lstat(path).st_mode)


def read(path):
    with open(path, "rb") as f:
        return f.read()


def create(tedge, device_id="alpha", **kw):
    r = tedge.run("cert", "create", "--device-id", device_id, **kw)
    assert r.returncode == 0, r.stderr
    return r


def show_lines(stdout):
    """{label: value} of the §3.2 report, checking its exact layout."""
    lines = stdout.splitlines()
    labels = ["Certificate:", "Subject:", "Issuer:", "Status:", "Valid from:", "Valid until:",
              "Serial number:", "Thumbprint:"]
    assert len(lines) == len(labels), stdout
    fields = {}
    for line, label in zip(lines, labels):
        assert line.startswith(label.ljust(15)), line
        fields[label[:-1]] = line[15:]
    return fields


DURATION = r"(\d+y)?( ?\d+d)?( ?\d+h)?( ?\d+m)?( ?\d+s)?"


def assert_no_files(paths):
    assert sorted(os.listdir(paths.dir)) == []


# --- create ---------------------------------------------------------------------

def test_create_writes_an_ecdsa_p256_self_signed_certificate(tedge, paths):
    create(tedge)
    text = x509_text(paths.cert)
    assert "Version: 3 (0x2)" in text
    assert text.count("Signature Algorithm: ecdsa-with-SHA256") == 2
    assert "Issuer: CN = alpha, O = Thin Edge, OU = Device" in text
    assert "Subject: CN = alpha, O = Thin Edge, OU = Device" in text
    assert "Public Key Algorithm: id-ecPublicKey" in text
    assert "ASN1 OID: prime256v1" in text
    # exactly two extensions: SKI, and Basic Constraints critical CA:TRUE without path length
    extensions = re.findall(r"^\s+(X509v3 (?!extensions)[^:]+|[0-9.]+):( critical)?\s*$", text, re.M)
    assert extensions == [("X509v3 Subject Key Identifier", ""), ("X509v3 Basic Constraints", " critical")]
    assert re.search(r"X509v3 Basic Constraints: critical\n\s+CA:TRUE\n", text)
    assert "pathlen" not in text
    # the key is PKCS#8 PEM, P-256, and the certificate's key
    key_pem = read(paths.key).decode()
    assert key_pem.startswith("-----BEGIN PRIVATE KEY-----\n")
    assert "ASN1 OID: prime256v1" in openssl("pkey", "-in", paths.key, "-noout", "-text")
    assert key_public_pem(paths.key) == cert_public_pem(paths.cert)
    # it verifies against itself
    assert openssl("verify", "-CAfile", paths.cert, paths.cert).strip() == f"{paths.cert}: OK"


def test_create_serial_depends_on_the_public_key_only(tedge, paths):
    create(tedge)
    assert x509_serial(paths.cert) == expected_serial(paths.cert)
    assert x509_serial(paths.cert) < 2 ** 159


def test_create_validity_starts_a_day_ago_and_lasts_requested_days(tedge, paths):
    before = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
    create(tedge)
    after = datetime.datetime.now(datetime.timezone.utc)
    not_before, not_after = x509_dates(paths.cert)
    assert before - DAY <= not_before <= after - DAY
    assert not_after - not_before == 365 * DAY


def test_create_file_modes_and_owner(tedge, paths):
    create(tedge, env=None)
    assert mode(paths.cert) == 0o444
    assert mode(paths.key) == 0o400
    assert read(paths.cert).startswith(b"-----BEGIN CERTIFICATE-----\n")
    if os.geteuid() == 0:
        try:
            mosquitto = pwd.getpwnam("mosquitto")
        except KeyError:
            return
        for path in (paths.cert, paths.key):
            st = os.stat(path)
            assert (st.st_uid, st.st_gid) == (mosquitto.pw_uid, mosquitto.pw_gid)


def test_create_modes_are_exact_whatever_the_umask(tedge, paths):
    old = os.umask(0)
    try:
        create(tedge)
    finally:
        os.umask(old)
    assert (mode(paths.cert), mode(paths.key)) == (0o444, 0o400)


def test_create_prints_hints_then_the_certificate(tedge, paths):
    r = create(tedge)
    assert r.stderr == CREATED
    fields = show_lines(r.stdout)
    assert fields["Certificate"] == paths.cert
    assert fields["Subject"] == "CN=alpha, O=Thin Edge, OU=Device"
    assert re.fullmatch(r"VALID \(expires in: 36[34]d( \d+h)?( \d+m)?( \d+s)?\)", fields["Status"])
    r = tedge.run("config", "get", "device.id")
    assert (r.returncode, r.stdout) == (0, "alpha\n")


def test_create_takes_subject_and_validity_from_config(tedge, paths):
    tedge.config_set("certificate.organization", "Acme Corp")
    tedge.config_set("certificate.organization_unit", "IoT")
    tedge.config_set("certificate.validity.requested_duration", "10d")
    create(tedge, "dev-1")
    text = x509_text(paths.cert)
    assert "Subject: CN = dev-1, O = Acme Corp, OU = IoT" in text
    assert "Issuer: CN = dev-1, O = Acme Corp, OU = IoT" in text
    not_before, not_after = x509_dates(paths.cert)
    assert not_after - not_before == 10 * DAY


def test_create_with_less_than_a_day_makes_an_expired_certificate(tedge, paths):
    tedge.config_set("certificate.validity.requested_duration", "3600s")
    r = create(tedge)
    not_before, not_after = x509_dates(paths.cert)
    assert not_after == not_before
    assert re.fullmatch(r"EXPIRED \(since: 1d( \d+s)?\)", show_lines(r.stdout)["Status"])


def test_create_without_option_uses_the_configured_device_id(tedge, paths):
    tedge.config_set("device.id", "configured-id")
    r = tedge.run("cert", "create")
    assert r.returncode == 0, r.stderr
    assert "Subject: CN = configured-id, O = Thin Edge, OU = Device" in x509_text(paths.cert)


def test_create_without_any_device_id_fails(tedge, paths):
    r = tedge.run("cert", "create")
    assert (r.returncode, r.stdout) == (1, "")
    assert r.stderr == ("Error: missing configuration parameter\n\nCaused by:\n"
                        "    No device ID is provided. Use `--device-id <name>` option to specify the device ID.\n")
    assert_no_files(paths)


@pytest.mark.parametrize("device_id,cause", [
    ("a+b", f"The string '\"a+b\"' contains characters which cannot be used in a name {BAD_CHARS}"),
    ("thin edge", f"The string '\"thin edge\"' contains characters which cannot be used in a name {BAD_CHARS}"),
    ("", "The empty string cannot be used as a name"),
    ("x" * 65, f"The string '\"{'x' * 65}\"' is more than 64 characters long and cannot be used as a name"),
])
def test_create_rejects_bad_device_ids(tedge, paths, device_id, cause):
    r = tedge.run("cert", "create", "--device-id", device_id)
    assert (r.returncode, r.stdout) == (1, "")
    assert r.stderr == (f"Error: failed to create a test certificate for the device {device_id}.\n\n"
                        f"Caused by:\n    0: DeviceID Error\n    1: {cause}\n")
    assert_no_files(paths)


def test_create_accepts_every_allowed_character_up_to_64(tedge, paths):
    device_id = "'=(),-.?%*_!@AZaz09" + "x" * 45
    assert len(device_id) == 64
    r = create(tedge, device_id)
    assert f"UTF8STRING        :{device_id}\n" in openssl("asn1parse", "-in", paths.cert)
    assert show_lines(r.stdout)["Subject"] == f"CN={device_id}, O=Thin Edge, OU=Device"


def test_create_never_overwrites_a_certificate(tedge, paths):
    create(tedge)
    cert, key = read(paths.cert), read(paths.key)
    r = tedge.run("cert", "create", "--device-id", "beta")
    assert (r.returncode, r.stdout) == (1, "")
    assert r.stderr == ("Error: failed to create a test certificate for the device beta.\n\nCaused by:\n"
                        "    A certificate already exists and would be overwritten.\n"
                        f"            Existing file: \"{paths.cert}\"\n"
                        "            Run `tedge cert remove` first to generate a new certificate.\n"
                        "        \n")
    assert (read(paths.cert), read(paths.key)) == (cert, key)


def test_create_with_an_orphan_key_fails_without_writing_a_certificate(tedge, paths):
    # C deviation (spec §8): the key is checked and written first, so an
    # orphan key no longer leaves a new certificate behind.
    with open(paths.key, "w") as f:
        f.write("orphan")
    r = tedge.run("cert", "create", "--device-id", "alpha")
    assert r.returncode == 1
    assert r.stderr == ("Error: failed to create a test certificate for the device alpha.\n\nCaused by:\n"
                        "    A private key already exists and would be overwritten.\n"
                        f"            Existing file: \"{paths.key}\"\n"
                        "            Run `tedge cert remove` first to generate a new certificate and private key.\n"
                        "        \n")
    assert os.listdir(paths.dir) == ["tedge-private-key.pem"]
    assert read(paths.key) == b"orphan"


def test_create_in_a_missing_directory_names_it_and_writes_nothing(tedge):
    cert_dir = os.path.join(tedge.config_dir, "device-certs")
    r = tedge.run("cert", "create", "--device-id", "alpha")
    assert (r.returncode, r.stdout) == (1, "")
    assert r.stderr == ("Error: failed to create a test certificate for the device alpha.\n\nCaused by:\n"
                        "    The directory of the certificate does not exist.\n"
                        f"            Missing directory: \"{cert_dir}\"\n"
                        "            Run `tedge init` to create it, or set `device.cert_path` to a path "
                        "in an existing directory.\n"
                        "        \n")
    assert not os.path.exists(cert_dir)


def test_create_missing_key_directory_leaves_no_certificate(tedge, paths, tmp_path):
    tedge.config_set("device.key_path", str(tmp_path / "nowhere" / "key.pem"))
    r = tedge.run("cert", "create", "--device-id", "alpha")
    assert r.returncode == 1
    assert "The directory of the private key does not exist." in r.stderr
    assert f"Missing directory: \"{tmp_path / 'nowhere'}\"" in r.stderr
    assert_no_files(paths)


def test_create_for_a_cloud_uses_its_device_paths(tedge, paths, tmp_path):
    cert = tmp_path / "c8y-cert.pem"
    key = tmp_path / "c8y-key.pem"
    tedge.config_set("c8y.device.cert_path", str(cert))
    tedge.config_set("c8y.device.key_path", str(key))
    r = tedge.run("cert", "create", "c8y", "--device-id", "cloudy")
    assert r.returncode == 0, r.stderr
    assert show_lines(r.stdout)["Certificate"] == str(cert)
    assert (mode(cert), mode(key)) == (0o444, 0o400)
    assert_no_files(paths)


# --- show -----------------------------------------------------------------------

def test_show_matches_openssl(tedge, paths):
    create(tedge)
    r = tedge.run("cert", "show")
    assert (r.returncode, r.stderr) == (0, "")
    fields = show_lines(r.stdout)
    not_before, not_after = x509_dates(paths.cert)
    serial = x509_serial(paths.cert)
    assert fields == {
        "Certificate": paths.cert,
        "Subject": "CN=alpha, O=Thin Edge, OU=Device",
        "Issuer": "CN=alpha, O=Thin Edge, OU=Device",
        "Status": fields["Status"],
        "Valid from": rfc2822(not_before),
        "Valid until": rfc2822(not_after),
        "Serial number": f"{serial} (0x{serial:x})",
        "Thumbprint": x509_sha1(paths.cert),
    }
    m = re.fullmatch(r"VALID \(expires in: (.*)\)", fields["Status"])
    assert m and re.fullmatch(DURATION, m.group(1)) and m.group(1).startswith("36")


def test_show_status_expires_soon_within_minimum_duration(tedge, paths):
    tedge.config_set("certificate.validity.requested_duration", "20d")
    create(tedge)
    status = show_lines(tedge.run("cert", "show").stdout)["Status"]
    assert re.fullmatch(r"EXPIRES SOON \(expires in: 1[89]d( \d+h)?( \d+m)?( \d+s)?\)", status)
    tedge.config_set("certificate.validity.minimum_duration", "10d")
    status = show_lines(tedge.run("cert", "show").stdout)["Status"]
    assert status.startswith("VALID (expires in: 1")


def test_show_status_not_valid_yet(tedge, paths):
    crypto = pytest.importorskip("cryptography")  # noqa: F841
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "future"),
                      x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Acme")])
    start = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(days=2, hours=3)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(255).not_valid_before(start).not_valid_after(start + 10 * DAY)
            .sign(key, hashes.SHA256()))
    path = os.path.join(paths.dir, "future.pem")
    with open(path, "wb") as f:
        f.write(cert.public_bytes(serialization.Encoding.PEM))
    r = tedge.run("cert", "show", "--cert-path", path)
    assert r.returncode == 0, r.stderr
    fields = show_lines(r.stdout)
    assert fields["Subject"] == "CN=future, O=Acme"
    assert re.fullmatch(r"NOT VALID YET \(will be in: 2d (3h|2h 59m \d+s)\)", fields["Status"])
    assert fields["Serial number"] == "255 (0xff)"


def test_show_new_reads_the_renewed_certificate(tedge, paths):
    create(tedge)
    r = tedge.run("cert", "renew", "--ca", "self-signed")
    assert r.returncode == 0, r.stderr
    r = tedge.run("cert", "show", "--new")
    assert r.returncode == 0
    assert show_lines(r.stdout)["Certificate"] == paths.new


def test_show_without_certificate_fails(tedge, paths):
    r = tedge.run("cert", "show")
    assert (r.returncode, r.stdout) == (1, "")
    assert r.stderr == ("Error: failed to show the device certificate\n\nCaused by:\n"
                        f"    0: reading certificate from {paths.cert}\n"
                        "    1: No such file or directory (os error 2)\n")


def test_show_garbage_fails_decoding(tedge, paths):
    with open(paths.cert, "w") as f:
        f.write("not a certificate\n")
    r = tedge.run("cert", "show")
    assert r.returncode == 1
    assert r.stderr.startswith("Error: failed to show the device certificate\n\nCaused by:\n"
                               f"    0: decoding certificate from {paths.cert}\n    1: ")


# --- remove ---------------------------------------------------------------------

def test_remove_deletes_certificate_key_and_new(tedge, paths):
    create(tedge)
    assert tedge.run("cert", "renew", "--ca", "self-signed").returncode == 0
    r = tedge.run("cert", "remove")
    assert (r.returncode, r.stdout, r.stderr) == (0, "", "Certificate was successfully removed\n")
    assert_no_files(paths)
    r = tedge.run("cert", "remove")
    assert (r.returncode, r.stdout, r.stderr) == (0, "", "There is no certificate to remove\n")


def test_remove_then_create_again(tedge, paths):
    create(tedge)
    assert tedge.run("cert", "remove").returncode == 0
    create(tedge, "beta")
    assert "CN = beta," in x509_text(paths.cert)


# --- create-csr -----------------------------------------------------------------

def test_create_csr_reuses_the_key(tedge, paths):
    create(tedge)
    key = read(paths.key)
    r = tedge.run("cert", "create-csr")
    assert (r.returncode, r.stdout, r.stderr) == (0, "", "Certificate Signing Request was successfully created.\n")
    assert read(paths.key) == key
    assert mode(paths.csr) == 0o444
    text = openssl("req", "-in", paths.csr, "-noout", "-text", "-verify")
    assert "Version: 1 (0x0)" in text
    assert "Subject: CN = alpha, O = Thin Edge, OU = Device" in text
    assert "X509v3" not in text
    assert re.search(r"l=   0 cons: cont \[ 0 \]", openssl("asn1parse", "-in", paths.csr))  # no attributes
    assert openssl("req", "-in", paths.csr, "-noout", "-pubkey") == key_public_pem(paths.key)


def test_create_csr_creates_a_key_and_overwrites_the_csr(tedge, paths, tmp_path):
    out = tmp_path / "request.csr"
    out.write_text("old")
    os.chmod(out, 0o444)
    r = tedge.run("cert", "create-csr", "--device-id", "csr-dev", "--output-path", str(out))
    assert r.returncode == 0, r.stderr
    assert mode(paths.key) == 0o400
    assert read(str(out)).startswith(b"-----BEGIN CERTIFICATE REQUEST-----\n")
    assert mode(str(out)) == 0o444
    assert "Subject: CN = csr-dev, O = Thin Edge, OU = Device" in openssl("req", "-in", str(out), "-noout", "-text")
    assert openssl("req", "-in", str(out), "-noout", "-pubkey") == key_public_pem(paths.key)
    assert not os.path.exists(paths.cert)


def test_create_csr_rejects_a_bad_device_id(tedge, paths):
    r = tedge.run("cert", "create-csr", "--device-id", "a b")
    assert r.returncode == 1
    assert r.stderr.endswith("    0: DeviceID Error\n"
                             f"    1: The string '\"a b\"' contains characters which cannot be used in a name {BAD_CHARS}\n")
    assert_no_files(paths)


# --- renew ----------------------------------------------------------------------

def test_renew_self_signed_writes_new_with_same_key_and_serial(tedge, paths):
    create(tedge)
    old_cert, old_key = read(paths.cert), read(paths.key)
    old_before, _ = x509_dates(paths.cert)
    time.sleep(1.1)
    tedge.config_set("certificate.validity.requested_duration", "30d")
    r = tedge.run("cert", "renew", "--ca", "self-signed")
    assert r.returncode == 0, r.stderr
    assert r.stderr == ("Certificate renewed successfully\n"
                        "    For an un-interrupted service:\n"
                        "    => the new certificate has to be uploaded to the cloud\n"
                        "    => before the device is reconnected\n\n")
    assert show_lines(r.stdout)["Certificate"] == paths.new
    assert (read(paths.cert), read(paths.key)) == (old_cert, old_key)
    assert mode(paths.new) == 0o444
    assert x509_serial(paths.new) == x509_serial(paths.cert)
    assert cert_public_pem(paths.new) == cert_public_pem(paths.cert)
    text = x509_text(paths.new)
    assert "Issuer: CN = alpha, O = Thin Edge, OU = Device" in text
    new_before, new_after = x509_dates(paths.new)
    assert new_before > old_before
    assert new_after - new_before == 30 * DAY


def test_renew_takes_organization_from_current_config(tedge, paths):
    create(tedge)
    tedge.config_set("certificate.organization", "NewOrg")
    assert tedge.run("cert", "renew", "--self-signed").returncode == 0
    assert "Subject: CN = alpha, O = NewOrg, OU = Device" in x509_text(paths.new)


def test_renew_refuses_a_ca_signed_certificate(tedge, paths, tmp_path):
    ca = CertAuthority(tmp_path / "ca")
    cert, key = ca.issue("device", "/CN=signed-dev")
    os.rename(cert, paths.cert)
    os.rename(key, paths.key)
    r = tedge.run("cert", "renew", "--ca", "self-signed")
    assert r.returncode == 1
    assert r.stderr == ("Error: missing configuration parameter\n\nCaused by:\n"
                        f"    Cannot renew certificate with `--self-signed`: {paths.cert} is not self-signed\n")
    assert not os.path.exists(paths.new)


def test_renew_without_certificate_fails(tedge, paths):
    r = tedge.run("cert", "renew", "--ca", "self-signed")
    assert r.returncode == 1
    assert r.stderr.startswith("Error: missing configuration parameter\n\nCaused by:\n"
                               f"    Cannot renew certificate {paths.cert}: No certificate has been attached")
    assert_no_files(paths)


# --- needs-renewal --------------------------------------------------------------

@pytest.mark.parametrize("duration,code,status", [
    ("365d", 1, r"VALID \(expires in: 36[34]d.*\)"),
    ("20d", 0, r"EXPIRES SOON \(expires in: 1[89]d.*\)"),
    ("1h", 0, r"EXPIRED \(since: 1d.*\)"),
])
def test_needs_renewal_exit_codes(tedge, paths, duration, code, status):
    tedge.config_set("certificate.validity.requested_duration", duration)
    create(tedge)
    r = tedge.run("cert", "needs-renewal")
    assert (r.returncode, r.stdout) == (code, "")
    assert re.fullmatch(r"Status:        " + status + "\n", r.stderr), r.stderr


def test_needs_renewal_without_certificate_exits_2(tedge, paths):
    r = tedge.run("cert", "needs-renewal")
    assert (r.returncode, r.stdout) == (2, "")
    assert r.stderr == (f"Cannot check the certificate: reading certificate from {paths.cert}\n\n"
                        "Caused by:\n    No such file or directory (os error 2)\n")


# --- usage errors ---------------------------------------------------------------

@pytest.mark.parametrize("args", [
    ("cert", "frobnicate"),
    ("cert", "create", "--bogus"),
    ("cert", "create", "--device-id"),
    ("cert", "show", "--device-id", "x"),
    ("cert", "create", "mars"),
    ("cert", "renew", "--ca", "letsencrypt"),
    ("cert",),
])
def test_usage_errors_exit_2(tedge, paths, args):
    r = tedge.run(*args)
    assert r.returncode == 2
    assert r.stdout == ""
    assert_no_files(paths)


def test_help_exits_0(tedge):
    r = tedge.run("cert", "--help")
    assert r.returncode == 0 and "create-csr" in r.stdout
    r = tedge.run("cert", "show", "--help")
    assert r.returncode == 0 and "--cert-path" in r.stdout


# --- upload c8y -----------------------------------------------------------------

NO_PROXY = {"no_proxy": "*", "NO_PROXY": "*"}
UNSET = ("http_proxy", "https_proxy", "HTTPS_PROXY", "ALL_PROXY", "all_proxy",
         "C8Y_USER", "C8Y_PASSWORD", "C8YPASS")


@pytest.fixture
def c8y(tedge, paths, tmp_path):
    for name in UNSET:  # the environment of this test's tedge only
        tedge.env.pop(name, None)
    ca = CertAuthority(tmp_path / "ca")
    fake = FakeC8y(ca)
    tedge.config_set("c8y.url", "127.0.0.1")
    tedge.config_set("c8y.http", f"127.0.0.1:{fake.port}")
    tedge.config_set("c8y.root_cert_path", ca.cert)
    fake.ca = ca
    yield fake
    fake.stop()


def upload(tedge, *args, env=None, **kw):
    e = dict(NO_PROXY)
    e.update(env or {})
    return tedge.run("cert", "upload", "c8y", *args, env=e, **kw)


def basic(user, password):
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


def test_upload_posts_the_certificate_to_the_tenant(tedge, paths, c8y):
    create(tedge)
    r = upload(tedge, "--user", "admin", "--password", "s3cret")
    assert (r.returncode, r.stdout, r.stderr) == (0, "Device certificate uploaded successfully.\n", "")
    get, post = c8y.requests
    assert (get["method"], get["path"], get["auth"]) == ("GET", "/tenant/currentTenant", basic("admin", "s3cret"))
    assert (post["path"], post["auth"]) == ("/tenant/tenants/t12345/trusted-certificates", basic("admin", "s3cret"))
    assert post["content_type"] == "application/json"
    body = json.loads(post["body"])
    assert list(body) == ["name", "certInPemFormat", "autoRegistrationEnabled", "status"]
    assert body == {"name": "alpha", "certInPemFormat": read(paths.cert).decode(),
                    "autoRegistrationEnabled": True, "status": "ENABLED"}


def test_upload_conflict_means_already_there(tedge, paths, c8y):
    create(tedge)
    c8y.upload_status = 409
    r = upload(tedge, "--user", "admin", "--password", "pw")
    assert (r.returncode, r.stdout, r.stderr) == (0, "Device certificate already exists in the cloud.\n", "")


@pytest.mark.parametrize("status,reason", [(401, "Unauthorized"), (403, "Forbidden"), (500, "Internal Server Error")])
def test_upload_refused(tedge, paths, c8y, status, reason):
    create(tedge)
    c8y.upload_status = status
    r = upload(tedge, "--user", "admin", "--password", "pw")
    assert r.returncode == 1
    assert r.stdout == f"Something went wrong: {status} {reason}\n"
    assert r.stderr == ("Error: failed to upload root certificate\n\nCaused by:\n"
                        f"    Request returned with code: {status} {reason}\n")


def test_upload_with_bad_credentials_stops_at_the_tenant_request(tedge, paths, c8y):
    create(tedge)
    c8y.tenant_status = 401
    c8y.tenant_body = '{"error":"security/Unauthorized"}'
    r = upload(tedge, "--user", "admin", "--password", "wrong")
    assert (r.returncode, r.stdout) == (1, "")
    assert r.stderr == ("Error: failed to upload root certificate\n\nCaused by:\n"
                        "    HTTP status client error (401 Unauthorized) for url "
                        f"(https://127.0.0.1:{c8y.port}/tenant/currentTenant)\n")
    assert c8y.posts() == []


def test_upload_prefers_the_renewed_certificate(tedge, paths, c8y):
    create(tedge)
    assert tedge.run("cert", "renew", "--ca", "self-signed").returncode == 0
    r = upload(tedge, env={"C8Y_USER": "envuser", "C8Y_PASSWORD": "envpw"})
    assert (r.returncode, r.stdout) == (0, "New device certificate uploaded successfully.\n")
    post = c8y.posts()[0]
    assert post["auth"] == basic("envuser", "envpw")
    assert json.loads(post["body"])["certInPemFormat"] == read(paths.new).decode()


def test_upload_deprecated_c8ypass_still_works_with_a_warning(tedge, paths, c8y):
    create(tedge)
    r = upload(tedge, "--user", "u", env={"C8YPASS": "oldpw"})
    assert r.returncode == 0, r.stderr
    assert r.stderr == ("warning: Detected use of a deprecated env variable, C8YPASS. "
                        "Please use C8Y_PASSWORD instead\n\n")
    assert c8y.posts()[0]["auth"] == basic("u", "oldpw")


def test_upload_prompts_for_the_username_on_stdin(tedge, paths, c8y):
    create(tedge)
    r = upload(tedge, "--password", "pw", input="typed-user\n")
    assert r.returncode == 0, r.stderr
    assert r.stdout == "Enter username: Device certificate uploaded successfully.\n"
    assert c8y.posts()[0]["auth"] == basic("typed-user", "pw")


def test_upload_prompts_for_the_password_on_the_terminal_without_echo(tedge, paths, c8y):
    import pty
    create(tedge)
    env = dict(tedge.env)
    env.update(NO_PROXY)
    pid, fd = pty.fork()
    if pid == 0:  # child: the pty is its controlling terminal
        os.execve(tedge.bin("tedge"), [tedge.bin("tedge"), "--config-dir", tedge.config_dir,
                                       "cert", "upload", "c8y"], env)
    output = b""

    def expect(text, timeout=10):
        nonlocal output
        deadline = time.monotonic() + timeout
        while text not in output and time.monotonic() < deadline:
            try:
                output += os.read(fd, 1024)
            except OSError:
                break
        assert text in output, output

    expect(b"Enter username: ")
    os.write(fd, b"tty-user\n")
    expect(b"Enter password: ")
    os.write(fd, b"tty-secret\n")
    expect(b"uploaded successfully.")
    _, status = os.waitpid(pid, 0)
    os.close(fd)
    assert os.waitstatus_to_exitcode(status) == 0
    assert b"tty-secret" not in output  # not echoed
    assert c8y.posts()[0]["auth"] == basic("tty-user", "tty-secret")


def test_upload_without_a_terminal_for_the_password_fails(tedge, paths, c8y):
    create(tedge)
    env = dict(tedge.env)
    env.update(NO_PROXY)
    r = subprocess.run([tedge.bin("tedge"), "--config-dir", tedge.config_dir, "cert", "upload", "c8y",
                        "--user", "u"], capture_output=True, text=True, env=env, start_new_session=True,
                       timeout=30)
    assert r.returncode == 1
    assert r.stderr == ("Error: failed to upload root certificate\n\nCaused by:\n"
                        "    No such device or address (os error 6)\n")
    assert c8y.requests == []


def test_upload_trusts_a_hashed_root_cert_directory(tedge, paths, c8y, tmp_path):
    roots = tmp_path / "roots"
    roots.mkdir()
    with open(roots / "test-ca.pem", "wb") as f:
        f.write(read(c8y.ca.cert))
    openssl("rehash", str(roots))
    tedge.config_set("c8y.root_cert_path", str(roots))
    create(tedge)
    r = upload(tedge, "--user", "u", "--password", "p")
    assert (r.returncode, r.stdout) == (0, "Device certificate uploaded successfully.\n"), r.stderr


def test_upload_rejects_an_untrusted_server(tedge, paths, c8y, tmp_path):
    other = CertAuthority(tmp_path / "other", name="other-ca")
    tedge.config_set("c8y.root_cert_path", other.cert)
    create(tedge)
    r = upload(tedge, "--user", "u", "--password", "p")
    assert (r.returncode, r.stdout) == (1, "")
    assert r.stderr.startswith("Error: failed to upload root certificate\n\nCaused by:\n"
                               "    HTTP Connection Problem: ")
    assert "Hint: Server certificate validation error." in r.stderr
    assert c8y.requests == []


def test_upload_without_certificate_fails_before_asking_anything(tedge, paths, c8y):
    r = upload(tedge, "--user", "u", "--password", "p")
    assert r.returncode == 1
    # device.id comes from the certificate: without one there is none
    assert r.stderr.startswith("Error: missing configuration parameter\n\nCaused by:\n")
    assert c8y.requests == []


def test_upload_needs_c8y_url(tedge, paths):
    for name in UNSET:
        tedge.env.pop(name, None)
    create(tedge)
    r = upload(tedge, "--user", "u", "--password", "p")
    assert r.returncode == 1
    assert r.stderr == ("Error: missing configuration parameter\n\nCaused by:\n"
                        "    A value for 'c8y.url' is missing.\n"
                        "        A value can be set with `tedge config set c8y.url <value>`\n")
