#!/usr/bin/env bash
# Sets up (see setup.sh) and runs every test. Extra arguments go to pytest (--long for the long runs).
set -euo pipefail
here="$(dirname "${BASH_SOURCE[0]}")"
"$here/setup.sh"
cd "$here/.."
# shellcheck source=scripts/lib/apt.sh
source scripts/lib/apt.sh
# What the installer's tests use: shellcheck, systemd-analyze, and (--long) debootstrap and ip.
ensure_packages shellcheck systemd debootstrap iproute2
# The import layers of pyproject.toml (quiet unless a contract breaks), then every test.
if ! layers=$(.venv/bin/lint-imports --no-cache --no-logo 2>&1); then
    echo "$layers" >&2
    exit 1
fi
exec .venv/bin/python -m pytest "$@"
