"""Geometry of the server-drawn SVG charts: horizontal bar charts, laid out here, drawn by
``templates/_charts.html``. No JavaScript and nothing fetched from elsewhere, so the charts
show in any browser, print, and read out to screen readers through their title, description
and the table that accompanies each.
"""

from __future__ import annotations

from dataclasses import dataclass

ROW_HEIGHT = 28
BAR_HEIGHT = 18
LABEL_WIDTH = 190
BAR_AREA = 300
VALUE_WIDTH = 150
WIDTH = LABEL_WIDTH + BAR_AREA + VALUE_WIDTH


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    text: str  # the value as the reader's language writes it
    href: str | None
    y: int
    width: float


@dataclass(frozen=True)
class BarChart:
    key: str  # a stable id for the SVG's title and description
    title: str
    description: str
    bars: tuple[Bar, ...]
    width: int = WIDTH
    label_width: int = LABEL_WIDTH
    bar_height: int = BAR_HEIGHT

    @property
    def height(self) -> int:
        return max(len(self.bars), 1) * ROW_HEIGHT + 8


def bar_chart(key: str, title: str, description: str, items: list[tuple[str, float, str, str | None]],
              limit: int = 25) -> BarChart:
    """Bars for ``(label, value, text, href)`` items, largest first, scaled to the largest."""
    ordered = sorted(items, key=lambda item: (-item[1], item[0]))[:limit]
    top = max((value for _label, value, _text, _href in ordered), default=0) or 1
    bars = tuple(
        Bar(label, value, text, href, 4 + index * ROW_HEIGHT, max(2.0, BAR_AREA * value / top) if value else 0.0)
        for index, (label, value, text, href) in enumerate(ordered)
    )
    return BarChart(key, title, description, bars)
