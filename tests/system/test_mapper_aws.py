"""tedge-mapper-aws against a real broker (spec/mapper-az-aws.md §4.5-4.7,
§6, §7): te/ telemetry goes to aws/td/<source>/<chan>/<type> with `time`
added or normalised; other topic shapes are dropped silently; rejected
messages give a te/errors text and the process goes on."""
import json
import os
import re
import signal
import time

import pytest

from mqttutil import Recorder


def start(tedge, broker, prefix="aws"):
    """Spawns the mapper; ready once its own health reaches <prefix>/td/."""
    rec = Recorder(broker.port, topics=("te/#", f"{prefix}/#"))
    tedge.spawn("tedge-mapper-aws")
    own = f"{prefix}/td/device:main:service:tedge-mapper-{prefix}/status/health"
    m = rec.wait_for(lambda t, pl: t == own and b'"status":"up"' in pl, 10)
    assert m is not None, tedge.log_of("tedge-mapper-aws")
    rec.clear()
    return rec


def flow_file(tedge):
    return os.path.join(os.path.realpath(tedge.config_dir), "mappers", "aws", "flows", "mea.toml")


def on(rec, topic, timeout=5):
    return rec.wait_for(lambda t, p: t == topic, timeout)


def marker(rec, n):
    rec.publish("te/device/main///m/marker", json.dumps({"marker": n}))
    m = on(rec, "aws/td/device:main/m/marker")
    assert m is not None, "the mapper stopped converting"


def forwarded_aws(rec):
    return [m for m in rec.messages if m[0].startswith("aws/") and "marker" not in m[0]]


@pytest.mark.parametrize("topic,out", [
    ("te/device/main///m/environment", "aws/td/device:main/m/environment"),
    ("te/device/main///m/", "aws/td/device:main/m/"),
    ("te/device/child1///a/temp_high", "aws/td/device:child1/a/temp_high"),
    ("te/device/main/service/app/e/login", "aws/td/device:main:service:app/e/login"),
    ("te/device/child/service/svc/m/x", "aws/td/device:child:service:svc/m/x"),
    ("te/factory/line1/plc/s1/m/", "aws/td/factory:line1:plc:s1/m/"),
    ("te/device/main/service/tedge-agent/status/health",
     "aws/td/device:main:service:tedge-agent/status/health"),
])
def test_topic_encodes_the_source(tedge_online, broker, topic, out):
    rec = start(tedge_online, broker)
    rec.publish(topic, '{"x":1,"time":5}', qos=0, retain=True)
    m = on(rec, out)
    assert m is not None, rec.messages
    assert m[1] == b'{"time":5,"x":1}'
    assert m[2] == 1 and m[3] is False  # QoS 1, not retained
    rec.close()


def test_spec_examples_byte_exact(tedge_online, broker):
    rec = start(tedge_online, broker)
    before = time.time()
    rec.publish("te/device/main///m/environment", '{"temperature": 21.3}')
    m = on(rec, "aws/td/device:main/m/environment")
    assert re.fullmatch(rb'\{"temperature":21\.3,"time":(\d{10}(\.\d{1,7})?)\}', m[1]), m[1]
    assert abs(json.loads(m[1])["time"] - before) < 5
    rec.publish("te/device/child1///a/temp_high",
                '{"text":"hot","severity":"major","time":"2021-04-23T19:00:00+05:00"}')
    m = on(rec, "aws/td/device:child1/a/temp_high")
    assert m[1] == b'{"severity":"major","text":"hot","time":1619186400.0}'
    rec.close()


def test_rfc3339_keeps_the_time_string(tedge_online, broker):
    tedge_online.config_set("aws.mapper.timestamp_format", "rfc-3339")
    rec = start(tedge_online, broker)
    rec.publish("te/device/child1///a/temp_high",
                '{"text":"hot","severity":"major","time":"2021-04-23T19:00:00+05:00"}')
    m = on(rec, "aws/td/device:child1/a/temp_high")
    assert m[1] == b'{"severity":"major","text":"hot","time":"2021-04-23T19:00:00+05:00"}'
    rec.close()


def test_bridge_notification_skipped_json_health_forwarded(tedge_online, broker):
    rec = start(tedge_online, broker)
    rec.publish("te/device/main/service/mosquitto-aws-bridge/status/health", "1", retain=True)
    rec.publish("te/device/main/service/app/status/health", '{"status":"up","time":1}')
    assert on(rec, "aws/td/device:main:service:app/status/health")
    marker(rec, 1)
    assert [m for m in rec.messages if "mosquitto" in m[0] and m[0].startswith("aws/")] == []
    rec.close()


def test_other_topic_shapes_are_dropped_silently(tedge_online, broker):
    tedge_online.config_set("aws.topics", "te/+/+/+/+/m/+,te/+/+/+/+/cmd/+,te/+/+/+/+/m/+/meta,other/#")
    rec = Recorder(broker.port, topics=("aws/#",))
    errs = Recorder(broker.port, topics=("te/errors",))
    tedge_online.spawn("tedge-mapper-aws")
    deadline = time.monotonic() + 10
    while not on(rec, "aws/td/device:main/m/ready", 0.3):
        assert time.monotonic() < deadline, tedge_online.log_of("tedge-mapper-aws")
        rec.publish("te/device/main///m/ready", "{}")
    rec.clear()
    rec.publish("te/device/main///cmd/restart", '{"a":1}')
    rec.publish("te/device/main///m/x/meta", '{"a":1}')
    rec.publish("other/topic", '{"a":1}')
    marker(rec, 2)
    assert forwarded_aws(rec) == []
    assert errs.messages == []
    errs.close()
    rec.close()


@pytest.mark.parametrize("payload", [b"This is not Thin Edge JSON", b"\xff\xfe", b"", b"[1]"])
def test_not_a_json_object_passes_unchanged(tedge_online, broker, payload):
    rec = start(tedge_online, broker)
    rec.publish("te/device/main///a/x", payload, retain=bool(payload == b""))
    m = on(rec, "aws/td/device:main/a/x")
    assert m is not None and m[1] == payload
    assert m[3] is False
    rec.close()


def test_bad_time_and_oversize_give_errors_then_the_mapper_goes_on(tedge_online, broker):
    rec = start(tedge_online, broker)
    errs = Recorder(broker.port, topics=("te/errors",))
    prefix = f"Error in {flow_file(tedge_online)}: Input message cannot be processed: "
    rec.publish("te/device/main///m/x", '{"time":"yesterday"}')
    e = errs.wait_for(lambda t, pl: True, 5)
    assert e[1].decode() == prefix + "Failed to format message timestamp as unix"
    errs.clear()
    rec.publish("te/device/main///e/x", '{"text":"' + "z" * 140000 + '"}')
    e = errs.wait_for(lambda t, pl: True, 5)
    assert e[1].decode() == prefix + "Payload is too large >131072"
    marker(rec, 3)
    assert forwarded_aws(rec) == []
    errs.close()
    rec.close()


def test_custom_prefix(tedge_online, broker):
    tedge_online.config_set("aws.bridge.topic_prefix", "edge")
    rec = start(tedge_online, broker, prefix="edge")
    rec.publish("te/device/main///m/t", '{"time":1}')
    m = on(rec, "edge/td/device:main/m/t")
    assert m[1] == b'{"time":1}'
    rec.close()


def test_sigterm_stops_cleanly_with_health_down(tedge_online, broker):
    rec = Recorder(broker.port, topics=("te/#", "aws/#"))
    p = tedge_online.spawn("tedge-mapper-aws")
    assert rec.wait_for(lambda t, pl: t == "aws/td/device:main:service:tedge-mapper-aws/status/health", 10)
    p.send_signal(signal.SIGTERM)
    assert p.wait(10) == 0
    down = rec.wait_for(lambda t, pl: t == "te/device/main/service/tedge-mapper-aws/status/health"
                        and b"down" in pl, 5)
    assert down is not None
    rec.close()


def test_robot_aws_telemetry_suite(tedge_online, broker):
    """thin-edge.io tests/RobotFramework/tests/aws/aws_telemetry.robot with the
    default configuration, published at QoS 0 as tedge mqtt pub does."""
    rec = start(tedge_online, broker)
    now = rb'\d{10}(\.\d{1,7})?'
    cases = [  # (robot test, topic, payload, output topic, output pattern)
        ("Publish measurements to te measurement topic", "te/device/main///m/", '{"temperature": 10}',
         "aws/td/device:main/m/", rb'\{"temperature":10,"time":' + now + rb'\}'),
        ("Publish service measurements to te measurement topic with measurement type",
         "te/device/main/service/test_service/m/test-type", '{"temperature": 10}',
         "aws/td/device:main:service:test_service/m/test-type", rb'\{"temperature":10,"time":' + now + rb'\}'),
        ("Publish child device event to te event topic with event type", "te/device/child///e/event-type",
         '{"text": "someone logged-in"}', "aws/td/device:child/e/event-type",
         rb'\{"text":"someone logged-in","time":' + now + rb'\}'),
        ("Publish main device alarm to te alarm topic with alarm type", "te/device/main///a/alarm-type",
         '{"severity":"critical","text": "someone logged-in"}', "aws/td/device:main/a/alarm-type",
         rb'\{"severity":"critical","text":"someone logged-in","time":' + now + rb'\}'),
        ("Publish health status message for main device service",
         "te/device/main/service/test-service/status/health", '{"status":"up"}',
         "aws/td/device:main:service:test-service/status/health", rb'\{"status":"up","time":' + now + rb'\}'),
    ]
    for name, topic, payload, out, want in cases:
        rec.clear()
        rec.publish(topic, payload, qos=0)
        m = on(rec, out)
        assert m is not None and re.fullmatch(want, m[1]), (name, m)
        assert m[2] == 1 and m[3] is False
    rec.close()
