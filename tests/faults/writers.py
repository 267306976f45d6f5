"""Writes events as fast as it can and prints the id of each one once it is acknowledged: committed to the
kiosk's outbox, or stored and made durable by the hub. The power-cut test kills it mid-write.

    python -m tests.faults.writers outbox|hub PATH
    python -m tests.faults.writers migrate|migrate-in-two-commits PATH

``migrate`` opens the hub database at PATH, which migrates it, printing "migrating" first, "transaction open"
once its migration has begun, and "migrated" once it has committed; the migration-kill test kills it in between.
"""
import sys
import time
import uuid

from shared.protocol import Event


def event(seq: int) -> Event:
    return Event(id=uuid.uuid4().hex, kind="checkin", card="RS1:s01:1:AAAAAAAAAAAAAAAA", station="tech",
                 at=time.time(), seq=seq, kiosk_time=time.time())


def migrate(path: str, in_two_commits: bool) -> None:
    """Open the hub database with the real steps, the one to version 2 run between two passes that change every
    event's kiosk_seq (n -> -1 - n, so the second gives back each value), so a migration of a large file takes
    long enough for a kill to land in it. ``in_two_commits`` commits halfway, as a broken migration would: the
    test must catch that."""
    import sqlite_utils  # noqa: F401  (loaded before, so the time between the two lines is the migration's)

    import hub.store
    from edge.migrations import Migration, Schema

    real = hub.store.HUB_SCHEMA.migrations[1]

    def slowly(conn) -> None:
        print("transaction open", flush=True)
        conn.execute("UPDATE events SET kiosk_seq = -1 - kiosk_seq")
        real.run(conn)
        if in_two_commits:
            conn.execute("COMMIT")
            conn.execute("BEGIN IMMEDIATE")
        conn.execute("UPDATE events SET kiosk_seq = -1 - kiosk_seq")

    first, _, *later = hub.store.HUB_SCHEMA.migrations
    hub.store.HUB_SCHEMA = Schema([first, Migration(2, real.what, slowly), *later], advice=hub.store.HUB_SCHEMA.advice)
    print("migrating", flush=True)
    store = hub.store.HubStore(path)
    print("migrated", flush=True)
    store.close()


def main(kind: str, path: str) -> None:
    if kind.startswith("migrate"):
        migrate(path, in_two_commits=kind == "migrate-in-two-commits")
        return
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
