"""The shared package stays pure: the protocol can be used by a client that has no MQTT, SQLite or Kivy."""
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
