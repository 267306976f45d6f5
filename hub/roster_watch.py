"""Keeping the hub's roster in step with its files: imported at start, and again whenever they change (a
school drops tonight's export in place). A broken roster never stops a room that has run before: it keeps
the last good import and says so (``ROSTER_REFUSED`` in the hub's status)."""
from __future__ import annotations

import logging
import sqlite3
import time

from hub.roster import RosterError
from hub.roster_source import RosterSelection, read_roster, roster_digest, roster_signature
from hub.store import HubStore
from shared.config import Config
from shared.protocol import ROSTER_REFUSED

log = logging.getLogger("rotation.hub")
CHECK_SECONDS = 5.0  # how often the files' sizes and times are looked at: a change is taken after two looks


def roster_selection(config: Config) -> RosterSelection:
    return RosterSelection(config.roster_classes, config.roster_teacher)


def sync_roster(store: HubStore, config: Config) -> bool:
    """Import the configured roster if its files (or the choice of classes) changed since the last import; a
    delta export is applied to what the last import kept. True if it imported. RosterError if the files
    have problems."""
    if config.roster is None:
        return False
    selection = roster_selection(config)
    digest = roster_digest(config.roster, selection)
    if digest == store.roster_digest():
        return False
    roster, mirror = read_roster(config.roster, selection, mirror=store.roster_mirror(selection.key),
                                 class_title=config.room_name)
    store.import_roster(roster, mirror, digest, selection.key)
    log.info("imported the roster: %d classes, %d students", len(roster.classes), len(roster.people))
    return True


def sync_or_keep(store: HubStore, config: Config) -> RosterError | None:
    """``sync_roster``, but files with problems leave the last import in place: their RosterError is
    returned. Raised only when nothing was ever imported, since then there is no class to run."""
    try:
        sync_roster(store, config)
    except RosterError as error:
        if not store.roster_digest():
            raise
        return error
    return None


class RosterWatch:
    def __init__(self, store: HubStore, config: Config) -> None:
        self.store, self.config = store, config
        self.problem: str | None = None  # ROSTER_REFUSED while the files have problems
        self._checked = time.monotonic()
        self._seen = self._looked = roster_signature(config.roster) if config.roster else None
        self._taken = ""

    def start(self) -> None:
        """The import the room starts with. RosterError only if nothing was ever imported: a room without a
        class cannot run."""
        refused = sync_or_keep(self.store, self.config)
        if refused is not None:
            log.error("the roster was not imported (the room runs with the last one): %s", refused)
            self.problem = ROSTER_REFUSED
        self._taken = self.store.roster_digest()

    def poll(self) -> bool:
        """Import the files again once they have changed and then stayed as they are for a whole look (every
        ``CHECK_SECONDS``): an export still being copied in is not half-read. True when the room should take a
        new import: made here, or by `rotation cards` on the same files meanwhile."""
        if self.config.roster is None or time.monotonic() - self._checked < CHECK_SECONDS:
            return False
        self._checked = time.monotonic()
        looked, self._looked = self._looked, roster_signature(self.config.roster)
        if self._looked != looked or self._looked == self._seen:
            return False  # still changing, or as imported
        self._seen = self._looked
        try:
            sync_roster(self.store, self.config)
        except RosterError as error:
            log.error("the roster changed but was not imported (the room keeps the last one): %s", error)
            self.problem = ROSTER_REFUSED
            return False
        except (sqlite3.Error, OSError) as error:
            log.error("the roster changed but could not be imported: %s", error)
            return False
        self.problem = None
        digest = self.store.roster_digest()
        if digest == self._taken:
            return False
        self._taken = digest
        return True
