"""The episodes behind an insight: its provenance names experience ids; this finds them.

The experience pool is the primary source; run folders are the fallback (a run copied without its pool).
Reading never creates a pool file where none exists.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from msi_agent.experience.pool import POOL_FILE, ExperiencePool, PoolError
from msi_agent.inspect.runs import find_episode_file
from msi_agent.records import Episode, HistoryEntry, Insight


class EpisodeFinder:
    """Looks episodes up by id in a workspace; keeps the pool open between lookups."""

    def __init__(self, workspace: Path) -> None:
        self.workspace = workspace
        self._pool: ExperiencePool | None = None

    def _open_pool(self) -> ExperiencePool | None:
        if self._pool is None and (self.workspace / POOL_FILE).is_file():
            try:
                self._pool = ExperiencePool.in_workspace(self.workspace)
            except PoolError:
                return None
        return self._pool

    def get(self, episode_id: str) -> Episode | None:
        pool = self._open_pool()
        if pool is not None:
            try:
                return pool.get(episode_id)
            except KeyError:
                pass
        return find_episode_file(self.workspace, episode_id)

    def for_insight(self, insight: Insight, history: Iterable[HistoryEntry]) -> tuple[list[Episode], list[str]]:
        """Episodes named by the insight's and its history's provenance, and the ids that were not found."""
        ids = list(insight.provenance.experience_ids)
        for entry in history:
            ids += entry.provenance.experience_ids
        found: list[Episode] = []
        missing: list[str] = []
        for eid in dict.fromkeys(ids):
            episode = self.get(eid)
            if episode is None:
                missing.append(eid)
            else:
                found.append(episode)
        return found, missing

    def close(self) -> None:
        if self._pool is not None:
            self._pool.close()
            self._pool = None
