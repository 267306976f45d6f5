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
from collections.abc import AsyncIterator, Awaitable, Callable
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

from hub.display_link import DisplayLink
from hub.mapview import RoomMap
from shared.config import Config
from web.accounts import Accounts

HERE = Path(__file__).parent
templates = Jinja2Templates(directory=str(HERE / "templates"))
PRIVATE = {"Cache-Control": "no-store", "X-Frame-Options": "DENY", "Referrer-Policy": "no-referrer",
           "X-Content-Type-Options": "nosniff",
           "Content-Security-Policy": "default-src 'self'; frame-ancestors 'none'; form-action 'self'"}


def session_key(config: Config) -> str:
    """The key that signs session cookies: from the class secret, so a restart keeps teachers logged in and
    no second secret needs keeping."""
    return hmac.new(config.secret, b"rotation-station web sessions", hashlib.sha256).hexdigest()


class LiveMap:
    """The link's map, pushed to every open page: a queue per browser, fed from the MQTT thread."""

    def __init__(self, link: DisplayLink) -> None:
        self.link = link
        self.loop: asyncio.AbstractEventLoop | None = None
        self.queues: set[asyncio.Queue[RoomMap]] = set()
        link.map_listeners.append(self._changed)

    def _changed(self, room_map: RoomMap) -> None:
        loop = self.loop
        if loop is not None and self.queues:
            loop.call_soon_threadsafe(self._publish, room_map)

    def _publish(self, room_map: RoomMap) -> None:
        for queue in self.queues:
            if queue.full():
                queue.get_nowait()  # a slow browser gets the newest map, not a backlog
            queue.put_nowait(room_map)


def make_app(config: Config, link: DisplayLink, accounts: Accounts, secure: bool,
             now: Callable[[], float] = time.time) -> Starlette:
    live = LiveMap(link)

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
        return dict(form) if expected and hmac.compare_digest(sent, expected) else None

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

    @private
    async def log_out(request: Request) -> Response:
        if await checked_form(request) is None:
            return PlainTextResponse("missing or wrong CSRF token", status_code=403, headers=PRIVATE)
        request.session.clear()
        return RedirectResponse("/login", status_code=303, headers=PRIVATE)

    @private
    async def room(request: Request) -> Response:
        return page(request, "room.html", map=link.map)

    @private
    async def room_fragment(request: Request) -> Response:
        return page(request, "_map.html", map=link.map)

    @private
    async def events(request: Request) -> Response:
        live.loop = asyncio.get_running_loop()
        queue: asyncio.Queue[RoomMap] = asyncio.Queue(maxsize=1)
        live.queues.add(queue)
        csrf = token(request)

        async def stream() -> AsyncIterator[str]:
            try:
                shown = None
                while not await request.is_disconnected():
                    try:
                        room_map = await asyncio.wait_for(queue.get(), timeout=15)
                    except TimeoutError:
                        yield ": still here\n\n"  # keeps proxies and the browser from closing the stream
                        continue
                    if room_map == shown:
                        continue
                    shown = room_map
                    html = templates.get_template("_map.html").render(map=room_map, csrf=csrf)
                    yield "event: map\n" + "".join(f"data: {line}\n" for line in html.splitlines()) + "\n"
            finally:
                live.queues.discard(queue)

        return StreamingResponse(stream(), media_type="text/event-stream", headers=PRIVATE)

    @private
    async def answer_help(request: Request) -> Response:
        form = await checked_form(request)
        if form is None:
            return PlainTextResponse("missing or wrong CSRF token", status_code=403, headers=PRIVATE)
        reply = await asyncio.to_thread(link.command, "answer_help", {"id": request.path_params["request_id"]})
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
    ]
    middleware = [Middleware(SessionMiddleware, secret_key=session_key(config), session_cookie="rotation_session",
                             max_age=int(config.web.session_hours * 3600), same_site="strict", https_only=secure)]
    app = Starlette(routes=routes, middleware=middleware)
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")
    return app
