"""A kiosk account flooding the hub, as from a stolen kiosk's password: a process of its own, like the laptop it
runs on. Used by tests/security/test_kiosk_flood.py and bench/kiosk_flood.py.

    python -m tests.flooding_kiosk ROOM_TOML STATION STUDENT...

Logs in as the station's kiosk account and prints "ready". Then for each line "COUNT SECONDS" on stdin it sends
a genuine check-in of the first student, then COUNT check-ins of the others (valid cards, numbered on from it),
evenly over SECONDS, all QoS 1, and prints the genuine event's id and the seconds the flood took to be taken by
the broker. It speaks MQTT on a plain socket, its packets made beforehand, so that it costs this machine's cores
little more than the laptop's would (paho spends more on each message than the hub does).
"""
from __future__ import annotations

import socket
import struct
import sys
import threading
import time
import uuid

from edge.broker_setup import read_password
from shared.cards import sign_token
from shared.config import load_config
from shared.protocol import Event, encode
from shared.topics import Topics, kiosk_account

KEEPALIVE_SECONDS = 600
CHUNK_SECONDS = 0.005


def packet(kind: int, body: bytes) -> bytes:
    length, size = b"", len(body)
    while True:
        size, digit = size >> 7, size & 0x7F
        length += bytes([digit | (0x80 if size else 0)])
        if not size:
            return bytes([kind]) + length + body


def text(value: str) -> bytes:
    return struct.pack("!H", len(value.encode())) + value.encode()


def publish(topic: str, mid: int, payload: bytes) -> bytes:
    return packet(0x32, text(topic) + struct.pack("!H", mid) + payload)  # QoS 1


class Link:
    """A logged-in MQTT 3.1.1 connection that counts the broker's PUBACKs."""

    def __init__(self, host: str, port: int, account: str, password: str) -> None:
        self.sock = socket.create_connection((host, port))
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        flags = 0x80 | 0x40 | 0x02  # username, password, clean session
        self.sock.sendall(packet(0x10, text("MQTT") + bytes([4, flags]) + struct.pack("!H", KEEPALIVE_SECONDS)
                                 + text(account) + text(account) + text(password)))
        connack = self.sock.recv(4)
        if len(connack) < 4 or connack[3] != 0:
            raise SystemExit(f"the broker refused {account}: {connack!r}")
        self.acked = 0
        self.changed = threading.Condition()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        buffer = b""
        while chunk := self.sock.recv(65536):
            buffer += chunk
            while len(buffer) >= 2 and len(buffer) >= 2 + buffer[1]:  # PUBACKs: 4 bytes, one length byte
                if buffer[0] == 0x40:
                    with self.changed:
                        self.acked += 1
                        self.changed.notify_all()
                buffer = buffer[2 + buffer[1]:]

    def wait_acked(self, count: int, timeout: float) -> bool:
        with self.changed:
            return self.changed.wait_for(lambda: self.acked >= count, timeout)


def checkin(signing_key: bytes, station: str, student: str, seq: int) -> tuple[str, bytes]:
    now = time.time()
    event_id = uuid.uuid4().hex
    return event_id, encode(Event(id=event_id, kind="checkin", card=sign_token(signing_key, student), station=station,
                                  at=now, seq=seq, kiosk_time=now))


def main(config_path: str, station: str, genuine: str, *others: str) -> None:
    config = load_config(config_path)
    account = kiosk_account(station)
    topic = Topics(config.room_id).kiosk_event(station)
    link = Link(config.broker.host, config.broker.port, account, read_password(config.broker.accounts, account))
    seq = int(time.time())  # ahead of any the station's genuine kiosk used
    sent = 0
    print("ready", flush=True)
    for line in sys.stdin:
        count, seconds = int(line.split()[0]), float(line.split()[1])
        genuine_id, payload = checkin(config.signing_key, station, genuine, seq)
        link.sock.sendall(publish(topic, sent % 65535 + 1, payload))
        flood = [publish(topic, (sent + 1 + n) % 65535 + 1,
                         checkin(config.signing_key, station, others[n % len(others)], seq + 1 + n)[1])
                 for n in range(count)]
        seq, sent = seq + count + 1, sent + count + 1
        start = time.monotonic()
        done = 0
        while done < count:
            due = min(count, int((time.monotonic() - start) / seconds * count) + 1)
            link.sock.sendall(b"".join(flood[done:due]))
            done = due
            time.sleep(CHUNK_SECONDS)
        if not link.wait_acked(sent, 60):
            raise SystemExit("the broker did not take the flood within a minute")
        print(genuine_id, time.monotonic() - start, flush=True)
    link.sock.close()


if __name__ == "__main__":
    main(*sys.argv[1:])
