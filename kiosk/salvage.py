"""What can be read of a damaged outbox, for the new one that takes its place: the events still waiting for
the hub, those kept after its ack, the highest sequence number handed out and the teacher's PIN lock-out. Each
event is checked (a row on a damaged page may read as something else) and what cannot be read is named by id
where its index still says it was there. The damaged file is set aside first, and kept."""
from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

from edge.salvage import readable_rows, readable_values, reading, set_aside
from shared.protocol import ProtocolError, decode

# What the meta table holds that is worth carrying over: the sequence number (so none is ever used twice), the
# PIN lock-out (so a damaged file is no way round it: whoever can damage the file could also edit it, so this is
# for the kiosk's sake, not a defence) and the hub's last request to send events again (so it is not answered
# twice). Settings a teacher made at the kiosk live in their own file (kiosk/settings.py), untouched.
META_KEPT = ("seq", "pin_failures", "pin_locked_until", "resent_for")


@dataclass
class Salvaged:
    aside: Path  # where the damaged file now is
    reason: str
    readable: bool = False  # SQLite could open it at all
    waiting: list[tuple[int, str, str]] = field(default_factory=list)  # (seq, id, payload) not yet acked
    acked: list[tuple[int, str, str, float]] = field(default_factory=list)  # (seq, id, payload, acked_at)
    meta: dict[str, float] = field(default_factory=dict)
    lost: list[str] = field(default_factory=list)  # ids of waiting events that could not be read
    highest_seq: int = 0  # of every event seen, read or not


def salvage_outbox(path: Path, reason: str, now: float) -> Salvaged:
    """Set the damaged outbox at ``path`` aside and read what can be read of it."""
    salvaged = Salvaged(set_aside(path, now), reason)
    with reading(salvaged.aside) as conn:
        if conn is not None:
            salvaged.readable = True
            _read(conn, salvaged)
    return salvaged


def _read(conn: sqlite3.Connection, salvaged: Salvaged) -> None:
    for seq, (event_id, payload) in sorted(readable_rows(conn, "outbox", "id, payload").items()):
        if _whole(seq, event_id, payload):
            salvaged.waiting.append((seq, event_id, payload))
    if _has_table(conn, "acked"):
        for seq, (event_id, payload, acked_at) in sorted(readable_rows(conn, "acked", "id, payload, "
                                                                       "acked_at").items()):
            if _whole(seq, event_id, payload) and isinstance(acked_at, float | int):
                salvaged.acked.append((seq, event_id, payload, float(acked_at)))
    for key, value in readable_rows(conn, "meta", "key, value").values():
        if key in META_KEPT and isinstance(value, int | float):
            salvaged.meta[key] = value
    # The id index is a b-tree of its own: it may still name events whose rows are gone.
    listed = _listed(conn, "outbox", "idx_outbox_id")
    read = {event_id for _, event_id, _ in salvaged.waiting}
    salvaged.lost = sorted(event_id for event_id in listed if event_id not in read)
    salvaged.highest_seq = int(max([salvaged.meta.get("seq", 0), *listed.values(),
                                    *(row[0] for row in salvaged.waiting), *(row[0] for row in salvaged.acked)]))


def _whole(seq: int, event_id: object, payload: object) -> bool:
    """The row reads as the event it names."""
    if not isinstance(payload, str) or not isinstance(event_id, str):
        return False
    try:
        event = decode("kiosk_event", payload.encode())
    except (ProtocolError, UnicodeError):
        return False
    return event.id == event_id and event.seq == seq


def _listed(conn: sqlite3.Connection, table: str, index: str) -> dict[str, int]:
    """The ids (and sequence numbers) the index can still be read for, from both its ends."""
    listed: dict[str, int] = {}
    for order in ("", " DESC"):
        for event_id, seq in readable_values(conn, f'SELECT id, seq FROM "{table}" INDEXED BY "{index}" '
                                                   f"ORDER BY id{order}"):
            if isinstance(event_id, str) and isinstance(seq, int):
                listed[event_id] = seq
    return listed


def _has_table(conn: sqlite3.Connection, table: str) -> bool:
    return bool(readable_values(conn, f"SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '{table}'"))
