"""Stands in for a camera's tool: writes raw 8-bit frames (640x480) to stdout, each picture for a number of
frames and a blank wall between them, then stops, as an unplugged camera would.

    python -m tests.camera_feed FRAMES PICTURE.png [PICTURE.png ...]
"""
import sys

from PIL import Image

WIDTH, HEIGHT = 640, 480


def main(frames: int, pictures: list[str]) -> None:
    blank = bytes([128]) * (WIDTH * HEIGHT)
    out = sys.stdout.buffer
    for path in pictures:
        frame = Image.open(path).convert("L").resize((WIDTH, HEIGHT)).tobytes()
        for _ in range(frames):
            out.write(frame)
        for _ in range(frames):
            out.write(blank)
    out.flush()


if __name__ == "__main__":
    main(int(sys.argv[1]), sys.argv[2:])
