"""What the kiosk tells a student who shows a card, decided locally from the last state. Pure.

Only a genuine, current card of a known student gets a name on screen; every other outcome is kind and
nameless, so a lost or forged card tells nobody anything.
"""
from __future__ import annotations

from dataclasses import dataclass

from shared.cards import ForgedCard, UnreadableCard, verify_token
from shared.protocol import State


@dataclass(frozen=True)
class Decision:
    outcome: str  # welcome | back | elsewhere | checked_in | checkout | other_class | out | unknown | revoked | forged
    #               | thanks | goodbye (after the last answer, arriving or leaving)
    #               | unreadable
    title: str
    detail: str
    student_id: str | None = None
    name: str | None = None
    card: str | None = None

    @property
    def records_checkin(self) -> bool:
        return self.outcome in ("welcome", "back", "elsewhere", "checked_in")

    @property
    def good(self) -> bool:
        return self.outcome in ("welcome", "back", "checked_in", "checkout", "thanks", "goodbye", "out")

    @property
    def may_go_out(self) -> bool:
        """The student on screen may take the out-of-room pass."""
        return self.student_id is not None and self.outcome in ("welcome", "back", "checked_in", "checkout", "thanks",
                                                                "goodbye")

    @property
    def may_check_out(self) -> bool:
        """The student on screen is checked in here and may say "I'm done"."""
        return self.student_id is not None and self.outcome in ("welcome", "back", "checked_in", "thanks")


UNREADABLE = Decision("unreadable", "Let's try that again", "Hold your card still, about a hand away from the scanner.")
FORGED = Decision("forged", "This card isn't from our class", "Please show it to your teacher.")
UNKNOWN = Decision("unknown", "I don't know this card yet", "Please show it to your teacher.")
REVOKED = Decision("revoked", "This card has been replaced", "Please use your new card, or ask your teacher.")


CHECKOUT_AFTER_SECONDS = 60.0  # scanning again here sooner is a double scan or second thoughts, not leaving


def decide(text: str, secret: bytes, state: State | None, station_id: str, hub_now: float = 0.0) -> Decision:
    try:
        claim = verify_token(secret, text)
    except ForgedCard:
        return FORGED
    except UnreadableCard:
        return UNREADABLE
    if state is None:
        # A genuine card, but no room state yet (the kiosk has never reached the hub): record it, no name.
        return Decision("checked_in", "You're checked in", "Thanks! Your teacher will see you here.",
                        claim.student_id, None, text.strip())
    student = state.students.get(claim.student_id)
    if student is None:
        return _other_class(state, claim.student_id) or UNKNOWN
    if claim.version < student.card:
        return REVOKED
    if claim.version > student.card:
        return UNKNOWN
    expected = state.expected_station(claim.student_id)
    card = text.strip()
    if state.clock.closing_at is not None:  # the lesson is ending: every scan is a last exit ticket
        return Decision("checkout", f"Bye {student.name}", "The lesson is ending.", claim.student_id, student.name,
                        card)
    if claim.student_id in state.out:
        where = "" if expected is None or expected.id == station_id else f" Your group is at {expected.name}."
        return Decision("back", f"Welcome back, {student.name}", f"You're checked in.{where}", claim.student_id,
                        student.name, card)
    if expected is None or expected.id == station_id:
        if _checking_out(state, claim.student_id, station_id, hub_now):
            return Decision("checkout", f"Bye {student.name}", "Thanks for your work here!", claim.student_id,
                            student.name, card)
        detail = "You're in the right place." if expected else "You're checked in."
        return Decision("welcome", f"Hi {student.name}", detail, claim.student_id, student.name, card)
    return Decision("elsewhere", f"{student.name}, your group is at {expected.name}",
                    "Please head over there now.", claim.student_id, student.name, card)


def _other_class(state: State, student_id: str) -> Decision | None:
    """A student of one of the room's other classes: where they belong, without a name (the kiosk knows only
    the running class's names) and without recording anything."""
    theirs, running = state.other_class_of(student_id), state.running_class()
    if theirs is None:
        return None
    here = f"This is {running.name}. " if running else ""
    return Decision("other_class", f"You're in {theirs.name}", f"{here}Please ask your teacher.")


def _checking_out(state: State, student_id: str, station_id: str, hub_now: float) -> bool:
    """Already checked in here this round, a while ago: this scan is the student leaving."""
    presence = state.presence.get(student_id)
    if presence is None or presence.station != station_id:
        return False
    round_began = state.clock.started_at if state.clock.round else None
    if round_began is not None and presence.at < round_began:
        return False
    return hub_now - presence.at >= CHECKOUT_AFTER_SECONDS


def thanks(name: str, student_id: str, card: str, leaving: bool) -> Decision:
    """After the student's last answer: still their screen for a few seconds (help, "I'm going out")."""
    return Decision("goodbye" if leaving else "thanks", "Thank you!", "Your teacher will see it.", student_id, name,
                    card)


def checking_out(decision: Decision) -> Decision:
    """The student on screen pressed "I'm done": the kiosk asks how it went."""
    return Decision("checkout", f"Bye {decision.name}", "Thanks for your work here!", decision.student_id,
                    decision.name, decision.card)


def going_out(decision: Decision) -> Decision:
    """What the kiosk says when the student on screen takes the out-of-room pass."""
    return Decision("out", f"See you soon, {decision.name}", "Scan your card when you are back.",
                    decision.student_id, decision.name, decision.card)
