"""The kiosk's words in each language, from the gettext catalogs in kiosk/locale (made with Babel by
scripts/translations.sh, read here by Python's own gettext: Babel would cost the kiosk 6 MB).

A catalog is read once, when its language first appears: the room's at start-up, a student's when the room's
state names it (kiosk/app.py), so a scan never waits on a file.
"""
from __future__ import annotations

import functools
import gettext
import re
from pathlib import Path

from shared.languages import LANGUAGES, SOURCE_LANGUAGE

LOCALE_DIR = Path(__file__).with_name("locale")
DOMAIN = "kiosk"


class Words:
    """One language's words: ``say("Hi {name}", name="Maya")``."""

    def __init__(self, language: str, translations: gettext.NullTranslations) -> None:
        self.language = language
        self._translations = translations

    def say(self, message: str, **params: object) -> str:
        if not message:
            return ""
        text = self._translations.gettext(message)
        return text.format(**params) if params else text

    def count(self, singular: str, plural: str, n: int, **params: object) -> str:
        return self._translations.ngettext(singular, plural, n).format(n=n, **params)


def say_without_name(w: Words, message: str, **params: object) -> str:
    """What is said aloud of a message shown with a name: the name left out, "Hola, " is "Hola"."""
    text = w.say(message, **{**params, "name": ""})
    return re.sub(r"\s+", " ", re.sub(r"^[\s,]+|[\s,]+$", "", re.sub(r"\s*,\s*,", ",", text))).strip()


def catalog_path(language: str, compiled: bool = False) -> Path:
    return LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.{'mo' if compiled else 'po'}"


@functools.cache
def words(language: str | None) -> Words:
    """The language's words; an unknown language (or none) is the source language, English."""
    if language not in LANGUAGES or language == SOURCE_LANGUAGE:
        return Words(SOURCE_LANGUAGE, gettext.NullTranslations())
    return Words(language, gettext.translation(DOMAIN, LOCALE_DIR, languages=[language]))


@functools.cache
def messages() -> tuple[str, ...]:
    """Every word of the kiosk as the code writes it (the message ids of a catalog: each has them all)."""
    first = next(language for language in LANGUAGES if language != SOURCE_LANGUAGE)
    translated = gettext.translation(DOMAIN, LOCALE_DIR, languages=[first])
    # GNUTranslations keeps its messages in _catalog, by id; plural forms as (id, n): the singular id is enough.
    catalog = translated._catalog  # type: ignore[attr-defined]
    return tuple(sorted({key if isinstance(key, str) else key[0] for key in catalog if key}))
