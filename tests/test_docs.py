"""The docs say what the code has: every config key, every `rotation` command, every protocol message."""
import argparse
import difflib
import re
from pathlib import Path

import pytest

from rotation.cli import build_parser
from shared import config, protocol
from tests.conftest import write_room

ROOT = Path(__file__).resolve().parent.parent
CONFIGURATION = ROOT / "docs" / "configuration.md"
PROTOCOL = ROOT / "docs" / "protocol.md"
REMAKE = "run `.venv/bin/python -m shared.config docs/configuration.md` to make its key tables again"


@pytest.mark.parametrize("section", config.SECTIONS)
def test_the_configuration_doc_has_one_key_table_per_section(section):
    found = config.doc_sections(CONFIGURATION.read_text(encoding="utf-8")).count(section)
    assert found == 1, (f"docs/configuration.md has {found} key tables of [{section}], not 1: put "
                        f"`<!-- keys of [{section}] -->` and `<!-- end of keys -->` where it belongs, then {REMAKE}")


def table_keys(text: str, section: str) -> set[str]:
    """The keys a section's table in the doc lists."""
    tables = re.findall(rf"<!-- keys of \[{{1,2}}{section}\]{{1,2}} -->\n(.*?)<!-- end of keys -->", text, re.DOTALL)
    return {key for table in tables for key in re.findall(r"^\| `(\w+)` \|", table, re.MULTILINE)}


def test_the_configuration_doc_lists_exactly_the_declared_keys():
    text = CONFIGURATION.read_text(encoding="utf-8")
    problems = []
    for section in config.SECTIONS:
        declared, listed = set(config.key_names(section)), table_keys(text, section)
        problems += [f"[{section}] {key} is not in the doc" for key in sorted(declared - listed)]
        problems += [f"[{section}] {key} is in the doc but not declared" for key in sorted(listed - declared)]
    made = config.configuration_doc(text)
    diff = "".join(difflib.unified_diff(text.splitlines(True), made.splitlines(True), "docs/configuration.md",
                                        "as shared/config.py declares it"))
    assert text == made, "\n".join([f"docs/configuration.md's key tables differ from shared/config.py: {REMAKE}",
                                    *problems, diff])


def test_the_configuration_doc_shows_the_messages_a_wrong_key_or_value_gets(tmp_path):
    example = "/etc/rotation-station/room.toml"
    text = CONFIGURATION.read_text(encoding="utf-8")
    for wrong in ["round_minutes = -3", "round_minuts = 15"]:
        path = write_room(tmp_path, 1883)
        path.write_text(path.read_text().replace("[hub]", f"[hub]\n{wrong}"))
        with pytest.raises(config.ConfigError) as error:
            config.load_config(path)
        line = f"rotation: {error.value}".replace(str(path), example)
        shown = line in text
        assert shown, f"docs/configuration.md should show what `{wrong}` in [hub] gets:\n{line}"


def commands(parser: argparse.ArgumentParser, words: tuple[str, ...] = ()) -> list[str]:
    """Every command line a user can run, nested ones too (`hub serve`), without their groups (`hub`)."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return [line for name, sub in action.choices.items() for line in commands(sub, (*words, name))]
    return [" ".join(words)]


def user_docs() -> str:
    return "\n".join(path.read_text(encoding="utf-8") for path in [ROOT / "README.md",
                                                                    *sorted((ROOT / "docs").rglob("*.md"))])


@pytest.mark.parametrize("command", commands(build_parser()))
def test_every_rotation_command_is_in_the_docs(command):
    mentioned = re.search(rf"(?<![\w-])rotation {re.escape(command)}(?![\w-])", user_docs()) is not None
    assert mentioned, f"`rotation {command}` is in no doc: add it to README.md's table of commands (or to docs/)"


def protocol_words() -> set[str]:
    """The words docs/protocol.md writes as code: in backticks or in a code block."""
    text = PROTOCOL.read_text(encoding="utf-8")
    blocks = re.findall(r"^```.*?^```", text, re.DOTALL | re.MULTILINE)
    spans = re.findall(r"`([^`\n]+)`", re.sub(r"^```.*?^```", "", text, flags=re.DOTALL | re.MULTILINE))
    return set(re.findall(r"\w+", "\n".join([*blocks, *spans])))


@pytest.mark.parametrize("what, name", [*(("message", name) for name in sorted(protocol.MESSAGE_TYPES)),
                                        *(("event kind", name) for name in sorted(protocol.EVENT_KINDS)),
                                        *(("command action", name) for name in sorted(protocol.COMMAND_ACTIONS))])
def test_every_protocol_message_event_and_command_is_in_the_protocol_doc(what, name):
    written = name in protocol_words()
    assert written, f"docs/protocol.md never writes the {what} `{name}` as code: document it there"
