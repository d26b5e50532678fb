"""Insight-set diffs: matched by id, then by content; changes name their fields."""

from __future__ import annotations

from msi_agent.inspect.diff import diff_insights
from msi_agent.records import Insight, Scale


def _ins(text: str, score: float = 2.0, key: str | None = None, **kw) -> Insight:
    scale = Scale.SUBTASK if key else Scale.GENERAL
    return Insight(text=text, score=score, scale=scale, key=key, **kw)


def test_added_removed_changed_unchanged() -> None:
    kept, edited, dropped = _ins("kept"), _ins("old text", key="Cleaning"), _ins("dropped")
    new = _ins("new rule", score=5)
    after = [kept, edited.model_copy(update={"text": "new text", "score": 3.0}), new]
    d = diff_insights([kept, edited, dropped], after)
    assert [i.text for i in d.added] == ["new rule"]
    assert [i.text for i in d.removed] == ["dropped"]
    assert [(c.before.text, c.after.text, c.fields) for c in d.changed] == [("old text", "new text", ["text", "score"])]
    assert d.unchanged == 1 and not d.empty


def test_copies_under_new_ids_match_by_content() -> None:
    before = [_ins("Open the fridge first.", key="Cooling")]
    after = [_ins("open the  fridge first.", key="Cooling", score=4)]  # other id, same rule
    d = diff_insights(before, after)
    assert not d.added and not d.removed
    assert d.changed[0].fields == ["text", "score"]


def test_identical_sets_are_empty() -> None:
    same = [_ins("a"), _ins("b", key="K")]
    assert diff_insights(same, list(same)).empty
