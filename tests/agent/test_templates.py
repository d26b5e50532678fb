"""Templates are found on a search path (user → environment → defaults) and render strictly."""

from __future__ import annotations

from pathlib import Path

import pytest

from msi_agent.agent.templates import DEFAULT_PROMPTS, DEFAULT_WORDS, Prompts, TemplateError


def test_render_and_strictness() -> None:
    assert DEFAULT_PROMPTS.render("example", instruction="do it", transcript="Action: look") == (
        "Task: do it\nAction: look\n"
    )
    with pytest.raises(TemplateError, match=r"missing values \['transcript'\]"):
        DEFAULT_PROMPTS.render("example", instruction="x")
    with pytest.raises(TemplateError, match=r"unknown values \['instructoin'\]"):
        DEFAULT_PROMPTS.render("example", instruction="x", transcript="y", instructoin="z")
    with pytest.raises(TemplateError, match="no prompt template 'nope'"):
        DEFAULT_PROMPTS.render("nope")


def test_every_shipped_template_is_valid() -> None:
    names = DEFAULT_PROMPTS.names()
    assert len(names) >= 12
    for name in names:
        assert DEFAULT_PROMPTS.load(name).is_valid()


def test_words_fill_only_what_the_template_uses() -> None:
    prompts = Prompts.for_environment(words={"agent": "a lab assistant", "world": "a laboratory"})
    system = prompts.render("act_system")
    assert system.startswith("You are a lab assistant acting in a laboratory.")
    assert DEFAULT_PROMPTS.render("act_system").startswith(f"You are {DEFAULT_WORDS['agent']} acting in")
    with pytest.raises(TemplateError, match="unknown prompt words"):
        Prompts.for_environment(words={"robot": "x"})


def test_search_path_user_then_package_then_defaults(tmp_path: Path) -> None:
    (tmp_path / "example.txt").write_text("Goal: ${instruction} by ${agent}\n${transcript}\n")
    (tmp_path / "broken.txt").write_text("cost: $5\n")
    prompts = Prompts.for_environment(words={"agent": "me"}, user=tmp_path, package="msi_agent.insights")
    assert prompts.render("example", instruction="a", transcript="b") == "Goal: a by me\nb\n"
    names = prompts.names()
    assert names["example"] == tmp_path / "example.txt"
    assert str(names["react_system"]).endswith("msi_agent/agent/prompts/react_system.txt")
    with pytest.raises(TemplateError, match="malformed placeholder"):
        prompts.load("broken")
    with pytest.raises(TemplateError, match=r"missing values \['mystery'\]"):
        (tmp_path / "task.txt").write_text("${mystery}")
        Prompts.for_environment(user=tmp_path).render("task", examples="", insights="", instruction="", observation="")
