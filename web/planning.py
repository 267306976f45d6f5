"""The web companion's planning pages: groups (suggested with a reason for each student, moved by tap, applied
now, from the next round or from the next lesson), the roster (absent, a new card), the reports of past lessons
with their charts and CSV files, and the Tomorrow page with its printable PDF."""
from __future__ import annotations

import asyncio
import functools
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route

from hub.display_link import DisplayLink
from hub.regroup import RegroupModel
from hub.report import MINUTES_COLOUR, TICKET_COLOURS, TICKET_WORDS, Report, clock_time, lesson_title
from hub.report_files import csv_text, report_tables
from shared.palette import group_colour
from shared.protocol import GROUPING_STRATEGIES, TICKETS, RegroupWhen, State
from web.history import DatabaseNotReady, History, Lesson

if TYPE_CHECKING:  # the PDFs' modules load fonts and text shaping (40 MB): imported when a PDF is made
    from hub.cards_pdf import CardFace

PRIVATE_FILE = {"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"}
WHEN_WORDS: dict[str, str] = {"now": "Now", "round": "From the next round", "lesson": "From the next lesson"}


@dataclass
class Suggestion:
    """Groups suggested to one teacher and not yet applied, on the display's regroup model (a name moved by
    tap until the teacher applies them), with the reason for each student."""
    model: RegroupModel
    reasons: dict[str, str]
    moved: set[str] = field(default_factory=set)

    @classmethod
    def of(cls, state: State | None, strategy: str, groups: dict[str, list[str]],
           reasons: dict[str, str]) -> Suggestion:
        model = RegroupModel()
        model.follow(state)
        model.suggest(strategy, groups)
        return cls(model, reasons)


@dataclass
class Kit:
    """What the planning pages take from the app: its page renderer, guards and the hub."""
    page: Callable[..., Response]
    private: Callable
    change: Callable
    command: Callable[[Request, Any, dict[str, Any]], Awaitable[Any]]
    link: DisplayLink
    history: History
    suggestions: dict[str, Suggestion] = field(default_factory=dict)  # teacher -> their suggestion


def routes(kit: Kit) -> list[Route]:
    page, private, change, link, history = kit.page, kit.private, kit.change, kit.link, kit.history

    def back(to: str) -> Response:
        return RedirectResponse(to, status_code=303, headers=PRIVATE_FILE)

    def reading(handler: Callable[..., Awaitable[Response]]) -> Callable[..., Awaitable[Response]]:
        """A page that reads the hub's database: while the hub has not made or updated it, it says so."""
        @functools.wraps(handler)
        async def guarded(request: Request, *args: Any) -> Response:
            try:
                return await handler(request, *args)
            except DatabaseNotReady as error:
                return page(request, "message.html", 503, heading="Not ready yet", message=str(error))
        return guarded

    @private
    async def groups(request: Request) -> Response:
        suggestion = kit.suggestions.get(request.session["teacher"])
        current = RegroupModel()
        current.follow(link.state)
        shown = suggestion.model if suggestion else current
        picked = request.query_params.get("pick")
        return page(request, "groups.html", groups=shown.groups, names=current.names, suggestion=suggestion,
                    picked=picked, strategies=GROUPING_STRATEGIES, when_words=WHEN_WORDS,
                    running=bool(link.state and link.state.clock.round),
                    colours={g: "#{:02x}{:02x}{:02x}".format(*group_colour(i)) for i, g in enumerate(shown.groups)},
                    count=max(1, len(current.groups)), notice=request.session.pop("notice", ""))

    @change
    async def suggest(request: Request, form: dict[str, Any]) -> Response:
        strategy = str(form.get("strategy", "readiness"))
        try:
            count = max(1, min(12, int(str(form.get("count", "4")))))
        except ValueError:
            count = 4
        reply = await asyncio.to_thread(link.command, "suggest_groups", {"strategy": strategy, "groups": count})
        if reply is None or not reply.ok or not reply.data:
            request.session["notice"] = reply.message if reply else "The hub did not answer: is it running?"
        else:
            kit.suggestions[request.session["teacher"]] = Suggestion.of(
                link.state, strategy, {g: list(ids) for g, ids in reply.data["groups"].items()},
                reply.data.get("reasons", {}))
        return back("/groups")

    @change
    async def move(request: Request, form: dict[str, Any]) -> Response:
        student, group = str(form.get("student", "")), str(form.get("group", ""))
        suggestion = kit.suggestions.get(request.session["teacher"])
        if suggestion is None:
            await kit.command(request, "move_student", {"student": student, "group": group})
        elif group in suggestion.model.groups and any(student in ids for ids in suggestion.model.groups.values()):
            suggestion.model.pick(student)
            suggestion.model.drop_into(group)  # in a suggestion, only what is shown changes
            suggestion.moved.add(student)
        return back("/groups")

    @change
    async def apply(request: Request, form: dict[str, Any]) -> Response:
        suggestion = kit.suggestions.get(request.session["teacher"])
        when: RegroupWhen = "now" if form.get("when") not in WHEN_WORDS else form["when"]
        if suggestion is not None:
            reply = await asyncio.to_thread(link.command, "set_groups", {"groups": suggestion.model.groups,
                                                                         "when": when})
            request.session["notice"] = reply.message if reply else "The hub did not answer: is it running?"
            if reply is not None and reply.ok:
                kit.suggestions.pop(request.session["teacher"], None)
        return back("/groups")

    @change
    async def forget(request: Request, form: dict[str, Any]) -> Response:
        kit.suggestions.pop(request.session["teacher"], None)
        return back("/groups")

    @change
    @reading
    async def adopt(request: Request, form: dict[str, Any]) -> Response:
        """The Tomorrow page's groups become this teacher's suggestion, to move and apply."""
        lesson = await _lesson(str(form.get("lesson", "")))
        if lesson is None:
            return PlainTextResponse("no such lesson", status_code=404, headers=PRIVATE_FILE)
        plan = await asyncio.to_thread(history.tomorrow, lesson, str(form.get("strategy", "readiness")))
        kit.suggestions[request.session["teacher"]] = Suggestion.of(
            link.state, plan.strategy, {g: [m.student_id for m in members] for g, members in plan.groups.items()},
            {m.student_id: m.reason for members in plan.groups.values() for m in members})
        return back("/groups")

    async def _lesson(key: str) -> Lesson | None:
        if key:
            return await asyncio.to_thread(history.lesson, key)
        lessons = await asyncio.to_thread(history.lessons, 5)
        return next((lesson for lesson in lessons if lesson.ended), lessons[0] if lessons else None)


    @private
    @reading
    async def reports(request: Request) -> Response:
        lessons = await asyncio.to_thread(history.lessons, 60)
        return page(request, "reports.html", lessons=lessons)

    @private
    @reading
    async def report(request: Request) -> Response:
        lesson = await _lesson(request.path_params["key"])
        if lesson is None:
            return PlainTextResponse("no such lesson", status_code=404, headers=PRIVATE_FILE)
        found = await asyncio.to_thread(history.report, lesson)
        timeline: dict[str, list[dict[str, str]]] = {}
        for row in found.timeline:
            timeline.setdefault(row.name, []).append({"time": clock_time(row.at), "station": row.station,
                                                      "what": row.what})
        return page(request, "report.html", lesson=lesson, report=found, timeline=timeline, tickets=TICKETS,
                    words=TICKET_WORDS, colours=TICKET_COLOURS, charts=charts(found),
                    title=lesson_title(lesson.class_name, found.started, found.ended))

    @private
    @reading
    async def report_csv(request: Request) -> Response:
        lesson = await _lesson(request.path_params["key"])
        table = request.path_params["table"]
        if lesson is None:
            return PlainTextResponse("no such lesson", status_code=404, headers=PRIVATE_FILE)
        tables = report_tables(await asyncio.to_thread(history.report, lesson))
        if table not in tables:
            return PlainTextResponse(f"no table {table!r}: {', '.join(tables)}", status_code=404, headers=PRIVATE_FILE)
        name = f"{lesson.class_id or 'lesson'}-{lesson.key}-{table}.csv"
        return Response(csv_text(*tables[table]), media_type="text/csv; charset=utf-8",
                        headers={**PRIVATE_FILE, "Content-Disposition": f'attachment; filename="{name}"'})

    @private
    @reading
    async def tomorrow(request: Request) -> Response:
        strategy = request.query_params.get("strategy", "readiness")
        lesson = await _lesson(request.query_params.get("lesson", ""))
        if lesson is None:
            return page(request, "message.html", heading="Tomorrow",
                        message="No lesson yet: the Tomorrow page plans from the last lesson once one has run.")
        plan = await asyncio.to_thread(history.tomorrow, lesson, strategy)
        return page(request, "tomorrow.html", lesson=lesson, plan=plan, strategies=GROUPING_STRATEGIES,
                    title=lesson_title(plan.class_name, plan.started, plan.ended))

    @private
    @reading
    async def tomorrow_print(request: Request) -> Response:
        lesson = await _lesson(request.query_params.get("lesson", ""))
        if lesson is None:
            return PlainTextResponse("no lesson yet", status_code=404, headers=PRIVATE_FILE)
        strategy = request.query_params.get("strategy", "readiness")
        plan, found = await asyncio.to_thread(history.tomorrow_and_report, lesson, strategy)
        from hub.report_pdf import tomorrow_pdf  # fonts and shaping: loaded when a PDF is first asked for

        pdf = await asyncio.to_thread(tomorrow_pdf, plan, found)
        name = f"tomorrow-{lesson.class_id or 'lesson'}-{lesson.key}.pdf"
        return Response(pdf, media_type="application/pdf",
                        headers={**PRIVATE_FILE, "Content-Disposition": f'inline; filename="{name}"'})

    @private
    async def roster(request: Request) -> Response:
        state = link.state
        students = sorted(state.students.items(), key=lambda item: item[1].name.casefold()) if state else []
        return page(request, "roster.html", students=students, state=state,
                    notice=request.session.pop("notice", ""))

    @change
    async def attendance(request: Request, form: dict[str, Any]) -> Response:
        mark = "absent" if form.get("mark") == "absent" else "present"
        await kit.command(request, "mark_attendance", {"student": request.path_params["student_id"], "mark": mark})
        return back("/roster")

    @private
    @reading
    async def card_pdf(request: Request) -> Response:
        """The student's card as it is now, as a PDF the browser opens to print (a GET: reloading it prints the
        same card again, never a new one)."""
        from hub.cards_pdf import UnprintableName

        student_id = request.path_params["student_id"]
        face = await asyncio.to_thread(history.card_face, student_id)
        if face is None:
            request.session["notice"] = f"{student_id} is in none of the room's classes today"
            return back("/roster")
        try:
            pdf = await asyncio.to_thread(_one_card, face)
        except UnprintableName as error:
            request.session["notice"] = str(error)
            return back("/roster")
        return Response(pdf, media_type="application/pdf", headers={
            **PRIVATE_FILE, "Content-Disposition": f'inline; filename="card-{student_id}.pdf"'})

    @change
    async def new_card(request: Request, form: dict[str, Any]) -> Response:
        """A lost card: the hub gives the student a new one (the old stops working) and the browser opens it."""
        student_id = request.path_params["student_id"]
        reply = await asyncio.to_thread(link.command, "reissue_card", {"student": student_id})
        if reply is None or not reply.ok:
            request.session["notice"] = reply.message if reply else "The hub did not answer: is it running?"
            return back("/roster")
        return back(f"/roster/{student_id}/card.pdf")

    @change
    async def add_student(request: Request, form: dict[str, Any]) -> Response:
        """A student new to the class: added at the hub, and their card opens to print."""
        args = {"first_name": str(form.get("first_name", "")).strip(),
                "last_name": str(form.get("last_name", "")).strip(), "group": str(form.get("group", "")) or None}
        reply = await asyncio.to_thread(link.command, "add_student", args)
        if reply is None or not reply.ok or not reply.data:
            request.session["notice"] = reply.message if reply else "The hub did not answer: is it running?"
            return back("/roster")
        request.session["notice"] = reply.message
        return back(f"/roster/{reply.data['student']}/card.pdf")

    return [
        Route("/groups", groups, methods=["GET"]),
        Route("/groups/suggest", suggest, methods=["POST"]),
        Route("/groups/move", move, methods=["POST"]),
        Route("/groups/apply", apply, methods=["POST"]),
        Route("/groups/forget", forget, methods=["POST"]),
        Route("/groups/adopt", adopt, methods=["POST"]),
        Route("/reports", reports, methods=["GET"]),
        Route("/reports/{key}", report, methods=["GET"]),
        Route("/reports/{key}/{table}.csv", report_csv, methods=["GET"]),
        Route("/tomorrow", tomorrow, methods=["GET"]),
        Route("/tomorrow.pdf", tomorrow_print, methods=["GET"]),
        Route("/roster", roster, methods=["GET"]),
        Route("/roster/{student_id}/attendance", attendance, methods=["POST"]),
        Route("/roster/{student_id}/card", new_card, methods=["POST"]),
        Route("/roster/add", add_student, methods=["POST"]),
        Route("/roster/{student_id}/card.pdf", card_pdf, methods=["GET"]),
    ]


def charts(report: Report) -> dict[str, Any]:
    """The report's bar charts as rows of (label, [(value, colour, words)]), with the largest total of each."""
    def ticket_parts(tickets: dict[str, int]) -> list[tuple[int, str, str]]:
        return [(tickets[t], TICKET_COLOURS[t], TICKET_WORDS[t]) for t in TICKETS]

    minutes = [(s.station, [(s.minutes, MINUTES_COLOUR, "minutes")]) for s in report.stations]
    station_tickets = [(s.station, ticket_parts(s.tickets)) for s in report.stations]
    group_tickets = [(g.group.replace("-", " ").title(), ticket_parts(g.tickets)) for g in report.groups]
    group_minutes = [(g.group.replace("-", " ").title(), [(g.minutes, MINUTES_COLOUR, "minutes")])
                     for g in report.groups]

    def most(rows: list) -> float:
        return max((sum(part[0] for part in parts) for _, parts in rows), default=0) or 1

    return {"minutes": minutes, "station_tickets": station_tickets, "group_tickets": group_tickets,
            "group_minutes": group_minutes, "most_minutes": most(minutes), "most_tickets": most(station_tickets),
            "most_group_tickets": most(group_tickets), "most_group_minutes": most(group_minutes)}


def _one_card(face: CardFace) -> bytes:
    import tempfile
    from pathlib import Path

    from hub.cards_pdf import write_cards

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "card.pdf"
        write_cards([face], path)
        return path.read_bytes()
