"""The web companion's goal pages: the room's goal list (up to six, each a picture and its words in every kiosk
language), a goal of the student's own set at the teacher's table, goals over time on the student's page, and
closing a goal. Every change is a command to the hub, which keeps the goals."""
from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from hub.goals import BY_TEACHER, MOST_ROOM_GOALS, OWN, GoalRow
from kiosk.words import words as kiosk_words
from shared.languages import LANGUAGES, SOURCE_LANGUAGE, english_name, language_name
from shared.pictures import GOAL_PICTURE_CHOICES
from shared.protocol import GOAL_OUTCOMES, State
from web.planning import Kit

ANSWER_WORDS = {"closer": "closer", "not_yet": "not yet", "met": "met it"}
OUTCOME_WORDS = {"met": "met", "changed": "changed", "dropped": "dropped"}
PRIVATE = {"Cache-Control": "no-store"}
SET_BY_WORDS = {(True, True): "their own, with the teacher", (False, False): "by the student at a kiosk",
                (False, True): "by the teacher", (True, False): "their own"}  # (own, by the teacher)


@dataclass(frozen=True)
class GoalLine:
    """One goal on the student's page, in the teacher's words."""
    text: str
    picture: str
    set: str  # when and by whom
    answers: tuple[str, ...]  # each exit ticket's "did you get closer?", oldest first
    closed: str  # how and when it closed; "" while open


def goal_lines(rows: list[GoalRow], stations: dict[str, str]) -> list[GoalLine]:
    """The student's goals, newest first, as the teacher reads them."""
    return [GoalLine(row.text, row.picture,
                     f"set {_day(row.set_at)}, " + (SET_BY_WORDS[row.whose == OWN, row.set_by == BY_TEACHER]),
                     tuple(f"{ANSWER_WORDS.get(c.answer, c.answer)} ({stations.get(c.station, c.station)}, "
                           f"{_day(c.at)})" for c in row.checks),
                     f"{OUTCOME_WORDS.get(row.outcome or '', row.outcome)} {_day(row.closed_at)}"
                     if row.closed_at is not None else "")
            for row in reversed(rows)]


def room_goal_rows(state: State | None) -> list[dict[str, Any]]:
    """The room's goals as the form shows them, with empty rows up to six: the teacher's words in each
    language, or the room file's goals as the kiosks' catalogs translate them (where they do)."""
    rows: list[dict[str, Any]] = []
    if state is not None:
        for i, text in enumerate(state.goals):
            words = state.goal_words[i] if i < len(state.goal_words) else _as_the_kiosks_say(text)
            picture = state.goal_pictures[i] if i < len(state.goal_pictures) else GOAL_PICTURE_CHOICES[0]
            rows.append({"picture": picture, "words": dict(words)})
    return rows + [{"picture": "", "words": {}}] * (MOST_ROOM_GOALS - len(rows))


def rows_from_form(form: dict[str, Any]) -> list[dict[str, Any]]:
    """The six rows of the form as the teacher typed them, each its picture and the words written in it."""
    rows = []
    for i in range(MOST_ROOM_GOALS):
        words = {language: str(form.get(f"words-{i}-{language}", "")).strip() for language in LANGUAGES}
        rows.append({"picture": str(form.get(f"picture-{i}", "")) or GOAL_PICTURE_CHOICES[0],
                     "words": {language: text for language, text in words.items() if text}})
    return rows


def goals_from_form(form: dict[str, Any]) -> list[dict[str, Any]]:
    """The goals the teacher filled in (a row with no words at all is left out), as ``set_goals`` takes them."""
    return [row for row in rows_from_form(form) if row["words"]]


def form_problem(rows: list[dict[str, Any]]) -> str:
    """Why the goals as typed cannot be saved, naming the goal by its number on the page and the languages
    missing by name; "" if the hub may have them."""
    for number, row in enumerate(rows, 1):
        missing = [english_name(language) for language in LANGUAGES if row["words"] and language not in row["words"]]
        if missing:
            named = next(iter(row["words"].values()))
            return (f"Goal {number} “{named}” needs its words in {', '.join(missing)} too: a student sees it in "
                    "their own language.")
    return ""


def _as_the_kiosks_say(text: str) -> dict[str, str]:
    said = {language: kiosk_words(language).say(text) for language in LANGUAGES}
    return {language: words for language, words in said.items()
            if language == SOURCE_LANGUAGE or words != text}  # untranslated: left for the teacher to write


def _day(at: float | None) -> str:
    return time.strftime("%a %d %b", time.localtime(at)) if at is not None else ""


def routes(kit: Kit) -> list[Route]:
    page, private, change, link = kit.page, kit.private, kit.change, kit.link

    def back(to: str) -> Response:
        return RedirectResponse(to, status_code=303, headers=PRIVATE)

    def goals_page(request: Request, rows: list[dict[str, Any]], status: int = 200, error: str = "") -> Response:
        return page(request, "goals.html", status, rows=rows, pictures=GOAL_PICTURE_CHOICES,
                    languages=[(code, language_name(code)) for code in LANGUAGES],
                    notice=request.session.pop("notice", ""), error=error)

    @private
    async def goals(request: Request) -> Response:
        return goals_page(request, room_goal_rows(link.state))

    @change
    async def save_goals(request: Request, form: dict[str, Any]) -> Response:
        """Saved, or refused: then the page again with why, and with what the teacher typed, to finish it."""
        rows = rows_from_form(form)
        problem = form_problem(rows)
        if not problem:
            reply = await kit.command(request, "set_goals", {"goals": goals_from_form(form)})
            if reply is not None and reply.ok:
                return back("/goals")
            problem = request.session.pop("notice", "")
            problem = problem[:1].upper() + problem[1:]
        return goals_page(request, rows, 422, f"{problem} Nothing was saved: your words are still here.")

    @change
    async def own_goal(request: Request, form: dict[str, Any]) -> Response:
        student_id = request.path_params["student_id"]
        await kit.command(request, "set_own_goal", {"student": student_id, "text": str(form.get("text", "")),
                                                    "picture": str(form.get("picture", ""))})
        return back(f"/student/{student_id}")

    @change
    async def close_goal(request: Request, form: dict[str, Any]) -> Response:
        student_id = request.path_params["student_id"]
        outcome = str(form.get("outcome", ""))
        if outcome not in GOAL_OUTCOMES:
            request.session["notice"] = "Close the goal as met, changed or dropped"
        else:
            await kit.command(request, "close_goal", {"student": student_id, "outcome": outcome})
        return back(f"/student/{student_id}")

    return [
        Route("/goals", goals, methods=["GET"]),
        Route("/goals", save_goals, methods=["POST"]),
        Route("/student/{student_id}/goal", own_goal, methods=["POST"]),
        Route("/student/{student_id}/goal/close", close_goal, methods=["POST"]),
    ]
