"""tedge-mapper-az against a real broker (spec/mapper-az-aws.md §4, §6, §7):
te/ telemetry of every entity goes to az/messages/events/ with `time` added
or normalised, bridge notifications are skipped, rejected messages give a
te/errors text, and the process goes on after every bad input."""
import json
import os
import re
import signal
import time

import pytest

from mqttutil import Recorder

OUT = "az/messages/events/"
UNIX_NOW = re.compile(rb'"time":(\d{10}(\.\d+)?)[,}]')


def start(tedge, broker, name="tedge-mapper-az", prefix="az"):
    """Spawns the mapper and waits until it forwards: its own health message
    reaches <prefix>/messages/events/ once it is subscribed."""
    rec = Recorder(broker.port, topics=("te/#", f"{prefix}/#"))
    p = tedge.spawn("tedge-mapper-az")
    m = rec.wait_for(lambda t, pl: t == f"{prefix}/messages/events/" and b'"status":"up"' in pl, 10)
    assert m is not None, tedge.log_of("tedge-mapper-az")
    rec.clear()
    return p, rec


def flow_file(tedge):
    return os.path.join(os.path.realpath(tedge.config_dir), "mappers", "az", "flows", "mea.toml")


def forwarded(rec, payload_pred, timeout=5):
    return rec.wait_for(lambda t, p: t == OUT and payload_pred(p), timeout)


def marker(rec, n):
    """Publishes a good message and waits for it: everything sent before it
    has been processed (one connection, in order)."""
    rec.publish("te/device/main///m/marker", json.dumps({"marker": n}))
    m = forwarded(rec, lambda p: f'"marker":{n}'.encode() in p)
    assert m is not None, "the mapper stopped converting"
    return m


def test_measurement_gets_unix_time(tedge_online, broker):
    p, rec = start(tedge_online, broker)
    before = time.time()
    rec.publish("te/device/main///m/environment", '{"temperature": 21.3}')
    m = forwarded(rec, lambda pl: b"temperature" in pl)
    assert m is not None
    assert re.fullmatch(rb'\{"temperature":21\.3,"time":\d{10}(\.\d{1,7})?\}', m[1]), m[1]
    assert abs(float(UNIX_NOW.search(m[1]).group(1)) - before) < 5
    assert m[2] == 1 and m[3] is False
    rec.close()


def test_spec_examples_byte_exact(tedge_online, broker):
    p, rec = start(tedge_online, broker)
    cases = [
        ("te/device/child1///a/temp_high",
         '{"text":"hot","severity":"major","time":"2021-04-23T19:00:00+05:00"}',
         b'{"severity":"major","text":"hot","time":1619186400.0}'),
        ("te/device/main/service/tedge-agent/status/health",
         '{"pid":7,"status":"up","time":1765877000.5}',
         b'{"pid":7,"status":"up","time":1765877000.5}'),
        ("te/device/main///e/login", '{ "time" : 1702029646, "text" : "x", "n" : 1e3 }',
         b'{"n":1000.0,"text":"x","time":1702029646}'),
    ]
    for topic, payload, want in cases:
        rec.clear()
        rec.publish(topic, payload)
        m = forwarded(rec, lambda pl: True)
        assert m is not None and m[1] == want, (topic, m)
    rec.close()


@pytest.mark.parametrize("topic", [
    "te/device/main///m/t", "te/device/child///m/t", "te/device/main/service/svc/m/t",
    "te/device/child/service/svc/e/t", "te/factory/line1/plc/s1/a/t", "te/device/child///status/health",
])
def test_every_entity_lands_on_the_one_events_topic(tedge_online, broker, topic):
    p, rec = start(tedge_online, broker)
    rec.publish(topic, '{"x":1,"time":5}')
    m = forwarded(rec, lambda pl: pl == b'{"time":5,"x":1}')
    assert m is not None, topic
    rec.close()


def test_bridge_notifications_are_skipped(tedge_online, broker):
    p, rec = start(tedge_online, broker)
    rec.publish("te/device/main/service/mosquitto-az-bridge/status/health", "1", retain=True)
    rec.publish("te/device/main/service/mosquitto-xyz-bridge/status/health", "0")
    marker(rec, 1)
    assert [m for m in rec.on_topic(OUT) if m[1] in (b"0", b"1")] == []
    rec.close()



def test_robot_azure_telemetry_suite(tedge_online, broker):
    """thin-edge.io tests/RobotFramework/tests/azure/azure_telemetry.robot and
    extensible_mapper.robot, under their suite setup (unix, a 128-byte
    limit), published at QoS 0 as tedge mqtt pub does."""
    tedge_online.config_set("az.mapper.timestamp_format", "unix")
    tedge_online.config_set("az.mapper.mqtt.max_payload_size", "128")
    p, rec = start(tedge_online, broker)
    errs = Recorder(broker.port, topics=("te/errors",))
    now = rb'\d{10}(\.\d{1,7})?'
    cases = [  # (robot test, topic, payload, output pattern)
        ("Publish measurements to te measurement topic with measurement type",
         "te/device/main///m/test-type", '{"pressure": 10}', rb'\{"pressure":10,"time":' + now + rb'\}'),
        ("Publish service measurements to te measurement topic with measurement type",
         "te/device/main/service/test_service/m/test-type", '{"temp": 10}', rb'\{"temp":10,"time":' + now + rb'\}'),
        ("Publish child device alarm to te alarm topic with alarm type",
         "te/device/child///a/alarm-type", '{"severity":"minor","text": "someone logged-in"}',
         rb'\{"severity":"minor","text":"someone logged-in","time":' + now + rb'\}'),
        ("Publish health status message for main device service",
         "te/device/main/service/test-service/status/health", '{"status":"up"}',
         rb'\{"status":"up","time":' + now + rb'\}'),
        ("Reformat timestamps", "te/device/main///m/", '{"time":"2025-12-16T09:37:55.135+00:00"}',
         rb'\{"time":1765877875\.135\}'),
        ("Legacy behavior", "te/device/child-az///m/env", '{"temperature":10, "time":1768404563.338 }',
         rb'\{"temperature":10,"time":1768404563\.338\}'),
    ]
    for name, topic, payload, want in cases:
        rec.clear()
        rec.publish(topic, payload, qos=0)
        m = forwarded(rec, lambda pl: True)
        assert m is not None and re.fullmatch(want, m[1]), (name, m)
    # Discard messages that are too large / Discard mosquitto health status
    rec.clear()
    rec.publish("te/device/main///e/event-type", '{"text": "some digits: ' + "1234" * 100 + '"}', qos=0)
    e = errs.wait_for(lambda t, pl: True, 5)
    assert e is not None and e[1].decode() == (f"Error in {flow_file(tedge_online)}: Input message cannot be "
                                               "processed: Payload is too large >128")
    rec.publish("te/device/main/service/mosquitto-c8y-bridge/status/health", "1", qos=0)
    marker(rec, 1)
    assert [m for m in rec.on_topic(OUT) if b"marker" not in m[1]] == []
    errs.close()
    rec.close()

def test_alarm_clear_is_forwarded_empty_and_retained(tedge_online, broker):
    p, rec = start(tedge_online, broker)
    rec.publish("te/device/main///a/temp_high", "", retain=True)
    m = forwarded(rec, lambda pl: pl == b"")
    assert m is not None
    rec.close()


@pytest.mark.parametrize("payload", [
    b"This is not Thin Edge JSON", b"{\"a\":\"\xff\xfe\"}", b"[1, 2]", b"\"text\"", b" 42 ",
    b"{\"a\":", b"{\"a\":1e400}",
])
def test_not_a_json_object_passes_byte_for_byte(tedge_online, broker, payload):
    p, rec = start(tedge_online, broker)
    errs = Recorder(broker.port, topics=("te/errors",))
    rec.publish("te/device/main///m/x", payload, qos=1)
    m = forwarded(rec, lambda pl: pl == payload)
    assert m is not None
    marker(rec, 2)
    assert errs.on_topic("te/errors") == []
    errs.close()
    rec.close()


@pytest.mark.parametrize("payload", [
    '{"time":"oops"}', '{"time":null}', '{"time":true}', '{"time":{}}', '{"time":[1]}',
    '{"time":"2021-04-23T19:00:00"}',
])
def test_invalid_time_is_dropped_with_an_error(tedge_online, broker, payload):
    p, rec = start(tedge_online, broker)
    errs = Recorder(broker.port, topics=("te/errors",))
    rec.publish("te/device/main///m/x", payload)
    e = errs.wait_for(lambda t, pl: True, 5)
    assert e is not None
    assert e[1].decode() == (f"Error in {flow_file(tedge_online)}: Input message cannot be processed: "
                             "Failed to format message timestamp as unix")
    assert e[3] is False
    marker(rec, 3)
    assert [m for m in rec.on_topic(OUT) if b"marker" not in m[1]] == []
    assert p.poll() is None
    errs.close()
    rec.close()


def test_oversized_packet_is_dropped_with_an_error(tedge_online, broker):
    p, rec = start(tedge_online, broker)
    errs = Recorder(broker.port, topics=("te/errors",))
    rec.publish("te/device/main///m/big", '{"x":"' + "y" * 300000 + '"}')
    e = errs.wait_for(lambda t, pl: True, 5)
    assert e is not None
    assert e[1].decode() == (f"Error in {flow_file(tedge_online)}: Input message cannot be processed: "
                             "Payload is too large >262144")
    marker(rec, 4)
    assert [m for m in rec.on_topic(OUT) if b"marker" not in m[1]] == []
    errs.close()
    rec.close()


def test_configured_limit_counts_the_whole_packet(tedge_online, broker):
    topic = "te/device/main///m/x"
    payload = '{"a":1}'
    tedge_online.config_set("az.mapper.timestamp", "false")
    limit = 1 + 1 + 2 + len(topic) + 2 + len(payload)
    tedge_online.config_set("az.mapper.mqtt.max_payload_size", str(limit))
    rec = Recorder(broker.port, topics=(OUT,))
    errs = Recorder(broker.port, topics=("te/errors",))
    p = tedge_online.spawn("tedge-mapper-az")
    # its own health message is over the limit: the error says it is converting
    e = errs.wait_for(lambda t, pl: b"tedge-mapper-az/status/health" in pl or b"too large" in pl, 10)
    assert e is not None, tedge_online.log_of("tedge-mapper-az")
    errs.clear()
    rec.publish(topic, payload, qos=1)
    assert forwarded(rec, lambda pl: pl == payload.encode()) is not None
    rec.publish(topic, '{"a":12}', qos=1)
    e = errs.wait_for(lambda t, pl: True, 5)
    assert e is not None and e[1].decode().endswith(f"Payload is too large >{limit}")
    # QoS 0 packets have no packet id: two bytes more of payload fit
    rec.publish(topic, '{"a":123}', qos=0)
    assert forwarded(rec, lambda pl: pl == b'{"a":123}') is not None
    errs.close()
    rec.close()


def test_rfc3339_format(tedge_online, broker):
    tedge_online.config_set("az.mapper.timestamp_format", "rfc-3339")
    p, rec = start(tedge_online, broker)
    errs = Recorder(broker.port, topics=("te/errors",))
    rec.publish("te/device/main///m/x", '{"time":1702029646,"temperature":23.0}')
    m = forwarded(rec, lambda pl: b"temperature" in pl)
    assert m[1] == b'{"temperature":23.0,"time":"2023-12-08T10:00:46Z"}'
    rec.clear()
    rec.publish("te/device/main///m/x", '{"time":"oops","a":1}')
    assert forwarded(rec, lambda pl: pl == b'{"a":1,"time":"oops"}') is not None
    rec.clear()
    rec.publish("te/device/main///m/x", '{"b":2}')
    m = forwarded(rec, lambda pl: b'"b":2' in pl)
    assert re.fullmatch(rb'\{"b":2,"time":"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z"\}', m[1]), m[1]
    rec.publish("te/device/main///m/x", '{"time":null}')
    e = errs.wait_for(lambda t, pl: True, 5)
    assert e[1].decode().endswith("Failed to format message timestamp as rfc3339")
    errs.close()
    rec.close()


def test_timestamp_off_keeps_the_bytes(tedge_online, broker):
    tedge_online.config_set("az.mapper.timestamp", "false")
    p, rec = start(tedge_online, broker)
    rec.publish("te/device/main///m/x", '{ "b" : 1e3, "time": null }')
    assert forwarded(rec, lambda pl: pl == b'{ "b" : 1e3, "time": null }') is not None
    rec.close()


def test_custom_prefix_renames_topic_and_service(tedge_online, broker):
    tedge_online.config_set("az.bridge.topic_prefix", "custom")
    rec = Recorder(broker.port, topics=("te/#", "custom/#", "az/#"))
    p = tedge_online.spawn("tedge-mapper-az")
    up = rec.wait_for(lambda t, pl: t == "te/device/main/service/tedge-mapper-custom/status/health"
                      and b'"up"' in pl, 10)
    assert up is not None, tedge_online.log_of("tedge-mapper-az")
    reg = rec.wait_for(lambda t, pl: t == "te/device/main/service/tedge-mapper-custom", 5)
    assert json.loads(reg[1])["name"] == "tedge-mapper-custom"
    rec.publish("te/device/main///m/x", '{"time":1}')
    assert rec.wait_for(lambda t, pl: t == "custom/messages/events/" and pl == b'{"time":1}', 5)
    assert rec.on_topic(OUT) == []
    rec.close()


def test_messages_sent_while_down_are_converted_after_restart(tedge_online, broker):
    p, rec = start(tedge_online, broker)
    p.send_signal(signal.SIGTERM)
    assert p.wait(10) == 0
    rec.publish("te/device/main///m/x", '{"while":"down","time":1}', qos=1)
    p2 = tedge_online.spawn("tedge-mapper-az")
    assert forwarded(rec, lambda pl: pl == b'{"time":1,"while":"down"}', 10) is not None
    rec.close()


def test_retained_input_is_forwarded_on_subscribe(tedge_online, broker):
    rec = Recorder(broker.port, topics=(OUT,))
    rec.publish("te/device/child9/service/app/status/health", '{"status":"up","time":2}', retain=True)
    tedge_online.spawn("tedge-mapper-az")
    assert rec.wait_for(lambda t, pl: pl == b'{"status":"up","time":2}', 10) is not None
    rec.close()


def test_invalid_topics_filter_is_ignored(tedge_online, broker):
    with open(os.path.join(tedge_online.config_dir, "tedge.toml"), "a") as f:
        f.write('\n[az]\ntopics = ["te/#/bad", "te/+/+/+/+/m/+"]\n')
    rec = Recorder(broker.port, topics=(OUT,))
    p = tedge_online.spawn("tedge-mapper-az")
    time.sleep(1)
    assert p.poll() is None, tedge_online.log_of("tedge-mapper-az")
    rec.publish("te/device/main///m/x", '{"time":1}')
    assert rec.wait_for(lambda t, pl: pl == b'{"time":1}', 5) is not None
    rec.close()


def test_user_topic_in_az_topics_goes_to_events(tedge_online, broker):
    tedge_online.config_set("az.topics", "te/+/+/+/+/m/+,my/own/topic")
    p, rec = start_without_health(tedge_online, broker)
    rec.publish("my/own/topic", '{"time":3}')
    assert forwarded(rec, lambda pl: pl == b'{"time":3}') is not None
    rec.close()


def start_without_health(tedge, broker):
    """For topic lists without status/health: waits for a converted marker."""
    rec = Recorder(broker.port, topics=(OUT,))
    p = tedge.spawn("tedge-mapper-az")
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        rec.publish("te/device/main///m/ready", '{"ready":1}')
        if forwarded(rec, lambda pl: b"ready" in pl, 0.5):
            rec.clear()
            return p, rec
    raise AssertionError(tedge.log_of("tedge-mapper-az"))
