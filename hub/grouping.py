"""Suggested groups for the teacher to accept, change or ignore. Pure.

Four ways to group: by **interest** (students who share one), by **readiness** (similar levels together,
for targeted teaching), **mixed** readiness (each group spans the levels, for peer support), or at
**random**. Every suggestion has balanced sizes (no two groups differ by more than one student) and never
puts a pair the teacher keeps apart in one group. ``GroupingError`` says why, when that cannot be done.
"""
from __future__ import annotations

import random
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TypedDict

from shared.protocol import SuggestGroupsArgs

STRATEGIES = ("interest", "readiness", "mixed", "random")
GROUP_NAMES = ("otters", "falcons", "koalas", "herons", "lynxes", "dolphins", "pandas", "owls", "foxes",
               "badgers", "seals", "wrens")
MIDDLE_READINESS = 3  # a student with no level yet counts as in the middle of 1-5


class GroupingError(ValueError):
    """The grouping asked for cannot be made; the message says why."""


@dataclass(frozen=True)
class Learner:
    id: str
    readiness: int | None = None  # 1-5, from the roster or the latest exit tickets
    interests: tuple[str, ...] = ()


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
    if strategy not in STRATEGIES:
        raise GroupingError(f"unknown way to group {strategy!r}: use one of {', '.join(STRATEGIES)}")
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
