"""What the kiosk screen shows, as plain data: the Kivy widget only copies these fields. Pure."""
from __future__ import annotations

from dataclasses import dataclass, replace

from kiosk.decide import Decision
from kiosk.moves import Move
from kiosk.prompts import Colour, Option, Prompt
from shared.clock import Phase, format_left, format_left_for_students

SHOW_SECONDS = 5.0
PAUSED = "Paused"  # in the clock's place while the teacher has paused the lesson
ENDING = "Ending"  # in the clock's place while the last exit tickets come in
WARNING_INK: Colour = (1.0, 0.80, 0.25, 1)  # the clock in the round's last minute
PROMPT_SECONDS = 20.0  # a question left unanswered goes away: the student has walked off
MOVE_SECONDS = 60.0  # the "time to move" list stays up while the room changes over
MOVE_LINES = 6  # what fits in large letters on a 7" screen; the rest are told to look at the map
COLOURS: dict[str, Colour] = {
    "move": (0.11, 0.33, 0.72, 1),
    "prompt": (0.05, 0.40, 0.42, 1),
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
    colour: Colour = COLOURS["idle"]
    clock: str = ""
    status: str = ""
    outcome: str = "idle"
    help: str = "I need help"  # the button; while a call waits it says so and cannot be pressed again
    help_waiting: bool = False
    options: tuple[Option, ...] = ()  # the buttons of a question
    skippable: bool = False
    clock_ink: Colour = (1, 1, 1, 1)
    can_go_out: bool = False  # a student is on screen: the out-of-room pass is offered


THANKS = Decision("thanks", "Thank you!", "Your teacher will see it.")


class KioskView:
    def __init__(self, station_name: str) -> None:
        self.station_name = station_name
        self._decision: Decision | None = None
        self._shown_at = 0.0
        self.prompt: Prompt | None = None
        self._asked_at = 0.0
        self._moves: list[Move] = []
        self._moves_at = 0.0
        self._round: int | None = None
        self.clock = ""
        self.clock_ink: Colour = (1, 1, 1, 1)
        self.phase: Phase = "idle"
        self.status = ""
        self.help_waiting = False

    def show(self, decision: Decision, now: float) -> None:
        self._decision, self._shown_at = decision, now
        self.prompt = None  # a new scan is a new student

    def decision_on_screen(self) -> Decision | None:
        """The scan whose student is on screen (with a question after it, too)."""
        if self.prompt is not None:
            p = self.prompt
            return Decision("welcome", p.name, "", p.student_id, p.name, p.card)
        return self._decision if self._decision is not None and self._decision.student_id is not None else None

    def card_on_screen(self) -> str | None:
        """The card of the student whose name is on screen: pressing "I need help" then is that student."""
        if self.prompt is not None:
            return self.prompt.card
        if self._decision is not None and self._decision.student_id is not None:
            return self._decision.card
        return None

    def ask(self, prompt: Prompt | None, now: float) -> None:
        self.prompt, self._asked_at = prompt, now

    def answered(self, following: Prompt | None, now: float) -> None:
        """After a tap: the next question, or thanks."""
        if following is not None:
            self._decision = None  # the greeting has been seen: the question stands on its own
            self.ask(following, now)
        else:
            self.show(THANKS, now)

    def round_is(self, round_number: int, moves: list[Move], now: float) -> bool:
        """Follow the round; True when a new one has just begun and this station's students must move (the
        screen then lists them, and the kiosk chimes). The first round seen after starting up is not news."""
        previous, self._round = self._round, round_number
        if previous is None or previous == round_number or not previous or not round_number or not moves:
            return False
        self._moves, self._moves_at = moves, now
        self._decision = self.prompt = None  # the last greeting gives way at once; a scan still shows over it
        return True

    def update(self, now: float, time_left: float | None, connected: bool, hub_online: bool,
               scanner_ok: bool = True, help_waiting: bool = False, storage_full: bool = False,
               phase: Phase = "working", moving: float | None = None) -> None:
        """``phase``: shared.clock.phase; ``moving``: the passing time left, while it lasts."""
        self.help_waiting = help_waiting
        if self._decision is not None and now - self._shown_at >= SHOW_SECONDS:
            self._decision = None
        if self.prompt is not None and now - self._asked_at >= PROMPT_SECONDS:
            self.prompt = None
        if self._moves and now - self._moves_at >= MOVE_SECONDS:
            self._moves = []
        self.phase = phase
        self.clock = (PAUSED if phase == "paused" else ENDING if phase == "closing"
                      else f"Move {format_left(moving)}" if phase == "passing" and moving is not None
                      else format_left_for_students(time_left))
        self.clock_ink = WARNING_INK if phase in ("warning", "over", "passing") else (1, 1, 1, 1)
        if not scanner_ok:
            self.status = "The card scanner is not connected: please tell your teacher"
        elif storage_full and not (connected and hub_online):
            self.status = "This kiosk's storage is full and the hub is out of reach: please tell your teacher now"
        elif storage_full:
            self.status = "This kiosk's storage is full: check-ins still reach the hub. Please tell your teacher"
        elif not connected:
            self.status = "Offline: check-ins are saved here and sent when the network is back"
        elif not hub_online:
            self.status = "Waiting for the teacher's hub: check-ins are saved"
        else:
            self.status = ""

    def model(self) -> KioskScreenModel:
        decision = self._decision
        if self.prompt is not None:
            p = self.prompt
            title, detail = (decision.title, f"{decision.detail} {p.question}") if decision else (p.title, "Tap one.")
            model = KioskScreenModel(self.station_name, title, detail, COLOURS["prompt"], self.clock, self.status,
                                     f"ask:{p.kind}", options=p.options, skippable=p.skippable)
        elif decision is None and self._moves:
            model = self._moves_model()
        elif decision is None and self.phase == "closing":
            model = KioskScreenModel(self.station_name, "Last exit tickets", "Scan your card: how did it go today?",
                                     COLOURS["prompt"], self.clock, self.status)
        elif decision is None and self.phase == "passing":
            model = KioskScreenModel(self.station_name, "Time to move!", "Go to your station and scan your card.",
                                     COLOURS["move"], self.clock, self.status, "move")
        elif decision is None:
            model = KioskScreenModel(self.station_name, clock=self.clock, status=self.status)
        else:
            colour = (COLOURS["good"] if decision.good else
                      COLOURS["elsewhere"] if decision.outcome in ("elsewhere", "other_class") else COLOURS["problem"])
            model = KioskScreenModel(self.station_name, decision.title, decision.detail, colour, self.clock,
                                     self.status, decision.outcome)
        on_screen = self.decision_on_screen()
        model = replace(model, clock_ink=self.clock_ink, can_go_out=on_screen is not None and on_screen.may_go_out)
        if self.help_waiting:
            return replace(model, help="Help is on the way", help_waiting=True)
        return model

    def _moves_model(self) -> KioskScreenModel:
        lines = [f"{m.name} \u2013 stay here" if m.stays else f"{m.name} \u2013 go to {m.to}"
                 for m in self._moves[:MOVE_LINES]]
        if len(self._moves) > MOVE_LINES:
            lines.append(f"and {len(self._moves) - MOVE_LINES} more: look at the board")
        return KioskScreenModel(self.station_name, "Time to move!", "\n".join(lines), COLOURS["move"], self.clock,
                                self.status, "move")
