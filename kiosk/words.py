"""The kiosk's words in each language, from the gettext catalogs in kiosk/locale (made with Babel by
scripts/translations.sh, read here by Python's own gettext: Babel would cost the kiosk 6 MB).

Two catalogs: ``kiosk``, the words a student reads (each is also spoken: kiosk/speech.py), and ``teacher``,
the words of the teacher's screen behind the PIN, in the room's language and never spoken. Which code's words
go into which is in kiosk/locale/<catalog>.cfg.

A catalog is read once, when its language first appears: the room's at start-up, a student's when the room's
state names it (kiosk/app.py), so a scan never waits on a file.
"""
from __future__ import annotations

import functools
import gettext
import re
from pathlib import Path

from shared.languages import ENGLISH, LANGUAGES, SOURCE_LANGUAGE, Words

LOCALE_DIR = Path(__file__).with_name("locale")
STUDENT = "kiosk"
TEACHER = "teacher"
CATALOGS = (STUDENT, TEACHER)


NAME_FIELDS = ("name", "peer", "first")  # a student's name in a message ("peer", "first": a classmate's)


def say_without_name(w: Words, message: str, **params: object) -> str:
    """What is said aloud of a message shown with a name: the name left out, "Hola, " is "Hola"."""
    text = w.say(message, **{**params, **dict.fromkeys(NAME_FIELDS, "")})
    return re.sub(r"\s+", " ", re.sub(r"^[\s,]+|[\s,]+$", "", re.sub(r"\s*,\s*,", ",", text))).strip()


def catalog_path(language: str, compiled: bool = False, catalog: str = STUDENT) -> Path:
    return LOCALE_DIR / language / "LC_MESSAGES" / f"{catalog}.{'mo' if compiled else 'po'}"


@functools.cache
def words(language: str | None, catalog: str = STUDENT) -> Words:
    """The language's words; an unknown language (or none) is the source language, English."""
    if language not in LANGUAGES or language == SOURCE_LANGUAGE:
        return ENGLISH
    return Words(language, gettext.translation(catalog, LOCALE_DIR, languages=[language]))


def teacher_words(language: str | None) -> Words:
    return words(language, TEACHER)


@functools.cache
def messages(catalog: str = STUDENT) -> tuple[str, ...]:
    """Every word of the catalog (by default, what a student may read) as the code writes it: the message ids
    of one language's catalog, which has them all."""
    first = next(language for language in LANGUAGES if language != SOURCE_LANGUAGE)
    translated = gettext.translation(catalog, LOCALE_DIR, languages=[first])
    # GNUTranslations keeps its messages in _catalog, by id; plural forms as (id, n): the singular id is enough.
    ids = translated._catalog  # type: ignore[attr-defined]
    return tuple(sorted({key if isinstance(key, str) else key[0] for key in ids if key}))
