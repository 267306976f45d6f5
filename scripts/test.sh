#!/usr/bin/env bash
# Sets up (see setup.sh) and runs every test. Extra arguments go to pytest (--long for the long runs).
set -euo pipefail
here="$(dirname "${BASH_SOURCE[0]}")"
"$here/setup.sh"
cd "$here/.."
# shellcheck source=scripts/lib/apt.sh
source scripts/lib/apt.sh
# What the installer's tests use: shellcheck, systemd-analyze, nft, ip, and (--long) debootstrap; Debian's
# Chromium, which Playwright drives for the web companion's tests (no browser is downloaded); libfaketime
# (faketime), which sets the hub's clock a year off in tests/faults/test_clock_jumps.py.
ensure_packages shellcheck systemd debootstrap iproute2 nftables chromium faketime
# The checks configured in pyproject.toml, each quiet unless it finds something: ruff (lint), mypy (types,
# strict for the pure code) and lint-imports (the layers). Then the tests, in two processes (pytest-xdist): most
# of a test's time is spent waiting on real processes, so two halve the suite on two cores, where three made
# tests that time a frame or a screen miss their bounds. With arguments, `-n 0` among them runs them in one.
check() {
    local out
    if ! out=$("$@" 2>&1); then
        echo "$out" >&2
        echo "test.sh: '$*' found the problems above" >&2
        exit 1
    fi
}
check .venv/bin/ruff check --quiet .
check .venv/bin/mypy
check .venv/bin/lint-imports --no-cache --no-logo
for arg in "$@"; do
    # The long fault runs time their kills against the machine's load: beside each other, a kiosk's gap outlasted
    # the hub's 15 s wait for it. They run one at a time, as they were measured.
    [[ $arg == --long ]] && exec .venv/bin/python -m pytest "$@"
done
if (( $# > 0 )); then
    exec .venv/bin/python -m pytest -n 2 "$@"
fi
# Every test: the fault tests (marked "alone": their bars are seconds of wall time through kills and restarts,
# such as the map right within 2 s of the last restart) after the others, in one process, as they were measured.
.venv/bin/python -m pytest -n 2 -m "not alone"
exec .venv/bin/python -m pytest -m alone
