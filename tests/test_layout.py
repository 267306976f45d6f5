"""The shared package stays pure: the protocol can be used by a client that has no MQTT, SQLite or Kivy."""
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_shared_imports_no_mqtt_sqlite_or_kivy():
    modules = sorted(p.stem for p in (ROOT / "shared").glob("*.py") if p.stem != "__init__")
    code = ("import sys\n" + "".join(f"import shared.{m}\n" for m in modules) +
            "print(sorted({m.split('.')[0] for m in sys.modules} & {'paho', 'sqlite3', 'sqlite_utils', 'kivy',"
            " 'serial'}))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert result.stdout.strip() == "[]"
    assert len(modules) >= 6


def loaded_at_start(imports: str, *packages: str) -> str:
    """Which of ``packages`` (or modules) a process has loaded after ``imports``."""
    code = f"import sys\nimport {imports}\nprint(sorted(set(sys.modules) & {set(packages)!r}))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True,
                            env={**os.environ, "KIVY_NO_ARGS": "1", "SDL_VIDEODRIVER": "offscreen"})
    return result.stdout.strip().splitlines()[-1]


def test_the_hub_and_kiosk_load_the_pairing_code_only_when_pairing():
    """A kiosk never pairs once paired, a hub rarely. (cryptography itself, about 9 MB, every process now
    loads: it checks the cards' Ed25519 signatures and the teacher's PIN.)"""
    assert loaded_at_start("hub.service, kiosk.core, kiosk.app, hub.display", "shared.pairing", "hub.pairing",
                           "rotation.pair_client") == "[]"


def test_the_kiosk_loads_neither_sqlite_utils_nor_pil():
    """Its outbox is plain SQL and Kivy reads its images through SDL2: together 7 MB a kiosk does without."""
    assert loaded_at_start("kiosk.core, kiosk.app", "sqlite_utils", "click", "PIL") == "[]"


def test_a_kiosk_started_by_the_rotation_command_loads_no_hub_or_web_code():
    """`rotation kiosk` is the hub's command too: the hub's modules stay out of the kiosk's memory (1.2 MB)."""
    assert loaded_at_start("rotation.cli, kiosk.app", "hub", "web", "babel") == "[]"


def test_a_kiosk_loads_its_teachers_screen_only_when_a_teacher_opens_it():
    assert loaded_at_start("kiosk.app", "kiosk.teacher_panel", "edge.note_popup") == "[]"
