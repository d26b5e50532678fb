"""The request a program is written for: the task's Commander–Driver dialogue when it has one, else its instruction.

A task carries its dialogue in ``params["dialogue"]`` as ``[[speaker, utterance], ...]`` (TEACh style); the
environment writes it, msi_agent only shows it.
"""

from __future__ import annotations

from msi_agent.records import Task

DIALOGUE = "dialogue"


def request(task: Task) -> str:
    """The text the model plans from (and the example retriever compares)."""
    turns = task.params.get(DIALOGUE)
    if not turns:
        return f"Instruction: {task.instruction}"
    lines = [f"{speaker}: {utterance}" for speaker, utterance in turns]
    return "Dialogue:\n" + "\n".join(lines)
