"""Group colours, declared once: the room map and the printed cards both take a group's colour from here."""
from __future__ import annotations

# Okabe and Ito's palette (https://jfly.uni-koeln.de/color/), told apart with any colour vision and in print.
# The first four are the most distinct from each other, since most rooms have few groups; yellow, the faintest
# on white paper, and black, the colour of the text, come late.
PALETTE: tuple[tuple[int, int, int], ...] = (
    (0, 114, 178),  # blue
    (230, 159, 0),  # orange
    (0, 158, 115),  # bluish green
    (204, 121, 167),  # reddish purple
    (86, 180, 233),  # sky blue
    (213, 94, 0),  # vermillion
    (240, 228, 66),  # yellow
    (0, 0, 0),  # black
)


def group_colour(index: int) -> tuple[int, int, int]:
    """The colour of the group at ``index`` (0-based), the palette repeating after its eighth colour."""
    return PALETTE[index % len(PALETTE)]
