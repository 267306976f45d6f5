"""The languages a kiosk speaks, named once, and how words are said in one of them. Pure.

The words themselves are gettext catalogs (kiosk/locale: a student's, and the teacher's screen at a kiosk);
here are which languages there are, ``Words`` to say a message in one (English without a catalog), and the
marker that tells Babel's extractor which strings are words to translate.
"""
from __future__ import annotations

import gettext

SOURCE_LANGUAGE = "en"  # the words as written in the code
LANGUAGES = ("en", "es", "uk")  # every kiosk word is translated into each: tests/test_kiosk_languages.py


def N_(message: str) -> str:
    """Marks a string as words someone reads: extracted into the catalogs, translated where it is shown."""
    return message


class Words:
    """One language's words: ``say("Hi {name}", name="Maya")``, from a gettext catalog (kiosk/words.py reads
    them); without one, the words as the code writes them."""

    def __init__(self, language: str = SOURCE_LANGUAGE,
                 translations: gettext.NullTranslations | None = None) -> None:
        self.language = language
        self._translations = translations or gettext.NullTranslations()

    def say(self, message: str, **params: object) -> str:
        if not message:
            return ""
        text = self._translations.gettext(message)
        return text.format(**params) if params else text

    def count(self, singular: str, plural: str, n: int, **params: object) -> str:
        return self._translations.ngettext(singular, plural, n).format(n=n, **params)


ENGLISH = Words()


def language_name(code: str) -> str:
    """The language's own name for itself, for a teacher choosing it: "Español", "Українська"."""
    from babel import Locale

    name = Locale.parse(code).get_display_name(code) or code
    return name[:1].upper() + name[1:]


def english_name(code: str) -> str:
    """The language's name in English, for the teacher's pages and the hub's messages: "Spanish"."""
    from babel import Locale

    return Locale.parse(code).get_display_name("en") or code
