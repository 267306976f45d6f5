"""Reading a scan out of what a scanner sends (kiosk/scan_parsing.py): a serial stream cut into codes, a keyboard
scanner's typing. Pure; the same through a pseudo-terminal and a thread: tests/test_scanners.py."""
from kiosk.scan_parsing import MAX_LINE, KeyboardWedge, LineAssembler


def test_line_assembler_handles_split_and_joined_reads():
    lines = LineAssembler(max_line=20)
    assert lines.feed(b"RS1:a") == []
    assert lines.feed(b"bc\r\nRS1:d\n\n") == ["RS1:abc", "RS1:d"]
    assert lines.feed(b"x" * 25 + b"\nok\n") == [None, "ok"]
    assert lines.feed(b"\x1b[A\n") == [None]
    assert lines.feed(b"RS1:e\tRS1:f") == ["RS1:e"] and lines.flush() == ["RS1:f"]  # TAB, then no suffix
    assert lines.flush() == []  # quiet and nothing waiting: no scan
    assert lines.feed(b"]d2RS1:g\n]Q1\n") == ["RS1:g", None]  # an identifier alone is no scan


def test_keyboard_wedge_turns_typing_and_enter_into_a_scan():
    wedge = KeyboardWedge(max_line=30)
    wedge.type("RS1:s01", 0.0)
    wedge.type(":1:X", 0.01)
    assert wedge.enter() == "RS1:s01:1:X"
    assert wedge.enter() == ""
    wedge.type("stale", 0.0)
    wedge.type("fresh", 5.0)
    assert wedge.enter() == "fresh"
    wedge.type("y" * 40, 6.0)
    assert wedge.enter() is None


def test_a_schools_prefix_and_suffix_are_dropped_and_the_suffix_ends_a_scan_even_cut_between_two_reads():
    lines = LineAssembler(prefix="#", suffix="##")
    assert lines.feed(b"#RS1:a#") == []  # the suffix's first half: held back
    assert lines.feed(b"#") == ["RS1:a"]
    assert lines.feed(b"]Q1#RS1:b##") == ["RS1:b"]  # the identifier before the prefix
    assert lines.feed(b"#]Q1RS1:c\r") == ["RS1:c"]  # or after it; the usual ends still end a scan
    assert lines.feed(b"#") == [] and lines.flush() == [None]  # a lone half suffix, then quiet: unreadable
    plain = LineAssembler()
    assert plain.feed(b"\xef\xbb\xbfRS1:d\r\n") == ["RS1:d"]  # a byte-order mark first
    assert plain.feed(b"  RS1:e  \n") == ["RS1:e"]


def test_noise_is_one_unreadable_scan_and_the_next_code_reads():
    lines = LineAssembler(max_line=8)
    assert lines.feed(b"\xff\xfe\x00\n") == [None]  # not text
    assert lines.feed(b"RS1:\x07\n") == [None]  # not printable
    assert lines.feed(b"]Q1\n") == [None]  # an identifier and nothing else
    assert lines.feed(b"123456789") == [] and lines.flush() == [None]  # over the longest line, no suffix
    assert lines.feed(b"12345678\n") == ["12345678"]  # exactly the longest line reads
    assert lines.feed(b"   \n") == [None]  # blanks and an end: noise
    assert lines.feed(b"   ") == [] and lines.flush() == []  # blanks gone quiet: no scan at all
    assert LineAssembler().max_line == MAX_LINE == 256


def test_a_keyboard_scanners_typing_is_one_scan_within_a_second_and_garbage_otherwise():
    wedge = KeyboardWedge(max_line=8)
    wedge.type("RS1:", 10.0)
    wedge.type("s01", 10.5)  # half a second later: the same scan
    assert wedge.enter() == "RS1:s01"
    wedge.type("old", 20.0)
    wedge.type("new", 21.0)  # exactly the idle time: still the same scan
    assert wedge.enter() == "oldnew"
    wedge.type("stale", 30.0)
    wedge.type("fresh", 31.01)  # a moment more: the stale start is dropped
    assert wedge.enter() == "fresh"
    wedge.type("12345678", 40.0)  # exactly the longest line: a scan
    assert wedge.enter() == "12345678"
    wedge.type("123456789", 50.0)  # one more: garbage
    assert wedge.enter() is None
    wedge.type("a\x07b", 60.0)  # a control character: garbage
    assert wedge.enter() is None
    wedge.type("café", 70.0)  # not ASCII: garbage
    assert wedge.enter() is None
    assert KeyboardWedge().idle_reset == 1.0 and KeyboardWedge().max_line == MAX_LINE


def test_a_suffix_of_three_cut_after_its_first_character_still_ends_the_scan_and_one_identifier_is_dropped():
    lines = LineAssembler(suffix="END")
    assert lines.feed(b"RS1:aE") == []
    assert lines.feed(b"ND") == ["RS1:a"]
    assert lines.feed(b"RS1:bEN") == [] and lines.feed(b"D") == ["RS1:b"]
    assert LineAssembler().feed(b"]Q1]Q1abc\n") == ["]Q1abc"]  # one identifier only: the rest is the code's
    assert LineAssembler().feed(b"XXXXRS1:c\n") == ["XXXXRS1:c"]  # no prefix unless the room file sets one
    assert LineAssembler().feed(b"RS1:dXXXX\n") == ["RS1:dXXXX"]  # nor a suffix
