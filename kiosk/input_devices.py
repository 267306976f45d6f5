"""The keyboards and keyboard-wedge scanners plugged in, and which one the room file's ``scanner_device`` names.

Found in sysfs (/sys/class/input) rather than by opening each device: that needs no permission to read the
devices, so a user not yet in the ``input`` group still sees the scanner, and is told why it cannot be read.
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from shared.config import SCANNER_IDENTITY
from shared.keyboard_layouts import KEY_0, KEY_1, KEY_ENTER

SYS_INPUT = Path("/sys/class/input")
DEV_INPUT = Path("/dev/input")
BUS_USB = 0x03
# What scanners' names say, and the USB vendors that make only scanners: a keyboard named so is one.
SCANNER_NAMES = re.compile(r"scanner|barcode|bar code|\bqr\b|\b[12]d\b|imager|honeywell|metrologic|hand ?held|zebra"
                           r"|symbol|datalogic|newland|zebex|netum|inateck|eyoyo", re.IGNORECASE)
SCANNER_VENDORS = {0x05E0: "Zebra (Symbol)", 0x0C2E: "Honeywell (Metrologic, Hand Held Products)",
                   0x05F9: "Datalogic", 0x1EAB: "Newland"}
KEYS_A_SCANNER_TYPES = (1 << KEY_ENTER) | sum(1 << code for code in range(KEY_1, KEY_0 + 1))


@dataclass(frozen=True)
class KeyboardDevice:
    """An input device with Enter and the digits: a keyboard, or a scanner that types like one."""
    node: Path  # /dev/input/eventN, which changes with each plugging in
    name: str
    bus: int
    vendor: int
    product: int
    by_id: Path | None  # the /dev/input/by-id/ link that follows it from one plugging in to the next
    readable: bool  # by this user

    @property
    def identity(self) -> str | None:
        """Its USB identity, as ``scanner_device`` takes it."""
        return f"usb:{self.vendor:04x}:{self.product:04x}" if self.bus == BUS_USB else None

    @property
    def looks_like_a_scanner(self) -> bool:
        return bool(SCANNER_NAMES.search(self.name)) or (self.bus == BUS_USB and self.vendor in SCANNER_VENDORS)

    @property
    def setting(self) -> str:
        """What to put in the room file as ``scanner_device``: the steadiest name it has."""
        return str(self.by_id or self.identity or self.node)


def keyboards(sys_input: Path = SYS_INPUT, dev_input: Path = DEV_INPUT) -> list[KeyboardDevice]:
    """Every keyboard and keyboard-wedge scanner, the likely scanners first."""
    links = _by_id_links(dev_input)
    found = []
    for event in sorted(sys_input.glob("event*"), key=lambda path: int(path.name.removeprefix("event") or 0)):
        device = event / "device"
        try:
            if _low_bits(device / "capabilities" / "key") & KEYS_A_SCANNER_TYPES != KEYS_A_SCANNER_TYPES:
                continue
            name = (device / "name").read_text().strip()
            bus, vendor, product = (int((device / "id" / field).read_text(), 16)
                                    for field in ("bustype", "vendor", "product"))
        except (OSError, ValueError):  # gone while being looked at, or not an input device of the usual kind
            continue
        node = dev_input / event.name
        found.append(KeyboardDevice(node, name, bus, vendor, product, links.get(node.resolve()),
                                    os.access(node, os.R_OK)))
    return sorted(found, key=lambda keyboard: not keyboard.looks_like_a_scanner)


def device_node(setting: str, sys_input: Path = SYS_INPUT, dev_input: Path = DEV_INPUT) -> Path:
    """The device the room file's ``scanner_device`` names now: a path as it is (a /dev/input/by-id link
    follows the scanner to whatever event device it gets), a USB identity its first keyboard device.
    FileNotFoundError while it is not plugged in."""
    identity = SCANNER_IDENTITY.match(setting)
    if identity is None:
        return Path(setting)
    vendor, product = (int(part, 16) for part in identity.groups())
    for keyboard in keyboards(sys_input, dev_input):
        if keyboard.bus == BUS_USB and (keyboard.vendor, keyboard.product) == (vendor, product):
            return keyboard.node
    raise FileNotFoundError(f"no keyboard device {setting} is plugged in")


def _low_bits(bitmap: Path) -> int:
    """The first 32 bits of a sysfs capability bitmap: its last word holds them, whether the kernel writes
    words of 32 or 64 bits, and Enter and the digits are among them."""
    words = bitmap.read_text().split()
    return int(words[-1], 16) & 0xFFFF_FFFF if words else 0


def _by_id_links(dev_input: Path) -> dict[Path, Path]:
    """{the device a /dev/input/by-id link points to: the link}."""
    folder = dev_input / "by-id"
    links: dict[Path, Path] = {}
    for link in sorted(folder.iterdir()) if folder.is_dir() else []:
        links.setdefault(link.resolve(), link)
    return links
