"""Seeds: success alone, cross-task pairs by instruction similarity, same-task pairs, and seed sources."""

from __future__ import annotations

import pytest
from langchain_core.embeddings import Embeddings

from msi_agent.experience.order import SeedOrdering
from msi_agent.experience.seeds import Seed, select_seeds
from msi_agent.modes import ExperienceMode, SeedFrom
from msi_agent.records import Episode, Source, Task


class WordEmbeddings(Embeddings):
    """Bag of words over a tiny vocabulary: similarity is predictable by eye."""

    vocab = ("apple", "fridge", "lamp", "book", "knife", "sink")

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return [[float(w in t) for w in self.vocab] for t in texts]

    def embed_query(self, text: str) -> list[float]:
        return self.embed_documents([text])[0]


def _ep(
    task_id: str,
    instruction: str,
    *,
    success: bool,
    source: Source = Source.AGENT,
    room: str = "Kitchen",
    family: str = "f",
) -> Episode:
    task = Task(id=task_id, family=family, environment=room, scene="s", instruction=instruction)
    return Episode(id=f"{task_id}-{source.value}-{int(success)}", task=task, success=success, source=source)


EPISODES = [
    _ep("t1", "put the apple in the fridge", success=True),
    _ep("t1", "put the apple in the fridge", success=False),
    _ep("t2", "cool an apple with the fridge", success=False),
    _ep("t3", "examine the book under the lamp", success=False),
    _ep("t4", "look at the book with the lamp", success=True, source=Source.EXPERT),
    _ep("t5", "slice with a knife", success=True),
]


def test_success_mode_respects_seed_source() -> None:
    ids = lambda seeds: [s.success.id for s in seeds]  # noqa: E731
    assert ids(select_seeds(EPISODES, "success", seed_from="agent")) == ["t1-agent-1", "t5-agent-1"]
    assert ids(select_seeds(EPISODES, "success", seed_from="expert")) == ["t4-expert-1"]
    assert len(select_seeds(EPISODES, ExperienceMode.SUCCESS, seed_from=SeedFrom.BOTH)) == 3


def test_pair_mode_takes_most_similar_failure_of_another_task() -> None:
    seeds = select_seeds(EPISODES, "pair", embeddings=WordEmbeddings())
    pairs = {s.success.task.id: s.failure.task.id if s.failure else None for s in seeds}
    # t1's own failed retry is more similar but belongs to the same task: the pair is t2
    assert pairs["t1"] == "t2"
    assert pairs["t4"] == "t3"
    assert seeds[0].experience_ids == ["t1-agent-1", "t2-agent-0"]
    assert seeds[0].category == "Kitchen"


def test_same_task_mode_pairs_retries_and_keeps_lone_successes() -> None:
    seeds = select_seeds(EPISODES, "same-task")
    by = {s.success.task.id: s for s in seeds}
    assert by["t1"].failure is not None and by["t1"].failure.task.id == "t1"
    assert by["t5"].failure is None and by["t5"].episodes == [by["t5"].success]


def test_pair_mode_without_failures_or_embeddings() -> None:
    only_success = [e for e in EPISODES if e.success]
    assert all(s.failure is None for s in select_seeds(only_success, "pair", embeddings=WordEmbeddings()))
    with pytest.raises(ValueError, match="embeddings"):
        select_seeds(EPISODES, "pair")
    with pytest.raises(ValueError):
        select_seeds(EPISODES, "bogus")
    assert isinstance(select_seeds([], "pair", embeddings=WordEmbeddings()), list)
    assert Seed(EPISODES[0]).experience_ids == ["t1-agent-1"]


def test_a_grouped_seed_order_pairs_within_the_group_only() -> None:
    """The closest failure is in another room (or family): a grouped order passes it over, and a success whose
    group holds no failure stays alone; a plain order still pairs across groups."""
    episodes = [
        _ep("k1", "put the apple in the fridge", success=True, family="cool"),
        _ep("b1", "cool the apple in the fridge", success=False, room="Bedroom", family="cool"),
        _ep("k2", "put the knife in the sink", success=False, family="clean"),
        _ep("b2", "look at the book with the lamp", success=True, room="Bedroom", family="look"),
        _ep("k3", "examine the book under the lamp", success=False, family="look"),
    ]
    embeddings = WordEmbeddings()

    def pairs(order: str) -> dict[str, str | None]:
        seeds = select_seeds(episodes, "pair", embeddings=embeddings, within=SeedOrdering.parse(order).pairs_within)
        return {s.success.task.id: s.failure.task.id if s.failure else None for s in seeds}

    assert pairs("shuffle") == pairs("given") == {"k1": "b1", "b2": "k3"}
    assert pairs("rooms:Kitchen,Bedroom") == {"k1": "k2", "b2": "b1"}
    assert pairs("families:cool,look") == {"k1": "b1", "b2": "k3"}
    assert pairs("families:look") == pairs("families:cool,look")  # unlisted groups pair within themselves too
    alone = [e for e in episodes if e.task.id != "k2"]
    seeds = select_seeds(alone, "pair", embeddings=embeddings, within=lambda task: task.family + task.environment)
    assert {s.success.task.id: s.failure for s in seeds} == {"k1": None, "b2": None}
