#!/usr/bin/env bash
# Runs deploy/raspberrypi/install.sh and uninstall.sh for real in two fresh Debian roots (12, bookworm, or
# 13, trixie, which today's Raspberry Pi OS is based on: ROTATION_DEBIAN=trixie) made with
# debootstrap (minbase with systemd, as Raspberry Pi OS Lite has): a hub and a kiosk. The hub is installed,
# started (its broker and service, in a private network), makes a pairing code; the kiosk pairs with it and
# checks a student in as its service user, over TLS. Both are installed twice (the second run must change nothing), then
# uninstalled. With --update, both are installed from the previous release instead, pair, check a student in
# and take a note, then are updated in place to this checkout, which must find all of it.
# Run as root by tests/test_deploy.py (--long):  [ROTATION_DEBIAN=trixie] bash tests/deploy/in_debian.sh WORK_DIR [--update]
# Prints "ok: <step>" after each step that held and stops at the first that did not. Whatever happens, nothing it
# started is left running.
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
# The release before this one: the project before issue 20, its hub's database at schema version 7.
previous_release=54ee5b6
previous_installer=/previous/deploy/raspberrypi

step() { echo "ok: $*"; }
fail() { echo "FAILED: $*" >&2; exit 1; }

# A command inside a root, with a clean environment (nothing of this machine's own pip or apt settings).
clean_env=(env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8)
service_user=(setpriv --reuid=rotation --regid=rotation --init-groups --)
in_root() {
    local root=$1; shift
    "${clean_env[@]}" chroot "$root" "$@"
}

as_service_user() {
    local root=$1; shift
    in_root "$root" "${service_user[@]}" "$@"
}

# start_in_root PID_VARIABLE LOG ROOT COMMAND...: the command in the background, its own PID (env, chroot and
# setpriv each exec the next) in PID_VARIABLE. A background shell function's $! is a shell around the command:
# stopping that shell left the command running.
start_in_root() {
    local pid_variable=$1 log=$2 root=$3; shift 3
    (exec "${clean_env[@]}" chroot "$root" "$@") >"$log" 2>&1 &
    printf -v "$pid_variable" %s "$!"
}

# The processes running inside the roots, one a line: PID and command line.
left_running() {
    local proc root
    for proc in /proc/[0-9]*; do
        root=$(readlink "$proc/root" 2>/dev/null) || continue
        [ "$root" = "$hub" ] || [ "$root" = "$kiosk" ] || continue
        echo "${proc#/proc/} $(tr '\0' ' ' <"$proc/cmdline" 2>/dev/null)"
    done
}

# The last resort, on any way out: whatever still runs in the roots is stopped, and the run fails if it had to.
end_everything() {
    local status=$? pid
    for pid in $(left_running | cut -d' ' -f1); do kill -KILL "$pid" 2>/dev/null || true; done
    exit "$status"
}

make_root() {
    local root=$1
    mkdir -p "$root"
    tar -xf "$base" -C "$root"
    cp /etc/resolv.conf "$root/etc/resolv.conf"
    # No package's daemon starts while apt installs it here (a board's start under systemd): this run starts
    # what it needs itself, and stops it.
    printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d"
    chmod 0755 "$root/usr/sbin/policy-rc.d"
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

# The phase's processes, by their own PIDs (start_in_root), and the shell loop reloading the broker; each waited
# for, up to 30 s, then killed. Each may be gone already: under set -e a failing kill would fail the whole run.
stop_network_phase() {
    local pid
    for pid in ${hub_pid:+"$hub_pid"} ${web_pid:+"$web_pid"} ${reload_pid:+"$reload_pid"} ${broker_pid:+"$broker_pid"}; do
        kill -TERM "$pid" 2>/dev/null || true
        for _ in $(seq 300); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    done
    hub_pid="" web_pid="" reload_pid="" broker_pid=""
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

# The hub's broker and service, as their units run them on a board, in this (private) network.
start_hub() {
    ip link set lo up
    install -d -o "$(in_root "$hub" id -u mosquitto)" "$hub/run/mosquitto" "$hub/var/log/mosquitto"
    trap stop_network_phase EXIT
    # In the foreground, its PID known: Debian 13's mosquitto.conf names no pid_file.
    start_in_root broker_pid "$work/mosquitto.log" "$hub" mosquitto -c /etc/mosquitto/mosquitto.conf
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
            if [ "$now" != "$last" ]; then last=$now; kill -HUP "$broker_pid"; fi
            sleep 0.1
        done
    ) &
    reload_pid=$!
    # What rotation-broker-limits.service loads, with this Debian's nft.
    in_root "$hub" /usr/sbin/nft -f /etc/rotation-station/broker/limits.nft || fail "nft refused limits.nft"
    # Read whole before grep: grep -q leaves at the first match, and nft, still writing, would fail the pipe.
    local limits
    limits=$(in_root "$hub" /usr/sbin/nft list table inet rotation_station)
    grep -q "ct count over 8" <<<"$limits" || fail "the limits table: $limits"
    start_in_root hub_pid "$work/hub-serve.log" "$hub" "${service_user[@]}" /opt/rotation-station/venv/bin/rotation hub serve
    local password
    password=$(in_root "$hub" cat /etc/rotation-station/broker/display.password)
    # The hub's retained status, until it says online: after an update the broker still holds the previous
    # hub's last word, "online": false.
    for _ in $(seq 60); do
        [[ $(in_root "$hub" mosquitto_sub -h 127.0.0.1 -u display -P "$password" -t 'rotation/v1/+/hub/status' -C 1 \
            -W 5) == *'"online":true'* ]] && return 0
        sleep 1
    done
    cat "$work/hub-serve.log" "$hub/var/log/mosquitto/mosquitto.log"
    fail "the hub is not online"
}

# The web companion, as its service, serves HTTPS that a device trusting the room's CA opens, and lets jlee in.
web_login() {
    start_in_root web_pid "$work/web.log" "$hub" "${service_user[@]}" /opt/rotation-station/venv/bin/rotation hub web
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
}

# pair_kiosk INSTALLER: a code from the hub, and the kiosk's install command with it, over TLS.
pair_kiosk() {
    local code
    code=$(in_root "$hub" rotation hub pair --station tech | grep -o -- '--code [A-Z0-9-]*' | cut -d' ' -f2)
    [ -n "$code" ] || fail "no pairing code"
    in_root "$kiosk" "$1/install.sh" kiosk --station tech --hub 127.0.0.1 --code "$code" >"$work/kiosk-install.log" 2>&1 ||
        { cat "$work/kiosk-install.log"; fail "install.sh kiosk --code"; }
    cat "$work/kiosk-install.log"
    grep -q "paired: this board is Tech Station's kiosk.* over TLS" "$work/kiosk-install.log" || fail "not paired over TLS"
    echo "$code" >"$work/code"
}

# check_in STUDENT: the student's card, as the hub prints it (only the hub can sign one), held up to the kiosk,
# whose service user checks them in until the hub acknowledges it.
check_in() {
    local card
    card=$(in_root "$hub" rotation card "$1") || fail "rotation card on the hub"
    as_service_user "$kiosk" /opt/rotation-station/venv/bin/python - "$card" "$1" <<'PYTHON' || fail "the check-in"
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
    assert kiosk.scan(sys.argv[1]).student_id == sys.argv[2]
    for _ in range(600):
        if kiosk.outbox.depth() == 0:
            break
        acked.wait(0.05)
    assert kiosk.outbox.depth() == 0, "the hub never acknowledged the check-in"
finally:
    kiosk.stop()
PYTHON
}

network_phase() {
    start_hub
    step "hub serving"

    # The technician sets a teacher's password; the web companion lets that teacher in.
    echo "a long teacher password" | in_root "$hub" rotation teacher add jlee >/dev/null || fail "rotation teacher add"
    [ "$(mode_of "$hub" /var/lib/rotation-station/teachers.db)" = "600 rotation:rotation" ] ||
        fail "teachers.db: $(mode_of "$hub" /var/lib/rotation-station/teachers.db)"
    web_login
    step "web companion serving over HTTPS"

    pair_kiosk "$installer"
    # The hub, as its service user, gave the kiosk a new password: the broker can still read the file.
    [ "$(mode_of "$hub" /etc/rotation-station/broker/mosquitto.passwd)" = "640 rotation:mosquitto" ] ||
        fail "mosquitto.passwd after pairing: $(mode_of "$hub" /etc/rotation-station/broker/mosquitto.passwd)"
    [ "$(in_root "$kiosk" systemctl is-enabled rotation-kiosk.service)" = enabled ] || fail "the kiosk service is not enabled"
    [ "$(in_root "$kiosk" stat -c '%a %U:%G' /etc/rotation-station/broker/kiosk-tech.password)" = "640 root:rotation" ] ||
        fail "the kiosk's password file"
    in_root "$kiosk" test ! -e /etc/rotation-station/roster.csv || fail "a kiosk must not hold the roster"
    in_root "$kiosk" test ! -e /etc/rotation-station/class.secret || fail "a kiosk must not hold the class secret"
    in_root "$kiosk" id -nG rotation | grep -qw audio || fail "the kiosk's service user cannot play its chime"
    step "kiosk paired"

    check_in s05
    step "kiosk checked a student in"
    root_commands_then_the_services

    before=$(cd "$kiosk" && find etc/rotation-station opt/rotation-station/installed-from -printf '%p %m %u:%g %T@\n' | sort)
    in_root "$kiosk" "$installer/install.sh" kiosk --station tech --hub 127.0.0.1 --code "$(cat "$work/code")" >"$work/kiosk-again.log" 2>&1 ||
        { cat "$work/kiosk-again.log"; fail "install.sh kiosk, again"; }
    after=$(cd "$kiosk" && find etc/rotation-station opt/rotation-station/installed-from -printf '%p %m %u:%g %T@\n' | sort)
    [ "$before" = "$after" ] || fail "the second kiosk install changed its files"
    ! grep "^apt:" "$work/kiosk-again.log" || fail "the second kiosk install asked apt for something"
}

# Before the update, with the previous release: a teacher's login, a paired kiosk, a check-in and a note.
before_update_phase() {
    start_hub
    echo "a long teacher password" | in_root "$hub" rotation teacher add jlee >/dev/null || fail "rotation teacher add"
    pair_kiosk "$previous_installer"
    check_in s05
    in_root "$hub" rotation hub note s05 --text "reads fluently now, written before the update" >/dev/null ||
        fail "rotation hub note"
}

# After it, with this checkout: the hub serves the same room, still has the check-in and the note, lets the
# same teacher in, and the updated kiosk checks another student in.
after_update_phase() {
    start_hub
    step "updated hub serving"
    as_service_user "$hub" sh -c 'cd /tmp && /opt/rotation-station/venv/bin/rotation student export s05 --out /tmp/s05' >/dev/null ||
        fail "rotation student export"
    grep -rq "reads fluently now, written before the update" "$hub/tmp/s05" || fail "the note written before the update is gone"
    grep -rq --include='*.csv' ',tech,' "$hub/tmp/s05" || fail "the check-in made before the update is gone"
    step "updated hub has the check-in and the note"
    web_login
    step "updated web companion lets the same teacher in"
    check_in s06
    step "updated kiosk checked a student in"
}

# The run's last step: it stopped everything it started.
nothing_left_running() {
    local running
    running=$(left_running)
    [ -z "$running" ] || fail "still running in the roots: $running"
    step "nothing left running"
}

# What an update must keep, file by file: the room, its keys and its accounts (the broker's own files it may
# write anew, for the new release's topics).
kept_files() {
    in_root "$1" find /etc/rotation-station -type f \
        -not -name mosquitto.passwd -not -name mosquitto.acl -not -name mosquitto.conf -not -name limits.nft \
        -exec sha256sum {} + 2>/dev/null | LC_ALL=C sort
}

# --- with --update: the previous release installed, used, then updated in place to this checkout ---
update_from_previous_release() {
    local root
    for root in "$hub" "$kiosk"; do
        mkdir "$root/previous"
        git -C "$repo" archive "$previous_release" | tar -x -C "$root/previous"
    done
    in_root "$hub" "$previous_installer/install.sh" hub --name 127.0.0.1 >"$work/hub-previous.log" 2>&1 ||
        { cat "$work/hub-previous.log"; fail "the previous release's install.sh hub"; }
    # A setting the technician changed, applied as the guide says (the install command again).
    sed -i 's/^round_minutes = 15$/round_minutes = 12/' "$hub/etc/rotation-station/room.toml"
    in_root "$hub" "$previous_installer/install.sh" hub >>"$work/hub-previous.log" 2>&1 ||
        { cat "$work/hub-previous.log"; fail "the previous release's install.sh hub, again"; }
    in_root "$kiosk" "$previous_installer/install.sh" kiosk --station tech >"$work/kiosk-previous.log" 2>&1 || true
    unshare --net bash "${BASH_SOURCE[0]}" "$work" --before-update || fail "the previous release's pairing phase (above)"
    step "previous release installed, paired, a student checked in and a note taken"

    kept_files "$hub" >"$work/hub-kept-before"
    kept_files "$kiosk" >"$work/kiosk-kept-before"
    grep -qx "round_minutes = 12" "$hub/etc/rotation-station/room.toml" || fail "the setting was not made"
    # The hub first, with the guide's command: no options, everything as it was.
    in_root "$hub" "$installer/install.sh" hub >"$work/hub-update.log" 2>&1 || { cat "$work/hub-update.log"; fail "install.sh hub over the previous release"; }
    cat "$work/hub-update.log"
    grep -q "installing Rotation Station into" "$work/hub-update.log" || fail "the hub's software was not updated"
    kept_files "$hub" | diff "$work/hub-kept-before" - || fail "the hub's update changed the room's files (above)"
    [ "$(mode_of "$hub" /var/lib/rotation-station/teachers.db)" = "600 rotation:rotation" ] || fail "teachers.db after the update"
    step "hub updated, its room, keys, accounts and logins kept"
    in_root "$kiosk" "$installer/install.sh" kiosk --station tech >"$work/kiosk-update.log" 2>&1 ||
        { cat "$work/kiosk-update.log"; fail "install.sh kiosk over the previous release"; }
    grep -q "installing Rotation Station into" "$work/kiosk-update.log" || fail "the kiosk's software was not updated"
    kept_files "$kiosk" | diff "$work/kiosk-kept-before" - || fail "the kiosk's update changed its files (above)"
    step "kiosk updated, still paired"

    unshare --net bash "${BASH_SOURCE[0]}" "$work" --after-update || fail "after the update (above)"
    grep -qx "round_minutes = 12" "$hub/etc/rotation-station/room.toml" || fail "the setting is gone"
}
case ${2:-} in
    --network-phase) network_phase; exit 0 ;;
    --before-update) before_update_phase; exit 0 ;;
    --after-update) after_update_phase; exit 0 ;;
esac

if [ ! -s "$base" ]; then
    debootstrap --variant=minbase --include=systemd,systemd-sysv,ca-certificates "$suite" "$work/base" \
        http://deb.debian.org/debian >"$work/debootstrap.log" 2>&1 || { tail -20 "$work/debootstrap.log"; fail "debootstrap"; }
    tar -C "$work/base" -cf "$base.new" . && mv "$base.new" "$base"
    rm -rf "$work/base"
fi
trap end_everything EXIT
make_root "$hub"
make_root "$kiosk"

if [ "${2:-}" = --update ]; then
    update_from_previous_release
    nothing_left_running
    exit 0
fi

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
in_root "$hub" id -nG rotation | grep -qw audio || fail "the service user cannot play the display's chime"
in_root "$hub" dpkg-query -W avahi-daemon >/dev/null || fail "no avahi-daemon: the hub's .local name would not resolve"
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
in_root "$kiosk" dpkg-query -W libnss-mdns >/dev/null || fail "no libnss-mdns: the kiosk cannot find the hub's .local name"
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
nothing_left_running
