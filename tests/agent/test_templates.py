"""Templates render strictly: a missing or a misspelled value fails loudly."""

from __future__ import annotations

from importlib import resources

import pytest

from msi_agent.agent.templates import TemplateError, load, render


def test_render_and_strictness() -> None:
    assert render("msi_agent.agent", "example", instruction="do it", transcript="Action: look") == (
        "Task: do it\nAction: look\n"
    )
    with pytest.raises(TemplateError, match=r"missing values \['transcript'\]"):
        render("msi_agent.agent", "example", instruction="x")
    with pytest.raises(TemplateError, match=r"unknown values \['instructoin'\]"):
        render("msi_agent.agent", "example", instruction="x", transcript="y", instructoin="z")
    with pytest.raises(TemplateError, match="no prompt template 'nope'"):
        render("msi_agent.agent", "nope")


SHIPPED = [
    (pkg, p.stem)
    for pkg in ("msi_agent.agent", "msi_agent.insights")
    for p in resources.files(pkg).joinpath("prompts").iterdir()
    if p.name.endswith(".txt")
]


@pytest.mark.parametrize(("package", "name"), SHIPPED)
def test_every_shipped_template_is_valid(package: str, name: str) -> None:
    assert load(package, name).is_valid()


def test_templates_are_found() -> None:
    assert len(SHIPPED) >= 12
