"""What a serial port set to one speed reads of bytes sent at another: the wire as a UART samples it.

The sender puts each byte on the line as a start bit (low), eight data bits (least significant first) and a
stop bit (high); the line idles high. The receiver waits for a falling edge, samples the middle of each of
its own bit times, and hands on the byte, or a NUL where the stop bit was low (a framing error, as Linux's
terminal layer delivers it without PARMRK or IGNPAR).
"""
from __future__ import annotations

import bisect


def as_heard_at(data: bytes, sent_at: int, read_at: int) -> bytes:
    bits = [level for byte in data for level in (0, *((byte >> i) & 1 for i in range(8)), 1)]
    sent, read = 1 / sent_at, 1 / read_at
    # The times at which the line falls from high to low (the start of a start bit).
    falls = [i * sent for i, level in enumerate(bits) if level == 0 and (i == 0 or bits[i - 1] == 1)]

    def level(at: float) -> int:
        index = int(at / sent)
        return bits[index] if index < len(bits) else 1

    heard = bytearray()
    at = 0.0
    while (next_fall := bisect.bisect_left(falls, at)) < len(falls):
        edge = falls[next_fall]
        if level(edge + read / 2) == 1:  # a glitch, not a start bit
            at = edge + sent / 2
            continue
        byte = sum(level(edge + (1.5 + i) * read) << i for i in range(8))
        heard.append(byte if level(edge + 9.5 * read) == 1 else 0)
        at = edge + 9.5 * read
    return bytes(heard)
