"""Each station's colour and picture, and the pictures of the kiosk's own answers, named once. Pure.

Pictures are names of Google's Material Icons (Apache-2.0), which every part draws from Debian's
fonts-material-design-icons-iconfont (edge/pictures.py finds each name's glyph): a six-year-old who cannot
read yet answers by the picture, so each answer on screen has its own.
"""
from __future__ import annotations

# Dark enough for white words on them (at least 4.5:1), and told apart from each other on the map.
STATION_COLOURS: dict[str, tuple[float, float, float]] = {
    "purple": (0.45, 0.20, 0.58), "blue": (0.09, 0.36, 0.58), "teal": (0.0, 0.42, 0.37),
    "slate": (0.28, 0.34, 0.40), "rust": (0.62, 0.26, 0.09), "green": (0.16, 0.42, 0.13),
    "crimson": (0.66, 0.11, 0.22), "brown": (0.42, 0.30, 0.16),
}
STATION_LOOK_BY_KIND: dict[str, tuple[str, str]] = {  # a station's colour and picture unless its config says
    "teacher-led": ("purple", "school"), "independent": ("blue", "edit"), "collaborative": ("teal", "groups"),
    "tech": ("slate", "computer"), "reading": ("rust", "menu_book"), "other": ("brown", "star"),
}
TICKET_PICTURES = {"got_it": "check_circle", "getting_there": "trending_up", "stuck": "help"}
NEXT_PICTURES = ("replay", "rocket_launch", "shuffle")  # more of this, something harder, something different
DEFAULT_GOAL_PICTURES = ("task_alt", "fitness_center", "handshake", "lightbulb")  # the default goals', in order
GOAL_PICTURE = "flag"  # a goal of the teacher's with no picture of its own
# What a teacher picks a goal's picture from (the room's list, a student's own goal): one each, told apart
GOAL_PICTURE_CHOICES = ("flag", "task_alt", "fitness_center", "handshake", "lightbulb", "menu_book", "edit",
                        "calculate", "record_voice_over", "groups", "psychology", "palette", "science", "hearing",
                        "timer", "star")
# "Did you get closer to your goal?": closer, not yet, I met my goal!
GOAL_ANSWER_PICTURES = {"closer": "trending_up", "not_yet": "hourglass_top", "met": "emoji_events"}
PEER_PICTURE = "emoji_people"  # a classmate who got it, suggested to one asking for help
PEER_PICTURES = {"ask": "record_voice_over", "no": "close"}  # "I'll ask Maya", "No thanks"


def station_look(kind: str, colour: str | None = None, picture: str | None = None) -> tuple[str, str]:
    """The station's colour name and picture name: its own, else its kind's."""
    default_colour, default_picture = STATION_LOOK_BY_KIND.get(kind, STATION_LOOK_BY_KIND["other"])
    return colour or default_colour, picture or default_picture


def goal_pictures(goals: tuple[str, ...], configured: tuple[str, ...] = (),
                  default_goals: tuple[str, ...] = ()) -> tuple[str, ...]:
    """A picture for each goal: the configured ones, else a default goal's own, else a flag."""
    if configured:
        return configured
    own = dict(zip(default_goals, DEFAULT_GOAL_PICTURES, strict=False))
    return tuple(own.get(goal, GOAL_PICTURE) for goal in goals)


def rgba(colour: str) -> tuple[float, float, float, float]:
    return (*STATION_COLOURS.get(colour, STATION_COLOURS["slate"]), 1.0)
