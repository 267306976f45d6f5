"""The wall map read from the back of the room: 30 students at 5 stations, drawn at 1920x1080 and at 1280x720,
and measured from the picture: how tall the names, the missing list and the clock are, that every text stands
out 4.5:1 from what is behind it, that no name is cut at a tile's edge and no student is on the map twice."""
from collections import Counter

import pytest
from kivy.base import EventLoop
from PIL import Image

from hub.display import Chip, RoomMapScreen, StationTile
from hub.mapview import build_map
from shared.protocol import Clock, Group, HelpRequest, KioskStatus, Presence, State, Station, Student
from tests.conftest import pump

NAMES = ["Amara", "Ben", "Chloé", "Dmitri", "Esperanza", "Farah", "Gustavo", "Hana", "Ibrahim", "Jasmine",
         "Kenji", "Leilani", "Mateo", "Nadia", "Oluwaseun", "Priya", "Quentin", "Rosa", "Santiago", "Thandiwe",
         "Umar", "Valentina", "Wei", "Ximena", "Yusuf", "Zara", "Aleksander", "Bianca", "Cyrus", "Delphine"]
STATIONS = (("table", "Teacher's Table", "teacher-led", False), ("independent", "Independent Practice",
            "independent", True), ("collab", "Collaborative Corner", "collaborative", True),
            ("tech", "Tech Station", "tech", True), ("nook", "Reading Nook", "reading", True))
GROUPS = ("otters", "koalas", "lynxes", "herons", "bison")
NOW = 10_000.0


def full_class() -> State:
    """Round 2: each group of six at its station, but two at the wrong one, two not moved yet from round 1,
    one late, one absent, one out of the room, and a call for help."""
    students = {f"s{i:02d}": Student(f"{name} {chr(65 + i % 26)}.", 1, GROUPS[i % 5]) for i, name in enumerate(NAMES)}
    stations = tuple(Station(sid, name, kind, kiosk, (GROUPS[n],))
                     for n, (sid, name, kind, kiosk) in enumerate(STATIONS))
    where = {g: s.id for s in stations for g in s.groups}
    presence = {sid: Presence(where[s.group], NOW - 200) for sid, s in students.items() if where[s.group] != "table"}
    presence["s01"] = Presence("tech", NOW - 100)  # wrong station
    presence["s06"] = Presence("nook", NOW - 90)  # wrong station
    presence["s02"] = Presence("independent", NOW - 700)  # not moved yet: checked in last round
    presence["s07"] = Presence("independent", NOW - 700)
    for absent in ("s03", "s08"):
        presence.pop(absent)
    return State(seq=9, hub_time=NOW, clock=Clock(2, 5, 720.0, True, NOW + 400, None, NOW - 320),
                 stations=stations,
                 groups=tuple(Group(g, g.title(), tuple(s for s, st in students.items() if st.group == g))
                              for g in GROUPS),
                 students=students, presence=presence, help=(HelpRequest("h1", "tech", NOW - 75, "s01"),),
                 attendance={"s03": "late", "s08": "absent"}, out={"s04": Presence("nook", NOW - 60)})


def luminance(rgb) -> float:
    def channel(c: int) -> float:
        c = c / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = rgb[:3]
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast(a, b) -> float:
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def crop(picture: Image.Image, widget) -> Image.Image:
    """The widget's box in the picture (Kivy counts y from the bottom, the picture from the top)."""
    x, y = widget.to_window(widget.x, widget.y)
    return picture.crop((int(x), int(picture.height - y - widget.height), int(x + widget.width),
                         int(picture.height - y)))


def measure_text(picture: Image.Image, widget) -> tuple[float, int]:
    """(contrast of the text against its background, height in pixels of the text's ink)."""
    box = crop(picture, widget).convert("RGB")
    counts = Counter(box.get_flattened_data())
    background = counts.most_common(1)[0][0]
    common = [colour for colour, n in counts.items() if n >= 4]  # the ink's solid middle, not its soft edges
    ink = max(common, key=lambda colour: abs(luminance(colour) - luminance(background)))
    threshold = abs(luminance(ink) - luminance(background)) / 2
    rows = [y for y in range(box.height)
            if any(abs(luminance(box.getpixel((x, y))) - luminance(background)) > threshold for x in range(box.width))]
    return contrast(ink, background), (rows[-1] - rows[0] + 1 if rows else 0)


@pytest.fixture(params=[(1920, 1080), (1280, 720)], ids=["1080p", "720p"])
def drawn(request, kivy_window, tmp_path):
    size = request.param
    kivy_window.size = size
    screen = RoomMapScreen(size=size)
    kivy_window.add_widget(screen)
    state = full_class()
    kiosks = {s.id: KioskStatus(online=s.id != "collab") for s in state.stations}
    screen.show(build_map("Room 12", state, kiosks, True, NOW), running=True, started=True)
    pump(lambda: all(tile.ids.names.children for tile in screen.ids.tiles.children if isinstance(tile, StationTile)))
    for _ in range(3):  # the tiles fit their names after a layout or two
        EventLoop.idle()
    path = tmp_path / f"map-{size[0]}.png"
    screen.export_to_png(str(path))
    yield size, screen, Image.open(path)
    kivy_window.remove_widget(screen)
    kivy_window.size = (1280, 720)


def tiles(screen) -> list[StationTile]:
    return [w for w in screen.ids.tiles.children if isinstance(w, StationTile)]


def test_at_1080p_names_missing_list_and_clock_are_big_enough_to_read_across_the_room(drawn):
    size, screen, picture = drawn
    if size != (1920, 1080):
        pytest.skip("the sizes are set for 1920x1080")
    chips = [c for tile in tiles(screen) for c in tile.ids.names.children if c.style == "here"]
    assert chips and min(c.font_size for c in chips) >= 36
    # Cap height and the rest of a name's ink ("Chloé C.") are 0.7 of its size or more: 36 px is 25 px of ink.
    assert min(measure_text(picture, c)[1] for c in chips) >= 25
    missing = [t.ids.missing for t in tiles(screen) if t.missing]
    assert missing and min(m.font_size for m in missing) >= 32
    assert min(measure_text(picture, m)[1] for m in missing) >= 22
    assert screen.ids.clock.font_size >= 160
    assert measure_text(picture, screen.ids.clock)[1] >= 0.7 * 160  # the digits' height


def test_every_text_stands_out_at_least_4_5_to_1(drawn):
    size, screen, picture = drawn
    texts = [screen.ids.title, screen.ids.round_label, screen.ids.clock, screen.ids.summary, screen.ids.hub_status]
    for tile in tiles(screen):
        texts += [tile.ids.title, tile.ids.kiosk, tile.ids.groups, *tile.ids.names.children]
        if tile.missing:
            texts.append(tile.ids.missing)
    for widget in texts:
        ratio, _ = measure_text(picture, widget)
        assert ratio >= 4.5, f"{widget.text!r}: {ratio:.2f}:1"


def test_no_name_is_cut_and_no_student_is_on_the_map_twice(drawn):
    size, screen, picture = drawn
    seen: list[str] = []
    for tile in tiles(screen):
        area = tile.ids.names_area
        for chip in tile.ids.names.children:
            assert isinstance(chip, Chip)
            assert area.x - 0.5 <= chip.x and chip.right <= area.right + 0.5, f"{chip.text} cut at the side"
            assert area.y - 0.5 <= chip.y and chip.top <= area.top + 0.5, f"{chip.text} cut at the bottom"
            if chip.student_id:
                seen.append(chip.student_id)
    room_map = build_map("Room 12", full_class(), {}, True, NOW)
    for tile_data in room_map.tiles:
        seen += [t.student_id for t in tile_data.missing]
    assert [s for s, n in Counter(seen).items() if n > 1] == []
    shown = set(seen) | {"s08"}  # the absent student: counted in the summary
    more = sum(int(c.text.split()[0][1:]) for t in tiles(screen) for c in t.ids.names.children if c.style == "more")
    assert len(shown) + more == 30


WALK = ["Fatima H.", "Lucas S.", "Nia O.", "Samuel A.", "Sofia R.", "Diego L.", "Hana K.", "Kenji T.", "Liam C.",
        "Oliver B.", "Omar F.", "Rosa A.", "Aisha O.", "Arjun S.", "Chloe D.", "Amara M.", "Ivy N.", "Jonah C."]


def choosing_class() -> State:
    """A choice round as the walkthrough drew it at 1920x1080: a long station name beside a kiosk offline, the
    teacher's table with places left, chosen students (a star each), and at the Reading Nook five of its own (one
    done), one who belongs elsewhere and two who have not moved on yet."""
    from shared.protocol import ChoiceRound

    ids = [f"w{i:02d}" for i in range(len(WALK))]
    students = {sid: Student(name, 1, GROUPS[i % 5]) for i, (sid, name) in enumerate(zip(ids, WALK, strict=True))}
    names = (("table", "Teacher's Table", "teacher-led", False), ("independent", "Independent Practice",
             "independent", True), ("collab", "Collaborative Project", "collaborative", True),
             ("tech", "Tech Station", "tech", True), ("nook", "Reading Nook", "reading", True))
    stations = tuple(Station(sid, name, kind, kiosk, (GROUPS[n],)) for n, (sid, name, kind, kiosk) in enumerate(names))
    going = {sid: ("nook" if i < 5 else "independent" if i == 5 else "table" if i < 9 else names[i % 4 + 1][0])
             for i, sid in enumerate(ids)}
    how = {sid: "chose" if i % 2 else "placed" for i, sid in enumerate(ids)}
    presence = {sid: Presence("nook", NOW - 100) for sid in ids[:6]}
    presence.update({sid: Presence("nook", NOW - 700) for sid in ids[9:11]})  # still here from last round
    return State(seq=9, hub_time=NOW, clock=Clock(2, 5, 720.0, True, NOW + 400, None, NOW - 320),
                 stations=stations,
                 groups=tuple(Group(g, g.title(), tuple(s for s, st in students.items() if st.group == g))
                              for g in GROUPS),
                 students=students, presence=presence, checked_out={ids[4]: Presence("nook", NOW - 50)},
                 choice=ChoiceRound(2, NOW - 10, ("nook",), {"table": 5, "collab": 6}, {}, going, how))


def laid_out_words(label) -> str:
    """The words a Label drew (after any shortening to fit), spaces left out."""
    label.texture_update()
    return "".join(word.text for line in label._label._cached_lines for word in line.words).replace(" ", "")


def test_at_1080p_a_choice_round_is_read_whole_from_the_back_and_no_tile_with_room_hides_a_name(kivy_window,
                                                                                               tmp_path):
    kivy_window.size = (1920, 1080)
    screen = RoomMapScreen(size=(1920, 1080))
    kivy_window.add_widget(screen)
    try:
        state = choosing_class()
        kiosks = {s.id: KioskStatus(online=s.id not in ("independent", "collab")) for s in state.stations}
        screen.show(build_map("Room 12", state, kiosks, True, NOW), running=True, started=True)
        pump(lambda: any(t.title == "Reading Nook" and t.ids.names.children for t in tiles(screen)),
             message="the map drawn")
        for _ in range(3):
            EventLoop.idle()
        screen.export_to_png(str(tmp_path / "map-choice-1080.png"))
        picture = Image.open(tmp_path / "map-choice-1080.png")
        by_title = {t.title: t for t in tiles(screen)}
        for tile in tiles(screen):  # every station's name and choice line whole, not "Collabora...e Project"
            assert laid_out_words(tile.ids.title) == tile.title.replace(" ", ""), tile.title
            assert laid_out_words(tile.ids.groups) == tile.groups.replace(" ", ""), tile.groups
            assert tile.ids.groups.font_size >= 36 and measure_text(picture, tile.ids.groups)[1] >= 25
        assert by_title["Teacher's Table"].groups == "Choice round: 1 chose it, 2 placed, 5 places left"
        chosen = [c for t in tiles(screen) for c in t.ids.names.children if "\u2605" in c.text]
        assert chosen and min(measure_text(picture, c)[1] for c in chosen) >= 30  # the star, taller than a name
        nook = by_title["Reading Nook"]
        assert [c.style for c in nook.ids.names.children if c.style == "more"] == []  # room enough: all shown
        assert len(nook.ids.names.children) == 8
    finally:
        kivy_window.remove_widget(screen)
        kivy_window.size = (1280, 720)


def test_a_tile_with_room_for_every_name_in_another_order_shows_them_all_not_more(kivy_window):
    """The walkthrough's Reading Nook at 1920x1080: a late student checks in where one belongs elsewhere and one is
    out; in the tile's order the names take five rows, one too many, and "+2 more" hid two on a tile with room."""
    from msgspec.structs import replace

    kivy_window.size = (1920, 1080)
    screen = RoomMapScreen(size=(1920, 1080))
    kivy_window.add_widget(screen)
    try:
        state = full_class()
        kiosks = {s.id: KioskStatus(online=True) for s in state.stations}
        screen.show(build_map("Room 12", state, kiosks, True, NOW), running=True, started=True)
        pump(lambda: all(t.ids.names.children for t in tiles(screen)), message="the map drawn")
        late = replace(state, presence={**state.presence, "s03": Presence("nook", NOW - 5)})  # Dmitri, late
        screen.show(build_map("Room 12", late, kiosks, True, NOW), running=True, started=True)
        nook = next(t for t in tiles(screen) if t.title == "Reading Nook")
        pump(lambda: any("Dmitri" in c.text for c in nook.ids.names.children), message="Dmitri at the nook")
        for _ in range(5):  # the tile fits its names after a layout or two
            EventLoop.idle()
        assert [c.text for c in nook.ids.names.children if c.style == "more"] == []
        assert len(nook.ids.names.children) == 8
        area = nook.ids.names_area
        assert all(area.y - 0.5 <= c.y and c.top <= area.top + 0.5 for c in nook.ids.names.children)
    finally:
        kivy_window.remove_widget(screen)
        kivy_window.size = (1280, 720)
