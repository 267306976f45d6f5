"""Writes events as fast as it can and prints the id of each one once it is acknowledged: committed to the
kiosk's outbox, or stored and made durable by the hub. The power-cut test kills it mid-write.

    python -m tests.faults.writers outbox|hub PATH
"""
import sys
import time
import uuid

from shared.protocol import Event


def event(seq: int) -> Event:
    return Event(uuid.uuid4().hex, "checkin", "RS1:s01:1:AAAAAAAAAAAAAAAA", "tech", time.time(), seq, time.time())


def main(kind: str, path: str) -> None:
    if kind == "outbox":
        from kiosk.outbox import Outbox

        outbox = Outbox(path)
        while True:
            made = event(outbox.next_seq())
            outbox.add(made)
            print(made.id, flush=True)
    from hub.store import HubStore, ReceivedEvent

    store = HubStore(path)
    seq = 0
    while True:
        batch = [ReceivedEvent("tech", event(seq + n), "s01", time.time(), True, "", seq + n) for n in range(1, 6)]
        seq += len(batch)
        store.add_events(batch)
        store.make_durable()
        print("\n".join(r.event.id for r in batch), flush=True)


if __name__ == "__main__":
    main(*sys.argv[1:])
