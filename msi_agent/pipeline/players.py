"""Players: where episode orders are played. The runner calls a player from one thread per concurrent episode
and stays the only writer of the run folder and the pool, whichever player plays.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Protocol

from envs.core import Env
from msi_agent.config import Settings
from msi_agent.llm import LLMClient
from msi_agent.pipeline.orders import EpisodeOrder
from msi_agent.records import Episode


class Player(Protocol):
    def __call__(self, order: EpisodeOrder) -> Episode:
        """Play one order to its end (thread-safe: called from several runner threads at once)."""
        ...

    def close(self) -> None:
        """Release environments and workers; safe to call twice."""
        ...


@dataclass(frozen=True, slots=True)
class LocalPlayer:
    """A fresh environment per episode, on the calling thread of this process."""

    make_env: Callable[[], Env]
    llm: LLMClient

    def __call__(self, order: EpisodeOrder) -> Episode:
        env = self.make_env()
        try:
            return order.play(env, self.llm)
        finally:
            env.close()

    def close(self) -> None:
        return None


def player_for(settings: Settings, make_env: Callable[[], Env], llm: LLMClient) -> Player:
    """The player ``settings.pipeline.backend`` names. Ray actors build their own LLM client from
    ``settings.llm`` (its response cache lives in the workspace path on each actor's node)."""
    p = settings.pipeline
    if p.backend == "local":
        return LocalPlayer(make_env, llm)
    from msi_agent.pipeline.ray_player import RayPlayer

    return RayPlayer(
        make_env,
        partial(LLMClient.from_settings, settings.llm, Path(settings.workspace)),
        actors=p.workers,
        address=p.ray_address,
        num_cpus=p.ray_actor_cpus,
        num_gpus=p.ray_actor_gpus,
        max_retries=p.ray_max_retries,
    )
