"""Whether the system says its clock has been synchronised to a time server since it booted.

systemd-timesyncd (Raspberry Pi OS's time service) touches ``/run/systemd/timesync/synchronized`` once it has
synchronised (``/run`` is emptied at each boot). timedated (``timedatectl``) reports the kernel's own flag,
which timesyncd and chrony clear once synchronised, and whether a time service is on at all; chrony's
``chronyc tracking`` says "Not synchronised" until it is. Where none of them answers there is no time service
to ask: None, and the hub relies on its stored events alone (hub/retention.py).
"""
from __future__ import annotations

import subprocess
from pathlib import Path

TIMESYNCD_FLAG = Path("/run/systemd/timesync/synchronized")
ASK_SECONDS = 2.0  # a time service that does not answer in this time is taken as absent


def system_clock_synchronised() -> bool | None:
    """True once synchronised since boot, False while a time service runs but is not yet, None with none."""
    if TIMESYNCD_FLAG.exists():
        return True
    timedated = _output(["timedatectl", "show", "--property=NTP", "--property=NTPSynchronized"])
    said = timedated_says(timedated) if timedated is not None else None
    if said is not None:
        return said
    chrony = _output(["chronyc", "-n", "tracking"])
    return chrony_says(chrony) if chrony is not None else None


def timedated_says(output: str) -> bool | None:
    """From ``timedatectl show``: synchronised, a time service on but not synchronised yet, or none it knows."""
    properties = dict(line.split("=", 1) for line in output.splitlines() if "=" in line)
    if properties.get("NTPSynchronized") == "yes":
        return True
    return False if properties.get("NTP") == "yes" else None


def chrony_says(output: str) -> bool | None:
    """From ``chronyc tracking``: its leap status is "Not synchronised" until chrony has synchronised."""
    for line in output.splitlines():
        name, _, value = line.partition(":")
        if name.strip() == "Leap status":
            return value.strip() != "Not synchronised"
    return None


def _output(command: list[str]) -> str | None:
    try:
        result = subprocess.run(command, capture_output=True, text=True, timeout=ASK_SECONDS)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return result.stdout if result.returncode == 0 else None
