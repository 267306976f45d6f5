# shellcheck shell=bash
# ensure_packages PACKAGE...: installs, through apt, those of the Debian packages not installed yet; with
# everything already there it changes nothing, asks apt nothing and never calls sudo. Sourced by setup.sh
# and the installer. A PACKAGE may name alternatives, "libzbar0t64|libzbar0": a library renamed by Debian 13's
# 64-bit time transition is there under either name, and the first name apt knows is installed.

package_installed() {
    dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"
}

# The first of the alternatives apt can install (after apt-get update), else the first named.
package_to_install() {
    local name
    for name in ${1//|/ }; do
        if apt-cache show --no-all-versions "$name" >/dev/null 2>&1; then
            echo "$name"
            return
        fi
    done
    echo "${1%%|*}"
}

ensure_packages() {
    local wanted name missing=() sudo=() install=() started=$SECONDS
    for wanted in "$@"; do
        for name in ${wanted//|/ }; do
            package_installed "$name" && continue 2
        done
        missing+=("$wanted")
    done
    ((${#missing[@]})) || return 0
    if [ "$(id -u)" -ne 0 ]; then
        if ! command -v sudo >/dev/null; then
            echo "please install as root: apt-get install ${missing[*]//|/ or }" >&2
            return 1
        fi
        sudo=(sudo)
    fi
    echo "apt: updating the package lists"
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    for wanted in "${missing[@]}"; do
        install+=("$(package_to_install "$wanted")")
    done
    echo "apt: installing ${install[*]}"
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${install[@]}" >/dev/null
    echo "apt: done in $((SECONDS - started)) s"
}

# The packages pip needs to build what has no wheel for this machine: python-evdev (keyboard-wedge scanners)
# has wheels for x86-64 only, so a Pi builds it. Adds them to the array named $1.
add_build_packages() {
    local -n list=$1
    [ "$(uname -m)" = x86_64 ] || list+=(gcc libc6-dev python3-dev)
}
