"""Helpers for the `tedge cert` system tests: reading certificates with the
`openssl` command, a throw-away CA, and a fake Cumulocity HTTPS endpoint
(the two requests of `tedge cert upload c8y`)."""
import base64
import datetime
import hashlib
import http.server
import json
import os
import re
import ssl
import subprocess
import threading


def openssl(*args, input=None):
    r = subprocess.run(["openssl", *args], capture_output=True, text=True, input=input)
    assert r.returncode == 0, f"openssl {' '.join(args)}: {r.stderr}"
    return r.stdout


def x509_text(path):
    return openssl("x509", "-in", path, "-noout", "-text")


def x509_field(path, option):
    """`openssl x509 -noout -<option>` value after the '='."""
    out = openssl("x509", "-in", path, "-noout", f"-{option}").strip()
    return out.split("=", 1)[1]


def x509_dates(path):
    """(notBefore, notAfter) as aware datetimes."""
    fmt = "%b %d %H:%M:%S %Y GMT"
    parse = lambda s: datetime.datetime.strptime(re.sub(r"\s+", " ", s), fmt).replace(
        tzinfo=datetime.timezone.utc)
    return parse(x509_field(path, "startdate")), parse(x509_field(path, "enddate"))


def x509_serial(path):
    """The serial as an int."""
    return int(x509_field(path, "serial"), 16)


def x509_sha1(path):
    """The SHA-1 thumbprint as `cert show` prints it: 40 uppercase hex digits."""
    return openssl("x509", "-in", path, "-noout", "-fingerprint", "-sha1").strip().split("=", 1)[1].replace(":", "")


def spki_der(path):
    pem = openssl("x509", "-in", path, "-noout", "-pubkey")
    body = "".join(line for line in pem.splitlines() if not line.startswith("-----"))
    return base64.b64decode(body)


def expected_serial(path):
    """rcgen's serial: SHA-256 of the raw P-256 point (the last 65 bytes of
    the SPKI DER), first 20 bytes, top bit cleared."""
    point = spki_der(path)[-65:]
    assert point[0] == 0x04
    digest = bytearray(hashlib.sha256(point).digest()[:20])
    digest[0] &= 0x7F
    return int.from_bytes(digest, "big")


def rfc2822(dt):
    return dt.strftime("%a, %d %b %Y %H:%M:%S +0000")


def key_public_pem(key_path):
    return openssl("pkey", "-in", key_path, "-pubout")


def cert_public_pem(cert_path):
    return openssl("x509", "-in", cert_path, "-noout", "-pubkey")


class CertAuthority:
    """A CA (EC P-256) that signs server or client certificates."""

    def __init__(self, directory, name="tedge-test-ca"):
        self.dir = str(directory)
        os.makedirs(self.dir, exist_ok=True)
        self.key = os.path.join(self.dir, f"{name}.key")
        self.cert = os.path.join(self.dir, f"{name}.pem")
        openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                "-subj", f"/CN={name}", "-days", "2", "-keyout", self.key, "-out", self.cert)

    def issue(self, name, subject, san=None):
        """A certificate for subject signed by this CA; returns (cert, key)."""
        key = os.path.join(self.dir, f"{name}.key")
        csr = os.path.join(self.dir, f"{name}.csr")
        cert = os.path.join(self.dir, f"{name}.pem")
        openssl("req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                "-subj", subject, "-keyout", key, "-out", csr)
        ext = os.path.join(self.dir, f"{name}.ext")
        with open(ext, "w") as f:
            f.write("basicConstraints=CA:FALSE\n")
            if san:
                f.write(f"subjectAltName={san}\n")
        openssl("x509", "-req", "-in", csr, "-CA", self.cert, "-CAkey", self.key, "-CAcreateserial",
                "-days", "2", "-extfile", ext, "-out", cert)
        return cert, key


class FakeC8y:
    """Answers GET /tenant/currentTenant and POST .../trusted-certificates
    over HTTPS on 127.0.0.1, recording what it received."""

    def __init__(self, ca, tenant="t12345"):
        self.tenant = tenant
        self.tenant_status = 200
        self.tenant_body = json.dumps({"name": tenant, "domainName": "example.c8y.io"})
        self.upload_status = 201
        self.requests = []
        cert, key = ca.issue("c8y-server", "/CN=127.0.0.1", san="IP:127.0.0.1,DNS:localhost")
        fake = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _reply(self, status, body):
                data = body.encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _record(self, body=b""):
                fake.requests.append({"method": self.command, "path": self.path,
                                      "auth": self.headers.get("Authorization"),
                                      "content_type": self.headers.get("Content-Type"),
                                      "body": body})

            def do_GET(self):
                self._record()
                if self.path == "/tenant/currentTenant":
                    self._reply(fake.tenant_status, fake.tenant_body)
                else:
                    self._reply(404, "{}")

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                self._record(body)
                if self.path == f"/tenant/tenants/{fake.tenant}/trusted-certificates":
                    self._reply(fake.upload_status, "{}")
                else:
                    self._reply(404, "{}")

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(cert, key)
        self.server.socket = ctx.wrap_socket(self.server.socket, server_side=True)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def posts(self):
        return [r for r in self.requests if r["method"] == "POST"]

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


class FakeEst:
    """Stands in for tedge-mapper-c8y's Cumulocity proxy in front of
    Cumulocity's CA: answers POST /c8y/.well-known/est/simplereenroll as EST
    (RFC 7030) does. The body must be the base64 DER of a PKCS#10 request;
    the CSR is read with `openssl req`, signed by the test CA with `openssl
    x509 -req` and returned as a base64 certs-only PKCS#7 (`openssl
    crl2pkcs7 -nocrl ... -outform DER`), device certificate then CA.

    mode changes the answer: "ok", "ber" (an indefinite-length BER
    SignedData made by `openssl cms -sign -stream`), "status" (self.status
    with self.status_body), "not-base64", "not-pkcs7", "other-key" (a
    certificate with the requested subject for another key). tls: serve
    https with a certificate of the CA; client_ca: also require a client
    certificate signed by that CA."""

    PATH = "/c8y/.well-known/est/simplereenroll"

    def __init__(self, ca, tls=False, client_ca=None):
        self.ca = ca
        self.mode = "ok"
        self.status = 500
        self.status_body = "boom"
        self.requests = []
        self.count = 0
        self.lock = threading.Lock()
        fake = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _reply(self, status, body, content_type="text/plain"):
                data = body if isinstance(body, bytes) else body.encode()
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                fake.requests.append({"path": self.path, "content_type": self.headers.get("Content-Type"),
                                      "body": body})
                if self.path != FakeEst.PATH:
                    return self._reply(404, "Not Found")
                try:
                    der = base64.b64decode(b"".join(body.split()), validate=True)
                except ValueError:
                    return self._reply(400, "the body is not base64")
                status, answer = fake.answer(der)
                self._reply(status, answer, "application/pkcs7-mime; smime-type=certs-only"
                            if status == 200 else "text/plain")

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        if tls:
            cert, key = ca.issue("est-server", "/CN=127.0.0.1", san="IP:127.0.0.1,DNS:localhost")
            self.server_cert = cert
            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            ctx.load_cert_chain(cert, key)
            if client_ca:
                ctx.verify_mode = ssl.CERT_REQUIRED
                ctx.load_verify_locations(client_ca.cert)
            self.server.socket = ctx.wrap_socket(self.server.socket, server_side=True)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def _tmp(self, name):
        with self.lock:
            self.count += 1
            return os.path.join(self.ca.dir, f"est-{self.count}-{name}")

    def answer(self, csr_der):
        """(status, body) for a request carrying csr_der."""
        if self.mode == "status":
            return self.status, self.status_body
        if self.mode == "not-base64":
            return 200, "<html><body>Bad gateway</body></html>"
        if self.mode == "not-pkcs7":
            return 200, base64.b64encode(b"this is not a PKCS#7 message at all").decode()
        csr_der_path, csr = self._tmp("req.der"), self._tmp("req.pem")
        with open(csr_der_path, "wb") as f:
            f.write(csr_der)
        r = subprocess.run(["openssl", "req", "-inform", "DER", "-in", csr_der_path, "-verify", "-out", csr],
                           capture_output=True, text=True)
        if r.returncode != 0:
            return 400, "not a PKCS#10 request: " + r.stderr
        cert = self._tmp("cert.pem")
        if self.mode == "other-key":
            subject = openssl("req", "-in", csr, "-noout", "-subject", "-nameopt", "compat").split("=", 1)[1].strip()
            other_key, other_csr = self._tmp("other.key"), self._tmp("other.csr")
            openssl("req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                    "-subj", subject, "-keyout", other_key, "-out", other_csr)
            csr = other_csr
        openssl("x509", "-req", "-in", csr, "-CA", self.ca.cert, "-CAkey", self.ca.key, "-CAcreateserial",
                "-days", "365", "-out", cert)
        p7 = self._tmp("p7.der")
        if self.mode == "ber":
            signer_in = self._tmp("in.txt")
            with open(signer_in, "w") as f:
                f.write("x")
            openssl("cms", "-sign", "-signer", self.ca.cert, "-inkey", self.ca.key, "-in", signer_in,
                    "-nodetach", "-stream", "-outform", "DER", "-certfile", cert, "-out", p7)
        else:
            openssl("crl2pkcs7", "-nocrl", "-certfile", cert, "-certfile", self.ca.cert, "-outform", "DER",
                    "-out", p7)
        with open(p7, "rb") as f:
            return 200, base64.encodebytes(f.read()).decode()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()
