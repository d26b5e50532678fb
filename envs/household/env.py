"""``HouseholdEnv``: the ``envs.core.Env`` over a world backend (the built-in one unless another is given).

reset(task) rebuilds the task's initial world from ``task.params["init"]`` and answers ALFWorld's opening
("-= Welcome to TextWorld, ALFRED! =-", the room, "Your task is to: …"). step(command) runs one text command and
reports, in ``info``: ``won``, ``gc_satisfied``/``gc_total`` (counted as TEACh counts them: conditions already true
at reset do not count), ``unmet`` (the goal's failure descriptions that do not hold yet), ``steps`` and,
for a command that did nothing, ``error``. Families with a TEACh definition see TEACh's derived object
properties (``envs.teach.properties``), kept after every action of whatever backend runs underneath. An episode
ends when the task is won or after ``max_steps`` commands (the task's own budget unless the constructor overrides it).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from envs.backend import WorldBackend, WorldInit
from envs.core import Observation
from envs.household.expert import solve
from envs.household.families import family
from envs.household.goals import GoalCheck, Progress, progress
from envs.household.text import TextLayer
from envs.household.world import HouseholdWorld
from envs.teach.properties import TeachWorld
from msi_agent.records import Task

if TYPE_CHECKING:
    from envs.household.primitives import HouseholdPrograms


class TaskFormatError(ValueError):
    """A task whose params cannot rebuild a world; the message names the field."""


class HouseholdEnv:
    """Text household environment; ``backend`` defaults to ``HouseholdWorld()``."""

    def __init__(self, backend: WorldBackend | None = None, *, max_steps: int | None = None) -> None:
        if max_steps is not None and max_steps < 1:
            raise ValueError(f"max_steps must be >= 1, got {max_steps}")
        self.backend: WorldBackend = backend if backend is not None else HouseholdWorld()
        self._teach = TeachWorld(self.backend)
        self.text = TextLayer(self._teach)
        self._max_steps_override = max_steps
        self.task: Task | None = None
        self._init: WorldInit | None = None
        self._goal: GoalCheck | None = None
        self._start = self._now = Progress(False, 0, 0)
        self.history: list[str] = []
        self.steps = 0
        self.max_steps = 0
        self.won = False
        self._closed = False

    # ------------------------------------------------------------------ protocol
    def reset(self, task: Task) -> Observation:
        if self._closed:
            raise RuntimeError("this environment is closed; create a new one")
        init = _init_of(task)
        fam = family(task.family)
        try:
            goal = fam.goal_check(task.params.get("goal", {}), init)
        except (KeyError, TypeError, ValueError) as exc:
            raise TaskFormatError(f"task {task.id}: params['goal'] does not fit {task.family!r}: {exc!r}") from None
        self.task, self._init, self._goal = task, init, goal
        self._teach.active = goal.derived_properties
        description = self.text.reset(init)
        self._start = self._now = goal(self.text.metadata)
        self.history, self.steps, self.won = [], 0, False
        self.max_steps = self._max_steps_override or int(task.params.get("max_steps", 50))
        text = f"-= Welcome to TextWorld, ALFRED! =-\n\n{description}\n\nYour task is to: {task.instruction}"
        return Observation(text, list(self.text.admissible), self._info(error=None))

    def step(self, command: str) -> Observation:
        if self.task is None:
            raise RuntimeError("call reset(task) before step()")
        if self.won or self.steps >= self.max_steps:
            raise RuntimeError("the episode is over; call reset(task) to start another")
        result = self.text.step(command)
        self.steps += 1
        if result.ok:
            self.history.append(self.text.normalize(command))
        if result.changed and self._goal is not None and (self._goal.spatial or not result.moved_only):
            self._now = self._goal(self.text.metadata)
            self.won = self._now.success
        info = self._info(error=None if result.ok else f"not admissible here: {command[:80]!r}")
        return Observation(
            result.feedback,
            list(self.text.admissible),
            info,
            reward=float(self.won),
            terminated=self.won,
            truncated=not self.won and self.steps >= self.max_steps,
        )

    def expert_plan(self) -> list[str]:
        """Commands that finish the task from the current state (planned on a private twin of the world)."""
        if self.task is None or self._init is None:
            raise RuntimeError("call reset(task) before expert_plan()")
        twin = TextLayer(HouseholdWorld())
        twin.reset(self._init)
        for command in self.history:
            twin.step(command)
        recipe = family(self.task.family).solve
        goal = self.task.params.get("goal", {})
        return solve(twin, self._init, lambda s: recipe(s, goal))

    def program_world(self) -> HouseholdPrograms:
        """HELPER-style subgoal primitives over this episode for the program executor (``primitives``)."""
        if self.task is None or self._init is None:
            raise RuntimeError("call reset(task) before program_world()")
        from envs.household.primitives import HouseholdPrograms

        return HouseholdPrograms(self, self._init, self._info(error=None))

    def program_of(self, task: Task, plan: list[str]) -> str:
        """The expert ``plan`` of ``task`` (text commands from reset) as a program, for example retrieval."""
        from envs.household.programs import program_from_plan

        return program_from_plan(_init_of(task), plan)

    def close(self) -> None:
        if not self._closed:
            self._closed = True
            self.backend.close()

    def __enter__(self) -> HouseholdEnv:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------------ helpers
    @property
    def conditions(self) -> list[tuple[str, bool]]:
        """Each stated goal condition (a failure description) and whether it holds now."""
        return list(self._now.parts)

    def _info(self, *, error: str | None) -> dict[str, Any]:
        satisfied, total = progress(self._start, self._now)
        info: dict[str, Any] = {
            "won": self.won, "gc_satisfied": satisfied, "gc_total": total, "unmet": self._now.unmet,
            "steps": self.steps, "max_steps": self.max_steps,
        }  # fmt: skip
        if error is not None:
            info["error"] = error
        return info


def _init_of(task: Task) -> WorldInit:
    raw = task.params.get("init")
    if raw is None:
        raise TaskFormatError(f"task {task.id} has no params['init']; sample household tasks with envs.tasks")
    try:
        init = raw if isinstance(raw, WorldInit) else WorldInit.model_validate(raw)
    except ValueError as exc:
        raise TaskFormatError(f"task {task.id}: params['init'] is not a valid WorldInit: {exc}") from None
    if init.scene != task.scene:
        raise TaskFormatError(f"task {task.id}: init is for {init.scene} but the task names scene {task.scene}")
    return init
