#!/usr/bin/env bash
# Runs deploy/raspberrypi/install.sh and uninstall.sh for real in two fresh Debian roots (12, bookworm, or
# 13, trixie, which today's Raspberry Pi OS is based on: ROTATION_DEBIAN=trixie) made with
# debootstrap (minbase with systemd, as Raspberry Pi OS Lite has): a hub and a kiosk. The hub is installed,
# started (its broker and service, in a private network), makes a pairing code; the kiosk pairs with it and
# checks a student in as its service user, over TLS. Both are installed twice (the second run must change nothing), then
# uninstalled. Run as root by tests/test_deploy.py (--long):  [ROTATION_DEBIAN=trixie] bash tests/deploy/in_debian.sh WORK_DIR
# Prints "ok: <step>" after each step that held and stops at the first that did not.
set -euo pipefail

work=$(realpath "$1")
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
if [ "${ROTATION_PRIVATE_MOUNTS:-}" != 1 ]; then
    # Every mount made here vanishes with this process, whatever happens.
    ROTATION_PRIVATE_MOUNTS=1 exec unshare --mount --propagation private bash "${BASH_SOURCE[0]}" "$@"
fi

suite=${ROTATION_DEBIAN:-bookworm}
export ROTATION_DEBIAN=$suite
cache=${XDG_CACHE_HOME:-$HOME/.cache}/rotation-station
mkdir -p "$cache/pip" "$cache/apt-$suite"
base="$cache/debian-$suite-minbase.tar"
hub="$work/hub" kiosk="$work/kiosk"
installer=/src/deploy/raspberrypi

step() { echo "ok: $*"; }
fail() { echo "FAILED: $*" >&2; exit 1; }

# A command inside a root, with a clean environment (nothing of this machine's own pip or apt settings).
in_root() {
    local root=$1; shift
    env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 \
        chroot "$root" "$@"
}

as_service_user() {
    local root=$1; shift
    in_root "$root" setpriv --reuid=rotation --regid=rotation --init-groups -- "$@"
}

make_root() {
    local root=$1
    mkdir -p "$root"
    tar -xf "$base" -C "$root"
    cp /etc/resolv.conf "$root/etc/resolv.conf"
    # This machine reaches the internet through a proxy whose certificate it trusts, as a school's would.
    cp /etc/ssl/certs/ca-certificates.crt "$root/etc/ssl/certs/ca-certificates.crt"
    mount --rbind /dev "$root/dev"
    mount -t proc proc "$root/proc"
    mkdir -p "$root/root/.cache/pip" "$root/src"
    mount --bind "$cache/pip" "$root/root/.cache/pip"
    mount --bind "$cache/apt-$suite" "$root/var/cache/apt/archives"
    # The project as a technician's clone has it: tracked files and new ones, not what git ignores.
    git -C "$repo" ls-files -z --cached --others --exclude-standard | tar -C "$repo" --null -T - -cf - | tar -xf - -C "$root/src"
}

# What an install leaves, file by file: path, type, mode, owner, link target, time and content.
snapshot() {
    in_root "$1" find /etc /opt/rotation-station /var/lib/rotation-station /usr/local/bin -xdev \
        -not -path '/etc/ld.so.cache' -printf '%p %y %m %u:%g %l %T@\n' | LC_ALL=C sort
    in_root "$1" find /etc/rotation-station /etc/systemd/system /etc/mosquitto /opt/rotation-station/installed-from \
        -type f -exec sha256sum {} + 2>/dev/null | LC_ALL=C sort
}

mode_of() { in_root "$1" stat -c '%a %U:%G' "$2"; }

# The phase's processes, each a child of a background shell: stopped by its parent's PID, then the shell. Each
# may be gone already: under set -e a failing kill would fail the whole run.
stop_network_phase() {
    local pid
    for pid in "$hub_pid" ${web_pid:+"$web_pid"} "$reload_pid" "$broker_pid"; do
        pkill -TERM -P "$pid" 2>/dev/null || true
        kill "$pid" 2>/dev/null || true
    done
    wait
}

# What the guide has a technician run with sudo on the hub, run as root: none of it may leave the service a file
# it cannot use. Then the nightly backup and the display's report, as the service user, work.
root_commands_then_the_services() {
    local data=/var/lib/rotation-station command roots
    in_root "$hub" rotation hub lesson start --minutes 5 >/dev/null || fail "rotation hub lesson start"
    in_root "$hub" rotation hub lesson end --now >/dev/null || fail "rotation hub lesson end"
    for command in "backup" "report" "cards --out /root/cards.pdf" "student export s05 --out /root/s05" \
                   "card s05 --png /root/s05.png"; do
        # shellcheck disable=SC2086  # the command's words
        in_root "$hub" rotation $command >"$work/as-root.log" 2>&1 || { cat "$work/as-root.log"; fail "sudo rotation $command"; }
    done
    echo "another long password" | in_root "$hub" rotation teacher add kim >/dev/null || fail "rotation teacher add kim"
    roots=$(in_root "$hub" find "$data" -user root -not -path "$data/installer*" -not -name installed.fingerprint)
    [ -z "$roots" ] || fail "root's files in the service's data after the technician's commands: $roots"
    [ "$(mode_of "$hub" /root/cards.pdf | cut -d' ' -f2)" = root:root ] || fail "cards.pdf is not the technician's"
    as_service_user "$hub" /opt/rotation-station/venv/bin/rotation backup >"$work/nightly.log" 2>&1 ||
        { cat "$work/nightly.log"; fail "the nightly backup, as the service user, after root's"; }
    as_service_user "$hub" /opt/rotation-station/venv/bin/rotation report >"$work/report.log" 2>&1 ||
        { cat "$work/report.log"; fail "the display's report, as the service user, after root's"; }
    step "what root ran left the service files it uses"
}

network_phase() {
    ip link set lo up

    install -d -o "$(in_root "$hub" id -u mosquitto)" "$hub/run/mosquitto" "$hub/var/log/mosquitto"
    # In the foreground, its PID known: Debian 13's mosquitto.conf names no pid_file.
    in_root "$hub" mosquitto -c /etc/mosquitto/mosquitto.conf >"$work/mosquitto.log" 2>&1 &
    broker_pid=$!
    for _ in $(seq 300); do  # up to 30 s for it to listen (it says so in its log)
        grep -q "running" "$work/mosquitto.log" && break
        sleep 0.1
    done
    # What rotation-broker-reload.path does on a board: the broker rereads its password file when it changes.
    grep -qx "PathChanged=/etc/rotation-station/broker/mosquitto.passwd" "$hub/etc/systemd/system/rotation-broker-reload.path" ||
        fail "rotation-broker-reload.path watches another file"
    (
        passwd="$hub/etc/rotation-station/broker/mosquitto.passwd"
        last=$(stat -c %i.%Y.%s "$passwd")
        while kill -0 "$broker_pid" 2>/dev/null; do
            now=$(stat -c %i.%Y.%s "$passwd" 2>/dev/null || true)
            if [ "$now" != "$last" ]; then last=$now; pkill -HUP -P "$broker_pid"; fi
            sleep 0.1
        done
    ) &
    reload_pid=$!
    # What rotation-broker-limits.service loads, with this Debian's nft.
    in_root "$hub" /usr/sbin/nft -f /etc/rotation-station/broker/limits.nft || fail "nft refused limits.nft"
    in_root "$hub" /usr/sbin/nft list table inet rotation_station | grep -q "ct count over 8" || fail "the limits table"
    as_service_user "$hub" /opt/rotation-station/venv/bin/rotation hub serve >"$work/hub-serve.log" 2>&1 &
    hub_pid=$!
    web_pid=""
    trap stop_network_phase EXIT
    password=$(in_root "$hub" cat /etc/rotation-station/broker/display.password)
    in_root "$hub" mosquitto_sub -h 127.0.0.1 -u display -P "$password" -t 'rotation/v1/+/hub/status' -C 1 -W 60 \
        | grep -q '"online":true' || { cat "$work/hub-serve.log" "$hub/var/log/mosquitto/mosquitto.log"; fail "the hub is not online"; }
    step "hub serving"

    # The technician sets a teacher's password; the web companion, as its service, serves HTTPS that a device
    # trusting the room's CA opens, and lets that teacher in.
    echo "a long teacher password" | in_root "$hub" rotation teacher add jlee >/dev/null || fail "rotation teacher add"
    [ "$(mode_of "$hub" /var/lib/rotation-station/teachers.db)" = "600 rotation:rotation" ] ||
        fail "teachers.db: $(mode_of "$hub" /var/lib/rotation-station/teachers.db)"
    as_service_user "$hub" /opt/rotation-station/venv/bin/rotation hub web >"$work/web.log" 2>&1 &
    web_pid=$!
    in_root "$hub" /opt/rotation-station/venv/bin/python - <<'PYTHON' || { cat "$work/web.log"; fail "the web companion"; }
import http.cookiejar, re, ssl, time, urllib.parse, urllib.request

trusting = ssl.create_default_context(cafile="/etc/rotation-station/broker/ca.crt")
browser = urllib.request.build_opener(urllib.request.HTTPSHandler(context=trusting),
                                      urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
for _ in range(600):  # up to 30 s for it to start
    try:
        login = browser.open("https://127.0.0.1:8443/login", timeout=5).read().decode()
        break
    except OSError:
        time.sleep(0.05)
csrf = re.search(r'name="csrf" value="([^"]+)"', login).group(1)
form = urllib.parse.urlencode({"csrf": csrf, "name": "jlee", "password": "a long teacher password"}).encode()
room = browser.open("https://127.0.0.1:8443/login", data=form, timeout=10).read().decode()
assert "Log out" in room, room[:500]
PYTHON
    step "web companion serving over HTTPS"

    code=$(in_root "$hub" rotation hub pair --station tech | grep -o -- '--code [A-Z0-9-]*' | cut -d' ' -f2)
    [ -n "$code" ] || fail "no pairing code"
    in_root "$kiosk" "$installer/install.sh" kiosk --station tech --hub 127.0.0.1 --code "$code" >"$work/kiosk-install.log" 2>&1 ||
        { cat "$work/kiosk-install.log"; fail "install.sh kiosk --code"; }
    cat "$work/kiosk-install.log"
    grep -q "paired: this board is Tech Station's kiosk.* over TLS" "$work/kiosk-install.log" || fail "not paired over TLS"
    # The hub, as its service user, gave the kiosk a new password: the broker can still read the file.
    [ "$(mode_of "$hub" /etc/rotation-station/broker/mosquitto.passwd)" = "640 rotation:mosquitto" ] ||
        fail "mosquitto.passwd after pairing: $(mode_of "$hub" /etc/rotation-station/broker/mosquitto.passwd)"
    [ "$(in_root "$kiosk" systemctl is-enabled rotation-kiosk.service)" = enabled ] || fail "the kiosk service is not enabled"
    [ "$(in_root "$kiosk" stat -c '%a %U:%G' /etc/rotation-station/broker/kiosk-tech.password)" = "640 root:rotation" ] ||
        fail "the kiosk's password file"
    in_root "$kiosk" test ! -e /etc/rotation-station/roster.csv || fail "a kiosk must not hold the roster"
    in_root "$kiosk" test ! -e /etc/rotation-station/class.secret || fail "a kiosk must not hold the class secret"
    step "kiosk paired"

    # Sofia's card, as the hub prints it (only the hub can sign one), held up to the kiosk.
    card=$(in_root "$hub" rotation card s05) || fail "rotation card on the hub"
    as_service_user "$kiosk" /opt/rotation-station/venv/bin/python - "$card" <<'PYTHON' || fail "the check-in"
import sys
import threading
from kiosk.core import KioskCore
from shared.config import load_config

config = load_config("/etc/rotation-station/room.toml")
kiosk = KioskCore(config, "tech", config.kiosk.outbox)
acked = threading.Event()
kiosk.start()
try:
    for _ in range(600):  # up to 30 s for the broker, the hub's view and its ack
        if kiosk.online and kiosk.state is not None:
            break
        acked.wait(0.05)
    assert kiosk.scan(sys.argv[1]).student_id == "s05"
    for _ in range(600):
        if kiosk.outbox.depth() == 0:
            break
        acked.wait(0.05)
    assert kiosk.outbox.depth() == 0, "the hub never acknowledged the check-in"
finally:
    kiosk.stop()
PYTHON
    step "kiosk checked a student in"
    root_commands_then_the_services

    before=$(cd "$kiosk" && find etc/rotation-station opt/rotation-station/installed-from -printf '%p %m %u:%g %T@\n' | sort)
    in_root "$kiosk" "$installer/install.sh" kiosk --station tech --hub 127.0.0.1 --code "$code" >"$work/kiosk-again.log" 2>&1 ||
        { cat "$work/kiosk-again.log"; fail "install.sh kiosk, again"; }
    after=$(cd "$kiosk" && find etc/rotation-station opt/rotation-station/installed-from -printf '%p %m %u:%g %T@\n' | sort)
    [ "$before" = "$after" ] || fail "the second kiosk install changed its files"
    ! grep "^apt:" "$work/kiosk-again.log" || fail "the second kiosk install asked apt for something"
}

if [ "${2:-}" = --network-phase ]; then
    network_phase
    exit 0
fi

if [ ! -s "$base" ]; then
    debootstrap --variant=minbase --include=systemd,systemd-sysv,ca-certificates "$suite" "$work/base" \
        http://deb.debian.org/debian >"$work/debootstrap.log" 2>&1 || { tail -20 "$work/debootstrap.log"; fail "debootstrap"; }
    tar -C "$work/base" -cf "$base.new" . && mv "$base.new" "$base"
    rm -rf "$work/base"
fi
make_root "$hub"
make_root "$kiosk"
[ "$(in_root "$hub" systemctl get-default)" = graphical.target ] || fail "the fresh root should boot to the desktop"

# --- the hub ---
# TLS is the default: no --tls.
in_root "$hub" "$installer/install.sh" hub --name 127.0.0.1 >"$work/hub-install.log" 2>&1 || { cat "$work/hub-install.log"; fail "install.sh hub"; }
cat "$work/hub-install.log"
for unit in rotation-hub rotation-display rotation-web mosquitto; do
    [ "$(in_root "$hub" systemctl is-enabled "$unit.service")" = enabled ] || fail "$unit is not enabled"
done
[ "$(in_root "$hub" systemctl get-default)" = multi-user.target ] || fail "the hub should boot to the console"
[ "$(in_root "$hub" readlink /etc/mosquitto/conf.d/rotation-station.conf)" = /etc/rotation-station/broker/mosquitto.conf ] ||
    fail "the broker does not load the room's config"
[ "$(mode_of "$hub" /etc/rotation-station/class.secret)" = "640 root:rotation" ] || fail "class.secret: $(mode_of "$hub" /etc/rotation-station/class.secret)"
[ "$(mode_of "$hub" /etc/rotation-station/card.key)" = "640 root:rotation" ] || fail "card.key: $(mode_of "$hub" /etc/rotation-station/card.key)"
[ "$(mode_of "$hub" /etc/rotation-station/broker/mosquitto.passwd)" = "640 rotation:mosquitto" ] || fail "mosquitto.passwd"
[ "$(mode_of "$hub" /etc/rotation-station/broker)" = "1775 root:rotation" ] || fail "the broker's folder"
in_root "$hub" id -nG rotation | grep -qw mosquitto || fail "the service user is not in the broker's group"
for unit in rotation-broker-limits.service rotation-broker-reload.path; do
    [ "$(in_root "$hub" systemctl is-enabled "$unit")" = enabled ] || fail "$unit is not enabled"
done
[ "$(mode_of "$hub" /etc/rotation-station/broker/hub.password)" = "640 root:rotation" ] || fail "hub.password"
[ "$(mode_of "$hub" /etc/rotation-station/broker/server.key)" = "640 root:mosquitto" ] || fail "server.key"
[ "$(mode_of "$hub" /etc/rotation-station/broker/ca.key)" = "600 root:root" ] || fail "ca.key"
[ "$(mode_of "$hub" /etc/rotation-station/broker/web.key)" = "640 root:rotation" ] || fail "web.key"
[ "$(mode_of "$hub" /var/lib/rotation-station)" = "700 rotation:rotation" ] || fail "the data folder"
in_root "$hub" id -nG rotation | grep -qw video || fail "the service user cannot use the screen"
step "hub installed"

snapshot "$hub" >"$work/hub-before"
# Again, as a technician would after editing the room, without --name: TLS stays for the same names, nothing changes.
in_root "$hub" "$installer/install.sh" hub >"$work/hub-again.log" 2>&1 || { cat "$work/hub-again.log"; fail "install.sh hub, again"; }
snapshot "$hub" >"$work/hub-after"
diff "$work/hub-before" "$work/hub-after" || fail "the second install changed the hub (above)"
! grep "^apt:" "$work/hub-again.log" || fail "the second hub install asked apt for something"
step "hub unchanged by a second run"

# --- a kiosk, without a code: everything is installed, then it says how to pair ---
if in_root "$kiosk" "$installer/install.sh" kiosk --station tech >"$work/kiosk-nocode.log" 2>&1; then
    fail "install.sh kiosk without a code should stop"
fi
grep -q "rotation hub pair --station tech" "$work/kiosk-nocode.log" || { cat "$work/kiosk-nocode.log"; fail "no pairing advice"; }
in_root "$kiosk" test -x /opt/rotation-station/venv/bin/rotation || fail "the kiosk's software is not installed"
step "kiosk refused without a code"

# --- in a network of their own: the hub runs, pairs the kiosk, and the kiosk checks a student in ---
unshare --net bash "${BASH_SOURCE[0]}" "$work" --network-phase || fail "the pairing phase (above)"
step "kiosk unchanged by a second run"

# --- uninstall: the hub keeps its data, the kiosk is purged ---
in_root "$hub" "$installer/uninstall.sh" || fail "uninstall.sh"
in_root "$hub" test ! -e /etc/systemd/system/rotation-hub.service || fail "the hub's unit is still there"
in_root "$hub" test ! -e /opt/rotation-station || fail "/opt/rotation-station is still there"
in_root "$hub" test ! -e /etc/mosquitto/conf.d/rotation-station.conf || fail "the broker still loads the room"
in_root "$hub" test -s /var/lib/rotation-station/hub.db || fail "the class's data was not kept"
in_root "$hub" test -s /etc/rotation-station/room.toml || fail "the room config was not kept"
[ "$(in_root "$hub" systemctl get-default)" = graphical.target ] || fail "the hub should boot to the desktop again"
step "uninstalled, data kept"

in_root "$kiosk" "$installer/uninstall.sh" --purge || fail "uninstall.sh --purge"
for gone in /etc/rotation-station /var/lib/rotation-station /opt/rotation-station /etc/systemd/system/rotation-kiosk.service; do
    in_root "$kiosk" test ! -e "$gone" || fail "$gone is still there"
done
in_root "$kiosk" getent passwd rotation >/dev/null && fail "the user rotation is still there"
step "purged"
