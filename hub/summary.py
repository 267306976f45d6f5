"""What a school sees of a room: counts, never names or ids. Pure.

The hub publishes it retained on ``rotation/v1/<room>/summary`` when the room has a ``[school]``; the
room's broker bridges it (and only what ``share`` names) to the school's broker.
"""
from __future__ import annotations


def school_summary(snapshot: dict, room_name: str) -> dict:
    """The room snapshot (``Room.snapshot``) as a count of heads per station."""
    clock = snapshot["clock"]
    expected_groups = {s["id"]: set(s["groups"]) for s in snapshot["stations"]}
    here: dict[str, int] = dict.fromkeys(expected_groups, 0)
    for presence in snapshot["presence"].values():
        if presence["station"] in here:
            here[presence["station"]] += 1
    groups = [s.get("group") for s in snapshot["students"].values()]
    return {
        "room": room_name,
        "round": clock["round"], "rounds": clock["rounds"], "running": clock["running"],
        "ends_at": clock["ends_at"], "left": clock["left"],
        "students": len(snapshot["students"]), "checked_in": len(snapshot["presence"]),
        "help_waiting": len(snapshot["help"]),
        "stations": [{"id": s["id"], "name": s["name"], "here": here[s["id"]],
                      "expected": sum(g in expected_groups[s["id"]] for g in groups)}
                     for s in snapshot["stations"]],
    }
