"""Few-shot examples for the executor, retrieved from expert demonstrations of similar tasks.

Same family first (the closest task within it), then the most similar tasks of other families; tasks are compared
by instruction, family and category (``experience.similarity``).
A demonstration of the very task being attempted is never shown: it would hand the agent the answer.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from langchain_core.embeddings import Embeddings

from msi_agent.agent.templates import DEFAULT_PROMPTS, Prompts
from msi_agent.experience.similarity import episode_texts, task_text
from msi_agent.records import Episode, Task

OBSERVATION_CHARS = 160
"""Observations in examples are cut to this length: the commands are the lesson, long room listings are noise."""


class DemoLibrary:
    def __init__(
        self, demos: Sequence[Episode], embeddings: Embeddings | None = None, *, prompts: Prompts = DEFAULT_PROMPTS
    ) -> None:
        self.demos = [d for d in demos if d.success]
        self.prompts = prompts
        self._vectors: np.ndarray | None = None
        self._embeddings = embeddings
        if embeddings is not None and self.demos:
            m = np.asarray(embeddings.embed_documents(episode_texts(self.demos)), dtype=np.float64)
            self._vectors = m / np.maximum(np.linalg.norm(m, axis=1, keepdims=True), 1e-12)

    def for_task(self, task: Task, k: int = 1) -> list[Episode]:
        if k <= 0 or not self.demos:
            return []
        sims = np.zeros(len(self.demos))
        if self._vectors is not None and self._embeddings is not None:
            q = np.asarray(self._embeddings.embed_query(task_text(task)), dtype=np.float64)
            sims = self._vectors @ (q / max(float(np.linalg.norm(q)), 1e-12))
        ranked = sorted(
            (i for i, d in enumerate(self.demos) if d.task.id != task.id),
            key=lambda i: (self.demos[i].task.family != task.family, -sims[i], self.demos[i].task.id),
        )
        return [self.demos[i] for i in ranked[:k]]

    def render(self, task: Task, k: int = 1, *, think: bool = True) -> str:
        """The examples block for the task prompt; empty when there is nothing to show."""
        chosen = self.for_task(task, k)
        if not chosen:
            return ""
        demos = "\n".join(render_demo(d, self.prompts, think=think) for d in chosen)
        return self.prompts.render("examples", examples=demos)


def render_demo(demo: Episode, prompts: Prompts = DEFAULT_PROMPTS, *, think: bool = True) -> str:
    """One example in the reply format the agent is asked for: with ``think``, a Think line before each Action —
    the step's recorded thought, or for an expert step (which has none) its plain intention, "I will <action>."."""
    lines = []
    for step in demo.steps:
        obs = step.observation
        if len(obs) > OBSERVATION_CHARS:
            obs = obs[:OBSERVATION_CHARS] + "…"
        thought = f"Think: {step.thought or f'I will {step.action}.'}\n" if think else ""
        lines.append(f"{thought}Action: {step.action}\nObservation: {obs}")
    return prompts.render("example", instruction=demo.task.instruction, transcript="\n".join(lines))
