"""What hub, kiosk and display share at the MQTT edge: client setup and decoding with logged drops."""
from __future__ import annotations

import logging
import re
import socket
import ssl
import threading
import time
from collections.abc import Callable
from typing import Any

import paho.mqtt.client as mqtt

from edge.broker_setup import read_password
from shared.config import BrokerConfig
from shared.protocol import ProtocolError, decode
from shared.topics import Topics

QOS = 1


def make_client(client_id: str, broker: BrokerConfig, account: str, *, persistent: bool = False,
                will: tuple[str, bytes] | None = None, manual_ack: bool = False) -> mqtt.Client:
    """A paho 2.x client that reconnects by itself, logged in as ``account`` when the broker has accounts
    (see edge/broker_setup.py). ``persistent`` keeps the session (and QoS 1 messages sent while we
    were away) at the broker across reconnects and restarts. With ``manual_ack`` a received message stays
    the broker's to deliver again until ``client.ack(mid, qos)``."""
    client = PromptClient(mqtt.CallbackAPIVersion.VERSION2, client_id=client_id, clean_session=not persistent,
                          protocol=mqtt.MQTTv311, manual_ack=manual_ack)
    if broker.username:
        client.username_pw_set(broker.username, broker.password)
    elif broker.accounts:
        client.username_pw_set(account, read_password(broker.accounts, account))
    if broker.tls:
        client.tls_set(ca_certs=str(broker.ca_file), tls_version=ssl.PROTOCOL_TLS_CLIENT)
    if will:
        client.will_set(will[0], will[1], qos=QOS, retain=True)
    client.on_socket_open = disable_nagle
    client.reconnect_delay_set(min_delay=0.2, max_delay=5)  # type: ignore[arg-type]  # seconds; paho's hint says int
    client.max_inflight_messages_set(100)
    client.max_queued_messages_set(0)
    return client


class PromptClient(mqtt.Client):
    """A paho client that sends a publish from the thread that calls ``publish``.

    Stock paho, run by ``loop_start``, only queues the packet and wakes its network thread to send it; on
    an idle board that wake-up costs more than all the rest a check-in does before it reaches the broker.
    Packets still leave in queue order whichever thread writes them, as both write under one lock; what
    the socket does not take at once is left to the network thread, woken as before. TLS connections keep
    stock behaviour: an SSL socket must not be written on one thread while another reads it.
    """

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._write_lock = threading.RLock()

    def _packet_write(self) -> mqtt.MQTTErrorCode:
        with self._write_lock:
            return super()._packet_write()

    def publish(self, *args, **kwargs) -> mqtt.MQTTMessageInfo:
        if not isinstance(self._sock, socket.socket) or isinstance(self._sock, ssl.SSLSocket):
            return super().publish(*args, **kwargs)
        with self._write_lock:
            wake, self._sockpairW = self._sockpairW, None  # no wake-up for a packet we send ourselves
            try:
                info = super().publish(*args, **kwargs)
            finally:
                self._sockpairW = wake
            self._packet_write()  # a failed write leaves the packet queued; the network thread sees the loss
            if self._out_packet and wake is not None:
                try:
                    wake.send(b"0")
                except BlockingIOError:  # already woken
                    pass
        return info


def disable_nagle(client: mqtt.Client, userdata, sock) -> None:
    """Send each small message at once: without this a QoS 1 exchange can wait 40 ms on a delayed ACK."""
    if isinstance(sock, socket.socket) and sock.family in (socket.AF_INET, socket.AF_INET6):
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


_VARIABLE = re.compile(r"\d+|'[^']*'|, got `[^`]*`| - at `[^`]*`")


def _problem_kind(reason: str) -> str:
    """A reason less what varies between payloads with the same problem: what follows a colon, numbers,
    quoted values, what type was found and where (``Expected `int`, got `str` - at `$.seq``: ``Expected
    `int```). The line logged keeps all of it; a flood of varied garbage then logs a few dozen lines a minute
    instead of one for every field of every message."""
    return _VARIABLE.sub("_", reason.split(":")[0])


class DropLog:
    """Logs dropped payloads (or refused events) at most once per reason per interval, counting the rest."""

    def __init__(self, logger: logging.Logger, interval: float = 60.0, what: str = "dropped a message") -> None:
        self.logger = logger
        self.interval = interval
        self.what = what
        self.dropped = 0
        self._last: dict[str, tuple[float, int]] = {}

    def drop(self, topic: str, reason: str) -> None:
        self.dropped += 1
        now = time.monotonic()
        key = _problem_kind(reason)
        last, suppressed = self._last.get(key, (-self.interval, 0))
        if now - last >= self.interval:
            more = f" ({suppressed} more like it not logged)" if suppressed else ""
            self.logger.warning("%s on %s: %s%s", self.what, topic, reason[:200], more)
            self._last[key] = (now, 0)
        else:
            self._last[key] = (last, suppressed + 1)


def take_message(topics: Topics, msg: mqtt.MQTTMessage, drops: DropLog, logger: logging.Logger,
                 take: Callable[[str, str | None, Any, bool], None],
                 refused: Callable[[str, str | None, bytes, str], None] | None = None) -> None:
    """Decode a message and hand it to ``take(kind, station or client, message, retained)``. A bad one is
    dropped and logged (see DropLog), then handed to ``refused(kind, key, payload, reason)`` if given, so it
    can be answered; whatever ``take`` or ``refused`` raises is logged: one odd message must never stop a
    client's network thread."""
    try:
        kind, key = topics.parse(msg.topic)
    except ValueError as error:
        drops.drop(msg.topic, str(error))
        return
    try:
        message = decode(kind, msg.payload)
    except ProtocolError as error:
        drops.drop(msg.topic, str(error))
        if refused is not None:
            try:
                refused(kind, key, bytes(msg.payload), str(error))
            except Exception:
                logger.exception("failed to answer a refused message on %s", msg.topic)
        return
    try:
        take(kind, key, message, msg.retain)
    except Exception:
        logger.exception("failed to handle a message on %s", msg.topic)
