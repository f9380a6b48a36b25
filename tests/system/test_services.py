"""The long-running processes (tedge-agent and the mappers) on the shared
runtime: registration and health (spec/mqtt-api.md §4), SIGTERM, last will,
reconnection after a broker restart, and their command lines."""
import json
import os
import signal
import subprocess
import time

import pytest

from mqttutil import Recorder

SERVICES = ["tedge-agent", "tedge-mapper-c8y", "tedge-mapper-az", "tedge-mapper-aws"]


def health_topic(name):
    return f"te/device/main/service/{name}/status/health"


def wait_health(rec, name, status, timeout=10):
    def pred(t, p):
        if t != health_topic(name):
            return False
        try:
            return json.loads(p).get("status") == status
        except ValueError:
            return False
    m = rec.wait_for(pred, timeout)
    return json.loads(m[1]) if m else None


@pytest.mark.parametrize("name", SERVICES)
def test_service_registers_and_reports_up_then_down_on_sigterm(tedge_online, broker, name):
    rec = Recorder(broker.port, topics=("te/#",))
    p = tedge_online.spawn(name)
    up = wait_health(rec, name, "up")
    assert up is not None, tedge_online.log_of(name)
    assert up["pid"] == p.pid
    assert isinstance(up["time"], float) and abs(up["time"] - time.time()) < 60
    reg = rec.wait_for(lambda t, _: t == f"te/device/main/service/{name}")
    assert json.loads(reg[1]) == {"@type": "service", "@parent": "device/main//",
                                  "name": name, "type": "service"}
    assert reg[3] is False or reg[3] is True  # retained flag is checked below
    rec.clear()
    p.send_signal(signal.SIGTERM)
    assert p.wait(10) == 0
    down = wait_health(rec, name, "down")
    assert down == {"status": "down", "pid": p.pid}
    rec.close()
    # both stay retained for late subscribers
    late = Recorder(broker.port, topics=(f"te/device/main/service/{name}/#",
                                         f"te/device/main/service/{name}"))
    assert late.wait_for(lambda t, p: t == health_topic(name) and json.loads(p)["status"] == "down")
    assert late.wait_for(lambda t, p: t == f"te/device/main/service/{name}")
    late.close()


@pytest.mark.parametrize("name", ["tedge-agent", "tedge-mapper-c8y"])
def test_kill_9_publishes_down_through_the_last_will(tedge_online, broker, name):
    rec = Recorder(broker.port, topics=("te/#",))
    p = tedge_online.spawn(name)
    assert wait_health(rec, name, "up")
    p.send_signal(signal.SIGKILL)
    p.wait(5)
    down = wait_health(rec, name, "down", timeout=10)
    assert down == {"status": "down", "pid": p.pid}
    rec.close()


def test_health_check_request_is_answered_with_up(tedge_online, broker):
    rec = Recorder(broker.port, topics=("te/#",))
    tedge_online.spawn("tedge-mapper-az")
    assert wait_health(rec, "tedge-mapper-az", "up")
    for check in ("te/device/main/service/tedge-mapper-az/cmd/health/check",
                  "te/device/main///cmd/health/check"):
        rec.clear()
        rec.publish(check, b"")
        assert wait_health(rec, "tedge-mapper-az", "up"), check
    rec.close()


def test_service_reconnects_after_broker_restart(tedge_online, broker):
    tedge_online.spawn("tedge-mapper-aws")
    rec = Recorder(broker.port, topics=("te/#",))
    assert wait_health(rec, "tedge-mapper-aws", "up")
    rec.close()
    broker.stop()
    time.sleep(1)
    broker.start()
    rec = Recorder(broker.port, topics=("te/#",))
    # persistence is off in the test broker: only a fresh up after reconnecting can be seen
    assert wait_health(rec, "tedge-mapper-aws", "up", timeout=15), tedge_online.log_of("tedge-mapper-aws")
    rec.close()


def test_broker_unreachable_retries_with_backoff_without_busy_loop(tedge, broker):
    tedge.use_broker(broker)
    broker.stop()
    p = tedge.spawn("tedge-mapper-c8y")
    time.sleep(3)
    assert p.poll() is None, "must keep retrying, not exit"
    with open(f"/proc/{p.pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    cpu_ticks = int(fields[11]) + int(fields[12])  # utime + stime
    assert cpu_ticks < 50, f"{cpu_ticks} ticks of CPU in 3 s: busy loop?"
    log = tedge.log_of("tedge-mapper-c8y")
    assert "cannot connect to MQTT broker 127.0.0.1:%d" % broker.port in log
    assert "retrying in" in log
    broker.start()
    rec = Recorder(broker.port, topics=("te/#",))
    assert wait_health(rec, "tedge-mapper-c8y", "up", timeout=15)
    rec.close()


def test_tedge_mapper_dispatches_to_the_cloud_mapper(tedge_online, broker):
    rec = Recorder(broker.port, topics=("te/#",))
    p = subprocess.Popen([tedge_online.bin("tedge-mapper"), "--config-dir", tedge_online.config_dir, "az"],
                         env=tedge_online.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    tedge_online.procs.append(p)
    up = wait_health(rec, "tedge-mapper-az", "up")
    assert up and up["pid"] == p.pid  # exec, not a child process
    rec.close()


def test_service_uses_rfc3339_when_configured(tedge_online, broker):
    tedge_online.config_set("service.timestamp_format", "rfc-3339")
    rec = Recorder(broker.port, topics=("te/#",))
    tedge_online.spawn("tedge-agent")
    up = wait_health(rec, "tedge-agent", "up")
    assert isinstance(up["time"], str) and up["time"].endswith("Z") and "T" in up["time"]
    rec.close()


@pytest.mark.parametrize("name", SERVICES + ["tedge-mapper", "tedge"])
def test_help_and_version(tedge, name):
    r = subprocess.run([tedge.bin(name), "--help"], capture_output=True, text=True)
    assert r.returncode == 0 and "Usage:" in r.stdout
    r = subprocess.run([tedge.bin(name), "--version"], capture_output=True, text=True)
    assert r.returncode == 0 and r.stdout.startswith(name + " ")


@pytest.mark.parametrize("name", SERVICES)
def test_unknown_option_is_a_usage_error(tedge, name):
    r = subprocess.run([tedge.bin(name), "--bogus"], capture_output=True, text=True)
    assert r.returncode == 2
    assert "--bogus" in r.stderr


def test_bad_config_file_stops_the_service_with_exit_1(tedge):
    with open(os.path.join(tedge.config_dir, "tedge.toml"), "w") as f:
        f.write("[mqtt\nport = 1\n")
    r = subprocess.run([tedge.bin("tedge-agent"), "--config-dir", tedge.config_dir],
                       capture_output=True, text=True, timeout=10)
    assert r.returncode == 1
    assert "line 1" in r.stderr


def test_oversized_input_is_reported_on_te_errors_and_service_keeps_running(tedge_online, broker):
    rec = Recorder(broker.port, topics=("te/#",))
    p = tedge_online.spawn("tedge-mapper-c8y")
    assert wait_health(rec, "tedge-mapper-c8y", "up")
    rec.publish("te/device/main/service/tedge-mapper-c8y/cmd/health/check", b"x" * (1024 * 1024 + 1))
    err = rec.wait_for(lambda t, p: t == "te/errors")
    assert err is not None and b"Payload is too large" in err[1]
    rec.clear()
    rec.publish("te/device/main/service/tedge-mapper-c8y/cmd/health/check", b"")
    assert wait_health(rec, "tedge-mapper-c8y", "up")
    assert p.poll() is None
    rec.close()
