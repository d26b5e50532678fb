"""The order in which seeds reach the insight generator (REFERENCE §1: the database is updated once per seed, so
order matters): shuffled with the run's seed, as the experience selector gave them, or grouped — family by family,
or environment category by category as in the paper's domain-shift experiment (kitchen → living room → bedroom).

The generator shuffles (with the run's seed) or keeps the order it is handed; grouping happens here. Settings
and flags spell it as text: ``shuffle``, ``given``, ``families:a,b`` or ``LABEL:A,B`` for categories, where
LABEL names the environment's scale in the plural as the user likes it (``rooms:Kitchen,LivingRoom``,
``categories:…``); the names must be categories the environment declares. Seeds of groups not listed follow the
listed ones, in the order given.

A grouped order also confines pairing (``pairs_within``): a success is contrasted only with a failure of its own
group, never of an earlier or a later one. The domain-shift protocol learns one room at a time from that room's
experience; earlier rooms already speak through the insights they left, and letting their failures into a later
room's seeds would mix domains inside one update (and a later room's would leak the future). A success whose group
holds no failure becomes a lone seed.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:  # the settings parse seed orders: keep this module cheap to import
    from msi_agent.experience.seeds import Seed
    from msi_agent.records import Task

Kind = Literal["shuffle", "given", "families", "categories"]
_FAMILY_LABELS = ("family", "families")


class SeedOrderError(ValueError):
    """A seed order is malformed or names groups the environment does not have."""


@dataclass(frozen=True, slots=True)
class SeedOrdering:
    kind: Kind = "shuffle"
    groups: tuple[str, ...] = ()
    label: str = ""
    """How the user named the groups (``rooms``); kept so the order prints back as it was written."""

    @classmethod
    def parse(cls, text: str) -> SeedOrdering:
        text = text.strip()
        if text in ("shuffle", "given"):
            return cls(text)
        label, sep, rest = text.partition(":")
        groups = tuple(g.strip() for g in rest.split(",") if g.strip())
        if not sep or not label.strip() or not groups:
            raise SeedOrderError(
                f"seed order {text!r} is not one of: shuffle, given, families:NAME,NAME, "
                "or CATEGORIES:NAME,NAME (e.g. rooms:Kitchen,LivingRoom)"
            )
        if len(set(groups)) != len(groups):
            raise SeedOrderError(f"seed order {text!r} names a group twice")
        label = label.strip()
        kind: Kind = "families" if label.lower() in _FAMILY_LABELS else "categories"
        return cls(kind, groups, label)

    def __str__(self) -> str:
        return f"{self.label}:{','.join(self.groups)}" if self.groups else self.kind

    def check(self, *, families: Sequence[str], categories: Sequence[str], environment: str) -> None:
        """Refuse group names the environment does not have (an empty list means it declares none to check)."""
        known = {"families": families, "categories": categories}.get(self.kind, ())
        unknown = [g for g in self.groups if known and g not in known]
        if unknown:
            what = "task families" if self.kind == "families" else "categories"
            raise SeedOrderError(
                f"seed order {str(self)!r}: {unknown} are not {what} of environment {environment!r} "
                f"(it has: {', '.join(known)})"
            )

    @property
    def shuffled(self) -> bool:
        return self.kind == "shuffle"

    def arrange(self, seeds: Sequence[Seed]) -> list[Seed]:
        """Seeds grouped in the listed order (stable inside a group); shuffle and given leave them as they are,
        since the generator shuffles (``GeneratorConfig.order``)."""
        out = list(seeds)
        if self.groups:
            rank = {g: i for i, g in enumerate(self.groups)}
            out.sort(key=lambda s: rank.get(self.group_of(s.success.task), len(rank)))
        return out

    def group_of(self, task: Task) -> str:
        """The group a task falls in: its family, or its environment category."""
        return task.family if self.kind == "families" else str(task.environment)

    @property
    def pairs_within(self) -> Callable[[Task], str] | None:
        """What pairing must keep equal (``select_seeds(within=...)``): the group, when seeds go group by group."""
        return self.group_of if self.groups else None
