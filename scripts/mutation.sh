#!/usr/bin/env bash
# Mutation testing of the pure modules: sets up (see setup.sh), adds mutmut, makes each small change to the code
# that pyproject.toml's [tool.mutmut] names (a flipped comparison, another number, a statement taken out), runs the
# fast tests that reach it, and prints a table per module: mutants, killed, survived, equivalent. The survivors,
# each with its diff, go to mutants/survivors.txt. Half an hour on two cores the first time; after that only the
# functions changed since are tried again. Not in CI. Arguments go to `mutmut run` (mutant names or a glob, e.g.
# "hub.engine*": tried again even if tried before); `--survivors` tries again the last run's survivors (after
# new tests). Exit status: non-zero if a module kills under 90 % of its non-equivalent mutants.
set -euo pipefail
here="$(dirname "${BASH_SOURCE[0]}")"
"$here/setup.sh"
cd "$here/.."
.venv/bin/python -c 'import mutmut' 2>/dev/null ||
    .venv/bin/python -m pip install --disable-pip-version-check --quiet -e ".[mutation]"
mkdir -p mutants
# mutmut copies the code it does not mutate once, and makes mutants of a file again only when it is newer than
# them: a copy older than its source is taken away, to be made afresh (results of unchanged functions are kept).
while IFS= read -r -d '' copy; do
    source=${copy#mutants/}
    [ -e "$source" ] && [ "$source" -nt "$copy" ] && rm -f "$copy"
done < <(find mutants -name '*.py' -not -path 'mutants/tests/*' -print0)
# Which tests reach which function is found anew each time (20 s): mutmut finds it again only for tests of new
# names, so a function renamed or a test that now reaches another function would otherwise go untested.
rm -f mutants/mutmut-stats.json
if [ "${1:-}" = "--survivors" ]; then
    mapfile -t survivors < <(sed -n 's/^# \([^:]*\): .*/\1/p' mutants/survivors.txt 2>/dev/null)
    [ "${#survivors[@]}" -gt 0 ] || { echo "mutation: no survivors on record (mutants/survivors.txt)" >&2; exit 1; }
    set -- "${survivors[@]}"
fi
echo "mutation: running mutmut (its progress: mutants/run.log)"
.venv/bin/mutmut run "$@" > mutants/run.log 2>&1 || { tr '\r' '\n' < mutants/run.log | tail -n 40 >&2; exit 1; }
exec .venv/bin/python scripts/mutation_report.py --at-least 90
