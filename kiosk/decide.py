"""What the kiosk tells a student who shows a card, decided locally from the last state. Pure.

Only a genuine, current card of a known student gets a name on screen; every other outcome is kind and
nameless, so a lost or forged card tells nobody anything.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass, replace

from kiosk.words import Words, words
from shared.cards import CardKeys, ForgedCard, OldCard, UnreadableCard, verify_token
from shared.languages import N_
from shared.protocol import Needs, State, Station


@dataclass(frozen=True)
class Decision:
    """``title`` and ``detail`` are words of the catalogs, with ``{name}``, ``{station}`` or ``{cls}`` filled
    in from ``params`` when shown, in the student's language (else the room's)."""
    outcome: str  # welcome | back | elsewhere | checked_in | checkout | other_class | out | unknown | revoked | forged
    #               | thanks | goodbye (after the last answer, arriving or leaving)
    #               | unreadable
    #               | choose | saving | chose | full | closed (a choice round: kiosk/choosing.py)
    title: str
    detail: str
    student_id: str | None = None
    name: str | None = None
    card: str | None = None
    params: tuple[tuple[str, str], ...] = ()
    needs: Needs | None = None  # the student's, from the roster: their language, large text...
    look: tuple[str, str] | None = None  # where to go: that station's colour and picture names

    @property
    def language(self) -> str | None:
        return self.needs.language if self.needs else None

    def said(self, words: Words) -> tuple[str, str]:
        """The title and the detail in those words."""
        params = dict(self.params, name=self.name or "")
        return words.say(self.title, **params), words.say(self.detail, **params)

    @property
    def english(self) -> tuple[str, str]:
        return self.said(words(None))

    @property
    def records_checkin(self) -> bool:
        return self.outcome in ("welcome", "back", "elsewhere", "checked_in")

    @property
    def good(self) -> bool:
        return self.outcome in ("welcome", "back", "checked_in", "checkout", "thanks", "goodbye", "out", "choose",
                                "chose", "saving")

    @property
    def may_go_out(self) -> bool:
        """The student on screen may take the out-of-room pass."""
        return self.student_id is not None and self.outcome in ("welcome", "back", "checked_in", "checkout", "thanks",
                                                                "goodbye")

    @property
    def shows_path(self) -> bool:
        """The student on screen may open "My path": greeted here, or leaving."""
        return self.student_id is not None and self.card is not None and self.outcome in (
            "welcome", "back", "checkout", "thanks", "goodbye")

    @property
    def may_check_out(self) -> bool:
        """The student on screen is checked in here and may say "I'm done"."""
        return self.student_id is not None and self.outcome in ("welcome", "back", "checked_in", "thanks")


UNREADABLE = Decision("unreadable", N_("Let's try that again"),
                      N_("Hold your card still, about a hand away from the scanner."))
# Noise, scan after scan, from a scanner set to another speed (kiosk/serial_speed.py): not the student's doing.
SCANNER_SET_UP_WRONG = Decision("scanner", N_("Your card is fine"),
                                N_("The scanner needs your teacher. Please tell them."))
FORGED = Decision("forged", N_("This card isn't from our class"), N_("Please show it to your teacher."))
UNKNOWN = Decision("unknown", N_("I don't know this card yet"), N_("Please show it to your teacher."))
REVOKED = Decision("revoked", N_("This card has been replaced"), N_("Please use your new card, or ask your teacher."))
# An old kind of card (signed with the class secret) where the room takes only the hub's: refused as forged
# (anyone with a kiosk's class secret could have made it), in the words of a replaced card, which it is.
OLD_CARD = Decision("forged", REVOKED.title, REVOKED.detail)


CHECKOUT_AFTER_SECONDS = 60.0  # scanning again here sooner is a double scan or second thoughts, not leaving


def decide(text: str, keys: CardKeys, state: State | None, station_id: str, hub_now: float) -> Decision:
    try:
        claim = verify_token(keys, text)
    except OldCard:
        return OLD_CARD
    except ForgedCard:
        return FORGED
    except UnreadableCard:
        return UNREADABLE
    if state is None:
        # A genuine card, but no room state yet (the kiosk has never reached the hub): record it, no name.
        return Decision("checked_in", N_("You're checked in"), N_("Thanks! Your teacher will see you here."),
                        claim.student_id, None, text.strip())
    student = state.students.get(claim.student_id)
    if student is None:
        return _other_class(state, claim.student_id) or UNKNOWN
    if claim.version < student.card:
        return REVOKED
    if claim.version > student.card:
        return UNKNOWN
    expected = state.expected_station(claim.student_id)
    theirs = functools.partial(Decision, student_id=claim.student_id, name=student.name, card=text.strip(),
                               needs=student.needs)
    if state.clock.closing_at is not None:  # the lesson is ending: every scan is a last exit ticket
        return theirs("checkout", N_("Bye {name}"), N_("The lesson is ending."))
    if claim.student_id in state.out:
        if expected is None or expected.id == station_id:
            return theirs("back", N_("Welcome back, {name}"), N_("You're checked in."))
        return theirs("back", N_("Welcome back, {name}"), N_("You're checked in. Your group is at {station}."),
                      params=(("station", expected.name),), look=_look(expected))
    if may_choose_here(state, claim.student_id, station_id, hub_now):
        return theirs("choose", N_("Hi {name}"), N_("Time to choose your next station."))
    if expected is None or expected.id == station_id:
        if _checking_out(state, claim.student_id, station_id, hub_now):
            return theirs("checkout", N_("Bye {name}"), N_("Thanks for your work here!"))
        return theirs("welcome", N_("Hi {name}"),
                      N_("You're in the right place.") if expected else N_("You're checked in."))
    chosen = state.choice is not None and claim.student_id in state.choice.going  # not their group's: theirs
    return theirs("elsewhere", N_("{name}, go to {station}") if chosen else N_("{name}, your group is at {station}"),
                  N_("Please head over there now."), params=(("station", expected.name),), look=_look(expected))


def may_choose_here(state: State, student_id: str, station_id: str, hub_now: float) -> bool:
    """In a choice round's choosing, a student still without a place picks at the kiosk where they are (or,
    not yet anywhere this lesson, at any kiosk)."""
    choice = state.choice
    if choice is None or not choice.waiting(student_id, hub_now):
        return False
    presence = state.presence.get(student_id)
    return presence is None or presence.station == station_id


def gives_ticket_first(state: State, student_id: str, station_id: str) -> bool:
    """Leaving this station for a chosen one: their exit ticket here comes first, unless they gave it."""
    presence = state.presence.get(student_id)
    return presence is not None and presence.station == station_id and student_id not in state.checked_out


def _look(station: Station) -> tuple[str, str] | None:
    return (station.colour, station.picture) if station.colour and station.picture else None


def _other_class(state: State, student_id: str) -> Decision | None:
    """A student of one of the room's other classes: where they belong, without a name (the kiosk knows only
    the running class's names) and without recording anything."""
    theirs, running = state.other_class_of(student_id), state.running_class()
    if theirs is None:
        return None
    if running is None:
        return Decision("other_class", N_("You're in {cls}"), N_("Please ask your teacher."),
                        params=(("cls", theirs.name),))
    return Decision("other_class", N_("You're in {cls}"), N_("This is {running}. Please ask your teacher."),
                    params=(("cls", theirs.name), ("running", running.name)))


def _checking_out(state: State, student_id: str, station_id: str, hub_now: float) -> bool:
    """Already checked in here this round, a while ago, and not checked out since: this scan is the student
    leaving (after a check-out, it is the student coming back)."""
    presence = state.presence.get(student_id)
    if presence is None or presence.station != station_id or student_id in state.checked_out:
        return False
    round_began = state.clock.started_at if state.clock.round else None
    if round_began is not None and presence.at < round_began:
        return False
    return hub_now - presence.at >= CHECKOUT_AFTER_SECONDS


def thanks(name: str, student_id: str, card: str, leaving: bool, needs: Needs | None = None) -> Decision:
    """After the student's last answer: still their screen for a few seconds (help, "I'm going out")."""
    return Decision("goodbye" if leaving else "thanks", N_("Thank you!"), N_("Your teacher will see it."),
                    student_id, name, card, needs=needs)


def checking_out(decision: Decision) -> Decision:
    """The student on screen pressed "I'm done": the kiosk asks how it went."""
    return replace(decision, outcome="checkout", title=N_("Bye {name}"), detail=N_("Thanks for your work here!"))


def going_out(decision: Decision) -> Decision:
    """What the kiosk says when the student on screen takes the out-of-room pass."""
    return replace(decision, outcome="out", title=N_("See you soon, {name}"),
                   detail=N_("Scan your card when you are back."))
