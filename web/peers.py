"""Peers who can help, on the teacher's device: the class's setting on the roster page (suggestions on or off,
students kept out), and on a student's page the help they gave and got from classmates."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from hub.report import PEER_ANSWERS, clock_time
from hub.store import PeerCall
from web.history import Lesson
from web.planning import PRIVATE_FILE, Kit

SHOWN_LESSONS = 4  # the last few lessons with peer help, on a student's page
A_CLASSMATE = "a classmate"  # a student since gone from the class


@dataclass(frozen=True)
class PeerLine:
    at: str  # "10:42"
    station: str
    said: str  # "suggested Maya R. · asked"


@dataclass
class PeerHelpSeen:
    """One student's peer help as the teacher reads it: counts, and the last lessons' calls."""
    gave: int = 0  # suggested to a classmate who said they would ask them
    suggested: int = 0  # suggested to a classmate at all
    got: int = 0  # said they would ask the classmate suggested
    asked: int = 0  # a classmate was suggested to them
    lessons: list[tuple[Lesson, list[PeerLine]]] = field(default_factory=list)  # newest first


def peer_help_seen(student: str, calls: list[PeerCall], lessons: list[Lesson], names: Mapping[str, str],
                   stations: Mapping[str, str], now: float) -> PeerHelpSeen:
    """``calls`` newest first (HubStore.peer_help_calls); ``lessons`` the student's, newest first."""
    seen = PeerHelpSeen()
    by_lesson: dict[float, list[PeerLine]] = {}
    for call in calls:
        helping = call.peer == student
        if helping:
            seen.suggested += 1
            seen.gave += call.taken is True
            said = f"suggested to {names.get(call.asker or '', A_CLASSMATE)} · {PEER_ANSWERS[call.taken]}"
        else:
            seen.asked += 1
            seen.got += call.taken is True
            said = f"{names.get(call.peer, A_CLASSMATE)} suggested · {PEER_ANSWERS[call.taken]}"
        lesson = next((lesson for lesson in lessons
                       if lesson.started <= call.at <= (lesson.ended or now)), None)
        if lesson is not None:
            by_lesson.setdefault(lesson.started, []).append(
                PeerLine(clock_time(call.at), stations.get(call.station, call.station), said))
    seen.lessons = [(lesson, by_lesson[lesson.started][::-1]) for lesson in lessons
                    if lesson.started in by_lesson][:SHOWN_LESSONS]
    return seen


def routes(kit: Kit) -> list[Route]:
    change = kit.change

    def back(to: str) -> Response:
        return RedirectResponse(to, status_code=303, headers=PRIVATE_FILE)

    @change
    async def suggestions(request: Request, form: dict[str, Any]) -> Response:
        """Suggest a classmate who got it, or not, for the class running."""
        await kit.command(request, "peer_help", {"on": form.get("on") == "on"})
        return back("/roster")

    @change
    async def exclude(request: Request, form: dict[str, Any]) -> Response:
        """One student kept out of suggestions, or let back in."""
        await kit.command(request, "peer_exclude", {"student": request.path_params["student_id"],
                                                    "excluded": form.get("excluded") == "yes"})
        return back("/roster")

    return [Route("/roster/peers", suggestions, methods=["POST"]),
            Route("/roster/{student_id}/peers", exclude, methods=["POST"])]
