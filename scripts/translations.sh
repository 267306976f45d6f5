#!/bin/sh
# The kiosk's words: extract them from the code into kiosk/locale/<catalog>.pot (kiosk: what a student reads;
# teacher: the teacher's screen; kiosk/locale/<catalog>.cfg says which code is in which), then merge them into
# each language's catalog. Translate the new or changed entries (empty, or marked fuzzy) in each .po file;
# tests/test_kiosk_languages.py fails until every language has every word.
set -eu
cd "$(dirname "$0")/.."
PYBABEL="${PYBABEL:-.venv/bin/pybabel}"
LANGUAGES=$(.venv/bin/python -c 'from shared.languages import LANGUAGES, SOURCE_LANGUAGE; print(" ".join(l for l in LANGUAGES if l != SOURCE_LANGUAGE))')
for catalog in kiosk teacher; do
    "$PYBABEL" extract --no-default-keywords -k N_ -k say -k count:1,2 -F "kiosk/locale/$catalog.cfg" \
        --project "Rotation Station" --copyright-holder "Rotation Station" --no-location --sort-output \
        -o "kiosk/locale/$catalog.pot" .
    for language in $LANGUAGES; do
        po="kiosk/locale/$language/LC_MESSAGES/$catalog.po"
        if [ -f "$po" ]; then
            "$PYBABEL" update --no-fuzzy-matching --ignore-obsolete -D "$catalog" -i "kiosk/locale/$catalog.pot" \
                -d kiosk/locale -l "$language"
        else
            "$PYBABEL" init -D "$catalog" -i "kiosk/locale/$catalog.pot" -d kiosk/locale -l "$language"
        fi
    done
    # The kiosk reads the compiled catalogs with Python's own gettext (Babel is 6 MB it need not carry);
    # tests/test_kiosk_languages.py fails if a .mo file is not the compiled form of its .po file.
    "$PYBABEL" compile -D "$catalog" -d kiosk/locale --statistics
done
