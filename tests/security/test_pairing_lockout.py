"""Pairing on a real broker with the room's accounts and the real hub: each pairing locks out the board paired
before for that station, and the hub's screen says which board paired, or that a code was spent by wrong tries."""
import json
import socket

from hub.mapview import build_map
from rotation.cli import main
from shared.config import load_config
from shared.pairing import KioskSide
from shared.protocol import State, decode
from shared.topics import PAIRING_ACCOUNT, PAIRING_PASSWORD, Topics
from shared.topics import pair_reply_topic as reply_topic
from shared.topics import pair_request_topic as request_topic
from tests.conftest import eventually, running_hub
from tests.mqtt_client import TestClient
from tests.security.test_broker_limits import account


def code_for(config, station: str, capsys) -> str:
    assert main(["hub", "pair", "-c", str(config.path), "--station", station]) == 0
    return capsys.readouterr().out.split("--code ")[1].split()[0]


def pair_board(config, code: str, board, capsys) -> None:
    assert main(["pair", "--hub", "127.0.0.1", "--port", str(config.broker.port), "--code", code,
                 "--station", "tech", "--into", str(board), "--outbox", str(board / "outbox.db")]) == 0, \
        capsys.readouterr().err
    capsys.readouterr()


def logs_in(config, board) -> bool:
    password = (board / "broker" / "kiosk-tech.password").read_text().strip()
    client = TestClient(config.broker.port, account=("kiosk-tech", password))
    client.close()
    return client.refused is None


def state_of(config) -> State:
    """The hub's state once it tells of a pairing (it follows the hub's answer to the kiosk by a moment)."""
    watcher = TestClient(config.broker.port, Topics(config.room_id).state, account=account(config, "web"))
    body = watcher.wait_for(Topics(config.room_id).state, lambda state: state.get("pairings"))
    watcher.close()
    return decode("state", json.dumps(body).encode())


def test_pairing_again_locks_out_the_board_paired_before_and_the_screen_names_the_new_one(secure, tmp_path, capsys):
    config, _ = secure
    old, new = tmp_path / "old-board", tmp_path / "new-board"
    with running_hub(config):
        pair_board(config, code_for(config, "tech", capsys), old, capsys)
        assert logs_in(config, old)
        pair_board(config, code_for(config, "tech", capsys), new, capsys)
        assert logs_in(config, new)
        eventually(lambda: not logs_in(config, old), 5, "the broker to refuse the old board's password")
        assert load_config(new / "room.toml").broker.port == config.broker.port
        state = state_of(config)
        alert = build_map(config.room_name, state, {}, True, state.hub_time).alert
    assert alert == f"Tech Station: kiosk paired with {socket.gethostname()} (127.0.0.1)."


def test_a_code_spent_by_wrong_tries_is_told_on_the_hubs_screen(secure, capsys):
    config, _ = secure
    with running_hub(config):
        code = code_for(config, "tech", capsys)
        wrong = "2222-2222" if code != "2222-2222" else "3333-3333"
        asker = TestClient(config.broker.port, reply_topic("guesser"), account=(PAIRING_ACCOUNT, PAIRING_PASSWORD))
        for attempt in range(3):
            side = KioskSide("tech", wrong, board="laptop-7", address="10.0.0.99")
            asker.publish(request_topic("guesser"), side.request())
            eventually(lambda answers=attempt + 1: len(asker.messages) == answers, 5, "the hub's answer")
        asker.close()
        state = state_of(config)
        alert = build_map(config.room_name, state, {}, True, state.hub_time).alert
    assert alert == ("Tech Station: pairing code spent by wrong tries (the last from laptop-7 (10.0.0.99)): "
                     "make a new one.")
