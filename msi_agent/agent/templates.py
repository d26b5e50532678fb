"""Prompt templates shipped as package data (``<package>/prompts/<name>.txt``), rendered strictly.

``string.Template`` syntax (``$name`` / ``${name}``). Rendering fails loudly both ways: a placeholder with no
value, or a value the template never uses (a misspelled name at the call site), raises ``TemplateError``.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from string import Template


class TemplateError(ValueError):
    pass


@cache
def load(package: str, name: str) -> Template:
    path = resources.files(package).joinpath("prompts").joinpath(f"{name}.txt")
    if not path.is_file():
        raise TemplateError(f"no prompt template {name!r} in {package}/prompts/ (expected {name}.txt)")
    template = Template(path.read_text(encoding="utf-8"))
    if not template.is_valid():
        raise TemplateError(
            f"prompt template {package}/prompts/{name}.txt has a malformed placeholder; "
            "write $$ for a literal dollar sign"
        )
    return template


def render(package: str, name: str, /, **values: object) -> str:
    template = load(package, name)
    wanted = set(template.get_identifiers())
    missing, unused = wanted - values.keys(), values.keys() - wanted
    if missing or unused:
        raise TemplateError(
            f"template {package}/prompts/{name}.txt: missing values {sorted(missing)}, unknown values {sorted(unused)}"
        )
    return template.substitute({k: str(v) for k, v in values.items()})
