"""One Jinja environment for reports and viewer pages: templates ship as package data, and a misspelled
variable fails loudly (``StrictUndefined``) instead of rendering as an empty string.
"""

from __future__ import annotations

from functools import cache

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from msi_agent.inspect.charts import BarChart, to_svg
from msi_agent.inspect.compare import pivot
from msi_agent.markdown import text as md
from msi_agent.pipeline.results import COMPARISON_NOTE, interval, points
from msi_agent.stats import Effect


def pct(value: float | None) -> str:
    """A 0..1 rate as a percentage with one decimal; '–' for a missing value."""
    return "–" if value is None else f"{100 * value:.1f}"


def number(value: float | None) -> str:
    if value is None:
        return "–"
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.4g}"


def effect(value: Effect | None) -> str:
    """A measured effect as "+0.50 [+0.25, +0.75]"; '–' when there is not enough evidence."""
    return "–" if value is None else f"{value.mean:+.2f} [{value.low:+.2f}, {value.high:+.2f}]"


def svg(chart: BarChart) -> Markup:
    """Chart markup is built from escaped parts in ``charts.to_svg``, so it is safe to embed."""
    return Markup(to_svg(chart))


@cache
def environment() -> Environment:
    env = Environment(
        loader=PackageLoader("msi_agent.inspect", "templates"),
        undefined=StrictUndefined,
        autoescape=select_autoescape(enabled_extensions=("html", "html.j2"), default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters |= {"pct": pct, "number": number, "svg": svg, "md": md, "effect": effect}
    env.filters |= {"interval": interval, "points": points}
    env.globals |= {"pivot": pivot, "comparison_note": COMPARISON_NOTE}
    return env
