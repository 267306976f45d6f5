"""The pictures' glyphs, from Debian's fonts-material-design-icons-iconfont (Google's Material Icons,
Apache-2.0): the font file every part draws them with, and each name's code point, read from the package's
own stylesheet, so a picture added upstream needs no change here."""
from __future__ import annotations

import functools
import logging
import re
from pathlib import Path

log = logging.getLogger("rotation.pictures")
PACKAGE = "fonts-material-design-icons-iconfont"
FONT = Path("/usr/share/fonts/truetype/material-design-icons-iconfont/MaterialIcons-Regular.ttf")
WEB_FONT = Path("/usr/share/fonts/woff/material-design-icons-iconfont/MaterialIcons-Regular.woff2")
STYLESHEET = Path("/usr/share/fonts-material-design-icons-iconfont/css/material-design-icons.css")
# The font as Kivy names it: without the package, Kivy's own (no picture is drawn then: glyph() gives "").
KIVY_FONT = str(FONT) if FONT.exists() else "Roboto"
_RULE = re.compile(r'\.material-icons\.([a-z0-9_]+):before\s*\{\s*content:\s*"\\([0-9a-f]+)"')


@functools.cache
def glyphs() -> dict[str, str]:
    """Each picture's character in FONT; empty (pictures left out, the words still there) without the package."""
    try:
        text = STYLESHEET.read_text(encoding="utf-8")
    except OSError:
        log.warning("no pictures: install the Debian package %s", PACKAGE)
        return {}
    return {name.lstrip("_"): chr(int(code, 16)) for name, code in _RULE.findall(text)}


def glyph(name: str | None) -> str:
    """The picture's character, or "" for an unknown name (a typo in the config is said once, in the log)."""
    if not name:
        return ""
    found = glyphs().get(name)
    if found is None and glyphs():
        _unknown(name)
    return found or ""


@functools.cache
def _unknown(name: str) -> None:
    log.warning("no picture %r in %s: see https://fonts.google.com/icons for the names", name, PACKAGE)
