#!/usr/bin/env python3
"""How long importing one teacher's classes from a district's OneRoster export takes, and its memory. Not a
test: prints a table.

    .venv/bin/python bench/roster_import.py [--users 50000] [--classes 2000] [--enrollments 200000] [--runs 5]
                                            [--oneroster 1.1]

A district export (tests/roster_bundles.district, seed 1: several schools, a teacher for every five classes,
students in six classes each, some records deleted or disabled) is written to a temporary folder and as a .zip.
Every measurement runs in a Python process of its own, so its peak resident memory (VmHWM, see peak_rss_mb) is
its own alone; the clock runs in that process around the work, after the imports. The anchor, measured in the
same run from the same files: the csv module reading users.csv, classes.csv and enrollments.csv, every row,
keeping nothing. The measurements are taken in turn, all once and then all again, so that a busy moment on this
shared machine falls on all of them rather than on one.
"""
from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

if TYPE_CHECKING:
    from tests.roster_bundles import Bundle, User

ANCHOR_FILES = ("users.csv", "classes.csv", "enrollments.csv")
BAR_SECONDS = 5.0
BAR_MB = 200.0


# --- what a child process measures -------------------------------------------------------------------------

def read_csv_files(path: Path) -> str:
    """The anchor: every row of the three big files through csv.reader, nothing kept."""
    import csv
    import io
    import zipfile

    rows = 0
    if path.is_dir():
        for name in ANCHOR_FILES:
            with open(path / name, encoding="utf-8-sig", newline="") as file:
                rows += sum(1 for _ in csv.reader(file))
    else:
        with zipfile.ZipFile(path) as bundle:
            for name in ANCHOR_FILES:
                with io.TextIOWrapper(bundle.open(name), encoding="utf-8-sig", newline="") as file:
                    rows += sum(1 for _ in csv.reader(file))
    return f"{rows} rows"


def import_one_teacher(path: Path, teacher: str) -> str:
    """The hub's import of every class one teacher teaches (the teacher by sourcedId, username or email)."""
    from hub.roster_source import RosterSelection, read_roster

    roster, _mirror = read_roster(path, RosterSelection(teacher=teacher))
    return f"{len(roster.classes)} classes, {len(roster.members)} enrollments, {len(roster.people)} students"


def list_all_classes(path: Path) -> str:
    """The hub's listing of every class in the export, to choose from."""
    from hub.roster_source import roster_classes

    return f"{len(roster_classes(path, teacher=None))} classes"


WORK = {"csv-read": read_csv_files, "teacher": import_one_teacher, "list-classes": list_all_classes}


def measure_in_this_process(work: str, path: Path, argument: str | None) -> None:
    """Child mode: do the work once and print {"seconds", "rss_mb", "found"} as a JSON line."""
    if work != "csv-read":
        import hub.roster_source  # noqa: F401  (before the clock: importing the hub is not what is measured)
    start = time.perf_counter()
    found = WORK[work](path, *([argument] if argument else []))
    seconds = time.perf_counter() - start
    print(json.dumps({"seconds": seconds, "rss_mb": peak_rss_mb(), "found": found}))


def peak_rss_mb() -> float:
    """This process's peak resident memory. Not ru_maxrss where /proc has VmHWM: Linux carries the parent's
    high-water mark into ru_maxrss across fork and exec, and the parent here holds the whole district."""
    try:
        status = Path("/proc/self/status").read_text()
    except OSError:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux
    kilobytes = next(line.split()[1] for line in status.splitlines() if line.startswith("VmHWM:"))
    return int(kilobytes) / 1024


# --- the parent: generate, run the children in turn, print the table ---------------------------------------

@dataclass
class Measurement:
    what: str
    work: str
    source: str  # "folder" or "zip"
    argument: str | None = None
    seconds: list[float] = field(default_factory=list)
    rss_mb: list[float] = field(default_factory=list)
    found: str = ""
    failure: str = ""


def run_child(measurement: Measurement, path: Path) -> None:
    command = [sys.executable, str(Path(__file__).resolve()), "--measure", measurement.work, str(path)]
    if measurement.argument:
        command.append(measurement.argument)
    done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT)
    if done.returncode != 0:
        measurement.failure = failure_summary(done.stderr) or f"exit status {done.returncode}"
        return
    result = json.loads(done.stdout.strip().splitlines()[-1])
    measurement.seconds.append(result["seconds"])
    measurement.rss_mb.append(result["rss_mb"])
    measurement.found = result["found"]


def failure_summary(stderr: str) -> str:
    """The exception a child died of, and the first lines of its message (a RosterError lists problems)."""
    lines = stderr.strip().splitlines()
    starts = [n for n, line in enumerate(lines) if line and not line[0].isspace() and not line.startswith("Traceback")]
    return " / ".join(line.strip() for line in lines[starts[-1]:starts[-1] + 4])[:400] if starts else ""


def chosen_teacher(bundle: Bundle) -> User:
    """A teacher in the middle of users.csv, active and enabled, so a reader cannot stop early."""
    teachers = [u for u in bundle.users if u.role == "teacher" and u.status == "active" and u.enabled == "true"]
    return teachers[len(teachers) // 2]


def measurements(teacher: User) -> list[Measurement]:
    return [
        Measurement("anchor: csv module reads the 3 files (folder)", "csv-read", "folder"),
        Measurement("anchor: csv module reads the 3 files (.zip)", "csv-read", "zip"),
        Measurement("one teacher's classes, by sourcedId (folder)", "teacher", "folder", teacher.sourced_id),
        Measurement("one teacher's classes, by sourcedId (.zip)", "teacher", "zip", teacher.sourced_id),
        Measurement("one teacher's classes, by email (folder)", "teacher", "folder", teacher.email),
        Measurement("list every class (folder)", "list-classes", "folder"),
        Measurement("list every class (.zip)", "list-classes", "zip"),
    ]


def generate(args, work: Path) -> tuple[Bundle, dict[str, Path], float]:
    from tests.roster_bundles import district  # here, not above: a child process measures without it

    started = time.perf_counter()
    bundle = district(args.users, args.classes, args.enrollments, seed=1, version=args.oneroster)
    paths = {"folder": bundle.write(work / "district"), "zip": bundle.write(work / "district", as_zip=True)}
    return bundle, paths, time.perf_counter() - started


def table_row(measurement: Measurement, anchor: Measurement) -> str:
    if not measurement.seconds:
        return f"| {measurement.what} | failed | - | - | - |"
    median = statistics.median(measurement.seconds)
    ratio = f"{median / statistics.median(anchor.seconds):.1f}x" if anchor.seconds else "-"
    return (f"| {measurement.what} | {median:.3f} | {max(measurement.seconds):.3f} | {ratio} | "
            f"{max(measurement.rss_mb):.0f} |")


def bar_verdict(teacher_rows: list[Measurement]) -> str:
    measured = [m for m in teacher_rows if m.seconds]
    if not measured:
        return "not measured: the import failed (see above)"
    worst_seconds = max(max(m.seconds) for m in measured)
    worst_mb = max(max(m.rss_mb) for m in measured)
    met = worst_seconds <= BAR_SECONDS and worst_mb <= BAR_MB
    return f"{'met' if met else 'NOT met'}: slowest run {worst_seconds:.2f} s, largest peak RSS {worst_mb:.0f} MB"


def report(args, bundle: Bundle, paths: dict[str, Path], generated: float, rows: list[Measurement]) -> None:
    sizes = {kind: (sum(p.stat().st_size for p in path.iterdir()) if path.is_dir() else path.stat().st_size)
             for kind, path in paths.items()}
    print(f"\nroster import: a district of {len(bundle.users)} users, {len(bundle.classes)} classes, "
          f"{len(bundle.enrollments)} enrollments (OneRoster {bundle.version}, {sizes['folder'] / 1e6:.1f} MB of CSV, "
          f"{sizes['zip'] / 1e6:.1f} MB zipped; generated and written in {generated:.1f} s); {args.runs} runs each, "
          "in turn, each in a fresh process (anchor measured in the same run)\n")
    print("| what | median s | max s | ratio to csv read | peak RSS MB |")
    print("| --- | ---: | ---: | ---: | ---: |")
    anchors = {m.source: m for m in rows if m.work == "csv-read"}
    for measurement in rows:
        print(table_row(measurement, anchors[measurement.source]))
    print("\nratio: median against the anchor read from the same kind of source (folder or .zip); "
          "peak RSS: the largest of the runs, the interpreter and its imports included")
    print("\nwhat each found:")
    for measurement in rows:
        print(f"- {measurement.what}: {'FAILED: ' + measurement.failure if measurement.failure else measurement.found}")
    print(f"\nbars: importing one teacher's classes <= {BAR_SECONDS:g} s and <= {BAR_MB:g} MB peak RSS "
          f"(every run) -- {bar_verdict([m for m in rows if m.work == 'teacher'])}")


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--measure":
        work, path, *argument = sys.argv[2:]
        measure_in_this_process(work, Path(path), argument[0] if argument else None)
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=50_000)
    parser.add_argument("--classes", type=int, default=2_000)
    parser.add_argument("--enrollments", type=int, default=200_000)
    parser.add_argument("--runs", type=int, default=5, help="runs of each measurement, taken in turn (default 5)")
    parser.add_argument("--oneroster", choices=("1.1", "1.2"), default="1.1", help="the export's version")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="rotation-roster-import-") as work:
        bundle, paths, generated = generate(args, Path(work))
        rows = measurements(chosen_teacher(bundle))
        for _ in range(args.runs):
            for measurement in rows:
                if not measurement.failure:
                    run_child(measurement, paths[measurement.source])
        report(args, bundle, paths, generated, rows)


if __name__ == "__main__":
    main()
