"""Suggested groups for the teacher to accept, change or ignore. Pure.

Four ways to group: by **interest** (students who share one), by **readiness** (similar levels together,
for targeted teaching), **mixed** readiness (each group spans the levels, for peer support), or at
**random**. Every suggestion has balanced sizes (no two groups differ by more than one student) and never
puts a pair the teacher keeps apart in one group. ``GroupingError`` says why, when that cannot be done.
"""
from __future__ import annotations

import random
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TypedDict

from hub.report import TICKET_WORDS
from shared.protocol import GROUPING_STRATEGIES, SuggestGroupsArgs

GROUP_NAMES = ("otters", "falcons", "koalas", "herons", "lynxes", "dolphins", "pandas", "owls", "foxes",
               "badgers", "seals", "wrens")
MIDDLE_READINESS = 3  # a student with no level yet counts as in the middle of 1-5


class GroupingError(ValueError):
    """The grouping asked for cannot be made; the message says why."""


TICKET_STEP = {"got_it": 1, "getting_there": 0, "stuck": -1}  # what an exit ticket says about readiness


@dataclass(frozen=True)
class Learner:
    id: str
    readiness: int | None = None  # 1-5, from the roster or the latest exit tickets
    interests: tuple[str, ...] = ()
    ticket: str | None = None  # the latest exit ticket, which moved the roster's level to ``readiness``


def learner(student_id: str, level: int | None, interests: tuple[str, ...], ticket: str | None) -> Learner:
    """A student as grouping sees them: the roster's level (1-5) moved one step by the latest exit ticket."""
    if ticket not in TICKET_STEP:
        return Learner(student_id, level, interests)
    moved = max(1, min(5, (level if level is not None else MIDDLE_READINESS) + TICKET_STEP[ticket]))
    return Learner(student_id, moved, interests, ticket)


def reasons(learners: list[Learner], groups: Mapping[str, Sequence[str]], strategy: str,
            apart: Sequence[tuple[str, str]] = (), names: dict[str, str] | None = None) -> dict[str, str]:
    """Why each student is where the suggestion puts them, in a teacher's words: their level and the ticket
    that moved it, the interests they share with their group, the pairs kept apart."""
    by_id = {each.id: each for each in learners}
    names = names or {}
    said: dict[str, str] = {}
    for members in groups.values():
        group = [by_id[sid] for sid in members if sid in by_id]
        levels = sorted(_level(other) for other in group)
        for each in group:
            parts = [f"level {each.readiness}" if each.readiness is not None else "no level yet"]
            if each.ticket is not None:
                parts[0] += f" (last ticket: {TICKET_WORDS.get(each.ticket, each.ticket)})"
            if strategy == "readiness" and group:
                parts.append(f"with levels {levels[0]}–{levels[-1]}" if levels[0] != levels[-1]
                             else f"all at level {levels[0]}")
            elif strategy == "mixed" and group:
                parts.append(f"the group spans levels {levels[0]}–{levels[-1]}")
            elif strategy == "random":
                parts.append("drawn at random")
            shared = sorted({i for i in each.interests
                             if any(i in other.interests for other in group if other is not each)})
            if shared:
                parts.append(f"shares {', '.join(shared)}")
            elif each.interests and strategy == "interest":
                parts.append(f"likes {', '.join(each.interests)}; nobody else here does")
            kept = sorted(names.get(b if a == each.id else a, b if a == each.id else a)
                          for a, b in apart if each.id in (a, b))
            if kept:
                parts.append(f"kept apart from {', '.join(kept)}")
            said[each.id] = " · ".join(parts)
    return said


class GroupingRequest(TypedDict):
    """The keyword arguments of ``suggest_groups``."""
    strategy: str
    count: int
    apart: list[tuple[str, str]]
    seed: int


def grouping_request(args: SuggestGroupsArgs) -> GroupingRequest:
    """The keyword arguments of ``suggest_groups`` from a teacher command's arguments."""
    return {"strategy": args.strategy, "count": args.groups, "apart": [(a, b) for a, b in args.apart],
            "seed": args.seed}


def suggest_groups(learners: list[Learner], strategy: str, count: int,
                   apart: Sequence[tuple[str, str]] = (), seed: int = 0) -> dict[str, tuple[str, ...]]:
    """Group name -> student ids, ``count`` groups of balanced sizes."""
    if strategy not in GROUPING_STRATEGIES:
        raise GroupingError(f"unknown way to group {strategy!r}: use one of {', '.join(GROUPING_STRATEGIES)}")
    if not 1 <= count <= min(len(learners), len(GROUP_NAMES)):
        raise GroupingError(f"{count} groups for {len(learners)} students: choose 1 to "
                            f"{min(len(learners), len(GROUP_NAMES))}")
    known = {learner.id for learner in learners}
    for a, b in apart:
        if a not in known or b not in known:
            raise GroupingError(f"cannot keep {a} and {b} apart: {a if a not in known else b} is not in the class")
    shuffled = list(learners)
    random.Random(seed).shuffle(shuffled)  # ties are broken differently for each seed, never by roster order
    if strategy == "random":
        groups = _chunks(shuffled, count)
    elif strategy == "readiness":
        groups = _chunks(sorted(shuffled, key=_level), count)
    elif strategy == "mixed":
        groups = _dealt(sorted(shuffled, key=_level), count)
    else:
        groups = _chunks(_by_interest(shuffled), count)
    _separate(groups, set(map(frozenset, apart)))
    # The names say nothing about the level: readiness groups are seen by the class on the board.
    random.Random(seed).shuffle(groups)
    return {GROUP_NAMES[index]: tuple(sorted(learner.id for learner in group)) for index, group in enumerate(groups)}


def _level(learner: Learner) -> int:
    return learner.readiness if learner.readiness is not None else MIDDLE_READINESS


def _sizes(total: int, count: int) -> list[int]:
    return [total // count + (1 if index < total % count else 0) for index in range(count)]


def _chunks(ordered: list[Learner], count: int) -> list[list[Learner]]:
    groups, start = [], 0
    for size in _sizes(len(ordered), count):
        groups.append(ordered[start:start + size])
        start += size
    return groups


def _dealt(ordered: list[Learner], count: int) -> list[list[Learner]]:
    """Dealt like cards, back and forth, so every group gets one from each band of levels."""
    groups: list[list[Learner]] = [[] for _ in range(count)]
    for index, learner in enumerate(ordered):
        lap, position = divmod(index, count)
        groups[position if lap % 2 == 0 else count - 1 - position].append(learner)
    return groups


def _by_interest(learners: list[Learner]) -> list[Learner]:
    """Students ordered so that those sharing their class's most common interests sit next to each other."""
    popularity = Counter(interest for learner in learners for interest in set(learner.interests))

    def favourite(learner: Learner) -> tuple[int, str]:
        best = max(learner.interests, key=lambda i: (popularity[i], i), default="")
        return (-popularity[best], best) if best else (1, "")
    return sorted(learners, key=favourite)


def _separate(groups: list[list[Learner]], apart: set[frozenset[str]]) -> None:
    """Swap students between groups until no kept-apart pair shares a group; sizes stay as they are.
    A swap partner of the same level is preferred, so the grouping keeps its shape."""
    def clashes(group: list[Learner], learner: Learner, leaving: Learner | None = None) -> bool:
        return any(frozenset((learner.id, other.id)) in apart for other in group if other is not leaving)

    for _ in range(len(apart) * 4 + 4):
        clash = next(((g, learner) for g, group in enumerate(groups) for learner in group
                      if clashes(group, learner, learner)), None)
        if clash is None:
            return
        g, learner = clash
        options = [(abs(_level(other) - _level(learner)), h, other) for h, group in enumerate(groups) if h != g
                   for other in group
                   if not clashes(group, learner, other) and not clashes(groups[g], other, learner)]
        if not options:
            break
        _, h, other = min(options, key=lambda option: (option[0], option[1], option[2].id))
        groups[g][groups[g].index(learner)] = other
        groups[h][groups[h].index(other)] = learner
    pairs = sorted({tuple(sorted(pair)) for group in groups for pair in apart
                    if pair <= {learner.id for learner in group}})
    if pairs:
        raise GroupingError(f"cannot keep {' and '.join(pairs[0])} apart in {len(groups)} groups "
                            "together with the other pairs: allow more groups or fewer pairs")
