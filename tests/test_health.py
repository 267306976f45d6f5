"""rotation doctor's verdicts (shared/health.py) on facts a board could show, for the lines the tests on real
parts (tests/test_doctor.py) cannot bring about here: systemd, an old peer, a kiosk's reported problems."""
import pytest

from shared.health import (
    DAY,
    FAIL,
    NOT_HERE,
    OK,
    WARN,
    Certificate,
    Line,
    certificate_line,
    clock_line,
    disk_line,
    exit_code,
    hub_line,
    kiosk_line,
    limits_line,
    services_line,
)
from shared.protocol import SCANNER_SPEED, STORAGE_FULL, HubStatus, KioskStatus


def test_a_warning_alone_exits_1_and_a_failure_2():
    assert exit_code([Line("a", OK, ""), Line("b", NOT_HERE, "")]) == 0
    assert exit_code([Line("a", OK, ""), Line("b", WARN, "")]) == 1
    assert exit_code([Line("a", WARN, ""), Line("b", FAIL, "")]) == 2


def test_a_service_down_is_named_with_the_commands_that_start_it_and_say_why():
    line = services_line({"mosquitto.service": "active", "rotation-hub.service": "failed",
                          "rotation-backup.timer": "inactive"})
    assert line == Line("services", FAIL, "rotation-hub.service failed, rotation-backup.timer inactive: `sudo "
                        "systemctl start rotation-hub.service rotation-backup.timer`; `journalctl -u "
                        "rotation-hub.service -b` says why it stopped")
    assert services_line({"rotation-kiosk.service": "active"}).level == OK


@pytest.mark.parametrize("status, level, says", [
    (HubStatus(online=True, version="0.1.9"), WARN, "running 0.1.9; this board has 0.2.0: update so both run the "
                                                     "same (the hub first, then the kiosks)"),
    (HubStatus(online=True), WARN, "running an older release; this board has 0.2.0: update"),
    (HubStatus(online=True, version="0.2.0", problem=STORAGE_FULL), FAIL, "running, but cannot write its database"),
    (HubStatus(online=False), FAIL, "not running: `sudo systemctl status rotation-hub`"),
    (None, FAIL, "has never said it runs"),
])
def test_the_hub_line_says_what_its_status_tells(status, level, says):
    line = hub_line(status, "0.2.0")
    assert line.level == level and line.says.startswith(says)


@pytest.mark.parametrize("status, level, says", [
    (KioskStatus(online=True, version="0.2.0", problem=SCANNER_SPEED, scanner_speed=38400), WARN,
     "online, 0.2.0: its scanner's cards read at 38400: put serial_baud = 38400 under [kiosk] in its room.toml"),
    (KioskStatus(online=True, version="0.2.0", outbox=3, problem=STORAGE_FULL), FAIL,
     "online, 0.2.0: its disk is full"),
    (KioskStatus(online=True, version="0.2.0", outbox=25), WARN, "online, 0.2.0, but 25 check-ins wait"),
    (KioskStatus(online=True, version="0.1.0", outbox=0), WARN, "online, runs 0.1.0, the hub 0.2.0: install"),
    (None, FAIL, "has never connected: pair it (`sudo rotation hub pair --station tech`"),
])
def test_a_kiosk_line_says_what_its_status_tells_the_hub(status, level, says):
    line = kiosk_line("tech", status, "0.2.0")
    assert line.what == "kiosk tech" and line.level == level and line.says.startswith(says)


def test_broker_limits_from_an_older_setup_or_an_unloaded_firewall_warn():
    assert limits_line(None, 525312, None, False).says.startswith("its config sets no max_packet_size")
    assert limits_line(263168, 525312, True, True).says.startswith("its max_packet_size 263168 is below")
    unloaded = limits_line(525312, 525312, False, True)
    assert unloaded.level == WARN and unloaded.says.startswith("the firewall's limit on connections per address")
    assert limits_line(525312, 525312, False, False).level == OK  # not installed here (a laptop): not asked


def test_an_expired_certificate_fails_and_one_near_its_end_warns():
    made = Certificate("broker certificate", "server.crt", 1000 * DAY, "renew it")
    assert certificate_line(made, 1001 * DAY) == Line("TLS broker certificate", FAIL,
                                                      "expired 24 h ago: kiosks refuse the broker: renew it")
    assert certificate_line(made, 970 * DAY).level == WARN
    assert certificate_line(made, 900 * DAY).level == OK


def test_a_clock_without_a_time_service_or_not_yet_synchronised_warns():
    assert clock_line(None).level == WARN and "systemd-timesyncd" in clock_line(None).says
    assert clock_line(False).level == WARN and "timedatectl" in clock_line(False).says


def test_a_disk_under_a_tenth_free_warns():
    assert disk_line("/var", 1 * 2 ** 30, 16 * 2 ** 30).level == WARN
    assert disk_line("/var", 8 * 2 ** 30, 16 * 2 ** 30).level == OK


def test_a_broker_not_reached_or_refusing_says_what_to_do_on_the_hub_and_on_a_kiosk():
    from shared.health import BrokerReach, broker_line

    reached = broker_line(BrokerReach("hub.local:8883", True, "kiosk-tech"), on_hub=False)
    assert reached == Line("broker", OK, "reached at hub.local:8883 over TLS as kiosk-tech")
    assert broker_line(BrokerReach("127.0.0.1:1883", False, None), True).says == "reached at 127.0.0.1:1883"
    refused = broker_line(BrokerReach("hub.local:8883", True, "kiosk-tech", refused="not authorised"), False)
    assert refused.level == FAIL and refused.says.startswith(
        "hub.local:8883 over TLS as kiosk-tech: the broker refused the login (not authorised): this board's "
        "password is not the broker's any more")
    on_hub = broker_line(BrokerReach("127.0.0.1:1883", False, "hub", refused="bad password"), True)
    assert on_hub.says.endswith("run `sudo rotation broker setup` again, then `sudo systemctl restart mosquitto`")
    pairing = broker_line(BrokerReach("hub.local:1883", False, "pairing", refused="x"), False)
    assert "rotation broker setup" in pairing.says
    away = broker_line(BrokerReach("hub.local:8883", True, "kiosk-tech", error="timed out"), False)
    assert away.level == FAIL and away.says.startswith("hub.local:8883 over TLS as kiosk-tech: not reached "
                                                       "(timed out): is the hub on and on this network")
    down = broker_line(BrokerReach("127.0.0.1:1883", False, "hub", error="refused"), True)
    assert "is Mosquitto running? `sudo systemctl status mosquitto`" in down.says
    told = broker_line(BrokerReach("hub.local:8883", True, None, error="certificate", fix="copy the CA again"), False)
    assert told.says == "hub.local:8883 over TLS: not reached (certificate): copy the CA again"


def test_a_kiosks_scanner_outbox_screen_and_files_lines():
    from shared.health import NOT_HERE, Scanner, outbox_line, owners_line, scanner_line, screen_line

    assert scanner_line(Scanner("keyboard", None, False)).level == OK
    assert scanner_line(Scanner("serial", "/dev/ttyACM0", True)) == Line("scanner", OK, "serial at /dev/ttyACM0")
    for kind, listing in (("serial", "`ls /dev/serial/by-id`"), ("keyboard device", "`rotation kiosk scanners`"),
                          ("camera", "`ls /dev/video*`")):
        missing = scanner_line(Scanner(kind, "/dev/x", False))
        assert missing.level == FAIL and missing.says == (
            f"no {kind} at /dev/x: plug it in, or name the one there ({listing}) in room.toml, then "
            "`sudo systemctl restart rotation-kiosk`")
    assert outbox_line(None, False).says == "none yet: nothing scanned on this board"
    assert outbox_line(None, True).level == NOT_HERE
    assert outbox_line(19, True) == Line("outbox", OK, "19 waiting")
    assert outbox_line(20, True).level == WARN
    assert screen_line("HDMI-A-1 1280x720", "") == Line("screen", OK, "HDMI-A-1 1280x720")
    assert screen_line(None, "card0", pinned=1).says.startswith(
        "none connected to card1 (SDL_KMSDRM_DEVICE_INDEX); seen: card0: check the display's cable")
    assert "any graphics card" in screen_line(None, "nothing").says
    assert owners_line([], "/var/lib/rotation", "rotation") == Line("files", OK,
                                                                     "everything in /var/lib/rotation is rotation's")
    strangers = owners_line(["a", "b", "c", "d", "e"], "/var/lib/rotation", "rotation")
    assert strangers == Line("files", FAIL, "not rotation's: a, b, c and 2 more: "
                                            "`sudo chown -R rotation:rotation /var/lib/rotation`")


def test_backups_by_their_record_or_by_the_newest_file_and_how_old_is_said():
    from shared.health import backup_line, backups_line

    assert backups_line(True, "copied off the board last night", True).level == OK
    assert backups_line(True, "last night, on the board only", False).level == WARN
    assert backups_line(False, "failed last night", True).level == FAIL
    assert backup_line(None, 0, "/b").says.startswith("none in /b: `sudo systemctl start rotation-backup`")
    assert backup_line(100.0, 100.0 + 90, "/b") == Line("backup", OK, "90 s ago, in /b")
    assert backup_line(100.0, 100.0 + 3000, "/b").says == "50 min ago, in /b"
    assert backup_line(100.0, 100.0 + 5 * 3600, "/b").says == "5 h ago, in /b"
    assert backup_line(100.0, 100.0 + 2 * DAY, "/b").says == "2 days ago, in /b"  # two days: still in time
    late = backup_line(100.0, 100.0 + 2 * DAY + 1, "/b")
    assert late.level == FAIL and late.says.startswith("the newest in /b is 2 days old: the nightly backup fails")
    assert backup_line(100.0, 50.0, "/b").says == "0 s ago, in /b"  # a clock behind the file's: not in the future


def test_a_kiosk_online_or_not_and_the_hubs_line_when_all_is_well():
    from shared.health import kiosk_lines

    assert kiosk_line("tech", KioskStatus(online=False), "0.2.0").says.startswith("offline: is the board on")
    assert kiosk_line("tech", KioskStatus(online=True, version="0.2.0", outbox=2), "0.2.0") == Line(
        "kiosk tech", OK, "online, 0.2.0, 2 waiting")
    assert kiosk_line("tech", KioskStatus(online=True), "0.2.0").says == \
        "online, runs an old release, the hub 0.2.0: install this release on its board"
    lines = kiosk_lines(["tech", "art"], {"tech": KioskStatus(online=True, version="0.2.0")}, "0.2.0")
    assert [(line.what, line.level) for line in lines] == [("kiosk tech", OK), ("kiosk art", FAIL)]
    from shared.protocol import HubInstance

    here = HubInstance(instance="3f9a", host="room12-hub", started=1.0)
    assert hub_line(HubStatus(online=True, version="0.2.0", hub=here), "0.2.0") == Line(
        "hub", OK, "running 0.2.0 on room12-hub")
    assert hub_line(HubStatus(online=False, hub=here), "0.2.0").says.startswith("not running on room12-hub:")
    assert hub_line(HubStatus(online=True, version="0.2.0", problem="roster_refused"), "0.2.0") == Line(
        "hub", WARN, "running, with a problem: roster_refused (the room map says more)")


def test_the_disk_fails_under_its_floor_whatever_its_share_and_limits_say_what_is_checked():
    assert disk_line("/var", 100 * 2 ** 20, 2 ** 30) == Line(
        "disk", FAIL, "0.1 GiB free of 1.0 GiB (/var): nearly full, the database cannot grow: remove old files "
                      "(damaged copies, reports already taken off) or use a larger SD card")
    assert disk_line("/var", 2 * 2 ** 30, 16 * 2 ** 30).says == "2.0 GiB free of 16.0 GiB (/var)"
    assert limits_line(525312, 525312, True, True) == Line(
        "broker limits", OK, "max packet 525312 bytes, connections per address limited (nftables)")
    assert limits_line(525312, 525312, None, True).says == \
        "max packet 525312 bytes; the firewall's limit not checked: run as root"
    assert limits_line(525312, 525312, None, False).says == "max packet 525312 bytes"
    assert clock_line(True) == Line("time", OK, "synchronised with a time server")
    made = Certificate("room's CA", "ca.crt", None, "pair the kiosks again")
    assert certificate_line(made, 0) == Line("TLS room's CA", FAIL, "ca.crt is not a certificate this board can "
                                                                     "read: pair the kiosks again")
    valid = Certificate("room's CA", "ca.crt", 400 * DAY, "x")
    assert certificate_line(valid, 0).says == "valid for 400 days"
    assert certificate_line(valid, 399 * DAY).says == "expires in 24 h: x"


def test_every_line_reads_word_for_word_as_the_technician_sees_it():
    from shared.health import (
        NOT_HERE,
        BrokerReach,
        Scanner,
        backup_line,
        broker_line,
        outbox_line,
        scanner_line,
        screen_line,
        services_line,
    )

    lines = [
        (broker_line(BrokerReach("hub:8883", True, "kiosk-tech", refused="bad"), False), Line(
            "broker", FAIL, "hub:8883 over TLS as kiosk-tech: the broker refused the login (bad): this board's "
            "password is not the broker's any more (another board was paired for this station?): pair it again, "
            "`rotation hub pair` on the hub")),
        (broker_line(BrokerReach("127.0.0.1:1883", False, "hub", error="refused"), True), Line(
            "broker", FAIL, "127.0.0.1:1883 as hub: not reached (refused): is Mosquitto running? `sudo systemctl "
            "status mosquitto`, its log `journalctl -u mosquitto -b`")),
        (broker_line(BrokerReach("hub:1883", False, "kiosk-tech", error="timed out"), False), Line(
            "broker", FAIL, "hub:1883 as kiosk-tech: not reached (timed out): is the hub on and on this network, "
            "and [broker] host in room.toml its name or address? `ping` it; on the hub, `sudo rotation doctor`")),
        (hub_line(None, "0.2.0"), Line("hub", FAIL, "has never said it runs: `sudo systemctl start rotation-hub`, "
                                                    "then `journalctl -u rotation-hub -b` if it stops again")),
        (hub_line(HubStatus(online=False), "0.2.0"), Line(
            "hub", FAIL, "not running: `sudo systemctl status rotation-hub`, its log `journalctl -u rotation-hub -b`")),
        (hub_line(HubStatus(online=True, version="0.2.0", problem=STORAGE_FULL), "0.2.0"), Line(
            "hub", FAIL, "running, but cannot write its database (disk full?): check disk space on the hub; "
            "check-ins wait at the kiosks meanwhile")),
        (hub_line(HubStatus(online=True, version="0.1.9"), "0.2.0"), Line(
            "hub", WARN, "running 0.1.9; this board has 0.2.0: update so both run the same (the hub first, then the "
                         "kiosks)")),
        (kiosk_line("tech", KioskStatus(online=False), "0.2.0"), Line(
            "kiosk tech", FAIL, "offline: is the board on, its network cable in? On its board, `sudo rotation "
                                "doctor`")),
        (kiosk_line("tech", None, "0.2.0"), Line(
            "kiosk tech", FAIL, "has never connected: pair it (`sudo rotation hub pair --station tech`, then the "
                                "install command on its board)")),
        (kiosk_line("tech", KioskStatus(online=True, version="0.2.0", problem=STORAGE_FULL), "0.2.0"), Line(
            "kiosk tech", FAIL, "online, 0.2.0: its disk is full, check-ins are kept in memory only: free space on "
                                "its board")),
        (kiosk_line("tech", KioskStatus(online=True, version="0.2.0", outbox=20), "0.2.0"), Line(
            "kiosk tech", WARN, "online, 0.2.0, but 20 check-ins wait to reach the hub: `journalctl -u rotation-hub "
                                "-b` on the hub says why it refuses them")),
        (outbox_line(None, True), Line("outbox", NOT_HERE, "held by the running kiosk: its tile on the hub's map "
                                                           "says what waits")),
        (outbox_line(25, True), Line("outbox", WARN, "25 check-ins wait to reach the hub: see the broker and hub "
                                                     "lines")),
        (outbox_line(0, False), Line("outbox", OK, "none yet: nothing scanned on this board")),
        (scanner_line(Scanner("keyboard", None, False)), Line(
            "scanner", OK, "a keyboard-mode scanner typing into the kiosk's window (none named in room.toml)")),
        (clock_line(None), Line("time", WARN, "no time service answers: `sudo apt-get install systemd-timesyncd`; "
                                              "a wrong clock puts check-ins on the wrong day")),
        (clock_line(False), Line("time", WARN, "not synchronised yet: does the board reach a time server (the "
                                               "school's network may need its own: NTP= in "
                                               "/etc/systemd/timesyncd.conf)? `timedatectl` shows it")),
        (disk_line("/var", 1 * 2 ** 30, 16 * 2 ** 30), Line("disk", WARN, "1.0 GiB free of 16.0 GiB (/var): free "
                                                                          "some space soon")),
        (screen_line(None, "card0"), Line(
            "screen", FAIL, "none connected to any graphics card; seen: card0: check the display's cable and power "
                            "(a Touch Display's ribbon on the DSI port), then reboot; `ls /sys/class/drm` lists what "
                            "the board sees")),
        (services_line(None), Line("services", NOT_HERE, "systemd is not running here")),
        (services_line({"rotation-hub": "active", "mosquitto": "active"}), Line(
            "services", OK, "rotation-hub, mosquitto active")),
        (backup_line(None, 0, "/b"), Line("backup", FAIL, "none in /b: `sudo systemctl start rotation-backup`, "
                                                          "then `journalctl -u rotation-backup` if none appears")),
        (backup_line(0.0, 3 * DAY, "/b"), Line("backup", FAIL, "the newest in /b is 3 days old: the nightly backup "
                                                               "fails: `journalctl -u rotation-backup` says why")),
        (limits_line(None, 525312, None, False), Line(
            "broker limits", WARN, "its config sets no max_packet_size: run `sudo rotation broker setup` again, then "
                                   "`sudo systemctl restart rotation-broker-limits mosquitto`")),
        (limits_line(1000, 525312, False, True), Line(
            "broker limits", WARN, "its max_packet_size 1000 is below the room's largest message (525312); the "
                                   "firewall's limit on connections per address is not loaded: run `sudo rotation "
                                   "broker setup` again, then `sudo systemctl restart rotation-broker-limits "
                                   "mosquitto`")),
        (certificate_line(Certificate("CA", "ca.crt", 30 * DAY, "renew"), 0), Line("TLS CA", WARN,
                                                                                    "expires in 30 days: renew")),
    ]
    for got, expected in lines:
        assert got == expected
