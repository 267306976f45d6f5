"""The teacher display's MQTT side: follows the state and the kiosks, sends teacher commands.

It is a client like any other; the room map is rebuilt whenever something it shows changes.
"""
from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Callable
from typing import Any, TypeGuard

import paho.mqtt.client as mqtt

from edge.mqtt import QOS, DropLog, make_client, take_message
from hub.mapview import RoomMap, build_map
from shared.config import Config
from shared.follow import FOLLOWED_KINDS, FollowsHub, StateFollower
from shared.protocol import COMMAND_ACTIONS, Action, Command, KioskStatus, Reply, State, encode
from shared.topics import Topics

log = logging.getLogger("rotation.display")


def is_action(action: str) -> TypeGuard[Action]:
    """Whether ``action`` is one of the protocol's teacher commands."""
    return action in COMMAND_ACTIONS


class DisplayLink(FollowsHub):
    def __init__(self, config: Config, now: Callable[[], float] = time.time, account: str = "display") -> None:
        self.config = config
        self.now = now
        self.topics = Topics(config.room_id)
        self.client_name = f"{account}-{uuid.uuid4().hex[:8]}"
        self.follower = StateFollower()
        self.hub_clock = self.follower.clock
        self.kiosks: dict[str, KioskStatus] = {}
        self.connected = False
        self.drops = DropLog(log)
        self.map: RoomMap = build_map(config.room_name, None, {}, False, now())
        self.map_listeners: list[Callable[[RoomMap], None]] = []
        self.replies: dict[str, Reply] = {}
        self._reply_arrived = threading.Condition()
        self._listening = threading.Event()  # subscribed, so a reply cannot arrive before we listen for it
        self._state_known = threading.Event()
        self.client = make_client(f"rotation-{config.room_id}-{self.client_name}", config.broker, account)
        self.client.on_connect = self._on_connect
        self.client.on_disconnect = self._on_disconnect
        self.client.on_message = self._on_message
        self.client.on_subscribe = lambda *args: self._listening.set()

    def start(self) -> None:
        self.client.connect_async(self.config.broker.host, self.config.broker.port, keepalive=10)
        self.client.loop_start()

    def stop(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()

    def _on_connect(self, client: mqtt.Client, userdata, flags, reason_code, properties) -> None:
        if reason_code.is_failure:
            log.error("the broker refused the display: %s", reason_code)
            return
        self.connected = True
        client.subscribe([(self.topics.state, QOS), (self.topics.presence, QOS), (self.topics.hub_status, QOS),
                          (self.topics.kiosk_status(), QOS), (self.topics.reply(self.client_name), QOS)])
        self.refresh()

    def _on_disconnect(self, client, userdata, flags, reason_code, properties) -> None:
        self.connected = False
        self._listening.clear()
        self.follower.lost_broker()
        self.refresh()

    def _on_message(self, client: mqtt.Client, userdata, msg: mqtt.MQTTMessage) -> None:
        take_message(self.topics, msg, self.drops, log, self._take)

    def _take(self, kind: str, key: str | None, message, retained: bool) -> None:
        if kind in FOLLOWED_KINDS:
            if not self.follower.receive(kind, message, retained, self.now()):
                return
        elif kind == "kiosk_status" and key is not None:  # its topic names the station
            before = self.kiosks.get(key)
            self.kiosks[key] = message
            if before is not None and (before.online, before.problem) == (message.online, message.problem):
                return  # only the outbox depth changed: the map looks the same
        elif kind == "reply":
            with self._reply_arrived:
                self.replies[message.id] = message
                self._reply_arrived.notify_all()
            return
        self.refresh()

    def refresh(self) -> RoomMap:
        """Rebuild the map (also as time passes, for the clock)."""
        self.map = build_map(self.config.room_name, self.state, self.kiosks, self.hub_online and self.connected,
                             self.hub_clock.hub_now(self.now()), self.hub_problem, self.hub_restored,
                             self.hub_backups)
        if self.state is not None:
            self._state_known.set()
        for listener in self.map_listeners:
            listener(self.map)
        return self.map

    def wait_for_state(self, timeout: float = 5.0) -> State | None:
        """The room's state once the hub's retained snapshot has arrived (None if it did not in time)."""
        self._state_known.wait(timeout)
        return self.state

    def command(self, action: Action, args: dict[str, Any] | None = None, timeout: float = 5.0) -> Reply | None:
        """Send a teacher command and wait for the hub's reply (None if it did not come in time)."""
        deadline = time.monotonic() + timeout
        if not self._listening.wait(timeout):
            return None
        command = Command(id=uuid.uuid4().hex, action=action, client=self.client_name, args=args or {})
        self.client.publish(self.topics.command, encode(command), qos=QOS)
        with self._reply_arrived:
            self._reply_arrived.wait_for(lambda: command.id in self.replies, max(0.0, deadline - time.monotonic()))
            return self.replies.pop(command.id, None)
