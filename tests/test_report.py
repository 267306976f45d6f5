"""`rotation report` reading the hub's database (the report's arithmetic alone: tests/test_report_words.py)."""
from hub.roster_source import read_roster
from hub.store import HubStore
from rotation.cli import main
from tests.conftest import SAMPLE, write_room


def test_rotation_report_works_without_the_hub_and_says_when_there_is_nothing(tmp_path, capsys):
    path = write_room(tmp_path, 1883)
    assert main(["report", "--config", str(path)]) == 1
    assert "no session has been started yet" in capsys.readouterr().err
    store = HubStore(tmp_path / "hub.db")
    store.import_roster(read_roster(SAMPLE / "roster.csv")[0])  # as the hub does when it starts
    store.begin_session(1000.0, "class")
    store.add_note("s01", "teacher-table", 1010.0, ["goal"], "wants to try chapter books")
    store.end_session(1100.0)
    store.close()
    assert main(["report", "--config", str(path), "--out", str(tmp_path / "out")]) == 0
    assert "report written to" in capsys.readouterr().out
    assert "wants to try chapter books" in (tmp_path / "out" / "timeline.csv").read_text()
