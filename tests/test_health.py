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
