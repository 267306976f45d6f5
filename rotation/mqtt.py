"""What hub, kiosk and display share at the MQTT edge: client setup and decoding with logged drops."""
from __future__ import annotations

import logging
import socket
import time
from typing import Any

import paho.mqtt.client as mqtt

from shared.config import BrokerConfig
from shared.protocol import ProtocolError, decode
from shared.topics import Topics

QOS = 1


def make_client(client_id: str, broker: BrokerConfig, *, persistent: bool = False,
                will: tuple[str, bytes] | None = None) -> mqtt.Client:
    """A paho 2.x client that reconnects by itself. ``persistent`` keeps the session (and QoS 1
    messages sent while we were away) at the broker across reconnects and restarts."""
    client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=client_id, clean_session=not persistent,
                         protocol=mqtt.MQTTv311)
    if broker.username:
        client.username_pw_set(broker.username, broker.password)
    if will:
        client.will_set(will[0], will[1], qos=QOS, retain=True)
    client.on_socket_open = disable_nagle
    client.reconnect_delay_set(min_delay=0.2, max_delay=5)
    client.max_inflight_messages_set(100)
    client.max_queued_messages_set(0)
    return client


def disable_nagle(client: mqtt.Client, userdata, sock) -> None:
    """Send each small message at once: without this a QoS 1 exchange can wait 40 ms on a delayed ACK."""
    if isinstance(sock, socket.socket) and sock.family in (socket.AF_INET, socket.AF_INET6):
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


class DropLog:
    """Logs dropped payloads at most once per reason per interval, counting the rest."""

    def __init__(self, logger: logging.Logger, interval: float = 60.0) -> None:
        self.logger = logger
        self.interval = interval
        self.dropped = 0
        self._last: dict[str, tuple[float, int]] = {}

    def drop(self, topic: str, reason: str) -> None:
        self.dropped += 1
        now = time.monotonic()
        key = reason.split(":")[0]
        last, suppressed = self._last.get(key, (-self.interval, 0))
        if now - last >= self.interval:
            more = f" ({suppressed} more like it not logged)" if suppressed else ""
            self.logger.warning("dropped a message on %s: %s%s", topic, reason, more)
            self._last[key] = (now, 0)
        else:
            self._last[key] = (last, suppressed + 1)


def decode_message(topics: Topics, msg: mqtt.MQTTMessage, drops: DropLog) -> tuple[str, str | None, Any] | None:
    """(topic kind, station or client, message) for a valid message, else None after logging the drop."""
    try:
        kind, key = topics.parse(msg.topic)
        return kind, key, decode(kind, msg.payload)
    except (ValueError, ProtocolError) as error:
        drops.drop(msg.topic, str(error))
        return None
