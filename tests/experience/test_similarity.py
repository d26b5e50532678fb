"""Similarity beyond the instruction: family and category take part, repeated instructions add the first observation,
and few-shot demonstrations come from the current environment only."""

from __future__ import annotations

from langchain_core.embeddings import Embeddings

import envs
from msi_agent.agent.fewshot import DemoLibrary
from msi_agent.experience.seeds import select_seeds
from msi_agent.experience.similarity import episode_texts, task_text
from msi_agent.records import Episode, Source, Step, Task

GOAL = "Your task is to find the coin. Once you find the coin, take it."


class Words(Embeddings):
    """Bag of words over a tiny vocabulary, so similarity is predictable by eye."""

    vocab = ("coin", "pantry", "garden", "kitchen", "lab", "garage")

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return [[float(w in t.lower()) for w in self.vocab] for t in texts]

    def embed_query(self, text: str) -> list[float]:
        return self.embed_documents([text])[0]


def _ep(tid: str, first: str, *, success: bool, instruction: str = GOAL, env: str = "Coin Collector") -> Episode:
    task = Task(id=tid, family="coin", environment=env, scene=tid, instruction=instruction)
    steps = [Step(action="look around", observation=first)]
    return Episode(id=f"{tid}-{int(success)}", task=task, steps=steps, success=success, source=Source.EXPERT)


def test_texts_carry_family_category_and_the_first_observation_when_instructions_repeat() -> None:
    a, b = _ep("a", "You are in the pantry.", success=True), _ep("b", "You are in the garden.", success=False)
    lone = _ep("c", "You are in the lab.", success=True, instruction="take the beaker", env="Lab")
    texts = episode_texts([a, b, lone])
    assert texts[0] == f"{GOAL} (task type: coin; Coin Collector)\nYou are in the pantry."
    assert texts[1].endswith("You are in the garden.") and texts[2] == task_text(lone.task)


def test_pairing_tells_tasks_of_one_game_apart() -> None:
    success = _ep("s", "You are in the pantry. A coin glints.", success=True)
    near = _ep("n", "You are in the pantry.", success=False)
    far = _ep("f", "You are in the garden.", success=False)
    for order in ([near, far], [far, near]):  # with instructions alone both tie and the order would decide
        (seed,) = select_seeds([success, *order], "pair", embeddings=Words())
        assert seed.failure is near


def test_few_shots_rank_by_category_too() -> None:
    lab = _ep("lab-demo", "x", success=True, instruction="fetch the coin", env="Lab")
    garage = _ep("garage-demo", "x", success=True, instruction="fetch the coin", env="Garage")
    task = Task(id="t", family="coin", environment="Garage", scene="s", instruction="fetch the coin")
    assert DemoLibrary([lab, garage], Words()).for_task(task, k=1) == [garage]
    task = task.model_copy(update={"environment": "Lab"})
    assert DemoLibrary([garage, lab], Words()).for_task(task, k=1) == [lab]


def test_an_environment_poses_only_its_own_tasks() -> None:
    household, twx = envs.spec("household"), envs.spec("textworld-express")
    coin = _ep("c", "x", success=True).task
    kitchen = Task(id="k", family="toast", environment="Kitchen", scene="FloorPlan1", instruction="make toast")
    assert twx.poses(coin) and not twx.poses(kitchen)
    assert household.poses(kitchen) and not household.poses(coin)
