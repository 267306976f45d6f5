"""A stolen kiosk makes no card: the cards are signed with a key only the hub holds, and a kiosk's board holds
the public key that checks them. Old cards (made with the class secret, which every kiosk held) are refused
unless the room opts in, and only then does a kiosk get that secret. Real pairing, broker, hub and kiosk."""
import base64
import binascii
import os
import re
import sys
import time
import tty
from pathlib import Path

from kiosk.camera import HEIGHT, WIDTH, CameraScanner, CameraSource
from kiosk.core import KioskCore
from kiosk.scanners import SerialScanner
from rotation.cli import main
from shared.cards import CardKeys, make_token, sign_token, verify_token
from shared.config import load_config
from tests.conftest import SECRET, card, eventually, running_hub
from tests.test_camera import held_at, printed_at_600_dpi

STATION = "reading-nook"
VICTIM = "s07"  # a student whose card nobody on the board ever scanned: any card for them is a forgery


def pair_board(config, board: Path, capsys) -> object:
    """Pair a kiosk's board with the running hub as install.sh does; the board's room config."""
    assert main(["hub", "pair", "-c", str(config.path), "--station", STATION]) == 0
    code = capsys.readouterr().out.split("--code ")[1].split()[0]
    assert main(["pair", "--hub", "127.0.0.1", "--port", str(config.broker.port), "--code", code, "--station",
                 STATION, "--into", str(board), "--outbox", str(board / "outbox.db")]) == 0, capsys.readouterr().err
    capsys.readouterr()
    return load_config(board / "room.toml")


def keys_on(board: Path) -> set[bytes]:
    """Whatever a thief could try as a key, from every file of the board: each file and line whole, each run of
    hex digits and of base64 decoded (the public key, the password, the CA, the PIN's hash and salt)."""
    found: set[bytes] = set()
    for path in (p for p in board.rglob("*") if p.is_file()):
        data = path.read_bytes()
        found |= {data, *data.splitlines()}
        text = data.decode("ascii", errors="replace")
        for run in re.findall(r"[0-9a-fA-F]{32,}", text):
            found.add(bytes.fromhex(run[:len(run) // 2 * 2]))
        for run in re.findall(r"[A-Za-z0-9+/]{40,}={0,2}", text):
            try:
                found.add(base64.b64decode(run + "=" * (-len(run) % 4)))
            except binascii.Error:
                pass
    return {key for key in found if key}


def forgeries(keys: set[bytes]) -> list[str]:
    """Cards for the victim made with each: the old kind keyed with it, and the new signed with each 32 bytes."""
    made = set()
    for key in keys:
        made.add(make_token(key, VICTIM))
        for start in range(0, max(1, len(key) - 31), 1 if len(key) <= 4096 else 32):
            if len(key[start:start + 32]) == 32:
                made.add(sign_token(key[start:start + 32], VICTIM))
    return sorted(made)


def refused_everywhere(tokens: list[str], keys_sets: list[CardKeys]) -> bool:
    for token in tokens:
        for keys in keys_sets:
            try:
                verify_token(keys, token)
            except ValueError:
                continue
            return False
    return True


def test_nothing_on_a_stolen_kiosk_makes_a_card_the_hub_or_a_kiosk_takes(secure, tmp_path, capsys):
    config, _ = secure
    board = tmp_path / "stolen-board"
    with running_hub(config) as hub:
        paired = pair_board(config, board, capsys)
        kiosk = KioskCore(paired, STATION, paired.kiosk.outbox)
        kiosk.start()
        try:
            eventually(lambda: kiosk.online and kiosk.state, 10, "the paired kiosk to know the room")
            assert kiosk.scan(card("s05")).name == "Sofia R."  # a genuine card, as the hub printed it, works
            eventually(lambda: "s05" in hub.room.presence, 5, "Sofia at the hub")
            keys = keys_on(board)
            made = forgeries(keys)
            # None passes the hub's check, nor the kiosk's, nor one that took old cards (the class secret is the
            # hub's alone).
            assert len(made) > 100 and refused_everywhere(made, [
                config.card_keys, CardKeys(config.card_public_key, config.class_secret), paired.card_keys])
            assert config.secret not in keys and config.signing_key not in keys
            assert {kiosk.scan(token).outcome for token in made} == {"forged"}
            # A thief's kiosk that sends them anyway, with the board's own account: every one refused.
            sent = [kiosk.record("checkin", token).id for token in made[:40]]
            eventually(lambda: kiosk.outbox.depth() == 0, 10, "the hub's answers")
        finally:
            kiosk.stop()
        rows = hub.store.db.execute(f"SELECT accepted, reason FROM events WHERE id IN ({','.join('?' * len(sent))})",
                                    sent).fetchall()
        assert len(rows) == len(sent) and {row[0] for row in rows} == {0}
        assert {row[1] for row in rows} <= {"forged card", "old card"}
        assert VICTIM not in hub.room.presence


def old_cards_room(config, accept: bool):
    path = config.path
    text = path.read_text().replace("accept_old_cards = true\n", "")
    path.write_text(text.replace("[room]\n", "[room]\naccept_old_cards = true\n") if accept else text)
    return load_config(path)


def test_old_cards_are_refused_unless_the_room_takes_them_and_only_then_a_kiosk_keeps_the_class_secret(
        secure, tmp_path, capsys):
    config, _ = secure
    board = tmp_path / "board"
    old = make_token(SECRET, "s05")  # Sofia's card, printed before the hub signed cards
    for accept in (False, True, False):  # a room that has not opted in; opts in; reprints and opts out
        room = old_cards_room(config, accept)
        with running_hub(room) as hub:
            paired = pair_board(room, board, capsys)
            assert (board / "class.secret").exists() is accept and paired.accept_old_cards is accept
            kiosk = KioskCore(paired, STATION, paired.kiosk.outbox)
            kiosk.start()
            try:
                eventually(lambda k=kiosk: k.online and k.state, 10, "the paired kiosk to know the room")
                shown = kiosk.scan(old)
                assert (shown.outcome, shown.english[0]) == (("welcome", "Hi Sofia R.") if accept else
                                                            ("forged", "This card has been replaced"))
                sent = kiosk.record("checkin", old).id  # sent whatever the kiosk said, as a rogue kiosk would
                eventually(lambda k=kiosk: k.outbox.depth() == 0, 10, "the hub's answer")
            finally:
                kiosk.stop()
            accepted, reason = hub.store.db.execute("SELECT accepted, reason FROM events WHERE id = ?",
                                                    [sent]).fetchone()
            assert (accepted, reason) == ((1, None) if accept else (0, "old card"))
        board.joinpath("outbox.db").unlink()


def scan_at_9600_baud(wire: int, text: str) -> None:
    """As a serial scanner sends a code: a character every 1.04 ms (start, 8 bits, stop), then CR."""
    started = time.perf_counter()
    for number, byte in enumerate(text.encode() + b"\r", start=1):
        os.write(wire, bytes([byte]))
        while time.perf_counter() < started + number * 10 / 9600:
            pass


def test_a_signed_card_reads_on_a_paired_kiosk_from_a_serial_scanner_and_from_the_camera(secure, tmp_path,
                                                                                        capsys):
    """A signed card (113 characters) sent over a 9600-baud line, and one printed at 34 mm held 15 cm from the
    camera: each checks its student in at the hub, through a kiosk that holds only its board's files."""
    config, _ = secure
    picture = tmp_path / "held-up.png"
    held_at(printed_at_600_dpi(card("s02"), tmp_path), 15).save(picture)
    master, slave = os.openpty()
    tty.setraw(slave)
    with running_hub(config) as hub:
        paired = pair_board(config, tmp_path / "board", capsys)
        kiosk = KioskCore(paired, STATION, paired.kiosk.outbox)
        answered: dict[str, float] = {}

        def scanned(text: str):
            decision = kiosk.scan(text)
            answered[decision.student_id or text] = time.perf_counter()
            return decision
        serial = SerialScanner(os.ttyname(slave), 9600, scanned, kiosk.unreadable)
        camera = CameraScanner(CameraSource([sys.executable, "-m", "tests.camera_feed", "8", str(picture)],
                                            WIDTH * HEIGHT), scanned)
        kiosk.start()
        serial.start()
        try:
            eventually(lambda: kiosk.online and kiosk.state and serial.connected, 10, "the kiosk and its scanner")
            token = card("s05")
            started = time.perf_counter()
            scan_at_9600_baud(master, token)
            eventually(lambda: "s05" in answered, 5, "the serial scan's answer")
            assert answered["s05"] - started >= len(token) * 10 / 9600  # at the line's own pace
            camera.start()
            eventually(lambda: "s02" in answered, 10, "the camera's scan")
            eventually(lambda: {"s05", "s02"} <= set(hub.room.presence), 5, "both students at the hub")
        finally:
            camera.stop()
            serial.stop()
            kiosk.stop()
            os.close(master)
            os.close(slave)
    assert all(hub.room.presence[s].station == STATION for s in ("s05", "s02"))
