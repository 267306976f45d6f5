from pathlib import Path

import pytest

from shared.config import ConfigError, load_config
from tests.conftest import write_room


def test_the_sample_room_loads(tmp_path):
    config = load_config(write_room(tmp_path, 1883, round_minutes=10))
    assert config.room_id == "room-12"
    assert [s.id for s in config.stations] == ["teacher-table", "independent", "collaborative", "tech",
                                               "reading-nook"]
    assert config.station("teacher-table").kiosk is False
    assert config.hub.round_minutes == 10
    assert config.hub.database == tmp_path / "hub.db"


def broken(tmp_path: Path, old: str, new: str) -> Path:
    path = write_room(tmp_path, 1883)
    path.write_text(path.read_text().replace(old, new, 1))
    return path


@pytest.mark.parametrize("old, new, message", [
    ("[hub]", "[hub]\nround_minuts = 5", r"\[hub\] unknown key 'round_minuts'"),
    ("port = 1883", "port = 99999", r"\[broker\] port = 99999: must be a whole number from 1 to 65535"),
    ("port = 1883", 'port = "1883"', r"\[broker\] port = '1883'"),
    ('id = "room-12"', 'id = "Room 12"', r"\[room\] id = 'Room 12'"),
    ('kind = "tech"', 'kind = "gym"', r"\[station 4\] kind = 'gym': must be one of"),
    ("[kiosk]", "[kiosk]\nstation = \"gym\"", r"\[kiosk\] station = 'gym' is not a \[\[station\]\] id"),
    ('secret_file = "class.secret"', 'secret_file = "nope.secret"', r"secret_file: cannot read"),
    ('secret_file = "class.secret"', 'secret = "abc"', r"secret: the class secret must be hexadecimal"),
    ('secret_file = "class.secret"', 'secret = "abcd"', r"at least 16 bytes"),
    ("[hub]", "[hubb]", r"unknown section \[hubb\]"),
    ("[hub]", "[hub", r"not valid TOML: .*line \d+"),
    ('id = "tech"', 'id = "independent"', r"id 'independent' appears twice"),
    ('kind = "tech"', 'kind = "tech"\ncapacity = 0', r"\[station 4\] capacity = 0: must be a whole number from 1"),
    ('activities = ["Code a robot", "Typing game", "Listen to a podcast"]',
     'activities = ["a", "b", "c", "d", "e"]', r"\[station 4\] activities = .*: must be a list of 1 to 4 texts"),
    ("[hub]", '[room]\n', r"not valid TOML"),
    ('secret_file = "class.secret"', 'secret_file = "class.secret"\ngoals = ["only one"]',
     r"\[room\] goals = \['only one'\]: must be a list of 2 to 6 texts"),
    ('secret_file = "class.secret"', 'secret_file = "class.secret"\nkeep_apart = [["s01"]]',
     r"\[room\] keep_apart = .*: must be a list of pairs of two different student ids"),
    ("port = 1883", "port = 8883\ntls = true", r"\[broker\] tls = true needs ca_file"),
    ("port = 1883", 'port = 1883\nusername = "hub"', r"\[broker\] username and password go together"),
    ("port = 1883", "port = 1883\naccounts = 7", r"\[broker\] accounts = 7: must be a non-empty string"),
    ("[hub]", '[school]\nport = 8883\n[hub]', r"\[school\] is missing 'host'"),
    ("[kiosk]", '[kiosk]\ncamera = "webcam"', r"\[kiosk\] camera = 'webcam': must be \"pi\" \(the Pi camera\)"),
    ("[hub]", '[school]\nhost = "mqtt.school"\ntls = true\n[hub]', r"\[school\] tls = true needs ca_file"),
    ("[hub]", '[school]\nhost = "mqtt.school"\nshare = ["names"]\n[hub]',
     r"\[school\] share = \['names'\]: must be a list of some of summary, status, state"),
    ("[hub]", '[school]\nhost = "mqtt.school"\nusername = "room-12"\n[hub]',
     r"\[school\] username and password_file go together"),
])
def test_a_wrong_key_or_value_names_the_file_and_the_key(tmp_path, old, new, message):
    path = broken(tmp_path, old, new)
    with pytest.raises(ConfigError, match=message) as error:
        load_config(path)
    assert str(error.value).startswith(str(path))


def test_a_missing_file_says_so(tmp_path):
    with pytest.raises(ConfigError, match="cannot read the config file"):
        load_config(tmp_path / "none.toml")
