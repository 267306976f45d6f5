"""The mutation run's table: for each mutated module, its mutants, how many the fast tests killed, how many
survived, and how many are equivalent (they change nothing a test could see: tests/mutation/equivalent.toml lists
each with the reason). The survivors, each with its diff, go to mutants/survivors.txt.

Run by scripts/mutation.sh after `mutmut run`, from the project's folder; `--at-least 90` makes the exit status
non-zero when a module's score (killed / (mutants - equivalent)) is under 90 %.
"""
from __future__ import annotations

import argparse
import sys
import tomllib
from collections import Counter
from pathlib import Path

from mutmut.mutation.data import SourceFileMutationData
from mutmut.mutation.diff_apply import get_diff_for_mutant
from mutmut.stats import status_by_exit_code
from mutmut.utils.file_utils import walk_mutatable_files

EQUIVALENT = Path("tests/mutation/equivalent.toml")
SURVIVORS = Path("mutants/survivors.txt")
KILLED = ("killed", "timeout", "caught by type check")  # a mutant that hangs the tests is noticed too


def equivalents() -> dict[str, str]:
    """Mutant name -> the mutated line it was listed for (see tests/mutation/equivalent.toml)."""
    listed = tomllib.loads(EQUIVALENT.read_text()).get("mutant", [])
    return {entry["name"]: entry["change"] for entry in listed}


def mutated_lines(name: str, path: str) -> list[str]:
    return [line[1:].strip() for line in get_diff_for_mutant(name, path=path).splitlines()
            if line.startswith("+") and not line.startswith("+++")]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--at-least", type=float, default=None, help="the lowest score (%%) a module may have")
    args = parser.parse_args()
    equivalent = equivalents()
    seen: set[str] = set()
    rows, survivors, untested = [], [], []
    for path in walk_mutatable_files():
        data = SourceFileMutationData(path=path)
        data.load()
        if not data.exit_code_by_key:
            continue
        counts: Counter[str] = Counter()
        for name, exit_code in sorted(data.exit_code_by_key.items()):
            status = status_by_exit_code[exit_code]
            listed = name in equivalent
            if listed:
                seen.add(name)
            if listed and equivalent[name] not in mutated_lines(name, str(path)):
                untested.append(f"{name}: listed as equivalent for another change than it makes now: check it again")
                listed = False  # counted as what it is until then
            if listed:
                counts["equivalent"] += 1
                if status in KILLED:
                    untested.append(f"{name}: listed as equivalent, but the tests kill it: take it off the list")
            elif status in KILLED:
                counts["killed"] += 1
            elif status == "not checked":
                counts["not checked"] += 1
            else:
                counts["survived"] += 1
                survivors.append((name, status, str(path)))
        rows.append((str(path), sum(counts.values()), counts))
    stale = sorted(set(equivalent) - seen)
    width = max(len(row[0]) for row in rows) if rows else 10
    print(f"{'module':<{width}}  mutants  killed  survived  equivalent  score")
    below = []
    for module, total, counts in rows:
        tested = total - counts["equivalent"] - counts["not checked"]
        score = 100.0 * counts["killed"] / tested if tested else 100.0
        if args.at_least is not None and score < args.at_least:
            below.append(module)
        unchecked = f"  ({counts['not checked']} not checked)" if counts["not checked"] else ""
        print(f"{module:<{width}}  {total:>7}  {counts['killed']:>6}  {counts['survived']:>8}  "
              f"{counts['equivalent']:>10}  {score:5.1f} %{unchecked}")
    with SURVIVORS.open("w") as out:
        for name, status, path in survivors:
            out.write(f"# {name}: {status}\n{get_diff_for_mutant(name, path=path)}\n\n")
    print(f"\n{len(survivors)} survivors, each with its diff: {SURVIVORS}")
    for line in untested + [f"{name}: listed as equivalent but no longer made (the code changed): take it off the "
                            f"list" for name in stale]:
        print(line, file=sys.stderr)
    if below:
        print(f"under {args.at_least:g} %: {', '.join(below)}", file=sys.stderr)
    return 1 if below or untested or stale else 0


if __name__ == "__main__":
    sys.exit(main())
