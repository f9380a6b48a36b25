"""tedge-mapper-c8y end to end: the real binary, the real broker
(mapper-c8y.md §1, §3-§5, §10). The mosquitto bridge is stood in for by a
retained `1` on its health topic."""
import json
import os
import signal
import subprocess
import threading
import time

import pytest

from mqttutil import Recorder, retained

BRIDGE_HEALTH = "te/device/main/service/mosquitto-c8y-bridge/status/health"
MEAS = "c8y/measurement/measurements/create"
MAPPER = "tedge-mapper-c8y"


def wait_count(rec, pred, n, timeout):
    deadline = time.monotonic() + timeout
    with rec.cond:
        while True:
            got = [m for m in rec.messages if pred(m[0], m[1])]
            if len(got) >= n or time.monotonic() >= deadline:
                return got
            rec.cond.wait(0.2)


@pytest.fixture
def c8y(tedge_online, broker):
    tedge_online.config_set("device.id", "mydev")
    pub = Recorder(broker.port, topics=())
    pub.publish(BRIDGE_HEALTH, b"1", retain=True)
    rec = Recorder(broker.port, topics=("c8y/#", "te/errors"))
    proc = tedge_online.spawn(MAPPER)
    assert rec.wait_for(lambda t, p: t == "c8y/s/us" and p == b"500", 10), tedge_online.log_of(MAPPER)
    yield tedge_online, broker, rec, pub, proc
    rec.close()
    pub.close()


def payloads(rec, topic):
    return [m[1].decode() for m in rec.on_topic(topic)]


def test_startup_sends_117_then_114_then_500(c8y):
    tedge, broker, rec, pub, proc = c8y
    us = payloads(rec, "c8y/s/us")
    assert us.index("117,60") < us.index("114") < us.index("500"), us
    assert os.path.isdir(os.path.join(tedge.config_dir, "operations", "c8y"))


def test_no_init_before_bridge_health(tedge_online, broker):
    tedge_online.config_set("device.id", "mydev")
    rec = Recorder(broker.port, topics=("c8y/#",))
    tedge_online.spawn(MAPPER)
    assert rec.wait_for(lambda t, p: p == b"117,60", 10)
    time.sleep(1)
    assert b"500" not in [m[1] for m in rec.messages]
    rec.publish(BRIDGE_HEALTH, b"0", retain=True)
    assert rec.wait_for(lambda t, p: t == "c8y/s/us" and p == b"500", 10)
    rec.close()


def test_kill_9_publishes_the_c8y_last_will(c8y):
    tedge, broker, rec, pub, proc = c8y
    proc.send_signal(signal.SIGKILL)
    proc.wait(5)
    will = "102,mydev:device:main:service:tedge-mapper-c8y,service,tedge-mapper-c8y,down"
    assert rec.wait_for(lambda t, p: t == "c8y/s/us" and p.decode() == will, 10)


def test_mapper_registers_itself_as_a_service(c8y):
    tedge, broker, rec, pub, proc = c8y
    assert rec.wait_for(lambda t, p: t == "c8y/s/us" and
                        p == b"102,mydev:device:main:service:tedge-mapper-c8y,service,tedge-mapper-c8y,up", 10)


def test_telemetry_of_main_and_child_devices(c8y):
    tedge, broker, rec, pub, proc = c8y
    pub.publish("te/device/main///m/environment",
                b'{"temperature":23,"Climate":{"Humidity":95.0},"time":"2021-04-22T17:05:26.958+02:00"}')
    m = rec.wait_for(lambda t, p: t == MEAS)
    assert json.loads(m[1]) == {"type": "environment", "time": "2021-04-22T17:05:26.958+02:00",
                                "temperature": {"temperature": {"value": 23.0}},
                                "Climate": {"Humidity": {"value": 95.0}}}
    assert b'"value":23.0' in m[1]
    # child data published before its registration is held, then replayed
    pub.publish("te/device/child01///m/", b'{"v":1}')
    pub.publish("te/device/child01//", b'{"@type":"child-device","name":"child01","type":"SmartHomeHub"}',
                retain=True)
    assert rec.wait_for(lambda t, p: t == "c8y/s/us" and
                        p == b"101,mydev:device:child01,child01,SmartHomeHub,false")
    m = rec.wait_for(lambda t, p: t == MEAS and b"externalSource" in p)
    assert json.loads(m[1])["externalSource"] == {"externalId": "mydev:device:child01", "type": "c8y_Serial"}
    pub.publish("te/device/main///e/login_event",
                b'{"text":"A user just logged in","time":"2021-01-01T05:30:45+00:00"}')
    assert rec.wait_for(lambda t, p: t == "c8y/s/us" and
                        p == b'400,login_event,"A user just logged in",2021-01-01T05:30:45Z')
    pub.publish("te/device/child01///a/temperature_high",
                b'{"severity":"critical","text":"Temperature is very high","time":"2024-05-01T10:00:00Z"}',
                retain=True)
    assert rec.wait_for(lambda t, p: t == "c8y/s/us/mydev:device:child01" and
                        p == b"301,temperature_high,Temperature is very high,2024-05-01T10:00:00Z")
    pub.publish("te/device/child01///a/temperature_high", b"", retain=True)
    assert rec.wait_for(lambda t, p: t == "c8y/s/us/mydev:device:child01" and p == b"306,temperature_high")
    pub.publish("te/device/main///twin/subtype", b'"my-custom-type"', retain=True)
    assert rec.wait_for(lambda t, p: t == "c8y/inventory/managedObjects/update/mydev" and
                        p == b'{"subtype":"my-custom-type"}')


def test_bad_input_is_reported_and_the_next_message_converted(c8y):
    tedge, broker, rec, pub, proc = c8y
    bad = [("te/device/main///m/t", b'{"a":1'),
           ("te/device/main///m/t", b'{"a":1e400}'),
           ("te/device/main///m/t", b'{"a":{"b":{"c":1}}}'),
           ("te/device/main///m/t", b'\xff\xfe'),
           ("te/device/main///e/t", b'{"text":5}'),
           ("te/device/x//", b'{"@type":"child-device","@parent":"device/x//"}'),
           ("te/device/y//", b'{"@type":"child-device","@id":"a#b"}')]
    for topic, payload in bad:
        pub.publish(topic, payload)
    errors = wait_count(rec, lambda t, p: t == "te/errors", len(bad), 10)
    assert len(errors) == len(bad), [e[1] for e in errors]
    texts = b"\n".join(e[1] for e in errors)
    for needle in (b"Invalid JSON", b"out of range", b"Expect single-value", b"Not an UTF8 payload",
                   b"Not an event payload", b"registration loop", b"contains invalid character: #"):
        assert needle in texts
    assert rec.on_topic(MEAS) == []
    pub.publish("te/device/main///m/t", b'{"a":1}')
    assert rec.wait_for(lambda t, p: t == MEAS)
    assert "Invalid JSON" in tedge.log_of(MAPPER)


def test_capability_creates_operation_file_and_114_and_the_dir_is_watched(c8y):
    tedge, broker, rec, pub, proc = c8y
    pub.publish("te/device/main///cmd/restart", b"{}", retain=True)
    assert rec.wait_for(lambda t, p: t == "c8y/s/us" and p == b"114,c8y_Restart")
    ops = os.path.join(tedge.config_dir, "operations", "c8y")
    assert os.path.isfile(os.path.join(ops, "c8y_Restart"))
    pub.publish("te/device/main///cmd/log_upload", b'{"types":["b","a"]}', retain=True)
    assert rec.wait_for(lambda t, p: t == "c8y/s/us" and p == b"118,a,b")
    open(os.path.join(ops, "c8y_Custom"), "w").close()
    assert rec.wait_for(lambda t, p: t == "c8y/s/us" and p == b"114,c8y_Custom,c8y_LogfileRequest,c8y_Restart")
    rec.clear()
    pub.publish("te/device/main/service/tedge-mapper-c8y/signal/sync", b"{}")
    assert rec.wait_for(lambda t, p: t == "c8y/s/us" and p == b"114,c8y_Custom,c8y_LogfileRequest,c8y_Restart")


def test_entities_survive_a_restart(c8y):
    tedge, broker, rec, pub, proc = c8y
    pub.publish("te/device/child01//", b'{"@type":"child-device"}', retain=True)
    assert rec.wait_for(lambda t, p: p.startswith(b"101,mydev:device:child01"))
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(10) == 0
    rec.clear()
    tedge.spawn(MAPPER)
    assert rec.wait_for(lambda t, p: t == "c8y/s/us" and p == b"500", 10)
    pub.publish("te/device/child01///m/", b'{"v":2}')
    m = rec.wait_for(lambda t, p: t == MEAS)
    assert m and b"mydev:device:child01" in m[1]


def test_kill_9_under_qos1_load_loses_nothing(c8y):
    tedge, broker, rec, pub, proc = c8y
    n = 3000
    done = threading.Event()

    def publish_all():
        for i in range(n):
            pub.client.publish("te/device/main///m/load", json.dumps({"i": i}), qos=1)
            if i % 200 == 0:
                time.sleep(0.02)
        done.set()

    th = threading.Thread(target=publish_all)
    th.start()
    for _ in range(3):
        time.sleep(0.3)
        proc.send_signal(signal.SIGKILL)
        proc.wait(5)
        proc = tedge.spawn(MAPPER)
    th.join(60)
    assert done.is_set()

    def seen():
        out = set()
        for t, p, _, _ in list(rec.messages):
            if t == MEAS and b'"type":"load"' in p:
                out.add(int(json.loads(p)["i"]["i"]["value"]))
        return out
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and len(seen()) < n:
        time.sleep(0.5)
    missing = sorted(set(range(n)) - seen())
    assert not missing, f"{len(missing)} lost, first {missing[:20]}"


def test_burst_of_10000_all_converted_and_still_responsive(c8y):
    tedge, broker, rec, pub, proc = c8y
    n = 10000
    # A C subscriber: the Python recorder cannot drain 10 000 messages before
    # the broker's per-client queue (1000) overflows and drops them.
    out = os.path.join(tedge.config_dir, "burst.out")
    with open(out, "w") as f:
        sub = subprocess.Popen(["mosquitto_sub", "-p", str(broker.port), "-q", "1", "-C", str(n),
                                "-W", "120", "-t", MEAS], stdout=f)
    rec.client.unsubscribe("c8y/#")  # the slow Python recorder would compete for the broker
    time.sleep(0.5)
    # Bursts of 500: the test broker keeps the default max_queued_messages
    # (1000), so a publisher outrunning any consumer for long makes mosquitto
    # itself drop ("Outgoing messages are being dropped for client ...").
    for i in range(n):
        pub.client.publish("te/device/main///m/burst", b'{"v":%d}' % i, qos=1)
        if i % 500 == 499:
            time.sleep(0.2)
    sub.wait(130)
    with open(out) as f:
        values = {json.loads(line)["v"]["v"]["value"] for line in f if '"burst"' in line}
    assert values == {float(i) for i in range(n)}
    rec.client.subscribe("c8y/#", qos=1)
    time.sleep(0.5)
    pub.publish("te/device/c9//", b'{"@type":"child-device"}', retain=True)
    assert rec.wait_for(lambda t, p: p.startswith(b"101,mydev:device:c9"), 10)


def test_flood_of_unregistered_ids_keeps_memory_bounded(c8y):
    tedge, broker, rec, pub, proc = c8y
    for i in range(10000):
        pub.client.publish("te/device/flood%d///m/t" % i, b'{"a":1}', qos=1)
    # mosquitto queues at most 1 000 messages per client (its default): a slow
    # run may see the broker drop part of the flood, and this message with it,
    # so it is repeated until the mapper, still responsive, converts one
    deadline = time.monotonic() + 60
    seen = None
    while seen is None and time.monotonic() < deadline:
        pub.publish("te/device/main///m/after", b'{"a":1}')
        seen = rec.wait_for(lambda t, p: t == MEAS and b'"after"' in p, 3)
    assert seen is not None
    with open(f"/proc/{proc.pid}/status") as f:
        rss_kb = int([line for line in f if line.startswith("VmRSS:")][0].split()[1])
    # 1024 pending entities x 128 messages at most, 8 MiB of payloads; an
    # ASan build keeps freed memory in quarantine, hence its larger bound.
    limit_kb = (256 if "asan" in os.environ.get("TEDGE_BIN_DIR", "") else 64) * 1024
    assert rss_kb < limit_kb, f"RSS {rss_kb} kB"
    assert proc.poll() is None


# §4.4 alarm journal and start-up sync

JOURNAL = "c8y-internal/alarms/"


def test_alarm_journal_is_retained_with_time_filled_in(c8y):
    tedge, broker, rec, pub, proc = c8y
    topic = "te/device/main///a/temperature_high"
    pub.publish(topic, b'{"severity":"critical","text":"hot"}', retain=True)
    m = rec.wait_for(lambda t, p: t == "c8y/s/us" and p.startswith(b"301,temperature_high,hot,"), 10)
    assert m, tedge.log_of(MAPPER)
    time_sent = m[1].decode().split(",")[3]
    journal = retained(broker.port, JOURNAL + topic)
    assert json.loads(journal) == {"severity": "critical", "text": "hot", "time": time_sent}
    pub.publish(topic, b"", retain=True)
    assert rec.wait_for(lambda t, p: t == "c8y/s/us" and p == b"306,temperature_high")
    time.sleep(0.5)
    assert retained(broker.port, JOURNAL + topic, 1.0) is None


def test_restart_with_synced_alarms(c8y):
    """Across a restart: an alarm already in the cloud is not re-sent, one
    cleared while the mapper was down is cleared (306) after the window, one
    raised while down is converted after the window, later ones at once."""
    tedge, broker, rec, pub, proc = c8y
    pub.publish("te/device/main///a/kept", b'{"severity":"major","text":"k"}', retain=True)
    pub.publish("te/device/main///a/gone", b'{"severity":"minor","text":"g","time":"2024-01-01T00:00:00Z"}',
                retain=True)
    assert rec.wait_for(lambda t, p: p.startswith(b"302,kept,k,"), 10), tedge.log_of(MAPPER)
    assert rec.wait_for(lambda t, p: p == b"303,gone,g,2024-01-01T00:00:00Z", 10)
    assert retained(broker.port, JOURNAL + "te/device/main///a/gone") is not None
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(10) == 0
    # while the mapper is down
    pub.publish("te/device/main///a/gone", b"", retain=True)
    pub.publish("te/device/main///a/new", b'{"severity":"warning","text":"n"}', retain=True)
    rec.clear()
    started = time.monotonic()
    tedge.spawn(MAPPER)
    assert rec.wait_for(lambda t, p: t == "c8y/s/us" and p == b"500", 10)
    assert rec.wait_for(lambda t, p: t == "c8y/s/us" and p == b"306,gone", 10), tedge.log_of(MAPPER)
    assert time.monotonic() - started >= 2.5  # not before the 3 s window
    assert rec.wait_for(lambda t, p: t == "c8y/s/us" and p.startswith(b"304,new,n,"), 5)
    time.sleep(1)
    us = payloads(rec, "c8y/s/us")
    assert not [p for p in us if p.startswith("302,kept")], us
    assert us.count("306,gone") == 1, us
    assert retained(broker.port, JOURNAL + "te/device/main///a/gone", 1.0) is None
    assert json.loads(retained(broker.port, JOURNAL + "te/device/main///a/new"))["text"] == "n"
    # after the window alarms convert at once
    t0 = time.monotonic()
    pub.publish("te/device/main///a/late", b'{"text":"l"}')
    assert rec.wait_for(lambda t, p: t == "c8y/s/us" and p.startswith(b"303,late,l,"), 5)
    assert time.monotonic() - t0 < 1.5
