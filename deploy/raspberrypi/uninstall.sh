#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR/../..
# Takes away what install.sh put on this board: the services, the broker's config link, the project in
# /opt/rotation-station, and the boot settings it changed (put back as they were).
#
#   sudo deploy/raspberrypi/uninstall.sh            # keeps the room's files and the class's data
#   sudo deploy/raspberrypi/uninstall.sh --purge    # also erases them, and the system user
#
# Without --purge, /etc/rotation-station (room config, class secret, accounts) and /var/lib/rotation-station
# (the hub's database or the kiosk's outbox) stay, so installing again carries on where it was.
set -euo pipefail

source_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
source "$source_dir/deploy/raspberrypi/layout.sh"

say() { echo "uninstall: $*"; }

purge=false
case ${1:-} in
    "") ;;
    --purge) purge=true ;;
    *) sed -n '3,10p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2; exit 2 ;;
esac
[ "$(id -u)" -eq 0 ] || { echo "uninstall: run it as root: sudo $0" >&2; exit 1; }

units=(rotation-kiosk.service rotation-display.service rotation-web.service rotation-backup.timer
       rotation-backup.service rotation-hub.service rotation-broker-reload.path rotation-broker-reload.service
       rotation-broker-limits.service)
installed=()
for unit in "${units[@]}"; do [ -e "$UNIT_DIR/$unit" ] && installed+=("$unit"); done
if ((${#installed[@]})); then
    if [ -d /run/systemd/system ]; then systemctl disable --now --quiet "${installed[@]}"
    else systemctl disable --quiet "${installed[@]}"; fi
    for unit in "${installed[@]}"; do rm -f "$UNIT_DIR/$unit"; done
    [ -d /run/systemd/system ] && systemctl daemon-reload
    say "removed ${installed[*]}"
fi

if [ -L "$MOSQUITTO_LINK" ]; then
    rm -f "$MOSQUITTO_LINK"
    [ -d /run/systemd/system ] && systemctl try-restart mosquitto.service
    say "the broker no longer loads the room's accounts (Mosquitto itself stays installed)"
fi

notes="$STATE_DIR/installer"
if [ -f "$notes/default-target" ]; then
    systemctl set-default --quiet "$(cat "$notes/default-target")"
    say "the board boots to $(cat "$notes/default-target") again"
fi
if [ -f "$notes/consoleblank" ]; then
    cmdline=$(cat "$notes/consoleblank")
    [ -f "$cmdline" ] && sed -i '1s/ consoleblank=0//' "$cmdline"
    say "the screen may blank again when idle (from the next boot)"
fi
rm -rf "$notes" "$STATE_DIR/installed.fingerprint"

[ "$(readlink "$COMMAND_LINK" 2>/dev/null)" = "$APP_DIR/venv/bin/rotation" ] && rm -f "$COMMAND_LINK"
if [ -d "$APP_DIR" ]; then
    rm -rf "$APP_DIR"
    say "removed $APP_DIR"
fi

if [ "$purge" = true ]; then
    rm -rf "$CONFIG_DIR" "$STATE_DIR"
    getent passwd "$SERVICE_USER" >/dev/null && userdel "$SERVICE_USER"
    getent group "$SERVICE_USER" >/dev/null && groupdel "$SERVICE_USER"
    say "erased $CONFIG_DIR, $STATE_DIR and the user $SERVICE_USER"
else
    kept=()
    for folder in "$CONFIG_DIR" "$STATE_DIR"; do [ -e "$folder" ] && kept+=("$folder"); done
    ((${#kept[@]})) && say "kept ${kept[*]} (the room's files and the class's data); --purge erases them"
fi
say "done"
