"""``rotation kiosk scanners``: the keyboards and keyboard-mode scanners plugged in, and what to put in the room
file to read one."""
from __future__ import annotations

from pathlib import Path

from kiosk.input_devices import DEV_INPUT, SYS_INPUT, KeyboardDevice, keyboards
from rotation.tables import table
from shared.keyboard_layouts import LAYOUTS


def list_scanners(sys_input: Path = SYS_INPUT, dev_input: Path = DEV_INPUT) -> int:
    if not dev_input.is_dir() or not sys_input.is_dir():
        print(f"No input devices found: this machine has no {dev_input} (a container, or a kernel without "
              "input devices?). Run this on the kiosk's board.")
        return 1
    found = keyboards(sys_input, dev_input)
    if not found:
        print("No keyboards or keyboard-mode scanners found: is the scanner plugged in, and set to USB keyboard "
              "(HID) mode?")
        return 1
    print(listing(found))
    return 0


def listing(found: list[KeyboardDevice]) -> str:
    rows = [["scanner" if keyboard.looks_like_a_scanner else "keyboard", keyboard.name, keyboard.setting,
             keyboard.identity or "", "yes" if keyboard.readable else "no"] for keyboard in found]
    lines = [table(["looks like", "name", "scanner_device", "USB identity", "you can read it"], rows), "",
             'Put the scanner\'s in the room file: [kiosk] scanner_device = "<its scanner_device>", and, if the '
             f'scanner is set to type with another keyboard layout than US, scanner_layout = one of '
             f'{", ".join(LAYOUTS)}.',
             "Not sure which line is the scanner? Unplug it, run this again, and see which line is gone."]
    if not all(keyboard.readable for keyboard in found):
        lines.append("A device you cannot read: the kiosk's user must be in the `input` group (`sudo usermod -aG "
                     "input USER`, then log in again; the rotation-kiosk service's user is in it already).")
    return "\n".join(lines)
