"""A student's data out (export) and away (delete), and old data away (retention), on the hub's files.

The database side is in ``HubStore``; this module adds the report folders (``reports/`` next to the
database), whose timelines name students, and writes the export files.
"""
from __future__ import annotations

import csv
import json
import shutil
import time
import zipfile
from pathlib import Path

from edge.files import replace_keeping_access
from hub.report_files import REPORT_FOLDER_FORMAT, REPORT_FOLDER_TIME, reports_root
from hub.retention import DAY_SECONDS, evidence_limit, vouched
from hub.roster import RosterError, read_text, without_student
from hub.store import HubStore
from shared.config import Config

TIMELINE = "timeline.csv"


def _timelines(root: Path) -> list[Path]:
    return sorted(root.glob(f"*/{TIMELINE}")) if root.is_dir() else []


def _read_rows(path: Path) -> tuple[list[str], list[list[str]]]:
    with path.open(newline="", encoding="utf-8") as file:
        rows = list(csv.reader(file))
    return (rows[0], rows[1:]) if rows else ([], [])


def report_rows(root: Path, student_id: str) -> dict[str, list[dict]]:
    """The student's lines in every report timeline, by file."""
    found = {}
    for path in _timelines(root):
        header, rows = _read_rows(path)
        # A row of another length than the header (a file edited by hand) keeps the cells that have a column.
        mine = [dict(zip(header, row, strict=False)) for row in rows if row and row[0] == student_id]
        if mine:
            found[str(path)] = mine
    return found


def remove_from_reports(root: Path, student_id: str) -> int:
    """Rewrite every report timeline without the student's lines; returns how many went."""
    removed = 0
    for path in _timelines(root):
        header, rows = _read_rows(path)
        kept = [row for row in rows if not row or row[0] != student_id]
        if len(kept) < len(rows):
            removed += len(rows) - len(kept)
            temporary = path.with_suffix(".tmp")
            with temporary.open("w", newline="", encoding="utf-8") as file:
                csv.writer(file).writerows([header, *kept])
            temporary.replace(path)
    return removed


def remove_from_roster_file(path: Path | None, sis_id: str) -> tuple[bool, str]:
    """Take the student's rows out of the room's class list on the hub (a CSV file), replaced whole; (whether
    the hub's copy no longer names them, what the teacher should know). The list's source (the school's
    system, or whoever made the file) still has them, and the next list from there brings them back."""
    if path is None:
        return True, ""
    source = "take them out where the list comes from (the school's system, or whoever made the file) too"
    if path.is_dir() or zipfile.is_zipfile(path):
        return False, (f"the school's export {path} on the hub still names them until the next one replaces it: "
                       "take them out of the class in the school's system, or that export brings them back")
    try:
        text, removed = without_student(read_text(path), sis_id)
        if removed:
            replace_keeping_access(path, text)
    except (RosterError, OSError) as error:
        reason = error.strerror if isinstance(error, OSError) else "it cannot be read"
        return False, f"the roster {path} still names them ({reason}): take their rows out of it by hand, and {source}"
    if not removed:
        return True, f"the roster {path} does not list them; {source}"
    return True, f"their {removed} row(s) are out of the roster {path}; {source}, or the next list brings them back"


def purge_old_reports(root: Path, cutoff: float) -> list[Path]:
    """Remove the report folders of sessions that started before ``cutoff``; other folders are left."""
    removed = []
    for folder in sorted(root.iterdir()) if root.is_dir() else []:
        try:
            started = time.mktime(time.strptime(folder.name[:REPORT_FOLDER_TIME], REPORT_FOLDER_FORMAT))
        except ValueError:
            continue  # not a report folder of ours
        if folder.is_dir() and started < cutoff:
            shutil.rmtree(folder)
            removed.append(folder)
    return removed


def vouched_time(store: HubStore, now: float, newest_at_start: float | None,
                 synchronised: bool | None) -> float | None:
    """The newest time what the hub stored vouches for (hub/retention.py): its last purge, or its newest event
    of those that may vouch. ``newest_at_start``: the newest event stored before this hub started."""
    last_purge = store.last_purge()
    newest = store.newest_received(evidence_limit(now, last_purge, newest_at_start, synchronised))
    return max((t for t in (vouched(now, last_purge), newest) if t is not None), default=None)


def purge_expired(store: HubStore, config: Config, now: float) -> tuple[int, int]:
    """Erase what is older than the retention period: (database rows, report folders) removed."""
    cutoff = now - config.retention_days * DAY_SECONDS
    rows = store.purge_before(cutoff)
    folders = purge_old_reports(reports_root(config), cutoff)
    store.set_last_purge(now)
    return rows, len(folders)


def export_student(store: HubStore, config: Config, student_id: str, folder: Path) -> list[Path]:
    """Write everything stored about the student: ``<id>.json`` whole, and ``<id>.csv``, their events as a
    spreadsheet opens them. Raises KeyError for an unknown student."""
    data = store.student_data(student_id)
    if data is None:
        raise KeyError(student_id)
    data = {"exported_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "room": config.room_id, **data,
            "reports": report_rows(reports_root(config), student_id)}
    folder.mkdir(parents=True, exist_ok=True)
    whole, events = folder / f"{student_id}.json", folder / f"{student_id}.csv"
    whole.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    with events.open("w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file)
        writer.writerow(["time", "what", "station", "accepted", "reason", "details"])
        for event in data["events"]:
            writer.writerow([time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(event["at"])), event["kind"],
                             event["station"], "yes" if event["accepted"] else "no", event["reason"] or "",
                             json.dumps(event["data"], ensure_ascii=False) if event["data"] else ""])
    return [whole, events]
