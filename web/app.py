"""The web companion's pages (Starlette): log in, the live room map with names, calls for help answered.

Starlette (with uvicorn and Jinja2) because it is small, async for the live pushes (Server-Sent Events, no
extra protocol), well kept, and its session middleware signs the cookie (itsdangerous): no session store on the
hub. Every page but the login is behind it; every change carries the session's CSRF token; nothing is cached.
"""
from __future__ import annotations

import asyncio
import hashlib
import hmac
import secrets
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response, StreamingResponse
from starlette.routing import Route
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates

from edge import pictures
from hub.display_link import DisplayLink
from hub.lesson_form import LessonForm, preset_label
from hub.report import TICKET_WORDS, clock_time
from shared.clock import LAST_TICKETS_SECONDS
from shared.config import Config
from shared.languages import LANGUAGES, language_name
from shared.pictures import GOAL_PICTURE_CHOICES, rgba
from shared.protocol import CHOSE, NOTE_TAGS, Action, Needs, Reply, State
from web.accounts import Accounts
from web.goals import goal_lines
from web.goals import routes as goal_routes
from web.history import DatabaseNotReady, History
from web.live import LiveMap, stream
from web.peers import PeerHelpSeen, peer_help_seen
from web.peers import routes as peer_routes
from web.planning import Kit
from web.planning import routes as planning_routes

HERE = Path(__file__).parent
templates = Jinja2Templates(directory=str(HERE / "templates"))
KIOSK_LANGUAGES = [(code, language_name(code)) for code in LANGUAGES]
templates.env.filters["clock"] = clock_time  # a time of day, 09:42
templates.env.filters["glyph"] = pictures.glyph  # a station's picture, in the Material Icons web font
templates.env.filters["station_rgb"] = lambda colour: "rgb({:.0f} {:.0f} {:.0f})".format(
    *(255 * c for c in rgba(colour)[:3]))
PRIVATE = {"Cache-Control": "no-store", "X-Frame-Options": "DENY", "Referrer-Policy": "no-referrer",
           "X-Content-Type-Options": "nosniff",
           "Content-Security-Policy": "default-src 'self'; frame-ancestors 'none'; form-action 'self'"}


def _start(form: dict[str, Any], link: DisplayLink) -> tuple[Action, dict[str, Any]]:
    """Start the chosen class with its preset (the lesson screen's form, as the board would send it)."""
    state = link.state
    if state is None:
        return "start", {}
    chosen = str(form.get("class", "")) or state.class_id
    setup = LessonForm.for_state(state, chosen)
    if form.get("choices"):  # the choice rounds part of the form was sent: it says them all, even none
        rounds = {int(r) for r in _values(form, "choice_round") if str(r).isdigit()}
        setup = setup.with_choices(rounds, {str(s) for s in _values(form, "must_do")})
    return "start", setup.start_args()


def _values(form: dict[str, Any], name: str) -> list[Any]:
    """A field that may be ticked more than once (checkboxes)."""
    value = form.get(name, [])
    return value if isinstance(value, list) else [value]


LIST_FIELDS = ("choice_round", "must_do")  # checkboxes: every one ticked, not just the last


LESSON_ACTIONS: dict[str, Callable[[dict[str, Any], DisplayLink], tuple[Action, dict[str, Any]]]] = {
    "start": _start,
    "pause": lambda form, link: ("pause", {}),
    "resume": lambda form, link: ("resume", {}),
    "extend": lambda form, link: ("extend", {"minutes": 1}),
    "next": lambda form, link: ("next", {}),
    "end": lambda form, link: ("end", {"collect": LAST_TICKETS_SECONDS}),
    "end-now": lambda form, link: ("end", {}),
}


def student_today(state: State, student_id: str) -> dict[str, Any]:
    """A student's lesson so far, in words: from the state, as the map has it."""
    student = state.students[student_id]
    presence = state.presence.get(student_id)
    where = state.station(presence.station) if presence else None
    progress = state.progress.get(student_id)
    group = next((g.name for g in state.groups if g.id == student.group), None)
    return {"name": student.name, "group": group, "where": where.name if where else "not checked in",
            "attendance": state.attendance.get(student_id), "out": student_id in state.out,
            "activity": progress.activity if progress else None, "goal": progress.goal if progress else None,
            "ticket": TICKET_WORDS.get(progress.ticket, "") if progress and progress.ticket else None,
            "next": progress.next if progress else None, "going": _going(state, student_id)}


def _going(state: State, student_id: str) -> str | None:
    """In a choice round: where the student goes, and whether they chose it."""
    choice = state.choice
    station = state.station(choice.going[student_id]) if choice and student_id in choice.going else None
    if choice is None or station is None:
        return None
    return f"{station.name} ({'chose it' if choice.how.get(student_id) == CHOSE else 'placed: did not choose'})"


def lesson_controls(link: DisplayLink) -> dict[str, Any]:
    """What the lesson's buttons need: running or paused, or the classes to start with their presets."""
    state = link.state
    if state is None:
        return {"running": False, "paused": False, "setup": None, "presets": [], "stations": []}
    return {"running": bool(state.clock.round), "paused": bool(state.clock.round and not state.clock.running),
            "setup": LessonForm.for_state(state),
            "presets": [(c.id, preset_label(c, state.clock.duration / 60)) for c in state.classes],
            "stations": [(s.id, s.name) for s in state.stations]}


def session_key(config: Config) -> str:
    """The key that signs session cookies: from the class secret, so a restart keeps teachers logged in and
    no second secret needs keeping."""
    return hmac.new(config.secret, b"rotation-station web sessions", hashlib.sha256).hexdigest()


def make_app(config: Config, link: DisplayLink, accounts: Accounts, secure: bool,
             now: Callable[[], float] = time.time, history: History | None = None) -> Starlette:
    live = LiveMap(link)
    history = history or History(config)

    def teacher(request: Request) -> str | None:
        return request.session.get("teacher")

    def token(request: Request) -> str:
        if "csrf" not in request.session:
            request.session["csrf"] = secrets.token_urlsafe(32)
        return request.session["csrf"]

    async def checked_form(request: Request) -> dict[str, Any] | None:
        """The form, if it carries this session's CSRF token."""
        form = await request.form()
        sent = str(form.get("csrf", ""))
        expected = request.session.get("csrf", "")
        if not (expected and hmac.compare_digest(sent, expected)):
            return None
        return {**dict(form), **{name: form.getlist(name) for name in LIST_FIELDS if name in form}}

    def page(request: Request, template: str, status: int = 200, **context: Any) -> Response:
        response = templates.TemplateResponse(request, template, {"csrf": token(request), "room": config.room_name,
                                                              "teacher": teacher(request), **context},
                                              status_code=status)
        response.headers.update(PRIVATE)
        return response

    def private(handler: Callable[[Request], Awaitable[Response]]) -> Callable[[Request], Awaitable[Response]]:
        """Only for a teacher logged in: a page sends the browser to the login, anything else is refused."""
        async def guarded(request: Request) -> Response:
            if teacher(request) is None:
                if request.method == "GET" and "text/html" in request.headers.get("accept", ""):
                    return RedirectResponse("/login", status_code=303, headers=PRIVATE)
                return PlainTextResponse("log in first", status_code=401, headers=PRIVATE)
            return await handler(request)
        return guarded

    def change(handler: Callable[[Request, dict[str, Any]], Awaitable[Response]]
               ) -> Callable[[Request], Awaitable[Response]]:
        """A change, for a teacher logged in, whose form carries this session's CSRF token (else refused)."""
        @private
        async def checked(request: Request) -> Response:
            form = await checked_form(request)
            if form is None:
                return PlainTextResponse("missing or wrong CSRF token", status_code=403, headers=PRIVATE)
            return await handler(request, form)
        return checked

    async def command(request: Request, action: Action, args: dict[str, Any]) -> Reply | None:
        """Send the command; the hub's answer is the notice on the next page (and returned: None if none came)."""
        reply = await asyncio.to_thread(link.command, action, args)
        request.session["notice"] = reply.message if reply else "The hub did not answer: is it running?"
        return reply

    async def login_page(request: Request) -> Response:
        return page(request, "login.html")

    async def log_in(request: Request) -> Response:
        form = await checked_form(request)
        if form is None:
            return page(request, "login.html", 403, error="The form was old: please try again.")
        name, password = str(form.get("name", "")).strip().lower(), str(form.get("password", ""))
        attempt = await asyncio.to_thread(accounts.log_in, name, password, now())
        if not attempt.ok:
            error = (f"Too many wrong passwords: try again in {int(-(-attempt.locked_for // 60))} min"
                     if attempt.locked_for else "Wrong name or password")
            return page(request, "login.html", 403 if attempt.locked_for else 401, error=error, name=name)
        request.session.clear()  # a new session at each login: nothing of the one before carries over
        request.session.update({"teacher": name, "csrf": secrets.token_urlsafe(32)})
        return RedirectResponse("/", status_code=303, headers=PRIVATE)

    @change
    async def log_out(request: Request, form: dict[str, Any]) -> Response:
        request.session.clear()
        return RedirectResponse("/login", status_code=303, headers=PRIVATE)

    @private
    async def room(request: Request) -> Response:
        return page(request, "room.html", map=link.map, notice=request.session.pop("notice", ""),
                    **lesson_controls(link))

    @private
    async def room_fragment(request: Request) -> Response:
        return page(request, "_map.html", map=link.map, **lesson_controls(link))

    @private
    async def events(request: Request) -> Response:
        csrf = token(request)
        events = stream(live, templates.env, lambda: {"csrf": csrf, **lesson_controls(link)}, request.is_disconnected)
        return StreamingResponse(events, media_type="text/event-stream", headers=PRIVATE)

    @change
    async def lesson(request: Request, form: dict[str, Any]) -> Response:
        """The lesson's buttons, as on the wall map: start (with the class's preset), pause, resume, +1 min,
        next round, end (with last exit tickets, or now)."""
        action = request.path_params["action"]
        if action not in LESSON_ACTIONS:
            return PlainTextResponse(f"no lesson action {action!r}", status_code=404, headers=PRIVATE)
        await command(request, *LESSON_ACTIONS[action](form, link))
        return RedirectResponse("/", status_code=303, headers=PRIVATE)

    @private
    async def student(request: Request) -> Response:
        """A student today: where, what they chose, their goal and exit ticket; a note in two taps (their name
        on the map, then a tag); and their last lessons."""
        state = link.state
        student_id = request.path_params["student_id"]
        if state is None or student_id not in state.students:
            return PlainTextResponse("no such student in the class running", status_code=404, headers=PRIVATE)
        try:
            past = await asyncio.to_thread(history.student_lessons, student_id)
            goals = await asyncio.to_thread(history.student_goals, student_id)
            peers = await asyncio.to_thread(lambda: peer_help_seen(
                student_id, history.peer_calls(student_id), history.lessons(200),
                {sid: s.name for sid, s in state.students.items()}, {s.id: s.name for s in config.stations}, now()))
        except DatabaseNotReady:
            past, goals, peers = [], [], PeerHelpSeen()
        stations = {s.id: s.name for s in config.stations}
        return page(request, "student.html", student_id=student_id, today=student_today(state, student_id),
                    standing=state.standing.get(student_id), goals=goal_lines(goals, stations),
                    goal_pictures=GOAL_PICTURE_CHOICES, peers=peers,
                    tags=NOTE_TAGS, notice=request.session.pop("notice", ""), past=past,
                    needs=state.students[student_id].needs or Needs(), languages=KIOSK_LANGUAGES,
                    room_language=language_name(config.language), room_speech=config.speech)

    @change
    async def needs(request: Request, form: dict[str, Any]) -> Response:
        """How the student is best asked at the kiosk: their language, large text, high contrast, speech."""
        student_id = request.path_params["student_id"]
        speech = {"on": True, "off": False}.get(str(form.get("speech", "")))
        await command(request, "set_needs", {"student": student_id, "needs": {
            "language": str(form.get("language", "")) or None, "large_text": form.get("large_text") == "on",
            "high_contrast": form.get("high_contrast") == "on", "speech": speech}})
        return RedirectResponse(f"/student/{student_id}", status_code=303, headers=PRIVATE)

    @change
    async def note(request: Request, form: dict[str, Any]) -> Response:
        student_id = request.path_params["student_id"]
        tags = [tag for tag in (str(form.get("tag", "")),) if tag]
        await command(request, "conference_note", {"student": student_id, "tags": tags,
                                                   "text": str(form.get("text", ""))})
        return RedirectResponse(f"/student/{student_id}", status_code=303, headers=PRIVATE)

    @change
    async def answer_help(request: Request, form: dict[str, Any]) -> Response:
        """A call for help: "On my way" (it stays open and says so, on the wall too) or Answered."""
        action: Action = "help_coming" if request.url.path.endswith("/coming") else "answer_help"
        reply = await asyncio.to_thread(link.command, action, {"id": request.path_params["request_id"]})
        if reply is None or not reply.ok:
            return PlainTextResponse(reply.message if reply else "the hub did not answer", status_code=409,
                                     headers=PRIVATE)
        return RedirectResponse("/", status_code=303, headers=PRIVATE)

    routes = [
        Route("/login", login_page, methods=["GET"]),
        Route("/login", log_in, methods=["POST"]),
        Route("/logout", log_out, methods=["POST"]),
        Route("/", room, methods=["GET"]),
        Route("/map", room_fragment, methods=["GET"]),
        Route("/events", events, methods=["GET"]),
        Route("/help/{request_id}/answer", answer_help, methods=["POST"]),
        Route("/help/{request_id}/coming", answer_help, methods=["POST"]),
        Route("/lesson/{action}", lesson, methods=["POST"]),
        Route("/student/{student_id}", student, methods=["GET"]),
        Route("/student/{student_id}/note", note, methods=["POST"]),
        Route("/student/{student_id}/needs", needs, methods=["POST"]),
        *planning_routes(kit := Kit(page, private, change, command, link, history)),
        *goal_routes(kit),
        *peer_routes(kit),
    ]
    middleware = [Middleware(SessionMiddleware, secret_key=session_key(config), session_cookie="rotation_session",
                             max_age=int(config.web.session_hours * 3600), same_site="strict", https_only=secure)]
    app = Starlette(routes=routes, middleware=middleware)
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")
    if pictures.WEB_FONT.exists():  # the pictures' font, from its Debian package, as it is
        app.mount("/pictures", StaticFiles(directory=str(pictures.WEB_FONT.parent)), name="pictures")
    return app
