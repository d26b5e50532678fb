"""A TEACh task definition as a household family's goal: which definition, and the parameters a goal gives it."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from envs.backend import Metadata
from envs.household.catalog import SLICE_SOURCE
from envs.household.goals import Progress
from envs.household.speech import number, sentence
from envs.teach.checker import Report, check
from envs.teach.definitions import BoundTask, TaskComponent, definitions

__all__ = ["TeachCheck", "TeachGoal", "progress_of"]


@dataclass(frozen=True, slots=True)
class TeachGoal:
    """The official definition ``definition`` with the parameters ``params(goal)`` (strings, as TEACh takes them)."""

    definition: str
    params: Callable[[Mapping[str, Any]], list[str]] = lambda goal: []

    def bind(self, goal: Mapping[str, Any]) -> BoundTask:
        return definitions().bind(self.definition, self.params(goal))

    def details(self, goal: Mapping[str, Any]) -> list[str]:
        """What the bound task asks for, as English sentences: its task components' descriptions ("Make two
        slices of apple.") and its relations' ("The apple slice needs to be in a clean bowl."), or its own
        description ("Boil a potato.")."""
        task = self.bind(goal)
        out = [
            _times(c.task.desc, c.determiner)
            for c in task.components
            if isinstance(c, TaskComponent) and c.determiner != "0"
        ]
        out += [r.failure_desc for r in task.relations]
        return [sentence(text) for text in out or [task.desc]]

    def objects(self, goal: Mapping[str, Any]) -> dict[str, bool]:
        """The object types the bound task's conditions name, in definition order, each with whether every one of
        them counts (determiner ``all``). Pieces are named by their whole ("Bread" for a toast's "BreadSliced");
        receptacles that anchor a relation (a sink, a drawer) and components asked zero times are left out."""
        out: dict[str, bool] = {}

        def visit(task: BoundTask) -> None:
            for c in task.components:
                if isinstance(c, TaskComponent):
                    if c.determiner != "0":
                        visit(c.task)
                elif c.determiner != "0" and not c.conditions.get("receptacle"):
                    kind = str(c.conditions[c.primary])
                    kind = SLICE_SOURCE.get(kind, kind)
                    out[kind] = out.get(kind, False) or c.determiner == "all"

        visit(self.bind(goal))
        return out

    @property
    def label(self) -> str:
        """The definition's TEACh id and name, e.g. "106 Plate Of Toast"."""
        return f"{definitions()[self.definition].task_id} {self.definition}"


def _times(desc: str, determiner: str) -> str:
    """A task component's description done ``determiner`` times: "Make a slice of toast." twice is "Make two
    slices of toast."."""
    if determiner in ("a", "1"):
        return desc
    n = number(int(determiner))
    many, done = re.subn(r"\ba slice\b", f"{n} slices", desc, count=1)
    return many if done else f"{desc.rstrip('.')} ({n} times)."


def progress_of(report: Report) -> Progress:
    return Progress(report.success, report.satisfied, report.total, tuple(report.statements()))


@dataclass(frozen=True, slots=True)
class TeachCheck:
    """``GoalCheck`` of a bound TEACh task: TEACh's checker on the metadata's objects."""

    task: BoundTask
    spatial: bool = False
    derived_properties: bool = True

    def __call__(self, metadata: Metadata) -> Progress:
        return progress_of(check(self.task, metadata["objects"]))
