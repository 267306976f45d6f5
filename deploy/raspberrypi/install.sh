#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR/../..
# Installs Rotation Station on a 64-bit Raspberry Pi OS (Debian 13 or 12) board, as a classroom's hub or one of its kiosks:
#
#   sudo deploy/raspberrypi/install.sh hub [--name HOST]... [--room FILE] [--no-tls]
#   sudo deploy/raspberrypi/install.sh kiosk --station ID --hub HOST --code CODE [--serial DEV | --camera pi|/dev/videoN]
#
# It installs the apt packages, the project in /opt/rotation-station, a system user `rotation`, the room's
# files in /etc/rotation-station (data in /var/lib/rotation-station) and the systemd services, then starts
# them. Running it again changes nothing; deploy/raspberrypi/uninstall.sh takes it away.
# deploy/raspberrypi/README.md walks a technician through it.
set -euo pipefail

source_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
source "$source_dir/deploy/raspberrypi/layout.sh"
source "$source_dir/scripts/lib/apt.sh"

usage() {
    sed -n '3,7p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
    exit 2
}

say() { echo "install: $*"; }
fail() { echo "install: $*" >&2; exit 1; }

# Everything in the room's folder is root's, readable by the services' user only; the broker reads its own
# files (password hashes, ACL, certificate key); the room's CA key stays root's alone. On the hub, pairing a
# kiosk gives its account a new password: the hub writes that account's file and the broker's password file,
# which are therefore its own, in a folder it may add to but where the sticky bit keeps root's files root's.
set_permissions() {
    chown -R "root:$SERVICE_USER" "$CONFIG_DIR"
    find "$CONFIG_DIR" -type d -exec chmod 0750 {} +
    find "$CONFIG_DIR" -type f -exec chmod 0640 {} +
    chmod 0755 "$CONFIG_DIR"
    [ -d "$CONFIG_DIR/broker" ] || return 0
    chmod 0755 "$CONFIG_DIR/broker"
    local file
    for file in "$CONFIG_DIR"/broker/{ca.crt,server.crt}; do [ -e "$file" ] && chmod 0644 "$file"; done
    if getent group mosquitto >/dev/null; then
        for file in "$CONFIG_DIR"/broker/{mosquitto.passwd,mosquitto.acl,mosquitto.conf,server.key,limits.nft}; do
            [ -e "$file" ] && chgrp mosquitto "$file"
        done
    fi
    if [ "$role" = hub ]; then
        chmod 1775 "$CONFIG_DIR/broker"
        for file in "$CONFIG_DIR"/broker/{mosquitto.passwd,kiosk-*.password}; do
            [ -e "$file" ] && chown "$SERVICE_USER" "$file"
        done
    fi
    # The web companion serves HTTPS with the broker's certificate: its own copy of the key, for the services' user.
    if [ -e "$CONFIG_DIR/broker/server.key" ] && ! cmp -s "$CONFIG_DIR/broker/server.key" "$CONFIG_DIR/broker/web.key"; then
        install -m 0640 -o root -g "$SERVICE_USER" "$CONFIG_DIR/broker/server.key" "$CONFIG_DIR/broker/web.key"
    fi
    if [ -e "$CONFIG_DIR/broker/ca.key" ]; then chown root:root "$CONFIG_DIR/broker/ca.key"; chmod 0600 "$CONFIG_DIR/broker/ca.key"; fi
}

# The board is the room's screen and nothing else: it boots to the console, where the services draw full
# screen, and the screen never blanks. What was there before is noted for uninstall.sh.
screen_only() {
    install -d -m 0750 "$STATE_DIR/installer"
    if [ "$(systemctl get-default 2>/dev/null)" = graphical.target ]; then
        echo graphical.target >"$STATE_DIR/installer/default-target"
        systemctl set-default --quiet multi-user.target
    fi
    local cmdline
    for cmdline in /boot/firmware/cmdline.txt /boot/cmdline.txt; do
        [ -f "$cmdline" ] || continue
        if ! grep -qw 'consoleblank=0' "$cmdline"; then
            sed -i '1s/$/ consoleblank=0/' "$cmdline"
            echo "$cmdline" >"$STATE_DIR/installer/consoleblank"
        fi
        break
    done
}

role=${1:-}
[ "$role" = hub ] || [ "$role" = kiosk ] || usage
shift
tls=true names=() room_file="" station="" hub_host="" code="" serial="" camera="" pair_again=false
while (($#)); do
    case $1 in
        --tls) tls=true ;;  # the default; kept so that older instructions still work
        --no-tls) tls=false ;;
        --name) names+=("--name" "${2:?--name needs a host name}"); shift ;;
        --room) room_file=${2:?--room needs a file}; shift ;;
        --station) station=${2:?--station needs a station id}; shift ;;
        --hub) hub_host=${2:?--hub needs the host name or address of the hub}; shift ;;
        --code) code=${2:?--code needs the pairing code shown by the hub}; shift ;;
        --serial) serial=${2:?--serial needs a device}; shift ;;
        --camera) camera=${2:?--camera needs pi or /dev/videoN}; shift ;;
        --pair-again) pair_again=true ;;
        -h|--help) usage ;;
        *) fail "unknown option $1 (see --help)" ;;
    esac
    shift
done
# Kivy, which draws the screens, has no wheel for 32-bit ARM: pip would spend an hour building it, then fail.
# Raspberry Pi OS 32-bit on a 64-bit Pi still runs a 64-bit kernel, so ask dpkg what the system is built for.
architecture=$(dpkg --print-architecture 2>/dev/null || true)
case $architecture in
    armhf|armel|i386)
        fail "this is a 32-bit system ($architecture); Rotation Station needs a 64-bit one: flash the card with" \
            "Raspberry Pi OS Lite (64-bit) and run this again" ;;
esac
[ "$(id -u)" -eq 0 ] || fail "run it as root: sudo $0 $role ..."
if [ "$role" = kiosk ]; then
    [ -n "$station" ] || fail "a kiosk needs --station ID (a [[station]] id of the room)"
fi

# --- system packages ---------------------------------------------------------------------------------------
packages=(python3 python3-venv libgl1 libegl1 "libmtdev1t64|libmtdev1" "libzbar0t64|libzbar0" ca-certificates fonts-material-design-icons-iconfont)
# Kiosks find the hub by its .local name (libnss-mdns), which the hub's avahi-daemon answers for: both are
# already on Raspberry Pi OS, not on a bare Debian. rsync and ssh: the nightly backup's copy off the board.
[ "$role" = kiosk ] && packages+=(espeak-ng libnss-mdns)  # spoken prompts, made ahead of time at the kiosk
[ "$role" = hub ] && packages+=(mosquitto mosquitto-clients openssl nftables fonts-noto-core fonts-noto-cjk avahi-daemon
                                 rsync openssh-client)
case $camera in /dev/*) packages+=(ffmpeg) ;; esac
add_build_packages packages
ensure_packages "${packages[@]}"

# --- the service user -------------------------------------------------------------------------------------
if ! getent passwd "$SERVICE_USER" >/dev/null; then
    say "adding the system user $SERVICE_USER"
    useradd --system --user-group --home-dir "$STATE_DIR" --no-create-home --shell /usr/sbin/nologin \
        --comment "Rotation Station" "$SERVICE_USER"
fi
# The screen, the touchscreen, a serial scanner, the camera and the speaker (the kiosk's chime and speech, the
# display's chime); on the hub, the broker's group, so that the password file the hub rewrites when it pairs a
# kiosk stays readable by the broker.
service_groups=(video render input dialout audio)
[ "$role" = hub ] && service_groups+=(mosquitto)
for group in "${service_groups[@]}"; do
    if getent group "$group" >/dev/null && ! id -nG "$SERVICE_USER" | tr ' ' '\n' | grep -qx "$group"; then
        usermod -a -G "$group" "$SERVICE_USER"
    fi
done
install -d -o "$SERVICE_USER" -g "$SERVICE_USER" -m 0700 "$STATE_DIR"
# Before commands run as root acted as the service user, `sudo rotation backup` or `report` left root's folders
# here, where the nightly backup and the display's Report then failed: the data is the service's again.
find "$STATE_DIR" -mindepth 1 -xdev -user root -not -path "$STATE_DIR/installer*" -not -name installed.fingerprint \
    -exec chown "$SERVICE_USER:$SERVICE_USER" {} +

# --- the project, in its own virtual environment -----------------------------------------------------------
# The Python packages: those of pyproject.toml's [tool.setuptools.packages.find] (tests/test_deploy.py checks).
python_packages=(shared edge hub kiosk web rotation)
source_hash=$(cd "$source_dir" && find pyproject.toml "${python_packages[@]}" -type f \
    \( -name '*.py' -o -name '*.kv' -o -name '*.wav' -o -name '*.html' -o -name '*.css' -o -name '*.js' \
       -o -name pyproject.toml \) -print0 \
    | LC_ALL=C sort -z | xargs -0 sha256sum | sha256sum | cut -c1-32)
if [ "$(cat "$APP_DIR/installed-from" 2>/dev/null)" != "$source_hash" ]; then
    say "installing Rotation Station into $APP_DIR (pip: a few minutes on a Pi)"
    pip_started=$SECONDS
    install -d -m 0755 "$APP_DIR"
    [ -x "$APP_DIR/venv/bin/python" ] || python3 -m venv "$APP_DIR/venv"
    # pip trusts what the system trusts: a school's own proxy certificate, installed for apt, works for pip.
    [ -s /etc/ssl/certs/ca-certificates.crt ] && export PIP_CERT=${PIP_CERT:-/etc/ssl/certs/ca-certificates.crt}
    build=$(mktemp -d)
    trap 'rm -rf "$build"' EXIT
    (cd "$source_dir" && tar -cf - pyproject.toml README.md "${python_packages[@]}") | tar -xf - -C "$build"
    if ! "$APP_DIR/venv/bin/python" -m pip install --disable-pip-version-check --no-warn-script-location \
            --quiet "$build" >"$build/pip.log" 2>&1; then
        tail -n 30 "$build/pip.log" >&2
        fail "installing the Python packages failed (above)"
    fi
    echo "$source_hash" >"$APP_DIR/installed-from"
    say "pip: done in $((SECONDS - pip_started)) s"
fi
rotation=("$APP_DIR/venv/bin/rotation")
helper=("$APP_DIR/venv/bin/python" -m rotation.installed)

# --- the room's files ----------------------------------------------------------------------------------------
install -d -m 0755 "$CONFIG_DIR"
config="$CONFIG_DIR/room.toml"
if [ "$role" = hub ]; then
    if [ -e "$config" ] && [ -n "$room_file" ]; then
        say "keeping $config (--room is for the first install: edit the room there)"
    elif [ ! -e "$config" ]; then
        if [ -n "$room_file" ]; then
            say "using the room config $room_file"
            "${helper[@]}" copy-room "$room_file" "$CONFIG_DIR"
        else
            say "no --room given: starting from the sample room (edit $config and its roster)"
            "${helper[@]}" copy-room "$source_dir/assets/sample/room.toml" "$CONFIG_DIR"
        fi
    fi
    if [ ! -s "$CONFIG_DIR/class.secret" ]; then
        say "making the class secret (it keeps the web companion's logins)"
        (umask 027 && "${rotation[@]}" secret >"$CONFIG_DIR/class.secret")
    fi
    if [ ! -s "$CONFIG_DIR/card.key" ]; then
        say "making the hub's key that signs the students' cards (kiosks get only its public half)"
        (umask 077 && "${rotation[@]}" card-key >"$CONFIG_DIR/card.key")
    fi
    # TLS is the default: without it the classroom's network carries the kiosks' passwords, every card and the
    # class list in clear. The names given once are kept for later runs that give none.
    tls_names="$CONFIG_DIR/broker/installer-tls-names"
    if [ "$tls" = true ]; then
        if [ -f "$CONFIG_DIR/broker/mosquitto.conf" ] && [ ! -f "$tls_names" ]; then
            say "TLS is on now (it is the default): kiosks paired before without it must pair again"
            say "(install.sh kiosk ... --pair-again), or run this again with --no-tls."
        fi
        install -d -m 0755 "$CONFIG_DIR/broker"
        if ((${#names[@]})); then
            printf '%s\n' "${names[@]}" >"$tls_names.new"
            if cmp -s "$tls_names.new" "$tls_names"; then rm "$tls_names.new"; else mv "$tls_names.new" "$tls_names"; fi
        elif [ -f "$tls_names" ]; then
            mapfile -t names <"$tls_names"
        else
            : >"$tls_names"
        fi
    else
        say "WARNING: --no-tls: anyone on the classroom's network can read the kiosks' broker passwords, every"
        say "         card scanned and the class list. Use it only on a network that is the room's alone."
        [ -f "$tls_names" ] && say "         Kiosks paired over TLS cannot log in any more: pair them again."
        rm -f "$tls_names"
    fi
    tls_options=() web_name=()
    if [ "$tls" = true ]; then
        tls_options=(--tls "${names[@]}")
        # The teachers' devices open the web companion at the hub's first name (its certificate names it).
        web_name=("${names[1]:-$(hostname).local}")
    fi
    "${helper[@]}" hub-config "$config" "$STATE_DIR" "${web_name[@]}"
    "${rotation[@]}" broker setup -c "$config" "${tls_options[@]}" | sed -n 's/^wrote /install: wrote /p'
else
    if [ -e "$config" ] && [ "$pair_again" = false ] && "${helper[@]}" is-kiosk "$config" "$station"; then
        if [ -n "$serial$camera" ]; then
            say "already paired: keeping $config (set serial_port or camera under [kiosk] there, or add --pair-again)"
        fi
    else
        if [ -z "$hub_host" ] || [ -z "$code" ]; then
            again=""; [ "$pair_again" = true ] && again=" --pair-again"
            fail "pair this kiosk with the hub: on the hub run " \
            "'sudo rotation hub pair --station $station'; then here: $0 kiosk --station $station" \
            "--hub HUB --code CODE$again"
        fi
        local_options=()
        [ -n "$serial" ] && local_options+=(--serial "$serial")
        [ -n "$camera" ] && local_options+=(--camera "$camera")
        "${rotation[@]}" pair --hub "$hub_host" --code "$code" --station "$station" --into "$CONFIG_DIR" \
            --outbox "$STATE_DIR/kiosk-outbox.db" "${local_options[@]}"
    fi
fi
set_permissions
"${rotation[@]}" check-config "$config" | sed 's/^/install: /'

# --- the broker (hub), the services, the screen -----------------------------------------------------------------
if [ "$role" = hub ]; then
    units=(rotation-hub.service rotation-display.service rotation-web.service rotation-backup.service
           rotation-backup.timer rotation-broker-limits.service rotation-broker-reload.path
           rotation-broker-reload.service)
    [ "$(readlink "$MOSQUITTO_LINK" 2>/dev/null)" = "$CONFIG_DIR/broker/mosquitto.conf" ] ||
        ln -sfn "$CONFIG_DIR/broker/mosquitto.conf" "$MOSQUITTO_LINK"
else
    units=(rotation-kiosk.service)
fi
for unit in "${units[@]}"; do
    cmp -s "$source_dir/deploy/raspberrypi/systemd/$unit" "$UNIT_DIR/$unit" ||
        install -m 0644 "$source_dir/deploy/raspberrypi/systemd/$unit" "$UNIT_DIR/$unit"
done
cmp -s "$source_dir/deploy/raspberrypi/README.md" "$APP_DIR/README.md" ||
    install -m 0644 "$source_dir/deploy/raspberrypi/README.md" "$APP_DIR/README.md"
[ "$(readlink "$COMMAND_LINK" 2>/dev/null)" = "$APP_DIR/venv/bin/rotation" ] || ln -sfn "$APP_DIR/venv/bin/rotation" "$COMMAND_LINK"
screen_only

# Restart what runs only when something it reads changed, so running this again disturbs no one.
fingerprint=$(cat "$APP_DIR/installed-from" "${units[@]/#/$UNIT_DIR/}" <(find "$CONFIG_DIR" -type f -print0 |
    LC_ALL=C sort -z | xargs -0 sha256sum) | sha256sum | cut -c1-32)
previous=$(cat "$STATE_DIR/installed.fingerprint" 2>/dev/null || true)
services=("${units[@]}")
[ "$role" = hub ] && services=(rotation-broker-limits.service mosquitto.service rotation-broker-reload.path
                               rotation-hub.service rotation-display.service rotation-web.service rotation-backup.timer)
systemctl enable --quiet "${services[@]}"
if [ -d /run/systemd/system ]; then
    systemctl daemon-reload
    if [ "$fingerprint" != "$previous" ]; then systemctl restart "${services[@]}"; else systemctl start "${services[@]}"; fi
    say "running: ${services[*]} (check: systemctl status ${units[*]})"
else
    # An image being prepared (a chroot): nothing runs yet, the services start at the next boot.
    say "enabled ${services[*]}: they start at the next boot"
fi
[ "$fingerprint" = "$previous" ] || echo "$fingerprint" >"$STATE_DIR/installed.fingerprint"
say "done: this board is the room's $role${station:+ for station $station}"
if [ "$role" = hub ]; then
    say "kiosks find this hub at $(hostname).local (or at its address, if that name does not resolve on this network)"
    say "next: the class list and stations in $config (then run this again), the cards"
    say "      (sudo rotation cards --out cards.pdf), and a code for each kiosk (sudo rotation hub pair --station ID)"
    say "      and each teacher's login to the web companion (sudo rotation teacher add NAME)"
fi
