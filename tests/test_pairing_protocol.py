"""Pairing's messages and crypto alone (shared/pairing.py): a new kiosk and the hub exchange a request and a sealed
answer in memory. Pure; through the broker, the installer and the hub's code desk: tests/test_pairing.py."""
import json

import msgspec
import pytest

from shared.pairing import (
    CODE_ALPHABET,
    CODE_LENGTH,
    MAX_PAIR_REQUEST,
    BundleRoom,
    BundleStation,
    KioskSide,
    PairBundle,
    PairingError,
    Request,
    code_key,
    new_code,
    normalized,
    refusal,
    sealed_reply,
    shown,
)

BUNDLE = PairBundle(room=BundleRoom("room-12", "Room 12", ("Help a friend",)),
                    stations=(BundleStation("tech", "Tech Station", "tech"),), teacher_pin=None, secret=None,
                    account="kiosk-tech", password="pw", ca=None, card_key="ab" * 32)


def test_a_kiosk_that_knows_the_code_gets_the_bundle_sealed_for_it_alone():
    kiosk = KioskSide("tech", "k7qd-m2xa", board="tech-pi", address="10.0.0.7")
    request = Request.parse(kiosk.request())
    assert (request.station, request.board, request.address) == ("tech", "tech-pi", "10.0.0.7")
    assert request.from_board == "tech-pi (10.0.0.7)"
    key = code_key("K7QDM2XA", "tech")
    assert request.proves(key)
    assert not request.proves(code_key("K7QDM2XB", "tech"))  # another code
    assert not request.proves(code_key("K7QDM2XA", "art"))  # the code is for one station
    assert kiosk.open(sealed_reply(request, key, BUNDLE)) == BUNDLE
    eavesdropper = KioskSide("tech", "K7QDM2XA")  # knows the code, but not the kiosk's private key
    with pytest.raises(PairingError, match="not sealed with this code"):
        eavesdropper.open(sealed_reply(request, key, BUNDLE))
    with pytest.raises(PairingError, match="not sealed with this code"):
        kiosk.open(sealed_reply(request, code_key("K7QDM2XB", "tech"), BUNDLE))  # a hub without the code


def test_the_hubs_refusals_and_broken_answers_are_said_in_words_a_technician_can_act_on():
    kiosk = KioskSide("tech", "K7QDM2XA")
    with pytest.raises(PairingError, match="^the hub says: that code has expired$"):
        kiosk.open(refusal("that code has expired"))
    assert len(json.loads(refusal("x" * 500))["error"]) == 300
    with pytest.raises(PairingError, match="neither an error nor a sealed bundle"):
        kiosk.open(b'{"v": 1}')
    with pytest.raises(PairingError, match="not JSON"):
        kiosk.open(b"{not json")
    with pytest.raises(PairingError, match="not version 1 of the pairing protocol"):
        kiosk.open(b'{"error": "x"}')
    with pytest.raises(PairingError, match="not version 1 of the pairing protocol"):
        kiosk.open(b'{"v": 2, "error": "x"}')
    with pytest.raises(PairingError, match="is 70000 bytes, over 65536"):
        kiosk.open(b" " * 70000)
    with pytest.raises(PairingError, match="the pairing message is not valid"):
        kiosk.open(b'{"v": 1, "key": "short"}')


def test_a_request_too_big_or_for_a_station_name_no_topic_may_carry_is_refused():
    good = json.loads(KioskSide("tech", "K7QDM2XA").request())
    with pytest.raises(PairingError, match=f"over {MAX_PAIR_REQUEST}"):
        Request.parse(json.dumps({**good, "board": "x" * 3000}).encode())
    with pytest.raises(PairingError, match="station 'Tech!' must be 1-40 of a-z"):
        Request.parse(json.dumps({**good, "station": "Tech!"}).encode())
    with pytest.raises(PairingError, match="not valid"):
        Request.parse(json.dumps({**good, "board": "rm -rf /"}).encode())  # not a host name's characters
    named = Request.parse(json.dumps({**good, "board": "", "address": ""}).encode())
    assert named.from_board == "a board that did not say its name"
    assert Request.parse(json.dumps({**good, "board": "pi"}).encode()).from_board == "pi"


def test_a_code_is_made_of_characters_no_one_mixes_up_and_is_read_however_it_is_typed():
    code = new_code()
    assert len(code) == CODE_LENGTH and set(code) <= set(CODE_ALPHABET)
    assert new_code() != code  # random: about 5 * 10^11 of them
    assert shown("K7QDM2XA") == "K7QD-M2XA"
    assert normalized(" k7qd - m2xa ") == "K7QDM2XA"
    with pytest.raises(PairingError, match="a pairing code has no 0, O: check it on the hub's screen"):
        normalized("K7QD-M20O")
    with pytest.raises(PairingError, match="a pairing code has 8 letters and digits; 'K7QD' has 4"):
        normalized("K7QD")
    with pytest.raises(ValueError, match="station 'Tech!'"):
        KioskSide("Tech!", "K7QDM2XA")
    assert msgspec.json.decode(KioskSide("tech", "K7QDM2XA", board="b" * 80).request())["board"] == "b" * 64
