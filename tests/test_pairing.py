"""Pairing a new kiosk with a one-time code: the hub's code, the kiosk's request, the sealed answer, and the
kiosk that then works on its own account; on a real broker with the room's accounts and ACL."""
import base64
import json

import msgspec
import pytest
from msgspec.structs import replace

from edge.broker_setup import read_password
from hub.pairing import PairingDesk, kiosk_bundle
from kiosk.core import KioskCore
from rotation.broker import free_port
from rotation.cli import main
from shared.cards import CardKeys
from shared.config import load_config
from shared.pairing import CODE_SECONDS, KioskSide, PairingError, Request, code_key, normalized, sealed_reply
from shared.topics import PAIRING_ACCOUNT, PAIRING_PASSWORD, Topics
from shared.topics import pair_reply_topic as reply_topic
from shared.topics import pair_request_topic as request_topic
from tests.conftest import card, eventually, tls_room
from tests.mqtt_client import TestClient


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


def desk_and_code(config, station="reading-nook"):
    clock = Clock()
    desk = PairingDesk(config, clock)
    code, expires_at = desk.issue(station)
    assert expires_at == clock.now + CODE_SECONDS
    return desk, code, clock


def test_the_right_code_gets_the_kiosk_its_account_and_the_room_but_no_roster(secure):
    config, _ = secure
    desk, code, _ = desk_and_code(config)
    side = KioskSide("reading-nook", code.lower().replace("-", " "))  # typed in any case, with a space
    bundle = side.open(desk.answer(side.request())[0])
    assert bundle.password == read_password(config.broker.accounts, "kiosk-reading-nook")
    assert bundle.card_key == config.card_public_key.hex() and bundle.secret is None  # checks cards, makes none
    assert [s.id for s in bundle.stations] == [s.id for s in config.stations]
    text = msgspec.json.encode(bundle).decode()
    assert config.secret.hex() not in text and config.signing_key.hex() not in text
    assert "Rahman" not in text and "roster" not in text  # the sample roster's last names stay on the hub
    again = KioskSide("reading-nook", code)
    with pytest.raises(PairingError, match="no pairing code is waiting"):  # a code pairs one kiosk
        again.open(desk.answer(again.request())[0])


def test_wrong_codes_are_refused_and_the_third_spends_the_code(secure):
    config, _ = secure
    desk, code, _ = desk_and_code(config)
    wrong = "2222-2222" if code != "2222-2222" else "3333-3333"
    messages = []
    for _ in range(3):
        side = KioskSide("reading-nook", wrong)
        with pytest.raises(PairingError) as refused:
            side.open(desk.answer(side.request())[0])
        messages.append(str(refused.value))
    assert "2 tries left" in messages[0] and "1 tries left" in messages[1] and "spent" in messages[2]
    side = KioskSide("reading-nook", code)
    with pytest.raises(PairingError, match="no pairing code is waiting"):
        side.open(desk.answer(side.request())[0])


def test_a_code_expires_and_is_only_for_its_station(secure):
    config, _ = secure
    desk, code, clock = desk_and_code(config)
    other = KioskSide("tech", code)
    with pytest.raises(PairingError, match="station tech"):
        other.open(desk.answer(other.request())[0])
    clock.now += CODE_SECONDS + 1
    late = KioskSide("reading-nook", code)
    with pytest.raises(PairingError, match="no pairing code is waiting"):
        late.open(desk.answer(late.request())[0])
    with pytest.raises(ValueError, match="has no kiosk"):
        desk.issue("teacher-table")
    with pytest.raises(ValueError, match="not a station"):
        desk.issue("attic")


def test_an_answer_not_sealed_with_the_code_is_refused(secure):
    config, _ = secure
    desk, code, _ = desk_and_code(config)
    side = KioskSide("reading-nook", code)
    answer = json.loads(desk.answer(side.request())[0])
    sealed = bytearray(base64.b64decode(answer["bundle"]))
    sealed[0] ^= 1  # changed on the way
    answer["bundle"] = base64.b64encode(bytes(sealed)).decode()
    with pytest.raises(PairingError, match="did not come from the hub that made the code"):
        side.open(json.dumps(answer).encode())
    fooled = KioskSide("reading-nook", code)  # someone posing as the hub, without the code
    theirs = replace(kiosk_bundle(config, "reading-nook"), password="theirs")
    forged = sealed_reply(Request.parse(fooled.request()), b"\0" * 32, theirs)
    with pytest.raises(PairingError, match="did not come from the hub that made the code"):
        fooled.open(forged)


@pytest.mark.parametrize("typed, problem", [("K7QD-M2X", "has 7"), ("K7QD-M2XAB", "has 9"),
                                            ("K0QD-M2XA", "has no 0"), ("", "has 0")])
def test_a_mistyped_code_is_named_before_anything_is_sent(typed, problem):
    with pytest.raises(PairingError, match=problem):
        normalized(typed)


def test_the_pairing_account_may_only_ask_to_pair(secure):
    config, _ = secure
    topics = Topics(config.room_id)
    hub = TestClient(config.broker.port, topics.kiosk_event(), request_topic("+"),
                     account=("hub", read_password(config.broker.accounts, "hub")))
    snoop = TestClient(config.broker.port, f"{topics.base}/#", reply_topic("+"),
                       client_id="pair-snoop", account=(PAIRING_ACCOUNT, PAIRING_PASSWORD))
    assert snoop.refused is None
    snoop.publish(topics.kiosk_event("reading-nook"), {"v": 1, "forged": True})
    snoop.publish(topics.command, {"v": 1, "forged": True})
    snoop.publish(request_topic("pair-snoop"), {"v": 1, "own": True})
    hub.wait_for(request_topic("pair-snoop"))
    hub.publish(topics.state, {"v": 1, "secret": True})
    hub.publish(reply_topic("pair-snoop"), {"v": 1, "last": True})
    snoop.wait_for(reply_topic("pair-snoop"))
    assert [m.topic for m in hub.messages] == [request_topic("pair-snoop")]
    assert [m.topic for m in snoop.messages] == [reply_topic("pair-snoop")]
    hub.close()
    snoop.close()


def run_hub(config):
    from hub.service import HubService

    service = HubService(config)
    service.start()
    return service


def test_a_kiosk_paired_from_the_command_line_checks_students_in(secure, tmp_path, capsys):
    config, _ = secure
    service = run_hub(config)
    try:
        assert main(["hub", "pair", "-c", str(config.path), "--station", "reading-nook"]) == 0
        shown = capsys.readouterr().out
        code = shown.split("--code ")[1].split()[0]
        assert "Reading Nook's kiosk" in shown and "works once" in shown
        assert "--serial /dev/ttyACM0 | --camera pi" in shown and "--pair-again" not in shown  # a station never paired
        board = tmp_path / "kiosk-board"
        assert main(["pair", "--hub", "127.0.0.1", "--port", str(config.broker.port), "--code", code,
                     "--station", "reading-nook", "--into", str(board), "--outbox", str(board / "outbox.db"),
                     "--serial", "/dev/ttyACM0"]) == 0
        assert "paired: this board is Reading Nook's kiosk" in capsys.readouterr().out
        paired = load_config(board / "room.toml")
        assert (paired.kiosk.station, paired.kiosk.serial_port, paired.kiosk.fullscreen) == \
            ("reading-nook", "/dev/ttyACM0", True)
        assert paired.roster is None and paired.class_secret is None and paired.card_signing_key is None
        assert paired.card_keys == CardKeys(config.card_public_key)
        assert sorted(p.name for p in board.rglob("*") if p.is_file()) == ["kiosk-reading-nook.password",
                                                                             "room.toml"]
        assert not list(board.rglob("hub.password")) and not list(board.rglob("display.password"))
        assert all(path.stat().st_mode & 0o077 == 0 for path in board.rglob("*") if path.is_file())
        kiosk = KioskCore(paired, "reading-nook", paired.kiosk.outbox)
        kiosk.start()
        try:
            eventually(lambda: kiosk.online, 10, "the paired kiosk to log in")
            kiosk.scan(card("s05"))
            eventually(lambda: service.room.presence.get("s05"), 5, "the check-in at the hub")
        finally:
            kiosk.stop()
        assert main(["pair", "--hub", "127.0.0.1", "--port", str(config.broker.port), "--code", code,
                     "--station", "reading-nook", "--into", str(tmp_path / "second")]) == 1
        assert "no pairing code is waiting" in capsys.readouterr().err  # the code was used up
        assert main(["hub", "pair", "-c", str(config.path), "--station", "reading-nook"]) == 0
        assert "add --pair-again" in capsys.readouterr().out  # its kiosk has been online: that board may pair again
    finally:
        service.stop()


def test_pairing_without_a_running_hub_says_so(secure, tmp_path, capsys, monkeypatch):
    config, _ = secure
    from rotation import pair_client

    monkeypatch.setattr(pair_client, "ANSWER_SECONDS", 0.5)
    assert main(["pair", "--hub", "127.0.0.1", "--port", str(config.broker.port), "--code", "K7QD-M2XA",
                 "--station", "tech", "--into", str(tmp_path / "board")]) == 1
    assert "did not answer" in capsys.readouterr().err
    assert main(["pair", "--hub", "127.0.0.1", "--port", str(free_port()), "--code", "K7QD-M2XA",
                 "--station", "tech", "--into", str(tmp_path / "board")]) == 1
    assert "cannot reach the hub's broker at 127.0.0.1" in capsys.readouterr().err
    assert not (tmp_path / "board").exists()


def test_over_tls_a_kiosk_pairs_without_the_ca_and_then_trusts_only_the_rooms(tmp_path, capsys):
    with tls_room(tmp_path, clients_use_tls=False) as (config, tls, tls_port):
        service = run_hub(config)
        try:
            assert main(["hub", "pair", "-c", str(config.path), "--station", "tech"]) == 0
            code = capsys.readouterr().out.split("--code ")[1].split()[0]
            board = tmp_path / "kiosk-board"
            assert main(["pair", "--hub", "localhost", "--port", str(tls_port), "--tls", "--code", code,
                         "--station", "tech", "--into", str(board)]) == 0, capsys.readouterr().err
            assert "over TLS" in capsys.readouterr().out
            paired = load_config(board / "room.toml")
            assert paired.broker.tls and paired.broker.ca_file.read_text() == tls.ca.read_text()
        finally:
            service.stop()


def test_a_sealed_bundle_the_kiosk_cannot_use_is_refused_with_the_field(secure):
    config, _ = secure
    desk, code, _ = desk_and_code(config)
    side = KioskSide("reading-nook", code)
    request = Request.parse(side.request())
    broken = replace(kiosk_bundle(config, "reading-nook"), secret="not hex")
    with pytest.raises(PairingError, match=r"not one this kiosk can use: .* at `\$.secret`"):
        side.open(sealed_reply(request, code_key(normalized(code), "reading-nook"), broken))


def pair_over_tls(capsys, tls_port: int, host: str, code: str, board, *options: str) -> int:
    return main(["pair", "--hub", host, "--port", str(tls_port), "--tls", "--code", code, "--station", "tech",
                 "--into", str(board), "--outbox", str(board / "outbox.db"), *options])


def new_code(config, capsys) -> str:
    assert main(["hub", "pair", "-c", str(config.path), "--station", "tech"]) == 0
    return capsys.readouterr().out.split("--code ")[1].split()[0]


def test_pairing_again_at_an_address_the_certificate_lacks_changes_nothing_and_keeps_the_board_settings(
        tmp_path, capsys):
    with tls_room(tmp_path, clients_use_tls=False) as (config, tls, tls_port):
        service = run_hub(config)
        try:
            board = tmp_path / "kiosk-board"
            assert pair_over_tls(capsys, tls_port, "localhost", new_code(config, capsys), board,
                                 "--serial", "/dev/ttyACM0") == 0, capsys.readouterr().err
            capsys.readouterr()
            room_file = board / "room.toml"
            room_file.write_text(room_file.read_text().replace("[kiosk]\n", "[kiosk]\nrotation = 90\n"
                                                               'scanner_suffix = "\\u0003"\n'))
            before = {path: path.read_bytes() for path in board.rglob("*") if path.is_file()}

            code = new_code(config, capsys)  # 127.0.0.2 reaches the broker, but the certificate does not name it
            assert pair_over_tls(capsys, tls_port, "127.0.0.2", code, board) == 1
            refused = capsys.readouterr().err
            assert "does not name 127.0.0.2 (it names localhost, 127.0.0.1)" in refused
            assert "install.sh hub --name 127.0.0.2" in refused and "the code still works" in refused
            assert {path: path.read_bytes() for path in board.rglob("*") if path.is_file()} == before

            assert pair_over_tls(capsys, tls_port, "localhost", code, board) == 0, capsys.readouterr().err
            paired = load_config(room_file)
            assert (paired.kiosk.serial_port, paired.kiosk.rotation, paired.kiosk.scanner_suffix) == \
                ("/dev/ttyACM0", 90, "\u0003")
            assert pair_over_tls(capsys, tls_port, "localhost", new_code(config, capsys), board,
                                 "--camera", "pi") == 0, capsys.readouterr().err
            paired = load_config(room_file)
            assert (paired.kiosk.serial_port, paired.kiosk.camera, paired.kiosk.rotation) == (None, "pi", 90)
            assert sorted(p.name for p in board.iterdir()) == ["broker", "room.toml"]  # nothing left half-made
        finally:
            service.stop()


@pytest.mark.parametrize("text, problem", [("[kiosk\n", "cannot read this board's room file"),
                                           ("[kiosk]\nrotation = 1979-05-27\n", "is no value a kiosk takes")])
def test_a_room_file_whose_settings_pairing_cannot_keep_is_named_before_the_code_is_used(tmp_path, capsys, text,
                                                                                       problem):
    room_file = tmp_path / "room.toml"
    room_file.write_text(text)
    assert main(["pair", "--hub", "127.0.0.1", "--port", str(free_port()), "--code", "K7QD-M2XA",
                 "--station", "tech", "--into", str(tmp_path)]) == 1
    assert problem in capsys.readouterr().err
    assert room_file.read_text() == text and sorted(p.name for p in tmp_path.iterdir()) == ["room.toml"]
