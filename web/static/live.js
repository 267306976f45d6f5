// The room map follows the room: the server pushes the new map as HTML (Server-Sent Events); the browser
// reconnects by itself if the stream drops.
const map = document.getElementById("map");
const events = new EventSource("/events");
events.addEventListener("map", (event) => { map.innerHTML = event.data; });
