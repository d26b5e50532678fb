"""The household expert player with the tests' injected mistake and insight replies.

On "look at … under the lamp" tasks it looks around (a mistake) unless the prompt holds ``LIGHT_RULE``.
``make_model`` is what ``--llm household_player:make_model`` builds; ``HOUSEHOLD_PLAYER_DELAY`` seconds per call
make a run slow enough to be killed mid-way. ``counted_model`` also appends every prompt it answers to ``PROMPTS``
(the CLI runs in the test's process), for tests that a command made no LLM call.
"""

from __future__ import annotations

import os
import re

from langchain_core.messages import BaseMessage

import envs
from envs.tasks import TaskSpec, sample_tasks
from msi_agent.llm import ScriptedChatModel
from msi_agent.pipeline.offline import ExpertPlayer
from msi_agent.records import Split, Task

FAMILIES = ["pick_and_place_simple", "look_at_obj_in_light"]
LIGHT_RULE = "Take the object first, then turn on the lamp."
GENERAL_RULE = "Go to a receptacle before taking from it."
ENV_RULE = "Lamps stand near desks and sofas."
PROMPTS: list[str] = []


def tasks_for(seed: int = 0, n: int = 8) -> list[Task]:
    return [t for split in Split for t in sample_tasks(TaskSpec(split=split, n=n, seed=seed, families=FAMILIES))]


def insight_reply(prompt: str) -> str:
    if "SUBTASK:" not in prompt:
        return f"ADD: {GENERAL_RULE}"
    if m := re.search(r"(\d+)\. \[Lighting\] " + re.escape(LIGHT_RULE), prompt):
        return f"SUBTASK:\nAGREE {m.group(1)}"
    return f"GENERAL:\nADD: {GENERAL_RULE}\nENVIRONMENT:\nADD: {ENV_RULE}\nSUBTASK:\nADD [Lighting]: {LIGHT_RULE}"


def names_reply(prompt: str) -> str:
    task_line = prompt.split("about to do this task:")[1].splitlines()[0]
    return "Lighting" if "look at" in task_line else "none"


def stumble(first: str, prompt: str, turn: int) -> bool:
    return "look at" in first.split("Your task is to:")[-1] and LIGHT_RULE not in prompt


def player(delay: float = 0.0) -> ExpertPlayer:
    return ExpertPlayer(
        lambda: envs.make("household"),
        tasks_for(),
        stumble=stumble,
        insight_reply=insight_reply,
        names_reply=names_reply,
        delay=delay,
    )


def make_model() -> ScriptedChatModel:
    return ScriptedChatModel(player(float(os.environ.get("HOUSEHOLD_PLAYER_DELAY", "0"))), name="household-player")


def counted_model() -> ScriptedChatModel:
    play = player()

    def respond(messages: list[BaseMessage]) -> str:
        PROMPTS.append("\n".join(str(m.content) for m in messages))
        return play(messages)

    return ScriptedChatModel(respond, name="household-player")
