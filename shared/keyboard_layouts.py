"""Which character each key of a keyboard-wedge scanner types, for the keyboard layouts a scanner can be set to.

A keyboard-wedge scanner "types" a card's text as a keyboard would: for each character, the key (and Shift or
AltGr) that types it on the layout the scanner is set to. The kiosk reads the keys, not the characters, so it
decodes them with the scanner's own layout, whatever the kiosk's keyboard layout is. Pure data: the keys are
Linux's key codes (linux/input-event-codes.h, the kernel's ABI) so that nothing here needs python-evdev.

Each layout is written as rows of the keyboard, one character per key in ``KEY_ROWS``' order, once for each
level (plain, Shift, AltGr); a space is a key that types nothing on that level (a dead key, or none). A card
needs letters, digits, ``.``, ``_``, ``-``, ``:`` and, for a scanner that sends a symbology identifier, ``]``;
every ASCII character a layout types without a dead key is here.
"""
from __future__ import annotations

from dataclasses import dataclass

KEY_TAB, KEY_ENTER, KEY_KPENTER, KEY_SPACE = 15, 28, 96, 57
KEY_LEFTSHIFT, KEY_RIGHTSHIFT, KEY_LEFTALT, KEY_RIGHTALT = 42, 54, 56, 100
KEY_LEFTCTRL, KEY_RIGHTCTRL, KEY_LEFTMETA, KEY_RIGHTMETA = 29, 97, 125, 126
KEY_CAPSLOCK, KEY_NUMLOCK, KEY_SCROLLLOCK = 58, 69, 70
KEY_GRAVE, KEY_BACKSLASH, KEY_102ND = 41, 43, 86
KEY_1, KEY_0, KEY_Q, KEY_RIGHTBRACE, KEY_A, KEY_APOSTROPHE, KEY_Z, KEY_SLASH = 2, 11, 16, 27, 30, 40, 44, 53
KEY_KP7, KEY_KP8, KEY_KP9, KEY_KPMINUS, KEY_KP4, KEY_KP5, KEY_KP6, KEY_KPPLUS = 71, 72, 73, 74, 75, 76, 77, 78
KEY_KP1, KEY_KP2, KEY_KP3, KEY_KP0, KEY_KPDOT, KEY_KPASTERISK, KEY_KPSLASH = 79, 80, 81, 82, 83, 55, 98

KEY_ROWS: tuple[tuple[int, ...], ...] = (
    (KEY_GRAVE, *range(KEY_1, KEY_0 + 3)),  # ` 1 2 … 9 0 - =
    tuple(range(KEY_Q, KEY_RIGHTBRACE + 1)),  # q w e … p [ ]
    (*range(KEY_A, KEY_APOSTROPHE + 1), KEY_BACKSLASH),  # a s d … l ; ' and \ (# on a European keyboard)
    (KEY_102ND, *range(KEY_Z, KEY_SLASH + 1)),  # the European key left of z, then z x c … , . /
)
PLAIN, SHIFT, ALTGR = range(3)  # the levels of a key
# Keys that type the same on every layout. The keypad's as with Num Lock on, whatever its light: a scanner set to
# type digits on the keypad means the digits.
EVERY_LAYOUT = {KEY_SPACE: " ", KEY_KP0: "0", KEY_KP1: "1", KEY_KP2: "2", KEY_KP3: "3", KEY_KP4: "4", KEY_KP5: "5",
                KEY_KP6: "6", KEY_KP7: "7", KEY_KP8: "8", KEY_KP9: "9", KEY_KPDOT: ".", KEY_KPMINUS: "-",
                KEY_KPPLUS: "+", KEY_KPASTERISK: "*", KEY_KPSLASH: "/"}
# Keypad digits typed with Alt held make the character of that number: a scanner's "Alt mode", which types
# any character whatever the layout.
KEYPAD_DIGITS = {code: int(EVERY_LAYOUT[code]) for code in
                 (KEY_KP0, KEY_KP1, KEY_KP2, KEY_KP3, KEY_KP4, KEY_KP5, KEY_KP6, KEY_KP7, KEY_KP8, KEY_KP9)}
_NOTHING = tuple(" " * len(row) for row in KEY_ROWS)


@dataclass(frozen=True)
class KeyboardLayout:
    description: str
    plain: tuple[str, ...]
    shift: tuple[str, ...]
    altgr: tuple[str, ...] = _NOTHING

    def characters(self) -> dict[tuple[int, int], str]:
        """What each key types on each level: {(key code, level): character}."""
        typed = {(code, level): character for level in (PLAIN, SHIFT)
                 for code, character in EVERY_LAYOUT.items()}
        for level, rows in enumerate((self.plain, self.shift, self.altgr)):
            for codes, row in zip(KEY_ROWS, rows, strict=True):
                typed.update({(code, level): character
                              for code, character in zip(codes, row, strict=True) if character != " "})
        return typed


LAYOUTS = {
    "us": KeyboardLayout("US English (the scanners' factory setting)",
                         plain=("`1234567890-=", "qwertyuiop[]", "asdfghjkl;'\\", "<zxcvbnm,./"),
                         shift=("~!@#$%^&*()_+", "QWERTYUIOP{}", 'ASDFGHJKL:"|', ">ZXCVBNM<>?")),
    "uk": KeyboardLayout("British English",
                         plain=("`1234567890-=", "qwertyuiop[]", "asdfghjkl;'#", "\\zxcvbnm,./"),
                         shift=('¬!"£$%^&*()_+', "QWERTYUIOP{}", "ASDFGHJKL:@~", "|ZXCVBNM<>?")),
    "de": KeyboardLayout("German (QWERTZ)",
                         plain=(" 1234567890ß ", "qwertzuiopü+", "asdfghjklöä#", "<yxcvbnm,.-"),
                         shift=('°!"§$%&/()=? ', "QWERTZUIOPÜ*", "ASDFGHJKLÖÄ'", ">YXCVBNM;:_"),
                         altgr=("  ²³   {[]}\\ ", "@ €        ~", " " * 12, "|      µ   ")),
    "fr": KeyboardLayout("French (AZERTY)",
                         plain=("²&é\"'(-è_çà)=", "azertyuiop $", "qsdfghjklmù*", "<wxcvbn,;:!"),
                         shift=(" 1234567890°+", "AZERTYUIOP £", "QSDFGHJKLM%µ", ">WXCVBN?./§"),
                         altgr=("  ~#{[|`\\^@]}", "  €        ¤", " " * 12, " " * 11)),
}
