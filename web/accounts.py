"""Teachers' accounts for the web companion: names and scrypt hashes of their passwords, and the lock-out
after wrong passwords, in a small SQLite file of their own (`[web] accounts`).

scrypt (in Python's hashlib) is memory-hard: 32 MiB and about a tenth of a second a try, so a stolen file is
slow to guess on a GPU. Five wrong passwords in a row for a name lock it for a minute, doubling after each
further one up to an hour (shared.pin's gate), and the count survives a restart.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import os
import re
import threading
from pathlib import Path

from edge.db import DatabaseFile, locked
from edge.migrations import Migration, Schema, statements
from shared.pin import Attempt, PinGate

SCRYPT = {"n": 2 ** 15, "r": 8, "p": 1}  # 32 MiB: N * r * 128 bytes
MAX_MEMORY = 64 * 1024 * 1024
NAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]{0,39}$")
MIN_PASSWORD = 10

ACCOUNTS_SCHEMA = Schema([
    Migration(1, "teachers and their lock-outs", statements(
        'CREATE TABLE "teachers" ("name" TEXT PRIMARY KEY, "password_hash" TEXT NOT NULL)',
        'CREATE TABLE "lockouts" ("name" TEXT PRIMARY KEY, "failures" INTEGER NOT NULL, '
        '"locked_until" REAL NOT NULL)',
    )),
], advice="update the software, or make the accounts again with `rotation teacher add`")


def hash_password(password: str, salt: bytes | None = None) -> str:
    salt = salt if salt is not None else os.urandom(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, maxmem=MAX_MEMORY, dklen=32, **SCRYPT)
    return "scrypt${n}${r}${p}$".format(**SCRYPT) + \
        f"{base64.b64encode(salt).decode()}${base64.b64encode(digest).decode()}"


def password_matches(password: str, stored: str) -> bool:
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        computed = hashlib.scrypt(password.encode(), salt=base64.b64decode(salt), n=int(n), r=int(r), p=int(p),
                                  maxmem=MAX_MEMORY, dklen=32)
    except ValueError:
        return False
    return scheme == "scrypt" and hmac.compare_digest(base64.b64encode(computed).decode(), digest)


def check_new(name: str, password: str) -> None:
    """ValueError saying what is wrong with a new account's name or password."""
    if not NAME_PATTERN.match(name):
        raise ValueError("a name is 1-40 of lowercase letters, digits, '.', '_' or '-', e.g. jlee")
    if len(password) < MIN_PASSWORD:
        raise ValueError(f"a password has at least {MIN_PASSWORD} characters")


class Accounts:
    unknown_kept = 1000  # lock-outs of names that are no teacher's: the newest this many (a guesser's list is long)

    def __init__(self, path: Path) -> None:
        self.path = path
        self.file = DatabaseFile(path, schema=ACCOUNTS_SCHEMA)
        self.lock = threading.RLock()
        os.chmod(path, 0o600)  # hashes only, but nobody else's business

    @locked
    def add(self, name: str, password: str) -> bool:
        """Add the teacher, or set a new password; True if the name is new."""
        check_new(name, password)
        conn = self.file.conn
        new = conn.execute("SELECT 1 FROM teachers WHERE name = ?", (name,)).fetchone() is None
        with conn:
            conn.execute("INSERT OR REPLACE INTO teachers (name, password_hash) VALUES (?, ?)",
                         (name, hash_password(password)))
            conn.execute("DELETE FROM lockouts WHERE name = ?", (name,))
        return new

    @locked
    def names(self) -> list[str]:
        return [row[0] for row in self.file.conn.execute("SELECT name FROM teachers ORDER BY name")]

    @locked
    def log_in(self, name: str, password: str, now: float) -> Attempt:
        """Whether the password is the teacher's. A name that does not exist is checked all the same (against
        a made-up hash), so the answer takes as long and says as little."""
        conn = self.file.conn
        row = conn.execute("SELECT password_hash FROM teachers WHERE name = ?", (name,)).fetchone()
        state = conn.execute("SELECT failures, locked_until FROM lockouts WHERE name = ?", (name,)).fetchone()
        gate = Gate(*(state or (0, 0.0)))
        attempt = gate.try_password(password, row[0] if row else UNKNOWN, now)
        if row is None and attempt.ok:  # cannot happen: the made-up hash matches no password
            attempt = Attempt(False)
        with conn:
            conn.execute("INSERT OR REPLACE INTO lockouts (name, failures, locked_until) VALUES (?, ?, ?)",
                         (name, gate.failures, gate.locked_until))
            conn.execute("DELETE FROM lockouts WHERE name NOT IN (SELECT name FROM teachers) AND name NOT IN "
                         "(SELECT name FROM lockouts WHERE name NOT IN (SELECT name FROM teachers) "
                         "ORDER BY locked_until DESC, rowid DESC LIMIT ?)", (self.unknown_kept,))
        return attempt

    def close(self) -> None:
        self.file.close()


UNKNOWN = hash_password(os.urandom(16).hex())


class Gate(PinGate):
    """shared.pin's lock-out, for passwords."""

    def try_password(self, password: str, stored: str, now: float) -> Attempt:
        return self.try_pin(password, stored, now, matches=password_matches)
