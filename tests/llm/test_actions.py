"""The reply format, its parser, nearest-admissible mapping and the GBNF grammar text."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from msi_agent.llm.actions import (
    ACT_FORMAT,
    REPLY_FORMAT,
    action_grammar,
    grammar_token_budget,
    map_to_admissible,
    normalise,
    parse_reply,
)

ADMISSIBLE = [
    "go to cabinet 1",
    "go to cabinet 10",
    "take apple 1 from countertop 2",
    "move apple 1 to fridge 1",
    "open fridge 1",
    "look",
    "inventory",
]


@pytest.mark.parametrize(
    ("text", "thought", "action"),
    [
        ("Think: find the apple\nAction: go to cabinet 1", "find the apple", "go to cabinet 1"),
        ("**Thought:** hmm\n**Action:** `open fridge 1`", "hmm", "open fridge 1"),
        ("I should look.\naction - look", "I should look.", "look"),
        ("Action: look\nObservation: dark\nThink: x\nAction: inventory", "", "look"),
        ("Action:\nThink: hm\nAction: look", "hm", "look"),
        ("Think: no action here", "no action here", None),
        ("", "", None),
    ],
)
def test_parse_reply(text: str, thought: str, action: str | None) -> None:
    parsed = parse_reply(text)
    assert (parsed.thought, parsed.action) == (thought, action)


def test_reply_format_parses_as_itself() -> None:
    assert parse_reply(REPLY_FORMAT).action == "<one command copied from the possible commands>"


def test_normalise_drops_case_articles_punctuation_and_unifies_spellings() -> None:
    assert normalise("  Put the Apple 1 in/on the Fridge 1. ") == "move apple 1 to to fridge 1"
    assert normalise("go to Cabinet 1!") == "go to cabinet 1"


def test_exact_command_is_not_mapped() -> None:
    choice = map_to_admissible("open fridge 1", ADMISSIBLE)
    assert (choice.command, choice.mapped) == ("open fridge 1", False)


@pytest.mark.parametrize(
    ("proposed", "expected"),
    [
        ("Go to the Cabinet 1.", "go to cabinet 1"),
        ("walk: go to cabinet 10", "go to cabinet 10"),
        ("put apple 1 in fridge 1", "move apple 1 to fridge 1"),
        ("take the apple from countertop 2", "take apple 1 from countertop 2"),
        ("opne fridge 1", "open fridge 1"),
    ],
)
def test_nearest_admissible_is_chosen_and_marked_mapped(proposed: str, expected: str) -> None:
    choice = map_to_admissible(proposed, ADMISSIBLE)
    assert (choice.command, choice.mapped) == (expected, True)


def test_without_an_action_line_the_whole_reply_is_matched_then_a_harmless_fallback() -> None:
    assert map_to_admissible(None, ADMISSIBLE, context="I will open fridge 1 now").command == "open fridge 1"
    assert map_to_admissible(None, ADMISSIBLE, context="").command == "look"
    assert map_to_admissible(None, ["go to desk 1", "go to bed 1"]).command == "go to desk 1"


def test_empty_admissible_list_is_a_caller_bug() -> None:
    with pytest.raises(ValueError, match="admissible"):
        map_to_admissible("look", [])
    with pytest.raises(ValueError, match="admissible"):
        action_grammar([])


@given(reply=st.text(max_size=200), admissible=st.lists(st.text(min_size=1, max_size=30), min_size=1, max_size=8))
def test_mapping_always_returns_an_admissible_command(reply: str, admissible: list[str]) -> None:
    parsed = parse_reply(reply)
    assert map_to_admissible(parsed.action, admissible, context=reply).command in admissible


def test_grammar_lists_each_command_once_escaped() -> None:
    grammar = action_grammar(['say "hi"', "back\\slash", "look", "look"], max_thought_chars=50)
    assert '"say \\"hi\\""' in grammar and '"back\\\\slash"' in grammar
    assert grammar.count('"look"') == 1
    assert "[^\\n]{1,50}" in grammar


def test_act_only_grammar_and_budget() -> None:
    grammar = action_grammar(["look", "open fridge 1"], think=False)
    assert grammar.startswith('root ::= "Action: " action') and "thought" not in grammar
    assert grammar_token_budget(["look"], think=False) < grammar_token_budget(["look"])
    assert parse_reply(ACT_FORMAT).action is not None
