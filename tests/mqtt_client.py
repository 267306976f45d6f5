"""A plain MQTT client for tests: publishes raw bytes and waits for what arrives."""
from __future__ import annotations

import json
import threading

import paho.mqtt.client as mqtt


class TestClient:
    __test__ = False

    def __init__(self, port: int, *topics: str, client_id: str = "") -> None:
        self.messages: list[mqtt.MQTTMessage] = []
        self._arrived = threading.Condition()
        self._subscribed = threading.Event()
        self.client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=client_id)
        self.client.on_message = self._on_message
        self.client.on_subscribe = lambda *args: self._subscribed.set()
        self.client.connect("127.0.0.1", port)
        self.client.loop_start()
        if topics:
            self.client.subscribe([(t, 1) for t in topics])
            assert self._subscribed.wait(5)

    def _on_message(self, client, userdata, msg) -> None:
        with self._arrived:
            self.messages.append(msg)
            self._arrived.notify_all()

    def publish(self, topic: str, payload, retain: bool = False) -> None:
        if isinstance(payload, dict):
            payload = json.dumps(payload)
        self.client.publish(topic, payload, qos=1, retain=retain).wait_for_publish(5)

    def wait_for(self, topic: str, predicate=lambda body: True, timeout: float = 5.0) -> dict:
        """The first JSON message on the topic (from the start) that satisfies the predicate."""
        def match():
            for msg in self.messages:
                if mqtt.topic_matches_sub(topic, msg.topic):
                    try:
                        body = json.loads(msg.payload)
                    except ValueError:
                        continue
                    if predicate(body):
                        return body
            return None
        with self._arrived:
            found = self._arrived.wait_for(match, timeout)
        assert found is not None, f"nothing on {topic} matched within {timeout} s"
        return found

    def latest(self, topic: str) -> dict | None:
        with self._arrived:
            for msg in reversed(self.messages):
                if mqtt.topic_matches_sub(topic, msg.topic):
                    return json.loads(msg.payload)
        return None

    def close(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()
