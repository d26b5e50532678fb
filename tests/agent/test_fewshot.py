"""Few-shot retrieval: same family first, then by instruction similarity, never the task itself."""

from __future__ import annotations

from langchain_core.embeddings import Embeddings

from msi_agent.agent.fewshot import DemoLibrary, render_demo
from msi_agent.records import Episode, Source, Step, Task


class Words(Embeddings):
    vocab = ("apple", "fridge", "lamp", "book", "mug")

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return [[float(w in t) for w in self.vocab] for t in texts]

    def embed_query(self, text: str) -> list[float]:
        return self.embed_documents([text])[0]


def _demo(tid: str, family: str, instruction: str, success: bool = True) -> Episode:
    task = Task(id=tid, family=family, environment="Kitchen", scene="s", instruction=instruction)
    return Episode(
        task=task, success=success, source=Source.EXPERT, steps=[Step(action="go to fridge 1", observation="x" * 500)]
    )


DEMOS = [
    _demo("a", "cool", "cool a mug with fridge"),
    _demo("b", "cool", "cool an apple with fridge"),
    _demo("c", "look", "look at book under the lamp"),
    _demo("d", "cool", "broken", success=False),
]


def test_same_family_first_then_similarity_and_never_itself() -> None:
    lib = DemoLibrary(DEMOS, Words())
    task = Task(id="b", family="cool", environment="Kitchen", scene="s", instruction="cool an apple")
    assert [d.task.id for d in lib.for_task(task, k=3)] == ["a", "c"]
    other = task.model_copy(update={"id": "z", "family": "look", "instruction": "cool an apple with fridge"})
    assert [d.task.id for d in lib.for_task(other, k=2)] == ["c", "b"]
    assert lib.for_task(task, k=0) == [] and DemoLibrary([]).render(task) == ""
    assert [d.task.id for d in DemoLibrary(DEMOS).for_task(other, k=2)] == ["c", "a"]  # no embedder: id order


def test_render_cuts_long_observations_and_follows_the_reply_format() -> None:
    text = render_demo(DEMOS[0], think=False)
    assert text.startswith("Task: cool a mug with fridge\nAction: go to fridge 1\nObservation: xxx")
    assert len(text) < 250 and text.rstrip().endswith("…")
    thinking = render_demo(DEMOS[0])  # the executor asks for Think + Action, so the examples show both
    assert thinking.startswith("Task: cool a mug with fridge\nThink: I will go to fridge 1.\nAction: go to fridge 1\n")
