#!/usr/bin/env bash
# Sets up Rotation Station on Debian 12 or 13 or Raspberry Pi OS: the system packages it needs (through apt,
# only where missing), a virtual environment in .venv, and the project in it. Safe to run again.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# shellcheck source=scripts/lib/apt.sh
source scripts/lib/apt.sh

packages=(mosquitto mosquitto-clients libgl1 libegl1 "libmtdev1t64|libmtdev1" "libzbar0t64|libzbar0" fonts-noto-core fonts-noto-cjk
          fonts-material-design-icons-iconfont espeak-ng rsync openssh-client)  # rsync, ssh: backups off the board
python=${PYTHON:-python3}
if ! "$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
    echo "setup: Rotation Station needs Python 3.11 or newer as '$python'" >&2
    exit 1
fi
"$python" -c 'import ensurepip, venv' 2>/dev/null || packages+=(python3-venv)
add_build_packages packages
started=$SECONDS

ensure_packages "${packages[@]}"

if [ ! -x .venv/bin/python ]; then
    echo "setup: creating the virtual environment in .venv"
    "$python" -m venv .venv
fi
stamp=".venv/.rotation-installed-$(sha256sum pyproject.toml | cut -c1-16)"
if [ ! -e "$stamp" ]; then
    echo "setup: installing Rotation Station and its dependencies into .venv (pip: a few minutes the first time)"
    pip_started=$SECONDS
    log=.venv/setup.log
    if ! { .venv/bin/python -m pip install --disable-pip-version-check --upgrade pip &&
           .venv/bin/python -m pip install --disable-pip-version-check -e ".[test]"; } >"$log" 2>&1; then
        tail -n 30 "$log" >&2
        echo "setup: installing the Python packages failed; the whole log is in $log" >&2
        exit 1
    fi
    rm -f .venv/.rotation-installed-*
    touch "$stamp"
    echo "setup: pip done in $((SECONDS - pip_started)) s"
fi
echo "setup: ready in $((SECONDS - started)) s"
