"""``rotation hub command | regroup | move``: a teacher's commands from a terminal, through the hub."""
from __future__ import annotations

import secrets
import sqlite3
import sys
import time
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from msgspec.structs import replace

from hub.backup_health import BackupRecord
from hub.display_link import DisplayLink
from rotation.data_owner import as_the_technician
from shared.config import Config
from shared.protocol import Action, Reply
from shared.topics import TERMINAL_ACCOUNT

if TYPE_CHECKING:  # the cards' modules load fonts and Kivy's: imported when cards are made
    pass

NO_HUB = "rotation: the hub did not answer within 5 s (is `rotation hub serve` running?)"


class HubSession:
    """A short-lived link to the hub: sends commands and knows the room (for names)."""

    def __init__(self, config: Config) -> None:
        self.link = DisplayLink(config, account=TERMINAL_ACCOUNT)

    def __enter__(self) -> HubSession:
        self.link.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.link.stop()

    def send(self, action: Action, args: dict[str, Any]) -> Reply | None:
        reply = self.link.command(action, args)
        if reply is None:
            print(NO_HUB, file=sys.stderr)
        return reply

    def name(self, student: str) -> str:
        state = self.link.state
        known = state.students.get(student) if state else None
        return known.name if known else student


@contextmanager
def hub_database(config: Config):
    """The hub's database, opened here: what reads it this way works whether or not the hub runs."""
    from hub.store import HubStore

    store = HubStore(config.hub.database)
    try:
        yield store
    finally:
        store.close()


def finish(reply: Reply | None) -> int:
    if reply is None:
        return 1
    print(reply.message, file=sys.stdout if reply.ok else sys.stderr)
    return 0 if reply.ok else 1


def attendance(config: Config, student: str, mark: str) -> int:
    with HubSession(config) as hub:
        return finish(hub.send("mark_attendance", {"student": student, "mark": mark}))


def start_lesson(config: Config, class_ref: str | None, minutes: float | None, rounds: int | None,
                 passing: float, off: list[str], choice_rounds: list[int] | None = None,
                 must_do: list[str] | None = None) -> int:
    """Round 1 of a lesson, of ``class_ref`` if given (switched to first), with its settings: ``choice_rounds``,
    the rounds in which students choose their station, ``must_do`` the stations they choose first."""
    settings: dict[str, Any] = {"off": off, "passing": passing, "class": class_ref, "minutes": minutes,
                                "rounds": rounds, "choice_rounds": choice_rounds or None, "must_do": must_do or None}
    with HubSession(config) as hub:
        return finish(hub.send("start", {key: value for key, value in settings.items() if value is not None}))


def change_lesson(config: Config, minutes: float | None, rounds: int | None, passing: float | None,
                  off: list[str], on: list[str]) -> int:
    settings: dict[str, Any] = {"off": off, "on": on, "minutes": minutes, "rounds": rounds, "passing": passing}
    with HubSession(config) as hub:
        return finish(hub.send("change_lesson", {key: value for key, value in settings.items() if value is not None}))


def end_lesson(config: Config, collect: float) -> int:
    with HubSession(config) as hub:
        return finish(hub.send("end", {"collect": collect}))


def clock_command(config: Config, action: Action, minutes: float) -> int:
    with HubSession(config) as hub:
        return finish(hub.send(action, {"minutes": minutes} if action == "extend" else {}))


def regroup(config: Config, strategy: str, count: int, apart: list[str], seed: int | None, apply: bool,
            when: str = "now") -> int:
    seed = secrets.randbelow(10_000) if seed is None else seed
    pairs = [pair.split(",") for pair in apart]
    if any(len(pair) != 2 for pair in pairs):
        print("rotation: --apart takes two student ids joined by a comma, e.g. --apart s01,s07", file=sys.stderr)
        return 2
    with HubSession(config) as hub:
        reply = hub.send("suggest_groups", {"strategy": strategy, "groups": count, "apart": pairs, "seed": seed})
        if reply is None or not reply.ok:
            return finish(reply)
        if reply.data is None:
            print(f"rotation: the hub's answer has no groups: {reply.message}", file=sys.stderr)
            return 1
        groups = reply.data["groups"]
        print(f"{reply.message} (seed {seed}; the same seed gives the same groups):")
        for name, members in groups.items():
            print(f"  {name:<10} {', '.join(hub.name(m) for m in members)}")
        if not apply:
            print("Nothing changed yet: add --apply to use these groups.")
            return 0
        return finish(hub.send("set_groups", {"groups": groups, "when": when}))


def skip(config: Config, group: str, station: str, instead: str | None) -> int:
    with HubSession(config) as hub:
        return finish(hub.send("skip_station", {"group": group, "station": station, "instead": instead}))


def note(config: Config, student: str, tags: list[str], text: str) -> int:
    with HubSession(config) as hub:
        return finish(hub.send("conference_note", {"student": student, "tags": tags, "text": text}))


def backup(config: Config, out: Path | None, keep: int) -> int:
    """The nightly backup: a checked copy in the board's own folder, sent to ``[backup] copy_to`` if set, each run
    recorded for the hub's status. With ``out``: one copy there, as the technician asked, and nothing else."""
    from hub.backup import backup_database, backups_folder

    if out is not None:
        try:
            with as_the_technician():
                copy = backup_database(config.hub.database, out, time.time(), max(keep, 1))
        except (ValueError, OSError, sqlite3.Error) as error:
            print(f"rotation: the backup into {out} failed: {error}", file=sys.stderr)
            return 1
        print(f"backed up to {copy}")
        return 0
    at = time.time()
    try:
        copy = backup_database(config.hub.database, backups_folder(config.hub.database), at, max(keep, 1))
    except (ValueError, OSError, sqlite3.Error) as error:
        problem = str(error) if isinstance(error, ValueError) else f"{backups_folder(config.hub.database)}: {error}"
        print(f"rotation: the backup failed: {problem}", file=sys.stderr)
        _record(config, BackupRecord(at, ok=False, problem=problem, copy_to=config.backup.copy_to))
        return 1
    print(f"backed up to {copy}")
    record = BackupRecord(at, ok=True, file=copy.name)
    if config.backup.copy_to is not None:
        record = _copied(copy, config.backup.copy_to, config.backup.keep, record)
    _record(config, record)
    return 0 if record.copy_to is None or record.copied else 1


def _copied(copy: Path, target: str, keep: int, record: BackupRecord) -> BackupRecord:
    from hub.backup_copy import CopyFailed, copy_off_board

    try:
        kept = copy_off_board(copy, target, keep)
    except (CopyFailed, OSError) as error:
        print(f"rotation: the backup is on the board, but its copy to {target} failed: {error}", file=sys.stderr)
        return replace(record, copy_to=target, copy_problem=str(error))
    print(f"copied to {target} ({kept} cop{'y' if kept == 1 else 'ies'} kept there)")
    return replace(record, copy_to=target, copied=True)


def _record(config: Config, record: BackupRecord) -> None:
    from hub.backup import add_record

    try:
        add_record(config.hub.database, record)
    except OSError as error:  # the hub's status then finds no recent backup: the display says so
        print(f"rotation: could not record this backup for the hub's status: {error}", file=sys.stderr)


def report(config: Config, out: Path | None) -> int:
    """Straight from the hub's database, so it works whether or not the hub is running."""
    from hub.report_files import report_last_session

    with hub_database(config) as store:
        try:
            if out is None:  # beside the hub's database, where the display's Report writes too
                folder = report_last_session(store, config, time.time())
            else:
                with as_the_technician():
                    folder = report_last_session(store, config, time.time(), out)
        except ValueError as error:
            print(f"rotation: {error}", file=sys.stderr)
            return 1
    print(f"report written to {folder}: timeline.csv, stations.csv, groups.csv, summary.png")
    return 0


def cards(config: Config, paper: str, out: Path, students: list[str], reprint: bool,
          class_ref: str | None = None) -> int:
    """A PDF of cards for the room's students (one class's with ``class_ref``, or the named students), each
    with their class and their group's colour; ``reprint`` first gives those students new cards through the
    hub, which revokes their old ones at every kiosk. One card works in every class of the student's."""
    from hub.cards_pdf import FontsMissing, UnprintableName, class_card_faces, write_cards
    from hub.classes import find_class
    from hub.roster_watch import sync_or_keep

    with hub_database(config) as store:
        refused = sync_or_keep(store, config)
        card_ids = store.card_ids()
    if refused is not None:
        print(f"rotation: the roster's files have problems, so these cards are from its last import "
              f"({refused.problems[0]}; `rotation check-config` names them all)", file=sys.stderr)
    students = [card_ids.get(s, s) for s in students]  # named by the school's id, or by the card's
    if reprint:
        if not students:
            print("rotation: --reprint needs --student for each card to replace", file=sys.stderr)
            return 2
        with HubSession(config) as hub:
            for student in students:
                reply = hub.send("reissue_card", {"student": student})
                if reply is None or not reply.ok:
                    return finish(reply)
                print(reply.message)
    with hub_database(config) as store:
        classes, versions = store.classes(), store.card_versions()
        if class_ref is not None:
            try:
                classes = [find_class(class_ref, classes)]
            except ValueError as error:
                print(f"rotation: {error}", file=sys.stderr)
                return 2
        faces = class_card_faces(store, config.signing_key, classes, versions)
    unknown = sorted(set(students) - faces.keys())
    if unknown:
        print(f"rotation: not in {'that class' if class_ref else 'the room'}: {', '.join(unknown)}", file=sys.stderr)
        return 2
    chosen = sorted((face for sid, face in faces.items() if not students or sid in students),
                    key=lambda face: (face.name.casefold(), face.student_id))  # handed out by name
    try:
        with as_the_technician():  # where they asked, as they asked (here: the folder they ran it in)
            pages = write_cards(chosen, out, paper)
    except (UnprintableName, FontsMissing) as error:
        print(f"rotation: {error}", file=sys.stderr)
        return 1
    cards_word, pages_word = ("card" if len(chosen) == 1 else "cards"), ("page" if pages == 1 else "pages")
    print(f"wrote {len(chosen)} {cards_word} on {pages} {paper.upper()} {pages_word} to {out}")
    return 0


def station_signs(config: Config, paper: str, out: Path) -> int:
    """A sign for each station to stand at it: the colour and picture its kiosk and the map show."""
    from hub.cards_pdf import FontsMissing
    from hub.station_signs import write_station_signs

    try:
        pages = write_station_signs(config.stations, out, paper)
    except FontsMissing as error:
        print(f"rotation: {error}", file=sys.stderr)
        return 1
    print(f"wrote a sign for each of the {pages} stations, a landscape {paper.upper()} page each, to {out}")
    return 0


def choose_class(config: Config, class_ref: str | None) -> int:
    """Run another class; without one, list the room's classes, the running one and the one due now."""
    with HubSession(config) as hub:
        if class_ref is not None:
            return finish(hub.send("set_class", {"class": class_ref}))
        state = hub.link.wait_for_state()
        if state is None:
            print(NO_HUB, file=sys.stderr)
            return 1
    if not state.classes:
        print("this room has no classes yet: set [room] roster in its config", file=sys.stderr)
        return 1
    for entry in state.classes:
        marks = [m for m, on in (("running", entry.id == state.class_id), ("due now", entry.due)) if on]
        marked = "".join(f", {mark}" for mark in marks)
        print(f"  {entry.id:<24} {entry.name}  ({len(entry.students)} students{marked})")
    return 0


def move(config: Config, student: str, group: str) -> int:
    with HubSession(config) as hub:
        return finish(hub.send("move_student", {"student": student, "group": group}))


def export_student(config: Config, student: str, out: Path) -> int:
    """Straight from the hub's database and reports, so it works whether or not the hub is running."""
    from hub.privacy import export_student as write_export

    with hub_database(config) as store, as_the_technician():
        try:
            files = write_export(store, config, student, out)
        except KeyError:
            print(f"rotation: {student!r} is not a student of this class (or their data was deleted)",
                  file=sys.stderr)
            return 1
    print(f"everything stored about {student}: {', '.join(str(f) for f in files)}")
    return 0


def delete_student(config: Config, student: str, confirmed: bool) -> int:
    """Through the hub, which holds the room in memory and knows which events to drop from now on; then out of
    the roster file on the hub (here, where the teacher may write it: the hub's service may only read it)."""
    if not confirmed:
        if not sys.stdin.isatty():
            print("rotation: deleting is for good: add --yes to confirm", file=sys.stderr)
            return 2
        answer = input(f"Delete everything stored about {student}, for good, and revoke their card? "
                       "Type the student id to confirm: ")
        if answer.strip() != student:
            print("Nothing deleted.")
            return 1
    with hub_database(config) as store:  # the roster names them by the school's id, which goes with them
        school_id = next((sis for sis, card in store.card_ids().items() if card == student), None)
    with HubSession(config) as hub:
        deleted = finish(hub.send("delete_student", {"student": student}))
    if deleted or school_id is None:
        return deleted
    from hub.privacy import remove_from_roster_file

    with as_the_technician():  # the room's files are root's: the hub's services only read them
        done, message = remove_from_roster_file(config.roster, school_id)
    if message:
        print(message, file=sys.stdout if done else sys.stderr)
    return 0 if done else 1
