"""Inline SVG bar charts: well-formed, escaped, bars proportional to values."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from msi_agent.inspect.charts import BarChart, to_svg

SVG = "{http://www.w3.org/2000/svg}"


def _bars(svg: str) -> list[ET.Element]:
    return [r for r in ET.fromstring(svg).iter(f"{SVG}rect") if r.get("class") == "bar"]


def test_bars_are_proportional_and_missing_values_draw_nothing() -> None:
    chart = BarChart("SR", groups=["a", "b"], series={"x": [50.0, None], "y": [100.0, 25.0]}, unit="%", max_value=100)
    bars = _bars(to_svg(chart))
    assert [b.get("data-value") for b in bars] == ["50", "100", "25"]
    heights = [float(b.get("height") or 0) for b in bars]
    assert heights[1] == pytest.approx(2 * heights[0]) == pytest.approx(4 * heights[2])


def test_labels_are_escaped_and_canvas_fits_long_labels() -> None:
    name = "<script>alert(1)</script> & a very long family name"
    svg = to_svg(BarChart("t", groups=[name], series={"s&p": [1.0]}))
    root = ET.fromstring(svg)  # well-formed despite the markup in labels
    assert "<script>" not in svg
    assert float(root.get("width") or 0) > 100 and float(root.get("height") or 0) > 180


def test_axis_top_is_rounded_up() -> None:
    assert BarChart("t", groups=["a"], series={"s": [7.3]}).top == 10
    assert BarChart("t", groups=["a"], series={"s": [0.0]}).top == 1


def test_series_length_must_match_groups() -> None:
    with pytest.raises(ValueError, match="2 values for 1 groups"):
        BarChart("t", groups=["a"], series={"s": [1.0, 2.0]})
