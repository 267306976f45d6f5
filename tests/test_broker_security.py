"""Accounts and the ACL made by `rotation broker setup`, enforced by a real Mosquitto."""
import pytest

from edge.broker_setup import PASSWD_FILE, write_broker_files
from kiosk.core import KioskCore
from rotation.cli import main
from shared.config import ConfigError
from shared.topics import Topics
from tests.conftest import card, eventually, login, tls_room
from tests.mqtt_client import TestClient

T = Topics("room-12")
FORBIDDEN_FOR_READING_KIOSK = [T.kiosk_event("tech"), T.kiosk_status("tech"), T.state,
                               T.presence, T.hub_status, T.command, T.view("reading-nook"),
                               T.ack("reading-nook"), T.reply("display-1"), T.path_request("tech"),
                               T.path("reading-nook")]  # a path answer of its own making, too


def test_anonymous_clients_and_wrong_passwords_are_refused(secure):
    config, broker = secure
    assert TestClient(broker.port).refused == "Not authorized"
    assert TestClient(broker.port, account=("hub", "guessed")).refused == "Not authorized"
    assert TestClient(broker.port, account=("kiosk-teacher-table", "x")).refused == "Not authorized"  # no kiosk


def test_a_kiosk_can_publish_only_its_own_stations_events_status_and_path_requests(secure):
    config, _ = secure
    hub = login(config, "hub", f"{T.base}/#")
    kiosk = login(config, "kiosk-reading-nook")
    for topic in FORBIDDEN_FOR_READING_KIOSK:
        kiosk.publish(topic, {"v": 1, "forged": True})
    kiosk.publish(T.kiosk_status("reading-nook"), {"v": 1, "online": True})
    kiosk.publish(T.path_request("reading-nook"), {"v": 1, "id": "p-1"})
    kiosk.publish(T.kiosk_event("reading-nook"), {"v": 1, "last": True})
    hub.wait_for(T.kiosk_event("reading-nook"), lambda body: body.get("last"))
    assert [m.topic for m in hub.messages] == [T.kiosk_status("reading-nook"), T.path_request("reading-nook"),
                                               T.kiosk_event("reading-nook")]
    hub.close()
    kiosk.close()


def test_a_kiosk_reads_only_its_own_stations_view_acks_and_path_answers_and_the_hub_status(secure):
    config, _ = secure
    kiosk = login(config, "kiosk-tech", f"{T.base}/#", T.state, T.presence, T.view("reading-nook"),
                  T.kiosk_event())
    hub = login(config, "hub")
    for topic in (T.state, T.presence, T.view("reading-nook"), T.ack("reading-nook"), T.reply("display-1"),
                  T.command, T.kiosk_status("reading-nook"), T.path("reading-nook")):  # another student's path
        hub.publish(topic, {"v": 1, "secret": True})
    reading = login(config, "kiosk-reading-nook")
    reading.publish(T.kiosk_event("reading-nook"), {"v": 1, "card": "someone else's"})
    reading.publish(T.path_request("reading-nook"), {"v": 1, "card": "someone else's"})
    hub.publish(T.hub_status, {"v": 1, "online": True})
    hub.publish(T.ack("tech"), {"v": 1, "ids": ["e-1"]})
    hub.publish(T.path("tech"), {"v": 1, "id": "p-1"})
    hub.publish(T.view("tech"), {"v": 1, "last": True})
    kiosk.wait_for(T.view("tech"), lambda body: body.get("last"))
    assert [m.topic for m in kiosk.messages] == [T.hub_status, T.ack("tech"), T.path("tech"), T.view("tech")]
    for client in (kiosk, hub, reading):
        client.close()


def test_only_the_display_may_send_teacher_commands(secure):
    from hub.service import HubService

    config, _ = secure
    service = HubService(config)
    service.start()
    try:
        hub_watch = login(config, "web", T.hub_status)  # not "hub": one client per account
        hub_watch.wait_for(T.hub_status, lambda b: b["online"])
        for account in ("kiosk-reading-nook", "kiosk-tech"):
            intruder = login(config, account)
            intruder.publish(T.command, {"v": 1, "id": f"c-{account}", "client": "x", "action": "start"})
            intruder.close()
        display = login(config, "display", T.reply("teacher"))
        display.publish(T.command, {"v": 1, "id": "c-display", "client": "teacher", "action": "extend",
                                    "args": {"minutes": 1}})
        reply = display.wait_for(T.reply("teacher"))
        assert reply["id"] == "c-display"  # the session was never started: only the display's command arrived
        assert service.room.clock.round == 0
        display.close()
        hub_watch.close()
    finally:
        service.stop()


def test_the_room_runs_with_every_client_on_its_own_account(secure, tmp_path):
    from hub.display_link import DisplayLink
    from hub.service import HubService

    config, _ = secure
    service = HubService(config)
    service.start()
    link = DisplayLink(config)
    link.start()
    kiosk = KioskCore(config, "reading-nook", tmp_path / "outbox.db")
    kiosk.start()
    try:
        eventually(lambda: kiosk.online and link.hub_online, 10, "the kiosk and display to reach the hub")
        assert link.command("start", {}).ok
        eventually(lambda: kiosk.state and kiosk.state.clock.round == 1, 5, "the kiosk to see the session")
        student = next(iter(kiosk.state.students))
        kiosk.scan(card(student))
        eventually(lambda: link.state.presence.get(student), 5, "the check-in on the display")
        eventually(lambda: kiosk.outbox.depth() == 0, 5, "the hub's ack at the kiosk")
        kiosk.ask_path(student, card(student))
        assert eventually(lambda: kiosk.path_of(student), 5, "the student's path at the kiosk").student == student
    finally:
        kiosk.stop()
        link.stop()
        service.stop()


def test_setup_keeps_passwords_and_changes_nothing_when_run_again(secure, capsys):
    config, _ = secure
    folder = config.broker.accounts
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    assert write_broker_files(config, folder, port=config.broker.port, bind="127.0.0.1") == []
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before
    assert (folder / PASSWD_FILE).stat().st_mode & 0o077 == 0  # passwords are for the broker's eyes only
    assert main(["broker", "setup", "-c", str(config.path), "--bind", "127.0.0.1"]) == 0  # [broker] port's
    assert "unchanged" in capsys.readouterr().out
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before


def test_an_extra_account_gets_exactly_its_own_topics_and_the_rooms_accounts_keep_theirs(secure):
    """The benches' measuring clients come in as extra accounts; they must not widen or break the room's."""
    from edge.broker_setup import Account

    config, broker = secure
    folder = config.broker.accounts
    kept = {p.name: p.read_text() for p in folder.glob("*.password")}
    probe = Account("probe", read=(T.state,), write=(f"{T.base}/probe",))
    write_broker_files(config, folder, port=config.broker.port, bind="127.0.0.1", extra=[probe])
    assert {p.name: p.read_text() for p in folder.glob("*.password") if p.name in kept} == kept
    password = (folder / "probe.password").read_text().strip()

    def accepted():
        client = TestClient(broker.port, f"{T.base}/#", account=("probe", password))
        return None if client.refused else client

    reader = eventually(accepted, 10, "the broker to take the new account")
    hub = login(config, "hub", f"{T.base}/#")
    reader.publish(T.command, {"v": 1, "forged": True})  # a teacher's command: not the probe's to send
    reader.publish(f"{T.base}/probe", {"v": 1, "last": True})
    hub.publish(T.presence, {"v": 1, "secret": True})  # not the probe's to read
    hub.publish(T.state, {"v": 1, "state": True})
    hub.wait_for(f"{T.base}/probe", lambda body: body.get("last"))
    reader.wait_for(T.state, lambda body: body.get("state"))
    assert [m.topic for m in hub.messages if m.topic != T.presence and m.topic != T.state] == [f"{T.base}/probe"]
    assert [m.topic for m in reader.messages] == [T.state]
    kiosk = login(config, "kiosk-tech")  # the room's own accounts still log in
    for client in (reader, hub, kiosk):
        client.close()


def test_a_board_without_its_password_file_is_told_what_to_do(secure, tmp_path):
    config, _ = secure
    (config.broker.accounts / "kiosk-reading-nook.password").unlink()
    with pytest.raises(ConfigError, match=r"kiosk-reading-nook\.password is missing.*rotation broker setup"):
        KioskCore(config, "reading-nook", tmp_path / "outbox.db")


def test_over_tls_the_room_works_and_a_broker_with_another_ca_is_not_trusted(tmp_path):
    import ssl

    from edge.tls import ensure_tls
    from hub.service import HubService

    with tls_room(tmp_path, clients_use_tls=True) as (config, _, tls_port):
        service = HubService(config)
        service.start()
        kiosk = KioskCore(config, "reading-nook", tmp_path / "outbox.db")
        kiosk.start()
        try:
            eventually(lambda: kiosk.online, 10, "the kiosk to reach the hub over TLS")
            kiosk.scan(card("s05"))
            eventually(lambda: service.room.presence.get("s05"), 5, "the check-in at the hub")
            eventually(lambda: kiosk.outbox.depth() == 0, 5, "the hub's ack at the kiosk")
        finally:
            kiosk.stop()
            service.stop()
        stranger = ensure_tls(tmp_path / "another-room", ["localhost", "127.0.0.1"], "another-room")
        with pytest.raises(ssl.SSLCertVerificationError):
            TestClient(tls_port, ca_file=str(stranger.ca))


def test_the_rooms_certificates_pass_the_strict_check_python_3_13_makes_by_default(tmp_path):
    """Debian 13's Python verifies with VERIFY_X509_STRICT: a room CA without a key usage was refused there, and
    no kiosk or browser check reached the broker or the web companion. A CA made before is made again with its
    own key, so what it signed still holds."""
    import socket
    import ssl
    import subprocess

    from edge.tls import ensure_tls

    def strictly_trusted(tls_port: int, ca_file) -> bool:
        context = ssl.create_default_context(cafile=str(ca_file))
        context.verify_flags |= ssl.VERIFY_X509_STRICT
        with socket.create_connection(("127.0.0.1", tls_port), timeout=5) as raw:
            with context.wrap_socket(raw, server_hostname="127.0.0.1") as connection:
                return connection.version() is not None

    with tls_room(tmp_path, clients_use_tls=True) as (config, tls, tls_port):
        assert strictly_trusted(tls_port, tls.ca)
    old = tmp_path / "old"  # a CA as made before: no key usage
    old.mkdir()
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                    "-keyout", str(old / "ca.key"), "-out", str(old / "ca.crt"), "-days", "30",
                    "-subj", "/CN=Rotation Station room-12 CA"], check=True, capture_output=True)
    key_before = (old / "ca.key").read_bytes()
    files = ensure_tls(old, ["127.0.0.1"], "room-12")
    assert (old / "ca.key").read_bytes() == key_before
    result = subprocess.run(["openssl", "verify", "-x509_strict", "-CAfile", str(files.ca), str(files.certificate)],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
