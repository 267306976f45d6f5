"""What the kiosk screen shows, as plain data: the Kivy widget only copies these fields. Pure."""
from __future__ import annotations

from dataclasses import dataclass

from kiosk.decide import Decision
from shared.clock import format_left_for_students

SHOW_SECONDS = 5.0
COLOURS = {
    "idle": (0.13, 0.19, 0.27, 1),
    "good": (0.16, 0.49, 0.20, 1),
    "elsewhere": (0.80, 0.45, 0.05, 1),
    "problem": (0.45, 0.25, 0.55, 1),
}


@dataclass(frozen=True)
class KioskScreenModel:
    station: str
    title: str = "Show your card"
    detail: str = "Hold your QR card up to the scanner."
    colour: tuple = COLOURS["idle"]
    clock: str = ""
    status: str = ""
    outcome: str = "idle"


class KioskView:
    def __init__(self, station_name: str) -> None:
        self.station_name = station_name
        self._decision: Decision | None = None
        self._shown_at = 0.0
        self.clock = ""
        self.status = ""

    def show(self, decision: Decision, now: float) -> None:
        self._decision, self._shown_at = decision, now

    def update(self, now: float, time_left: float | None, connected: bool, hub_online: bool,
               scanner_ok: bool = True) -> None:
        if self._decision is not None and now - self._shown_at >= SHOW_SECONDS:
            self._decision = None
        self.clock = format_left_for_students(time_left)
        if not scanner_ok:
            self.status = "The card scanner is not connected: please tell your teacher"
        elif not connected:
            self.status = "Offline: check-ins are saved here and sent when the network is back"
        elif not hub_online:
            self.status = "Waiting for the teacher's hub: check-ins are saved"
        else:
            self.status = ""

    def model(self) -> KioskScreenModel:
        decision = self._decision
        if decision is None:
            return KioskScreenModel(self.station_name, clock=self.clock, status=self.status)
        colour = (COLOURS["good"] if decision.good else
                  COLOURS["elsewhere"] if decision.outcome == "elsewhere" else COLOURS["problem"])
        return KioskScreenModel(self.station_name, decision.title, decision.detail, colour, self.clock,
                                self.status, decision.outcome)
