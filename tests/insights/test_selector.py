"""Insight selection per mode, the hashmap reply parser, and the prompt block."""

from __future__ import annotations

import pytest
from langchain_core.messages import BaseMessage

from insights_store import open_store
from insights_store.base import InsightStore
from msi_agent.insights.selector import InsightSelector, format_block, parse_names
from msi_agent.llm import LLMClient, ScriptedChatModel
from msi_agent.records import Insight, Scale, Task

TASK = Task(
    id="t",
    family="pick_heat_then_place_in_recep",
    environment="Kitchen",
    scene="FloorPlan1",
    instruction="heat some egg and put it in garbagecan.",
)


@pytest.fixture
def store() -> InsightStore:
    s = open_store("memory", embeddings="hash")
    for text, scale, key in [
        ("Look before acting.", Scale.GENERAL, None),
        ("Eggs are in the fridge.", Scale.ENVIRONMENT, "Kitchen"),
        ("Towels hang on holders.", Scale.ENVIRONMENT, "Bathroom"),
        ("Heat egg food with the microwave.", Scale.SUBTASK, "Heating"),
        ("Open the fridge to find food.", Scale.SUBTASK, "Finding Food"),
        ("Turn on the desklamp to examine.", Scale.SUBTASK, "Lighting"),
    ]:
        s.add(Insight(text=text, scale=scale, key=key), namespace="ns")
    return s


def _texts(selector: InsightSelector) -> list[str]:
    return [i.text for i in selector.select(TASK).insights]


def test_modes(store: InsightStore) -> None:
    base = ["Look before acting.", "Eggs are in the fridge."]
    assert _texts(InsightSelector(store, "general-only", namespace="ns")) == ["Look before acting."]
    assert _texts(InsightSelector(store, "general-environment", namespace="ns")) == base
    assert _texts(InsightSelector(store, "all", namespace="ns")) == [
        *base,
        "Open the fridge to find food.",
        "Heat egg food with the microwave.",
        "Turn on the desklamp to examine.",
    ]
    assert _texts(InsightSelector(None, "none", namespace="ns")) == []
    vector = InsightSelector(store, "vector", namespace="ns", token_budget=10)
    chosen = _texts(vector)
    assert chosen[:2] == base and chosen[2] == "Heat egg food with the microwave." and len(chosen) == 3


def test_hashmap_asks_the_llm_and_takes_everything_under_chosen_names(store: InsightStore) -> None:
    prompts: list[str] = []

    def reply(messages: list[BaseMessage]) -> str:
        prompts.append(str(messages[-1].content))
        return "The relevant ones:\n- **heating**\n- Finding food"

    llm = LLMClient(ScriptedChatModel(reply), name="scripted")
    selection = InsightSelector(store, "hashmap", namespace="ns", llm=llm).select(TASK)
    assert selection.subtask_names == ["Heating", "Finding Food"]
    assert [i.text for i in selection.insights][2:] == [
        "Heat egg food with the microwave.",
        "Open the fridge to find food.",
    ]
    assert selection.usage.calls == 1
    assert "heat some egg and put it in garbagecan." in prompts[0]
    assert "1. Finding Food\n2. Heating\n3. Lighting" in prompts[0]


def test_parse_names_is_robust() -> None:
    names = ["Finding Food", "Heating", "Lighting"]
    assert parse_names("[Heating], finding_food", names) == ["Heating", "Finding Food"]
    assert parse_names("2, 3", names) == ["Heating", "Lighting"]
    assert parse_names("none", names) == []
    assert parse_names("Reheating food? 7", names) == []
    assert parse_names("", names) == []


def test_block_format_and_errors(store: InsightStore) -> None:
    block = InsightSelector(store, "general-environment", namespace="ns").select(TASK).block
    assert block == (
        "Here is experience you have summarized in the past:\nGeneral:\n- Look before acting.\n"
        "In the Kitchen:\n- Eggs are in the fridge.\n\n"
    )
    assert format_block([]) == ""
    with pytest.raises(ValueError, match="asks an LLM"):
        InsightSelector(store, "hashmap", namespace="ns")
    with pytest.raises(ValueError, match="needs an insight store"):
        InsightSelector(None, "all", namespace="ns")
    with pytest.raises(ValueError):
        InsightSelector(store, "bogus", namespace="ns")
