"""The experience selector: which episodes become seeds of the insight generator (REFERENCE §1).

- ``success``: each successful episode alone.
- ``pair`` (the paper's best for MSI): each success with the failure of a *different* task whose embedding
  (instruction, family and category; see ``similarity``) is most cosine-similar — contrast across tasks, not retries.
- ``same-task`` (ExpeL): each success with a failure of the same task.
A success without any failure to pair with is kept as a lone seed, so no success is wasted.

``within`` confines ``pair`` to tasks of one group (a seed order's family or category, ``experience.order``), so a
step of the paper's domain shift sees only the experience of the room being learnt.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from langchain_core.embeddings import Embeddings

from msi_agent.experience.similarity import episode_texts
from msi_agent.modes import ExperienceMode, SeedFrom
from msi_agent.records import Episode, Source, Task


@dataclass(frozen=True, slots=True)
class Seed:
    """One unit of insight generation: a success, optionally contrasted with a failure."""

    success: Episode
    failure: Episode | None = None

    @property
    def episodes(self) -> list[Episode]:
        return [self.success] if self.failure is None else [self.success, self.failure]

    @property
    def experience_ids(self) -> list[str]:
        return [ep.id for ep in self.episodes]

    @property
    def category(self) -> str:
        """The environment category (room type, game, ...) whose environment insights the update may touch: the
        success's."""
        return self.success.task.environment


def select_seeds(
    episodes: Sequence[Episode],
    mode: ExperienceMode | str = ExperienceMode.PAIR,
    *,
    seed_from: SeedFrom | str = SeedFrom.BOTH,
    embeddings: Embeddings | None = None,
    within: Callable[[Task], str] | None = None,
) -> list[Seed]:
    """Seeds in a stable order (by task id, then episode id); the generator shuffles them if asked.

    With ``within``, a success is paired only with a failure whose task has the same ``within`` value (same-task
    pairs always do)."""
    mode, seed_from = ExperienceMode(mode), SeedFrom(seed_from)
    allowed = {
        SeedFrom.AGENT: {Source.AGENT},
        SeedFrom.EXPERT: {Source.EXPERT},
        SeedFrom.BOTH: {Source.AGENT, Source.EXPERT},
    }[seed_from]
    ordered = sorted(episodes, key=lambda ep: (ep.task.id, ep.id))
    successes = [ep for ep in ordered if ep.success and ep.source in allowed]
    failures = [ep for ep in ordered if not ep.success]
    if mode is ExperienceMode.SUCCESS:
        return [Seed(ep) for ep in successes]
    if mode is ExperienceMode.SAME_TASK:
        by_task: dict[str, Episode] = {}
        for ep in failures:
            by_task.setdefault(ep.task.id, ep)
        return [Seed(ep, by_task.get(ep.task.id)) for ep in successes]
    if embeddings is None:
        raise ValueError("pair mode compares instructions by embedding; pass the store's `embeddings`")
    return _pair_across_tasks(successes, failures, embeddings, within)


def _pair_across_tasks(
    successes: list[Episode],
    failures: list[Episode],
    embeddings: Embeddings,
    within: Callable[[Task], str] | None,
) -> list[Seed]:
    if not successes or not failures:
        return [Seed(ep) for ep in successes]
    texts = episode_texts(successes + failures)
    distinct = sorted(set(texts))
    vectors = _unit(np.asarray(embeddings.embed_documents(distinct), dtype=np.float64))
    row = [distinct.index(t) for t in texts]
    fail_vecs = vectors[row[len(successes) :]]
    fail_tasks = np.array([ep.task.id for ep in failures])
    fail_groups = np.array([within(ep.task) for ep in failures]) if within else None
    seeds = []
    for i, ep in enumerate(successes):
        sims = fail_vecs @ vectors[row[i]]
        sims[fail_tasks == ep.task.id] = -np.inf
        if within is not None and fail_groups is not None:
            sims[fail_groups != within(ep.task)] = -np.inf
        best = int(np.argmax(sims))
        seeds.append(Seed(ep, failures[best] if np.isfinite(sims[best]) else None))
    return seeds


def _unit(m: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(m, axis=1, keepdims=True)
    return m / np.where(norms == 0, 1.0, norms)
