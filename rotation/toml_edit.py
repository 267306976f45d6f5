"""Setting a few keys in a TOML file a person wrote, keeping everything else (comments, order, spacing) as
it was: the installer points a room config at the board's folders this way. Only plain ``key = value``
lines under ``[section]`` headers are touched, which is how every room config is written."""
from __future__ import annotations

import re
import tomllib
from typing import Any

from shared.toml_literal import toml_value

_HEADER = re.compile(r"^\s*\[\s*([A-Za-z0-9_-]+)\s*\]\s*(#.*)?$")
_ANY_HEADER = re.compile(r"^\s*\[")


def _key_of(line: str) -> str | None:
    match = re.match(r"^\s*([A-Za-z0-9_-]+)\s*=", line)
    return match.group(1) if match else None


def set_keys(text: str, changes: dict[str, dict[str, Any]]) -> str:
    """``text`` with ``changes[section][key] = value`` set: a key already there has its line replaced, a
    missing key goes right under its section's header, a missing section is added at the end."""
    lines = text.splitlines()
    for section, values in changes.items():
        for key, value in values.items():
            lines = _set_key(lines, section, key, f"{key} = {toml_value(value)}")
    result = "\n".join(lines) + "\n"
    tomllib.loads(result)  # never hand back a file that no longer parses
    return result


def _set_key(lines: list[str], section: str, key: str, new_line: str) -> list[str]:
    header = next((i for i, line in enumerate(lines)
                   if (match := _HEADER.match(line)) and match.group(1) == section), None)
    if header is None:
        return [*lines, "", f"[{section}]", new_line]
    end = next((i for i in range(header + 1, len(lines)) if _ANY_HEADER.match(lines[i])), len(lines))
    for i in range(header + 1, end):
        if _key_of(lines[i]) == key:
            return [*lines[:i], new_line, *lines[i + 1:]]
    return [*lines[:header + 1], new_line, *lines[header + 1:]]
