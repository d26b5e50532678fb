"""Records round-trip through JSON and reject bad values with messages that name the field."""

from __future__ import annotations

import math

import pytest
from pydantic import ValidationError

from msi_agent.records import (
    SCHEMA_VERSION,
    Episode,
    Insight,
    InsightOp,
    OpKind,
    Provenance,
    Scale,
    Source,
    Split,
    Step,
    Task,
    TokenUsage,
    rule_form,
)


def _task() -> Task:
    return Task(
        id="t1",
        family="pick_and_place_simple",
        environment="Kitchen",
        scene="FloorPlan1",
        instruction="put a apple in fridge.",
        params={"object": "Apple", "receptacle": "Fridge"},
        split=Split.VALID_SEEN,
        seed=3,
    )


def test_episode_round_trip_keeps_everything() -> None:
    ep = Episode(
        task=_task(),
        steps=[
            Step(
                thought="find the apple",
                action="go to fridge 1",
                observation="The fridge 1 is closed.",
                admissible_count=12,
                tokens=TokenUsage(prompt_tokens=10, completion_tokens=3, calls=1),
            )
        ],
        success=True,
        gc_satisfied=2,
        gc_total=2,
        path_length=1,
        failure_reason=None,
        llm="local",
        usage=TokenUsage(prompt_tokens=10, completion_tokens=3, calls=1),
        source=Source.EXPERT,
    )
    again = Episode.model_validate_json(ep.model_dump_json())
    assert again == ep
    assert again.schema_version == SCHEMA_VERSION


def test_insight_and_op_round_trip() -> None:
    ins = Insight(
        text="Open a closed receptacle before taking from it.",
        scale=Scale.SUBTASK,
        key="Revealing Objects",
        score=3,
        provenance=Provenance(experience_ids=["e1"], llm="local"),
    )
    assert Insight.model_validate_json(ins.model_dump_json()) == ins
    op = InsightOp(kind=OpKind.MOVE, target=ins.id, text="Always open first.", scale=Scale.GENERAL)
    assert InsightOp.model_validate_json(op.model_dump_json()) == op


def test_token_usage_adds() -> None:
    total = TokenUsage(prompt_tokens=1, completion_tokens=2, calls=1) + TokenUsage(prompt_tokens=3, calls=1)
    assert (total.prompt_tokens, total.completion_tokens, total.calls) == (4, 2, 2)


@pytest.mark.parametrize(
    ("kwargs", "fragment"),
    [
        ({"text": "   ", "scale": "general"}, "empty"),
        ({"text": "x" * 5000, "scale": "general"}, "limit"),
        ({"text": "rule", "scale": "global"}, "scale"),
        ({"text": "rule", "scale": "general", "key": "Kitchen"}, "general insight has no key"),
        ({"text": "rule", "scale": "subtask"}, "needs a key"),
        ({"text": "rule", "scale": "general", "score": math.nan}, "finite"),
        ({"text": "rule", "scale": "general", "score": -1}, ">= 0"),
    ],
)
def test_bad_insights_are_rejected_readably(kwargs: dict, fragment: str) -> None:
    with pytest.raises(ValidationError) as info:
        Insight(**kwargs)
    assert fragment in str(info.value)


def test_op_fields_checked_per_kind() -> None:
    with pytest.raises(ValidationError, match="needs the id"):
        InsightOp(kind=OpKind.AGREE)
    with pytest.raises(ValidationError, match="needs the new rule text"):
        InsightOp(kind=OpKind.EDIT, target="abc")
    with pytest.raises(ValidationError, match="needs a scale"):
        InsightOp(kind=OpKind.ADD, text="rule")


def test_unknown_fields_and_bad_gc_are_rejected() -> None:
    with pytest.raises(ValidationError, match="extra"):
        Task.model_validate(_task().model_dump() | {"colour": "red"})
    with pytest.raises(ValidationError, match="gc_satisfied=3"):
        Episode(task=_task(), gc_satisfied=3, gc_total=2)


def test_duplicate_rules_ignore_case_spacing_and_final_punctuation() -> None:
    assert rule_form("  Open  the FRIDGE first. ") == rule_form("open the fridge first") == "open the fridge first"
    assert rule_form("Open the fridge!") == rule_form("open the fridge ;")
    assert rule_form("open the fridge") != rule_form("open the fridges")
