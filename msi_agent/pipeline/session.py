"""Everything a pipeline stage uses, built once from the settings: LLM clients, store, pool, environment suite.

Stages receive a ``Session`` and never read config or registries themselves, so a script or a test can hand
in its own parts (a scripted model, the in-memory store, a custom environment).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import TracebackType
from typing import Any

from langchain_core.embeddings import Embeddings
from rich.console import Console

from envs.spec import EnvSpec
from insights_store import open_store
from insights_store.base import InsightStore
from insights_store.embeddings import get_embeddings
from msi_agent.agent.templates import Prompts
from msi_agent.config import Settings
from msi_agent.experience.pool import ExperiencePool
from msi_agent.llm import LLMClient
from msi_agent.pipeline.errored import ErrorBudget
from msi_agent.pipeline.players import Player, player_for
from msi_agent.pipeline.suite import Suite


def prompt_folder(settings: Settings) -> Path:
    """The user's prompt templates: ``[env] prompts`` (``--prompts``), which must exist, else workspace/prompts."""
    if settings.env.prompts is None:
        return Path(settings.workspace) / "prompts"
    if not settings.env.prompts.is_dir():
        raise FileNotFoundError(
            f"prompt folder {settings.env.prompts} does not exist; start one with "
            f"`msi-agent prompts copy --to {settings.env.prompts}` or drop --prompts"
        )
    return settings.env.prompts


@dataclass
class Session:
    settings: Settings
    suite: Suite
    llm: LLMClient
    insight_llm: LLMClient
    store: InsightStore
    pool: ExperiencePool
    embeddings: Embeddings  # for few-shot demos and seed pairing; the store keeps its own
    templates: Prompts
    console: Console | None = None
    errors: ErrorBudget = field(default_factory=ErrorBudget)
    """Work this session's stages left errored (LLM failures), up to ``pipeline.max_errors``."""
    owned: list[Any] = field(default_factory=list, repr=False)
    _player: Player | None = field(default=None, repr=False)
    _player_lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @property
    def player(self) -> Player:
        """Where episodes play (``pipeline.backend``); built at first use, so a command that plays no episode
        starts no Ray. A caller may set ``_player`` beforehand (a test's own player)."""
        with self._player_lock:
            if self._player is None:
                self._player = player_for(self.settings, self.suite.make_env, self.llm)
                self.owned.append(self._player)
            return self._player

    @classmethod
    def from_settings(
        cls,
        settings: Settings,
        *,
        suite: Suite | None = None,
        llm: LLMClient | None = None,
        insight_llm: LLMClient | None = None,
        store: InsightStore | None = None,
        embeddings: str | Embeddings | None = None,
        console: Console | None = None,
    ) -> Session:
        """Build the missing parts from ``settings`` (each given part is used as is and not closed by us).

        ``embeddings`` (default: ``settings.store.embedder``) is the embedder of demos and seed pairs; a store
        opened here uses the same one.
        """
        suite = suite or Suite.from_registry(settings.env.name, settings.env.options)
        settings = environment_defaults(settings, suite.spec)
        workspace = Path(settings.workspace)
        workspace.mkdir(parents=True, exist_ok=True)
        owned: list[Any] = []
        if llm is None:
            llm = LLMClient.from_settings(settings.llm, workspace, max_concurrency=settings.pipeline.workers)
            owned.append(llm)
        if insight_llm is None:
            if settings.llm.insight_spec and settings.llm.insight_spec != settings.llm.spec:
                insight_llm = LLMClient.from_settings(
                    settings.llm, workspace, spec=settings.llm.insight_spec, max_concurrency=settings.pipeline.workers
                )
                owned.append(insight_llm)
            else:
                insight_llm = llm
        embedder = get_embeddings(settings.store.embedder if embeddings is None else embeddings)
        if store is None:
            store = open_store(settings.store.spec, workspace=workspace, embeddings=embedder)
            owned.append(store)
        pool = ExperiencePool.in_workspace(workspace)
        owned.append(pool)
        templates = Prompts.for_spec(suite.spec, user=prompt_folder(settings))
        return cls(
            settings=settings,
            suite=suite,
            llm=llm,
            insight_llm=insight_llm,
            store=store,
            pool=pool,
            embeddings=embedder,
            templates=templates,
            console=console,
            errors=ErrorBudget(settings.pipeline.max_errors),
            owned=owned,
        )

    def with_settings(self, settings: Settings) -> Session:
        """The same parts under other settings (the ExpeL baseline's distill); what it starts (a player) is closed
        with this session."""
        return replace(self, settings=settings)

    def close(self) -> None:
        for part in reversed(self.owned):
            part.close()
        self.owned.clear()

    def __enter__(self) -> Session:
        return self

    def __exit__(self, et: type[BaseException] | None, ev: BaseException | None, tb: TracebackType | None) -> None:
        self.close()


def environment_defaults(settings: Settings, spec: EnvSpec) -> Settings:
    """``settings`` with the values left to the environment filled in from its spec (the step limit; with
    ``env.default_families``, the families), so the manifest records what the episodes actually used."""
    agent, env = settings.agent, settings.env
    if agent.max_steps is None:
        agent = agent.model_copy(update={"max_steps": spec.max_steps})
    if env.default_families and not env.families:
        env = env.model_copy(update={"families": list(spec.default_families)})
    return settings.model_copy(update={"agent": agent, "env": env})
