"""Episode orders: everything one episode needs except an environment and an LLM client.

The driver builds an order per job (it selects insights and few-shot examples, which need the store and the
pool); a player then plays it wherever environments live — a thread of this process or a Ray actor on another
machine. Orders are plain picklable data so that both paths run the very same code.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, Protocol

from envs.core import Env
from msi_agent.agent.executor import ASK_EXPERT, ExecutorConfig, play
from msi_agent.agent.program import ProgramAttempt, ProgramConfig
from msi_agent.agent.templates import DEFAULT_PROMPTS, Prompts
from msi_agent.experience.demos import expert_episode
from msi_agent.llm import LLMClient
from msi_agent.records import Episode, Task, TokenUsage


class EpisodeOrder(Protocol):
    episode_id: str
    task: Task

    def play(self, env: Env, llm: LLMClient) -> Episode:
        """The finished episode; an LLM failure is returned as an errored episode, an env bug raises."""
        ...


@dataclass(frozen=True, slots=True)
class AgentOrder:
    """The LLM agent plays ``task`` with the insights and examples the driver chose for it."""

    episode_id: str
    task: Task
    config: ExecutorConfig
    insight_block: str = ""
    examples: str = ""
    prompts: Prompts = DEFAULT_PROMPTS
    driver_usage: TokenUsage = field(default_factory=TokenUsage)
    """Tokens the driver spent choosing insights for this episode (added to the episode's own)."""
    insight_ids: tuple[str, ...] = ()
    """Ids of the insights in ``insight_block`` (recorded on the episode)."""
    reference_length: int | Literal["ask-expert"] | None = ASK_EXPERT
    """The expert's plan length when the run knows it already (computed once per task)."""

    def play(self, env: Env, llm: LLMClient) -> Episode:
        episode = play(
            llm,
            env,
            self.task,
            self.config,
            insight_block=self.insight_block,
            examples=self.examples,
            episode_id=self.episode_id,
            prompts=self.prompts,
            reference_length=self.reference_length,
        )
        return episode.model_copy(
            update={"usage": episode.usage + self.driver_usage, "insight_ids": list(self.insight_ids)}
        )


@dataclass(frozen=True, slots=True)
class ProgramOrder:
    """The LLM agent plays ``task`` by programs (``--executor program``) with the driver's insights and examples."""

    episode_id: str
    task: Task
    config: ProgramConfig
    insight_block: str = ""
    examples: str = ""
    driver_usage: TokenUsage = field(default_factory=TokenUsage)
    insight_ids: tuple[str, ...] = ()
    prompts: Prompts = DEFAULT_PROMPTS
    reference_length: int | Literal["ask-expert"] | None = ASK_EXPERT

    def play(self, env: Env, llm: LLMClient) -> Episode:
        attempt = ProgramAttempt(
            llm, env, self.task, self.config, insight_block=self.insight_block, examples=self.examples,
            episode_id=self.episode_id, prompts=self.prompts, reference_length=self.reference_length,
        )  # fmt: skip
        for _ in attempt:
            pass
        episode = attempt.episode()
        return episode.model_copy(
            update={"usage": episode.usage + self.driver_usage, "insight_ids": list(self.insight_ids)}
        )


@dataclass(frozen=True, slots=True)
class ExpertOrder:
    """The environment's expert replays its plan (a demonstration; no LLM)."""

    episode_id: str
    task: Task

    def play(self, env: Env, llm: LLMClient) -> Episode:
        return expert_episode(env, self.task, episode_id=self.episode_id)
