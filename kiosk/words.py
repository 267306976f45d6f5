"""The kiosk's words in each language, from the gettext catalogs in kiosk/locale (made with Babel).

A catalog is read once, when a language is first needed (at start-up for the room's language), so a scan
never waits on a file.
"""
from __future__ import annotations

import functools
import gettext
import io
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

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


def catalog_path(language: str) -> Path:
    return LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"


@functools.cache
def words(language: str | None) -> Words:
    """The language's words; an unknown language (or none) is the source language, English."""
    if language not in LANGUAGES or language == SOURCE_LANGUAGE:
        return Words(SOURCE_LANGUAGE, gettext.NullTranslations())
    with catalog_path(language).open("rb") as po:
        catalog = read_po(po, locale=language)
    compiled = io.BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return Words(language, gettext.GNUTranslations(compiled))
