import pytest

from shared.cards import TOKEN_CHARACTERS, CardClaim, ForgedCard, UnreadableCard, make_token, verify_token

SECRET = b"k" * 32


def test_a_card_carries_only_the_id_version_and_signature():
    token = make_token(SECRET, "s07", 2)
    assert token.startswith("RS1:s07:2:")
    assert verify_token(SECRET, token) == CardClaim("s07", 2)
    assert verify_token(SECRET, f"  {token}\r\n") == CardClaim("s07", 2)


@pytest.mark.parametrize("forge", [
    lambda t: make_token(b"another class secret!", "s07", 2),
    lambda t: t.replace("s07", "s08"),
    lambda t: t.replace(":2:", ":3:"),
    lambda t: t[:-1] + ("A" if t[-1] != "A" else "B"),
])
def test_forged_cards_are_refused(forge):
    with pytest.raises(ForgedCard):
        verify_token(SECRET, forge(make_token(SECRET, "s07", 2)))


@pytest.mark.parametrize("text", ["", "hello", "RS1:s07:2", make_token(SECRET, "s07")[:-3], "RS1:s07:0:" + "A" * 16,
                                  "x" * 5000, "RS1:s07:1:" + "a" * 16])
def test_partial_or_foreign_codes_are_unreadable(text):
    with pytest.raises(UnreadableCard):
        verify_token(SECRET, text)


def test_ids_that_could_break_a_token_are_refused_when_making_cards():
    with pytest.raises(ValueError):
        make_token(SECRET, "s:07")


def test_every_character_a_card_holds_is_among_its_token_characters():
    """What a scanner's prefix or suffix must not be made of alone (shared/config.py checks it)."""
    token = make_token(b"secret", "Ab-9._z", 999_999)
    assert set(token) <= TOKEN_CHARACTERS
