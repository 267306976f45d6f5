import base64

import pytest

from shared.cards import (
    MAX_TOKEN_LENGTH,
    TOKEN_CHARACTERS,
    CardClaim,
    CardKeys,
    ForgedCard,
    OldCard,
    UnreadableCard,
    make_token,
    public_key,
    read_signing_key,
    sign_token,
    signing_key_file_text,
    verify_token,
)

KEY = b"k" * 32  # the hub's
KEYS = CardKeys(public_key(KEY))  # a kiosk's
SECRET = b"s" * 32  # the class secret, which signed the old cards
OLD_TOO = CardKeys(public_key(KEY), SECRET)  # where the room still takes them


def test_a_card_carries_only_the_id_version_and_signature():
    token = sign_token(KEY, "s07", 2)
    assert token.startswith("RS2:s07:2:") and len(token) == len("RS2:s07:2:") + 103
    assert verify_token(KEYS, token) == CardClaim("s07", 2)
    assert verify_token(KEYS, f"  {token}\r\n") == CardClaim("s07", 2)


@pytest.mark.parametrize("forge", [
    lambda t: sign_token(b"another room's key, or a kiosk's", "s07", 2),
    lambda t: t.replace("s07", "s08"),
    lambda t: t.replace(":2:", ":3:"),
    lambda t: t[:-1] + ("A" if t[-1] != "A" else "Q"),
    lambda t: t[:20] + ("B" if t[20] != "B" else "C") + t[21:],
    lambda t: t[:-1] + chr(ord(t[-1]) + 1),  # the same 64 bytes spelt otherwise: stray bits in the last letter
])
def test_forged_cards_are_refused(forge):
    with pytest.raises(ForgedCard):
        verify_token(KEYS, forge(sign_token(KEY, "s07", 2)))


def test_a_card_made_with_the_class_secret_is_refused_unless_the_room_takes_old_cards():
    old = make_token(SECRET, "s07", 2)
    assert old.startswith("RS1:s07:2:")
    with pytest.raises(OldCard):
        verify_token(KEYS, old)
    assert verify_token(OLD_TOO, old) == CardClaim("s07", 2)
    with pytest.raises(ForgedCard):
        verify_token(OLD_TOO, make_token(b"another class secret!", "s07", 2))
    assert verify_token(OLD_TOO, sign_token(KEY, "s07", 3)) == CardClaim("s07", 3)  # the new ones still


@pytest.mark.parametrize("text", ["", "hello", "RS2:s07:2", sign_token(KEY, "s07")[:-3], "RS2:s07:0:" + "A" * 103,
                                  "x" * 5000, "RS2:s07:1:" + "a" * 103, "RS2:s07:1:" + "A" * 104,
                                  "RS1:s07:2", make_token(SECRET, "s07")[:-3], "RS3:s07:1:" + "A" * 103])
def test_partial_or_foreign_codes_are_unreadable(text):
    with pytest.raises(UnreadableCard):
        verify_token(OLD_TOO, text)


def test_ids_that_could_break_a_token_are_refused_when_making_cards():
    with pytest.raises(ValueError):
        sign_token(KEY, "s:07")
    with pytest.raises(ValueError):
        make_token(SECRET, "s:07")


def test_every_character_a_card_holds_is_among_its_token_characters():
    """What a scanner's prefix or suffix must not be made of alone (shared/config.py checks it)."""
    for token in (sign_token(KEY, "Ab-9._z", 999_999), make_token(SECRET, "Ab-9._z", 999_999)):
        assert set(token) <= TOKEN_CHARACTERS


def test_the_longest_card_fits_the_length_a_card_may_have():
    longest = sign_token(KEY, "x" * 40, 999_999)
    assert len(longest) == MAX_TOKEN_LENGTH
    assert verify_token(KEYS, longest) == CardClaim("x" * 40, 999_999)
    with pytest.raises(UnreadableCard):
        verify_token(KEYS, longest + "A")


def test_the_signature_is_base32_so_a_qr_code_holds_it_in_its_alphanumeric_mode():
    signature = sign_token(KEY, "s07").rsplit(":", 1)[1]
    assert set(signature) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")
    assert len(base64.b32decode(signature + "=")) == 64


def test_the_key_file_holds_the_key_as_openssl_writes_it():
    text = signing_key_file_text(KEY)
    assert text.startswith("-----BEGIN PRIVATE KEY-----\n")
    assert read_signing_key(text) == KEY
    with pytest.raises(ValueError, match="not a PEM private key"):
        read_signing_key(SECRET.hex())


def test_a_card_is_version_1_unless_told_and_versions_go_to_999999_with_a_message_past_it():
    assert verify_token(KEYS, sign_token(KEY, "s07")) == CardClaim("s07", 1)
    assert verify_token(OLD_TOO, make_token(SECRET, "s07")) == CardClaim("s07", 1)
    assert verify_token(KEYS, sign_token(KEY, "s07", 999_999)) == CardClaim("s07", 999_999)
    with pytest.raises(ValueError, match=r"^card version must be 1 to 999999$"):
        sign_token(KEY, "s07", 1_000_000)
    with pytest.raises(ValueError, match=r"^student id 's 7' must be 1-40 of letters, digits, '.', '_' or '-'$"):
        sign_token(KEY, "s 7")


def test_a_new_key_file_reads_back_and_a_file_that_is_not_a_key_says_so():
    from shared.cards import new_signing_key

    first, second = new_signing_key(), new_signing_key()
    assert first != second and len(read_signing_key(first)) == 32
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat

    other_kind = ec.generate_private_key(ec.SECP256R1()).private_bytes(Encoding.PEM, PrivateFormat.PKCS8,
                                                                       NoEncryption())
    with pytest.raises(ValueError, match=r"^not an Ed25519 key$"):
        read_signing_key(other_kind.decode())
    with pytest.raises(ValueError, match=r"^not a PEM private key without a password$"):
        read_signing_key("not a key")


def test_a_code_too_long_for_a_card_is_unreadable_and_says_why():
    with pytest.raises(UnreadableCard, match=r"^too long to be a card$"):
        verify_token(KEYS, "RS2:" + "s" * MAX_TOKEN_LENGTH)
