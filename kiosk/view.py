"""What the kiosk screen shows, as plain data: the Kivy widget only copies these fields. Pure."""
from __future__ import annotations

import functools
import math
from dataclasses import dataclass, field, replace

from kiosk import choosing
from kiosk.decide import Decision, thanks
from kiosk.goal_reminder import Reminder
from kiosk.moves import Move
from kiosk.prompts import LEAVING_KINDS, Colour, Option, Prompt, after_peer
from kiosk.words import Words, say_without_name, words
from shared.clock import Phase, format_left
from shared.languages import ENGLISH, N_
from shared.pictures import rgba
from shared.protocol import Needs, PickAnswer, State

SHOW_SECONDS = 5.0
# Two cards read at once (a scanner's one burst, two students a moment apart): the first name stays up this
# long before the second takes the screen, so each student sees their own greeting.
GREETING_SECONDS = 1.5
AFTER_A_TAP = ("thanks", "goodbye", "out")  # a student's last screen, whose words the next in line waits out
ARRIVING = ("welcome", "back", "checked_in", "thanks")  # a student's check-in (and its thanks): their goal shown
PAUSED = N_("Paused")  # in the clock's place while the teacher has paused the lesson
ENDING = N_("Ending")  # in the clock's place while the last exit tickets come in
WARNING_INK: Colour = (1.0, 0.80, 0.25, 1)  # the clock in the round's last minute
CONTRAST_BACKGROUND: Colour = (0, 0, 0, 1)  # high contrast: white words on black, buttons black on white
PROMPT_SECONDS = 20.0  # a question left unanswered goes away: the student has walked off
LINE_PROMPT_SECONDS = 12.0  # sooner while others wait in line (the question is kept for the next scan)
UNDO_SECONDS = 6.0  # "Changed your mind?" stays this long after an answer
THANKS_SECONDS = UNDO_SECONDS + 4  # then "I'm done" and "I'm going out" in its place for a while
KEPT_QUESTIONS = 60  # unanswered questions kept for their students' next scans, the oldest forgotten first
MOVE_SECONDS = 60.0  # the "time to move" list stays up while the room changes over
MOVE_LINES = 5  # what fits in large letters on a 7" screen; the rest are told to look at the map
MOVE_LINES_LARGE_TEXT = 2
COLOURS: dict[str, Colour] = {
    "move": (0.11, 0.33, 0.72, 1),
    "prompt": (0.05, 0.40, 0.42, 1),
    "idle": (0.13, 0.19, 0.27, 1),
    "good": (0.16, 0.49, 0.20, 1),
    "elsewhere": (0.80, 0.45, 0.05, 1),
    "problem": (0.45, 0.25, 0.55, 1),
}


IDLE = (N_("Show your card"), N_("Hold your QR card up to the scanner."))
STATUS = {  # what the kiosk says of itself, at the foot of the screen
    "scanner": N_("The card scanner is not connected: please tell your teacher"),
    "scanner_set_up": N_("The card scanner is not set up right: please tell your teacher"),
    "storage_alone": N_("This kiosk's storage is full and the hub is out of reach: please tell your teacher now"),
    "storage": N_("This kiosk's storage is full: check-ins still reach the hub. Please tell your teacher"),
    "offline": N_("Offline: check-ins are saved here and sent when the network is back"),
    # kiosk/one_board.py: why this board keeps off the broker
    "taken_over": N_("Another board is this station's kiosk: check-ins are saved here. Please tell your teacher"),
    "refused": N_("This kiosk is no longer paired with the hub: check-ins are saved here. Please tell your teacher"),
    "no_hub": N_("Waiting for the teacher's hub: check-ins are saved"),
}


@dataclass(frozen=True)
class Buttons:
    """The words on the kiosk's own buttons, in the language on screen."""
    help: str
    done: str
    go_out: str
    skip: str
    teacher: str
    path: str = "My path"
    new_goal: str = "New goal"

    @classmethod
    def said(cls, w: Words) -> Buttons:
        return cls(w.say(N_("I need help")), w.say(N_("I'm done")), w.say(N_("I'm going out")), w.say(N_("Skip")),
                   w.say(N_("Teacher")), w.say(N_("My path")), w.say(N_("New goal")))


@dataclass(frozen=True)
class KioskScreenModel:
    station: str
    title: str = IDLE[0]
    detail: str = IDLE[1]
    colour: Colour = COLOURS["idle"]
    clock: str = ""
    status: str = ""
    outcome: str = "idle"
    help: str = "I need help"  # the button; while a call waits it says so, and a tap takes the call back
    help_waiting: bool = False
    help_hint: str = ""  # under the help button's words: while a call waits, how to take it back
    options: tuple[Option, ...] = ()  # the buttons of a question
    skippable: bool = False
    clock_ink: Colour = (1, 1, 1, 1)
    can_go_out: bool = False  # a student is on screen: the out-of-room pass is offered
    can_check_out: bool = False  # a student checked in here is on screen: "I'm done" is offered
    can_open_path: bool = False  # a student greeted here or leaving is on screen: "My path" is offered
    notice: str = ""  # over a question: the next student in line, or what their scan said
    undo: str = ""  # "Changed your mind?" for a few seconds after an answer
    buttons: Buttons = field(default_factory=lambda: Buttons.said(ENGLISH))
    language: str = "en"  # of the words on screen: the student's on screen, else the room's
    large_text: bool = False  # the student's on screen, or the kiosk's
    high_contrast: bool = False  # white on black: the student's on screen, or the kiosk's
    picture: str = ""  # a station's picture (a Material Icons name), large: where to go
    speech: tuple[str, ...] = ()  # what is said aloud of this screen, in its language (kiosk/speech.py)
    speak: bool = False  # the room has spoken prompts, or the student on screen does
    goal: str = ""  # an arriving student's standing goal: "Your goal: …", with its picture
    goal_picture: str = ""
    last_time: str = ""  # what they said at their last exit ticket here
    can_change_goal: bool = False  # "New goal" is offered: the student on screen has a goal standing


class KioskView:
    """One student's questions at a time. A student who scans while another answers waits in line ("Maya,
    you're next") and gets their questions as soon as the screen is free, without scanning again; a question
    nobody answered is kept and asked again at that student's next scan. A scan never changes the question
    under a finger: the screen only moves on when its student has answered, skipped or walked off."""

    def __init__(self, station_name: str, language: str = "en", large_text: bool = False,
                 high_contrast: bool = False, speech: bool = False) -> None:
        self.station_name = station_name
        self.language = language  # the room's
        self.large_text, self.high_contrast = large_text, high_contrast  # the kiosk's, for everyone
        self.speech = speech  # the room's
        self._decision: Decision | None = None
        self._shown_at = 0.0
        self.prompt: Prompt | None = None
        self._asked_at = 0.0
        self._held = False  # the student on screen is looking at "My path": their screen waits for them
        self._line: list[tuple[Decision, Prompt | None]] = []  # students waiting for the screen, first first
        self._notice: tuple[Decision, float] | None = None  # said in the language of the one who scanned
        self._notices: list[Decision] = []  # to be said after it: cards read at once are each told in turn
        self._kept: dict[str, Prompt] = {}  # by student: the question they walked away from
        self._reminders: dict[str, Reminder] = {}  # by student: their goal and last visit here, at check-in
        self._undo: tuple[Prompt, float] | None = None  # the last answer, which may still be changed
        self._moves: list[Move] = []
        self._moves_at = 0.0
        self._saving: tuple[Prompt, str, float] | None = None  # a choice round's pick sent: its event's id, when
        self._round: int | None = None
        self._time_left: float | None = None
        self._moving: float | None = None
        self._choosing: float | None = None  # the time left to choose, while a choice round's choosing is open
        self.clock_ink: Colour = (1, 1, 1, 1)
        self.phase: Phase = "idle"
        self.status = ""
        self.help_waiting = False
        self._peer_offer: Prompt | None = None  # "Ask Maya?" before the teacher is called: its call not yet sent

    def arrive(self, decision: Decision, prompt: Prompt | None, now: float, has_goal: bool = False,
               reminder: Reminder | None = None) -> None:
        """A scan's answer and its first question. While another student answers, it waits its turn.
        ``has_goal``: the student has a goal (a kept goal question is not asked again); ``reminder``: their goal
        and what they said here last time, shown as they arrive."""
        if decision.student_id is not None:
            if reminder is not None:
                self._reminders[decision.student_id] = reminder
            else:
                self._reminders.pop(decision.student_id, None)
        kept = self._kept.pop(decision.student_id, None) if decision.outcome == "welcome" and decision.student_id \
            else None
        if kept is not None and not (kept.kind == "goal" and has_goal):
            # The question they walked away from (the activity's, or the goal's after it), in their language and
            # size as they are now: the teacher may have changed them since.
            prompt = replace(kept, needs=decision.needs)
        current = self.prompt
        waiting = next((i for i, (d, _) in enumerate(self._line) if d.student_id == decision.student_id), None)
        their_turn = waiting == 0 or not self._line
        on_screen = self._decision
        if current is None and on_screen is not None and on_screen.student_id == decision.student_id \
                and decision.student_id is not None and self._line:
            self._decision = decision  # a second read of the card greeted on screen: nobody's turn changes
        elif current is None and their_turn and not self._greeting_fresh(decision, now):
            if waiting is not None:
                del self._line[waiting]  # the screen is free for them now
            self.show(decision, prompt, now)
        elif current is None:  # greeted in turn, as soon as the one on screen has been read
            if waiting is None:
                self._line.append((decision, prompt))
            else:
                self._line[waiting] = (decision, prompt)
        elif decision.student_id == current.student_id:
            pass  # a second read of the card on screen: the question stays
        elif prompt is None:
            self._say_over(decision, now)  # "Tom, your group is at Tech": said without taking the screen
        else:
            if waiting is not None:
                self._line[waiting] = (decision, prompt)  # scanned again: still their place in line
                place = waiting + 1
            else:
                self._line.append((decision, prompt))
                place = len(self._line)
            self._say_over(replace(decision, title=N_("{name}, you're next") if place == 1
                                   else N_("{name}, you're number {place} in line"), detail="",
                                   params=(("place", str(place)),)), now)

    def _say_over(self, notice: Decision, now: float) -> None:
        """``notice`` over the question on screen; after another student's, if that one went up a moment ago."""
        current = self._notice
        if current is not None and current[0].student_id != notice.student_id and now - current[1] < GREETING_SECONDS:
            self._notices = [n for n in self._notices if n.student_id != notice.student_id] + [notice]
        else:
            self._notice = (notice, now)

    def _greeting_fresh(self, arriving: Decision, now: float) -> bool:
        """Another student's greeting went up a moment ago and has not been read yet."""
        on_screen = self._decision
        return (on_screen is not None and on_screen.student_id is not None and on_screen.outcome not in AFTER_A_TAP
                and on_screen.student_id != arriving.student_id and now - self._shown_at < GREETING_SECONDS)

    def show(self, decision: Decision | None, prompt: Prompt | None, now: float) -> None:
        """On screen now, in place of what was (the student on screen pressed a button). A question it puts
        aside waits for that student's next scan; the line moves on once this has been seen."""
        if self.prompt is not None and prompt is None:
            self._keep(self.prompt)
        self._decision, self._shown_at = decision, now
        self.prompt, self._asked_at = prompt, now
        self._notice, self._notices = None, []

    def saving(self, prompt: Prompt, event_id: str, station_name: str, now: float) -> None:
        """The student picked a station: "Saving your place…" until the hub answers (or the answer is overdue)."""
        self._undo = None
        self.show(choosing.saving(prompt, station_name), None, now)
        self._saving = (prompt, event_id, now)

    def pick_answered(self, answer: PickAnswer, state: State | None, now: float) -> bool:
        """The hub's answer to a pick: where to go, or, the place taken, the stations left. False if it is not
        the answer this screen waits for (an older pick's, or another student's)."""
        if self._saving is None or self._saving[1] != answer.id:
            return False
        prompt = self._saving[0]
        self._saving = None
        decision, again = choosing.after_pick(prompt, answer, state)
        self.show(decision, again, now)
        return True

    def clear(self) -> None:
        """Back to the idle screen at once; unanswered questions wait for their students' next scans."""
        for _, waiting in self._line:
            if waiting is not None:
                self._keep(waiting)
        if self.prompt is not None:
            self._keep(self.prompt)
        self._line = []
        self._decision = self.prompt = self._undo = self._notice = None
        self._notices = []

    def waiting(self) -> int:
        """Students in line for the screen."""
        return len(self._line)

    def decision_on_screen(self) -> Decision | None:
        """The scan whose student is on screen (with a question after it, too)."""
        if self.prompt is not None:
            p = self.prompt
            if not p.student_id:
                return None  # "Ask Maya?" after a tap with nobody's name on screen
            outcome = "checkout" if p.kind in LEAVING_KINDS else "welcome"
            return Decision(outcome, p.title, "", p.student_id, p.name, p.card, needs=p.needs)
        return self._decision if self._decision is not None and self._decision.student_id is not None else None

    def card_on_screen(self) -> str | None:
        """The card of the student whose name is on screen: pressing "I need help" then is that student."""
        decision = self.decision_on_screen()
        return decision.card if decision else None

    def offer_peer(self, prompt: Prompt, now: float) -> None:
        """"Maya R. got it! Ask Maya?" at once, over whatever was on screen (a question put aside waits for its
        student's next scan). The call for help waits for the answer: see ``unanswered_offer``."""
        if self.prompt is not None:
            self._keep(self.prompt)
        self.show(None, prompt, now)
        self._peer_offer = prompt

    def peer_offer_on_screen(self) -> Prompt | None:
        return self._peer_offer if self._peer_offer is not None and self.prompt is self._peer_offer else None

    def put_aside_offer(self, now: float) -> None:
        """"Ask Maya?" goes unanswered (the help button pressed over it): the next in line, if any."""
        if self.peer_offer_on_screen() is not None:
            self.prompt = None
            self._next_in_line(now)

    def unanswered_offer(self) -> Prompt | None:
        """The suggestion, once it has left the screen unanswered (walked off, put aside, a new round): its call
        for help must go now. Given once."""
        offer = self._peer_offer
        if offer is None or self.prompt is offer:
            return None
        self._peer_offer = None
        return offer

    def peer_answered(self, prompt: Prompt, taken: bool, now: float) -> None:
        """"I'll ask Maya" or "No thanks": the teacher is called either way, and the screen says so."""
        if prompt is self._peer_offer:
            self._peer_offer = None
        if prompt is self.prompt:
            self.prompt = None
            self._decision, self._shown_at = after_peer(prompt, taken), now

    def answered(self, prompt: Prompt, following: Prompt | None, now: float, undoable: bool = True) -> None:
        """``prompt`` (the question under the finger when it went down) was answered: its next question, or
        thanks and the next student in line."""
        if undoable:
            self._undo = (prompt, now)
        self._kept.pop(prompt.student_id, None)  # answered: nothing of theirs is left over
        if prompt is not self.prompt:  # it left the screen while the finger was down: the answer is still theirs
            if following is not None:
                self._keep(following)
            return
        if following is not None:
            self._decision = None  # the greeting has been seen: the question stands on its own
            self.prompt, self._asked_at = following, now
            return
        self.prompt = None
        if not self._next_in_line(now):
            self._decision, self._shown_at = thanks(prompt.name, prompt.student_id, prompt.card,
                                                    prompt.kind in LEAVING_KINDS, prompt.needs), now

    def change_answer(self, now: float) -> None:
        """"Changed your mind?": the last answered question again (the one after it follows from the new
        answer); a student it interrupts goes back to the front of the line."""
        if self._undo is None:
            return
        prompt, _ = self._undo
        self._undo = None
        current = self.prompt
        if current is not None and current.student_id != prompt.student_id:
            greeting = self._decision or Decision("welcome", current.title, "", current.student_id, current.name,
                                                  current.card, needs=current.needs)
            self._line.insert(0, (greeting, current))
        self._decision, self._shown_at = None, now
        self.prompt, self._asked_at = prompt, now
        self._notice, self._notices = None, []

    def _next_in_line(self, now: float) -> bool:
        if not self._line:
            return False
        decision, prompt = self._line.pop(0)
        self.show(decision, prompt, now)
        return True

    def _walked_off(self, now: float) -> None:
        """Nobody answered: the question waits for the student's next scan."""
        if self.prompt is not None:
            self._keep(self.prompt)
        self.prompt = self._decision = None
        self._next_in_line(now)

    def _keep(self, prompt: Prompt) -> None:
        """Only an arriving student's questions: leaving, the exit ticket comes again with their next check-out."""
        self._kept.pop(prompt.student_id, None)
        if prompt.kind not in ("choice", "goal"):
            return
        self._kept[prompt.student_id] = prompt
        while len(self._kept) > KEPT_QUESTIONS:
            del self._kept[next(iter(self._kept))]

    def round_is(self, round_number: int, moves: list[Move], now: float) -> bool:
        """Follow the round; True when a new one has just begun and this station's students must move (the
        screen then lists them, and the kiosk chimes). The first round seen after starting up is not news."""
        previous, self._round = self._round, round_number
        if previous is None or previous == round_number or not previous or not round_number or not moves:
            return False
        self._moves, self._moves_at = moves, now
        self.clear()  # the last greeting gives way at once (a scan still shows over it)
        return True

    @property
    def choice_open(self) -> bool:
        """A choice round's choosing is open: the passing screen says to scan here."""
        return self._choosing is not None

    def hold(self) -> None:
        """The student on screen opened "My path": their greeting, question and turn wait for them."""
        self._held = True

    def resume(self, now: float) -> None:
        """Back from "My path": what they had on screen, for its whole time again."""
        self._held = False
        self._shown_at = now
        self._asked_at = now

    def _expire(self, now: float) -> None:
        """What has been on screen long enough goes: the greeting, the question of a student who walked off; and
        the next in line gets their turn."""
        shown_for = THANKS_SECONDS if self._decision is not None and self._decision.outcome in (
            "thanks", "goodbye") else SHOW_SECONDS
        if self._decision is not None and now - self._shown_at >= shown_for:
            self._decision = None
        if self.prompt is None and self._line and (self._decision is None or now - self._shown_at >= (
                SHOW_SECONDS if self._decision.outcome in AFTER_A_TAP else GREETING_SECONDS)):
            self._next_in_line(now)  # the greeting, or "See you soon" or "Bye", has been seen: the next student's turn
        if self.prompt is not None and now - self._asked_at >= (LINE_PROMPT_SECONDS if self._line
                                                                 else PROMPT_SECONDS):
            self._walked_off(now)

    def update(self, now: float, time_left: float | None, connected: bool, hub_online: bool,
               scanner_ok: bool = True, help_waiting: bool = False, storage_full: bool = False,
               phase: Phase = "working", moving: float | None = None, scanner_set_up_wrong: bool = False,
               choosing_left: float | None = None, kept_off: str | None = None) -> None:
        """``phase``: shared.clock.phase; ``moving``: the passing time left, while it lasts; ``choosing_left``:
        the time left to choose in a choice round, while choosing is open; ``kept_off``: why this board keeps
        off the broker (KioskCore.kept_off)."""
        self.help_waiting = help_waiting
        self._choosing = choosing_left
        if self._saving is not None and now - self._saving[2] >= choosing.ANSWER_DUE_SECONDS:
            self.show(choosing.overdue(self._saving[0]), None, now)
        if not self._held:  # a student looking at "My path" finds their screen as they left it
            self._expire(now)
        if self._notice is not None and now - self._notice[1] >= SHOW_SECONDS:
            self._notice = None
        if self._notices and (self._notice is None or now - self._notice[1] >= GREETING_SECONDS):
            self._notice = (self._notices.pop(0), now)
        if self._undo is not None and now - self._undo[1] >= UNDO_SECONDS:
            self._undo = None
        if self._moves and now - self._moves_at >= MOVE_SECONDS:
            self._moves = []
        self.phase = phase
        self._time_left, self._moving = time_left, moving
        self.clock_ink = WARNING_INK if phase in ("warning", "over", "passing") or self.choice_open else (1, 1, 1, 1)
        self.status = (STATUS["scanner"] if not scanner_ok
                       else STATUS["scanner_set_up"] if scanner_set_up_wrong
                       else STATUS["storage_alone"] if storage_full and not (connected and hub_online)
                       else STATUS["storage"] if storage_full
                       else STATUS[kept_off] if kept_off in ("taken_over", "refused") and not connected
                       else STATUS["offline"] if not connected
                       else STATUS["no_hub"] if not hub_online
                       else "")

    def _clock(self, w: Words) -> str:
        if self.phase == "paused":
            return w.say(PAUSED)
        if self.phase == "closing":
            return w.say(ENDING)
        if self.phase == "passing" and self._moving is not None:
            return w.say(N_("Move {left}"), left=format_left(self._moving))
        if self._choosing is not None:  # a choice round with no passing time: choosing has a time of its own
            return w.say(N_("Choose {left}"), left=format_left(self._choosing))
        left = self._time_left
        if left is None:
            return ""
        if left <= 0:
            return w.say(N_("time's up"))
        if left > 60:  # calmer than the teacher's clock: whole minutes, seconds only in the last minute
            return w.say(N_("{minutes} min"), minutes=math.ceil(left / 60 - 0.1 / 60))
        return format_left(left)

    def model(self) -> KioskScreenModel:
        decision = self._decision
        on_screen = self.decision_on_screen()
        needs = (on_screen.needs if on_screen else None) or Needs()
        w = words(needs.language or self.language)
        large = needs.large_text or self.large_text
        here = functools.partial(KioskScreenModel, self.station_name, clock=self._clock(w), status=w.say(self.status))
        if self.prompt is not None:
            p = self.prompt
            params = dict(p.params)
            if large:  # fewer, bigger words: the question alone
                title, detail = w.say(p.title, name=p.name, **params), ""
            elif decision is not None:
                title, detail = decision.said(w)
                detail = f"{detail} {w.say(p.question)}"
            else:
                title, detail = w.say(p.title, name=p.name, **params), w.say(p.hint)
            options = tuple(replace(o, label=w.say(o.label, **params) if params else o.said(w)) for o in p.options)
            if p.spoken:  # a classmate's name is never said aloud
                said = tuple(w.say(t) for t in p.spoken)
            elif decision is not None:
                said = (say_without_name(w, decision.title, **dict(decision.params)),
                        say_without_name(w, decision.detail, **dict(decision.params)), say_without_name(w, p.question))
            else:
                said = (say_without_name(w, p.title), say_without_name(w, p.hint))
            model = here(title=title, detail=detail, colour=COLOURS["prompt"], outcome=f"ask:{p.kind}",
                         options=options, skippable=p.skippable, speech=tuple(t for t in said if t),
                         picture=p.picture)
        elif decision is None and self._moves:
            model = here(title=w.say(N_("Time to move!")), detail=self._moves_text(w, large),
                         colour=COLOURS["move"], outcome="move")
        elif decision is None and self.phase == "closing":
            model = here(title=w.say(N_("Last exit tickets")), detail=w.say(N_("Scan your card: how did it go today?")),
                         colour=COLOURS["prompt"])
        elif decision is None and self.phase == "passing":
            model = here(title=w.say(N_("Time to move!")),
                         detail=w.say(N_("Scan your card here to choose your next station.") if self.choice_open
                                      else N_("Go to your station and scan your card.")),
                         colour=COLOURS["move"], outcome="move")
        elif decision is None:
            model = here(title=w.say(IDLE[0]), detail=w.say(IDLE[1]))
        else:
            colour = (rgba(decision.look[0]) if decision.look else COLOURS["good"] if decision.good else
                      COLOURS["elsewhere"] if decision.outcome in ("elsewhere", "other_class", "full", "closed")
                      else COLOURS["problem"])
            title, detail = decision.said(w)
            said = (say_without_name(w, decision.title, **dict(decision.params)),
                    say_without_name(w, decision.detail, **dict(decision.params)))
            model = here(title=title, detail=detail, colour=colour, outcome=decision.outcome,
                         picture=decision.look[1] if decision.look else "", speech=tuple(t for t in said if t))
        notice = self._notice[0] if self._notice else None
        if needs.high_contrast or self.high_contrast:
            model = replace(model, colour=CONTRAST_BACKGROUND, high_contrast=True)
        model = replace(model, speak=self.speech if needs.speech is None else needs.speech)
        model = replace(model, clock_ink=self.clock_ink, language=w.language, buttons=Buttons.said(w), large_text=large,
                        notice="\n".join(t for t in notice.said(words(notice.language or self.language)) if t)
                        if notice else "",
                        can_go_out=on_screen is not None and on_screen.may_go_out,
                        can_check_out=self.prompt is None and on_screen is not None and on_screen.may_check_out,
                        can_open_path=on_screen is not None and on_screen.shows_path,
                        undo=self._undo_label(w))
        model = self._with_reminder(model, on_screen, w)
        if self.help_waiting:
            return replace(model, help=w.say(N_("Help is on the way")), help_hint=w.say(N_("Tap to cancel")),
                           help_waiting=True)
        return replace(model, help=model.buttons.help)

    def _with_reminder(self, model: KioskScreenModel, on_screen: Decision | None, w: Words) -> KioskScreenModel:
        """An arriving student's goal and last visit here under their greeting (and its questions), said aloud
        after it, and "New goal" while no question is asked; a leaving student's goal over the question about it.
        Other questions (a classmate to ask, Where next?) have the screen to themselves."""
        asked = self.prompt.kind if self.prompt is not None else None
        arriving = on_screen is not None and (asked in ("choice", "goal")
                                               or asked is None and on_screen.outcome in ARRIVING)
        checking_goal = asked == "goal_check"
        reminder = self._reminders.get(on_screen.student_id) \
            if (arriving or checking_goal) and on_screen and on_screen.student_id else None
        if reminder is None:
            return model
        goal, last = reminder.lines(w)
        if checking_goal:
            last = ""
        said_already = on_screen is not None and on_screen.outcome == "thanks"
        return replace(model, goal=goal, goal_picture=reminder.picture if goal else "", last_time=last,
                       speech=model.speech + (() if said_already else tuple(t for t in (goal, last) if t)),
                       can_change_goal=bool(goal) and self.prompt is None)

    def _undo_label(self, w: Words) -> str:
        if self._undo is None:
            return ""
        answered = self._undo[0]
        on_screen = self.decision_on_screen()
        if on_screen is not None and on_screen.student_id == answered.student_id:
            return w.say(N_("Changed your mind?"))
        return words(answered.language or self.language).say(N_("{name}, changed your mind?"), name=answered.name)

    def _moves_text(self, w: Words, large_text: bool) -> str:
        shown = MOVE_LINES_LARGE_TEXT if large_text else MOVE_LINES
        lines = [w.say(N_("{name} \u2013 scan your card to choose"), name=m.name) if m.chooses
                 else w.say(N_("{name} \u2013 stay here"), name=m.name) if m.stays
                 else w.say(N_("{name} \u2013 go to {station}"), name=m.name, station=m.to)
                 for m in self._moves[:shown]]
        if len(self._moves) > shown:
            lines.append(w.count("and {n} more: look at the board", "and {n} more: look at the board",
                                 len(self._moves) - shown))
        return "\n".join(lines)
