"""An offline stand-in for an LLM: plays the environment's expert for known tasks, from the prompt alone.

For demos, examples and tests without a network or a model file. Like a real LLM it sees only the messages: it
finds the task by its first observation, counts its own turns, and answers ``Think: … / Action: <expert step>``;
to the program executor it answers the expert plan written as a program, finding the task by its request.
``stumble`` injects mistakes (the player then looks around until the step limit); insight-update and subtask
prompts are answered by the given functions. Wrap it in ``ScriptedChatModel`` (``expert_chat_model`` does).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

from langchain_core.messages import AIMessage, BaseMessage

from envs.core import Env
from msi_agent.agent.program import supports_programs
from msi_agent.agent.program.dialogue import request
from msi_agent.llm import ScriptedChatModel
from msi_agent.records import Task

INSIGHT_PROMPT_MARK = "update the rules with these operations"
"""Text of the generator templates (``insights/prompts/generate_*.txt``) that marks an insight-update prompt."""
SUBTASK_PROMPT_MARK = "Which of them matter"
PROGRAM_PROMPT_MARK = "write a short Python program"
"""Text of ``agent/program/prompts/program_system.txt``: the program executor's prompt (answered with the expert
plan written as a program, ``SupportsPrograms.program_of``)."""
"""Text of ``insights/prompts/select_subtasks.txt`` that marks a hashmap prompt."""


def _never(first: str, prompt: str, turn: int) -> bool:
    return False


class ExpertPlayer:
    def __init__(
        self,
        make_env: Callable[[], Env],
        tasks: Sequence[Task],
        *,
        stumble: Callable[[str, str, int], bool] = _never,
        insight_reply: Callable[[str], str] = lambda prompt: "",
        names_reply: Callable[[str], str] = lambda prompt: "none",
        delay: float = 0.0,
    ) -> None:
        """``stumble(first_message, whole_prompt, turn)`` decides a mistake at turn ``turn`` (0-based);
        ``delay`` seconds per call mimic latency."""
        self.plans: dict[str, list[str]] = {}
        self.programs: dict[str, str] = {}
        for task in tasks:
            env = make_env()
            try:
                first = env.reset(task)
                self.plans[first.text] = env.expert_plan()
                if supports_programs(env):
                    self.programs[request(task)] = env.program_of(task, self.plans[first.text])
            finally:
                env.close()
        self.stumble, self.insight_reply, self.names_reply, self.delay = stumble, insight_reply, names_reply, delay

    def __call__(self, messages: list[BaseMessage]) -> str:
        if self.delay:
            time.sleep(self.delay)
        prompt = "\n".join(str(m.content) for m in messages)
        if INSIGHT_PROMPT_MARK in prompt:
            return self.insight_reply(prompt)
        if SUBTASK_PROMPT_MARK in prompt:
            return self.names_reply(prompt)
        first = str(messages[1].content) if len(messages) > 1 else prompt
        if PROGRAM_PROMPT_MARK in str(messages[0].content):
            return self._program(first)
        plan = next((p for obs, p in self.plans.items() if obs in first), None)
        if plan is None:
            return "Think: I do not know this task.\nAction: look"
        turn = sum(isinstance(m, AIMessage) for m in messages)
        if turn >= len(plan) or self.stumble(first, prompt, turn):
            return "Think: I will look around.\nAction: look"
        return f"Think: step {turn + 1} of my plan.\nAction: {plan[turn]}"

    def _program(self, first: str) -> str:
        """The expert's program for the task whose request (dialogue or instruction) the prompt shows last (example
        programs, shown before it, carry requests of other tasks)."""
        found = max(((first.rfind(req), p) for req, p in self.programs.items() if req in first), default=None)
        return f"```python\n{found[1]}\n```" if found else 'x = InteractionObject("Unknown")\nx.go_to()'


def expert_chat_model(
    make_env: Callable[[], Env], tasks: Sequence[Task], *, name: str = "expert-player", **options: object
) -> ScriptedChatModel:
    return ScriptedChatModel(ExpertPlayer(make_env, tasks, **options), name=name)  # type: ignore[arg-type]
