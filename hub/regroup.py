"""The regroup screen as plain data: the groups as the hub has them, or a suggestion waiting for the
teacher's yes, and the student picked to be moved. Pure; hub/display.py draws it and sends the commands."""
from __future__ import annotations

from dataclasses import dataclass, field

from shared.protocol import State


@dataclass
class RegroupModel:
    groups: dict[str, list[str]] = field(default_factory=dict)  # group -> student ids, shown
    names: dict[str, str] = field(default_factory=dict)  # student id -> name
    suggested: str | None = None  # the way of grouping, while a suggestion waits to be applied
    picked: str | None = None  # a student tapped, to be put in the next group tapped

    def follow(self, state: State | None) -> None:
        """Show the hub's groups, unless a suggestion is on screen."""
        if state is None or self.suggested:
            return
        self.names = {sid: s.name for sid, s in state.students.items()}
        groups: dict[str, list[str]] = {g.id: [] for g in state.groups}
        for sid, student in sorted(state.students.items(), key=lambda item: item[1].name):
            if student.group:
                groups.setdefault(student.group, []).append(sid)
        self.groups = groups

    def suggest(self, strategy: str, groups: dict[str, list[str]]) -> None:
        self.suggested, self.picked = strategy, None
        self.groups = {g: sorted(ids, key=lambda sid: self.names.get(sid, sid)) for g, ids in groups.items()}

    def forget_suggestion(self, state: State | None) -> None:
        self.suggested = None
        self.follow(state)

    def pick(self, student: str) -> None:
        self.picked = None if self.picked == student else student

    def drop_into(self, group: str) -> str | None:
        """The picked student goes to this group: in a suggestion it only changes what is shown (the student
        to send to the hub otherwise, None when nothing changed)."""
        student, self.picked = self.picked, None
        if student is None or student in self.groups.get(group, []):
            return None
        for members in self.groups.values():
            if student in members:
                members.remove(student)
        self.groups.setdefault(group, []).append(student)
        self.groups[group].sort(key=lambda sid: self.names.get(sid, sid))
        return None if self.suggested else student
