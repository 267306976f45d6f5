"""The anchor's far end for bench/web_latency.py: an MQTT subscriber that pushes each payload, as it is, to the
browsers listening on Server-Sent Events: the web companion's transport with none of its work.

    python bench/sse_relay.py BROKER_PORT TOPIC USERNAME PASSWORD HTTP_PORT
"""
from __future__ import annotations

import asyncio
import sys

import paho.mqtt.client as mqtt
import uvicorn
from starlette.applications import Starlette
from starlette.responses import HTMLResponse, StreamingResponse
from starlette.routing import Route

PAGE = """<!doctype html><title>anchor</title><script>
window.arrivals = [];
new EventSource("/events").addEventListener("payload", event => {
  window.arrivals.push([performance.timeOrigin + performance.now(), event.data.length]);
});
</script>"""


def main(broker_port: int, topic: str, username: str, password: str, http_port: int) -> None:
    queues: set[asyncio.Queue[str]] = set()
    loop: asyncio.AbstractEventLoop | None = None

    def received(client, userdata, message) -> None:
        text = message.payload.decode()
        for queue in list(queues):
            if loop is not None:
                loop.call_soon_threadsafe(queue.put_nowait, text)

    async def page(request):
        return HTMLResponse(PAGE)

    async def events(request):
        nonlocal loop
        loop = asyncio.get_running_loop()
        queue: asyncio.Queue[str] = asyncio.Queue()
        queues.add(queue)

        async def stream():
            try:
                yield ": open\n\n"
                while True:
                    text = await queue.get()
                    yield "event: payload\n" + "".join(f"data: {line}\n" for line in text.splitlines()) + "\n"
            finally:
                queues.discard(queue)
        return StreamingResponse(stream(), media_type="text/event-stream")

    client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id="bench-sse-relay")
    client.username_pw_set(username, password)
    client.on_message = received
    client.on_connect = lambda c, *args: c.subscribe(topic, qos=1)
    client.connect("127.0.0.1", broker_port)
    client.loop_start()
    app = Starlette(routes=[Route("/", page), Route("/events", events)])
    print("ready", flush=True)
    uvicorn.run(app, host="127.0.0.1", port=http_port, log_level="warning", access_log=False)


if __name__ == "__main__":
    main(int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5]))
