"""The `rotation` command as a user types it."""
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from rotation.cli import build_parser, main
from shared.cards import CardClaim, sign_token, verify_token
from shared.config import load_config
from tests.conftest import CARD_KEY, CARD_KEYS, write_room

SUBCOMMANDS = [["hub", "serve"], ["hub", "display"], ["hub", "command"], ["kiosk"], ["kiosk", "scanners"],
               ["demo"], ["card"],
               ["broker", "setup"], ["student", "export"], ["student", "delete"], ["secret"], ["card-key"], ["pin"],
               ["check-config"]]


@pytest.mark.parametrize("words", SUBCOMMANDS, ids=" ".join)
def test_every_subcommand_has_help(words, capsys):
    with pytest.raises(SystemExit) as exit_:
        build_parser().parse_args([*words, "--help"])
    assert exit_.value.code == 0
    assert "usage: rotation " + " ".join(words) in capsys.readouterr().out


def test_a_broken_config_is_named_with_its_key_and_the_exit_code_says_so(tmp_path, capsys):
    path = write_room(tmp_path, 1883)
    path.write_text(path.read_text().replace("[hub]", "[hub]\nround_minutes = -3"))
    assert main(["hub", "serve", "--config", str(path)]) == 2
    assert f"rotation: {path}: [hub] round_minutes = -3: must be a number from 0.1 to 240" in capsys.readouterr().err


def test_check_config_reports_the_roster_line(tmp_path, capsys):
    roster = tmp_path / "class.csv"
    roster.write_text("id,first_name,last_name\ns1,Ana,Ortiz\ns1,Ben,Ng\n")
    path = write_room(tmp_path, 1883)
    path.write_text(path.read_text().replace('roster = "', f'roster = "{roster}"\n# ', 1))
    assert main(["check-config", str(path)]) == 2
    assert "line 3, column 1 (id): 's1' is already in 'Room 12' on line 2" in capsys.readouterr().err


def test_a_card_token_and_its_qr_png(tmp_path, capsys):
    path = write_room(tmp_path, 1883)
    assert main(["card", "--config", str(path), "s05", "--png", str(tmp_path / "s05.png")]) == 0
    token = capsys.readouterr().out.strip()
    assert token.startswith("RS2:s05:1:") and "Sofia" not in token
    assert verify_token(CARD_KEYS, token) == CardClaim("s05", 1)  # signed with the hub's key, beside the room file
    assert (tmp_path / "s05.png").read_bytes().startswith(b"\x89PNG")


def test_a_new_card_key_is_a_key_file_the_room_reads(tmp_path, capsys):
    """What the installer does once on the hub: rotation card-key > card.key."""
    path = write_room(tmp_path, 1883)
    assert main(["card-key"]) == 0
    (tmp_path / "card.key").write_text(capsys.readouterr().out)
    config = load_config(path)
    assert config.signing_key != CARD_KEY and verify_token(config.card_keys, sign_token(config.signing_key, "s05"))


def processes_mentioning(text: str) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and int(entry.name) != os.getpid():
            try:
                if text in (entry / "cmdline").read_bytes().decode(errors="replace"):
                    found.append(int(entry.name))
            except OSError:
                pass
    return found


def test_the_demo_teacher_ends_a_lesson_in_its_last_seconds_by_the_hubs_time_now_not_the_last_states():
    from msgspec.structs import replace

    from rotation.demo_teacher import last_round_ending
    from tests.test_display import STATE

    clock = replace(STATE.clock, round=2, rounds=2, running=True, ends_at=1000.0)
    state = replace(STATE, clock=clock, hub_time=990.0)  # published as the round began; nothing changed since
    assert not last_round_ending(state, 990.0)
    assert last_round_ending(state, 998.0)


def test_the_demo_piped_into_a_reader_that_goes_away_still_stops_everything(tmp_path):
    """`rotation demo | head`: its last lines meet a closed pipe; its eight processes stopped all the same (they
    were left running, the map drawing at 12 % of a core)."""
    demo_dir = tmp_path / "demo"
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "SDL_VIDEODRIVER")}
    demo = subprocess.Popen([sys.executable, "-m", "rotation.cli", "demo", "--dir", str(demo_dir), "--duration",
                             "3"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env)
    assert demo.stdout is not None
    assert demo.stdout.readline().startswith("Rotation Station demo running")
    assert len(processes_mentioning(str(demo_dir))) >= 8
    demo.stdout.close()  # `head -1` has its line and goes
    demo.wait(60)
    assert processes_mentioning(str(demo_dir)) == []


def test_the_demo_runs_whole_lessons_every_feature_moves_within_a_minute_and_ctrl_c_stops_everything(tmp_path):
    demo_dir = tmp_path / "demo"
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "SDL_VIDEODRIVER")}
    demo = subprocess.Popen([sys.executable, "-m", "rotation.cli", "demo", "--dir", str(demo_dir),
                             "--round-seconds", "8"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            env=env)
    try:
        banner = [demo.stdout.readline() for _ in range(11)]
        started = time.monotonic()
        assert any("no screen attached: running headless" in line for line in banner), banner
        assert banner[-1].startswith("Press Ctrl-C to stop everything.")

        def stored(sql: str) -> set:
            try:
                with sqlite3.connect(demo_dir / "hub.db") as db:
                    return {row[0] for row in db.execute(sql)}
            except sqlite3.OperationalError:
                return set()
        kinds = "SELECT DISTINCT kind FROM events WHERE accepted = 1"
        while "checkin" not in stored(kinds):
            assert time.monotonic() - started < 10, "the map did not move within 10 s of the banner"
            assert demo.poll() is None
            time.sleep(0.05)
        snapshot = demo_dir / "room-map.png"
        while not snapshot.exists():
            assert time.monotonic() - started < 15, "no PNG of the map was written"
            time.sleep(0.1)
        assert len(processes_mentioning(str(demo_dir))) >= 8  # broker, hub, display, web and four kiosks
        web = next(line for line in banner if line.lstrip().startswith("web "))
        url, login = web.split()[1], web.rsplit("log in as ", 1)[1].split(" / ")
        form = None
        while form is None:  # the web companion answers, and the demo teacher's login works
            assert time.monotonic() - started < 20, "the web companion did not answer"
            try:
                with httpx.Client(base_url=url) as client:
                    form = client.get("/login")
                    csrf = form.text.split('name="csrf" value="')[1].split('"')[0]
                    answer = client.post("/login", data={"csrf": csrf, "name": login[0], "password": login[1].strip()})
                    assert answer.status_code == 303 and "Room 12" in client.get("/").text
            except httpx.TransportError:
                form = None
                time.sleep(0.2)
        # Choices and goals, calls for help, the out-of-room pass, a round change with passing time, then End's
        # last exit tickets and the other class's lesson.
        features = {"checkin", "choice", "goal", "help", "out", "seated", "exit_ticket"}
        while not features <= stored(kinds):
            assert time.monotonic() - started < 60, f"within a minute, the demo showed only {stored(kinds)}"
            assert demo.poll() is None
            time.sleep(0.5)
        while stored("SELECT class_id FROM sessions") != {"period-2", "period-3"}:
            assert time.monotonic() - started < 90, "the demo did not go on to the other class"
            time.sleep(0.5)
        assert stored("SELECT DISTINCT student FROM events WHERE student = 's07'") == set()  # off sick
        assert list((demo_dir / "reports").glob("* period-2/summary.png"))  # the first lesson's report
    finally:
        demo.send_signal(signal.SIGINT)
        output = demo.communicate(timeout=30)[0]
    assert demo.returncode == 0, output
    assert output.strip().endswith("Stopped.")
    assert processes_mentioning(str(demo_dir)) == []


def test_a_second_kiosk_on_the_same_outbox_is_refused_with_a_clear_message(tmp_path, room, capsys):
    from kiosk.outbox import Outbox

    first = Outbox(tmp_path / "outbox.db")
    try:
        code = main(["kiosk", "--simulate", "--config", str(room.path), "--station", "tech",
                     "--outbox", str(tmp_path / "outbox.db")])
    finally:
        first.close()
    assert code == 2
    assert "outbox.db is in use by another kiosk" in capsys.readouterr().err
    Outbox(tmp_path / "outbox.db").close()  # and free again once the first one has closed it


def test_a_room_whose_plan_cannot_keep_the_rules_is_refused_with_the_reason(tmp_path, capsys):
    path = write_room(tmp_path, 1883)
    path.write_text(path.read_text().replace('id = "reading-nook"', 'id = "reading-nook"\ncapacity = 5'))
    assert main(["check-config", str(path)]) == 2
    assert (f"rotation: {path}: no rotation plan keeps every rule: group otters has 6 students but Reading "
            "Nook has room for 5" in capsys.readouterr().err)
    assert main(["hub", "serve", "--config", str(path)]) == 2
    assert "group otters has 6 students" in capsys.readouterr().err
