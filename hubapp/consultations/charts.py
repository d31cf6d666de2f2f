"""Bar charts drawn on the server as inline SVG: the geometry is computed here, the template
(templates/consultations/_charts.html) only places it. No JavaScript, nothing from a CDN; the numbers are
in the tables next to each chart as well, for screen readers and for printing.

Coordinates are in the SVG's own units (``viewBox``); the SVG is as wide as its card and scales.
"""

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

WIDTH = 320
FONT_SIZE = 12
#: Horizontal bars: height of a row and of its bar.
ROW_HEIGHT, BAR_HEIGHT = 22, 14
#: Room on the right of the longest bar for its value.
VALUE_ROOM = 40
#: Vertical (monthly) bars: the plot's height, and room below for the month labels and above for values.
PLOT_HEIGHT, AXIS_ROOM, TOP_ROOM = 120, 20, 16


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    #: The bar's rectangle.
    x: float
    y: float
    width: float
    height: float
    #: Where the label and the value are written.
    label_x: float
    label_y: float
    value_x: float
    value_y: float


@dataclass(frozen=True)
class Chart:
    title: str
    width: int
    height: int
    bars: tuple[Bar, ...]
    #: Horizontal charts: the x of the bars' base line (labels end left of it).
    base_x: float = 0
    #: Vertical charts: the y of the base line.
    base_y: float = 0
    font_size: int = FONT_SIZE

    @property
    def is_empty(self) -> bool:
        return not any(bar.value for bar in self.bars)


def text_width(text: str, font_size: int = FONT_SIZE) -> float:
    """The width a label takes: a full-width character about one em, anything else about 0.6 em."""
    return sum(font_size if unicodedata.east_asian_width(ch) in "WF" else font_size * 0.6 for ch in text)


def horizontal(title: str, items: Sequence[tuple[str, int]], *, max_label_width: float = 150) -> Chart:
    """One bar per (label, value), top to bottom, longest bar filling the width left after the labels."""
    label_width = min(max((text_width(label) for label, _v in items), default=0), max_label_width)
    base_x = round(label_width + 8, 1)
    room = WIDTH - base_x - VALUE_ROOM
    top = max((value for _l, value in items), default=0) or 1
    bars = []
    for index, (label, value) in enumerate(items):
        y = index * ROW_HEIGHT + (ROW_HEIGHT - BAR_HEIGHT) / 2
        width = round(room * value / top, 1)
        bars.append(
            Bar(
                label=label,
                value=value,
                x=base_x,
                y=y,
                width=width,
                height=BAR_HEIGHT,
                label_x=base_x - 6,
                label_y=y + BAR_HEIGHT - 3,
                value_x=round(base_x + width + 4, 1),
                value_y=y + BAR_HEIGHT - 3,
            )
        )
    return Chart(title=title, width=WIDTH, height=max(len(items), 1) * ROW_HEIGHT, bars=tuple(bars), base_x=base_x)


def vertical(title: str, items: Sequence[tuple[str, int]]) -> Chart:
    """One column per (label, value), left to right (the twelve months of a 年度)."""
    slot = WIDTH / max(len(items), 1)
    bar_width = round(slot * 0.64, 1)
    top = max((value for _l, value in items), default=0) or 1
    base_y = TOP_ROOM + PLOT_HEIGHT
    bars = []
    for index, (label, value) in enumerate(items):
        height = round(PLOT_HEIGHT * value / top, 1)
        x = round(index * slot + (slot - bar_width) / 2, 1)
        centre = round(index * slot + slot / 2, 1)
        bars.append(
            Bar(
                label=label,
                value=value,
                x=x,
                y=round(base_y - height, 1),
                width=bar_width,
                height=height,
                label_x=centre,
                label_y=base_y + AXIS_ROOM - 5,
                value_x=centre,
                value_y=round(base_y - height - 3, 1),
            )
        )
    return Chart(
        title=title,
        width=WIDTH,
        height=TOP_ROOM + PLOT_HEIGHT + AXIS_ROOM,
        bars=tuple(bars),
        base_y=base_y,
        font_size=11,
    )
