"""Device to cloud through every layer: a Thin-Edge JSON message on the local
bus, the real mapper, the mosquitto bridge written by `tedge connect`, the
fake TLS cloud (fakecloud.py). And back for c8y: a cloud message on s/ds
arrives on the local bus."""
import json
import signal
import threading
import time

from fakecloud import make_device_cert

DEVICE_ID = "e2e-device"


def connect(device, cloud, pki, name):
    make_device_cert(device.cert, device.key, DEVICE_ID)
    cloud.trust(device.cert)
    cloud.start()
    device.tedge.config_set(f"{name}.url", cloud.ip)
    device.tedge.config_set(f"{name}.root_cert_path", pki.ca_cert)
    device.start_mosquitto()
    r = device.tedge_run("connect", name)
    assert r.returncode == 0, r.stderr


def start_mapper(device, name):
    p = device.tedge.spawn(f"tedge-mapper-{name}")
    local = device.client()
    # wait until the mapper is up: its health is retained on the local bus
    up = threading.Event()
    local.on_message = lambda c, u, m: up.set() if b'"up"' in m.payload else None
    local.subscribe(f"te/device/main/service/tedge-mapper-{name}/status/health", 1)
    assert up.wait(10), device.tedge.log_of(f"tedge-mapper-{name}")
    local.on_message = None
    return p, local


def stop(p, local):
    local.loop_stop()
    local.disconnect()
    p.send_signal(signal.SIGTERM)
    assert p.wait(10) == 0


def test_measurement_reaches_azure_through_mapper_and_bridge(device, cloud, pki):
    connect(device, cloud, pki, "az")
    p, local = start_mapper(device, "az")
    local.publish("te/device/main///m/environment", '{"temperature":21.5,"time":1701949168}', qos=1).wait_for_publish()
    # the mapper's own health goes the same way; look for the measurement
    m = cloud.wait_for(lambda t, pl: t == f"devices/{DEVICE_ID}/messages/events/" and b"temperature" in pl)
    assert m is not None
    assert json.loads(m[1]) == {"temperature": 21.5, "time": 1701949168}
    stop(p, local)


def test_alarm_of_a_child_reaches_aws_on_its_td_topic(device, cloud, pki):
    connect(device, cloud, pki, "aws")
    p, local = start_mapper(device, "aws")
    local.publish("te/device/child1///a/temp_high",
                  '{"text":"hot","severity":"major","time":"2021-04-23T19:00:00+05:00"}', qos=1).wait_for_publish()
    m = cloud.wait_for(lambda t, pl: t == f"thinedge/{DEVICE_ID}/td/device:child1/a/temp_high")
    assert m is not None
    assert m[1] == b'{"severity":"major","text":"hot","time":1619186400.0}'
    stop(p, local)


def test_c8y_measurement_up_and_smartrest_down(device, cloud, pki):
    connect(device, cloud, pki, "c8y")
    p, local = start_mapper(device, "c8y")
    # start-up messages reach the tenant: 117 at once, 500 once the bridge is up
    assert cloud.wait_for(lambda t, pl: t == "s/us" and pl.startswith(b"117,"), 15)
    assert cloud.wait_for(lambda t, pl: t == "s/us" and pl == b"500")
    local.publish("te/device/main///m/environment",
                  '{"temperature":23,"time":"2021-04-22T17:05:26.958+02:00"}', qos=1).wait_for_publish()
    m = cloud.wait_for(lambda t, pl: t == "measurement/measurements/create" and b"environment" in pl)
    assert m is not None
    assert json.loads(m[1]) == {"type": "environment", "time": "2021-04-22T17:05:26.958+02:00",
                                "temperature": {"temperature": {"value": 23.0}}}
    # cloud to device: s/ds arrives on the local c8y/s/ds
    got = threading.Event()
    local.on_message = lambda c, u, msg: got.set() if msg.topic == "c8y/s/ds" else None
    local.subscribe("c8y/s/ds", 1)
    time.sleep(0.5)
    remote = cloud.client()
    remote.publish("s/ds", f"510,{DEVICE_ID}", qos=1).wait_for_publish()
    assert got.wait(10)
    remote.loop_stop()
    remote.disconnect()
    stop(p, local)
