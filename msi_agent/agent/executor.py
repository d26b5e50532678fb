"""The ReAct executor: think, act with one admissible command, observe — as a generator of ``Step`` records.

Errors split in three: the model's (unparseable or off-list output) is mapped to an admissible command by the
LLM client and recorded on the step as ``mapped``; a call that failed (network, server) ends the episode as
``errored`` — not an outcome of the agent, replayed on resume — since the next call would most likely fail too.
Bugs of ours (an env raising) propagate.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Literal

from envs.core import Env, Observation
from msi_agent.agent.messages import build_messages
from msi_agent.agent.templates import DEFAULT_PROMPTS, Prompts
from msi_agent.agent.unmet import unmet_note
from msi_agent.llm import REPLY_FORMAT, LLMClient
from msi_agent.records import Episode, Source, Step, Task, TokenUsage, new_id

log = logging.getLogger(__name__)
ASK_EXPERT: Literal["ask-expert"] = "ask-expert"
"""``Attempt(reference_length=...)`` default: ask the environment's expert for the plan length after reset."""


@dataclass(frozen=True, slots=True)
class ExecutorConfig:
    """``act_only`` drops the thought (ReAct's Act baseline); ``history_window`` caps the steps shown (None: all).

    ``env_budget``: when the environment reports the task's own step budget (``info["max_steps"]`` after reset),
    play to that instead of ``max_steps``: a family whose expert needs 46 steps must not be cut at a generic 30,
    which would make it unwinnable for any agent. Runs set it when the user set no ``agent.max_steps``."""

    max_steps: int = 30
    act_only: bool = False
    history_window: int | None = None
    env_budget: bool = False

    def __post_init__(self) -> None:
        if self.max_steps < 1:
            raise ValueError(f"max_steps must be >= 1, got {self.max_steps}")


class Attempt:
    """One episode of one task: iterate it for the steps, then ask for the ``episode()`` record."""

    def __init__(
        self,
        llm: LLMClient,
        env: Env,
        task: Task,
        config: ExecutorConfig,
        *,
        insight_block: str = "",
        examples: str = "",
        episode_id: str | None = None,
        prompts: Prompts = DEFAULT_PROMPTS,
        reference_length: int | Literal["ask-expert"] | None = ASK_EXPERT,
    ) -> None:
        """``reference_length``: the expert's plan length if the caller knows it already (a run computes it once
        per task); by default the environment's expert is asked after reset."""
        self.llm, self.env, self.task, self.config = llm, env, task, config
        self.episode_id = episode_id or new_id()
        self.insight_block, self.examples, self.templates = insight_block, examples, prompts
        self.steps: list[Step] = []
        self.extra_usage = TokenUsage()
        self.info: dict[str, Any] = {}
        self.reference_length: int | None = None
        self._known_reference = reference_length
        self.budget = config.max_steps
        """The step limit this episode plays to (set at reset; see ``ExecutorConfig.env_budget``)."""
        self.failure: str | None = None
        self.error: str | None = None
        """Set when an LLM call failed for good: the episode stopped for a reason that is not the agent's."""
        self.prompts: list[str] = []
        """The text of every prompt sent, newest last (tests and the viewer read what the model saw)."""

    def system_prompt(self) -> str:
        if self.config.act_only:
            return self.templates.render("act_system")
        return self.templates.render("react_system", reply_format=REPLY_FORMAT)

    def task_message(self, first: Observation) -> str:
        """Examples, insights, then the task; environments that already state the task (ALFWorld's "Your task
        is to: …" in the first observation) are not made to repeat it."""
        if self.task.instruction in first.text:
            return self.templates.render(
                "task_in_observation", examples=self.examples, insights=self.insight_block, observation=first.text
            )
        return self.templates.render(
            "task",
            examples=self.examples,
            insights=self.insight_block,
            instruction=self.task.instruction,
            observation=first.text,
        )

    def __iter__(self) -> Iterator[Step]:
        obs = self.env.reset(self.task)
        self.info = dict(obs.info)
        self.reference_length = self._resolved_reference()
        self.budget = self._budget(obs)
        system, task_message = self.system_prompt(), self.task_message(obs)
        for _ in range(self.budget):
            messages = build_messages(
                system=system,
                task_message=task_message,
                steps=self.steps,
                admissible=obs.admissible,
                act_only=self.config.act_only,
                window=self.config.history_window,
                prompts=self.templates,
            )
            self.prompts.append("\n\n".join(str(m.content) for m in messages))
            choice = self.llm.choose_action(messages, obs.admissible, think=not self.config.act_only)
            if choice.error:
                self.extra_usage = self.extra_usage + choice.usage
                self.error = f"LLM call failed at step {len(self.steps) + 1}: {choice.error}"
                return
            offered = len(obs.admissible)
            obs = self.env.step(choice.command)
            self.info = dict(obs.info)
            step = Step(
                thought="" if self.config.act_only else choice.thought,
                action=choice.command,
                observation=obs.text,
                admissible_count=offered,
                tokens=choice.usage,
                raw_output=choice.raw,
                mapped=choice.mapped,
                call_id=choice.call_id,
            )
            self.steps.append(step)
            yield step
            if obs.ended:
                break
        if not self.info.get("won"):
            self.failure = self.failure or (
                "the environment's step budget ran out"
                if obs.truncated
                else "the environment ended the episode without success"
                if obs.terminated
                else f"step limit ({self.budget}) reached"
            ) + unmet_note(self.info)

    def _budget(self, first: Observation) -> int:
        """The step limit: the task's own when the config defers to the environment and it reports one. A limit
        below the expert's plan length is warned about: no agent can win such an episode."""
        reported = first.info.get("max_steps")
        own = self.config.env_budget and isinstance(reported, int) and reported > 0
        budget = reported if own else self.config.max_steps
        if self.reference_length is not None and self.reference_length > budget:
            log.warning(
                "task %s: the expert needs %d steps but the step limit is %d, so no agent can win it; raise "
                "agent.max_steps (or unset it to use the task's own budget)",
                self.task.id,
                self.reference_length,
                budget,
            )
        return budget

    def _resolved_reference(self) -> int | None:
        """The reference length the caller gave, or the expert's when it asked for that (after reset)."""
        known = self._known_reference
        return self._reference_length() if known == ASK_EXPERT else known

    def _reference_length(self) -> int | None:
        """The expert's plan length for path-length weighting; None when the environment has no plan to offer
        (PLW figures then leave this episode out) — a missing expert must not cost the agent its episode."""
        try:
            return len(self.env.expert_plan())
        except (LookupError, RuntimeError, ValueError, NotImplementedError) as exc:
            log.warning("no expert plan for task %s (%s); its PLW scores are left out", self.task.id, exc)
            return None

    def episode(self) -> Episode:
        usage = sum((s.tokens for s in self.steps), self.extra_usage)
        won = bool(self.info.get("won"))
        return Episode(
            id=self.episode_id,
            task=self.task,
            steps=self.steps,
            success=won,
            gc_satisfied=int(self.info.get("gc_satisfied", 0)),
            gc_total=int(self.info.get("gc_total", 0)),
            path_length=len(self.steps),
            reference_length=self.reference_length,
            failure_reason=None if won or self.error else self.failure,
            error=self.error,
            llm=self.llm.name,
            usage=usage,
            source=Source.AGENT,
        )


def play(llm: LLMClient, env: Env, task: Task, config: ExecutorConfig, **kwargs: Any) -> Episode:
    """Run one episode to the end and return its record."""
    attempt = Attempt(llm, env, task, config, **kwargs)
    for _ in attempt:
        pass
    return attempt.episode()
