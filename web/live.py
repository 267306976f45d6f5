"""The live map in the teacher's browser: the link's map pushed over Server-Sent Events as it changes. The
first push is the whole map; after it, only the parts that changed (a station's tile, the clock, the calls for
help, the lesson's buttons), which the page puts in place of the old ones: a check-in redraws one tile, not the
room, and a button the teacher is about to tap stays where it is while the clock ticks."""
from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator, Callable
from typing import Any

from jinja2 import Environment

from hub.display_link import DisplayLink
from hub.mapview import RoomMap

TICK_SECONDS = 1.0  # the clock on the page counts down as the wall map's does
PARTS = (("map-controls", "_controls.html"), ("map-clock", "_clock.html"), ("map-alert", "_alert.html"),
         ("map-help", "_help.html"))
KEEP_ALIVE_SECONDS = 15.0  # a comment line when nothing changed for this long keeps proxies from closing it
STREAM_SECONDS = 600.0  # then the browser reconnects, through the login check: a stream outlives no session


class LiveMap:
    """The link's map, handed to every open page: a queue per browser, fed from the MQTT thread."""

    def __init__(self, link: DisplayLink, clock: Callable[[], float] = time.monotonic) -> None:
        self.link, self.clock = link, clock
        self.loop: asyncio.AbstractEventLoop | None = None
        self.queues: set[asyncio.Queue[RoomMap]] = set()
        self.ticked = 0.0
        link.map_listeners.append(self._changed)

    def tick(self) -> None:
        """Rebuild the map as time passes (once a second, however many browsers ask): every page's clock."""
        if self.clock() - self.ticked >= TICK_SECONDS * 0.9:
            self.ticked = self.clock()
            self.link.refresh()

    def _changed(self, room_map: RoomMap) -> None:
        loop = self.loop
        if loop is not None and self.queues:
            loop.call_soon_threadsafe(self._publish, room_map)

    def _publish(self, room_map: RoomMap) -> None:
        for queue in self.queues:
            if queue.full():
                queue.get_nowait()  # a slow browser gets the newest map, not a backlog
            queue.put_nowait(room_map)


def map_parts(env: Environment, room_map: RoomMap, context: dict[str, Any]) -> dict[str, str]:
    """The map's parts by their element ids, each as its HTML."""
    parts = {part: env.get_template(template).render(map=room_map, **context) for part, template in PARTS}
    tile = env.get_template("_tile.html")
    for each in room_map.tiles:
        parts[f"tile-{each.station_id}"] = tile.render(tile=each, **context)
    return parts


def _event(name: str, data: str) -> str:
    """An SSE event. Only a line feed breaks a data line here: other line breaks (U+2028...) stay in it."""
    lines = data.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return f"event: {name}\n" + "".join(f"data: {line}\n" for line in lines) + "\n"


async def stream(live: LiveMap, env: Environment, context: Callable[[], dict[str, Any]],
                 disconnected: Callable[[], Any]) -> AsyncIterator[str]:
    """The events of one browser's live map, until it goes (or for STREAM_SECONDS): ``map`` (the whole map's
    HTML) first and whenever the stations change, else ``parts`` (a JSON object of element id -> HTML, only
    those that changed)."""
    live.loop = asyncio.get_running_loop()
    queue: asyncio.Queue[RoomMap] = asyncio.Queue(maxsize=1)
    live.queues.add(queue)
    shown: dict[str, str] | None = None
    room_map = live.link.map
    ends = time.monotonic() + STREAM_SECONDS
    quiet_since = time.monotonic()
    try:
        while time.monotonic() < ends:
            values = context()
            parts = map_parts(env, room_map, values)
            if shown is None or list(shown) != list(parts):
                yield _event("map", env.get_template("_map.html").render(map=room_map, **values))
            else:
                changed = {part: html for part, html in parts.items() if shown[part] != html}
                if changed:
                    yield _event("parts", json.dumps(changed))
                    quiet_since = time.monotonic()
                elif time.monotonic() - quiet_since >= KEEP_ALIVE_SECONDS:
                    yield ": still here\n\n"
                    quiet_since = time.monotonic()
            shown = parts
            while True:
                try:
                    room_map = await asyncio.wait_for(queue.get(), timeout=TICK_SECONDS)
                    break
                except TimeoutError:
                    if await disconnected():
                        return
                    live.tick()
    finally:
        live.queues.discard(queue)
