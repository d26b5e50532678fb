"""A household task of one of ALFWorld's six types, as the request for an equivalent ALFWorld game.

Household tasks (``envs.tasks.sample_tasks``) carry ``params["init"]`` (the ``WorldInit``) and ``params["goal"]``
(``obj``/``recep`` or ``obj``/``toggle``, THOR type names); the family name is ALFWorld's task type.
"""

from __future__ import annotations

from envs.alfworld.tasks import AlfredTaskType, GameGoal
from envs.backend import WorldInit
from msi_agent.records import Task


class NotAnAlfworldTaskError(ValueError):
    """The task's family is not one of ALFWorld's six types (TEACh families have no ALFWorld game)."""


def game_goal(task: Task) -> GameGoal:
    try:
        task_type = AlfredTaskType(task.family)
    except ValueError:
        raise NotAnAlfworldTaskError(
            f"task {task.id!r} is a {task.family!r} task; ALFWorld games exist only for "
            f"{', '.join(t.value for t in AlfredTaskType)}"
        ) from None
    goal = task.params.get("goal")
    if not isinstance(goal, dict) or "obj" not in goal:
        raise NotAnAlfworldTaskError(f"task {task.id!r} has no params['goal'] with an 'obj'; "
                                     "sample household tasks with envs.tasks.sample_tasks")  # fmt: skip
    return GameGoal(task_type=task_type, object_target=str(goal["obj"]), parent_target=str(goal.get("recep", "")),
                    toggle_target=str(goal.get("toggle", "")))  # fmt: skip


def game_request(task: Task) -> tuple[WorldInit, GameGoal, str]:
    """(arrangement, goal, instruction) for :func:`envs.alfworld.generate.write_game`."""
    goal = game_goal(task)
    raw = task.params.get("init")
    init = raw if isinstance(raw, WorldInit) else WorldInit.model_validate(raw)
    return init, goal, task.instruction
