"""A small paho-mqtt (1.6) helper for the system tests: a client that records
every message it receives, with waiting helpers."""
import threading
import time

import paho.mqtt.client as mqtt


class Recorder:
    def __init__(self, port, topics=("#",), client_id="", clean_session=True):
        self.messages = []  # (topic, payload bytes, qos, retain)
        self.cond = threading.Condition()
        self.client = mqtt.Client(client_id=client_id, clean_session=clean_session)
        self.client.on_message = self._on_message
        self.subscribed = threading.Event()
        self.client.on_subscribe = lambda *a: self.subscribed.set()
        self.client.connect("127.0.0.1", port)
        self.client.loop_start()
        for t in topics:
            self.subscribed.clear()
            self.client.subscribe(t, qos=1)
            assert self.subscribed.wait(5), "subscription not acknowledged"

    def _on_message(self, client, userdata, msg):
        with self.cond:
            self.messages.append((msg.topic, bytes(msg.payload), msg.qos, bool(msg.retain)))
            self.cond.notify_all()

    def wait_for(self, pred, timeout=10.0):
        """Waits until some recorded message satisfies pred(topic, payload); returns it."""
        deadline = time.monotonic() + timeout
        with self.cond:
            while True:
                for m in self.messages:
                    if pred(m[0], m[1]):
                        return m
                left = deadline - time.monotonic()
                if left <= 0:
                    return None
                self.cond.wait(left)

    def on_topic(self, topic):
        with self.cond:
            return [m for m in self.messages if m[0] == topic]

    def clear(self):
        with self.cond:
            self.messages.clear()

    def publish(self, topic, payload, qos=1, retain=False):
        info = self.client.publish(topic, payload, qos=qos, retain=retain)
        info.wait_for_publish()

    def close(self):
        self.client.loop_stop()
        self.client.disconnect()


def retained(port, topic, timeout=2.0):
    """The retained payload on topic (bytes), or None."""
    r = Recorder(port, topics=(topic,))
    try:
        m = r.wait_for(lambda t, p: t == topic, timeout)
        return m[1] if m else None
    finally:
        r.close()
