"""All task families by name: ALFWorld's six, TEACh's thirteen TfD families, then TEACh's other definitions that
fit the simulator (``teach_more``).

A third-party family is a ``Family`` (see ``base``) added with ``register_family``.
"""

from __future__ import annotations

from collections.abc import Sequence

from envs.household.families import alfworld, teach, teach_more
from envs.household.families.base import Draw, Family, Goal
from msi_agent.modes import PaperBenchmark

__all__ = ["Draw", "Family", "Goal", "details", "family", "family_names", "paper_benchmark", "register_family"]

_FAMILIES: dict[str, Family] = {f.name: f for f in (*alfworld.families(), *teach.families(), *teach_more.families())}


def family(name: str) -> Family:
    try:
        return _FAMILIES[name]
    except KeyError:
        raise KeyError(f"unknown task family {name!r}; known: {', '.join(_FAMILIES)}") from None


def family_names() -> list[str]:
    """Family names, ALFWorld's first, in a stable order."""
    return list(_FAMILIES)


def details(name: str) -> dict[str, str]:
    """The household ``EnvSpec``'s ``family_details``: the columns ``msi-agent tasks families`` shows."""
    f = family(name)
    return {
        "source": f.source,
        "definition": f.definition or "-",
        "rooms": ", ".join(sorted(r.value for r in f.environments)),
        "max steps": str(f.max_steps),
    }


def paper_benchmark(families: Sequence[str]) -> PaperBenchmark:
    """The household ``EnvSpec``'s ``paper_benchmark``: ALFWorld when every family played is one of ALFWorld's
    task types, TEACh otherwise (all families, or any TEACh family among them)."""
    names = list(families) or family_names()
    return PaperBenchmark.ALFWORLD if all(family(n).source == "alfworld" for n in names) else PaperBenchmark.TEACH


def register_family(f: Family, *, replace: bool = False) -> None:
    if f.name in _FAMILIES and not replace:
        raise ValueError(f"task family {f.name!r} already exists; pass replace=True to override")
    _FAMILIES[f.name] = f
