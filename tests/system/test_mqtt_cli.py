"""`tedge mqtt pub` and `tedge mqtt sub` against a private broker (spec/cli.md §5.1)."""
import base64
import subprocess
import time

from mqttutil import Recorder, retained


def sub_proc(tedge, *args):
    return subprocess.Popen([tedge.bin("tedge"), "--config-dir", tedge.config_dir,
                             "mqtt", "sub", *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=tedge.env)


def test_pub_qos1_is_received_by_a_subscriber(tedge_online, broker):
    rec = Recorder(broker.port, topics=("test/pub",))
    r = tedge_online.run("mqtt", "pub", "test/pub", "hello world")
    assert r.returncode == 0, r.stderr
    m = rec.wait_for(lambda t, p: t == "test/pub")
    assert m is not None and m[1] == b"hello world" and m[2] == 1
    rec.close()


def test_pub_retain_flag_makes_message_retained(tedge_online, broker):
    r = tedge_online.run("mqtt", "pub", "-r", "-q", "1", "test/retained", "kept")
    assert r.returncode == 0, r.stderr
    assert retained(broker.port, "test/retained") == b"kept"


def test_pub_qos0_and_qos2(tedge_online, broker):
    rec = Recorder(broker.port, topics=("test/q/#",))
    assert tedge_online.run("mqtt", "pub", "-q", "0", "test/q/0", "zero").returncode == 0
    assert tedge_online.run("mqtt", "pub", "--qos", "2", "test/q/2", "two").returncode == 0
    assert rec.wait_for(lambda t, p: t == "test/q/0" and p == b"zero")
    assert rec.wait_for(lambda t, p: t == "test/q/2" and p == b"two")
    rec.close()


def test_pub_base64_payload_is_decoded(tedge_online, broker):
    rec = Recorder(broker.port, topics=("test/b64",))
    raw = bytes([0, 1, 2, 255, 254])
    r = tedge_online.run("mqtt", "pub", "--base64", "test/b64", base64.b64encode(raw).decode())
    assert r.returncode == 0, r.stderr
    assert rec.wait_for(lambda t, p: t == "test/b64" and p == raw)
    rec.close()


def test_sub_prints_topic_and_payload_and_stops_after_count(tedge_online, broker):
    p = sub_proc(tedge_online, "--count", "2", "test/sub/#")
    time.sleep(0.5)
    rec = Recorder(broker.port, topics=())
    rec.publish("test/sub/a", b'{"x":1}')
    rec.publish("test/sub/b", b"second")
    out, err = p.communicate(timeout=10)
    assert p.returncode == 0, err
    assert out == '[test/sub/a] {"x":1}\n[test/sub/b] second\n'
    rec.close()


def test_sub_no_topic_prints_payload_only(tedge_online, broker):
    p = sub_proc(tedge_online, "--no-topic", "-C", "1", "test/nt")
    time.sleep(0.5)
    rec = Recorder(broker.port, topics=())
    rec.publish("test/nt", b"just this")
    out, _ = p.communicate(timeout=10)
    assert out == "just this\n"
    rec.close()


def test_sub_receives_retained_messages(tedge_online, broker):
    assert tedge_online.run("mqtt", "pub", "-r", "test/ret2", "old").returncode == 0
    r = tedge_online.run("mqtt", "sub", "--count", "1", "test/ret2")
    assert r.returncode == 0 and r.stdout == "[test/ret2] old\n"


def test_sub_marks_non_utf8_payloads(tedge_online, broker):
    p = sub_proc(tedge_online, "-C", "1", "test/bin")
    time.sleep(0.5)
    rec = Recorder(broker.port, topics=())
    rec.publish("test/bin", b"\xff\xfe\x00")
    out, _ = p.communicate(timeout=10)
    assert out == "[test/bin] <ERR=NON-UTF8> " + base64.b64encode(b"\xff\xfe\x00").decode() + "\n"
    rec.close()


def test_sub_duration_ends_with_exit_0(tedge_online):
    start = time.monotonic()
    r = tedge_online.run("mqtt", "sub", "--duration", "1s", "nothing/here")
    assert r.returncode == 0, r.stderr
    assert r.stdout == ""
    assert 0.9 < time.monotonic() - start < 5


def test_sub_sigterm_exits_0(tedge_online):
    p = sub_proc(tedge_online, "x/#")
    time.sleep(0.5)
    p.terminate()
    p.communicate(timeout=10)
    assert p.returncode == 0


def test_pub_wildcard_topic_is_a_usage_error(tedge_online):
    r = tedge_online.run("mqtt", "pub", "a/+", "x")
    assert r.returncode == 2
    assert 'Invalid topic name: "a/+"' in r.stderr
    assert r.stdout == ""


def test_pub_qos_3_is_a_usage_error(tedge_online):
    r = tedge_online.run("mqtt", "pub", "-q", "3", "a/b", "x")
    assert r.returncode == 2
    assert "The input QoS should be 0, 1, or 2" in r.stderr


def test_sub_invalid_filter_is_a_usage_error(tedge_online):
    r = tedge_online.run("mqtt", "sub", "a/#/b")
    assert r.returncode == 2


def test_pub_missing_message_is_a_usage_error(tedge_online):
    r = tedge_online.run("mqtt", "pub", "a/b")
    assert r.returncode == 2
    assert "<MESSAGE>" in r.stderr


def test_pub_unknown_option_is_a_usage_error(tedge_online):
    r = tedge_online.run("mqtt", "pub", "--bogus", "a/b", "x")
    assert r.returncode == 2
    assert "--bogus" in r.stderr


def test_pub_broker_down_fails_after_connection_timeout(tedge, broker):
    tedge.use_broker(broker)
    broker.stop()
    start = time.monotonic()
    r = tedge.run("mqtt", "pub", "--connection-timeout", "1s", "a/b", "x")
    assert r.returncode == 1
    assert "Error: failed to publish the message" in r.stderr
    assert "Connection timeout" in r.stderr
    assert time.monotonic() - start < 5


def test_pub_and_sub_help_exit_0(tedge):
    for sub in ("pub", "sub"):
        r = tedge.run("mqtt", sub, "--help")
        assert r.returncode == 0
        assert "Usage: tedge mqtt " + sub in r.stdout
