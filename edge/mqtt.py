"""What hub, kiosk and display share at the MQTT edge: client setup and decoding with logged drops."""
from __future__ import annotations

import logging
import re
import socket
import ssl
import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar

import paho.mqtt.client as mqtt

from edge.broker_setup import read_password
from shared.config import BrokerConfig
from shared.protocol import ProtocolError, decode
from shared.topics import Topics

QOS = 1
RECEIVE_BYTES = 65536
T = TypeVar("T")


RECONNECT_SECONDS = (0.2, 5)  # the first wait after a lost connection, the longest


def make_client(client_id: str, broker: BrokerConfig, account: str, *, persistent: bool = False,
                will: tuple[str, bytes] | None = None, manual_ack: bool = False, mqtt5: bool = False) -> mqtt.Client:
    """A paho 2.x client that reconnects by itself, logged in as ``account`` when the broker has accounts
    (see edge/broker_setup.py). ``persistent`` keeps the session (and QoS 1 messages sent while we
    were away) at the broker across reconnects and restarts. With ``manual_ack`` a received message stays
    the broker's to deliver again until ``client.ack(mid, qos)``. ``mqtt5`` (a session that ends with its
    connection) is for a client that must know why the broker closed it (another took its place)."""
    if mqtt5 and persistent:
        raise ValueError("an MQTT 5 client here keeps no session")
    client = PromptClient(mqtt.CallbackAPIVersion.VERSION2, client_id=client_id,
                          clean_session=None if mqtt5 else not persistent,
                          protocol=mqtt.MQTTv5 if mqtt5 else mqtt.MQTTv311, manual_ack=manual_ack)
    if broker.username:
        client.username_pw_set(broker.username, broker.password)
    elif broker.accounts:
        client.username_pw_set(account, read_password(broker.accounts, account))
    if broker.tls:
        client.tls_set(ca_certs=str(broker.ca_file), tls_version=ssl.PROTOCOL_TLS_CLIENT)
    if will:
        client.will_set(will[0], will[1], qos=QOS, retain=True)
    client.on_socket_open = disable_nagle
    client.reconnect_delay_set(*RECONNECT_SECONDS)  # type: ignore[arg-type]  # seconds; paho's hint says int
    client.max_inflight_messages_set(100)
    client.max_queued_messages_set(0)
    return client


class PromptClient(mqtt.Client):
    """A paho client that sends a publish (or an ack) from the thread that calls it, and reads what the socket
    holds in one call.

    Stock paho, run by ``loop_start``, only queues the packet and wakes its network thread to send it; on
    an idle board that wake-up costs more than all the rest a check-in does before it reaches the broker.
    Packets still leave in queue order whichever thread writes them, as both write under one lock; what
    the socket does not take at once is left to the network thread, woken as before.

    Stock paho also reads each packet in four or five ``recv`` calls and goes back to ``select`` after each:
    under a flood of messages (a kiosk account sending thousands a second: hub/kiosk_limit.py) those calls
    were most of what the hub spent on a message it then dropped. Here the socket is read 64 KiB at a time and
    every packet in that is handled before ``select`` again.

    TLS connections keep stock behaviour: an SSL socket must not be written on one thread while another reads
    it, and paho reads what the SSL layer holds by itself.
    """

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._write_lock = threading.RLock()
        self._read_from: object = None  # the socket ``_received`` came from
        self._received = memoryview(b"")

    def _packet_write(self) -> mqtt.MQTTErrorCode:
        with self._write_lock:
            return super()._packet_write()

    def _plain(self) -> bool:
        return isinstance(self._sock, socket.socket) and not isinstance(self._sock, ssl.SSLSocket)

    def publish(self, *args, **kwargs) -> mqtt.MQTTMessageInfo:
        if not self._plain():
            return super().publish(*args, **kwargs)
        return self._send_now(super().publish, *args, **kwargs)

    def ack(self, mid: int, qos: int) -> mqtt.MQTTErrorCode:
        if not self._plain():
            return super().ack(mid, qos)
        return self._send_now(super().ack, mid, qos)

    def _send_now(self, queue: Callable[..., T], *args, **kwargs) -> T:
        if threading.current_thread() is self._thread:
            # In one of paho's callbacks: paho writes the packet as soon as the callback returns. Written here, it
            # could follow a DISCONNECT another thread queued, whose callback waits for the lock this thread holds.
            return queue(*args, **kwargs)
        # paho's lock on its messages first, as its own network thread takes them (on reconnecting it resends
        # under that lock and then writes): the other way round, a scan publishing at that moment hung the kiosk.
        with self._out_message_mutex, self._write_lock:
            wake, self._sockpairW = self._sockpairW, None  # no wake-up for a packet we send ourselves
            try:
                queued = queue(*args, **kwargs)
            finally:
                self._sockpairW = wake
            self._packet_write()  # a failed write leaves the packet queued; the network thread sees the loss
            if self._out_packet and wake is not None:
                try:
                    wake.send(b"0")
                except BlockingIOError:  # already woken
                    pass
        return queued

    def _sock_recv(self, bufsize: int) -> bytes:
        if not self._plain():
            return super()._sock_recv(bufsize)
        if self._read_from is not self._sock or not self._received:
            self._read_from = self._sock
            self._received = memoryview(super()._sock_recv(RECEIVE_BYTES))  # b"": the broker closed it
        taken, self._received = self._received[:bufsize], self._received[bufsize:]
        return bytes(taken)

    def loop_read(self, max_packets: int = 1) -> mqtt.MQTTErrorCode:
        """Every packet already read from the socket is handled now: ``select`` would not wake for them."""
        result = super().loop_read(max_packets)
        while result == mqtt.MQTT_ERR_SUCCESS and self._received and self._read_from is self._sock:
            result = super().loop_read(max_packets)
        return result


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
