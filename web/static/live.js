// The room map follows the room: the server pushes the whole map first (Server-Sent Events), then only the
// parts that changed, each in place of the element with its id. The browser reconnects by itself if the
// stream drops, and gets the whole map again.
const map = document.getElementById("map");
const events = new EventSource("/events");
events.addEventListener("map", (event) => { map.innerHTML = event.data; });
events.addEventListener("parts", (event) => {
  for (const [id, html] of Object.entries(JSON.parse(event.data))) {
    const old = document.getElementById(id);
    if (old) { old.outerHTML = html; }
  }
});
// A stream the server refused (the login ended) is not retried by the browser: the page reloads, to the login.
events.addEventListener("error", () => { if (events.readyState === EventSource.CLOSED) { location.reload(); } });
