"""A plain MQTT client for tests: publishes raw bytes and waits for what arrives."""
from __future__ import annotations

import json
import threading

import paho.mqtt.client as mqtt


class TestClient:
    __test__ = False

    def __init__(self, port: int, *topics: str, client_id: str = "", account: tuple[str, str] | None = None,
                 ca_file: str | None = None) -> None:
        """``account``: (username, password) for a broker with accounts."""
        self.messages: list[mqtt.MQTTMessage] = []
        self._arrived = threading.Condition()
        self._subscribed = threading.Event()
        self._answered = threading.Event()
        self.refused: str | None = None
        self.client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=client_id)
        self.client.on_message = self._on_message
        self.client.on_subscribe = lambda *args: self._subscribed.set()
        self.client.on_connect = self._on_connect
        if account:
            self.client.username_pw_set(*account)
        if ca_file:
            self.client.tls_set(ca_certs=ca_file)
        self.client.connect("127.0.0.1", port)
        self.client.loop_start()
        assert self._answered.wait(5), "the broker did not answer the connection"
        if self.refused:
            self.close()
            return
        if topics:
            self.client.subscribe([(t, 1) for t in topics])
            assert self._subscribed.wait(5)

    def _on_connect(self, client, userdata, flags, reason_code, properties) -> None:
        self.refused = str(reason_code) if reason_code.is_failure else None
        self._answered.set()

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
