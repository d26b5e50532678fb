"""Grouped bar charts rendered as inline SVG, so reports and viewer pages load nothing from the internet.

A chart is data first (``BarChart``) and markup second (``to_svg``): tests and the Markdown report read the
data, the HTML pages embed the markup.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from html import escape

PALETTE = ("#4c78a8", "#f58518", "#54a24b", "#e45756", "#72b7b2", "#b279a2", "#eeca3b", "#9d755d")

_BAR = 22  # bar width; bars of one group sit _BAR + 4 apart
_GAP = 18  # space between groups
_PLOT_HEIGHT = 180
_CHAR = 6.4  # approximate advance of an 11 px sans-serif character, for layout
_TILT = 0.64, 0.77  # sin and cos of the 40° group-label tilt
_LABEL_LIMIT = 24


@dataclass(frozen=True)
class BarChart:
    """``series`` maps a series name (a legend entry) to one value per group; None draws no bar."""

    title: str
    groups: list[str]
    series: dict[str, list[float | None]]
    unit: str = ""
    max_value: float | None = None
    slug: str = field(default="")

    def __post_init__(self) -> None:
        for name, values in self.series.items():
            if len(values) != len(self.groups):
                raise ValueError(f"series {name!r} has {len(values)} values for {len(self.groups)} groups")

    @property
    def top(self) -> float:
        """The axis maximum: the given one, else the largest value rounded up to a 'nice' number."""
        if self.max_value is not None:
            return self.max_value
        values = [v for vs in self.series.values() for v in vs if v is not None]
        return _nice_ceiling(max(values, default=0.0))


def _nice_ceiling(value: float) -> float:
    if value <= 0:
        return 1.0
    magnitude = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * magnitude:
            return step * magnitude
    return 10 * magnitude  # pragma: no cover - the loop always returns


def _fmt(value: float) -> str:
    return f"{value:.0f}" if abs(value) >= 100 or value == int(value) else f"{value:.3g}"


def _legend_rows(names: list[str], width: float) -> list[list[tuple[str, float]]]:
    """Legend entries (name, x offset) wrapped into rows that fit ``width``."""
    rows: list[list[tuple[str, float]]] = [[]]
    x = 0.0
    for name in names:
        w = 18 + _CHAR * len(name)
        if rows[-1] and x + w > width:
            rows.append([])
            x = 0.0
        rows[-1].append((name, x))
        x += w + 10
    return rows


def to_svg(chart: BarChart) -> str:
    """Inline SVG markup for ``chart``; every label is escaped and the canvas grows to fit its labels."""
    names = list(chart.series)
    step = _BAR + 4
    group_width = step * max(len(names), 1) + _GAP
    labels = [_short(g) for g in chart.groups]
    longest = max((len(label) for label in labels), default=0) * _CHAR
    tick_width = max(len(f"{_fmt(chart.top)}{chart.unit}"), 3) * _CHAR + 10
    left = max(tick_width, _TILT[1] * longest - group_width / 2 + 8) + 8
    plot_width = max(group_width * max(len(chart.groups), 1), 120)
    width = max(left + plot_width + 12, len(chart.title) * 7.6 + 16)
    legend = _legend_rows(names, width - 16)
    top_margin = 34
    label_depth = _TILT[0] * longest + 18
    height = top_margin + _PLOT_HEIGHT + label_depth + 18 * len(legend) + 6
    top = chart.top
    slug = escape(chart.slug or chart.title.lower().replace(" ", "-"), quote=True)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" data-chart="{slug}" role="img" '
        f'width="{width:.0f}" height="{height:.0f}" viewBox="0 0 {width:.0f} {height:.0f}">',
        f"<title>{escape(chart.title)}</title>",
        f'<text x="8" y="18" class="chart-title">{escape(chart.title)}</text>',
    ]
    base = top_margin + _PLOT_HEIGHT
    for i in range(5):
        y = base - _PLOT_HEIGHT * i / 4
        parts.append(f'<line x1="{left:.1f}" x2="{left + plot_width:.1f}" y1="{y:.1f}" y2="{y:.1f}" class="grid"/>')
        label = f"{_fmt(top * i / 4)}{escape(chart.unit)}"
        parts.append(f'<text x="{left - 6:.1f}" y="{y + 4:.1f}" text-anchor="end" class="tick">{label}</text>')
    for g, group in enumerate(chart.groups):
        x0 = left + g * group_width + _GAP / 2
        for s, (name, values) in enumerate(chart.series.items()):
            value = values[g]
            if value is None:
                continue
            h = _PLOT_HEIGHT * min(max(value, 0.0), top) / top
            tip = f"{group} · {name}: {_fmt(value)}{chart.unit}"
            parts.append(
                f'<rect x="{x0 + s * step:.1f}" y="{base - h:.1f}" width="{_BAR}" height="{h:.1f}" '
                f'fill="{PALETTE[s % len(PALETTE)]}" class="bar" data-series="{escape(name, quote=True)}" '
                f'data-value="{value:.4g}"><title>{escape(tip)}</title></rect>'
            )
        cx, ly = x0 + (group_width - _GAP) / 2, base + 14
        parts.append(
            f'<text x="{cx:.1f}" y="{ly}" text-anchor="end" class="group" transform="rotate(-40 {cx:.1f} {ly})">'
            f"<title>{escape(group)}</title>{escape(labels[g])}</text>"
        )
    y = base + label_depth
    index = 0
    for row in legend:
        for name, dx in row:
            x, color = 8 + dx, PALETTE[index % len(PALETTE)]
            parts.append(f'<rect x="{x:.1f}" y="{y - 9:.1f}" width="10" height="10" fill="{color}"/>')
            parts.append(f'<text x="{x + 14:.1f}" y="{y:.1f}" class="legend">{escape(name)}</text>')
            index += 1
        y += 18
    parts.append("</svg>")
    return "".join(parts)


def _short(label: str, limit: int = _LABEL_LIMIT) -> str:
    return label if len(label) <= limit else label[: limit - 1] + "…"
