"""Spoken prompts: each prompt a student sees, spoken in their language by espeak-ng, made ahead of time.

Sounds are made on a thread of their own, whenever a language or a station's name first appears, into a
cache folder beside the outbox (kept across restarts), and never on the scan's path: a prompt whose sound is
not made yet is shown silently. espeak-ng makes a prompt about a hundred times faster than it is spoken here
(a Pi 4, five times slower, still twenty); a neural voice such as Piper would need its voice models fetched
from the internet, which a school's kiosk has not. Names are left out of what is said: "Hi" then the
question, never a name mispronounced across the room.
"""
from __future__ import annotations

import hashlib
import itertools
import logging
import os
import queue
import shutil
import string
import subprocess
import threading
import wave
from array import array
from collections.abc import Iterable
from pathlib import Path

from kiosk.words import NAME_FIELDS, messages, say_without_name, words
from shared.languages import SOURCE_LANGUAGE

log = logging.getLogger("rotation.speech")
ESPEAK = "espeak-ng"
VOICES = {"en": "en-us", "es": "es-419", "uk": "uk"}  # the voice for each kiosk language
SPEED = 140  # words a minute: slower than espeak's 175, for a young listener
PAUSE_AFTER = 0.25  # seconds of quiet kept after a prompt: espeak leaves 0.45 s, a long gap before the next
QUIET = 200  # of 32767: a sample this loud or less is silence
SOUND_FORMAT = 2  # the cache's folder: sounds made another way (1: untrimmed) are deleted and made again


def everything_said(language: str, stations: Iterable[str] = (), classes: Iterable[str] = (),
                    places: int = 8) -> set[str]:
    """Every text a kiosk may say in the language: each message without a name, with each station's and
    class's name where it names one, and each place in a line; clocks and counts are not said."""
    w = words(language)
    values = {"station": list(stations), "cls": list(classes), "running": list(classes),
              "place": [str(n) for n in range(1, places + 1)]}
    said = set()
    for message in messages():
        fields = {name for _, name, _, _ in string.Formatter().parse(message) if name} - set(NAME_FIELDS)
        if not fields <= values.keys():
            continue
        for filled in itertools.product(*(values[field] for field in sorted(fields))):
            said.add(say_without_name(w, message, **dict(zip(sorted(fields), filled, strict=True))))
    return {text for text in said if text}


class Speech:
    """The sounds of what a kiosk says, made on a thread of its own into ``folder``."""

    def __init__(self, folder: Path, espeak: str | None = None) -> None:
        self.folder = folder
        self.espeak = espeak or shutil.which(ESPEAK)
        self._wanted: queue.Queue[tuple[str, str] | None] = queue.Queue()
        self._asked: set[tuple[str, str]] = set()
        self._pending = 0
        self._idle = threading.Condition()
        self._thread: threading.Thread | None = None
        if self.espeak is None:
            log.warning("no %s: the kiosk shows its prompts without speaking them (install the Debian package "
                        "espeak-ng)", ESPEAK)

    def path(self, language: str, text: str) -> Path:
        digest = hashlib.sha256(f"{VOICES.get(language, language)}|{SPEED}|{text}".encode()).hexdigest()[:20]
        return self.folder / f"format-{SOUND_FORMAT}" / language / f"{digest}.wav"

    def ready(self, language: str, text: str) -> Path | None:
        """The sound of the text, if it is made; else it is asked for, and None."""
        path = self.path(language, text)
        if path.exists():
            return path
        self.prepare(language, [text])
        return None

    def prepare(self, language: str, texts: Iterable[str]) -> None:
        """Make the sounds of these texts, in the background, unless made before."""
        if self.espeak is None:
            return
        for text in texts:
            if (language, text) not in self._asked and not self.path(language, text).exists():
                self._asked.add((language, text))
                with self._idle:
                    self._pending += 1
                self._wanted.put((language, text))
        if self._thread is None and self._pending:
            self._thread = threading.Thread(target=self._make_forever, name="kiosk-speech", daemon=True)
            self._thread.start()

    def wait(self, timeout: float | None = None) -> bool:
        """Until every sound asked for is made; False if that takes longer than ``timeout``."""
        with self._idle:
            return self._idle.wait_for(lambda: self._pending == 0, timeout)

    def _make_forever(self) -> None:
        self._forget_other_formats()
        while (item := self._wanted.get()) is not None:
            language, text = item
            try:
                self._make(language, text)
            except (OSError, subprocess.SubprocessError, wave.Error, EOFError) as error:
                # A full disk among them: asked for again when next needed, by when there may be room.
                log.warning("could not make the sound of a prompt in %s: %s", language, error)
                self._asked.discard((language, text))
            with self._idle:
                self._pending -= 1
                self._idle.notify_all()

    def _make(self, language: str, text: str) -> None:
        assert self.espeak is not None  # nothing is asked for without it
        path = self.path(language, text)
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(".part")
        try:
            subprocess.run([self.espeak, "-v", VOICES.get(language, language), "-s", str(SPEED), "-w",
                            str(partial), "--", text], check=True, capture_output=True, timeout=30)
            trim_trailing_silence(partial)  # also: espeak-ng says nothing of a full disk, this finds it
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
        os.replace(partial, path)  # whole or not at all: a kiosk killed meanwhile never plays half a prompt

    def _forget_other_formats(self) -> None:
        """Delete the sounds an older kiosk made another way: they would never be played again."""
        current = self.path(SOURCE_LANGUAGE, "").parent.parent
        for entry in self.folder.iterdir() if self.folder.is_dir() else ():
            if entry != current and entry.is_dir():
                shutil.rmtree(entry, ignore_errors=True)

    def stop(self) -> None:
        if self._thread is not None:
            self._wanted.put(None)


def trim_trailing_silence(path: Path, keep: float = PAUSE_AFTER) -> None:
    """Cut the quiet at the end of a 16-bit WAV down to ``keep`` seconds. A prompt is said in parts (the
    greeting, then the question), and every part, loaded, costs the kiosk 176 kB a second at the mixer's rate."""
    with wave.open(str(path)) as sound:
        params = sound.getparams()
        frames = sound.readframes(params.nframes)
    if params.sampwidth != 2:
        return
    if not frames:
        raise wave.Error(f"{path.name} has no sound")
    samples = array("h", frames)
    step = params.nchannels
    last = next((i for i in range(len(samples) - 1, -1, -1) if abs(samples[i]) > QUIET), 0)
    end = min(len(samples), (last // step + 1 + int(params.framerate * keep)) * step)
    with wave.open(str(path), "wb") as sound:
        sound.setparams(params)
        sound.writeframes(samples[:end].tobytes())
