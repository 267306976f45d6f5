#!/usr/bin/env bash
# Sets up (see setup.sh) and starts the demo: broker, hub, room map and four simulated kiosks.
set -euo pipefail
here="$(dirname "${BASH_SOURCE[0]}")"
"$here/setup.sh"
exec "$here/../.venv/bin/rotation" demo "$@"
