"""Nothing accepted is lost: a mapper killed with SIGKILL again and again (every 150 ms)
while 20 000 QoS 1 measurements pour in converts every one of them (some
twice: delivery is at least once). The broker keeps an unlimited queue and a
C subscriber records the output, so that any loss can only be the mapper's."""
import json
import os
import signal
import subprocess
import threading
import time

import pytest

from conftest import Broker
from mqttutil import Recorder

CASES = {
    "tedge-mapper-c8y": ("c8y/measurement/measurements/create", lambda d: d["i"]["i"]["value"]),
    "tedge-mapper-az": ("az/messages/events/", lambda d: d["i"]),
}


@pytest.mark.parametrize("mapper", sorted(CASES))
def test_repeated_kill_9_under_20000_qos1_messages_loses_nothing(tedge, tmp_path, mapper):
    out_topic, index_of = CASES[mapper]
    b = Broker(str(tmp_path))
    with open(b.conf, "a") as f:
        f.write("max_queued_messages 0\n")
    b.start()
    sub = None
    try:
        tedge.use_broker(b)
        tedge.config_set("device.id", "mydev")
        pub = Recorder(b.port, topics=())
        pub.publish("te/device/main/service/mosquitto-c8y-bridge/status/health", b"1", retain=True)
        out = os.path.join(tedge.config_dir, "out.txt")
        with open(out, "w") as f:
            sub = subprocess.Popen(["mosquitto_sub", "-p", str(b.port), "-q", "1", "-i", "no-loss-sub",
                                    "-c", "-t", out_topic], stdout=f)
        proc = tedge.spawn(mapper)
        time.sleep(1)
        n = 20000
        done = threading.Event()

        def publish_all():
            for i in range(n):
                pub.client.publish("te/device/main///m/load", json.dumps({"i": i}), qos=1)
                if i % 500 == 0:
                    time.sleep(0.01)
            done.set()
        th = threading.Thread(target=publish_all)
        th.start()
        def seen():
            got = set()
            with open(out) as f:
                for line in f:
                    if '"i"' in line:
                        got.add(int(index_of(json.loads(line))))
            return got
        # kill it every 150 ms until 90% came through (at most 30 times)
        kills = 0
        while kills < 30 and len(seen()) < n * 0.9:
            time.sleep(0.15)
            proc.send_signal(signal.SIGKILL)
            proc.wait(5)
            kills += 1
            proc = tedge.spawn(mapper)
        th.join(120)
        assert done.is_set()
        assert kills >= 5, f"only {kills} kills overlapped the load"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and len(seen()) < n:
            time.sleep(0.5)
        missing = sorted(set(range(n)) - seen())
        assert not missing, f"{len(missing)} lost after {kills} kills, first {missing[:20]}"
        pub.close()
    finally:
        if sub:
            sub.terminate()
            sub.wait()
        b.stop()
