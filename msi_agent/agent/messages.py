"""The executor's prompt as a projection of its memory: the task message plus each step rendered as messages.

A step is the model's turn (``Think``/``Action``) and the environment's answer (``Observation``); only the
newest observation carries the list of possible commands, so the prompt grows by one short exchange per step.
"""

from __future__ import annotations

from collections.abc import Sequence

from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage

from msi_agent.agent.templates import DEFAULT_PROMPTS, Prompts
from msi_agent.records import Step


def step_messages(step: Step, *, act_only: bool = False) -> list[BaseMessage]:
    """The model's turn and the environment's answer for one step."""
    turn = f"Action: {step.action}" if act_only or not step.thought else f"Think: {step.thought}\nAction: {step.action}"
    return [AIMessage(content=turn), HumanMessage(content=f"Observation: {step.observation}")]


def build_messages(
    *,
    system: str,
    task_message: str,
    steps: Sequence[Step],
    admissible: Sequence[str],
    act_only: bool = False,
    window: int | None = None,
    prompts: Prompts = DEFAULT_PROMPTS,
) -> list[BaseMessage]:
    """System, task, the last ``window`` steps (all if None), with the possible commands on the newest message."""
    shown = list(steps) if window is None else list(steps)[-window:] if window > 0 else []
    messages: list[BaseMessage] = [SystemMessage(content=system)]
    first = task_message.rstrip("\n")
    if len(shown) < len(steps):
        first += f"\n(The first {len(steps) - len(shown)} steps are omitted.)"
    messages.append(HumanMessage(content=first))
    for step in shown:
        messages.extend(step_messages(step, act_only=act_only))
    last = messages[-1]
    messages[-1] = HumanMessage(
        content=prompts.render("admissible", observation=str(last.content), admissible=", ".join(admissible)).rstrip()
    )
    return messages
