"""What "similar tasks" compares: the instruction with the task's family and environment category, and — where
several tasks share one instruction (a TextWorldExpress game states the same goal for every seed) — the first
observation an episode recorded, so tasks of one game are still told apart.

Pairing (``seeds``), few-shot retrieval (``agent.fewshot``) and the vector insight selector embed these texts,
never the bare instruction.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from msi_agent.records import Episode, Task

FIRST_OBSERVATION_CHARS = 300
"""Enough of the first observation to tell two starts of one game apart, short enough to keep embeddings cheap."""


def task_text(task: Task) -> str:
    """The text a task is compared by when nothing was played yet."""
    return f"{task.instruction} (task type: {task.family}; {task.environment})"


def episode_texts(episodes: Sequence[Episode]) -> list[str]:
    """One text per episode; episodes whose instruction other tasks share add their first recorded observation."""
    tasks_per_instruction: dict[str, set[str]] = defaultdict(set)
    for ep in episodes:
        tasks_per_instruction[ep.task.instruction].add(ep.task.id)
    out = []
    for ep in episodes:
        text = task_text(ep.task)
        if len(tasks_per_instruction[ep.task.instruction]) > 1 and ep.steps:
            text += "\n" + ep.steps[0].observation[:FIRST_OBSERVATION_CHARS]
        out.append(text)
    return out
