"""A scripted player whose success hangs on particular insights: lamp tasks are won exactly when ``HELP`` is in
the prompt, pick-and-place tasks are lost exactly when ``HARM`` is. ``--llm credit_player:make_model``."""

from __future__ import annotations

from household_player import tasks_for

import envs
from msi_agent.llm import ScriptedChatModel
from msi_agent.pipeline.offline import ExpertPlayer

HELP = "Take the object first, then turn on the lamp."
HARM = "Look at every receptacle twice before you take anything."
IDLE = "Every room has a door."
UNUSED = "Fridges keep food cold."


def _lamp(task_text: str) -> bool:
    """A look-at-in-light task, however it is phrased ("look at … under the desklamp", "examine … with the …")."""
    return "lamp" in task_text


def stumble(first: str, prompt: str, turn: int) -> bool:
    return HELP not in prompt if _lamp(first.split("Your task is to:")[-1]) else HARM in prompt


def names_reply(prompt: str) -> str:
    return "Lighting" if _lamp(prompt.split("about to do this task:")[1].splitlines()[0]) else "none"


def make_model() -> ScriptedChatModel:
    player = ExpertPlayer(lambda: envs.make("household"), tasks_for(), stumble=stumble, names_reply=names_reply)
    return ScriptedChatModel(player, name="credit-player")
