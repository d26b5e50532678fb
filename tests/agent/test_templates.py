"""Templates render strictly: a missing or a misspelled value fails loudly."""

from __future__ import annotations

import pytest

from msi_agent.agent.templates import TemplateError, render


def test_render_and_strictness() -> None:
    assert render("msi_agent.agent", "example", instruction="do it", transcript="Action: look") == (
        "Task: do it\nAction: look\n")
    with pytest.raises(TemplateError, match=r"missing values \['transcript'\]"):
        render("msi_agent.agent", "example", instruction="x")
    with pytest.raises(TemplateError, match=r"unknown values \['instructoin'\]"):
        render("msi_agent.agent", "example", instruction="x", transcript="y", instructoin="z")
    with pytest.raises(TemplateError, match="no prompt template 'nope'"):
        render("msi_agent.agent", "nope")


@pytest.mark.parametrize("package,name", [
    ("msi_agent.agent", n) for n in ("react_system", "act_system", "task", "examples", "example", "admissible")
] + [("msi_agent.insights", n) for n in ("insight_block", "select_subtasks", "experience", "generate_msi",
                                         "generate_expel")])
def test_every_shipped_template_is_valid(package: str, name: str) -> None:
    from msi_agent.agent.templates import load

    assert load(package, name).is_valid()
