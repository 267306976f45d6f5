"""Valid payloads of every kind, and a generator of payloads every receiver must refuse."""
from __future__ import annotations

import json
import random

from shared.protocol import DEFAULT_MAX_PAYLOAD, MAX_PAYLOAD, ProtocolError, decode

STATE = {
    "v": 1, "seq": 7, "hub_time": 1795430000.3,
    "clock": {"round": 1, "rounds": 2, "duration": 600.0, "running": True, "ends_at": 1795430500.0, "left": None,
              "started_at": 1795429900.0},
    "stations": [{"id": "reading-nook", "name": "Reading Nook", "kind": "reading", "kiosk": True, "groups": ["g1"],
                  "activities": ["Read a book"]},
                 {"id": "tech", "name": "Tech", "kind": "tech", "kiosk": True, "groups": ["g2"]}],
    "groups": [{"id": "g1", "name": "G1", "members": ["s01"]}, {"id": "g2", "name": "G2", "members": ["s02"]}],
    "students": {"s01": {"name": "Maya R.", "card": 1, "group": "g1"},
                 "s02": {"name": "Liam C.", "card": 2, "group": "g2"}},
    "presence": {"s01": {"station": "reading-nook", "at": 1795429950.0}},
    "help": [{"id": "h1", "station": "tech", "at": 1795429960.0}],
    "goals": ["Help a friend", "Try something hard"],
    "progress": {"s01": {"activity": "Read a book", "goal": "Help a friend"}},
    "choice": {"round": 1, "until": 1795430100.0, "must": ["tech"], "places": {"tech": 1},
               "allowed": {"s01": ["tech"]}, "going": {"s02": "tech"}, "how": {"s02": "chose"}},
}
VALID = {
    "kiosk_event": {"v": 1, "id": "e1", "kind": "exit_ticket", "card": "RS1:s01:1:AAAAAAAAAAAAAAAA",
                    "station": "reading-nook", "at": 10.0, "seq": 1, "kiosk_time": 9.0,
                    "data": {"how": "stuck", "next": "More of this"}},
    "command": {"v": 1, "id": "c1", "action": "extend", "client": "display-1", "args": {"minutes": 2}},
    "ack": {"v": 1, "ids": ["e1", "e2"]},
    "pick_answer": {"v": 1, "id": "e1", "student": "s01", "to": "tech", "granted": False, "reason": "full",
                    "left": {"tech": 0}},
    "hub_status": {"v": 1, "online": True, "time": 1795430000.0, "since": 1795429000.0},
    "hub_claim": {"v": 1, "hub": {"instance": "a1b2c3", "host": "room12-hub", "started": 1795429000.0}},
    "kiosk_status": {"v": 1, "online": True, "version": "0.1.0", "clock": 1795430000.0, "outbox": 0},
    "presence": {"v": 1, "seq": 8, "student": "s02", "station": "tech", "at": 1795430001.0},
    "reply": {"v": 1, "id": "c1", "ok": True, "message": "extended by 2 min", "data": {"version": 2}},
    "state": STATE,
    "view": STATE,
    "path_request": {"v": 1, "id": "p1", "card": "RS1:s01:1:AAAAAAAAAAAAAAAA"},
    "path": {"v": 1, "id": "p1", "student": "s01", "goals_met": ["Help a friend"],
             "lessons": [{"started": 1795340000.0, "goal": "Help a friend", "goal_met": True,
                          "visits": [{"station": "tech", "name": "Tech Station", "colour": "slate",
                                      "picture": "computer", "activity": "Code a game", "ticket": "got_it",
                                      "next": "More of this"}]}]},
    "summary": {"v": 1, "room": "Room 12", "round": 2, "rounds": 5, "running": True, "ends_at": 1795430512.0,
                "left": None, "students": 28, "checked_in": 22, "help_waiting": 1,
                "stations": [{"id": "reading-nook", "name": "Reading Nook", "here": 5, "expected": 5}]},
}
ODD_VALUES = [None, True, False, 0, -1, 2 ** 63, 1e308, -1e308, 0.5, "", "x", "x" * 300, "∞", [], [1, "a"], {},
              {"a": {"b": [None]}}, [[[[[]]]]]]


def _mutate(rng: random.Random, value):
    """The value with one place inside it (itself, or a nested field or item) replaced by an odd value or
    removed."""
    if isinstance(value, dict) and value and rng.random() < 0.7:
        key = rng.choice(list(value))
        changed = dict(value)
        if rng.random() < 0.25:
            del changed[key]
        else:
            changed[key] = _mutate(rng, value[key])
        return changed
    if isinstance(value, list) and value and rng.random() < 0.7:
        index = rng.randrange(len(value))
        return value[:index] + [_mutate(rng, value[index])] + value[index + 1:]
    return rng.choice(ODD_VALUES)


def malformed(rng: random.Random, kind: str) -> bytes:
    """A payload of one of the ways a payload goes wrong; it may happen to be valid (see ``refused``)."""
    template = VALID[kind]
    text = json.dumps(template)
    how = rng.randrange(10)
    if how == 0:
        return rng.randbytes(rng.randrange(0, 300))
    if how == 1:
        return text.encode()[:rng.randrange(0, len(text))]
    if how == 2:
        return json.dumps(rng.choice([[template], 1, "text", None, [], True])).encode()
    if how == 3:
        return json.dumps({**template, "v": rng.choice([2, 0, "1", 1.5, None, [1], 99999])}).encode()
    if how == 4:
        limit = MAX_PAYLOAD.get(kind, DEFAULT_MAX_PAYLOAD)
        return json.dumps({**template, "pad": "x" * (limit + rng.randrange(1, 100))}).encode()
    if how == 5:
        depth = rng.randrange(1000, 20000)
        return b'{"v": 1, "id": ' + b"[" * depth + b"]" * depth + b"}"
    if how == 6:
        return text.replace('"v": 1', '"v": 1, "big": ' + "9" * 5000, 1).encode()
    if how == 7:
        raw = bytearray(text.encode())
        for _ in range(rng.randrange(1, 4)):
            raw[rng.randrange(len(raw))] = rng.choice(b"\x00\xff\xc3\"{}[],:")
        return bytes(raw)
    return json.dumps(_mutate(rng, template)).encode()  # wrongly typed or missing somewhere inside


def refused(kind: str, payload: bytes) -> bool:
    try:
        decode(kind, payload)
    except ProtocolError:
        return True
    return False


def refused_payloads(rng: random.Random, kind: str, count: int, large: int = 10) -> list[bytes]:
    """``count`` payloads of ``kind`` that the protocol refuses, generated until there are enough; at most
    ``large`` of them over 64 KiB (an oversized state is half a megabyte)."""
    found: list[bytes] = []
    while len(found) < count:
        payload = malformed(rng, kind)
        if len(payload) > 64 * 1024:
            if not large:
                continue
            large -= 1
        if refused(kind, payload):
            found.append(payload)
    return found
