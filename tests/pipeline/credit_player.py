"""A scripted player whose success hangs on particular insights: lamp tasks are won exactly when ``HELP`` is in
the prompt, pick-and-place tasks are lost exactly when ``HARM`` is. ``--llm credit_player:make_model``."""

from __future__ import annotations

from household_player import names_reply, tasks_for

import envs
from msi_agent.llm import ScriptedChatModel
from msi_agent.pipeline.offline import ExpertPlayer

HELP = "Take the object first, then turn on the lamp."
HARM = "Look at every receptacle twice before you take anything."
IDLE = "Every room has a door."
UNUSED = "Fridges keep food cold."


def stumble(first: str, prompt: str, turn: int) -> bool:
    lamp = "look at" in first.split("Your task is to:")[-1]
    return HELP not in prompt if lamp else HARM in prompt


def make_model() -> ScriptedChatModel:
    player = ExpertPlayer(lambda: envs.make("household"), tasks_for(), stumble=stumble, names_reply=names_reply)
    return ScriptedChatModel(player, name="credit-player")
