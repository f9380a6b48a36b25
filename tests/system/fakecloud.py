"""A faithful local stand-in for Cumulocity, Azure IoT Hub and AWS IoT Core,
and a device whose mosquitto `tedge connect` can restart.

- Pki: a test CA (made with the `openssl` command) and device certificates
  (self-signed, Basic Constraints critical CA:TRUE, as `tedge cert create`
  makes them; optionally expired).
- FakeCloud: a second mosquitto with a TLS listener on <127.x.y.z>:8883 (the
  port az/aws bridges always use), server certificate from the test CA,
  `require_certificate true` and a cafile holding the device certificates the
  "tenant" trusts (as after `tedge cert upload`). A plain listener on
  127.0.0.1 serves the responder and the tests. The responder answers where
  the clouds must answer: c8y `s/uat` -> `71,<jwt>` on `s/dat`; Azure
  `$iothub/twin/GET/?$rid=N` -> `$iothub/twin/res/200/?$rid=N`. AWS needs no
  responder: the broker echoes `thinedge/devices/<id>/test-connection` back to
  the bridge that published it, as AWS IoT Core does.
  With use_basic_auth(), the TLS listener takes username and password (a
  mosquitto password_file, anonymous refused) and no client certificate, as
  Cumulocity does for basic auth; the responder then answers `123` on `s/us`
  with `124,<id>` on `s/ds` (unless answer_123 is False).
- Device: the device's local mosquitto (daemonized, pid file) whose config
  includes `<config-dir>/mosquitto-conf`, and a system.toml whose [init]
  commands are small scripts: they log each call and really stop/restart that
  mosquitto, so the bridge file takes effect.
"""
import base64
import json
import os
import random
import shutil
import signal
import socket
import stat
import subprocess
import threading
import time

import paho.mqtt.client as mqtt

from conftest import free_port, wait_port

MOSQUITTO = shutil.which("mosquitto") or "/usr/sbin/mosquitto"


def run(*cmd):
    subprocess.run(cmd, check=True, capture_output=True)


class Pki:
    """Certificates made with the openssl command, under workdir."""

    def __init__(self, workdir):
        self.dir = os.path.join(workdir, "pki")
        os.makedirs(self.dir, exist_ok=True)
        self.ca_key = os.path.join(self.dir, "ca.key")
        self.ca_cert = os.path.join(self.dir, "ca.pem")
        run("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
            "-subj", "/CN=Fake Cloud Test CA", "-keyout", self.ca_key, "-out", self.ca_cert, "-days", "2",
            "-addext", "basicConstraints=critical,CA:TRUE")

    def server_cert(self, name, ip):
        """A server certificate for ip (and localhost), signed by the CA."""
        key = os.path.join(self.dir, f"{name}.key")
        csr = os.path.join(self.dir, f"{name}.csr")
        cert = os.path.join(self.dir, f"{name}.pem")
        ext = os.path.join(self.dir, f"{name}.ext")
        with open(ext, "w") as f:
            f.write(f"subjectAltName=IP:{ip},DNS:localhost\nbasicConstraints=critical,CA:FALSE\n")
        run("openssl", "req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
            "-subj", f"/CN={ip}", "-keyout", key, "-out", csr)
        run("openssl", "x509", "-req", "-in", csr, "-CA", self.ca_cert, "-CAkey", self.ca_key,
            "-CAcreateserial", "-days", "2", "-extfile", ext, "-out", cert)
        return cert, key


def make_device_cert(cert_path, key_path, device_id, expired=False):
    """A self-signed device certificate like `tedge cert create` makes."""
    os.makedirs(os.path.dirname(cert_path), exist_ok=True)
    if not expired:
        run("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
            "-subj", f"/CN={device_id}/O=Thin Edge/OU=Device", "-keyout", key_path, "-out", cert_path,
            "-days", "365", "-addext", "basicConstraints=critical,CA:TRUE")
        return
    csr = cert_path + ".csr"
    ext = cert_path + ".ext"
    with open(ext, "w") as f:
        f.write("basicConstraints=critical,CA:TRUE\n")
    run("openssl", "req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
        "-subj", f"/CN={device_id}/O=Thin Edge/OU=Device", "-keyout", key_path, "-out", csr)
    # -days -1: notAfter one day before notBefore, i.e. already expired
    run("openssl", "x509", "-req", "-in", csr, "-signkey", key_path, "-days", "-1", "-extfile", ext,
        "-out", cert_path)
    os.remove(csr)
    os.remove(ext)


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def make_jwt(iss):
    header = b64url(json.dumps({"alg": "RS256", "typ": "JWT"}).encode())
    payload = b64url(json.dumps({"iss": iss, "sub": "device", "ten": "t12345"}).encode())
    return f"{header}.{payload}.c2lnbmF0dXJl"


def pick_loopback_ip(port=8883):
    """A random 127.x.y.z where port is free (az/aws bridges use 8883)."""
    for _ in range(50):
        ip = f"127.{random.randint(1, 254)}.{random.randint(0, 254)}.{random.randint(1, 254)}"
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            try:
                s.bind((ip, port))
                return ip
            except OSError:
                continue
    raise RuntimeError("no free loopback address for the fake cloud")


class FakeCloud:
    """The cloud: mosquitto with a mutual-TLS listener on ip:8883 and a responder."""

    def __init__(self, workdir, pki, ip=None):
        self.dir = os.path.join(workdir, "cloud")
        os.makedirs(self.dir, exist_ok=True)
        self.pki = pki
        self.ip = ip or pick_loopback_ip()
        self.port = 8883
        self.plain_port = free_port()
        self.cert, self.key = pki.server_cert("cloud", self.ip)
        self.trust_file = os.path.join(self.dir, "trusted.pem")
        self.conf = os.path.join(self.dir, "mosquitto.conf")
        self.log = os.path.join(self.dir, "mosquitto.log")
        self.proc = None
        self.iss = self.ip
        self.responder = None
        self.messages = []  # (topic, payload) seen by the responder
        self.password_file = None  # basic auth: see use_basic_auth()
        self.answer_123 = True
        self.cond = threading.Condition()
        # mosquitto wants a non-empty cafile: start with the CA itself
        shutil.copy(pki.ca_cert, self.trust_file)

    def trust(self, cert_path):
        """Adds a device certificate to the tenant's trusted certificates."""
        with open(cert_path) as src, open(self.trust_file, "a") as dst:
            dst.write(src.read())
        if self.proc:
            self.stop_broker()
            self.start_broker()

    def use_basic_auth(self, username, password):
        """Cumulocity's basic auth: the TLS listener wants this user, no certificate."""
        self.password_file = os.path.join(self.dir, "passwords")
        run("mosquitto_passwd", "-c", "-b", self.password_file, username, password)

    def start_broker(self):
        if self.password_file:
            tls_auth = ("require_certificate false\n"
                        "allow_anonymous false\n"
                        f"password_file {self.password_file}\n")
        else:
            tls_auth = "require_certificate true\nallow_anonymous true\n"
        with open(self.conf, "w") as f:
            f.write("user root\n"
                    "per_listener_settings true\n"
                    "persistence false\n"
                    f"log_dest file {self.log}\n"
                    "log_type all\n"
                    f"listener {self.port} {self.ip}\n"
                    f"cafile {self.trust_file}\n"
                    f"certfile {self.cert}\n"
                    f"keyfile {self.key}\n"
                    + tls_auth +
                    f"listener {self.plain_port} 127.0.0.1\n"
                    "allow_anonymous true\n")
        self.proc = subprocess.Popen([MOSQUITTO, "-c", self.conf], stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL)
        if not wait_port(self.plain_port):
            raise RuntimeError("fake cloud broker did not start")

    def stop_broker(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(5)
        self.proc = None

    def start(self):
        self.start_broker()
        self.start_responder()

    def start_responder(self):
        c = mqtt.Client(client_id=f"fake-cloud-responder-{os.getpid()}", clean_session=True)
        subscribed = threading.Event()
        c.on_subscribe = lambda *a: subscribed.set()
        c.on_message = self._on_message
        c.on_connect = lambda client, *a: client.subscribe(
            [("#", 1), ("$iothub/#", 1), ("$aws/#", 1)])
        c.connect("127.0.0.1", self.plain_port)
        c.loop_start()
        if not subscribed.wait(5):
            raise RuntimeError("responder could not subscribe")
        self.responder = c

    def _on_message(self, client, userdata, msg):
        topic, payload = msg.topic, bytes(msg.payload)
        with self.cond:
            self.messages.append((topic, payload))
            self.cond.notify_all()
        if topic == "s/uat":
            client.publish("s/dat", f"71,{make_jwt(self.iss)}", qos=0)
        elif topic == "s/us" and payload == b"123" and self.answer_123:
            client.publish("s/ds", "124,4711", qos=1)
        elif topic.startswith("$iothub/twin/GET/"):
            rid = topic.split("?", 1)[1] if "?" in topic else "$rid=1"
            client.publish(f"$iothub/twin/res/200/?{rid}", b"{}", qos=1)

    def wait_for(self, pred, timeout=10.0):
        deadline = time.monotonic() + timeout
        with self.cond:
            while True:
                for m in self.messages:
                    if pred(m[0], m[1]):
                        return m
                left = deadline - time.monotonic()
                if left <= 0:
                    return None
                self.cond.wait(left)

    def client(self):
        """A plain MQTT client on the cloud (paho), connected and looping."""
        c = mqtt.Client(client_id="", clean_session=True)
        c.connect("127.0.0.1", self.plain_port)
        c.loop_start()
        return c

    def stop(self):
        if self.responder:
            self.responder.disconnect()
            self.responder.loop_stop()
            self.responder = None
        self.stop_broker()


RESTART_SCRIPT = """#!/bin/sh
# [init] command for the tests: logs the call; for mosquitto, really acts.
dir="{dir}"
echo "$(basename "$0") $*" >> "$dir/calls.log"
[ "$1" = mosquitto ] || exit 0
action=$(basename "$0")
pidfile="$dir/local.pid"
stop() {{
    if [ -f "$pidfile" ]; then
        pid=$(cat "$pidfile")
        kill "$pid" 2>/dev/null
        # gone, or a zombie waiting for init to reap it (its sockets are closed)
        i=0
        while [ $i -lt 100 ]; do
            state=$(cut -d' ' -f3 "/proc/$pid/stat" 2>/dev/null)
            [ -z "$state" ] || [ "$state" = Z ] && break
            sleep 0.05; i=$((i+1))
        done
        rm -f "$pidfile"
    fi
}}
case "$action" in
    stop) stop ;;
    restart|start)
        [ -f "$dir/fail-restart" ] && exit 3
        stop
        {mosquitto} -c "$dir/local.conf" -d || exit $?
        ;;
    is_active)
        [ -f "$pidfile" ] || exit 3
        state=$(cut -d' ' -f3 "/proc/$(cat "$pidfile")/stat" 2>/dev/null)
        [ -n "$state" ] && [ "$state" != Z ] || exit 3 ;;
esac
exit 0
"""

IS_AVAILABLE_SCRIPT = """#!/bin/sh
echo "is_available $*" >> "{dir}/calls.log"
[ -f "{dir}/no-init" ] && exit 1
exit 0
"""


def alive(pid):
    """True while pid runs (a zombie, not yet reaped by init, is not running)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return False


class Device:
    """The device side: config dir, local mosquitto, init scripts, PATH."""

    def __init__(self, tedge, workdir):
        self.tedge = tedge
        self.cfg = tedge.config_dir
        self.dir = os.path.join(workdir, "device")
        os.makedirs(self.dir, exist_ok=True)
        self.port = free_port()
        self.conf_dir = os.path.join(self.cfg, "mosquitto-conf")
        self.pidfile = os.path.join(self.dir, "local.pid")
        self.calls_log = os.path.join(self.dir, "calls.log")
        self.bin = os.path.join(self.dir, "bin")
        os.makedirs(self.bin, exist_ok=True)
        self.cert = os.path.join(self.cfg, "device-certs", "tedge-certificate.pem")
        self.key = os.path.join(self.cfg, "device-certs", "tedge-private-key.pem")
        with open(os.path.join(self.dir, "local.conf"), "w") as f:
            f.write("user root\n"
                    f"pid_file {self.pidfile}\n"
                    "persistence false\n"
                    f"log_dest file {os.path.join(self.dir, 'local.log')}\n"
                    "log_type all\n"
                    f"include_dir {self.conf_dir}\n")
        scripts = os.path.join(self.dir, "init")
        os.makedirs(scripts, exist_ok=True)
        for action in ("restart", "stop", "start", "enable", "disable", "is_active"):
            self._script(os.path.join(scripts, action),
                         RESTART_SCRIPT.format(dir=self.dir, mosquitto=MOSQUITTO))
        self._script(os.path.join(scripts, "is_available"), IS_AVAILABLE_SCRIPT.format(dir=self.dir))
        self.scripts = scripts
        self.write_system_toml()
        tedge.config_set("mqtt.bind.port", self.port)
        tedge.config_set("mqtt.client.port", self.port)
        # PATH without tedge-mapper/tedge-agent unless a test adds them
        self.env = {"PATH": f"{self.bin}:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                    "TE_CONNECT_RESPONSE_TIMEOUT_S": "10"}

    @staticmethod
    def _script(path, text):
        with open(path, "w") as f:
            f.write(text)
        os.chmod(path, 0o755)

    def write_system_toml(self, extra_init="", name="test-init"):
        s = self.scripts
        with open(os.path.join(self.cfg, "system.toml"), "w") as f:
            f.write("[init]\n"
                    f'name = "{name}"\n'
                    f'is_available = ["{s}/is_available"]\n'
                    f'restart = ["{s}/restart", "{{}}"]\n'
                    f'stop = ["{s}/stop", "{{}}"]\n'
                    f'start = ["{s}/start", "{{}}"]\n'
                    f'enable = ["{s}/enable", "{{}}"]\n'
                    f'disable = ["{s}/disable", "{{}}"]\n'
                    f'is_active = ["{s}/is_active", "{{}}"]\n' + extra_init)

    def install_fake_services(self):
        """Puts tedge-mapper and tedge-agent on PATH (never run: [init] starts them)."""
        for name in ("tedge-mapper", "tedge-agent"):
            self._script(os.path.join(self.bin, name), "#!/bin/sh\nexit 0\n")

    def start_mosquitto(self):
        """Starts the local broker with a tedge-mosquitto.conf like connect writes."""
        os.makedirs(self.conf_dir, exist_ok=True)
        path = os.path.join(self.conf_dir, "tedge-mosquitto.conf")
        if not os.path.exists(path):
            with open(path, "w") as f:
                f.write(expected_mosquitto_conf(self.port))
        subprocess.run([os.path.join(self.scripts, "restart"), "mosquitto"], check=True, capture_output=True)
        if not wait_port(self.port):
            raise RuntimeError("local mosquitto did not start")

    def mosquitto_running(self):
        try:
            with open(self.pidfile) as f:
                return alive(int(f.read().strip()))
        except (OSError, ValueError):
            return False

    def stop_mosquitto(self):
        try:
            with open(self.pidfile) as f:
                pid = int(f.read().strip())
        except (OSError, ValueError):
            return
        try:
            os.kill(pid, signal.SIGTERM)
        except OSError:
            return
        for _ in range(100):
            if not alive(pid):
                return
            time.sleep(0.05)

    def calls(self):
        try:
            with open(self.calls_log) as f:
                return [line.strip() for line in f if not line.startswith("is_available")]
        except OSError:
            return []

    def clear_calls(self):
        if os.path.exists(self.calls_log):
            os.remove(self.calls_log)

    def tedge_run(self, *args, env=None, timeout=60):
        e = dict(self.env)
        if env:
            e.update(env)
        return self.tedge.run(*args, env=e, timeout=timeout)

    def read(self, name):
        with open(os.path.join(self.conf_dir, name)) as f:
            return f.read()

    def exists(self, name):
        return os.path.exists(os.path.join(self.conf_dir, name))

    def client(self, client_id=""):
        c = mqtt.Client(client_id=client_id, clean_session=True)
        c.connect("127.0.0.1", self.port)
        c.loop_start()
        return c


def expected_mosquitto_conf(port, address="127.0.0.1"):
    return ("per_listener_settings true\n"
            "connection_messages true\n"
            "log_type error\n"
            "log_type warning\n"
            "log_type notice\n"
            "log_type information\n"
            "log_type subscribe\n"
            "log_type unsubscribe\n"
            "message_size_limit 268435455\n"
            f"listener {port} {address}\n"
            "allow_anonymous true\n"
            "require_certificate false\n")


def mode_of(path):
    return stat.S_IMODE(os.stat(path).st_mode)
