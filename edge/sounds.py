"""Sounds on a kiosk or the display, where there is an audio device to play them."""
from __future__ import annotations

import logging
from pathlib import Path

from kivy.core.audio import SoundLoader

log = logging.getLogger("rotation.sounds")


def load_sound(path: Path, quiet: bool = False):
    """The sound, or None where there is no audio device: the colour and the words still tell."""
    sound = SoundLoader.load(str(path))
    if sound is None or not sound.length:
        if not quiet:
            log.warning("cannot play %s (no audio device?); the screen stays silent", path.name)
        return None
    return sound
