from dataclasses import FrozenInstanceError, replace
from pathlib import Path

import pytest

from shared.config import (
    DEFAULT_GOALS,
    SECTIONS,
    BrokerConfig,
    ConfigError,
    DisplayConfig,
    HubConfig,
    KioskConfig,
    SchoolConfig,
    StationConfig,
    WebConfig,
    key_names,
    key_table,
    load_config,
    parse_config,
)
from tests.conftest import room_changed, write_room


def test_the_sample_room_loads(tmp_path):
    config = load_config(write_room(tmp_path, 1883, round_minutes=10))
    assert config.room_id == "room-12"
    assert [s.id for s in config.stations] == ["teacher-table", "independent", "collaborative", "tech",
                                               "reading-nook"]
    assert config.station("teacher-table").kiosk is False
    assert config.hub.round_minutes == 10
    assert config.hub.database == tmp_path / "hub.db"


def broken(tmp_path: Path, old: str, new: str) -> Path:
    return room_changed(tmp_path, 1883, old, new)


@pytest.mark.parametrize("old, new, message", [
    ("[hub]", "[hub]\nround_minuts = 5",
     r"\[hub\] unknown key 'round_minuts': did you mean 'round_minutes'\? \(known: database, round_minutes, auto_"),
    ("[hub]", "[hub]\nfullscreen = true",
     r"\[hub\] unknown key 'fullscreen': did you mean \[kiosk\] fullscreen or \[display\] fullscreen\?"),
    ("[hub]", "[hub]\nzzz = 5", r"\[hub\] unknown key 'zzz' \(known: "),
    ("[hub]", "[stations]\n[hub]", r"unknown section \[stations\]: did you mean \[\[station\]\]\?"),
    ('id = "room-12"', "", r"\[room\] is missing 'id' \(the room id in MQTT topics\)"),
    ('kind = "tech"', "", r"\[station 4\] is missing 'kind'"),
    ("[hub]", "[hub]\nround_minutes = true", r"\[hub\] round_minutes = True: must be a number from 0.1 to 240"),
    ("[kiosk]", '[kiosk]\nteacher_pin = "1234"', r"teacher_pin = '1234': must be the hash `rotation pin` prints"),
    ('secret_file = "class.secret"', 'secret_file = "class.secret"\ngoals = ["a", " "]', r"\[room\] goals = "),
    ("port = 1883", "port = 99999", r"\[broker\] port = 99999: must be a whole number from 1 to 65535"),
    ("port = 1883", 'port = "1883"', r"\[broker\] port = '1883'"),
    ('id = "room-12"', 'id = "Room 12"', r"\[room\] id = 'Room 12'"),
    ('kind = "tech"', 'kind = "gym"', r"\[station 4\] kind = 'gym': must be one of"),
    ("[kiosk]", "[kiosk]\nstation = \"gym\"", r"\[kiosk\] station = 'gym' is not a \[\[station\]\] id"),
    ('secret_file = "class.secret"', 'secret_file = "nope.secret"', r"secret_file: cannot read"),
    ('secret_file = "class.secret"', 'secret = "abc"', r"secret: the class secret must be hexadecimal"),
    ('secret_file = "class.secret"', 'secret = "abcd"', r"at least 16 bytes"),
    ('secret_file = "class.secret"', 'accept_old_cards = true',
     r"\[room\] accept_old_cards needs the class secret that signed them: 'secret' or 'secret_file'"),
    ('secret_file = "class.secret"', 'secret_file = "class.secret"\ncard_key_file = "hub.key"',
     r"\[room\] card_key_file: cannot read .*hub.key: No such file or directory. On the hub, make it once: "
     r"rotation card-key > card.key \(the installer does\); a kiosk needs card_public_key instead: pair it again"),
    ('secret_file = "class.secret"', 'secret_file = "class.secret"\ncard_key_file = "class.secret"',
     r"\[room\] card_key_file: .*class.secret is not a PEM private key without a password \(the hub's key"),
    ('secret_file = "class.secret"', 'card_public_key = "abcd"', r"card_public_key = 'abcd': must be 64 hex digits"),
    ("[hub]", "[hubb]", r"unknown section \[hubb\]"),
    ("[hub]", "[hub", r"not valid TOML: .*line \d+"),
    ('id = "tech"', 'id = "independent"', r"id 'independent' appears twice"),
    ('kind = "tech"', 'kind = "tech"\ncapacity = 0', r"\[station 4\] capacity = 0: must be a whole number from 1"),
    ('activities = ["Code a robot", "Typing game", "Listen to a podcast"]',
     'activities = ["a", "b", "c", "d", "e"]', r"\[station 4\] activities = .*: must be a list of 1 to 4 texts"),
    ('pictures = ["smart_toy", "keyboard", "headphones"]', 'pictures = ["smart_toy"]',
     r"\[\[station\]\] 'tech' has 3 activities and 1 pictures: one picture for each activity"),
    ('pictures = ["smart_toy", "keyboard", "headphones"]', 'pictures = ["smart_toy", "Key Board", "x"]',
     r"\[station 4\] pictures = .*: must be a list of up to 4, each a Material Icons name"),
    ('kind = "tech"', 'kind = "tech"\ncolour = "pink"', r"\[station 4\] colour = 'pink': must be one of purple, "),
    ('secret_file = "class.secret"', 'secret_file = "class.secret"\ngoal_pictures = ["flag"]',
     r"\[room\] has 4 goals and 1 goal_pictures: one picture for each goal"),
    ('secret_file = "class.secret"', 'secret_file = "class.secret"\nlanguage = "fr"',
     r"\[room\] language = 'fr': must be one of en, es, uk"),
    ("[hub]", '[room]\n', r"not valid TOML"),
    ('secret_file = "class.secret"', 'secret_file = "class.secret"\ngoals = ["only one"]',
     r"\[room\] goals = \['only one'\]: must be a list of 2 to 6 texts"),
    ('secret_file = "class.secret"', 'secret_file = "class.secret"\nkeep_apart = [["s01"]]',
     r"\[room\] keep_apart = .*: must be a list of pairs of two different student ids"),
    ("port = 1883", "port = 8883\ntls = true", r"\[broker\] tls = true needs ca_file"),
    ("port = 1883", 'port = 1883\nusername = "hub"', r"\[broker\] username and password go together"),
    ("port = 1883", "port = 1883\naccounts = 7", r"\[broker\] accounts = 7: must be a path \(a non-empty string\)"),
    ("[hub]", '[school]\nport = 8883\n[hub]', r"\[school\] is missing 'host'"),
    ("[kiosk]", '[kiosk]\ncamera = "webcam"', r"\[kiosk\] camera = 'webcam': must be \"pi\" \(the Pi camera\)"),
    ("[hub]", '[school]\nhost = "mqtt.school"\ntls = true\n[hub]', r"\[school\] tls = true needs ca_file"),
    ("[hub]", '[school]\nhost = "mqtt.school"\nshare = ["names"]\n[hub]',
     r"\[school\] share = \['names'\]: must be a list of some of summary, status, state"),
    ("[hub]", '[school]\nhost = "mqtt.school"\nusername = "room-12"\n[hub]',
     r"\[school\] username and password_file go together"),
    ('secret_file = "class.secret"', 'secret_file = "class.secret"\nkeep_apart = [["s01", "s01"]]',
     r"\[room\] keep_apart = .*: must be a list of pairs of two different student ids"),
    ("[kiosk]", '[kiosk]\ncamera = "/dev/camera0"', r"\[kiosk\] camera = '/dev/camera0': must be \"pi\""),
    ("[kiosk]", '[kiosk]\nscanner_prefix = "RS1"', r"\[kiosk\] scanner_prefix = 'RS1': must be 1 to 16 ASCII"),
    ("[kiosk]", '[kiosk]\nscanner_suffix = ""', r"\[kiosk\] scanner_suffix = '': must be 1 to 16 ASCII"),
    ("[kiosk]", '[kiosk]\nscanner_suffix = "' + "#" * 17 + '"', r"\[kiosk\] scanner_suffix = '#+': must be 1 to"),
    ("[kiosk]", '[kiosk]\nscanner_suffix = "\u00e9"', r"\[kiosk\] scanner_suffix = '\u00e9': must be 1 to 16 ASCII"),
    ("[kiosk]", '[kiosk]\nscanner_device = "/dev/hidraw0"', r"\[kiosk\] scanner_device = '/dev/hidraw0': must be a"),
    ("[kiosk]", '[kiosk]\nscanner_device = "usb:0c2e"', r"\[kiosk\] scanner_device = 'usb:0c2e': must be a"),
    ("[hub]", '[backup]\ncopy_to = "usb-stick/room12"\n[hub]', r"\[backup\] copy_to = 'usb-stick/room12': must be an"),
    ("[hub]", '[backup]\ncopy_to = ":/srv/room12"\n[hub]', r"\[backup\] copy_to = ':/srv/room12': must be an"),
    ("[hub]", '[backup]\ncopy_to = ":x:/srv/room12"\n[hub]', r"\[backup\] copy_to = ':x:/srv/room12': must be an"),
    ("[hub]", '[backup]\ncopy_to = "room12/school:x"\n[hub]', r"\[backup\] copy_to = 'room12/school:x': must be an"),
    ('secret_file = "class.secret"', 'card_public_key = "' + "zz" * 32 + '"',
     r"card_public_key = 'zz+': must be 64 hex"),
    ('secret_file = "class.secret"', 'secret_file = "class.secret"\ngoals = ["Read", 5]',
     r"\[room\] goals = \['Read', 5\]: must be a list of 2 to 6 texts"),
])
def test_a_wrong_key_or_value_names_the_file_and_the_key(tmp_path, old, new, message):
    path = broken(tmp_path, old, new)
    with pytest.raises(ConfigError, match=message) as error:
        load_config(path)
    assert str(error.value).startswith(str(path))


def test_a_section_that_is_not_a_table_is_named(tmp_path):
    data = room_data(tmp_path)
    data["hub"] = 5
    with pytest.raises(ConfigError, match=r"room.toml: \[hub\] must be a table$"):
        parse_config(tmp_path / "room.toml", data)


def test_a_scanner_prefix_or_suffix_may_be_16_characters(tmp_path):
    config = load_config(broken(tmp_path, "[kiosk]", '[kiosk]\nscanner_suffix = "' + "#" * 16 + '"'))
    assert config.kiosk.scanner_suffix == "#" * 16


def test_asking_for_a_station_the_room_has_not_names_those_it_has(tmp_path):
    config = load_config(write_room(tmp_path, 1883))
    with pytest.raises(ConfigError, match=r"no station 'gym' in \[\[station\]\] \(have: teacher-table, "
                                          r"independent, collaborative, tech, reading-nook\)$"):
        config.station("gym")


def test_a_missing_file_says_so(tmp_path):
    with pytest.raises(ConfigError, match="cannot read the config file"):
        load_config(tmp_path / "none.toml")


def room_data(tmp_path: Path) -> dict:
    import tomllib

    return tomllib.loads(write_room(tmp_path, 1883).read_text())


def test_paths_are_resolved_against_the_file_s_folder_defaults_too(tmp_path):
    data = room_data(tmp_path)
    del data["kiosk"]["outbox"], data["hub"]["database"]
    data["broker"]["accounts"] = "broker"
    config = parse_config(tmp_path / "room.toml", data)
    assert (config.kiosk.outbox, config.hub.database) == (tmp_path / "kiosk-outbox.db", tmp_path / "hub.db")
    assert config.broker.accounts == tmp_path / "broker"


def test_values_come_as_declared(tmp_path):
    data = room_data(tmp_path)
    data["station"][0]["activities"] = ["  Read a book ", "Talk"]
    data["school"] = {"host": "mqtt.school", "share": ["status", "summary", "status"], "tls": True, "ca_file": "ca.crt"}
    config = parse_config(tmp_path / "room.toml", data)
    assert config.stations[0].activities == ("Read a book", "Talk")  # texts in a list are stripped
    assert config.school == SchoolConfig(host="mqtt.school", tls=True, ca_file=tmp_path / "ca.crt",
                                         share=("status", "summary"))
    assert (config.room_name, config.goals, config.keep_apart, config.retention_days) == \
        ("Room 12", DEFAULT_GOALS, (), 180)
    assert config.hub == HubConfig(database=tmp_path / "hub.db")
    assert config.kiosk == KioskConfig(outbox=tmp_path / "outbox.db")
    assert config.broker == BrokerConfig(port=1883) and config.display == DisplayConfig()
    assert config.stations[4] == StationConfig("reading-nook", "Reading Nook", "reading", activities=(
        "Read a book", "Listen to a story", "Write a review"),
        pictures=("menu_book", "record_voice_over", "rate_review"))


def test_an_empty_school_section_is_no_school(tmp_path):
    data = room_data(tmp_path)
    data["school"] = {}
    assert parse_config(tmp_path / "room.toml", data).school is None


def test_the_config_classes_stay_frozen_dataclasses(tmp_path):
    """rotation/cli.py and kiosk/settings.py change a loaded config with dataclasses.replace."""
    config = load_config(write_room(tmp_path, 1883))
    changed = replace(config, kiosk=replace(config.kiosk, station="tech"), broker=replace(config.broker, port=8883))
    assert (changed.kiosk.station, changed.broker.port, config.kiosk.station) == ("tech", 8883, None)
    with pytest.raises(FrozenInstanceError):
        config.hub.round_minutes = 5  # type: ignore[misc]


@pytest.mark.parametrize("section", SECTIONS)
def test_every_key_declares_its_help_and_what_its_value_must_be(section):
    table = key_table(section)  # says what each value must be, or raises TypeError
    rows = table.splitlines()[2:]
    assert len(rows) == len(key_names(section))
    assert all(not row.endswith("|  |") for row in rows), f"[{section}]: a key without help:\n{table}"


def test_periods_of_the_timetable_may_not_overlap(tmp_path):
    from shared.config import ConfigError, load_config
    from tests.conftest import write_room

    path = write_room(tmp_path, 1883)
    path.write_text(path.read_text() + '\n[[period]]\nclass = "P2"\ndays = ["mon", "wed"]\nstart = "09:00"\n'
                    'end = "09:50"\n[[period]]\nclass = "P3"\ndays = ["wed"]\nstart = "09:45"\nend = "10:30"\n')
    with pytest.raises(ConfigError, match=r"\[period 2\] overlaps \[period 1\] on wed \(09:45-10:30 and "
                                          r"09:00-09:50\): which class would be due\?"):
        load_config(path)


def test_a_kiosk_s_room_file_holds_the_public_key_and_no_secret(tmp_path):
    """As `rotation pair` writes it: the kiosk checks cards, signs none, and has no class secret to lose."""
    from shared.cards import CardKeys, public_key
    from tests.conftest import CARD_KEY

    data = room_data(tmp_path)
    del data["room"]["secret_file"]
    data["room"]["card_public_key"] = public_key(CARD_KEY).hex()
    (tmp_path / "card.key").unlink()
    config = parse_config(tmp_path / "room.toml", data)
    assert config.card_keys == CardKeys(public_key(CARD_KEY)) and config.class_secret is None
    with pytest.raises(ConfigError, match=r"\[room\] has only card_public_key: only the hub holds the key that signs"):
        assert config.signing_key
    with pytest.raises(ConfigError, match=r"\[room\] has no class secret"):
        assert config.secret


def test_the_hub_s_room_file_finds_its_key_beside_it_and_takes_old_cards_only_when_told(tmp_path):
    from shared.cards import CardKeys, public_key
    from tests.conftest import CARD_KEY, SECRET

    data = room_data(tmp_path)
    config = parse_config(tmp_path / "room.toml", data)
    assert config.signing_key == CARD_KEY and config.card_keys == CardKeys(public_key(CARD_KEY))
    data["room"]["accept_old_cards"] = True
    assert parse_config(tmp_path / "room.toml", data).card_keys == CardKeys(public_key(CARD_KEY), SECRET)


@pytest.mark.parametrize("key, value", [("scanner_prefix", "#"), ("scanner_suffix", "\\u0003"),
                                        ("scanner_device", "/dev/input/by-id/usb-scanner-kbd"),
                                        ("scanner_device", "usb:0c2e:0B61"), ("camera", "pi"),
                                        ("camera", "/dev/video0")])
def test_a_kiosks_scanner_and_camera_settings_as_the_guide_gives_them_load(tmp_path, key, value):
    path = broken(tmp_path, "[kiosk]", f'[kiosk]\n{key} = "{value}"')
    assert load_config(path).kiosk is not None


@pytest.mark.parametrize("copy_to", ["/media/usb/room12", "backup@school-server:/srv/rotation/room12",
                                     "server:room12"])
def test_a_backup_goes_to_a_folder_or_over_ssh(tmp_path, copy_to):
    assert load_config(broken(tmp_path, "[hub]", f'[backup]\ncopy_to = "{copy_to}"\n[hub]')).backup.copy_to == copy_to


def test_each_section_the_room_file_has_is_read_and_a_misspelt_one_is_named_with_the_likely_one(tmp_path):
    data = room_data(tmp_path)
    data["display"] = {"fullscreen": True, "rotation": 90}
    data["web"] = {"port": 9443}
    data["backup"] = {"copy_to": "/media/usb/room12", "keep": 3}
    data["room"].update({"language": "es", "speech": True, "roster_class": "P1", "teacher": "t1"})
    config = parse_config(tmp_path / "room.toml", data)
    assert (config.display.fullscreen, config.display.rotation, config.web.port) == (True, 90, 9443)
    assert (config.backup.copy_to, config.backup.keep) == ("/media/usb/room12", 3)
    assert (config.language, config.speech, config.roster_classes, config.roster_teacher) == ("es", True, ("P1",),
                                                                                              "t1")
    assert config.path == tmp_path / "room.toml"
    misspelt = {**room_data(tmp_path), "dispaly": {}}
    with pytest.raises(ConfigError) as error:
        parse_config(tmp_path / "room.toml", misspelt)
    assert str(error.value).startswith(f"{tmp_path / 'room.toml'}: unknown section [dispaly]: did you mean "
                                       "[display]? (known: ")
    with pytest.raises(ConfigError, match=r"unknown section \[zzz\] \(known: room, "):
        parse_config(tmp_path / "room.toml", {**room_data(tmp_path), "zzz": {}})


def test_periods_back_to_back_are_fine_and_one_ending_before_it_starts_is_refused_by_its_number(tmp_path):
    data = room_data(tmp_path)
    data["period"] = [{"class": "P1", "days": ["mon"], "start": "09:00", "end": "09:50"},
                      {"class": "P2", "days": ["mon"], "start": "09:50", "end": "10:40"},
                      {"class": "P3", "days": ["tue"], "start": "09:10", "end": "09:40"}]
    assert [p.class_ for p in parse_config(tmp_path / "room.toml", data).periods] == ["P1", "P2", "P3"]
    data["period"][2] = {"class": "P3", "days": ["tue"], "start": "10:00", "end": "10:00"}
    with pytest.raises(ConfigError, match=r"\[period 3\] end = '10:00' must be after start = '10:00'"):
        parse_config(tmp_path / "room.toml", data)
    data["period"][2] = {"class": "P3", "days": ["tue", "mon"], "start": "10:39", "end": "11:00"}
    with pytest.raises(ConfigError, match=r"\[period 3\] overlaps \[period 2\] on mon \(10:39-11:00 and 09:50-10:40\)"):
        parse_config(tmp_path / "room.toml", data)
    data["period"][2] = {"class": "P3", "days": ["mon"], "start": "08:00", "end": "09:01"}
    with pytest.raises(ConfigError, match=r"\[period 3\] overlaps \[period 1\] on mon"):
        parse_config(tmp_path / "room.toml", data)
    data["period"] = {"class": "P1"}
    with pytest.raises(ConfigError, match=r"\[\[period\]\] must be an array of tables"):
        parse_config(tmp_path / "room.toml", data)
    data["period"] = [{"class": "P1", "days": ["mon"], "start": "9", "end": "10:00"}]
    with pytest.raises(ConfigError, match=r"\[period 1\] start = '9'"):
        parse_config(tmp_path / "room.toml", data)


def test_a_room_file_of_the_room_and_its_stations_alone_loads_with_every_default(tmp_path):
    data = room_data(tmp_path)
    minimal = {"room": {k: data["room"][k] for k in ("id", "name", "secret_file")}, "station": data["station"]}
    config = parse_config(tmp_path / "room.toml", minimal)
    assert (config.hub, config.kiosk, config.display, config.web) == (
        HubConfig(database=tmp_path / "hub.db"), replace(KioskConfig(), outbox=tmp_path / "kiosk-outbox.db"),
        DisplayConfig(), replace(WebConfig(), accounts=tmp_path / "teachers.db"))
    assert (config.broker.host, config.broker.port) == ("127.0.0.1", 1883)
    assert config.roster is None and config.roster_classes == ()
    with pytest.raises(ConfigError, match=r"room.toml: \[room\] is missing 'id'"):
        parse_config(tmp_path / "room.toml", {"station": data["station"]})
    with pytest.raises(ConfigError, match=r"room.toml: \[\[station\]\] must list at least one station$"):
        parse_config(tmp_path / "room.toml", {"room": minimal["room"]})


def test_the_rooms_goals_pairs_kept_apart_and_days_kept_are_the_files(tmp_path):
    data = room_data(tmp_path)
    data["room"].update(goals=["Try something hard", "Help a friend"], goal_pictures=["fitness_center", "handshake"],
                        keep_apart=[["s01", "s07"]], retention_days=30)
    config = parse_config(tmp_path / "room.toml", data)
    assert (config.goals, config.goal_pictures, config.keep_apart, config.retention_days) == (
        ("Try something hard", "Help a friend"), ("fitness_center", "handshake"), (("s01", "s07"),), 30)
    assert config.roster == tmp_path / "sample-roster.csv"


@pytest.mark.parametrize("web, works", [
    ({"host": "0.0.0.0", "certificate": "hub.crt", "key": "hub.key"}, True),
    ({"host": "0.0.0.0", "certificate": "hub.crt"}, False),
    ({"host": "0.0.0.0", "key": "hub.key"}, False),
    ({"host": "0.0.0.0"}, False),
    ({"host": "127.0.0.1"}, True),
])
def test_the_web_companion_serves_the_school_network_only_over_https(tmp_path, web, works):
    data = room_data(tmp_path)
    data["web"] = web
    if works:
        assert parse_config(tmp_path / "room.toml", data).web.host == web["host"]
        return
    with pytest.raises(ConfigError, match=r"\[web\] host = '0.0.0.0' serves the school network: it needs certificate "
                                          r"and key \(teachers' logins and students' names go over it\), or host = "
                                          r"\"127.0.0.1\"$"):
        parse_config(tmp_path / "room.toml", data)


@pytest.mark.parametrize("section, values", [
    ("display", {"rotation": 45}), ("web", {"port": 0}),
])
def test_a_wrong_value_in_any_section_names_that_section(tmp_path, section, values):
    data = room_data(tmp_path)
    data[section] = values
    with pytest.raises(ConfigError, match=rf"room.toml: \[{section}\] {next(iter(values))} = "):
        parse_config(tmp_path / "room.toml", data)


def test_settings_that_go_together_load_when_both_are_given(tmp_path):
    data = room_data(tmp_path)
    data["broker"].update(tls=True, ca_file="ca.crt", username="hub", password="secret")
    data["school"] = {"host": "mqtt.school", "username": "room-12", "password_file": "school.password"}
    config = parse_config(tmp_path / "room.toml", data)
    assert (config.broker.tls, config.broker.username, config.school.username) == (True, "hub", "room-12")


def test_a_class_secret_of_16_bytes_is_enough_and_one_in_a_file_is_named_by_the_file_key(tmp_path):
    data = room_data(tmp_path)
    del data["room"]["secret_file"]
    data["room"]["secret"] = "ab" * 16
    assert parse_config(tmp_path / "room.toml", data).secret == bytes.fromhex("ab" * 16)
    (tmp_path / "class.secret").write_text("not hex\n")
    del data["room"]["secret"]
    data["room"]["secret_file"] = "class.secret"
    with pytest.raises(ConfigError, match=r"\[room\] secret_file: the class secret must be hexadecimal$"):
        parse_config(tmp_path / "room.toml", data)


def test_a_room_file_in_another_encoding_says_so(tmp_path):
    path = write_room(tmp_path, 1883)
    path.write_bytes(path.read_bytes().replace(b"Room 12", "Salle 12 \u00e9t\u00e9".encode("latin-1")))
    with pytest.raises(ConfigError, match=r"room.toml: the config file is not UTF-8 text$"):
        load_config(path)


def test_a_card_key_file_that_is_not_one_says_what_it_should_be(tmp_path):
    path = write_room(tmp_path, 1883)
    (tmp_path / "card.key").write_text("not a key\n")
    with pytest.raises(ConfigError, match=r"\[room\] card_key_file: .*card.key is .* \(the hub's key that signs "
                                          r"cards, as `rotation card-key` writes it\)$"):
        load_config(path)


def test_the_doc_may_hold_key_tables_only_for_sections_that_exist():
    from shared.config import configuration_doc

    with pytest.raises(ValueError, match=r"a key table for \[gym\], which is not a section \(sections: room, "):
        configuration_doc("<!-- keys of [gym] -->\n| a |\n<!-- end of keys -->")


def test_periods_may_meet_without_overlapping(tmp_path):
    path = write_room(tmp_path, 1883)
    path.write_text(path.read_text() + '\n[[period]]\nclass = "P2"\ndays = ["wed"]\nstart = "09:00"\n'
                    'end = "09:50"\n[[period]]\nclass = "P3"\ndays = ["wed"]\nstart = "09:50"\nend = "10:30"\n')
    assert len(load_config(path).periods) == 2
