# shellcheck shell=bash
# Where an installed board keeps what: shared by install.sh and uninstall.sh (and named in the README).
# shellcheck disable=SC2034
SERVICE_USER=rotation
APP_DIR=/opt/rotation-station            # the project in its own virtual environment
CONFIG_DIR=/etc/rotation-station         # room.toml, class.secret, broker/ (accounts, ACL, certificates)
STATE_DIR=/var/lib/rotation-station      # the hub's database or the kiosk's outbox, reports, installer notes
UNIT_DIR=/etc/systemd/system
MOSQUITTO_LINK=/etc/mosquitto/conf.d/rotation-station.conf
COMMAND_LINK=/usr/local/bin/rotation
