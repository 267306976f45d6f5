"""Suggested groups: balanced sizes, kept-apart pairs never together, and each way of grouping does what
its name says."""
from itertools import pairwise

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hub.grouping import GroupingError, Learner, suggest_groups
from shared.protocol import GROUPING_STRATEGIES

INTERESTS = ["space", "art", "animals", "music", "sport"]


@st.composite
def classes(draw):
    """A class of 4-40 (readiness 1-5 or unknown, up to 3 interests each), a number of groups and pairs kept
    apart (each student in at most one pair). Drawn in a few lists rather than per student: Hypothesis then
    makes 300 classes in under a second instead of four."""
    size = draw(st.integers(4, 40))
    levels = draw(st.lists(st.integers(0, 5), min_size=size, max_size=size))  # 0: readiness unknown
    likes = draw(st.lists(st.integers(0, 31), min_size=size, max_size=size))  # a bit per interest
    learners = [Learner(f"s{i:02d}", level or None,
                        tuple(interest for bit, interest in enumerate(INTERESTS) if like >> bit & 1)[:3])
                for i, (level, like) in enumerate(zip(levels, likes, strict=True))]
    count = draw(st.integers(2, min(8, size // 2)))
    ids = draw(st.randoms(use_true_random=False)).sample([learner.id for learner in learners], size)
    pairs = draw(st.integers(0, size // 2))
    apart = [(ids[2 * i], ids[2 * i + 1]) for i in range(pairs)]
    return learners, count, apart


@given(classes(), st.sampled_from(GROUPING_STRATEGIES), st.integers(0, 2**16))
def test_groups_are_balanced_hold_everyone_once_and_keep_pairs_apart(cls, strategy, seed):
    learners, count, apart = cls
    groups = suggest_groups(learners, strategy, count, apart, seed)
    assert len(groups) == count
    sizes = [len(members) for members in groups.values()]
    assert max(sizes) - min(sizes) <= 1
    assert sorted(m for members in groups.values() for m in members) == sorted(learner.id for learner in learners)
    for a, b in apart:
        assert not any(a in members and b in members for members in groups.values())


def level(learner):
    return learner.readiness if learner.readiness is not None else 3


@given(classes(), st.integers(0, 2**16))
def test_readiness_groups_are_bands_of_levels_and_mixed_groups_span_them(cls, seed):
    learners, count, _ = cls
    levels = {learner.id: level(learner) for learner in learners}
    bands = sorted(suggest_groups(learners, "readiness", count, seed=seed).values(),  # named in any order
                   key=lambda members: (min(levels[m] for m in members), max(levels[m] for m in members)))
    for lower, upper in pairwise(bands):
        assert max(levels[m] for m in lower) <= min(levels[m] for m in upper)
    ordered = sorted(levels.values())
    for members in suggest_groups(learners, "mixed", count, seed=seed).values():
        assert min(levels[m] for m in members) <= ordered[count - 1]  # one of the lowest band in every group
        if len(members) > 1:
            assert max(levels[m] for m in members) >= ordered[count]


def test_interest_groups_gather_students_who_share_one():
    learners = [Learner(f"s{i}", None, (interest,)) for i, interest in
                enumerate(["space", "art", "space", "art", "animals", "space", "art", "animals", "space", "art",
                           "animals", "animals"])]
    interests = {learner.id: learner.interests[0] for learner in learners}
    groups = suggest_groups(learners, "interest", 3, seed=7)
    assert sorted(sorted({interests[m] for m in members}) for members in groups.values()) == [
        ["animals"], ["art"], ["space"]]


def test_random_groups_change_with_the_seed_and_repeat_with_it():
    learners = [Learner(f"s{i}") for i in range(20)]
    assert suggest_groups(learners, "random", 4, seed=1) == suggest_groups(learners, "random", 4, seed=1)
    assert suggest_groups(learners, "random", 4, seed=1) != suggest_groups(learners, "random", 4, seed=2)


def test_impossible_requests_say_why():
    learners = [Learner(f"s{i}") for i in range(6)]
    with pytest.raises(GroupingError, match=r"cannot keep s\d and s\d apart in 2 groups"):
        suggest_groups(learners, "random", 2, [("s0", "s1"), ("s1", "s2"), ("s0", "s2")])
    with pytest.raises(GroupingError, match="s9 is not in the class"):
        suggest_groups(learners, "random", 2, [("s0", "s9")])
    with pytest.raises(GroupingError, match="7 groups for 6 students"):
        suggest_groups(learners, "mixed", 7)
    with pytest.raises(GroupingError, match="unknown way to group 'height'"):
        suggest_groups(learners, "height", 2)


def test_a_readiness_groups_name_does_not_tell_the_class_its_level():
    learners = [Learner(f"s{i:02d}", i % 5 + 1, ()) for i in range(20)]
    lowest_named = set()
    for seed in range(8):
        groups = suggest_groups(learners, "readiness", 4, seed=seed)
        levels = {name: sum(next(x.readiness for x in learners if x.id == m) for m in members) / len(members)
                  for name, members in groups.items()}
        lowest_named.add(min(levels, key=levels.get))
    assert len(lowest_named) > 1  # not always the otters


def test_each_student_has_a_reason_the_teacher_can_check_level_ticket_interests_and_pairs_kept_apart():
    from hub.grouping import learner, reasons

    learners = [learner("s1", 3, ("robots",), "stuck"), learner("s2", None, ("robots", "art"), None),
                learner("s3", 4, ("art",), "got_it"), learner("s4", 1, (), None)]
    assert [each.readiness for each in learners] == [2, None, 5, 1]  # a ticket moves the roster's level one step
    groups = {"otters": ("s1", "s2"), "falcons": ("s3", "s4")}
    said = reasons(learners, groups, "readiness", [("s1", "s3")], {"s1": "Maya R.", "s3": "Liam C."})
    assert said["s1"] == "level 2 (last ticket: stuck) · with levels 2–3 · shares robots · kept apart from Liam C."
    assert said["s2"] == "no level yet · with levels 2–3 · shares robots"
    assert said["s3"] == "level 5 (last ticket: got it) · with levels 1–5 · kept apart from Maya R."
    assert reasons(learners, groups, "interest")["s4"] == "level 1"
    assert reasons(learners, groups, "interest")["s3"] == \
        "level 5 (last ticket: got it) · likes art; nobody else here does"


def test_reasons_for_groups_of_one_level_a_mixed_spread_and_a_random_draw_and_a_teachers_own_ticket_word():
    from hub.grouping import Learner, grouping_request, reasons
    from shared.protocol import SuggestGroupsArgs

    same = [Learner("a", 3), Learner("b", 3), Learner("c", 1, (), "odd")]
    assert reasons(same, {"g": ("a", "b")}, "readiness")["a"] == "level 3 · all at level 3"
    spread = reasons(same, {"g": ("a", "b", "c")}, "mixed")
    assert spread["c"] == "level 1 (last ticket: odd) · the group spans levels 1–3"  # a ticket word it lacks: as is
    assert reasons(same, {"g": ("a",)}, "random")["a"] == "level 3 · drawn at random"
    assert reasons(same, {"g": ("a", "zz")}, "readiness") == {"a": "level 3 · all at level 3"}  # unknown ids skipped
    assert grouping_request(SuggestGroupsArgs(strategy="mixed", groups=3, apart=(("a", "b"),), seed=7)) == {
        "strategy": "mixed", "count": 3, "apart": [("a", "b")], "seed": 7}


def test_a_ticket_moves_a_level_one_step_and_never_past_1_or_5():
    from hub.grouping import learner

    moved = [(level, ticket, learner("s", level, (), ticket).readiness) for level, ticket in
             [(5, "got_it"), (1, "stuck"), (None, "got_it"), (None, "stuck"), (3, "getting_there"), (2, None)]]
    assert moved == [(5, "got_it", 5), (1, "stuck", 1), (None, "got_it", 4), (None, "stuck", 2),
                     (3, "getting_there", 3), (2, None, 2)]


def as_sets(groups):
    return sorted(sorted(members) for members in groups.values())


def test_mixed_groups_are_dealt_back_and_forth_so_each_gets_one_of_every_band():
    learners = [Learner(f"s{level}", level) for level in (1, 2, 3, 4, 5)]
    # by level, dealt to two groups: 1 to A, 2 to B, 3 to B, 4 to A, 5 to A
    assert as_sets(suggest_groups(learners, "mixed", 2, seed=3)) == [["s1", "s4", "s5"], ["s2", "s3"]]
    three = [Learner(f"s{i}", level) for i, level in enumerate((1, 1, 1, 3, 3, 3, 5, 5, 5))]
    assert all(sorted(next(x.readiness for x in three if x.id == m) for m in members) == [1, 3, 5]
               for members in suggest_groups(three, "mixed", 3, seed=1).values())


def test_interest_groups_start_from_the_most_shared_interest_and_break_ties_by_name():
    learners = [Learner("a", None, ("art",)), Learner("b", None, ("art", "music")), Learner("c", None, ("art",)),
                Learner("d", None, ("music",)), Learner("e", None, ("music",)), Learner("f", None, ())]
    # art: 3 students, music: 3 (b counts for both, and sits with art, the first by name of the two)
    assert as_sets(suggest_groups(learners, "interest", 2, seed=5)) == [["a", "b", "c"], ["d", "e", "f"]]
    lopsided = [Learner("a", None, ("space",)), Learner("b", None, ("space",)), Learner("c", None, ("space",)),
                Learner("d", None, ("art",)), Learner("e", None, ("art",)), Learner("f", None, ("animals",))]
    assert as_sets(suggest_groups(lopsided, "interest", 2, seed=5)) == [["a", "b", "c"], ["d", "e", "f"]]


def test_random_groups_do_not_follow_interests():
    learners = [Learner(f"s{i}", None, ("art",) if i < 4 else ()) for i in range(8)]
    together = [{"s0", "s1", "s2", "s3"} in map(set, suggest_groups(learners, "random", 2, seed=seed).values())
                for seed in range(10)]
    assert not all(together)


def test_a_pair_kept_apart_is_swapped_with_the_nearest_level_in_another_group():
    learners = [Learner("a", 1), Learner("b", 1), Learner("e", 1), Learner("c", 5), Learner("d", 2), Learner("f", 5)]
    level = {x.id: x.readiness for x in learners}
    assert as_sets(suggest_groups(learners, "readiness", 2, seed=0)) == [["a", "b", "e"], ["c", "d", "f"]]
    for seed in range(4):
        apart = suggest_groups(learners, "readiness", 2, [("a", "b")], seed=seed)
        assert sorted(sorted(level[m] for m in members) for members in apart.values()) == [[1, 1, 2], [1, 5, 5]]


def test_the_reasons_name_the_range_of_a_group_of_three_and_every_interest_and_pair():
    from hub.grouping import reasons

    learners = [Learner("a", 2, ("art", "music")), Learner("b", 3, ("art", "music")), Learner("c", 4, ()),
                Learner("d", 1, ("chess", "dance"))]
    groups = {"otters": ("a", "b", "c"), "falcons": ("d",)}
    said = reasons(learners, groups, "readiness", [("a", "d"), ("c", "a")], {"d": "Dee D."})
    assert said["a"] == "level 2 · with levels 2–4 · shares art, music · kept apart from Dee D., c"
    assert reasons(learners, groups, "mixed")["c"] == "level 4 · the group spans levels 2–4"
    assert reasons(learners, groups, "interest")["d"] == "level 1 · likes chess, dance; nobody else here does"


def test_a_pair_with_one_student_unknown_names_that_one_and_an_unknown_way_lists_the_ways():
    learners = [Learner(f"s{i}") for i in range(6)]
    with pytest.raises(GroupingError, match=r"^cannot keep s0 and s9 apart: s9 is not in the class$"):
        suggest_groups(learners, "random", 2, [("s0", "s9")])
    with pytest.raises(GroupingError, match=r"^cannot keep s9 and s0 apart: s9 is not in the class$"):
        suggest_groups(learners, "random", 2, [("s9", "s0")])
    with pytest.raises(GroupingError, match=r"^unknown way to group 'height': use one of interest, readiness, "
                                            r"mixed, random$"):
        suggest_groups(learners, "height", 2)
    with pytest.raises(GroupingError, match=r"^cannot keep s\d and s\d apart in 2 groups together with the other "
                                            r"pairs: allow more groups or fewer pairs$"):
        suggest_groups(learners, "random", 2, [("s0", "s1"), ("s1", "s2"), ("s0", "s2")])
