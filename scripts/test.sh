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
exec .venv/bin/python -m pytest "$@"
