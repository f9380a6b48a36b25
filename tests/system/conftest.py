"""Fixtures shared by the system tests.

Every test runs the real binaries from $TEDGE_BIN_DIR (set by `make`) with a
private config dir under tmp_path, against a private mosquitto broker on a
free loopback port. Nothing touches /etc.
"""
import os
import shutil
import signal
import socket
import subprocess
import time

import pytest

BIN_DIR = os.environ.get(
    "TEDGE_BIN_DIR",
    os.path.join(os.path.dirname(__file__), "..", "..", "build", "bin"))


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port, timeout=10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return True
        except OSError:
            time.sleep(0.05)
    return False


class Broker:
    """A private mosquitto on 127.0.0.1:<port>, restartable on the same port."""

    def __init__(self, workdir, port=None):
        self.workdir = workdir
        self.port = port or free_port()
        self.conf = os.path.join(workdir, "mosquitto.conf")
        self.log = os.path.join(workdir, "mosquitto.log")
        self.proc = None
        with open(self.conf, "w") as f:
            f.write(self.user_line() + f"listener {self.port} 127.0.0.1\n"
                    "allow_anonymous true\n"
                    "persistence false\n"
                    f"log_dest file {self.log}\n"
                    "log_type all\n")

    @staticmethod
    def user_line():
        """As root, mosquitto drops to user 'mosquitto', which cannot read the
        test's private tmp dirs (logs, certificates, password files)."""
        return "user root\n" if os.geteuid() == 0 else ""

    def start(self):
        mosquitto = shutil.which("mosquitto") or "/usr/sbin/mosquitto"
        self.proc = subprocess.Popen([mosquitto, "-c", self.conf],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        if not wait_port(self.port):
            self.stop()
            raise RuntimeError(f"mosquitto did not start on port {self.port}")

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None


class Tedge:
    """The binaries plus a private config dir."""

    def __init__(self, config_dir, broker=None):
        self.config_dir = str(config_dir)
        self.broker = broker
        os.makedirs(self.config_dir, exist_ok=True)
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("TEDGE_")}
        self.env["TEDGE_CONFIG_DIR"] = self.config_dir
        self.procs = []

    def bin(self, name):
        return os.path.join(BIN_DIR, name)

    def run(self, *args, env=None, timeout=30, input=None, config_dir=True):
        """Runs `tedge ARGS...`; returns the CompletedProcess (text mode)."""
        cmd = [self.bin("tedge")]
        if config_dir:
            cmd += ["--config-dir", self.config_dir]
        cmd += list(args)
        e = dict(self.env)
        if env:
            e.update(env)
        return subprocess.run(cmd, capture_output=True, text=True, env=e,
                              timeout=timeout, input=input)

    def config_set(self, key, value):
        r = self.run("config", "set", key, str(value))
        assert r.returncode == 0, r.stderr
        return r

    def use_broker(self, broker):
        self.broker = broker
        self.config_set("mqtt.client.port", broker.port)
        self.config_set("mqtt.bind.port", broker.port)

    def spawn(self, name, *args, env=None):
        """Starts a long-running binary (tedge-agent, a mapper...)."""
        e = dict(self.env)
        if env:
            e.update(env)
        log = open(os.path.join(self.config_dir, f"{name}.log"), "ab")
        p = subprocess.Popen([self.bin(name), "--config-dir", self.config_dir, *args],
                             stdout=log, stderr=log, env=e)
        log.close()
        self.procs.append(p)
        return p

    def log_of(self, name):
        try:
            with open(os.path.join(self.config_dir, f"{name}.log"), errors="replace") as f:
                return f.read()
        except OSError:
            return ""

    def cleanup(self):
        for p in self.procs:
            if p.poll() is None:
                p.send_signal(signal.SIGKILL)
                p.wait()


@pytest.fixture
def broker(tmp_path):
    b = Broker(str(tmp_path))
    b.start()
    yield b
    b.stop()


@pytest.fixture
def tedge(tmp_path):
    t = Tedge(tmp_path / "etc-tedge")
    yield t
    t.cleanup()


@pytest.fixture
def tedge_online(tedge, broker):
    """A config dir wired to the private broker."""
    tedge.use_broker(broker)
    return tedge


# ---- the fake cloud (fakecloud.py): a test CA, the device side, the cloud ----

@pytest.fixture
def pki(tmp_path):
    from fakecloud import Pki
    return Pki(str(tmp_path))


@pytest.fixture
def device(tedge, tmp_path):
    """The device of a connect test: config dir, its own mosquitto, init scripts."""
    from fakecloud import Device
    d = Device(tedge, str(tmp_path))
    yield d
    d.stop_mosquitto()


@pytest.fixture
def cloud(tmp_path, pki):
    """A fake TLS cloud (mosquitto with mutual TLS and a responder)."""
    from fakecloud import FakeCloud
    c = FakeCloud(str(tmp_path), pki)
    yield c
    c.stop()
