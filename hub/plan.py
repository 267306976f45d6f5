"""Which group is expected at which station in a round: the simple cyclic rotation.

Group *i* starts at station *i* and moves one station on each round, so in a full cycle every group visits
every station once. Stations with no group this round are left empty.
"""
from __future__ import annotations


def cyclic_plan(groups: list[str], stations: list[str], round_number: int) -> dict[str, list[str]]:
    """Map each station id to the group ids expected there in ``round_number`` (1-based)."""
    plan: dict[str, list[str]] = {station: [] for station in stations}
    if not stations:
        return plan
    shift = max(round_number, 1) - 1
    for index, group in enumerate(groups):
        plan[stations[(index + shift) % len(stations)]].append(group)
    return plan
