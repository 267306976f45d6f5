"""Whether the hub's backups work: from the record of each ``rotation backup`` run (hub/backup.py keeps them) and
the time, what is wrong and what to do. Pure: the hub's status (and so the teacher's display) and ``rotation
doctor`` ask it."""
from __future__ import annotations

import time
from collections.abc import Sequence

import msgspec

from shared.protocol import BackupTrouble

STALE_SECONDS = 2 * 86_400  # "none in the last two days": a nightly backup missed twice
TIMER_ADVICE = "is rotation-backup.timer on? (systemctl status rotation-backup.timer rotation-backup.service)"


class BackupRecord(msgspec.Struct, frozen=True, omit_defaults=True):
    """One run of ``rotation backup`` into the board's own folder: ``ok``, the checked copy was made there
    (``file``), else ``problem`` says why; ``copy_to`` the place off the board it was to be copied to (None:
    none set), ``copied`` whether it got there, else ``copy_problem`` says why."""
    at: float
    ok: bool
    file: str | None = None
    problem: str | None = None
    copy_to: str | None = None
    copied: bool = False
    copy_problem: str | None = None


class BackupHealth(msgspec.Struct, frozen=True):
    """``ok``: nothing needs a person. ``summary``: one line for the technician, what is wrong and what to do, or
    when the last backup (and its copy) was made. ``trouble``: what the teacher's display says (None: nothing)."""
    ok: bool
    summary: str
    last_backup: float | None = None
    last_copy: float | None = None
    trouble: BackupTrouble | None = None


def when(at: float) -> str:
    return time.strftime("%a %d %b %H:%M", time.localtime(at))


def backup_health(records: Sequence[BackupRecord], now: float, copy_to: str | None = None,
                  data_since: float | None = None) -> BackupHealth:
    """``records``: the runs kept, any order; ``copy_to``: where the room file says backups are copied now;
    ``data_since``: when the hub first stored something (None: nothing yet, so nothing to lose)."""
    runs = sorted(records, key=lambda r: r.at)
    good = [r for r in runs if r.ok]
    last_backup = good[-1].at if good else None
    copies = [r for r in good if r.copied]
    last_copy = copies[-1].at if copies else None

    def health(summary: str, trouble: BackupTrouble | None = None) -> BackupHealth:
        return BackupHealth(trouble is None, summary, last_backup, last_copy, trouble)

    latest = runs[-1] if runs else None
    if latest is not None and not latest.ok:
        return health(f"the backup of {when(latest.at)} failed: {latest.problem}; "
                      f"{'the last good one is of ' + when(last_backup) if last_backup else 'none has worked yet'}",
                      BackupTrouble(since=last_backup))
    if last_backup is None:
        if data_since is not None and now - data_since > STALE_SECONDS:
            return health(f"no backup has been made since the hub began storing ({when(data_since)}): {TIMER_ADVICE}",
                          BackupTrouble(since=None))
        return health("no backup yet (the first is made this evening at 18:30)")
    if now - last_backup > STALE_SECONDS:
        return health(f"no backup since {when(last_backup)}: {TIMER_ADVICE}", BackupTrouble(since=last_backup))
    latest_good = good[-1]
    if latest_good.copy_to is not None and not latest_good.copied:
        return health(f"the backup of {when(latest_good.at)} was made on the board but not copied to "
                      f"{latest_good.copy_to}: {latest_good.copy_problem}",
                      BackupTrouble(since=last_copy, copy=True))
    made = f"last backup {when(last_backup)}"
    if latest_good.copied:
        return health(f"{made}, copied to {latest_good.copy_to}")
    if copy_to is not None:
        return health(f"{made}; copies to {copy_to} from the next one on")
    return health(f"{made}, on the board only: set [backup] copy_to to keep one off the board")
