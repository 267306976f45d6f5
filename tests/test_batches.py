"""The batch worker behind the hub's journal and the kiosk's outbox sync."""
from edge.batches import BatchWorker


def test_items_that_arrive_together_share_one_pass():
    passes = []
    worker = BatchWorker("test", lambda batch: passes.append(list(batch)) or True, gather=0.2).start()
    for item in range(5):
        worker.put(item)
    assert worker.flush(5)
    worker.stop()
    assert passes == [[0, 1, 2, 3, 4]]


def test_a_failed_pass_keeps_its_items_and_tries_again():
    attempts = []

    def flaky(batch):
        attempts.append(list(batch))
        return len(attempts) > 1  # the disk refuses once

    worker = BatchWorker("test", flaky, gather=0.0, retry=0.05).start()
    worker.put("scan")
    assert worker.flush(5)
    worker.stop()
    assert attempts == [["scan"], ["scan"]]
