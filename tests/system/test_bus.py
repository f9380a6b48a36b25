"""The services' own MQTT client (common/src/bus.c) against a scripted
broker speaking raw MQTT 3.1.1 on a socket, to check what a real mosquitto
cannot show: the byte order of acknowledgements and outputs, input
acknowledgements held until the broker has the outputs, resending with
the same packet ids after a reconnection, protocol errors, over-size
input and QoS 2 de-duplication. tedge-mapper-az is the client under test (a plain
pass-through converter)."""
import json
import socket
import struct
import threading
import time

import pytest

CONNECT, CONNACK, PUBLISH, PUBACK, PUBREC, PUBREL, PUBCOMP = 1, 2, 3, 4, 5, 6, 7
SUBSCRIBE, SUBACK, PINGREQ, PINGRESP, DISCONNECT = 8, 9, 12, 13, 14


def encode_len(n):
    out = bytearray()
    while True:
        d = n % 128
        n //= 128
        out.append(d | (0x80 if n else 0))
        if not n:
            return bytes(out)


def publish_packet(topic, payload, qos=0, pid=0, dup=False, retain=False):
    t = topic.encode()
    body = struct.pack(">H", len(t)) + t + (struct.pack(">H", pid) if qos else b"") + payload
    first = 0x30 | (0x08 if dup else 0) | (qos << 1) | (1 if retain else 0)
    return bytes([first]) + encode_len(len(body)) + body


class Packet:
    def __init__(self, first, body):
        self.type = first >> 4
        self.flags = first & 0x0F
        self.body = body
        if self.type == PUBLISH:
            n = struct.unpack(">H", body[:2])[0]
            self.topic = body[2:2 + n].decode()
            self.qos = (first >> 1) & 3
            self.dup = bool(first & 0x08)
            pos = 2 + n
            self.pid = struct.unpack(">H", body[pos:pos + 2])[0] if self.qos else 0
            self.payload = body[pos + 2:] if self.qos else body[pos:]
        elif self.type in (PUBACK, PUBREC, PUBREL, PUBCOMP, SUBSCRIBE):
            self.pid = struct.unpack(">H", body[:2])[0]

    def __repr__(self):
        return f"<{self.type} {getattr(self, 'topic', '')} {getattr(self, 'pid', '')}>"


class Session:
    """One accepted client connection; every packet it sent, in order."""

    def __init__(self, sock):
        self.sock = sock
        self.packets = []
        self.closed = False
        self.cond = threading.Condition()
        threading.Thread(target=self._reader, daemon=True).start()

    def _recv_exact(self, n):
        buf = b""
        while len(buf) < n:
            chunk = self.sock.recv(n - len(buf))
            if not chunk:
                raise EOFError
            buf += chunk
        return buf

    def _reader(self):
        try:
            while True:
                first = self._recv_exact(1)[0]
                mult, length = 1, 0
                while True:
                    b = self._recv_exact(1)[0]
                    length += (b & 0x7F) * mult
                    mult *= 128
                    if not b & 0x80:
                        break
                body = self._recv_exact(length) if length else b""
                with self.cond:
                    self.packets.append(Packet(first, body))
                    self.cond.notify_all()
        except (EOFError, OSError):
            with self.cond:
                self.closed = True
                self.cond.notify_all()

    def wait(self, pred, timeout=10):
        deadline = time.time() + timeout
        with self.cond:
            while True:
                for p in self.packets:
                    if pred(p):
                        return p
                left = deadline - time.time()
                if left <= 0:
                    return None
                self.cond.wait(left)

    def wait_closed(self, timeout=10):
        deadline = time.time() + timeout
        with self.cond:
            while not self.closed and time.time() < deadline:
                self.cond.wait(0.1)
            return self.closed

    def send(self, data):
        self.sock.sendall(data)

    def accept_connect(self, ack_publishes=True):
        """CONNACK, SUBACK every SUBSCRIBE, PUBACK every QoS 1 publish (or
        those ack_publishes(packet) is true for), from a background thread
        until the session closes."""
        assert self.wait(lambda p: p.type == CONNECT) is not None
        self.send(bytes([CONNACK << 4, 2, 0, 0]))

        def answer():
            seen = 0
            while not self.closed:
                with self.cond:
                    pkts = self.packets[seen:]
                    seen = len(self.packets)
                    if not pkts:
                        self.cond.wait(0.05)
                for p in pkts:
                    try:
                        if p.type == SUBSCRIBE:
                            self.send(bytes([SUBACK << 4, 3]) + struct.pack(">H", p.pid) + b"\x01")
                        elif p.type == PUBLISH and p.qos == 1 and (
                                ack_publishes(p) if callable(ack_publishes) else ack_publishes):
                            self.send(bytes([PUBACK << 4, 2]) + struct.pack(">H", p.pid))
                        elif p.type == PINGREQ and not getattr(self, "mute_pings", False):
                            self.send(bytes([PINGRESP << 4, 0]))
                    except OSError:
                        return
        threading.Thread(target=answer, daemon=True).start()

    def close(self):
        try:
            self.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.sock.close()


class ScriptedBroker:
    def __init__(self):
        self.listener = socket.socket()
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(4)
        self.port = self.listener.getsockname()[1]

    def accept(self, timeout=15):
        self.listener.settimeout(timeout)
        sock, _ = self.listener.accept()
        return Session(sock)

    def close(self):
        self.listener.close()


@pytest.fixture
def scripted(tedge):
    b = ScriptedBroker()
    tedge.config_set("mqtt.client.port", b.port)
    yield b
    b.close()


def subscribed(session, filt="te/+/+/+/+/m/+"):
    return session.wait(lambda p: p.type == SUBSCRIBE and filt.encode() in p.body) is not None


def test_outputs_are_written_before_the_ack_of_their_input(tedge, scripted):
    tedge.spawn("tedge-mapper-az")
    s = scripted.accept()
    s.accept_connect()
    assert subscribed(s), tedge.log_of("tedge-mapper-az")
    for pid in range(100, 150):
        s.send(publish_packet("te/device/main///m/temp", b'{"t":%d}' % pid, qos=1, pid=pid))
    assert s.wait(lambda p: p.type == PUBACK and p.pid == 149) is not None, tedge.log_of("tedge-mapper-az")
    with s.cond:
        pkts = list(s.packets)
    outputs = [i for i, p in enumerate(pkts) if p.type == PUBLISH and p.topic == "az/messages/events/"
               and b'"t":' in p.payload]
    acks = {p.pid: i for i, p in enumerate(pkts) if p.type == PUBACK}
    assert len(outputs) == 50
    for n, pid in enumerate(range(100, 150)):
        assert json.loads(pkts[outputs[n]].payload)["t"] == pid
        # the converted message precedes the PUBACK that lets the broker forget the input
        assert outputs[n] < acks[pid], (n, outputs[n], acks[pid])
    s.close()


def test_input_acks_wait_for_the_outputs_and_unacked_outputs_are_resent(tedge, scripted):
    tedge.spawn("tedge-mapper-az")
    s = scripted.accept()
    s.accept_connect(ack_publishes=lambda p: b'"v":' not in p.payload)  # not the outputs
    assert subscribed(s)
    for pid in (1, 2, 3):
        s.send(publish_packet("te/device/main///m/x", b'{"v":%d}' % pid, qos=1, pid=pid))

    def outputs(session):
        return [p for p in list(session.packets) if p.type == PUBLISH and b'"v":' in p.payload]
    deadline = time.time() + 10
    while time.time() < deadline and len(outputs(s)) < 3:
        time.sleep(0.05)
    first = outputs(s)
    assert len(first) == 3 and all(not p.dup and p.qos == 1 for p in first)
    time.sleep(0.5)
    # the broker has not acknowledged the outputs: it must keep the inputs
    assert [p for p in list(s.packets) if p.type == PUBACK] == []
    s.send(bytes([PUBACK << 4, 2]) + struct.pack(">H", first[0].pid))
    assert s.wait(lambda p: p.type == PUBACK and p.pid == 1) is not None
    time.sleep(0.3)
    assert [p.pid for p in list(s.packets) if p.type == PUBACK] == [1]
    s.close()  # the broker goes away before acknowledging the rest

    s2 = scripted.accept()
    s2.accept_connect()
    again = []
    deadline = time.time() + 10
    while time.time() < deadline and len(again) < 2:
        again = outputs(s2)
        time.sleep(0.05)
    assert [(p.pid, p.payload) for p in again] == [(p.pid, p.payload) for p in first[1:]]
    assert all(p.dup for p in again)
    connect = s2.wait(lambda p: p.type == CONNECT)
    assert connect.body[7] & 0x02 == 0, "persistent session (clean_session false)"
    s2.close()


def test_a_malformed_packet_from_the_broker_drops_the_connection_and_it_reconnects(tedge, scripted):
    tedge.spawn("tedge-mapper-az")
    s = scripted.accept()
    s.accept_connect()
    assert subscribed(s)
    s.send(bytes([0x30, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F]))  # five-byte length
    assert s.wait_closed(), "the client keeps a connection in an unknown state"
    s2 = scripted.accept()
    s2.accept_connect()
    assert subscribed(s2)
    s2.send(publish_packet("te/device/main///m/ok", b'{"ok":1}', qos=1, pid=9))
    assert s2.wait(lambda p: p.type == PUBLISH and b'"ok":1' in p.payload) is not None
    assert "protocol error" in tedge.log_of("tedge-mapper-az")
    s2.close()


def test_an_over_size_input_is_acknowledged_reported_and_skipped(tedge, scripted):
    tedge.spawn("tedge-mapper-az")
    s = scripted.accept()
    s.accept_connect()
    assert subscribed(s)
    big = b'{"v":"' + b"x" * (3 << 20) + b'"}'
    s.send(publish_packet("te/device/main///m/big", big, qos=1, pid=21)
           + publish_packet("te/device/main///m/after", b'{"after":1}', qos=1, pid=22))
    assert s.wait(lambda p: p.type == PUBACK and p.pid == 22, timeout=15) is not None
    assert s.wait(lambda p: p.type == PUBACK and p.pid == 21) is not None
    err = s.wait(lambda p: p.type == PUBLISH and p.topic == "te/errors" and b"too large" in p.payload)
    assert err is not None and b"te/device/main///m/big" in err.payload
    assert s.wait(lambda p: p.type == PUBLISH and b'"after":1' in p.payload) is not None
    assert not s.closed
    s.close()


def test_qos2_input_is_delivered_once_and_completed(tedge, scripted):
    sub = tedge.spawn("tedge", "mqtt", "sub", "-q", "2", "q2/#")
    s = scripted.accept()
    s.accept_connect()
    assert subscribed(s, "q2/#")
    s.send(publish_packet("q2/a", b"once", qos=2, pid=5))
    assert s.wait(lambda p: p.type == PUBREC and p.pid == 5) is not None
    s.send(publish_packet("q2/a", b"once", qos=2, pid=5, dup=True))  # a resend before PUBREL
    s.send(bytes([(PUBREL << 4) | 2, 2, 0, 5]))
    assert s.wait(lambda p: p.type == PUBCOMP and p.pid == 5) is not None
    time.sleep(0.3)
    sub.kill()
    sub.wait()
    out = tedge.log_of("tedge")
    assert out.count("[q2/a] once") == 1, out
    s.close()


def test_an_over_size_publish_with_a_malformed_topic_drops_the_connection(tedge, scripted):
    tedge.spawn("tedge-mapper-az")
    s = scripted.accept()
    s.accept_connect()
    assert subscribed(s)
    # 3 MiB announced, an empty topic: the client cannot report or skip it safely
    s.send(bytes([0x32]) + encode_len(3 << 20) + b"\x00\x00\x00\x07" + b"x" * 1000)
    assert s.wait_closed(), "the client waits for ever on a packet it cannot parse"
    s2 = scripted.accept()
    s2.accept_connect()
    assert subscribed(s2)
    assert "protocol error: malformed PUBLISH" in tedge.log_of("tedge-mapper-az")
    s2.close()
