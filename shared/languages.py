"""The languages a student can be greeted and asked in, named once. Pure.

The words themselves are gettext catalogs (kiosk/locale); here only which languages there are, and the
marker that tells Babel's extractor which strings are words a student reads.
"""
from __future__ import annotations

SOURCE_LANGUAGE = "en"  # the words as written in the code
LANGUAGES = ("en", "es", "uk")  # every kiosk word is translated into each: tests/test_kiosk_languages.py


def N_(message: str) -> str:
    """Marks a string as words a student reads: extracted into the catalogs, translated where it is shown."""
    return message


def language_name(code: str) -> str:
    """The language's own name for itself, for a teacher choosing it: "Español", "Українська"."""
    from babel import Locale

    name = Locale.parse(code).get_display_name(code) or code
    return name[:1].upper() + name[1:]
