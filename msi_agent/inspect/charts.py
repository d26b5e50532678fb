"""Grouped bar charts rendered as inline SVG, so reports and viewer pages load nothing from the internet.

A chart is data first (``BarChart``) and markup second (``to_svg``): tests and the Markdown report read the
data, the HTML pages embed the markup.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from html import escape

PALETTE = ("#4c78a8", "#f58518", "#54a24b", "#e45756", "#72b7b2", "#b279a2", "#eeca3b", "#9d755d")

_WIDTH_PER_GROUP = 26
_PLOT_HEIGHT = 180
_LEFT = 48
_TOP = 34
_BOTTOM = 74
_RIGHT = 12


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
    return f"{value:.0f}" if abs(value) >= 100 or value == int(value) else f"{value:.1f}"


def to_svg(chart: BarChart) -> str:
    """Inline SVG markup for ``chart``; every label is escaped."""
    n_series = max(len(chart.series), 1)
    group_width = _WIDTH_PER_GROUP * n_series + 18
    plot_width = max(group_width * max(len(chart.groups), 1), 160)
    width = _LEFT + plot_width + _RIGHT
    height = _TOP + _PLOT_HEIGHT + _BOTTOM
    top = chart.top
    slug = escape(chart.slug or chart.title.lower().replace(" ", "-"), quote=True)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" data-chart="{slug}" role="img" '
        f'width="{width}" height="{height}" viewBox="0 0 {width} {height}">',
        f"<title>{escape(chart.title)}</title>",
        f'<text x="{_LEFT}" y="18" class="chart-title">{escape(chart.title)}</text>',
    ]
    for i in range(5):
        tick = top * i / 4
        y = _TOP + _PLOT_HEIGHT - _PLOT_HEIGHT * i / 4
        parts.append(f'<line x1="{_LEFT}" x2="{_LEFT + plot_width}" y1="{y:.1f}" y2="{y:.1f}" class="grid"/>')
        label = f"{_fmt(tick)}{escape(chart.unit)}"
        parts.append(f'<text x="{_LEFT - 6}" y="{y + 4:.1f}" text-anchor="end" class="tick">{label}</text>')
    for g, group in enumerate(chart.groups):
        x0 = _LEFT + g * group_width + 9
        for s, (name, values) in enumerate(chart.series.items()):
            value = values[g]
            if value is None:
                continue
            h = _PLOT_HEIGHT * min(max(value, 0.0), top) / top
            x = x0 + s * _WIDTH_PER_GROUP
            y = _TOP + _PLOT_HEIGHT - h
            color = PALETTE[s % len(PALETTE)]
            label = f"{group} · {name}: {_fmt(value)}{chart.unit}"
            parts.append(
                f'<rect x="{x}" y="{y:.1f}" width="{_WIDTH_PER_GROUP - 4}" height="{h:.1f}" fill="{color}" '
                f'class="bar" data-series="{escape(name, quote=True)}" data-value="{value:.4g}">'
                f"<title>{escape(label)}</title></rect>"
            )
        cx = x0 + (group_width - 18) / 2
        parts.append(
            f'<text x="{cx:.1f}" y="{_TOP + _PLOT_HEIGHT + 14}" text-anchor="end" class="group" '
            f'transform="rotate(-30 {cx:.1f} {_TOP + _PLOT_HEIGHT + 14})">{escape(_short(group))}</text>'
        )
    legend_y = height - 10
    x = _LEFT
    for s, name in enumerate(chart.series):
        color = PALETTE[s % len(PALETTE)]
        parts.append(f'<rect x="{x}" y="{legend_y - 9}" width="10" height="10" fill="{color}"/>')
        parts.append(f'<text x="{x + 14}" y="{legend_y}" class="legend">{escape(name)}</text>')
        x += 22 + 7 * len(name)
    parts.append("</svg>")
    return "".join(parts)


def _short(label: str, limit: int = 22) -> str:
    return label if len(label) <= limit else label[: limit - 1] + "…"
