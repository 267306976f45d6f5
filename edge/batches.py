"""A thread that handles work in batches, off the path that asked for it.

Both the hub's journal (store, fsync, ack) and the kiosk's outbox sync (fsync) ask for work that must not
hold up a scan and that is cheaper done once for several requests: the thread waits ``gather`` seconds
after the first item so the items that follow share the pass. A pass that fails keeps its items, which are
tried again after ``retry`` seconds with whatever came meanwhile.
"""
from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Generic, TypeVar

Item = TypeVar("Item")


class BatchWorker(Generic[Item]):
    def __init__(self, name: str, handle: Callable[[list[Item]], bool], gather: float,
                 retry: float = 1.0) -> None:
        self.handle, self.gather, self.retry = handle, gather, retry
        self._waiting: list[Item] = []
        self._put = self._done = 0
        self._changed = threading.Condition()
        self._stopping = False
        self._idle = False  # waiting for a first item, as opposed to gathering more
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)

    def start(self) -> BatchWorker[Item]:
        self._thread.start()
        return self

    def put(self, item: Item) -> None:
        with self._changed:
            self._waiting.append(item)
            self._put += 1
            if self._idle:  # while gathering, the worker wakes by itself: no thread switch per item
                self._changed.notify_all()

    def flush(self, timeout: float = 10.0) -> bool:
        """Wait until every item put so far has been handled."""
        with self._changed:
            target = self._put
            return self._changed.wait_for(lambda: self._done >= target, timeout)

    def stop(self, timeout: float = 10.0) -> None:
        self.flush(timeout)
        with self._changed:
            self._stopping = True
            self._changed.notify_all()
        self._thread.join()

    def _run(self) -> None:
        while True:
            with self._changed:
                self._idle = True
                self._changed.wait_for(lambda: self._waiting or self._stopping)
                self._idle = False
                if self._stopping and not self._waiting:
                    return
                if not self._stopping:
                    self._changed.wait_for(lambda: self._stopping, self.gather)
                batch, self._waiting = self._waiting, []
            if self.handle(batch):
                with self._changed:
                    self._done += len(batch)
                    self._changed.notify_all()
            else:
                with self._changed:
                    self._waiting[:0] = batch
                    self._changed.wait_for(lambda: self._stopping, self.retry)
                    if self._stopping:
                        return
