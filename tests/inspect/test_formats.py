"""Markdown and CSV exports."""

from __future__ import annotations

import csv
import io

from msi_agent.inspect.formats import CSV_COLUMNS, grouped, to_csv, to_markdown
from msi_agent.records import Insight, Provenance, Scale

INSIGHTS = [
    Insight(
        text='Subtask rule, with a comma and a "quote"\nand a line break.',
        scale=Scale.SUBTASK,
        key="Slicing",
        score=3,
        provenance=Provenance(experience_ids=["e1", "e2"]),
    ),
    Insight(text="General rule.", scale=Scale.GENERAL, score=2),
    Insight(text="Kitchen rule.", scale=Scale.ENVIRONMENT, key="Kitchen", score=4),
]


def test_grouped_in_prompt_order() -> None:
    groups = grouped(INSIGHTS)
    assert [s.value for s in groups] == ["general", "environment", "subtask"]
    assert list(groups[Scale.SUBTASK]) == ["Slicing"]


def test_markdown_sections_and_empty_set() -> None:
    md = to_markdown(INSIGHTS, title="T")
    assert md.index("## General") < md.index("## Environment") < md.index("### Kitchen") < md.index("## Subtask")
    assert '- **3** Subtask rule, with a comma and a "quote" and a line break.' in md
    assert "_No insights._" in to_markdown([], title="T")


def test_csv_round_trips_awkward_text() -> None:
    rows = list(csv.DictReader(io.StringIO(to_csv(INSIGHTS))))
    assert tuple(rows[0]) == CSV_COLUMNS
    assert rows[0]["text"] == INSIGHTS[0].text and rows[0]["experience_ids"] == "e1 e2"
    assert rows[1]["key"] == "" and rows[2]["score"] == "4"
