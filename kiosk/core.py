"""The kiosk without its screen: decides on each scan, keeps the outbox, talks to the hub over MQTT.

The Kivy app and the demo's simulated kiosks both run on this. Scans arrive from scanner threads; the
decision goes to listeners at once (the screen answers within a frame), then the event is stored in the
outbox, published, and made durable.
"""
from __future__ import annotations

import logging
import sqlite3
import threading
import time
import uuid
from collections.abc import Callable
from typing import Any

import paho.mqtt.client as mqtt

from edge.mqtt import QOS, RECONNECT_SECONDS, DropLog, make_client, take_message
from kiosk.decide import SCANNER_SET_UP_WRONG, UNREADABLE, Decision, decide
from kiosk.one_board import OneBoard
from kiosk.outbox import Outbox
from kiosk.prompts import EVENT_KIND, Prompt, after_answer
from kiosk.resend import HUB_BACK_GRACE, Resend
from shared import __version__
from shared.clock import Phase, passing_left, phase, time_left
from shared.config import Config
from shared.follow import FOLLOWED_KINDS, FollowsHub, StateFollower
from shared.protocol import (
    BY_STUDENT,
    KIOSK_BURST,
    KIOSK_EVENTS_PER_SECOND,
    SCANNER_SPEED,
    STORAGE_FULL,
    Ack,
    Event,
    EventKind,
    KioskStatus,
    PathReply,
    PathRequest,
    PickAnswer,
    encode,
)
from shared.topics import Topics, kiosk_account

log = logging.getLogger("rotation.kiosk")
REPEAT_SCAN_SECONDS = 3.0  # handheld scanners often read one card twice
# What waits beyond the first KIOSK_BURST goes out at half the rate the hub takes a kiosk's events: the other half
# is for the kiosk's live scans meanwhile. Faster, the hub drops the excess, and asks for it again.
RESEND_PER_SECOND = int(KIOSK_EVENTS_PER_SECOND // 2)
FIRST_SEND = KIOSK_BURST * 4 // 5  # at (re)connection; a fifth of the hub's allowance is left for live scans
UNSEEN_SECONDS = 10.0  # a scan answered before the screen was up is still shown if the screen comes this soon
UNSEEN_KEPT = 8  # of them, the latest
STATUS_SECONDS = 1.0


class KioskCore(FollowsHub):
    def __init__(self, config: Config, station: str, outbox_path=None,
                 now: Callable[[], float] = time.time) -> None:
        self.config = config
        self.station = config.station(station)
        self.now = now
        self.topics = Topics(config.room_id)
        self.outbox = Outbox(outbox_path or config.kiosk.outbox, config.kiosk.keep_acked_days)
        self.follower = StateFollower()
        self.hub_clock = self.follower.clock
        self.connected = False
        self.drops = DropLog(log)
        self.decision_listeners: list[Callable[[Decision], None]] = []
        self._unseen: list[tuple[Decision, float]] = []  # answered while nobody listened: the screen was starting
        self.change_listeners: list[Callable[[], None]] = []
        self.pick_listeners: list[Callable[[PickAnswer], None]] = []  # the hub's answers to this kiosk's picks
        self._lock = threading.RLock()
        self._last_scan: tuple[str, float] = ("", 0.0)
        self.resend = Resend()  # which unacked events go again, and when (kiosk/resend.py)
        self._help_unacked: str | None = None
        self._cancelled_calls: set[str] = set()  # taken back here: the hub's queue may show them a moment longer
        self._unsaved: dict[str, Event] = {}  # events the outbox could not take (a full disk), oldest first
        self.storage_full = False
        self.scanner_speed: int | None = None  # the speed the serial scanner reads at, if not the room file's
        # "My path": the one student whose path this kiosk asked for (their id, the request's id) and its answer
        self._path_asked: tuple[str, str, str] | None = None  # student, request id, card
        self._path: PathReply | None = None
        self._stopping = threading.Event()
        self._status_due = threading.Event()
        self._resender: threading.Thread | None = None
        self._catch_up: threading.Timer | None = None  # after the hub came back: what it may have missed goes again
        # Events the hub could not read and will never store: a faulty or rogue sender must not flood the log.
        self.refusals = DropLog(log, what="the hub refused, and will never store, an event")
        self.one_board = OneBoard()  # another board with this station's login: keep off, not fight (kiosk/one_board.py)
        self.client = make_client(f"rotation-kiosk-{config.room_id}-{station}", config.broker, kiosk_account(station),
                                  will=(self.topics.kiosk_status(station), encode(KioskStatus(online=False))),
                                  mqtt5=True)
        self.client.on_connect = self._on_connect
        self.client.on_disconnect = self._on_disconnect
        self.client.on_message = self._on_message

    @property
    def online(self) -> bool:
        return self.connected and self.hub_online

    def hub_now(self) -> float:
        return self.hub_clock.hub_now(self.now())

    def phase(self) -> Phase:
        """Where the lesson is: idle, passing, working, warning, over, paused or closing."""
        return phase(self.state.clock, self.hub_now()) if self.state else "idle"

    def time_left(self) -> float | None:
        return time_left(self.state.clock, self.hub_now()) if self.state else None

    def moving_left(self) -> float | None:
        """The round's passing time left, while students move."""
        return passing_left(self.state.clock, self.hub_now()) if self.state else None

    def check_out(self, card: str) -> Event:
        """The student said "I'm done" here: the map shows them done at this station."""
        self._last_scan = ("", 0.0)
        return self.record("checkout", card, {"by": BY_STUDENT})

    def go_out(self, card: str) -> Event:
        """The student takes the out-of-room pass: the map shows them out until their next scan, which is never
        taken for a double read of the scan before."""
        self._last_scan = ("", 0.0)
        return self.record("out", card)

    # Life cycle
    def start(self) -> None:
        self.client.connect_async(self.config.broker.host, self.config.broker.port, keepalive=10)
        self.client.loop_start()
        self._resender = threading.Thread(target=self._resend_forever, name="kiosk-resend", daemon=True)
        self._resender.start()

    def stop(self) -> None:
        self._stopping.set()
        self.connected = False
        if self._catch_up:
            self._catch_up.cancel()
        if self._resender:
            self._resender.join()
        if self.client.is_connected():
            self.client.publish(self.topics.kiosk_status(self.station.id),
                                encode(KioskStatus(online=False)), qos=QOS, retain=True).wait_for_publish(2)
        self.client.disconnect()
        self.client.loop_stop()
        self.outbox.close()

    # Scans
    def listen(self, listener: Callable[[Decision], None]) -> None:
        """Tell ``listener`` each scan's decision from now on, and those of the last moments that nobody was
        told of (scanned while the kiosk's screen was starting)."""
        with self._lock:  # a scan now waits until those before it are told (the listener only schedules work)
            self.decision_listeners.append(listener)
            unseen, self._unseen = self._unseen, []
            for decision, at in unseen:
                if time.monotonic() - at < UNSEEN_SECONDS:
                    listener(decision)

    def _tell(self, decision: Decision) -> None:
        with self._lock:
            listeners = tuple(self.decision_listeners)
            if not listeners:
                self._unseen = [*self._unseen[1 - UNSEEN_KEPT:], (decision, time.monotonic())]
        for listener in listeners:
            listener(decision)

    def scan(self, text: str) -> Decision:
        decision = decide(text, self.config.card_keys, self.state, self.station.id, self.hub_now())
        self._tell(decision)
        if decision.records_checkin and decision.card is not None and not self._repeated(decision.card):
            try:
                self.record("checkin", decision.card)
            except Exception:  # the student already has the answer; the scanner must keep going
                log.exception("kiosk %s could not record a check-in", self.station.id)
        return decision

    # "My path"
    def ask_path(self, student_id: str, card: str) -> None:
        """Ask the hub for this student's path, in place of any other student's asked for or held before."""
        request = PathRequest(id=uuid.uuid4().hex, card=card)
        with self._lock:
            self._path_asked, self._path = (student_id, request.id, card), None
            if self.connected:
                self.client.publish(self.topics.path_request(self.station.id), encode(request), qos=QOS)

    def path_of(self, student_id: str) -> PathReply | None:
        """The hub's answer to this kiosk's latest path request, if it was for this student and has come."""
        with self._lock:
            asked, path = self._path_asked, self._path
        return path if asked is not None and asked[0] == student_id else None

    def path_asked_for(self, student_id: str) -> bool:
        with self._lock:
            return self._path_asked is not None and self._path_asked[0] == student_id

    def forget_path(self) -> None:
        """Hold no student's path any longer (nobody is on screen to see it)."""
        with self._lock:
            self._path_asked = self._path = None

    def _path_came(self, reply: PathReply) -> None:
        """Only the answer to the latest request counts, and only if it is the path of the student asked for:
        an answer for a student who scanned before is dropped."""
        with self._lock:
            asked = self._path_asked
            if asked is None or reply.id != asked[1] or (reply.refused is None and reply.student != asked[0]):
                return
            self._path = reply
        self._changed()

    def unreadable(self) -> Decision:
        """A scanner read garbage: ask the student to try again."""
        self._tell(UNREADABLE)
        return UNREADABLE

    def scanner_set_up_wrong(self) -> Decision:
        """Noise again from a scanner that has read nothing: the student is told it is not their card."""
        self._tell(SCANNER_SET_UP_WRONG)
        return SCANNER_SET_UP_WRONG

    def scanner_reads_at(self, speed: int) -> None:
        """The serial scanner's cards read at ``speed``, not the room file's: the map and the kiosk's teacher
        screen say so until the room file does."""
        self.scanner_speed = speed
        self._status_due.set()
        self._changed()

    def answer(self, prompt: Prompt, value: str | None) -> Prompt | None:
        """Record a student's tap on a question (nothing for Skip); return the next question, if any."""
        data, following = after_answer(prompt, value, self.state)
        if data is not None:
            self.record(EVENT_KIND[prompt.kind], prompt.card, data)
        return following

    def pick(self, card: str, station: str) -> Event:
        """A choice round: the student asks the hub for a place at ``station``; its answer goes to the
        ``pick_listeners``."""
        return self.record("pick", card, {"to": station})

    def ask_help(self, card: str | None = None, peer: str | None = None, taken: bool | None = None) -> Event | None:
        """The station calls the teacher, on behalf of the student whose card is given if one is on screen;
        None if the station's call is already waiting (at the hub or here). ``peer``: the classmate suggested
        first, ``taken`` whether the student said they would ask them (None: no answer)."""
        if self.help_waiting():
            return None
        suggested = {"peer": peer} | ({} if taken is None else {"taken": taken}) if peer else None
        event = self.record("help", card or None, suggested)
        self._help_unacked = event.id
        self._changed()
        return event

    def cancel_help(self) -> Event | None:
        """The student takes the station's call back; None if none is waiting."""
        if not self.help_waiting():
            return None
        state = self.state
        with self._lock:  # the MQTT thread clears the unacked call when its ack comes
            unacked, self._help_unacked = self._help_unacked, None
            self._cancelled_calls |= {h.id for h in (state.help if state else ()) if h.station == self.station.id}
            if unacked is not None:
                self._cancelled_calls.add(unacked)
        event = self.record("help_cancel", None)
        self._changed()
        return event

    def help_waiting(self) -> bool:
        """A call from this station is in the hub's queue, or on its way there (not acked yet, perhaps
        because the kiosk is offline), and not taken back. Once the teacher answers it, the student may call
        again."""
        state = self.state
        return self._help_unacked is not None or (state is not None and any(
            h.station == self.station.id and h.id not in self._cancelled_calls for h in state.help))

    def _repeated(self, card: str) -> bool:
        now = time.monotonic()
        previous, at = self._last_scan
        self._last_scan = (card, now)
        return previous == card and now - at < REPEAT_SCAN_SECONDS

    def record(self, kind: EventKind, card: str | None, data: dict[str, Any] | None = None,
               seal: Callable[[Event], Event] | None = None) -> Event:
        """``seal``: the event's last touch once its id and time are set (a teacher's note is signed over them)."""
        with self._lock:
            local = self.now()
            event = Event(id=uuid.uuid4().hex, kind=kind, card=card, station=self.station.id,
                          at=self.hub_clock.hub_now(local), seq=self.outbox.next_seq(), kiosk_time=local,
                          data=data or {})
            if seal is not None:
                event = seal(event)
            payload = self._keep(event)
            if self.connected:
                self.client.publish(self.topics.kiosk_event(self.station.id), payload, qos=QOS)
                self.resend.sent(event.seq, time.monotonic())
        self.outbox.make_durable_soon()
        self._status_due.set()
        return event

    def _keep(self, event: Event) -> bytes:
        """Into the outbox; if the disk refuses, into memory (still sent, dropped once the hub has it) until
        the outbox takes it again."""
        try:
            payload = self.outbox.add(event)
        except (sqlite3.Error, OSError) as error:
            self._unsaved[event.id] = event
            self._storage_trouble(error)
            return encode(event)
        self._storage_fine()
        return payload

    def _save_unsaved(self) -> None:
        """Move what waits in memory to the outbox, if it takes it now (with nothing waiting, just try)."""
        with self._lock:
            try:
                if not self._unsaved:
                    self.outbox.remove()
                for event_id, event in list(self._unsaved.items()):
                    self.outbox.add(event)
                    del self._unsaved[event_id]
            except (sqlite3.Error, OSError):
                return
            self._storage_fine()

    def _storage_trouble(self, error: Exception) -> None:
        if not self.storage_full:
            log.error("kiosk %s cannot write its outbox (%s): events wait in memory", self.station.id, error)
            self.storage_full = True
            self._status_due.set()
            self._changed()

    def _storage_fine(self) -> None:
        if self.storage_full and not self._unsaved:
            log.warning("kiosk %s: the outbox takes events again", self.station.id)
            self.storage_full = False
            self._status_due.set()
            self._changed()

    def waiting(self) -> int:
        """Events not yet acked by the hub, on disk or in memory."""
        with self._lock:
            return self.outbox.depth() + len(self._unsaved)

    # MQTT
    @property
    def kept_off(self) -> str | None:
        """Why this board keeps off the broker now: "taken_over" (another board logged in as this station's
        kiosk) or "refused" (its login is no longer the station's), or None."""
        return self.one_board.kept_off

    def _on_connect(self, client: mqtt.Client, userdata, flags, reason_code, properties) -> None:
        if reason_code.is_failure:
            if self._keep_off(self.one_board.refused(reason_code.value, time.monotonic())) is None:
                log.error("the broker refused kiosk %s: %s", self.station.id, reason_code)
            return
        if self.one_board.kept_off is not None:
            log.warning("kiosk %s is this station's kiosk again: logged in", self.station.id)
            client.reconnect_delay_set(*RECONNECT_SECONDS)  # type: ignore[arg-type]
        self.one_board.got_in(time.monotonic())
        # Its station's view, not the state or `presence`: a kiosk needs where students are only for
        # check-outs and round ends at its own station, which the view (at most 0.2 s behind) tells; each
        # check-in then goes out to the display alone.
        client.subscribe([(self.topics.view(self.station.id), QOS), (self.topics.hub_status, QOS),
                          (self.topics.ack(self.station.id), QOS), (self.topics.path(self.station.id), QOS),
                          (self.topics.pick_answer(self.station.id), QOS)])
        with self._lock:  # what waits goes out first; a scan meanwhile publishes only after it
            self.resend.connected(time.monotonic())
            self._flush()
            self.connected = True
            asked = self._path_asked if self._path is None else None
        if asked is not None:  # asked while offline: the student may still be waiting for it
            self.ask_path(asked[0], asked[2])
        self._publish_status()
        self._changed()

    def _keep_off(self, wait: float | None) -> float | None:
        """After the broker refused this board or let another take its place: stay away (and say why) for the
        ``wait`` kiosk/one_board.py gave, instead of reconnecting at once. None if it gave none."""
        if wait is None:
            return None
        self.client.reconnect_delay_set(wait, wait)  # type: ignore[arg-type]  # paho's next wait, then again
        account = kiosk_account(self.station.id)
        if self.one_board.kept_off == "taken_over":
            log.warning("another board is logged in as %s, this station's kiosk (the broker closed this board's "
                        "connection as it took its place): this board keeps off the broker for %.0f s instead of "
                        "pushing it off in turn; check-ins wait in its outbox. One station, one board: switch one "
                        "off", account, wait)
        else:
            log.warning("the broker refused %s's password: another board has been paired as this station's kiosk "
                        "since. This board keeps its check-ins and tries again in %.0f s; to make it the station's "
                        "kiosk, pair it again (install.sh kiosk ... --pair-again)", account, wait)
        self._changed()
        return wait

    def _on_disconnect(self, client, userdata, flags, reason_code, properties) -> None:
        if self._keep_off(self.one_board.lost(reason_code.value, time.monotonic())) is None and self.connected:
            log.warning("kiosk %s lost the broker: %s", self.station.id, reason_code)
        self.connected = False
        self.follower.lost_broker()
        self._changed()

    def _on_message(self, client: mqtt.Client, userdata, msg: mqtt.MQTTMessage) -> None:
        take_message(self.topics, msg, self.drops, log, self._take)

    def _take(self, kind: str, key: str | None, message, retained: bool) -> None:
        if kind == "ack":
            self._acked(message)
            return
        if kind == "path":
            self._path_came(message)
        if kind == "pick_answer":
            for listener in tuple(self.pick_listeners):
                listener(message)
            return
        if kind not in FOLLOWED_KINDS:
            return
        since = self.follower.hub_since
        self.follower.receive(kind, message, retained, self.now())
        if self.follower.hub_online and self.follower.hub_since != since:
            self._hub_back(retained)
        elif kind == "hub_status":
            with self._lock:
                self.resend.heard_hub(retained, time.monotonic())
        self._changed()

    def _hub_back(self, retained: bool) -> None:
        """The hub (re)connected: what it may have missed goes again (kiosk/resend.py says which, and when). If it
        went back to a backup of its database, what it acked since that backup was taken waits for its ack again
        first."""
        restored = self.follower.hub_restored
        try:
            with self._lock:
                self.resend.still_waiting([seq for seq, _ in self.outbox.pending(KIOSK_BURST)] +
                                          [event.seq for event in self._unsaved.values()])
            again = self.outbox.send_again(restored.since, restored.at) if restored else 0
            self.outbox.forget_acked(self.hub_now())
        except (sqlite3.Error, OSError) as error:
            again = 0
            self._storage_trouble(error)
        if again:
            log.warning("kiosk %s: the hub went back to an older copy of its records: sending again the %d events "
                        "it acked since then", self.station.id, again)
            self._status_due.set()
        with self._lock:
            self.resend.hub_back(retained, time.monotonic())
            self._flush()
            if self._catch_up:
                self._catch_up.cancel()
            self._catch_up = threading.Timer(HUB_BACK_GRACE, self._flush_if_connected)
            self._catch_up.daemon = True
            self._catch_up.start()

    def _acked(self, ack: Ack) -> None:
        """Stored events, and refused ones (the hub could not read them and never will), leave the outbox; those
        the hub asks for (it holds later ones behind them) go again at once."""
        if ack.missing:
            with self._lock:
                self.resend.asked(ack.missing)
                self._flush(len(ack.missing))
        for refusal in ack.refused:
            self.refusals.drop(self.topics.kiosk_event(self.station.id), f"{refusal.reason}: event {refusal.id}")
        refused = tuple(refusal.id for refusal in ack.refused)
        done = ack.ids + refused
        with self._lock:
            if self._help_unacked in done:
                self._help_unacked = None  # the hub has it: from now on its queue says whether it is open

        with self._lock:
            try:
                removed = self.outbox.remove(ack.ids, refused, self.hub_now())
            except (sqlite3.Error, OSError) as error:  # they stay, are sent again, and the hub ignores them
                removed = 0
                self._storage_trouble(error)
            for event_id in done:
                removed += self._unsaved.pop(event_id, None) is not None
        if removed:
            self._status_due.set()

    def _flush(self, most: int = FIRST_SEND) -> None:
        """Send up to ``most`` of the events waiting for the hub's ack, oldest first, that kiosk/resend.py says
        are due."""
        with self._lock:
            now = time.monotonic()
            unsaved = [(event.seq, encode(event)) for event in self._unsaved.values()]
            waiting = dict(sorted(self.outbox.pending(KIOSK_BURST) + unsaved))
            for seq in self.resend.due(list(waiting), now, most, self.follower.hub_online):
                self.client.publish(self.topics.kiosk_event(self.station.id), waiting[seq], qos=QOS)
                self.resend.sent(seq, now)

    def _flush_if_connected(self) -> None:
        with self._lock:
            if self.connected and not self._stopping.is_set():
                self._flush()

    def _resend_forever(self) -> None:
        """Once a second: events whose ack is overdue while the hub is online are sent again (the hub ignores
        duplicates); a changed outbox depth is published, coalesced, off the scan's path."""
        while not self._stopping.wait(STATUS_SECONDS):
            if self.storage_full:
                self._save_unsaved()
            if not self.connected:
                continue
            if self.waiting():
                self._flush(RESEND_PER_SECOND)
            if self._status_due.is_set():
                self._status_due.clear()
                self._publish_status()

    def _publish_status(self) -> None:
        if self.connected:
            problem = STORAGE_FULL if self.storage_full else SCANNER_SPEED if self.scanner_speed else None
            status = KioskStatus(online=True, version=__version__, clock=self.now(), outbox=self.waiting(),
                                 problem=problem, scanner_speed=self.scanner_speed)
            self.client.publish(self.topics.kiosk_status(self.station.id), encode(status), qos=QOS, retain=True)

    def _changed(self) -> None:
        for listener in self.change_listeners:
            listener()
