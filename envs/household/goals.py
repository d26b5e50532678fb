"""Goal conditions: named predicates over THOR-shaped metadata, so they run unchanged on real AI2-THOR.

A task's goal is a list of ``Condition``s; the task succeeds when all hold, and goal-condition progress (TEACh)
counts the ones that did not hold at the start. Conditions read only the THOR metadata keys listed in
``envs.backend`` (``objectType``, ``parentReceptacles``, ``isDirty``, ``isCooked``, ``ObjectTemperature``,
``fillLiquid``, ``isPickedUp``, ``isToggled``, ``visible``), never a backend's internals.

Build conditions with the helpers below; ``Match`` describes "an object of these types in this state".
A family's goal reaches the environment as a ``GoalCheck`` (metadata in, ``Progress`` out): ``ConditionsCheck``
for a list of conditions, ``envs.teach.goal.TeachCheck`` for a TEACh task definition.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from envs.backend import Metadata

Obj = Mapping[str, Any]


def type_of_id(object_id: str) -> str:
    """The objectType in a THOR objectId: ``Sink|…|SinkBasin`` → SinkBasin, ``…|AppleSliced_2`` → AppleSliced."""
    parts = object_id.split("|")
    if len(parts) > 4:
        return parts[-1].split("_")[0]
    return parts[0]


@dataclass(frozen=True, slots=True)
class Condition:
    """One goal condition: ``text`` says it in English (for failure reasons), ``check`` decides it.

    ``spatial`` marks conditions that depend on where the agent stands (re-checked after every move; the others
    only after a command that changed an object).
    """

    text: str
    check: Callable[[Metadata], bool]
    spatial: bool = False

    def __call__(self, metadata: Metadata) -> bool:
        return self.check(metadata)


@dataclass(frozen=True, slots=True)
class Match:
    """Objects of ``types`` in a given state; ``None`` fields are not checked."""

    types: frozenset[str]
    clean: bool | None = None
    cooked: bool | None = None
    temperature: str | None = None
    liquid: str | None = None
    held: bool | None = None

    def __call__(self, obj: Obj) -> bool:
        if obj["objectType"] not in self.types:
            return False
        if self.clean is not None and (not obj["isDirty"]) is not self.clean:
            return False
        if self.cooked is not None and bool(obj["isCooked"]) is not self.cooked:
            return False
        if self.temperature is not None and obj["ObjectTemperature"] != self.temperature:
            return False
        if self.liquid is not None and obj["fillLiquid"] != self.liquid:
            return False
        return self.held is None or bool(obj["isPickedUp"]) is self.held


def match(*types: str, **state: Any) -> Match:
    return Match(types=frozenset(types), **state)


def in_type(obj: Obj, receptacle_types: frozenset[str]) -> bool:
    """Whether ``obj`` lies (directly or nested) in a receptacle of one of ``receptacle_types``."""
    return any(type_of_id(p) in receptacle_types for p in obj["parentReceptacles"] or ())


def count(metadata: Metadata, what: Match, *, where: frozenset[str] | None = None) -> int:
    return sum(1 for o in metadata["objects"] if what(o) and (where is None or in_type(o, where)))


def exists(text: str, what: Match, *, where: Iterable[str] | None = None, at_least: int = 1) -> Condition:
    """At least ``at_least`` objects matching ``what`` (inside a receptacle of a ``where`` type, if given)."""
    places = frozenset(where) if where is not None else None
    return Condition(text, lambda m: count(m, what, where=places) >= at_least)


def object_state(text: str, object_id: str, test: Callable[[Obj], bool]) -> Condition:
    """A named object satisfies ``test`` (false if it no longer exists, e.g. after slicing)."""

    def check(m: Metadata) -> bool:
        return any(o["objectId"] == object_id and test(o) for o in m["objects"])

    return Condition(text, check)


def filled_container(
    text: str, container: Match, parts: Sequence[tuple[Match, int]], *, container_in: Iterable[str] | None = None
) -> Condition:
    """Some container matching ``container`` holds, for each (part, n) in ``parts``, at least n matching objects.

    Used for plates of toast, sandwiches, salads, "N slices of X in a Y", "all X in one Y".
    """
    places = frozenset(container_in) if container_in is not None else None

    def check(m: Metadata) -> bool:
        objects = m["objects"]
        for c in objects:
            if not container(c) or (places is not None and not in_type(c, places)):
                continue
            inside = [o for o in objects if (o["parentReceptacles"] or ())[:1] == [c["objectId"]]]
            if all(sum(1 for o in inside if part(o)) >= n for part, n in parts):
                return True
        return False

    return Condition(text, check)


def visible_toggled(text: str, lamp: Match) -> Condition:
    """A lamp of the given types is on and within the agent's view."""
    return Condition(
        text, lambda m: any(lamp(o) and o["isToggled"] and o["visible"] for o in m["objects"]), spatial=True
    )


def evaluate(conditions: Sequence[Condition], metadata: Metadata) -> list[bool]:
    return [c(metadata) for c in conditions]


# ---------------------------------------------------------------------------------------------- goal checks
@dataclass(frozen=True, slots=True)
class Progress:
    """A goal's state: success, goal conditions satisfied out of total, and each stated condition with whether it
    holds (failure descriptions the agent and the insight generator can read)."""

    success: bool
    satisfied: int
    total: int
    parts: tuple[tuple[str, bool], ...] = ()

    @property
    def unmet(self) -> list[str]:
        return [text for text, ok in self.parts if not ok]


class GoalCheck(Protocol):
    """A task's goal over THOR-shaped metadata. ``spatial``: depends on where the agent stands (re-checked after
    moves); ``derived_properties``: reads TEACh's derived object properties (``envs.teach.properties``)."""

    spatial: bool
    derived_properties: bool

    def __call__(self, metadata: Metadata) -> Progress: ...


@dataclass(frozen=True, slots=True)
class ConditionsCheck:
    """A list of conditions as one goal: one goal condition each, success when all hold."""

    conditions: tuple[Condition, ...]
    derived_properties: bool = False

    @property
    def spatial(self) -> bool:
        return any(c.spatial for c in self.conditions)

    def __call__(self, metadata: Metadata) -> Progress:
        parts = tuple((c.text, c(metadata)) for c in self.conditions)
        met = sum(ok for _, ok in parts)
        return Progress(met == len(parts), met, len(parts), parts)


def progress(start: Progress, now: Progress) -> tuple[int, int]:
    """TEACh's goal-condition progress as (satisfied, total): total = conditions unsatisfied at the start,
    satisfied = total − conditions unsatisfied now (satisfied counts are capped at their totals first, as TEACh's
    evaluation does); a condition that held at the start and was broken since counts against progress (never
    below 0)."""
    total = start.total - min(start.total, start.satisfied)
    unsatisfied_now = now.total - min(now.total, now.satisfied)
    return max(0, min(total, total - unsatisfied_now)), total
