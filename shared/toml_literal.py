"""TOML literals for the values a room config holds: what the installer and pairing write into a config, and
what docs/configuration.md shows as a key's default."""
from __future__ import annotations

import json
from pathlib import PurePath
from typing import Any


def toml_value(value: Any) -> str:
    """A TOML literal for a string (or a path), number, boolean or list of those (JSON's string escapes are
    TOML's)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, (str, PurePath)):
        return json.dumps(str(value), ensure_ascii=False)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(toml_value(item) for item in value) + "]"
    raise TypeError(f"no TOML literal for {value!r}")
