"""The installer's edits of a room config: the few keys it sets, everything else kept as the person wrote it."""
import tomllib

import pytest

from rotation.installed import copy_room, hub_config, is_kiosk
from rotation.toml_edit import set_keys
from shared.config import load_config
from tests.conftest import CARD_KEY, SAMPLE, write_card_key


def test_set_keys_replaces_adds_and_keeps_comments_and_order():
    text = ('# my room\n[room]\nid = "r1"  # ours\n\n[hub]\ndatabase = "hub.db"\nround_minutes = 15\n\n'
            '[[station]]\nid = "a"\n')
    edited = set_keys(text, {"hub": {"database": "/var/lib/x/hub.db"}, "broker": {"accounts": "broker"},
                             "room": {"name": 'Room "12"'}})
    assert edited.splitlines()[:6] == ["# my room", "[room]", 'name = "Room \\"12\\""', 'id = "r1"  # ours', "",
                                       "[hub]"]
    data = tomllib.loads(edited)
    assert data["hub"] == {"database": "/var/lib/x/hub.db", "round_minutes": 15}
    assert data["broker"] == {"accounts": "broker"} and data["station"] == [{"id": "a"}]
    assert set_keys(edited, {"hub": {"database": "/var/lib/x/hub.db"}}) == edited  # no change the second time


def test_the_sample_room_installed_on_a_hub_points_at_the_boards_folders(tmp_path):
    folder, state = tmp_path / "etc", tmp_path / "var"
    folder.mkdir()
    copy_room(SAMPLE / "room.toml", folder)
    assert (folder / "roster.csv").read_bytes() == (SAMPLE / "roster.csv").read_bytes()
    (folder / "class.secret").write_text("ab" * 32)  # made by the installer, as is the card key
    write_card_key(folder)
    hub_config(folder / "room.toml", state)
    config = load_config(folder / "room.toml")
    assert config.hub.database == state / "hub.db" and config.broker.accounts == folder / "broker"
    assert config.roster == folder / "roster.csv" and len(config.stations) == 5
    assert config.web.accounts == state / "teachers.db" and not config.web.for_devices  # no TLS: this board only
    before = (folder / "room.toml").stat().st_mtime_ns
    hub_config(folder / "room.toml", state)
    assert (folder / "room.toml").stat().st_mtime_ns == before  # run again: the file is not even rewritten


def test_with_tls_the_web_companion_serves_the_school_network_over_https_at_the_hubs_name(tmp_path):
    folder, state = tmp_path / "etc", tmp_path / "var"
    folder.mkdir()
    copy_room(SAMPLE / "room.toml", folder)
    (folder / "class.secret").write_text("ab" * 32)
    write_card_key(folder)
    hub_config(folder / "room.toml", state, "room12-hub.local")
    web = load_config(folder / "room.toml").web
    assert web.host == "0.0.0.0" and web.for_devices and web.address == "https://room12-hub.local:8443/"
    assert web.certificate == folder / "broker" / "server.crt" and web.key == folder / "broker" / "web.key"
    text = (folder / "room.toml").read_text()
    hub_config(folder / "room.toml", state, "room12-hub.local")
    assert (folder / "room.toml").read_text() == text
    hub_config(folder / "room.toml", state, "fe80::1")  # the hub renamed: the address follows
    assert load_config(folder / "room.toml").web.address == "https://[fe80::1]:8443/"
    text = (folder / "room.toml").read_text().replace('"broker/server.crt"', '"/etc/ssl/school.crt"')
    (folder / "room.toml").write_text(text)
    hub_config(folder / "room.toml", state, "room12-hub.local")  # a technician's own certificate: kept as set
    assert load_config(folder / "room.toml").web.address == "https://[fe80::1]:8443/"


def test_a_room_brought_with_the_key_its_cards_were_signed_with_keeps_it(tmp_path):
    """Cards printed before the room moved to this hub still read: the key beside the room file comes along."""
    source, folder = tmp_path / "laptop", tmp_path / "etc"
    source.mkdir(), folder.mkdir()
    (source / "room.toml").write_text((SAMPLE / "room.toml").read_text().replace('"roster.csv"',
                                                                                 f'"{SAMPLE / "roster.csv"}"'))
    (source / "class.secret").write_text("ab" * 32)
    write_card_key(source)
    copy_room(source / "room.toml", folder)
    assert load_config(folder / "room.toml").signing_key == CARD_KEY
    assert "card_key_file" not in tomllib.loads((folder / "room.toml").read_text())["room"]  # its default, as before


def test_a_room_whose_roster_is_missing_is_named(tmp_path):
    room = tmp_path / "room.toml"
    room.write_text('[room]\nid = "r"\nroster = "nowhere.csv"\n')
    with pytest.raises(SystemExit, match="nowhere.csv does not exist"):
        copy_room(room, tmp_path)


def test_is_kiosk_needs_the_station_and_its_account(tmp_path):
    room = tmp_path / "room.toml"
    assert not is_kiosk(room, "tech")
    room.write_text('[room]\nid = "r"\n[broker]\naccounts = "broker"\n[kiosk]\nstation = "tech"\n')
    assert not is_kiosk(room, "tech")
    (tmp_path / "broker").mkdir()
    (tmp_path / "broker" / "kiosk-tech.password").write_text("x")
    assert not is_kiosk(room, "tech")  # paired before the hub signed cards: it has no key to check them with
    room.write_text(room.read_text().replace('id = "r"\n', f'id = "r"\ncard_public_key = "{"ab" * 32}"\n'))
    assert is_kiosk(room, "tech") and not is_kiosk(room, "reading-nook")
