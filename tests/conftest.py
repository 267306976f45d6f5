"""Fixtures on real parts: a private Mosquitto per test, real SQLite files, Kivy rendered offscreen."""
from __future__ import annotations

import os
import shutil
import tempfile
import time
import tomllib
from contextlib import contextmanager
from pathlib import Path

import pytest

_kivy_home = tempfile.mkdtemp(prefix="rotation-test-kivy-")
os.environ["KIVY_HOME"] = _kivy_home
os.environ.setdefault("XDG_CACHE_HOME", _kivy_home)
from edge import kivy_env  # noqa: E402

kivy_env.prepare(headless=True)

from edge.broker_setup import CONF_FILE, PASSWD_FILE, read_password, write_broker_files  # noqa: E402
from rotation.broker import PrivateBroker, free_port  # noqa: E402
from shared.cards import CardKeys, public_key, sign_token, signing_key_file_text  # noqa: E402
from shared.config import load_config  # noqa: E402
from shared.pin import Cost, hash_pin  # noqa: E402
from tests.mqtt_client import TestClient  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "assets" / "sample"
SAMPLE_ROSTER = "sample-roster.csv"
SECRET = bytes.fromhex("5ec2e75ec2e75ec2e75ec2e75ec2e75ec2e75ec2e75ec2e75ec2e75ec2e70001")
CARD_KEY = bytes.fromhex("ca4d5ca4d5ca4d5ca4d5ca4d5ca4d5ca4d5ca4d5ca4d5ca4d5ca4d5ca4d50001")  # the hub's, signs cards
CARD_KEYS = CardKeys(public_key(CARD_KEY))  # what checks them, as a kiosk holds it


def pytest_addoption(parser):
    parser.addoption("--long", action="store_true", help="also run the long fault and fuzz runs")


def pytest_configure(config):
    from hypothesis import settings

    settings.register_profile("long", max_examples=10_000, deadline=None)
    # Hypothesis' own number per property: the fast tests stay under 10 s; the long runs go a hundred times deeper.
    settings.register_profile("normal", max_examples=100, deadline=None)
    # Against each mutant (scripts/mutation.sh): the examples that find a changed rule come in the first few
    # dozen, and 200 of each property made a run of thousands of mutants take hours. The same examples each time:
    # whether a mutant is killed does not depend on the draw, so two runs give the same table.
    settings.register_profile("mutation", max_examples=25, deadline=None, derandomize=True)
    under_mutation = "MUTANT_UNDER_TEST" in os.environ
    settings.load_profile("long" if config.getoption("--long") else "mutation" if under_mutation else "normal")


# Tests of the pure code (no broker, no processes, no screen): `pytest -m pure` runs them alone in seconds, and
# mutation testing (scripts/mutation.sh) runs them against each mutant. Listed in pyproject.toml.
_MUTATION = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["mutmut"]
PURE_MODULES = {Path(path).stem for path in _MUTATION["pytest_add_cli_args_test_selection"]}


def pytest_ignore_collect(collection_path, config):
    """`-m pure` does not import the other test files (Kivy, a broker's helpers): seconds saved on every run."""
    if (config.getoption("markexpr") == "pure" and collection_path.suffix == ".py"
            and collection_path.name.startswith("test_") and collection_path.stem not in PURE_MODULES):
        return True
    return None


FAULTS = Path(__file__).parent / "faults"


def pytest_collection_modifyitems(config, items):
    for item in items:
        if item.module.__name__.rsplit(".", 1)[-1] in PURE_MODULES:
            item.add_marker(pytest.mark.pure)
        if FAULTS in item.path.parents:
            item.add_marker(pytest.mark.alone)
    if config.getoption("--long"):
        return
    skip = pytest.mark.skip(reason="long run: use --long")
    for item in items:
        if "long" in item.keywords:
            item.add_marker(skip)


def eventually(predicate, timeout: float = 5.0, message: str = "condition"):
    """Wait for a condition another thread brings about; return its value."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:g} s waiting for {message}")
        time.sleep(0.005)


def tap(screen, label: str) -> None:
    """A finger on the kiosk question's button with this label, once it is laid out where the student sees it."""
    from kivy.base import EventLoop
    from kivy.tests.common import UnitTestTouch

    for _ in range(3):
        EventLoop.idle()
    button = next(b for b in screen.ids.choices.children if b.text.endswith(label))
    touch = UnitTestTouch(*button.to_window(*button.center))
    touch.touch_down()
    touch.touch_up()


@pytest.fixture
def chromium():
    playwright_api = pytest.importorskip("playwright.sync_api")
    with playwright_api.sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path="/usr/bin/chromium", headless=True)
        yield browser
        browser.close()


def pump(predicate, timeout: float = 5.0, message: str = "the screen to change"):
    """Run Kivy frames until the condition holds: what a user would see on the next frames."""
    from kivy.base import EventLoop

    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:g} s waiting for {message}")
        EventLoop.idle()
    return True


def press(find) -> None:
    """A finger on the widget ``find()`` returns, once the screen is laid out where a user sees it (found
    after the frames, since a redraw may have replaced the widget)."""
    from kivy.base import EventLoop
    from kivy.tests.common import UnitTestTouch

    for _ in range(3):
        EventLoop.idle()
    widget = find()
    touch = UnitTestTouch(*widget.to_window(*widget.center))
    touch.touch_down()
    touch.touch_up()


@pytest.fixture
def serial_wire():
    """A pseudo-terminal for a serial QR scanner: (the end the scanner hardware drives, the device path the
    kiosk opens)."""
    import tty

    master, slave = os.openpty()
    tty.setraw(slave)
    yield master, os.ttyname(slave)
    os.close(master)
    os.close(slave)


@pytest.fixture
def broker(tmp_path):
    with PrivateBroker(tmp_path / "broker") as running:
        yield running


def write_room(directory: Path, port: int, broker_lines: str = "", **hub: object) -> Path:
    (directory / "class.secret").write_text(SECRET.hex())
    write_card_key(directory)
    shutil.copyfile(SAMPLE / "roster.csv", directory / SAMPLE_ROSTER)  # the hub's copy: deleting a student edits it
    hub_lines = "\n".join(f"{k} = {str(v).lower() if isinstance(v, bool) else v}" for k, v in hub.items())
    stations = (SAMPLE / "room.toml").read_text().split("[[station]]", 1)[1]
    path = directory / "room.toml"
    path.write_text(f"""
[room]
id = "room-12"
name = "Room 12"
secret_file = "class.secret"
roster = "{SAMPLE_ROSTER}"
[broker]
port = {port}
{broker_lines}
[hub]
database = "hub.db"
{hub_lines}
[kiosk]
outbox = "outbox.db"
[[station]]{stations}""")
    return path


@pytest.fixture
def secure(tmp_path):
    """The sample room on a broker with accounts: (config, broker)."""
    port = free_port()
    config = load_config(write_room(tmp_path, port, 'accounts = "broker"'))
    write_broker_files(config, config.broker.accounts, port=port, bind="127.0.0.1")
    with PrivateBroker(tmp_path / "mosquitto", port=port, listeners=(config.broker.accounts / CONF_FILE).read_text(),
                       reload_on=config.broker.accounts / PASSWD_FILE) as broker:
        yield config, broker


@contextmanager
def tls_room(tmp_path, clients_use_tls: bool):
    """The sample room on a broker with accounts, a plain port on loopback and a TLS port under a CA made for
    the room: (config, TLS files, TLS port). The config's clients use the TLS port or the plain one."""
    from edge.tls import ensure_tls

    port, tls_port = free_port(), free_port()
    lines = f'accounts = "broker"{chr(10)}tls = true{chr(10)}ca_file = "broker/ca.crt"' if clients_use_tls else \
        'accounts = "broker"'
    config = load_config(write_room(tmp_path, tls_port if clients_use_tls else port, lines))
    tls = ensure_tls(config.broker.accounts, ["localhost", "127.0.0.1"], config.room_id)
    write_broker_files(config, config.broker.accounts, port=port, tls=tls, tls_port=tls_port)
    with PrivateBroker(tmp_path / "mosquitto", port=port, listeners=(config.broker.accounts / CONF_FILE).read_text(),
                       reload_on=config.broker.accounts / PASSWD_FILE):
        yield config, tls, tls_port


def login(config, account: str, *topics: str) -> TestClient:
    client = TestClient(config.broker.port, *topics, account=(account, read_password(config.broker.accounts, account)))
    assert client.refused is None, client.refused
    return client


@pytest.fixture
def room(tmp_path, broker):
    """The sample room's config, pointing at this test's broker and files."""
    return load_config(write_room(tmp_path, broker.port))


def room_changed(directory: Path, port: int, old: str, new: str) -> Path:
    """The sample room's config file with one piece of it written otherwise (``old`` replaced by ``new``)."""
    path = write_room(directory, port)
    text = path.read_text()
    assert old in text, f"the sample room has no {old!r} to change"
    path.write_text(text.replace(old, new, 1))
    return path


@contextmanager
def running_hub(config):
    """The real hub service for the room, in this process, started and stopped around the block."""
    from hub.service import HubService

    service = HubService(config)
    service.start()
    try:
        # A command or event sent before the hub's subscription is in place would never reach it.
        assert service.subscribed.wait(10), "the hub did not subscribe"
        yield service
    finally:
        service.stop()


@pytest.fixture
def hub(room):
    with running_hub(room) as service:
        yield service


def write_card_key(directory: Path) -> None:
    """The hub's key that signs cards, where a room file finds it by default (card.key beside it)."""
    (directory / "card.key").write_text(signing_key_file_text(CARD_KEY))


def card(student_id: str, version: int = 1, key: bytes = CARD_KEY) -> str:
    """A card as the hub prints it (with ``key``, another's: a forgery)."""
    return sign_token(key, student_id, version)


QUICK_PIN_COST = Cost(n=2 ** 4, r=8, p=1)  # 2 KiB: checked in well under a millisecond


def pin_verifier(pin: str) -> str:
    """A teacher PIN's verifier as `rotation pin` makes it but cheap to check (shared.pin.hash_pin's ``cost``, the
    one seam): the room's cost takes 0.4 s a check here, which tests/security/test_teacher_pin.py measures."""
    return hash_pin(pin, cost=QUICK_PIN_COST)


@pytest.fixture
def kivy_window():
    from kivy.base import EventLoop
    from kivy.core.window import Window

    EventLoop.ensure_window()
    yield Window
    Window.clear_widgets() if hasattr(Window, "clear_widgets") else None
    for child in list(Window.children):
        Window.remove_widget(child)


def pytest_sessionfinish(session, exitstatus):
    shutil.rmtree(_kivy_home, ignore_errors=True)


@contextmanager
def map_on_screen(config, window):
    """The teacher's room map on screen (1280x720), following the room through its own MQTT link."""
    from hub.display import DisplayPresenter, RoomMapScreen
    from hub.display_link import DisplayLink

    link = DisplayLink(config)
    screen = RoomMapScreen(size=(1280, 720))
    window.size = (1280, 720)
    window.add_widget(screen)
    presenter = DisplayPresenter(link, screen)
    link.start()
    try:
        yield link, screen, presenter
    finally:
        presenter.close()
        link.stop()
        window.remove_widget(screen)


@contextmanager
def kiosk_on_screen(config, station: str, window, outbox: Path, now=time.time):
    """A station's kiosk screen (800x480) with its core started, once it has the room's state."""
    from kiosk.app import KioskPresenter, KioskScreen
    from kiosk.core import KioskCore

    core = KioskCore(config, station, outbox, now=now)
    screen = KioskScreen(size=(800, 480))
    window.size = (800, 480)
    window.add_widget(screen)
    presenter = KioskPresenter(core, screen)
    core.start()
    try:
        eventually(lambda: core.state is not None, message="the room state")
        yield screen, core, presenter
    finally:
        presenter.close()
        core.stop()
        window.remove_widget(screen)


@pytest.fixture
def nook(room, tmp_path, kivy_window, hub):
    """The reading nook's kiosk on screen; its clock can be moved on (``later["by"]``), as if minutes passed."""
    later = {"by": 0.0}
    with kiosk_on_screen(room, "reading-nook", kivy_window, tmp_path / "outbox.db",
                         now=lambda: time.time() + later["by"]) as (screen, core, presenter):
        yield screen, core, presenter, later


@pytest.fixture
def display(room, kivy_window):
    with map_on_screen(room, kivy_window) as shown:
        yield shown


PERIODS = """id,first_name,last_name,class,group
s01,Maya,Rivera,Period 2,red
s02,Liam,Chen,Period 2,red
s04,Ava,Diaz,Period 2,blue
s01,Maya,Rivera,Period 3,green
s03,Noah,Kim,Period 3,green
s05,Zoë,Ng,Period 3,gold
"""


def room_with(tmp_path, port: int, roster_line: str, extra: str = ""):
    """The sample room with another roster (and ``extra`` lines after it), loaded."""
    return load_config(room_changed(tmp_path, port, f'roster = "{SAMPLE_ROSTER}"', roster_line + extra))


@pytest.fixture
def board(tmp_path, broker, kivy_window):
    """Two classes in the room, the hub running Period 2, and the display on the wall (1280x720)."""
    from hub.service import HubService

    (tmp_path / "periods.csv").write_text(PERIODS)
    config = room_with(tmp_path, broker.port, 'roster = "periods.csv"')
    hub = HubService(config)
    hub.start()
    assert hub.subscribed.wait(10)
    try:
        with map_on_screen(config, kivy_window) as (link, screen, presenter):
            pump(lambda: link.state is not None and screen.round_text.startswith("Not started"), message="the room")
            yield hub, screen, presenter
    finally:
        hub.stop()
