"""SIGKILL in the middle of writing, on the kiosk's outbox and on the hub's store: the database opens clean
and every event acknowledged before the kill is in it."""
import random
import signal
import sqlite3
import subprocess
import sys
import time

import pytest

from tests.conftest import ROOT

KILLS = 10


def kill_while_writing(kind: str, path, kills: int, seed: int) -> int:
    rng = random.Random(seed)
    acknowledged: list[str] = []
    for _ in range(kills):
        writer = subprocess.Popen([sys.executable, "-m", "tests.faults.writers", kind, str(path)], cwd=ROOT,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        first = writer.stdout.readline()  # it is writing
        assert first, writer.stderr.read()
        time.sleep(rng.uniform(0.001, 0.05))
        writer.send_signal(signal.SIGKILL)
        writer.wait()
        out = first + writer.stdout.read()
        acknowledged += [line for line in out.split("\n")[:-1]]  # a last line without its end was not printed whole
        writer.stdout.close()
        writer.stderr.close()
        db = sqlite3.connect(path)
        try:
            assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
            stored = {row[0] for row in db.execute(f"SELECT id FROM {'outbox' if kind == 'outbox' else 'events'}")}
        finally:
            db.close()
        missing = [event_id for event_id in acknowledged if event_id not in stored]
        assert not missing, f"{len(missing)} acknowledged events missing after a kill"
    return len(acknowledged)


@pytest.mark.parametrize("kind", ["outbox", "hub"])
def test_a_kill_mid_write_loses_nothing_acknowledged(kind, tmp_path):
    written = kill_while_writing(kind, tmp_path / f"{kind}.db", KILLS, seed=3)
    assert written > KILLS


@pytest.mark.long
@pytest.mark.parametrize("kind", ["outbox", "hub"])
def test_a_hundred_kills_mid_write(kind, tmp_path):
    written = kill_while_writing(kind, tmp_path / f"{kind}.db", 100, seed=4)
    print(f"\n{kind}: {written} acknowledged events, 100 kills, none missing")
