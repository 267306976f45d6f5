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


def test_the_hub_and_kiosk_load_the_pairing_cryptography_only_when_pairing():
    """cryptography's library costs a process about 9 MB; a kiosk never needs it after pairing, a hub rarely."""
    code = ("import sys\nimport hub.service, kiosk.core, kiosk.app, hub.display\n"
            "print(sorted(m for m in sys.modules if m.split('.')[0] == 'cryptography'))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True,
                            env={**os.environ, "KIVY_NO_ARGS": "1", "SDL_VIDEODRIVER": "offscreen"})
    assert result.stdout.strip().splitlines()[-1] == "[]"
