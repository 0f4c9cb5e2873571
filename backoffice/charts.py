"""The geometry of the backoffice's charts, drawn as inline SVG by the templates.

The server computes every rectangle and label, so a chart is plain markup: no script, no
library, readable without JavaScript, and each chart carries its numbers as a table for
screen readers (`templates/backoffice/_chart_*.html`). Colours are SVG `fill` values rather
than Tailwind classes: the CSS build only sees the classes written in templates.

A drawing is 100 units each way and stretched to its box, so a coordinate is a percentage
of the box: the labels are HTML text placed at those percentages beside the drawing, which
keeps them at the page's text size on a phone as on a desktop (SVG text would shrink with
the drawing, to about 7 px on a phone).
"""

import math
from collections.abc import Sequence
from dataclasses import dataclass

WIDTH = 100
HEIGHT = 100
# Room above the highest bar for its gridline.
TOP = 4
# About this many dates under the bars, whatever the period.
X_LABELS = 7
BAR_GAP = 0.2
# Tailwind's indigo-600, amber-500, red-600, emerald-600 and sky-600.
INDIGO, AMBER, RED, EMERALD, SKY = "#4f46e5", "#f59e0b", "#dc2626", "#059669", "#0284c7"


@dataclass(frozen=True)
class Series:
    label: str
    values: Sequence[int]
    color: str


@dataclass(frozen=True)
class Segment:
    x: float
    y: float
    width: float
    height: float
    color: str
    tooltip: str


@dataclass(frozen=True)
class Tick:
    position: float
    label: str


@dataclass(frozen=True)
class Row:
    label: str
    values: list[int]


@dataclass(frozen=True)
class BarChart:
    name: str
    title: str
    summary: str
    width: int
    height: int
    baseline: float
    segments: list[Segment]
    y_ticks: list[Tick]
    x_ticks: list[Tick]
    series: Sequence[Series]
    rows: list[Row]


def nice_ceiling(value: int) -> int:
    """The smallest of 1, 2, 5, 10, 20, 50… at or above `value` (at least 1)."""
    if value <= 1:
        return 1
    magnitude = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 5, 10):
        if step * magnitude >= value:
            return step * magnitude
    return 10 * magnitude


def tick_count(top: int) -> int:
    """How many intervals split 0..`top` (a `nice_ceiling`) into whole numbers."""
    if top <= 2:
        return top
    leading = top // 10 ** math.floor(math.log10(top))
    return 4 if leading == 2 else 5


def bar_chart(
    *,
    name: str,
    title: str,
    summary: str,
    labels: Sequence[str],
    long_labels: Sequence[str],
    series: Sequence[Series],
) -> BarChart:
    """Stacked bars, one per label, the series piled up in order from the baseline.

    `labels` go under the bars (a few of them), `long_labels` name the rows of the data
    table and the tooltips.
    """
    count = len(labels)
    totals = [sum(one.values[index] for one in series) for index in range(count)]
    top = nice_ceiling(max(totals, default=0))
    plot_height = HEIGHT - TOP
    baseline = HEIGHT
    slot = WIDTH / max(count, 1)
    bar_width = slot * (1 - BAR_GAP)
    segments: list[Segment] = []
    for index in range(count):
        stacked = 0
        x = index * slot + (slot - bar_width) / 2
        for one in series:
            value = one.values[index]
            if value:
                height = value / top * plot_height
                segments.append(
                    Segment(
                        x=round(x, 2),
                        y=round(baseline - (stacked + value) / top * plot_height, 2),
                        width=round(bar_width, 2),
                        height=round(height, 2),
                        color=one.color,
                        tooltip=f"{long_labels[index]} — {one.label} : {value}",
                    )
                )
                stacked += value
    step = max(1, math.ceil(count / X_LABELS))
    # Counted back from the last bar, so the latest day is always labelled.
    x_ticks = [
        Tick(round((index + 0.5) * slot, 2), labels[index])
        for index in sorted(range(count - 1, -1, -step))
    ]
    intervals = tick_count(top)
    y_ticks = [
        Tick(round(baseline - i / intervals * plot_height, 2), str(i * top // intervals))
        for i in range(intervals + 1)
    ]
    return BarChart(
        name=name,
        title=title,
        summary=summary,
        width=WIDTH,
        height=HEIGHT,
        baseline=baseline,
        segments=segments,
        y_ticks=y_ticks,
        x_ticks=x_ticks,
        series=series,
        rows=[
            Row(long_labels[index], [one.values[index] for one in series]) for index in range(count)
        ],
    )


@dataclass(frozen=True)
class Part:
    label: str
    value: int
    color: str


@dataclass(frozen=True)
class RatioSegment:
    label: str
    value: int
    percent: float
    x: float
    width: float
    color: str


@dataclass(frozen=True)
class RatioChart:
    name: str
    title: str
    summary: str
    width: int
    height: int
    total: int
    segments: list[RatioSegment]


RATIO_HEIGHT = 24


def ratio_chart(*, name: str, title: str, summary: str, parts: Sequence[Part]) -> RatioChart:
    """One horizontal bar split in proportion to the parts (empty when they are all 0)."""
    total = sum(part.value for part in parts)
    segments: list[RatioSegment] = []
    x = 0.0
    for part in parts:
        share = part.value / total if total else 0.0
        segments.append(
            RatioSegment(
                label=part.label,
                value=part.value,
                percent=round(100 * share, 1),
                x=round(x, 2),
                width=round(share * WIDTH, 2),
                color=part.color,
            )
        )
        x += share * WIDTH
    return RatioChart(
        name=name,
        title=title,
        summary=summary,
        width=WIDTH,
        height=RATIO_HEIGHT,
        total=total,
        segments=segments,
    )
