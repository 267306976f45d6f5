"""Two boards with one station's login (a replaced kiosk put back on the network to send its outbox, a card
copied from another board): on a real broker with the room's accounts, they must not push each other off."""
import logging
import shutil
import threading
import time

from edge.broker_setup import new_password
from kiosk.core import KioskCore
from kiosk.one_board import LONGEST_WAIT, REFUSED, SHORT_COUNT, SHORT_SECONDS, TAKEN_OVER, OneBoard
from shared.config import load_config
from tests.conftest import card, eventually

FEW_SECONDS = 3.0
LOST = 0x80  # paho's reason for a connection the broker closed without saying why (Unspecified error)


class Board:
    """A kiosk's board, started, counting the times it logs in to the broker."""

    def __init__(self, config, outbox) -> None:
        self.core = KioskCore(config, "reading-nook", outbox)
        self.logins: list[float] = []
        kiosk_on_connect = self.core.client.on_connect

        def counted(client, userdata, flags, reason_code, properties) -> None:
            if not reason_code.is_failure:
                self.logins.append(time.monotonic())
            kiosk_on_connect(client, userdata, flags, reason_code, properties)

        self.core.client.on_connect = counted

    def start(self) -> "Board":
        self.core.start()
        return self

    def logins_since(self, moment: float) -> int:
        return sum(at >= moment for at in self.logins)


def a_few_seconds() -> float:
    """Let both boards be for a few seconds (what they do meanwhile is what is measured); when it began."""
    since = time.monotonic()
    threading.Event().wait(FEW_SECONDS)
    return since


def test_a_second_board_logged_in_as_the_station_is_not_pushed_off_by_the_first_in_turn(secure, tmp_path):
    config, _ = secure
    first = Board(config, tmp_path / "first.db").start()
    second = None
    try:
        eventually(lambda: first.core.connected, 10, "the first board to log in")
        second = Board(config, tmp_path / "second.db").start()
        eventually(lambda: second.core.connected and first.core.kept_off == "taken_over", 10,
                   "the second board to take the station")
        since = a_few_seconds()
        # Before, each logged in again within 0.2 s of being pushed off: 10-15 times each in 3 s.
        assert (first.logins_since(since), second.logins_since(since)) == (0, 0)
        assert second.core.connected and not first.core.connected and first.core.kept_off == "taken_over"
    finally:
        for board in (first, second):
            if board is not None:
                board.core.stop()


def test_a_replaced_board_switched_on_after_its_successor_was_paired_keeps_away_and_its_check_ins(
        secure, tmp_path, caplog):
    config, _ = secure
    old_files = tmp_path / "old-board"  # the broken kiosk's card: the room file and the password it was paired with
    shutil.copytree(config.path.parent, old_files, ignore=shutil.ignore_patterns("mosquitto", "old-board"))
    new_password(config.broker.accounts, "kiosk-reading-nook")  # the replacement is paired: a new password
    new = Board(config, tmp_path / "new.db").start()  # refused, then let in, if the broker reloads a moment late
    old = None
    try:
        eventually(lambda: new.core.connected, 15, "the new board to log in")
        old = Board(load_config(old_files / "room.toml"), old_files / "outbox.db")
        old.core.scan(card("s05"))  # scanned on the old board before it broke: never sent
        with caplog.at_level(logging.WARNING, logger="rotation.kiosk"):
            old.start()
            eventually(lambda: old.core.kept_off == "refused", 10, "the old board to be refused")
            since = a_few_seconds()
        assert (old.logins_since(since), new.logins_since(since)) == (0, 0) and new.core.connected
        assert old.core.waiting() == 1  # its check-in is kept, to be delivered as the guide says
        said = caplog.records[-1].getMessage()  # the old board's, once (the new one's came before: see start)
        assert said.startswith("the broker refused kiosk-reading-nook's password: another board has been paired as "
                               "this station's kiosk since") and "--pair-again" in said
    finally:
        for board in (new, old):
            if board is not None:
                board.core.stop()


def test_the_wait_doubles_up_to_ten_minutes_and_starts_over_once_the_station_was_held_that_long():
    board, now, waits = OneBoard(), 0.0, []
    for _ in range(7):
        board.got_in(now)
        now += 1.0
        waits.append(board.lost(TAKEN_OVER, now))
        now += waits[-1]
    assert waits == [30, 60, 120, 240, 480, 600, 600]
    board.got_in(now)
    assert board.lost(TAKEN_OVER, now + LONGEST_WAIT) == 30


def test_without_a_reason_from_the_broker_five_connections_closed_just_after_login_in_10_s_are_taken_over():
    board, now = OneBoard(), 0.0
    assert board.lost(LOST, now) is None  # never got in: the network, not another board
    for _ in range(SHORT_COUNT - 1):
        board.got_in(now)
        assert board.lost(LOST, now + 0.3) is None
        now += 0.5
    board.got_in(now)
    board_kept = board.lost(LOST, now + 0.3)
    assert (board_kept, board.kept_off) == (30, "taken_over")
    board.got_in(now + 31)  # back after keeping away: the next short connection counts at once
    assert board.lost(LOST, now + 31.3) == 60
    board.got_in(now + 100)
    assert board.lost(LOST, now + 100 + SHORT_SECONDS) is None  # held a while: the network, not another board
    board.got_in(now + 200)
    assert board.lost(0, now + 200.1) is None  # this board's own disconnect


def test_a_broker_restarting_every_few_seconds_is_not_another_board():
    """The kill loop's broker, killed and started again 14 times a minute: each drop comes soon after a login,
    but a few seconds apart, never at a fight's pace."""
    board, now = OneBoard(), 0.0
    for _ in range(30):
        board.got_in(now)
        assert board.lost(LOST, now + 1.0) is None
        now += 3.0
    assert board.kept_off is None


def test_a_refused_login_waits_from_five_seconds():
    board = OneBoard()
    assert [board.refused(REFUSED[0], 0.0) for _ in range(3)] == [5, 10, 20] and board.kept_off == "refused"
    assert board.refused(0x80, 0.0) is None  # another failure: paho's own retry
