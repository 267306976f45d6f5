"""The hub's own ids for what a school's export names: made once, then kept in the hub's database. Pure.

A school's ids may be anything (``urn:uuid:…``, ``{…}``, an email, 80 characters): a card carries a short id
the hub gives each student, which is the school's own id when that already fits a card and is free (so cards
of a plain class list read ``s07``), else a new random one. A class gets a readable id from its code or title
(``period-3``), which the teacher may type.
"""
from __future__ import annotations

import re
import secrets

from hub.roster import RosterClass
from shared.cards import STUDENT_ID
from shared.topics import NAME_PATTERN

_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i: an id is read aloud at times


def card_id(sis_id: str, taken: set[str]) -> str:
    if STUDENT_ID.match(sis_id) and sis_id not in taken:
        return sis_id
    while True:
        made = "r" + "".join(secrets.choice(_ALPHABET) for _ in range(7))
        if made not in taken:
            return made


def class_id(klass: RosterClass, taken: set[str]) -> str:
    for text in (klass.code, klass.title):
        slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:40].strip("-")
        if slug and NAME_PATTERN.match(slug) and slug not in taken:
            return slug
    number = len(taken) + 1
    while f"class-{number}" in taken:
        number += 1
    return f"class-{number}"
