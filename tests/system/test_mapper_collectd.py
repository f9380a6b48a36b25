"""tedge-mapper-collectd against a real broker (spec/mapper-az-aws.md §9):
collectd/<host>/<group>/<key> messages `<time>:<v1>[:<v2>...]` are batched
by event time into one grouped measurement on te/device/main///m/; bad
input is only logged; a NaN/inf value is skipped alone; open batches are
flushed on SIGTERM."""
import json
import math
import signal
import time
from datetime import datetime, timezone

import pytest

from mqttutil import Recorder

OUT = "te/device/main///m/"
HEALTH = "te/device/main/service/tedge-mapper-collectd/status/health"


def rfc3339_of(text):
    """The `time` thin-edge.io writes for a collectd time text: whole seconds
    plus trunc(fraction * 1e9) ns, RFC 3339 UTC with the fraction trimmed."""
    t = float(text)
    whole = math.trunc(t)
    ns = int((t - whole) * 1e9)
    base = datetime.fromtimestamp(whole, tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%S")
    frac = f"{ns:09d}".rstrip("0")
    return base + (f".{frac}" if frac else "") + "Z"


def stamp(offset=-0.05):
    return f"{time.time() + offset:.3f}"


def start(tedge, broker, *, binary="tedge-mapper-collectd", args=()):
    rec = Recorder(broker.port, topics=(OUT, "te/errors", HEALTH))
    p = tedge.spawn(binary, *args)
    assert rec.wait_for(lambda t, pl: t == HEALTH and b'"up"' in pl, 10), tedge.log_of(binary)
    # subscribed once a probe comes back as a measurement
    deadline = time.monotonic() + 10
    while not rec.wait_for(lambda t, pl: t == OUT and b'"probe"' in pl, 0.3):
        assert time.monotonic() < deadline, tedge.log_of(binary)
        rec.publish("collectd/host/probe/x", f"{stamp()}:1", qos=0)
    time.sleep(1.0)  # let the probe batches drain
    rec.clear()
    return p, rec


def measurements(rec):
    return [m for m in rec.messages if m[0] == OUT]


def test_spec_example_becomes_one_grouped_measurement(tedge_online, broker):
    p, rec = start(tedge_online, broker)
    base = time.time() - 0.1
    t1, t2, t3 = f"{base:.3f}", f"{base + 0.005:.3f}", f"{base + 0.006:.3f}"
    rec.publish("collectd/rpi/cpu/percent-active", f"{t1}:0.5", qos=0)
    rec.publish("collectd/rpi/memory/percent-used", f"{t2}:1.107", qos=0)
    rec.publish("collectd/rpi/load/load", f"{t3}:0.2:0.1:0.05", qos=0)
    m = rec.wait_for(lambda t, pl: t == OUT, 3)
    assert m is not None, tedge_online.log_of("tedge-mapper-collectd")
    want = ('{"time":"%s","cpu":{"percent-active":0.5},"memory":{"percent-used":1.107},'
            '"load":{"load_val1":0.2,"load_val2":0.1,"load_val3":0.05}}' % rfc3339_of(t1))
    assert m[1].decode() == want
    assert m[2] == 1 and m[3] is False
    time.sleep(1.0)
    assert len(measurements(rec)) == 1
    assert rec.on_topic("te/errors") == []
    rec.close()


def test_values_far_apart_are_separate_measurements(tedge_online, broker):
    p, rec = start(tedge_online, broker)
    rec.publish("collectd/h/cpu/a", f"{stamp()}:1", qos=0)
    time.sleep(0.7)
    rec.publish("collectd/h/cpu/a", f"{stamp()}:2", qos=0)
    deadline = time.monotonic() + 4
    while len(measurements(rec)) < 2 and time.monotonic() < deadline:
        time.sleep(0.1)
    ms = [json.loads(m[1]) for m in measurements(rec)]
    assert [m["cpu"]["a"] for m in ms] == [1.0, 2.0]
    rec.close()


@pytest.mark.parametrize("topic,payload", [
    ("collectd/h/g", "{now}:1"),
    ("collectd/h/g/k/x", "{now}:1"),
    ("collectd/h/g/k", "{now}"),
    ("collectd/h/g/k", "later:1"),
    ("collectd/h/g/k", "{now}:abc"),
    ("collectd/h/g/k", "{now}:1:abc"),
    ("collectd/h/g/k", b"\xc3\x28:1"),
    ("collectd/h/g/k", "{old}:1"),
    ("collectd/h/g/k", "{future}:1"),
    ("collectd/h/g/k", "inf:1"),
    ("collectd/h/g/k", "{now}:nan"),
])
def test_bad_input_is_only_logged(tedge_online, broker, topic, payload):
    p, rec = start(tedge_online, broker)
    if isinstance(payload, str):
        payload = payload.format(now=stamp(), old=stamp(-2), future=stamp(+2))
    rec.publish(topic, payload, qos=0)
    rec.publish("collectd/h/good/k", f"{stamp()}:7", qos=0)
    m = rec.wait_for(lambda t, pl: t == OUT, 3)
    assert m is not None, tedge_online.log_of("tedge-mapper-collectd")
    body = json.loads(m[1])
    assert set(body) == {"time", "good"}, body
    assert body["good"] == {"k": 7.0}
    time.sleep(0.3)
    assert len(measurements(rec)) == 1
    assert rec.on_topic("te/errors") == []
    assert p.poll() is None
    rec.close()


def test_nan_and_inf_values_are_skipped_alone(tedge_online, broker):
    p, rec = start(tedge_online, broker)
    now = stamp()
    rec.publish("collectd/h/load/load", f"{now}:1:NaN:3", qos=0)
    rec.publish("collectd/h/disk/io", f"{now}:-inf", qos=0)
    rec.publish("collectd/h/cpu/a", f"{now}:0.5", qos=0)
    m = rec.wait_for(lambda t, pl: t == OUT, 3)
    assert json.loads(m[1]) == {"time": rfc3339_of(now), "load": {"load_val1": 1.0, "load_val3": 3.0},
                                "cpu": {"a": 0.5}}
    rec.close()


def test_trailing_nul_is_accepted(tedge_online, broker):
    p, rec = start(tedge_online, broker)
    now = stamp()
    rec.publish("collectd/h/temperature/value", f"{now}:32.5\0".encode(), qos=0)
    m = rec.wait_for(lambda t, pl: t == OUT, 3)
    assert m[1].decode() == '{"time":"%s","temperature":{"value":32.5}}' % rfc3339_of(now)
    rec.close()


def test_open_batch_is_flushed_on_sigterm(tedge_online, broker):
    p, rec = start(tedge_online, broker)
    rec.publish("collectd/h/cpu/last", f"{stamp(-0.01)}:9", qos=0)
    time.sleep(0.2)  # received, not yet due (due 0.9 s after its time)
    assert measurements(rec) == []
    p.send_signal(signal.SIGTERM)
    assert p.wait(10) == 0
    m = rec.wait_for(lambda t, pl: t == OUT, 3)
    assert m is not None
    assert json.loads(m[1])["cpu"] == {"last": 9.0}
    rec.close()


def test_tedge_mapper_collectd_dispatches(tedge_online, broker):
    p, rec = start(tedge_online, broker, binary="tedge-mapper", args=("collectd",))
    rec.publish("collectd/h/g/k", f"{stamp()}:1", qos=0)
    assert rec.wait_for(lambda t, pl: t == OUT and b'"g":{"k":1.0}' in pl, 3)
    rec.close()
