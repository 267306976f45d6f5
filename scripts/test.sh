#!/usr/bin/env bash
# Sets up (see setup.sh) and runs every test. Extra arguments go to pytest (--long for the long runs).
set -euo pipefail
here="$(dirname "${BASH_SOURCE[0]}")"
"$here/setup.sh"
cd "$here/.."
exec .venv/bin/python -m pytest "$@"
