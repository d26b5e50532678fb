"""A scripted chat model that plays the household simulator's expert, with injected mistakes.

It sees only the prompt, like a real LLM: it recognises the task by its first observation, counts its own
turns, and answers with the expert's next command. On "look at … under the lamp" tasks it just looks around
(a mistake) unless the prompt holds ``LIGHT_RULE``. Insight-update prompts get operations; hashmap prompts get
subtask names. ``make_model`` is what ``--llm household_player:make_model`` builds (``HOUSEHOLD_PLAYER_DELAY`` seconds
per call makes runs slow enough to be killed mid-way).
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Callable, Sequence

from langchain_core.messages import AIMessage, BaseMessage

import envs
from envs.tasks import TaskSpec, sample_tasks
from msi_agent.llm import ScriptedChatModel
from msi_agent.records import Split, Task

FAMILIES = ["pick_and_place_simple", "look_at_obj_in_light"]
LIGHT_RULE = "Take the object first, then turn on the lamp."
GENERAL_RULE = "Go to a receptacle before taking from it."
ENV_RULE = "Lamps stand near desks and sofas."


def tasks_for(seed: int = 0, n: int = 8) -> list[Task]:
    return [t for split in Split for t in sample_tasks(TaskSpec(split=split, n=n, seed=seed, families=FAMILIES))]


def plans_for(tasks: Sequence[Task]) -> dict[str, list[str]]:
    """First observation → expert plan."""
    out = {}
    for task in tasks:
        with envs.make("household") as env:
            first = env.reset(task)
            out[first.text] = env.expert_plan()
    return out


def insight_reply(prompt: str) -> str:
    if "SUBTASK:" not in prompt:
        return f"ADD: {GENERAL_RULE}"
    if m := re.search(r"(\d+)\. \[Lighting\] " + re.escape(LIGHT_RULE), prompt):
        return f"SUBTASK:\nAGREE {m.group(1)}"
    return f"GENERAL:\nADD: {GENERAL_RULE}\nENVIRONMENT:\nADD: {ENV_RULE}\nSUBTASK:\nADD [Lighting]: {LIGHT_RULE}"


def player(plans: dict[str, list[str]], delay: float = 0.0) -> Callable[[list[BaseMessage]], str]:
    def respond(messages: list[BaseMessage]) -> str:
        if delay:
            time.sleep(delay)
        text = "\n".join(str(m.content) for m in messages)
        if "update the rules with these operations" in text:
            return insight_reply(text)
        if "Which of them matter" in text:
            task_line = text.split("about to do this task:")[1].splitlines()[0]
            return "Lighting" if "look at" in task_line else "none"
        first = str(messages[1].content)
        plan = next((p for obs, p in plans.items() if obs in first), None)
        assert plan is not None, "executor prompt for an unknown task"
        turn = sum(isinstance(m, AIMessage) for m in messages)
        if ("look at" in first.split("Your task is to:")[-1] and LIGHT_RULE not in text) or turn >= len(plan):
            return "Think: I will look around.\nAction: look"
        return f"Think: step {turn + 1}.\nAction: {plan[turn]}"

    return respond


def make_model() -> ScriptedChatModel:
    delay = float(os.environ.get("HOUSEHOLD_PLAYER_DELAY", "0"))
    return ScriptedChatModel(player(plans_for(tasks_for()), delay), name="household-player")
