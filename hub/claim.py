"""Before it serves, a hub asks whether another serves its room already (hub/instances.py).

It connects as the hub, with the hub's client id (a broker that ties client ids to accounts gives it that one
whatever it asks), reads the retained ``hub/status`` and says ``hub/claim``; once its claim comes back, the
retained status came before it. Another hub's status online, with a sign of life, means the room is served:

- a live status (a hub on another client id answers the claim at once, and says so every 5 s anyway);
- the broker dropping this connection, and the other hub's status new when this one asks again: the other hub,
  on the same client id, took its connection back and said so. A drop alone proves nothing: a broker
  restarting drops every connection, and a hub that took that for another would never serve (it found so in
  the kill loop).

An online status with neither is a dead hub's (the broker kept it through a power cut): the room is free. The
claim, and whatever else the shared session held, is never acknowledged here: the serving hub gets it once it
has its connection back, and says in its log that another hub tried.
"""
from __future__ import annotations

import socket
import threading
import time
import uuid

import paho.mqtt.client as mqtt

from edge.mqtt import QOS, make_client
from hub.instances import AnotherHub, said_before
from shared.config import Config
from shared.protocol import HubClaim, HubInstance, HubStatus, ProtocolError, decode, encode
from shared.topics import Topics, hub_client

ANSWER_SECONDS = 5.0  # a broker that has not answered by then: the hub starts, and keeps trying (as before)
ASKS = 3  # connections dropped in a row before the hub serves anyway (a broker restarting, not another hub)


def this_run(now: float) -> HubInstance:
    """This start of the hub, as its status names it."""
    return HubInstance(uuid.uuid4().hex[:12], socket.gethostname()[:80] or "unnamed host", now)


class _Asking:
    """What the asking connection heard, under one lock."""

    def __init__(self) -> None:
        self.changed = threading.Condition()
        self.other: HubInstance | None = None  # the hub whose status is online
        self.status: HubStatus | None = None  # its status
        self.alive = False  # and it showed a sign of life
        self.claim_back = False
        self.connected = False
        self.dropped = False  # once connected


def claim_room(config: Config, me: HubInstance, live_seconds: float) -> None:
    """Return once no other hub serves the room; raise ``AnotherHub`` if one does. ``live_seconds``: the
    longest a serving hub goes without publishing its status."""
    seen: HubStatus | None = None
    for _ in range(ASKS):
        heard = _ask(config, me, live_seconds)
        if heard.alive:
            raise AnotherHub(config.room_id, heard.other)
        if not heard.dropped:
            return
        if heard.status is not None and seen is not None and heard.status.hub == seen.hub \
                and (heard.status.since, heard.status.time) != (seen.since, seen.time):
            raise AnotherHub(config.room_id, heard.other)  # it connected again and said so: it lives
        seen = heard.status


def _said_long_ago(status: HubStatus | None, me: HubInstance, live_seconds: float) -> bool:
    """A status this board's own clock can date (a hub that ran here: killed, or its power cut) and older than a
    live hub leaves it: no need to wait for a sign of life. Another board's clock may be off: its hub is waited for."""
    return status is not None and status.hub is not None and status.hub.host == me.host \
        and status.time is not None and time.time() - status.time > live_seconds


def _ask(config: Config, me: HubInstance, live_seconds: float) -> _Asking:
    """One connection's worth: what the hub heard before its claim came back, or before it was dropped."""
    topics = Topics(config.room_id)
    heard = _Asking()
    client = make_client(hub_client(config.room_id), config.broker, "hub", persistent=True, manual_ack=True)
    closing = threading.Event()

    def on_connect(client: mqtt.Client, userdata, flags, reason_code, properties) -> None:
        if not reason_code.is_failure:
            heard.connected = True
            client.subscribe([(topics.hub_status, QOS), (topics.hub_claim, QOS)])

    def on_disconnect(client: mqtt.Client, userdata, flags, reason_code, properties) -> None:
        if heard.connected and not closing.is_set():
            client.disconnect()  # no reconnecting here: that would throw the other hub off again at once
            with heard.changed:
                heard.dropped = True
                heard.changed.notify_all()

    def on_message(client: mqtt.Client, userdata, msg: mqtt.MQTTMessage) -> None:
        kind = "hub_status" if msg.topic == topics.hub_status else "hub_claim" if msg.topic == topics.hub_claim \
            else None
        try:
            message = decode(kind, msg.payload) if kind else None
        except ProtocolError:
            return
        with heard.changed:
            if isinstance(message, HubStatus) and message.hub is not None and message.hub.instance != me.instance:
                heard.other = message.hub if message.online else None
                heard.status = message if message.online else None
                heard.alive = message.online and not msg.retain and not said_before(message.time, message.hub, me)
            elif isinstance(message, HubClaim) and message.hub == me:
                heard.claim_back = True
            heard.changed.notify_all()

    client.on_connect = on_connect
    client.on_subscribe = lambda client, *_: client.publish(topics.hub_claim, encode(HubClaim(me)), qos=QOS)
    client.on_disconnect = on_disconnect
    client.on_message = on_message
    client.connect_async(config.broker.host, config.broker.port, keepalive=10)
    client.loop_start()
    try:
        with heard.changed:
            heard.changed.wait_for(lambda: heard.claim_back or heard.dropped, ANSWER_SECONDS)
            if heard.claim_back and not heard.dropped and heard.other is not None and not _said_long_ago(
                    heard.status, me, live_seconds):
                deadline = time.monotonic() + live_seconds
                heard.changed.wait_for(lambda: heard.other is None or heard.alive or heard.dropped,
                                       deadline - time.monotonic())
    finally:
        closing.set()
        client.disconnect()
        client.loop_stop()
    return heard
