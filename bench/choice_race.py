#!/usr/bin/env python3
"""A choice round's race for the last place: two kiosks, the real broker and hub. Not a test: prints a table.

    .venv/bin/python bench/choice_race.py [--trials 1000]

The sample room, its broker as a school runs it (accounts and ACL), the hub as `rotation hub serve` in its own
process, and two kiosk cores (Tech Station and Independent Practice) in this one. Every round of the lesson is
a choice round. Each trial, the teacher's `next` begins a new round; the kiosks fill the Teacher's Table to
its last place (capacity 8: seven picks, one after another, from the two kiosks in turn); then a student at
each kiosk picks it at the same instant (a barrier). Exactly one must get it: a trial where both do is an
overfill, one where neither does an error. At the end the hub's own record (its accepted picks) is counted too.

Latency: the pick (the kiosk stores the event and publishes it) -> the hub's answer at that kiosk, for both
racers, against the bare relay of the same payload over the same two broker hops (kiosk account -> relay
process on the hub's account -> the kiosk's answer topic), measured in the same run, before and after.
"""
from __future__ import annotations

import argparse
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.timing import percentile, relay_times, wait_for  # noqa: E402
from hub.display_link import DisplayLink  # noqa: E402
from kiosk.core import KioskCore  # noqa: E402
from rotation.broker import free_port  # noqa: E402
from rotation.demo import secured_broker, write_demo_config  # noqa: E402
from shared.cards import sign_token  # noqa: E402
from shared.config import load_config  # noqa: E402
from shared.protocol import Event, PickAnswer, encode  # noqa: E402
from shared.topics import TERMINAL_ACCOUNT, Topics  # noqa: E402

KIOSKS = ("tech", "independent")
RACED = "teacher-table"  # the sample room's one station with a capacity
# Each kiosk sends five picks a trial: at least this long a trial keeps it at 50 a second, under the hub's limit
# for one kiosk (hub/kiosk_limit.py: 100 a second after a burst; what is over waits for the kiosk's resend).
TRIAL_SECONDS = 0.1
ROUNDS = 20  # the most a lesson has; every one a choice round, and after the last the rotation starts over


class Racer:
    """A kiosk core with its answers: each pick's time from sending to the hub's answer arriving."""

    def __init__(self, core: KioskCore) -> None:
        self.core = core
        self.answers: dict[str, tuple[PickAnswer, float]] = {}
        self.arrived = threading.Condition()
        core.pick_listeners.append(self._answered)

    def _answered(self, answer: PickAnswer) -> None:
        with self.arrived:
            self.answers[answer.id] = (answer, time.perf_counter())
            self.arrived.notify_all()

    def pick(self, token: str) -> tuple[PickAnswer, float]:
        """Pick the raced station; (the answer, milliseconds from the pick to it)."""
        start = time.perf_counter()
        event_id = self.core.pick(token, RACED).id
        with self.arrived:
            if not self.arrived.wait_for(lambda: event_id in self.answers, 5):
                raise SystemExit(f"no answer to a pick at {self.core.station.id}")
            answer, at = self.answers.pop(event_id)
        return answer, (at - start) * 1000


def run_to_the_place(go: threading.Barrier, racer: Racer, token: str,
                     outcomes: list[tuple[PickAnswer, float]]) -> None:
    go.wait()
    outcomes.append(racer.pick(token))


def race(config, tokens: list[str], trials: int, work: Path, gap: float) -> tuple[list[float], int, int, int]:
    """(pick-to-answer times of the racers, overfills, trials where nobody won, the hub's accepted picks)."""
    teacher = DisplayLink(config, account=TERMINAL_ACCOUNT)
    teacher.start()
    racers = [Racer(KioskCore(config, station, work / f"{station}-outbox.db")) for station in KIOSKS]
    for racer in racers:
        racer.core.start()
    try:
        wait_for(lambda: all(r.core.online for r in racers), what="the kiosks to reach the hub")
        started = teacher.command("start", {"rounds": ROUNDS, "passing": 3, "choice_rounds": list(range(1, 21))})
        if started is None or not started.ok:
            raise SystemExit(f"the lesson did not start: {started}")
        capacity = next(s.capacity for s in config.stations if s.id == RACED)
        fillers, runners = tokens[:capacity - 1], tokens[capacity - 1:capacity + 1]
        times: list[float] = []
        overfills = nobody = 0
        go = threading.Barrier(len(racers))
        trial_began = time.monotonic()
        for trial in range(trials):
            time.sleep(max(0.0, TRIAL_SECONDS - (time.monotonic() - trial_began)) if trial else 0.0)
            trial_began = time.monotonic()
            if trial:
                moved = teacher.command("next")
                if moved is None or not moved.ok:
                    raise SystemExit(f"the next round did not begin: {moved}")
            # Turn about from the two kiosks: one kiosk alone would send faster than the hub takes from a kiosk
            # (hub/kiosk_limit.py: 100 events a second, and the rest dropped until it resends).
            taken = sum(racers[index % len(racers)].pick(token)[0].granted for index, token in enumerate(fillers))
            outcomes: list[tuple[PickAnswer, float]] = []
            time.sleep(gap)
            threads = [threading.Thread(target=run_to_the_place, args=(go, r, t, outcomes))
                       for r, t in zip(racers, runners, strict=True)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            won = sum(answer.granted for answer, _ in outcomes)
            overfills += taken + won > capacity
            nobody += won == 0
            times += [ms for _, ms in outcomes]
        teacher.command("end")
    finally:
        for racer in racers:
            racer.core.stop()
        teacher.stop()
    return times, overfills, nobody, capacity


def accepted_picks(database: Path) -> int:
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as db:
        return db.execute("SELECT count(*) FROM events WHERE kind = 'pick' AND accepted = 1 "
                          "AND json_extract(data, '$.to') = ?", (RACED,)).fetchone()[0]


def row(name: str, times: list[float], anchor: list[float] | None) -> str:
    p50, p99 = statistics.median(times), percentile(times, 0.99)
    ratio = "" if anchor is None else (f"{p50 / statistics.median(anchor):6.2f}x "
                                       f"{p99 / percentile(anchor, 0.99):6.2f}x  of the bare relay")
    return f"{name:<46} {len(times):>5} {p50:9.3f} {p99:9.3f}   {ratio}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=1000)
    parser.add_argument("--gap", type=float, default=20.0, help="idle milliseconds before each race (default 20)")
    args = parser.parse_args()
    gap = args.gap / 1000
    work = Path(tempfile.mkdtemp(prefix="rotation-bench-"))
    config_path = write_demo_config(work, free_port(), round_seconds=3600)
    with secured_broker(config_path, work / "broker"):
        config = load_config(config_path)
        from hub.roster_source import read_roster
        roster = read_roster(config.roster)[0].people  # a plain class list: the card ids are the list's
        tokens = [sign_token(config.signing_key, s.sis_id) for s in roster]
        answer_topic = Topics(config.room_id).pick_answer(KIOSKS[0])
        payload = encode(Event(id="0" * 32, kind="pick", card=tokens[0], station=KIOSKS[0], at=time.time(), seq=1,
                               kiosk_time=time.time(), data={"to": RACED}))
        anchor = relay_times(config, KIOSKS[0], answer_topic, payload, args.trials, gap)  # the hub's account is free
        began = time.monotonic()
        hub = subprocess.Popen([sys.executable, "-m", "rotation.cli", "hub", "serve", "--config", str(config.path)])
        try:
            times, overfills, nobody, capacity = race(config, tokens, args.trials, work, gap)
        finally:
            hub.terminate()
            hub.wait()
        took = time.monotonic() - began
        anchor += relay_times(config, KIOSKS[0], answer_topic, payload, args.trials, gap)
        recorded = accepted_picks(config.hub.database)
    print(f"\nchoice round race: {args.trials} trials, two kiosks picking the last of {capacity} places at once, "
          f"{args.gap:g} ms idle before each race; {took:.0f} s with the hub\n")
    print(f"{'':<46} {'count':>5}")
    print(f"{'overfills (both racers got the place)':<46} {overfills:>5}   (must be 0)")
    print(f"{'trials where neither got it':<46} {nobody:>5}   (must be 0)")
    print(f"{'places the hub recorded as granted':<46} {recorded:>5}   "
          f"(must be {args.trials * capacity}: {capacity} a trial)")
    print(f"\n{'milliseconds':<46} {'n':>5} {'median':>9} {'p99':>9}   ratio (median, p99)")
    print("-" * 100)
    print(row("anchor: bare relay, 2 broker hops", anchor, None))
    print(row("pick -> the hub's answer at the kiosk", times, anchor))


if __name__ == "__main__":
    main()
