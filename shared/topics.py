"""MQTT topic names under ``rotation/v1/<room>/`` and their parsing."""
from __future__ import annotations

import re
from dataclasses import dataclass

ROOT = "rotation/v1"
NAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")


def check_name(value: object, what: str) -> str:
    """Room and station ids go into topic names, so they are kept to a safe alphabet."""
    if not isinstance(value, str) or not NAME_PATTERN.match(value):
        raise ValueError(f"{what} {value!r} must be 1-40 of a-z, 0-9, '-' or '_', starting with a letter or digit")
    return value


# Pairing a new kiosk (shared/pairing.py) happens before it knows the room: its topics sit outside any room,
# named by a name the asking kiosk picks at random, the only topics the broker's public ``pairing`` account may use.
PAIR_PREFIX = f"{ROOT}/pair"
PAIRING_ACCOUNT = "pairing"
PAIRING_PASSWORD = "pairing"  # public on purpose: the account can only ask to pair


TERMINAL_ACCOUNT = "terminal"  # the teacher's commands typed on the hub (`rotation hub skip ...`), and the demo's


def kiosk_account(station: str) -> str:
    """The broker account of a station's kiosk (edge/broker_setup.py gives it its topics)."""
    return f"kiosk-{station}"


def hub_client(room: str) -> str:
    """The hub's MQTT client id: one per room, so a second hub's connection takes the first's place (with
    accounts, the broker names every client after its account: ``hub``, to the same effect)."""
    return f"rotation-hub-{room}"


def pair_request_topic(asker: str) -> str:
    return f"{PAIR_PREFIX}/{asker}/request"


def pair_reply_topic(asker: str) -> str:
    return f"{PAIR_PREFIX}/{asker}/reply"


def pairing_asker(topic: str) -> str | None:
    """The asker's name in a pairing request's topic, or None for any other topic."""
    parts = topic.split("/")
    if len(parts) == 5 and "/".join(parts[:3]) == PAIR_PREFIX and parts[4] == "request" \
            and NAME_PATTERN.match(parts[3]):
        return parts[3]
    return None


@dataclass(frozen=True)
class Topics:
    room: str

    def __post_init__(self) -> None:
        check_name(self.room, "room id")

    @property
    def base(self) -> str:
        return f"{ROOT}/{self.room}"

    def kiosk_status(self, station: str = "+") -> str:
        return f"{self.base}/kiosk/{station}/status"

    def kiosk_event(self, station: str = "+") -> str:
        return f"{self.base}/kiosk/{station}/event"

    def path_request(self, station: str = "+") -> str:
        """A kiosk asks for the path of the student at its screen ("My path")."""
        return f"{self.base}/kiosk/{station}/path"

    def path(self, station: str) -> str:
        """The hub's answer to a path request: that kiosk alone reads it."""
        return f"{self.base}/hub/path/{station}"

    def ack(self, station: str) -> str:
        return f"{self.base}/hub/ack/{station}"

    def pick_answer(self, station: str) -> str:
        """The hub's answers to a station's picks in a choice round: that kiosk's alone."""
        return f"{self.base}/hub/pick/{station}"

    def view(self, station: str) -> str:
        """The room as one station's kiosk sees it: the state, less what is not that station's business."""
        return f"{self.base}/hub/view/{station}"

    @property
    def hub_status(self) -> str:
        return f"{self.base}/hub/status"

    @property
    def hub_claim(self) -> str:
        """A hub about to serve the room says so here: hubs only."""
        return f"{self.base}/hub/claim"

    @property
    def state(self) -> str:
        return f"{self.base}/state"

    @property
    def summary(self) -> str:
        """What a school sees of the room (counts, no names), bridged to the school's broker."""
        return f"{self.base}/summary"

    @property
    def presence(self) -> str:
        return f"{self.base}/presence"

    @property
    def command(self) -> str:
        return f"{self.base}/hub/command"

    def reply(self, client: str = "+") -> str:
        return f"{self.base}/hub/reply/{client}"

    def parse(self, topic: str) -> tuple[str, str | None]:
        """Return (kind, station-or-client) for a topic of this room, or raise ValueError."""
        prefix = self.base + "/"
        if not topic.startswith(prefix):
            raise ValueError(f"topic not under {prefix}: {topic!r}")
        parts = topic[len(prefix):].split("/")
        match parts:
            case ["kiosk", station, ("status" | "event") as kind] if NAME_PATTERN.match(station):
                return f"kiosk_{kind}", station
            case ["kiosk", station, "path"] if NAME_PATTERN.match(station):
                return "path_request", station
            case ["hub", "ack", station] if NAME_PATTERN.match(station):
                return "ack", station
            case ["hub", "path", station] if NAME_PATTERN.match(station):
                return "path", station
            case ["hub", "view", station] if NAME_PATTERN.match(station):
                return "view", station
            case ["hub", "pick", station] if NAME_PATTERN.match(station):
                return "pick_answer", station
            case ["hub", "reply", client] if NAME_PATTERN.match(client):
                return "reply", client
            case ["hub", "status"]:
                return "hub_status", None
            case ["hub", "claim"]:
                return "hub_claim", None
            case ["hub", "command"]:
                return "command", None
            case ["state"]:
                return "state", None
            case ["presence"]:
                return "presence", None
        raise ValueError(f"unknown topic: {topic!r}")
