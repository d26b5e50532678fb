"""A TEACh task definition as a household family's goal: which definition, and the parameters a goal gives it."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from envs.backend import Metadata
from envs.household.goals import Progress
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
        """What the bound task asks for, in lower case: its task components' descriptions ("2 x make a slice of
        apple") and its relations' ("the apple slice needs to be in a clean bowl"), or its own description."""
        task = self.bind(goal)
        out = [
            c.task.desc if c.determiner in ("a", "1") else f"{c.determiner} x {c.task.desc}"
            for c in task.components
            if isinstance(c, TaskComponent) and c.determiner != "0"
        ]
        out += [r.failure_desc for r in task.relations]
        return [text.rstrip(".").lower() for text in out or [task.desc]]

    @property
    def label(self) -> str:
        """The definition's TEACh id and name, e.g. "106 Plate Of Toast"."""
        return f"{definitions()[self.definition].task_id} {self.definition}"


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
