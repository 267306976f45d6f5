"""The MQTT client that sends from the publishing thread: nothing is lost, torn or reordered when several
threads publish at once, big messages among small ones (as the hub's snapshots and presence changes do)."""
import sys
import threading

import pytest

from edge.mqtt import make_client
from shared.config import BrokerConfig
from tests.conftest import eventually
from tests.mqtt_client import TestClient

BIG = 300 * 1024  # more than a socket takes at once, so the network thread finishes the write


@pytest.fixture
def threads_swap_often():
    """Python switches threads every 10 µs instead of 5 ms, so an unsafe interleaving shows up."""
    previous = sys.getswitchinterval()
    sys.setswitchinterval(1e-5)
    yield
    sys.setswitchinterval(previous)


def test_messages_from_several_threads_arrive_whole_and_in_each_threads_order(broker, threads_swap_often):
    listener = TestClient(broker.port, "t/#")
    client = make_client("prompt-test", BrokerConfig(host="127.0.0.1", port=broker.port), "test")
    client.connect("127.0.0.1", broker.port)
    client.loop_start()
    eventually(client.is_connected, message="the client to connect")

    def send(topic: str, count: int, size: int) -> None:
        for index in range(count):
            client.publish(topic, f"{index:06d}".encode().ljust(size, b"."), qos=1)

    senders = [threading.Thread(target=send, args=("t/small", 1000, 60)),
               threading.Thread(target=send, args=("t/big", 30, BIG)),
               threading.Thread(target=send, args=("t/other", 1000, 200))]
    for sender in senders:
        sender.start()
    for sender in senders:
        sender.join()
    eventually(lambda: len(listener.messages) == 2030, 20, "every message to arrive")
    client.disconnect()
    client.loop_stop()

    for topic, size in (("t/small", 60), ("t/big", BIG), ("t/other", 200)):
        payloads = [m.payload for m in listener.messages if m.topic == topic]
        assert all(len(p) == size for p in payloads), f"a message on {topic} arrived torn"
        assert [int(p[:6]) for p in payloads] == list(range(len(payloads))), f"{topic} arrived out of order"
    listener.close()


def test_a_message_sent_from_a_callback_after_another_thread_disconnected_does_not_hang(broker):
    """The hub answers from its message callback while it is being stopped: the DISCONNECT another thread queued
    must not be written from inside the callback (paho's disconnect callback would wait for the callback's own
    lock: the hub hung in its tests so)."""
    sender = TestClient(broker.port)
    client = make_client("prompt-callback", BrokerConfig(host="127.0.0.1", port=broker.port), "test")
    subscribed, answered = threading.Event(), threading.Event()
    client.on_connect = lambda c, *_: c.subscribe("t/in", 1)
    client.on_subscribe = lambda *_: subscribed.set()
    client.on_disconnect = lambda *_: None  # the hub has one: paho calls it under the callbacks' lock

    def on_message(c, userdata, msg) -> None:
        stopping = threading.Thread(target=c.disconnect)  # as HubService.stop does, from its own thread
        stopping.start()
        stopping.join()
        c.publish("t/out", b"answer", qos=1)
        answered.set()

    client.on_message = on_message
    client.connect("127.0.0.1", broker.port)
    client.loop_start()
    assert subscribed.wait(5)
    sender.publish("t/in", b"question")
    assert answered.wait(5), "the callback hung on its own answer"
    stopper = threading.Thread(target=client.loop_stop)
    stopper.start()
    stopper.join(5)
    assert not stopper.is_alive(), "the client's network thread never ended"
    sender.close()


def test_the_paho_internals_the_client_relies_on_are_still_there(broker):
    """PromptClient takes paho's lock on its messages before its own (paho's network thread resends under it
    when it reconnects, then writes), tells paho's own thread by ``_thread`` and silences ``_sockpairW``: a paho
    that changes them must fail here, not hang a kiosk."""
    client = make_client("prompt-internals", BrokerConfig(host="127.0.0.1", port=broker.port), "test")
    assert type(client._out_message_mutex) is type(threading.RLock())  # taken again inside paho's publish
    client.connect("127.0.0.1", broker.port)
    client.loop_start()
    try:
        eventually(client.is_connected, message="the client to connect")
        assert isinstance(client._thread, threading.Thread) and client._thread.is_alive()
        assert client._sockpairW is not None
    finally:
        client.disconnect()
        client.loop_stop()
