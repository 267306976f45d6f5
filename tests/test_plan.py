"""The rotation planner's rules, proved for classes of 4 to 40 students at 2 to 8 stations."""
from collections import Counter

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hub.plan import Plan, PlanError, PlanGroup, PlanStation, Skip, make_plan, pack_tracks


@st.composite
def classrooms(draw):
    students = draw(st.integers(4, 40))
    group_count = draw(st.integers(1, min(12, students)))
    cuts = sorted(draw(st.sets(st.integers(1, students - 1), min_size=group_count - 1, max_size=group_count - 1)))
    sizes = [b - a for a, b in zip([0] + cuts, cuts + [students], strict=True)]
    groups = [PlanGroup(f"g{i}", size) for i, size in enumerate(sizes)]
    station_count = draw(st.integers(2, 8))
    capacities = draw(st.lists(st.none() | st.integers(1, 40), min_size=station_count, max_size=station_count))
    stations = [PlanStation(f"s{i}", f"Station {i}", capacity) for i, capacity in enumerate(capacities)]
    return stations, groups


def fewest_tracks(sizes: list[int], room: int) -> int:
    """Exact bin packing by dynamic programming over subsets: an oracle independent of the planner."""
    best = {0: (1, 0)}  # subset -> (tracks used, students in the last track)
    for mask in range(1 << len(sizes)):
        if mask not in best:
            continue
        used, fill = best[mask]
        for i, size in enumerate(sizes):
            if mask & (1 << i) or size > room:
                continue
            option = (used, fill + size) if fill + size <= room else (used + 1, size)
            key = mask | (1 << i)
            if key not in best or option < best[key]:
                best[key] = option
    full = (1 << len(sizes)) - 1
    return best[full][0] if full in best else 10**9


def smallest_capacity(stations: list[PlanStation]) -> float:
    return min((s.capacity for s in stations if s.capacity is not None), default=float("inf"))


def loads(plan: Plan, sizes: dict[str, int]) -> list[dict[str, int]]:
    return [{station: sum(sizes[g] for g in groups) for station, groups in round_.items()} for round_ in plan.rounds]


@given(classrooms())
def test_every_group_visits_every_station_once_and_no_station_is_ever_over_capacity(classroom):
    stations, groups = classroom
    sizes = {g.id: g.size for g in groups}
    try:
        plan = make_plan(stations, groups)
    except PlanError as error:
        room = smallest_capacity(stations)
        assert max(sizes.values()) > room or fewest_tracks(list(sizes.values()), room) > len(stations), str(error)
        assert "split the group or add places" in str(error) or "make the groups smaller" in str(error)
        return
    assert len(plan.rounds) == len(stations)
    for round_ in plan.rounds:
        assert sorted(g for groups in round_.values() for g in groups) == sorted(sizes)
    for group in sizes:
        assert Counter(plan.station_of(group, r) for r in range(1, len(stations) + 1)) == {s.id: 1 for s in stations}
    for round_loads in loads(plan, sizes):
        for station in stations:
            assert station.capacity is None or round_loads[station.id] <= station.capacity


@given(classrooms())
def test_every_station_the_teachers_table_among_them_sees_about_as_many_students_each_round(classroom):
    stations, groups = classroom
    sizes = {g.id: g.size for g in groups}
    total, largest = sum(sizes.values()), max(sizes.values())
    if total / len(stations) + largest > smallest_capacity(stations):
        return  # places are tight: any plan that fits will do
    each_round = loads(make_plan(stations, groups), sizes)
    for station in stations:
        at_station = [round_loads[station.id] for round_loads in each_round]
        assert max(at_station) - min(at_station) <= largest


@given(classrooms(), st.data())
def test_a_skip_moves_only_that_group_for_one_round_and_respects_capacity(classroom, data):
    stations, groups = classroom
    try:
        plan = make_plan(stations, groups)
    except PlanError:
        return
    group = data.draw(st.sampled_from(groups))
    skipped = data.draw(st.sampled_from(stations))
    sizes = {g.id: g.size for g in groups}
    try:
        changed = make_plan(stations, groups, [Skip(group.id, skipped.id)])
    except PlanError as error:
        # Refused only when the group would be over a station's places, or there is no other station to be at.
        assert "has room for" in str(error) or ("nowhere else" in str(error) and len(stations) == 1), error
        return
    rounds = range(1, len(stations) + 1)
    visits = Counter(changed.station_of(group.id, r) for r in rounds)
    assert skipped.id not in visits and sum(visits.values()) == len(stations)
    assert sorted(visits.values(), reverse=True)[0] == 2  # one station twice: stayed a round longer
    moved = [r for r in rounds if changed.station_of(group.id, r) != plan.station_of(group.id, r)]
    assert len(moved) == 1
    (r,) = moved
    assert changed.station_of(group.id, r) in {plan.station_of(group.id, r - 1) if r > 1 else None,
                                               plan.station_of(group.id, r + 1) if r < len(stations) else None}
    for other in set(sizes) - {group.id}:
        assert all(changed.station_of(other, n) == plan.station_of(other, n) for n in rounds)
    for round_loads in loads(changed, sizes):
        assert all(s.capacity is None or round_loads[s.id] <= s.capacity for s in stations)


def test_an_impossible_class_is_refused_with_the_reason():
    stations = [PlanStation("nook", "Reading Nook", 4), PlanStation("tech", "Tech Station", 10)]
    with pytest.raises(PlanError, match="group otters has 5 students but Reading Nook has room for 4"):
        make_plan(stations, [PlanGroup("otters", 5), PlanGroup("koalas", 3)])
    with pytest.raises(PlanError, match="9 students in groups of 3, 3, 3 cannot be split into 2 tracks of at most 4"):
        make_plan(stations, [PlanGroup("a", 3), PlanGroup("b", 3), PlanGroup("c", 3)])


def test_a_skip_can_name_the_station_to_repeat_and_is_refused_when_it_is_full():
    stations = [PlanStation("table", "Teacher's Table", 10), PlanStation("nook", "Reading Nook", 6),
                PlanStation("tech", "Tech Station", 6)]
    groups = [PlanGroup("otters", 5), PlanGroup("koalas", 5), PlanGroup("herons", 5)]
    plan = make_plan(stations, groups, [Skip("otters", "tech", instead="table")])
    assert [plan.station_of("otters", r) for r in (1, 2, 3)].count("table") == 2
    with pytest.raises(PlanError, match="Reading Nook has room for 6, and group otters would make it 10"):
        make_plan(stations, groups, [Skip("otters", "tech", instead="nook")])


def test_a_plan_in_use_keeps_its_tracks_when_a_student_moves_and_they_still_fit():
    stations = [PlanStation(f"s{i}", f"Station {i}", 8) for i in range(4)]
    groups = [PlanGroup("otters", 6), PlanGroup("koalas", 6), PlanGroup("herons", 5), PlanGroup("lynxes", 5)]
    plan = make_plan(stations, groups)
    moved = [PlanGroup("otters", 5), PlanGroup("koalas", 6), PlanGroup("herons", 6), PlanGroup("lynxes", 5)]
    assert make_plan(stations, moved, keep=plan).rounds == plan.rounds  # nobody is sent elsewhere
    assert make_plan(stations, moved).rounds != plan.rounds  # a fresh packing would have moved groups
    grown = [PlanGroup("otters", 9)] + groups[1:]
    with pytest.raises(PlanError, match="group otters has 9 students"):
        make_plan(stations, grown, keep=plan)


def test_a_skip_without_a_station_named_keeps_the_group_where_it_was_the_round_before():
    stations = [PlanStation("table", "Teacher's Table", None), PlanStation("nook", "Reading Nook", 10),
                PlanStation("tech", "Tech Station", 10)]
    groups = [PlanGroup("otters", 4), PlanGroup("koalas", 4), PlanGroup("herons", 4)]
    plan = make_plan(stations, groups)
    at = [plan.station_of("otters", r) for r in (1, 2, 3)]
    skipped = make_plan(stations, groups, [Skip("otters", at[1])])  # what `rotation hub skip otters STATION` sends
    assert [skipped.station_of("otters", r) for r in (1, 2, 3)] == [at[0], at[0], at[2]]
    first = make_plan(stations, groups, [Skip("otters", at[0])])  # skipping the first: stays at the second
    assert [first.station_of("otters", r) for r in (1, 2, 3)] == [at[1], at[1], at[2]]
    with pytest.raises(PlanError, match="nowhere else to be"):
        make_plan(stations[:1], groups[:1], [Skip("otters", "table")])


def test_groups_the_largest_first_rule_cannot_place_are_packed_by_trying_the_other_ways():
    # Largest first into the emptiest track: 3 | 3, then 2 | 2 makes 5 | 5, and the last 2 fits nowhere. Only
    # 3 + 3 | 2 + 2 + 2 fits: the search must go back and try it.
    groups = [PlanGroup("a", 3), PlanGroup("b", 3), PlanGroup("c", 2), PlanGroup("d", 2), PlanGroup("e", 2)]
    tracks = pack_tracks(groups, 2, 6)
    assert tracks is not None
    assert sorted(sorted(g.id for g in track) for track in tracks) == [["a", "b"], ["c", "d", "e"]]
    assert pack_tracks(groups, 2, 5) is None
    stations = [PlanStation("nook", "Reading Nook", 6), PlanStation("tech", "Tech Station", 6)]
    plan = make_plan(stations, groups)
    assert all(sum({"a": 3, "b": 3}.get(g, 2) for g in groups_there) <= 6
               for round_plan in plan.rounds for groups_there in round_plan.values())
