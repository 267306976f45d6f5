"""``rotation hub serve``: stores each kiosk event once, acks it, runs the clock and publishes the state.

Order of work for an event, and why: place the student in memory → publish the change; then, on the
journal's thread, store → fsync → ack (hub/journal.py). The map moves without waiting for the disk, and the
kiosk drops its copy only once the event is durable; if the hub dies in between, the kiosk sends it again
and the hub stores it once.
"""
from __future__ import annotations

import datetime
import logging
import sqlite3
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from functools import partial
from typing import TYPE_CHECKING, TypeVar

import paho.mqtt.client as mqtt
from msgspec.structs import replace as changed_struct

from edge.db import is_damage
from edge.heap import freeze_startup_objects
from edge.mqtt import QOS, DropLog, make_client, take_message
from edge.stop_signals import on_stop, workers_leave_stop_signals_to_main
from edge.timesync import system_clock_synchronised
from hub.backup import read_records
from hub.backup_health import backup_health
from hub.claim import claim_room, this_run
from hub.classes import due_class, find_class
from hub.engine import Room, Verdict
from hub.goal_keeping import GoalKeeping
from hub.grouping import grouping_request, reasons, suggest_groups
from hub.instances import AnotherHub, on_hearing, said_before
from hub.journal import EventJournal
from hub.kiosk_limit import BURST, EVENTS_PER_SECOND, KioskLimit
from hub.kiosk_view import ViewPublisher
from hub.lesson_end import lesson_end
from hub.ordering import KioskOrder
from hub.peers import GotIt
from hub.privacy import DAY_SECONDS, purge_expired, remove_from_reports, vouched_time
from hub.repair import open_store
from hub.report import LEFT_TABLE, SEATED
from hub.report_files import report_last_session, reports_root
from hub.retention import RECHECK_SECONDS, clock_doubt, purge_due
from hub.roster import display_names
from hub.roster_watch import RosterWatch
from hub.store import HubStore, ReceivedEvent
from hub.student_path import PATH_KINDS, goals_met, in_language, student_path
from hub.summary import school_summary
from shared import __version__
from shared.cards import CardClaim, CardError, ForgedCard, OldCard, verify_token
from shared.clock import settled
from shared.config import NEXT_OPTIONS, Config
from shared.languages import LANGUAGES
from shared.pin import NEW_PIN_ADVICE, is_old_pin_hash, proves
from shared.protocol import (
    ACK_IDS_SENT,
    CLOCK_ACTIONS,
    GROUP_ACTIONS,
    MAX_PAYLOAD,
    NOTE_KIND,
    PATH_LESSONS,
    PLACED,
    PROGRESS_KINDS,
    STATION_EVENT_KINDS,
    STORAGE_FULL,
    Ack,
    AddStudentArgs,
    AnswerHelpArgs,
    AttendanceArgs,
    BackupTrouble,
    ChangeLessonArgs,
    ClassArgs,
    ClassEntry,
    Clock,
    CloseGoalArgs,
    Command,
    EndArgs,
    Event,
    ExtendArgs,
    HubClaim,
    HubInstance,
    HubStatus,
    LessonEnd,
    MoveStudentArgs,
    NoteArgs,
    OwnGoalArgs,
    PairingNotice,
    PairKioskArgs,
    PathReply,
    PathRequest,
    PeerExcludeArgs,
    PeerHelpArgs,
    PickAnswer,
    PresenceChange,
    Refusal,
    Reply,
    SetGoalsArgs,
    SetGroupsArgs,
    SetNeedsArgs,
    SkipStationArgs,
    StartArgs,
    State,
    StudentArgs,
    SuggestGroupsArgs,
    by_student,
    command_args,
    encode,
    event_reference,
    note_claim,
    note_fields,
)
from shared.topics import Topics, hub_client, pair_reply_topic, pair_request_topic, pairing_asker

if TYPE_CHECKING:
    from hub.pairing import Outcome, PairingDesk

T = TypeVar("T")
log = logging.getLogger("rotation.hub")
TICK_SECONDS = 0.1  # also the longest a snapshot lags behind the presence changes
HEARTBEAT_SECONDS = 5.0
# The protocol retains nothing on the topics the hub reads, but a client may still send retained: the broker
# would keep it (and save it to the SD card). Subscribing again makes the broker send any such message, which
# the hub then clears: within a minute, well before the broker's autosave.
RETAINED_SWEEP_SECONDS = 60.0
PAIRING_NOTICE_SECONDS = 600.0  # how long the hub's screen says what became of a pairing code
MAX_PAIRING_NOTICES = 5
DELETED_STUDENT = "deleted student"
UNSIGNED_NOTE = "note without the teacher's PIN: made by a kiosk older than the hub, or not by the teacher"
NO_PIN_VERIFIER = "no [kiosk] teacher_pin of 6 to 8 digits to check a note by: make one with `rotation pin`"
CLASS_CHECK_SECONDS = 60.0
BACKUP_CHECK_SECONDS = 60.0  # the nightly backup's record is read again this often (the display says if it failed)
HOLD_SECONDS = 15.0  # a kiosk resends what is unacked every 10 s: a gap open longer is lost for good
MAX_HELD = 100  # a kiosk's events held behind a gap; applied at once when it is given up, in about 10 ms
ASK_AGAIN_SECONDS = 2.0  # a gap's events not come since they were asked for (dropped again?): asked for again


class HubService:
    def __init__(self, config: Config, now: Callable[[], float] = time.time, store: HubStore | None = None,
                 clock_synchronised: Callable[[], bool | None] = system_clock_synchronised,
                 instance: HubInstance | None = None) -> None:
        """``store``: the database, opened (default: checked as it opens, and a damaged one replaced)."""
        self.config = config
        self.now = now
        self.clock_synchronised = clock_synchronised
        self.instance = instance or this_run(now())
        self.displaced_by: HubInstance | None = None  # another hub for this room, started first (hub/instances.py)
        self.on_displaced: Callable[[], None] = lambda: None
        self._taken_over = False  # the broker dropped this hub's connection: another may have taken its place
        self.topics = Topics(config.room_id)
        self.store = store or open_store(config.hub.database, now())
        self.goals = GoalKeeping(self.store)
        self.restored = self.store.restored()
        self.damage: str | None = None  # found while serving: serve() then starts the hub again on a backup
        self.on_damage: Callable[[], None] = lambda: None
        self.store.file.on_damage = self._found_damage
        self.roster = RosterWatch(self.store, config)
        self.roster.start()
        self._check_timetable()
        self.store.name_single_class(config.room_name)
        self._classes_checked = 0.0
        self._help_ids: set[str] = set()  # the calls for help applied since the hub started
        self.room = self._load_room(self._class_at_start(), self.store.load_seq() + 1)
        # Who the hub seated at which teacher's table this round (after a restart: as the plan has it).
        self._seated: dict[str, str] = self._at_tables() if self.room.clock.round else {}
        self.deleted = self.store.deleted_students()
        # An event the hub could not read holds its place in the kiosk's order as None: see _refuse_event.
        self.order: KioskOrder[tuple[Event | None, int]] = KioskOrder(self.store.next_kiosk_seqs(
            [s.id for s in config.stations]), HOLD_SECONDS, MAX_HELD)
        self._last_purge = self.store.last_purge()
        self._newest_at_start = self.store.newest_received()  # before this hub stamps any: see hub/retention.py
        self.store.received_floor = vouched_time(self.store, self.now(), self._newest_at_start, None) or 0.0
        self._purge_doubt: tuple[float, str | None] = (-float('inf'), None)  # when last asked, and what held it
        self._storage_trouble = False
        self._problem_shown: str | None = None
        self._backup_trouble: BackupTrouble | None = None
        self._backups_checked = -float("inf")
        self._clock_unsaved = False
        self._unsaved_session_start: float | None = None
        self.drops = DropLog(log)
        self.refusals = DropLog(log, what="refused an event")  # a rogue kiosk must not flood the log
        self.kiosk_limit = KioskLimit(EVENTS_PER_SECOND, BURST)
        self._limit_lock = threading.Lock()  # the network thread takes, the clock's thread reports
        # What a kiosk sends counts against its rate, its path requests ("My path") with its events.
        self._event_topics = {topic(s.id): s.id for s in config.stations
                              for topic in (self.topics.kiosk_event, self.topics.path_request)}
        self._paths_given: dict[str, tuple[str, str]] = {}  # by kiosk: the last path request answered, and whose
        self._paths = ThreadPoolExecutor(max_workers=1, thread_name_prefix="hub-path")  # off the network thread
        # Reports and pairings, a second or two each: off the network and clock threads, and finished before the
        # hub stops (a report cut off at exit was half written, and its drawing could abort the process).
        self._slow = ThreadPoolExecutor(max_workers=2, thread_name_prefix="hub-slow")
        self._lock = threading.Lock()
        self._reporting = threading.Lock()  # one report written at a time
        self._stopping = threading.Event()
        self.subscribed = threading.Event()  # to events and commands, on the broker's word (its SUBACK)
        self._ticker: threading.Thread | None = None
        self._snapshot_due = False
        self._views = ViewPublisher()
        self._summary_sent = b""
        self._kiosk_stations = [s.id for s in config.stations if s.kiosk]
        self._station_ids = frozenset(s.id for s in config.stations)
        self._connected_at: float | None = None
        self._pairing: PairingDesk | None = None
        self._pairing_outcomes: list[Outcome] = []
        self._pairing_made = threading.Lock()
        self.client = make_client(hub_client(config.room_id), config.broker, "hub", persistent=True,
                                  will=(self.topics.hub_status, encode(HubStatus(online=False, hub=self.instance))),
                                  manual_ack=True)
        self.journal = EventJournal(self.store, self._send_ack, self._release, self._path_events_stored)
        self.client.on_connect = self._on_connect
        self.client.on_subscribe = lambda *args: self.subscribed.set()
        self.client.on_message = self._on_message
        self.client.on_disconnect = self._on_disconnect
        if config.hub.autostart and self.room.clock.round == 0:
            self._apply_command("start")

    # Life cycle
    def start(self) -> None:
        self.client.connect_async(self.config.broker.host, self.config.broker.port, keepalive=10)
        self.client.loop_start()
        self.journal.start()
        self._ticker = threading.Thread(target=self._tick_forever, name="hub-clock", daemon=True)
        self._ticker.start()

    def stop(self, wait: float = 10.0) -> None:
        """``wait``: at most this long for the events taken to be stored (and acked)."""
        self._stopping.set()
        if self._ticker:
            self._ticker.join()
        self.finish_background()
        self.journal.stop(wait)
        self._paths.shutdown(wait=True)
        if self.displaced_by is None:  # else the room is the other hub's to tell
            with self._lock:
                if self._snapshot_due:
                    self._publish_state()  # leave the latest room at the broker for whoever connects next
            info = self.client.publish(self.topics.hub_status, encode(HubStatus(online=False, hub=self.instance)),
                                       qos=QOS, retain=True)
            if self.client.is_connected():
                info.wait_for_publish(timeout=2)
        self.client.disconnect()
        self.client.loop_stop()
        self.store.close()

    def finish_background(self) -> None:
        """Wait for the reports and pairings under way; none starts after."""
        self._slow.shutdown(wait=True)

    def _on_connect(self, client: mqtt.Client, userdata, flags, reason_code, properties) -> None:
        if reason_code.is_failure:
            log.error("the broker refused the hub: %s", reason_code)
            return
        log.info("connected to the broker at %s:%s", self.config.broker.host, self.config.broker.port)
        self.subscribed.clear()
        self._subscribe()
        client.subscribe(self.topics.hub_status, QOS)  # another hub's (see hub/instances.py)
        self._connected_at = self.now()
        with self._lock:
            self._views.forget()
            self._summary_sent = b""
            self._publish_hub_status()
            self._publish_state()

    def _subscribe(self) -> None:
        """The topics where the protocol retains nothing (subscribed again each minute: see
        RETAINED_SWEEP_SECONDS)."""
        self.client.subscribe([(self.topics.kiosk_event(), QOS), (self.topics.command, QOS),
                               (self.topics.path_request(), QOS),
                               (pair_request_topic("+"), QOS), (self.topics.hub_claim, QOS)])

    def _on_message(self, client: mqtt.Client, userdata, msg: mqtt.MQTTMessage) -> None:
        """An event is released to the broker once the journal has stored it; everything else at once."""
        if msg.payload and self._over_limit(msg.topic):  # unread and not acked: a genuine kiosk sends it again
            if msg.qos:
                client.ack(msg.mid, msg.qos)  # the broker's window to the hub must stay open for the others
            return
        # Of what the hub reads, only the hub's status is retained; an empty message is the hub's own clearing.
        if (msg.retain or not msg.payload) and msg.topic != self.topics.hub_status:
            if msg.payload:
                log.warning("cleared a message left retained on %s (%d bytes)", msg.topic, len(msg.payload))
                client.publish(msg.topic, b"", qos=QOS, retain=True)
            if msg.qos:
                client.ack(msg.mid, msg.qos)
            return
        asking = pairing_asker(msg.topic)
        if asking is not None:
            answer, outcome = self.pairing.answer(msg.payload)
            client.publish(pair_reply_topic(asking), answer, qos=QOS)
            if msg.qos:
                client.ack(msg.mid, msg.qos)
            if outcome is not None:
                with self._lock:
                    earlier = [o for o in self._pairing_outcomes if o.station != outcome.station]  # the latest says it
                    self._pairing_outcomes = [*earlier, outcome][-MAX_PAIRING_NOTICES:]
                    self._state_changed()
            return
        taken = False

        def take(kind: str, key: str | None, message, retained: bool) -> None:
            nonlocal taken
            if kind == "kiosk_event" and key is not None:
                self.handle_event(key, message, msg.mid)
                taken = True
            elif kind == "command":
                self.handle_command(message)
            elif kind == "path_request" and key is not None:
                self.answer_path(key, message)
            elif kind in ("hub_status", "hub_claim"):
                self._heard_of_hub(message, retained)
        take_message(self.topics, msg, self.drops, log, take, refused=self._refuse_event)
        if msg.qos and not taken:
            client.ack(msg.mid, msg.qos)

    def _on_disconnect(self, client: mqtt.Client, userdata, flags, reason_code, properties) -> None:
        self._taken_over = reason_code.is_failure

    def _heard_of_hub(self, message: HubStatus | HubClaim, retained: bool) -> None:
        """Another hub's status or claim: one started first serves the room, a later one is told this one does.
        Alive: a live message, or the status first read back after the broker dropped this hub's connection."""
        claiming = isinstance(message, HubClaim)
        alive = claiming or not retained or self._taken_over
        if retained:
            self._taken_over = False
        other = message.hub
        if isinstance(message, HubStatus) and other is not None and said_before(message.time, other, self.instance):
            alive = False  # a hub killed on this board before this one began: its status, queued or restored
        move = on_hearing(self.instance, other, claiming, isinstance(message, HubStatus) and message.online, alive)
        if move == "stop" and other is not None:
            log.error("hub %s on %s, started first, serves room %s: this one (%s) stops", other.instance, other.host,
                      self.config.room_id, self.instance.instance)
            self.displaced_by = other
            self.client.disconnect()
            self.on_displaced()
        elif move == "stay" and other is not None:
            log.warning("another hub (%s on %s) %s room %s: this one (%s) serves it and said so", other.instance,
                        other.host, "asked to serve" if claiming else "served", self.config.room_id,
                        self.instance.instance)
            with self._lock:
                self._publish_hub_status()
                self._publish_state()

    def _over_limit(self, topic: str) -> bool:
        """An event from a kiosk sending faster than a kiosk does (hub/kiosk_limit.py)."""
        station = self._event_topics.get(topic)
        if station is None:
            if not (topic.endswith(("/event", "/path")) and topic.startswith(f"{self.topics.base}/kiosk/")):
                return False
            station = "?"  # a station the room has not (with no ACL, a client may name any): one bucket for all
        with self._limit_lock:
            return not self.kiosk_limit.take(station, time.monotonic())

    def _report_floods(self) -> None:
        with self._limit_lock:
            floods = self.kiosk_limit.floods_to_report(time.monotonic())
        for flood in floods:
            log.warning("kiosk %s %s events faster than a kiosk does: %d dropped in %.1f s, not acked (a genuine "
                        "kiosk sends them again)", flood.station, "is sending" if flood.going_on else "sent",
                        flood.dropped, flood.last - flood.began)

    def _release(self, mids: list[int]) -> None:
        for mid in mids:
            if mid:
                self.client.ack(mid, QOS)

    # Events and commands
    def _verdict(self, topic_station: str, event: Event) -> tuple[str | None, Verdict]:
        if event.station != topic_station:
            return None, Verdict(False, "station does not match the kiosk's topic")
        if event.station not in self._station_ids:
            return None, Verdict(False, "unknown station")
        if event.station not in self._kiosk_stations:  # the teacher's table: the teacher's word seats students there
            return None, Verdict(False, "station has no kiosk")
        if event.kind == NOTE_KIND:
            return self._note_verdict(event)
        claim, verdict = self._card_verdict(event.card)
        if verdict.reason == DELETED_STUDENT:
            return None, verdict
        if event.kind in STATION_EVENT_KINDS:  # a call for help is never refused; a card only says who
            return (claim.student_id if claim and verdict.accepted else None), Verdict(True)
        if verdict.accepted:
            verdict = self._offered(event)
        return (claim.student_id if claim else None), verdict

    def _card_verdict(self, card: str | None) -> tuple[CardClaim | None, Verdict]:
        """A scanned card checked as the hub checks every card: its signature, then its student (not deleted, of
        the running class) and version (not revoked, not one never issued)."""
        try:
            claim = verify_token(self.config.card_keys, card) if card is not None else None
        except OldCard:
            return None, Verdict(False, "old card")
        except ForgedCard:
            return None, Verdict(False, "forged card")
        except CardError:
            return None, Verdict(False, "unreadable card")
        if claim is None:
            return None, Verdict(False, "no card")
        if claim.student_id in self.deleted:
            return claim, Verdict(False, DELETED_STUDENT)
        return claim, self.room.check_card(claim)

    def _note_verdict(self, event: Event) -> tuple[str | None, Verdict]:
        """A teacher's note from a kiosk is taken only with the proof of the teacher's PIN: a signature by the
        key the PIN opens, checked with the public key in the room's verifier (``[kiosk] teacher_pin``). Never
        on a card, which a kiosk holding the class secret (a stolen one) can make itself."""
        student, verifier = event.student, self.config.kiosk.teacher_pin
        if student is None or event.proof is None:
            return None, Verdict(False, UNSIGNED_NOTE)
        if student in self.deleted:
            return None, Verdict(False, DELETED_STUDENT)
        if verifier is None or is_old_pin_hash(verifier):
            return None, Verdict(False, NO_PIN_VERIFIER)
        if not proves(verifier, note_claim(self.config.room_id, event), event.proof):
            return None, Verdict(False, "note not signed by the teacher's PIN")
        if student not in self.room.students:
            return None, Verdict(False, "unknown student")
        return student, Verdict(True)

    def _offered(self, event: Event) -> Verdict:
        """A choice, goal or wish for next time is one the kiosk offered: the station's activities, the room's goals,
        the exit ticket's wishes."""
        if event.kind == "choice" and event.data["activity"] not in self.config.station(event.station).activities:
            return Verdict(False, "activity not offered at this station")
        if event.kind == "goal" and self.room.offered_goal(event.data["goal"]) is None:
            return Verdict(False, "goal not offered in this room")
        if event.kind == "exit_ticket" and event.data.get("next") not in (None, *NEXT_OPTIONS):
            return Verdict(False, "wish for next time not offered")
        return Verdict(True)

    def handle_event(self, topic_station: str, event: Event, mid: int = 0) -> None:
        """Take the kiosk's events in its own order (see hub/ordering.py): each is applied once every
        earlier one has been. The broker is told message ``mid`` arrived once its event is stored."""
        with self._lock:
            ready, copies = self.order.arrive(topic_station, event.seq, (event, mid), self.now())
            self._release([copy_mid for _, copy_mid in copies])
            self._apply_events(topic_station, ready)

    def _refuse_event(self, kind: str, topic_station: str | None, payload: bytes, reason: str) -> None:
        """An event the hub cannot read (wrong shape, unknown kind) is answered, so the kiosk drops it instead
        of sending it forever, and its sequence number stops holding the kiosk's later events."""
        if kind != "kiosk_event" or topic_station is None:
            return
        reference = event_reference(payload)
        if reference is None:
            return
        event_id, seq = reference
        with self._lock:
            self.client.publish(self.topics.ack(topic_station),
                                encode(Ack(ids=(), refused=(Refusal(event_id, reason[:200]),))), qos=QOS)
            if seq is not None and seq >= 0:
                ready, copies = self.order.arrive(topic_station, seq, (None, 0), self.now())
                self._release([copy_mid for _, copy_mid in copies])
                self._apply_events(topic_station, ready)

    def _apply_events(self, topic_station: str, ready: list[tuple[Event | None, int]]) -> None:
        for event, mid in ready:
            if event is not None:
                self._apply_event(topic_station, event, mid)

    def _ask_for_gaps(self) -> None:
        """A kiosk whose events the hub holds behind a gap is asked for the missing ones at once (see
        hub/ordering.py). Under the lock."""
        for kiosk, missing in self.order.to_ask(self.now(), ASK_AGAIN_SECONDS, ACK_IDS_SENT):
            self.client.publish(self.topics.ack(kiosk), encode(Ack(ids=(), missing=tuple(missing))), qos=QOS)

    def _release_overdue(self) -> None:
        for kiosk, missing, held in self.order.overdue(self.now()):
            log.warning("kiosk %s: events %s never came; going on with the %d after them", kiosk,
                        ", ".join(map(str, missing[:10])) + (" …" if len(missing) > 10 else ""), len(held))
            self._apply_events(kiosk, held)

    def _apply_event(self, topic_station: str, event: Event, mid: int) -> None:
        """Place the student and tell the room at once; the journal stores and acks the event. Under the
        lock."""
        now = self.now()
        student, verdict = self._verdict(topic_station, event)  # first: a note's proof signs the time it was sent
        if event.at > now:  # a kiosk's clock ahead of the hub's must not place a student in the future
            event = changed_struct(event, at=now)
        if verdict.reason == DELETED_STUDENT:  # their data is gone: the kiosk may drop it, nothing is kept
            self._send_ack(topic_station, [event.id])
            self._release([mid])
            return
        if not verdict.accepted:
            self.refusals.drop(self.topics.kiosk_event(topic_station), verdict.reason)
        elif event.kind == "pick" and student is not None:
            event = changed_struct(event, at=now)  # a pick counts when the hub takes it: stored so, for a restart
            verdict = self._pick(topic_station, event, student, now)
        elif event.kind == "help":  # the one kind accepted without a student: the station calls
            if self._known_event(event.id):
                pass  # an id used before (its call answered since) opens nothing: the event is ignored, as stored
            elif self.room.ask_help(event.id, event.station, event.at, student, event.data.get("peer"),
                                    event.data.get("taken")):
                log.info("call for help from %s", event.station)
                self._try_store(lambda: self.store.save_help(self.room.help))
                self._state_changed()  # the teacher sees it at once
        elif event.kind == "help_cancel":
            if self.room.cancel_help(event.station):
                log.info("the call for help from %s was taken back at the kiosk", event.station)
                self._try_store(lambda: self.store.save_help(self.room.help))
                self._state_changed()
        elif student is None:
            pass
        elif event.kind in ("goal", "exit_ticket") and self._carry_goal(student, event):
            self.room.record_progress(student, event.kind, event.data, event.station, event.at)
            self.room.seq += 1
            self._snapshot_due = True
        elif event.kind == "checkin" and self._check_in(student, event.station, event.at):
            self.room.seq += 1
            self.client.publish(self.topics.presence, encode(PresenceChange(
                self.room.seq, student, event.station, event.at)), qos=QOS)
            self._snapshot_due = True
        elif (event.kind in PROGRESS_KINDS and self.room.record_progress(student, event.kind, event.data,
                                                                         event.station, event.at)
              or event.kind == "out" and self.room.go_out(student, event.station, event.at)
              or event.kind == "checkout" and by_student(event.data)
              and self.room.check_out(student, event.station, event.at)):
            self.room.seq += 1
            self._snapshot_due = True
        if event.kind == "help":
            self._help_ids.add(event.id)
        self.journal.append(ReceivedEvent(topic_station, event, student, now, verdict.accepted,
                                          verdict.reason, self.room.seq, mid))

    def answer_path(self, station: str, request: PathRequest) -> None:
        """"My path": the lessons of the student whose card the kiosk at ``station`` just read, to that kiosk
        alone, never kept. The card is checked as a check-in's is; the database is read on a thread of its own."""
        if station not in self._kiosk_stations:
            return  # no kiosk reads an answer there
        with self._lock:
            claim, verdict = self._card_verdict(request.card)
        if not verdict.accepted or claim is None:
            self.refusals.drop(self.topics.path_request(station), verdict.reason)
            self._send_path(station, PathReply(id=request.id, refused=verdict.reason[:200]))
            return
        self._paths_given[station] = (request.id, claim.student_id)
        self._paths.submit(self._read_path, station, request.id, claim.student_id)

    def _path_events_stored(self, batch: list[ReceivedEvent]) -> None:
        """A kiosk asks for a student's path at their scan, before the exit ticket or choice they give next:
        once that is stored, the path answered to that kiosk for that student is sent again, up to date (under
        the same request, so the kiosk takes it only while that student's path is the one it holds)."""
        for station in {r.kiosk for r in batch if r.accepted and r.event.kind in PATH_KINDS
                        and self._paths_given.get(r.kiosk, ("", None))[1] == r.student}:
            request_id, student = self._paths_given[station]
            self._paths.submit(self._read_path, station, request_id, student)

    def _read_path(self, station: str, request_id: str, student: str) -> None:
        try:
            lessons, events = self.store.student_path(student, PATH_LESSONS)
            kept = self.store.goals_of(student)
        except (sqlite3.Error, OSError) as error:
            log.error("cannot read the path of %s for kiosk %s: %s", student, station, error)
            self._send_path(station, PathReply(id=request_id, refused="the hub cannot read its records now"))
            return
        path = student_path(lessons, events, self.config.stations)
        known = self.room.students.get(student)
        language = (known.needs.language if known and known.needs else None) or self.config.language
        path, met = in_language(path, goals_met(path, kept), self.room.goal_list, language)
        self._send_path(station, PathReply(id=request_id, student=student, lessons=path, goals_met=met))

    def _send_path(self, station: str, reply: PathReply) -> None:
        payload = encode(reply)
        while len(payload) > MAX_PAYLOAD["path"] and reply.lessons:  # the oldest lessons give way: a kiosk drops more
            reply = changed_struct(reply, lessons=reply.lessons[:-1])
            payload = encode(reply)
        self.client.publish(self.topics.path(station), payload, qos=QOS)

    def _carry_goal(self, student: str, event: Event) -> bool:
        """The student's standing goal, set or answered about at the kiosk (hub/goal_keeping.py); True if it
        changed."""
        changed = False

        def keep() -> None:
            nonlocal changed
            changed = self.goals.from_event(self.room, student, event)
        self._try_store(keep)
        return changed
    def _pick(self, topic_station: str, event: Event, student: str, now: float) -> Verdict:
        """A pick in a choice round, granted or refused in the order the hub takes it (under the lock, so two
        kiosks never both take the last place), and answered at once to the asking kiosk alone. Stored as
        accepted only if granted: the record of who chose what."""
        to = event.data["to"]
        refusal = self.room.pick(student, to, now)
        self.client.publish(self.topics.pick_answer(topic_station), encode(PickAnswer(
            event.id, student, to, refusal is None, refusal, self.room.places_for(student))), qos=QOS)
        if refusal is not None:
            return Verdict(False, f"pick refused: {refusal}")
        log.debug("student %s chose %s", student, to)
        self.room.seq += 1
        self._snapshot_due = True
        return Verdict(True)

    def _close_choice(self, now: float) -> bool:
        """A choice round's choosing is over: whoever did not choose is placed, and that is stored. Under the lock;
        True if it changed the room."""
        placed = self.room.close_choice(now)
        if placed is None:
            return False
        for station in sorted(set(placed.values())):
            students = sorted(s for s, where in placed.items() if where == station)
            self._try_store(partial(self.store.add_teacher_events, PLACED, students, station, now))
        self._seat(self._at_tables(), now)  # those who chose the teacher's table or were placed there
        log.info("choosing closed: %d placed where the plan or the room had space", len(placed))
        return True

    def _check_in(self, student: str, station: str, at: float) -> bool:
        """Place the student; one marked absent who turns up is late, and that is saved."""
        marked = self.room.attendance.get(student)
        placed = self.room.check_in(student, station, at)
        if self.room.attendance.get(student) != marked:
            self._try_store(lambda: self.store.save_attendance(self.room.attendance))
        return placed

    def _known_event(self, event_id: str) -> bool:
        """An id already taken: applied in this run (perhaps not yet stored) or stored before."""
        return event_id in self._help_ids or self.store.event_count(event_id) > 0

    def _send_ack(self, station: str, ids: list[str]) -> None:
        for start in range(0, len(ids), ACK_IDS_SENT):  # a bigger ack a kiosk drops unread, and sends all again
            self.client.publish(self.topics.ack(station), encode(Ack(ids=tuple(ids[start:start + ACK_IDS_SENT]))),
                                qos=QOS)

    def handle_command(self, command: Command) -> None:
        # A report takes a second or two of drawing, a pairing code a slow hash: on their own threads, so
        # check-ins go on meanwhile.
        slow = {"make_report": self._make_report, "pair_kiosk": self._pair_kiosk}.get(command.action)
        if slow is not None:
            self._in_background(f"command {command.action}", self._answer, command, slow)
            return
        with self._lock:
            self._answer(command, self._apply)

    def _apply(self, command: Command) -> tuple[str, dict | None]:
        if command.action in GROUP_ACTIONS:
            return self._apply_group_command(command)
        if command.action in CLOCK_ACTIONS:
            minutes = command_args(command, ExtendArgs).minutes if command.action == "extend" else 1.0
            lesson = command_args(command, StartArgs) if command.action == "start" else None
            collect = command_args(command, EndArgs).collect if command.action == "end" else 0.0
            if lesson is not None and lesson.class_ref is not None:
                self._switch_class(lesson.class_ref)
            return self._apply_command(command.action, minutes=minutes, lesson=lesson, collect=collect), None
        handler = {"skip_station": self._skip_station, "answer_help": self._answer_help,
                   "reissue_card": self._new_card, "conference_note": self._conference_note,
                   "delete_student": self._delete_student, "set_class": self._set_class,
                   "add_student": self._add_student, "help_coming": self._answer_help,
                   "set_needs": self._set_needs,
                   "set_goals": self._goal_command, "set_own_goal": self._goal_command,
                   "close_goal": self._goal_command,
                   "peer_help": self._peer_help, "peer_exclude": self._peer_exclude,
                   "mark_attendance": self._mark_attendance, "change_lesson": self._change_lesson}
        return handler[command.action](command)

    def _goal_command(self, command: Command) -> tuple[str, None]:
        """The room's goal list, a student's own goal, or closing one (hub/goal_keeping.py): kiosks follow."""
        if command.action == "set_goals":
            message = self.goals.set_room_goals(self.room, command_args(command, SetGoalsArgs))
        elif command.action == "set_own_goal":
            message = self.goals.set_own_goal(self.room, command_args(command, OwnGoalArgs), self.now())
        else:
            message = self.goals.close_goal(self.room, command_args(command, CloseGoalArgs), self.now())
        self._state_changed()
        return message, None

    def _answer(self, command: Command, apply: Callable[[Command], tuple[str, dict | None]]) -> None:
        try:
            message, data = apply(command)
            reply = Reply(id=command.id, ok=True, message=message, data=data)
        except ValueError as error:
            reply = Reply(id=command.id, ok=False, message=str(error)[:500])
        except (sqlite3.Error, OSError) as error:
            self._storage_trouble = True
            log.error("command %s could not be saved: %s", command.action, error)
            reply = Reply(id=command.id, ok=False, message="the hub could not save this: its storage is full "
                          "or failing; free some space on the hub and try again")
        # Replies name students; the log keeps to ids and reasons.
        log.info("command %s from %s: %s", command.action, command.client,
                 "done" if reply.ok else f"refused ({reply.message})")
        self.client.publish(self.topics.reply(command.client), encode(reply), qos=QOS)

    def reissue_card(self, student_id: str) -> int:
        """Revoke the student's card: only a card of the returned version is accepted from now on."""
        with self._lock:
            return self._reissue_card(student_id)

    def _reissue_card(self, student_id: str) -> int:
        if student_id not in self.room.card_versions:
            raise ValueError(f"{student_id!r} is not a student of this room")
        version = self.store.reissue_card(student_id)
        self.room.set_card_version(student_id, version)
        self._state_changed()  # kiosks refuse the old card from now on
        return version

    # Classes
    def _class_at_start(self) -> str | None:
        """The class the room ran last, if the roster still has it; else the one the timetable says is due,
        else the first."""
        classes = self.store.classes()
        stored = self.store.running_class()
        if stored in {c.id for c in classes}:
            return stored
        clock = self.store.load_clock()
        if stored is not None and clock is not None and clock.round:  # its lesson ends with it
            now = self.now()
            self.store.end_session(now)
            self.store.save_clock(Clock(0, clock.rounds, clock.duration, False, None, None), self.store.load_seq())
        chosen = due_class(self.config.periods, classes, self._local_now()) or (classes[0].id if classes else None)
        if chosen is not None:
            self.store.set_running_class(chosen, self.now())
            if stored:
                log.warning("running class %s: the roster no longer has %s", chosen, stored)
            else:
                log.info("running class %s", chosen)
        return chosen

    def _local_now(self) -> datetime.datetime:
        return datetime.datetime.fromtimestamp(self.now())

    def _load_room(self, class_id: str | None, seq: int) -> Room:
        """The room running ``class_id``, from the database."""
        today = self._local_now().date()
        off_next, cycle_start = self.store.lesson_changes()
        return Room(self.config.room_id, self.config.stations,
                    self.store.class_students(class_id, today) if class_id else [], self.store.card_versions(),
                    self.config.hub.round_minutes * 60, clock=self._stored_clock(), presence=self.store.presence(),
                    seq=seq, help_queue=self.store.load_help(), goals=self.config.goals,
                    goal_pictures=self.config.goal_pictures,
                    progress_events=self.store.progress_events(), skips=self.store.load_skips(), class_id=class_id,
                    lesson=self.store.presets().get(class_id) if class_id else None,
                    classes=self._class_entries(), off=self.store.stations_off(),
                    attendance=self.store.load_attendance(), off_next=off_next, cycle_start=cycle_start,
                    teachers_goals=self.store.room_goals(), standing_goals=self.store.open_goals(),
                    last_visits=self.store.last_visits(),
                    peer_help=self.store.peer_help(class_id) if class_id else None,
                    got_it=GotIt.from_tickets(self.store.exit_tickets(class_id)) if class_id else None)

    def _stored_clock(self) -> Clock | None:
        """The clock as stored, fitted to the hub's clock now (a round timed by a clock that jumped since)."""
        stored = self.store.load_clock()
        clock = stored and settled(stored, self.now())
        if stored is not None and clock != stored:
            log.warning("round %d began in the future or over a day ago by the hub's clock now: it begins again now, "
                        "its length kept", stored.round)
        return clock

    def _class_entries(self) -> tuple[ClassEntry, ...]:
        now = self._local_now()
        classes = self.store.classes()
        due = due_class(self.config.periods, classes, now)
        members = self.store.memberships(now.date())
        presets = self.store.presets()
        return tuple(ClassEntry(c.id, c.name[:80], tuple(members.get(c.id, ())), c.id == due, presets.get(c.id))
                     for c in classes)

    def _set_class(self, command: Command) -> tuple[str, dict]:
        """Run another class: its students, groups and plan; kiosks follow with the next state."""
        chosen, message = self._switch_class(command_args(command, ClassArgs).class_ref)
        return message, {"class": chosen}

    def _switch_class(self, ref: str) -> tuple[str, str]:
        """(the class's id, what happened). ValueError while a lesson of another class runs."""
        chosen = find_class(ref, self.store.classes())
        if chosen.id == self.room.class_id:
            return chosen.id, f"{chosen.name} is already running"
        if self.room.clock.round:
            running = self.room.snapshot(self.now()).running_class()
            raise ValueError(f"end the lesson of {running.name if running else 'this class'} first")
        ended = self.room.ended
        self.store.set_running_class(chosen.id, self.now())
        self.room = self._load_room(chosen.id, self.room.seq)
        self.room.ended = ended  # the last lesson's summary stays up until the next lesson starts
        self._views.forget()
        self._state_changed()
        log.info("running class %s", chosen.id)
        return chosen.id, f"now running {chosen.name}: {len(self.room.students)} students"

    def _refresh_classes(self) -> None:
        """Each minute: the timetable's due class and the enrollments that began or ended today. Under the
        lock."""
        now = self.now()
        if now - self._classes_checked < CLASS_CHECK_SECONDS:
            return
        self._classes_checked = now
        entries = self._class_entries()
        if entries != self.room.classes:
            self._take_roster()

    def _check_timetable(self) -> None:
        """Say which periods name a class the roster does not have: the timetable skips them."""
        classes = self.store.classes()
        for number, period in enumerate(self.config.periods, start=1):
            try:
                find_class(period.class_, classes)
            except ValueError as error:
                log.warning("[period %d] of the timetable is skipped: %s", number, error)

    def _take_roster(self) -> None:
        """The running class as the database now has it, after an import or as enrollments begin and end;
        a class the roster no longer has gives way to another once no lesson runs. Under the lock."""
        class_id = self.room.class_id
        if class_id not in {c.id for c in self.store.classes()} and not self.room.clock.round:
            class_id = self._class_at_start()
            self.room = self._load_room(class_id, self.room.seq)
            self._views.forget()
            self._state_changed()
            return
        today = self._local_now().date()
        try:
            self.room.set_roster(self.store.class_students(class_id, today) if class_id else [],
                                 self.store.card_versions(), self._class_entries())
        except ValueError as error:
            log.error("the running class's roster changed, but %s; the room goes on with the roster it had",
                      error)
            return
        self._state_changed()

    def _mark_attendance(self, command: Command) -> tuple[str, None]:
        """A mark for this lesson. At a station without a kiosk (the teacher's table) the teacher's word is the
        check-in: present there checks the student in, absent checks them out, for the map and the report."""
        args = command_args(command, AttendanceArgs)
        now = self.now()
        message = self.room.mark_attendance(args.student, args.mark)
        group = self.room.students[args.student].group
        table = next((s.id for s in self.config.stations if not s.kiosk and self.room.clock.round
                      and group in self.room.plan().get(s.id, ())), None)  # where their group is, with no kiosk
        if args.mark == "present" and args.station is not None:
            if args.station not in self._station_ids:
                raise ValueError(f"no station {args.station!r}")
            self.room.check_in(args.student, args.station, now)
            self.store.add_teacher_events("checkin", [args.student], args.station, now)
            message += f" at {self.config.station(args.station).name}"
        elif args.mark == "absent" and table is not None:  # their minutes there end now
            self.store.add_teacher_events("checkout", [args.student], table, now)
        self.store.save_attendance(self.room.attendance)
        self._state_changed()
        return message, None

    def _at_tables(self) -> dict[str, str]:
        """Who is at a station without a kiosk (the teacher's table) this round, and which: those the plan sends
        there; in a choice round nobody while students choose, then those who chose it or were placed there."""
        tables = {s.id for s in self.config.stations if not s.kiosk and s.id not in self.room.off}
        choosing = self.room.choosing
        if choosing is not None:
            going = choosing.going if choosing.closed else {}
        else:
            plan = self.room.plan()
            going = {s.id: table for table in tables for s in self.room.students.values()
                     if s.group in plan.get(table, ())}
        return {student: table for student, table in going.items()
                if table in tables and self.room.attendance.get(student) != "absent" and student not in self.room.out}

    def _seat_at_tables(self, now: float) -> None:
        """A new round: the groups sent to a station without a kiosk (the teacher's table) are seated there in
        the record, as nobody scans there, so the report counts their minutes; the map lists them there from the
        plan, and the teacher marks anyone who is not. Not a check-in: their kiosk still tells them to move.
        Last round's group leaves it now."""
        self._seat(self._at_tables(), now)

    def _seat(self, seated: dict[str, str], now: float) -> None:
        """Record who is now at which teacher's table, and who left one."""
        left, self._seated = self._seated, seated
        for kind, students in ((SEATED, {s: t for s, t in seated.items() if left.get(s) != t}),
                               (LEFT_TABLE, {s: t for s, t in left.items() if seated.get(s) != t})):
            for table in sorted(set(students.values())):
                self._try_store(partial(self.store.add_teacher_events, kind,
                                        sorted(s for s, where in students.items() if where == table), table, now))

    def _new_card(self, command: Command) -> tuple[str, dict]:
        student = command_args(command, StudentArgs).student
        version = self._reissue_card(student)
        return (f"new card {version} for {self.room.students[student].display_name}; the old one no longer "
                "works"), {"version": version}

    def _skip_station(self, command: Command) -> tuple[str, None]:
        args = command_args(command, SkipStationArgs)
        message = self.room.skip(args.group, args.station, args.instead)
        self.store.save_skips(self.room.skips)
        self._state_changed()
        return message, None

    def _answer_help(self, command: Command) -> tuple[str, None]:
        request = command_args(command, AnswerHelpArgs).id
        message = (self.room.help_coming(request) if command.action == "help_coming"
                   else self.room.answer_help(request))
        self.store.save_help(self.room.help)
        self._state_changed()
        return message, None

    def _conference_note(self, command: Command) -> tuple[str, None]:
        """A note from the teacher's table: a few tags and some words, in the student's timeline."""
        args = command_args(command, NoteArgs)
        student = args.student
        if student not in self.room.students:
            raise ValueError(f"{student!r} is not a student of this class")
        note = note_fields(args)  # NoteArgs is a NoteData: already checked
        table = next((s.id for s in self.config.stations if s.kind == "teacher-led"), self.config.stations[0].id)
        self.store.add_note(student, table, self.now(), note["tags"], note["text"])
        return f"note saved for {self.room.students[student].display_name}", None

    def _add_student(self, command: Command) -> tuple[str, dict]:
        """A student new to the running class, with a card at once; the school's roster catches up later."""
        args = command_args(command, AddStudentArgs)
        class_id = self.room.class_id
        if class_id is None:
            raise ValueError("import a roster first: this room has no class")
        if args.group is not None and args.group not in self.room.groups:
            raise ValueError(f"no group {args.group!r} in this class: {', '.join(self.room.groups) or 'none yet'}")
        today = self._local_now().date()
        student = self.store.add_student(class_id, args.first_name, args.last_name, args.group, today)
        try:
            self.room.set_roster(self.store.class_students(class_id, today), self.store.card_versions(),
                                 self._class_entries())
        except ValueError as error:
            self.store.take_back_added(student)
            raise ValueError(f"the student was not added: {error}") from None  # the log names no one
        self._state_changed()
        log.info("added student %s to %s", student, class_id)
        return (f"{self.room.students[student].display_name} added: print their card"), {"student": student,
                                                                                         "version": 1}

    def _set_needs(self, command: Command) -> tuple[str, None]:
        """A student's language, large text, high contrast or speech at the kiosk: from their next scan on."""
        args = command_args(command, SetNeedsArgs)
        if args.student not in self.room.students:
            raise ValueError(f"{args.student!r} is not a student of the class running")
        if args.needs.language is not None and args.needs.language not in LANGUAGES:
            raise ValueError(f"{args.needs.language!r} is not a kiosk language: one of {', '.join(LANGUAGES)}")
        self.store.set_needs(args.student, args.needs)
        self.room.set_needs(args.student, args.needs)
        self._state_changed()
        log.info("student %s: kiosk settings changed", args.student)
        return f"{self.room.students[args.student].display_name}: saved, from their next scan", None

    def _peer_help(self, command: Command) -> tuple[str, None]:
        """Suggest a classmate who got it at the station, or not, when a student of the running class asks for
        help: kiosks follow with the next state."""
        on = command_args(command, PeerHelpArgs).on
        class_id = self._running_class_id()
        self.store.set_peer_help(class_id, on)
        self.room.set_peer_help(changed_struct(self.room.peer_help, on=on))
        self._state_changed()
        log.info("class %s: peer suggestions %s", class_id, "on" if on else "off")
        return f"Peer suggestions {'on' if on else 'off'}", None

    def _peer_exclude(self, command: Command) -> tuple[str, None]:
        """A student of the running class never suggested to a classmate, or suggested again."""
        args = command_args(command, PeerExcludeArgs)
        if args.student not in self.room.students:
            raise ValueError(f"{args.student!r} is not a student of the class running")
        class_id = self._running_class_id()
        self.store.set_peer_excluded(class_id, args.student, args.excluded)
        others = tuple(s for s in self.room.peer_help.excluded if s != args.student)
        self.room.set_peer_help(changed_struct(self.room.peer_help,
                                               excluded=tuple(sorted((*others, args.student))) if args.excluded
                                               else others))
        self._state_changed()
        log.info("class %s: student %s %s peer suggestions", class_id, args.student,
                 "kept out of" if args.excluded else "back in")
        name = self.room.students[args.student].display_name
        return (f"{name} is never suggested to help" if args.excluded else f"{name} may be suggested to help"), None

    def _running_class_id(self) -> str:
        if self.room.class_id is None:
            raise ValueError("no class is running: import the roster first")
        return self.room.class_id

    def _delete_student(self, command: Command) -> tuple[str, dict]:
        """Erase everything the hub holds about one student and revoke their card; their events still in
        a kiosk's outbox are dropped when they arrive."""
        student = command_args(command, StudentArgs).student
        if student not in self.room.card_versions:
            raise ValueError(f"{student!r} is not a student of this room")
        events = self.store.delete_student(student)
        self.deleted.add(student)
        self.room.forget_student(student)
        self.room.classes = self._class_entries()
        self.store.save_help(self.room.help)
        report_lines = remove_from_reports(reports_root(self.config), student)
        self._state_changed()
        log.info("deleted the data of student %s: %d events, %d report lines", student, events, report_lines)
        return (f"deleted everything stored about {student}: {events} events, {report_lines} report lines; "
                "their card no longer works"), {"events": events, "report_lines": report_lines}

    def purge_expired_if_due(self) -> None:
        """Once a day (and at start), erase events and reports older than the retention period, if the hub's
        clock can be trusted to say which (hub/retention.py); if not, asked again every few minutes."""
        now = self.now()
        if not purge_due(now, self._last_purge) or abs(now - self._purge_doubt[0]) < RECHECK_SECONDS:
            return
        synchronised = self.clock_synchronised()
        evidence = vouched_time(self.store, now, self._newest_at_start, synchronised)
        self.store.received_floor = evidence or 0.0
        doubt = clock_doubt(now, evidence, synchronised)
        kind = doubt.kind if doubt else None
        if kind != self._purge_doubt[1]:
            if doubt:
                log.warning("retention: erasing nothing while %s; asked again every %d minutes", doubt.said,
                            RECHECK_SECONDS // 60)
            else:
                log.info("retention: the hub's clock agrees with what it stored again")
        self._purge_doubt = (now, kind)
        if doubt:
            return
        self._last_purge = now  # tried again tomorrow if it fails
        try:
            rows, folders = purge_expired(self.store, self.config, now)
        except (sqlite3.Error, OSError) as error:
            log.error("retention: could not erase old data (%s); trying again tomorrow", error)
            return
        if rows or folders:
            log.info("retention: erased %d rows and %d report folders older than %d days", rows, folders,
                     self.config.retention_days)

    @property
    def pairing(self):
        """Made at the first pairing: its cryptography library costs every hub 9 MB it rarely needs."""
        with self._pairing_made:  # the command thread and the network thread may both be first
            if self._pairing is None:
                from hub.pairing import PairingDesk

                self._pairing = PairingDesk(self.config, self.now)
        return self._pairing

    def _pair_kiosk(self, command: Command) -> tuple[str, dict]:
        station = command_args(command, PairKioskArgs).station
        code, expires_at = self.pairing.issue(station)
        return (f"pairing code for {self.config.station(station).name}'s kiosk: {code} (one kiosk, until "
                f"{time.strftime('%H:%M', time.localtime(expires_at))})"), {"code": code, "expires_at": expires_at,
                                                                           "station": station}

    def _make_report(self, command: Command) -> tuple[str, dict]:
        with self._reporting:  # the report written at End may be on its way to the same folder
            folder = report_last_session(self.store, self.config, self.now())
        return f"report written to {folder}", {"folder": str(folder)}

    def _apply_command(self, action: str, minutes: float = 1.0, lesson: StartArgs | None = None,
                       collect: float = 0.0) -> str:
        """The clock goes on whatever the disk says; what cannot be saved now is saved once it can."""
        now = self.now()
        before = self.room.snapshot(now) if action == "end" else None
        round_before = (self.room.clock.round, self.room.clock.started_at)  # a one-round lesson starts it again
        message = self.room.command(action, now, minutes, lesson, collect)
        due = next((c for c in self.room.classes if c.due), None)
        if action == "start" and due is not None and due.id != self.room.class_id:
            message += f" (the timetable has {due.name} now: end, then change the class, if that was meant)"
        if action == "start":
            class_id = self.room.class_id
            preset = changed_struct(lesson or StartArgs(), class_ref=None)
            self._try_store(lambda: (self.store.begin_session(now, class_id, sorted(self.room.off),
                                                              sorted(self.room.must_do)),
                                     class_id and self.store.save_preset(class_id, preset)))
            self.room.classes = self._class_entries()
            self._seat_at_tables(now)
        elif before is not None and self.room.clock.round == 0:
            self._lesson_ended(before, now)
        elif (self.room.clock.round, self.room.clock.started_at) != round_before:
            self._round_began()
        self._state_changed(now if action == "start" or self.room.clock.round == 0 else None)
        return message

    def _round_began(self) -> None:
        """Groups set for the next round take over; stations switched off or on from it are saved; the group
        due at the teacher's table is seated there."""
        self._apply_pending_groups({"round"})
        self._seat_at_tables(self.now())
        # A new cycle over other stations drops the skips (Room._advance): saved, or a restart would bring them back.
        self._try_store(lambda: (self.store.save_stations_off(sorted(self.room.off), None, self.room.cycle_start),
                                 self.store.save_skips(self.room.skips)))

    def _lesson_ended(self, last: State, now: float) -> None:
        """Close the lesson for good (its calls for help and attendance too, also after a restart), take the
        groups set for the next lesson, and write its report on a thread of its own; the board shows the
        summary meanwhile."""
        session = self._try_read(self.store.last_session)
        started = session[0] if session else now
        self._seat({}, now)  # whoever was at the teacher's table leaves it
        self._try_store(lambda: (self.store.end_session(now), self.store.save_skips(self.room.skips),
                                 self.store.save_help(self.room.help),
                                 self.store.save_attendance(self.room.attendance)))
        self._apply_pending_groups({"round", "lesson"})
        calls = self._try_read(partial(self.store.help_calls, started, now))
        self.room.ended = lesson_end(last, started, now, sum((calls or {}).values()))
        self._in_background("the lesson's report", self._write_report, self.room.ended, (started, now, last.class_id))

    def _in_background(self, what: str, work: Callable[..., object], *args: object) -> None:
        try:
            done = self._slow.submit(work, *args)
        except RuntimeError:  # the hub is stopping: what comes now is for the next start
            log.warning("stopping: %s not started", what)
            return
        done.add_done_callback(partial(_log_failure, what))

    def _write_report(self, ended: LessonEnd, session: tuple[float, float, str | None]) -> None:
        """The report of that lesson (``session``: started, ended, class), not of whichever is newest by the
        time the Report button's lets this one write."""
        try:
            with self._reporting:
                folder = str(report_last_session(self.store, self.config, self.now(), session=session))
        except Exception:  # the lesson has ended whatever the report's drawing makes of it
            log.exception("the report of the lesson that ended could not be written")
            folder = "not written (see the hub's log); try the Report button"
        with self._lock:
            if self.room.ended is ended:
                self.room.ended = changed_struct(ended, report=folder[:500])
                self._state_changed()

    def _apply_pending_groups(self, applies: set[str]) -> None:
        pending = self._try_read(self.store.pending_groups)
        if not pending or pending[1] not in applies:
            return
        assignment, _ = pending
        groups: dict[str, list[str]] = {}
        for student, group in assignment.items():
            if group is not None and student in self.room.students:
                groups.setdefault(group, []).append(student)
        try:
            taken = self.room.set_groups(groups)
        except ValueError as error:
            log.error("the groups set for later were not taken: %s", error)
        else:
            if self.room.class_id is not None:
                self._try_store(lambda: self.store.set_groups(self.room.class_id, taken))
        self._try_store(lambda: self.store.save_pending_groups({}, ""))

    def _try_read(self, read: Callable[[], T]) -> T | None:
        try:
            return read()
        except (sqlite3.Error, OSError) as error:
            log.error("cannot read the hub's database: %s", error)
            return None

    def _change_lesson(self, command: Command) -> tuple[str, None]:
        message = self.room.change_lesson(command_args(command, ChangeLessonArgs), self.now())
        off_next = None if self.room.off_next is None else sorted(self.room.off_next)
        self._try_store(lambda: self.store.save_stations_off(sorted(self.room.off), off_next, self.room.cycle_start))
        self._state_changed()
        return message, None

    def _apply_group_command(self, command: Command) -> tuple[str, dict | None]:
        if command.action == "suggest_groups":
            request = grouping_request(command_args(command, SuggestGroupsArgs))
            card_ids = self.store.card_ids()  # the config names students by the roster's ids
            apart = [(card_ids.get(a, a), card_ids.get(b, b)) for a, b in self.config.keep_apart]
            request["apart"] += [pair for pair in apart if set(pair) <= self.room.students.keys()]
            learners = self.room.learners()
            groups = suggest_groups(learners, **request)
            names = display_names(self.room.students.values())  # as the state tells two students apart
            why = reasons(learners, groups, request["strategy"], request["apart"], names)
            return f"{len(groups)} {request['strategy']} groups suggested", {"groups": groups, "reasons": why}
        if self.room.class_id is None:
            raise ValueError("import a roster first: this room has no class")
        if command.action == "set_groups":
            args = command_args(command, SetGroupsArgs)
            if args.when != "now" and self.room.clock.round:
                assignment = self.room.set_groups(args.groups, apply=False)
                self.store.save_pending_groups(assignment, args.when)
                return (f"{len(args.groups)} groups set from round {self.room.clock.round + 1}" if args.when == "round"
                        else f"{len(args.groups)} groups set from the next lesson"), None
            assignment = self.room.set_groups(args.groups)
            self.store.save_pending_groups({}, "")
            message = f"{len(self.room.groups)} groups set"
        else:
            move = command_args(command, MoveStudentArgs)
            assignment = self.room.move_student(move.student, move.group)
            message = f"{self.room.students[move.student].display_name} moved to {move.group}"
        self.store.set_groups(self.room.class_id, assignment)
        self._state_changed()
        return message, None

    def _state_changed(self, session_started: float | None = None) -> None:
        self.room.seq += 1
        if session_started is not None:
            self._unsaved_session_start = session_started
        self._clock_unsaved = not self._try_store(lambda: self.store.save_clock(
            self.room.clock, self.room.seq, self._unsaved_session_start))
        if not self._clock_unsaved:
            self._unsaved_session_start = None
        self._publish_state()

    # The disk
    @property
    def problem(self) -> str | None:
        return STORAGE_FULL if self.journal.failing or self._storage_trouble else self.roster.problem

    def _try_store(self, write: Callable[[], object]) -> bool:
        """Run a write; if the disk refuses it, say so (the hub's status carries the problem) and go on."""
        try:
            write()
        except (sqlite3.Error, OSError) as error:
            if not self._storage_trouble:
                log.error("cannot write the hub's database (%s); tried again each second", error)
            self._storage_trouble = True
            return False
        self._storage_trouble = False
        return True

    def _tick_forever(self) -> None:
        last_heartbeat = last_sweep = time.monotonic()
        while not self._stopping.wait(TICK_SECONDS):
            if time.monotonic() - last_sweep >= RETAINED_SWEEP_SECONDS and self.client.is_connected():
                last_sweep = time.monotonic()
                self._subscribe()
            self.purge_expired_if_due()  # outside the room's lock: check-ins go on meanwhile
            self._check_backups()
            self._report_floods()
            if self.roster.poll():  # outside the room's lock: reading a district's export takes a second
                self._check_timetable()
                with self._lock:
                    self._take_roster()
            with self._lock:
                self._release_overdue()
                self._ask_for_gaps()
                if self._clock_unsaved:
                    self._state_changed()
                if self.problem != self._problem_shown:
                    self._publish_hub_status()
                self._refresh_classes()
                if self._forget_old_pairings():
                    self._snapshot_due = True
                if not self._tick_room() and self._snapshot_due:
                    self._publish_state()
                if time.monotonic() - last_heartbeat >= HEARTBEAT_SECONDS:
                    self._publish_hub_status()
                    last_heartbeat = time.monotonic()

    def _tick_room(self) -> bool:
        """The clock's own moves: the next round when time is up, the end once the last exit tickets are in.
        Under the lock; True if the state changed (and was published)."""
        now = self.now()
        closing_at = self.room.clock.closing_at
        last = self.room.snapshot(now) if closing_at is not None and now >= closing_at else None
        moved = self.room.tick(now, self.config.hub.auto_advance)
        if moved is None and self._close_choice(now):
            self._state_changed()
            return True
        if moved == "end" and last is not None:
            self._lesson_ended(last, now)
        elif moved == "round":
            self._round_began()
        if moved:
            self._state_changed(now if moved == "end" else None)
        return moved is not None

    # Publishing
    def _publish_state(self) -> None:
        """The full state for the display, and to each kiosk its own view of it if that changed."""
        self._snapshot_due = False
        if not self.client.is_connected():
            return  # sent on connecting; a snapshot queued meanwhile would arrive after that newer one
        snapshot = changed_struct(self.room.snapshot(self.now()), pairings=self._pairing_notices())
        self.client.publish(self.topics.state, encode(snapshot), qos=QOS, retain=True)
        for station, payload in self._views.changed_views(snapshot, self._kiosk_stations):
            self.client.publish(self.topics.view(station), payload, qos=QOS, retain=True)
        if self.config.school is not None:
            summary = encode(school_summary(snapshot, self.config.room_name))
            if summary != self._summary_sent:
                self._summary_sent = summary
                self.client.publish(self.topics.summary, summary, qos=QOS, retain=True)

    def _pairing_notices(self) -> tuple[PairingNotice, ...]:
        return tuple(PairingNotice(o.station, o.board, o.paired, o.at) for o in self._pairing_outcomes)

    def _forget_old_pairings(self) -> bool:
        """Drop what the screen has said long enough; True if something was dropped."""
        kept = [o for o in self._pairing_outcomes if self.now() - o.at < PAIRING_NOTICE_SECONDS]
        dropped = len(kept) != len(self._pairing_outcomes)
        self._pairing_outcomes = kept
        return dropped

    def _publish_hub_status(self) -> None:
        self._problem_shown = self.problem
        now = self.now()
        # Said while the kiosks may still hold what the backup lacks (a day at least, for the display).
        restored = self.restored if self.restored and now - self.restored.at < max(
            self.config.kiosk.keep_acked_days, 1) * DAY_SECONDS else None
        status = HubStatus(online=True, time=now, since=self._connected_at, problem=self._problem_shown,
                           restored=restored, hub=self.instance, version=__version__,
                           backups=self._backup_trouble)
        self.client.publish(self.topics.hub_status, encode(status), qos=QOS, retain=True)

    def _check_backups(self) -> None:
        """Whether the backups need a technician, by their record (hub/backup_health.py): the hub's status says it
        within a heartbeat of a change."""
        if time.monotonic() - self._backups_checked < BACKUP_CHECK_SECONDS:
            return
        self._backups_checked = time.monotonic()
        health = backup_health(read_records(self.config.hub.database), self.now(), self.config.backup.copy_to,
                               self.store.oldest_received())
        if health.trouble != self._backup_trouble:
            (log.warning if health.trouble else log.info)("backups: %s", health.summary)
            self._backup_trouble = health.trouble

    def _found_damage(self, error: sqlite3.DatabaseError) -> None:
        """The store met damage (edge.db.locked): serve() stops this hub and starts it again on a backup."""
        if self.damage is None:
            log.critical("the hub's database %s is damaged (%s): the hub starts again on its newest good backup",
                         self.config.hub.database, error)
            self.damage = str(error)
        self.on_damage()


def serve(config: Config, ready: Callable[[], None] | None = None) -> None:
    """Run until SIGINT/SIGTERM; ``AnotherHub`` if another hub serves the room (then this one changes nothing),
    or takes it over, having started first. A database found damaged while serving: stop, and start again on
    a backup."""
    me = this_run(time.time())
    claim_room(config, me, live_seconds=HEARTBEAT_SECONDS + 2)
    stop, wake = threading.Event(), threading.Event()

    def stop_serving() -> None:
        stop.set()
        wake.set()

    on_stop(stop_serving)
    damage = None
    while True:
        with workers_leave_stop_signals_to_main():
            service = _service(config, damage, me)
            service.on_damage = wake.set
            service.on_displaced = stop_serving
            service.start()
        if damage is None:
            freeze_startup_objects()
            log.info("hub for room %s serving; database %s", config.room_id, config.hub.database)
            for section, pin in (("kiosk", config.kiosk.teacher_pin), ("display", config.display.teacher_pin)):
                if pin is not None and is_old_pin_hash(pin):
                    log.warning("[%s] teacher_pin: %s", section, NEW_PIN_ADVICE)
            if ready:
                ready()
        wake.wait()
        wake.clear()
        damage = None if stop.is_set() else service.damage
        log.info("stopping" if damage is None else "stopping, to go back to a backup")
        service.stop(wait=10.0 if damage is None else 0.0)  # a damaged file stores nothing: kiosks resend
        if damage is None:
            break
    if service.displaced_by is not None:
        raise AnotherHub(config.room_id, service.displaced_by)


def _service(config: Config, damage: str | None, instance: HubInstance) -> HubService:
    """The hub on its database. ``damage``: found while the hub last served, so the file goes back to a backup
    (hub/repair.py), as one found damaged now does, whether by the check or as the hub loads the room."""
    store = open_store(config.hub.database, time.time(), damage)
    try:
        return HubService(config, store=store, instance=instance)
    except sqlite3.DatabaseError as error:
        store.close()  # the hub lets go of the file before it is set aside
        if damage is not None or not is_damage(error):
            raise
        return _service(config, str(error), instance)


def _log_failure(what: str, finished: Future) -> None:
    """What a thread's own excepthook said of an error it did not expect, for work in the pool."""
    error = finished.exception()
    if error is not None:
        log.error("%s failed", what, exc_info=error)
