"""Example programs for the prompt, retrieved by similarity of the request (dialogue or instruction).

The pool is built from expert demonstrations: the environment turns each expert plan into a program
(``SupportsPrograms.program_of``). As in HELPER, the examples are the pool entries whose request text is most
similar to the task's; the task itself is never shown (it would hand the agent the answer).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from langchain_core.embeddings import Embeddings

from msi_agent.agent.program.dialogue import request
from msi_agent.agent.templates import DEFAULT_PROMPTS, Prompts
from msi_agent.records import Episode, Task


@dataclass(frozen=True, slots=True)
class Example:
    task: Task
    program: str


class ProgramLibrary:
    def __init__(
        self, examples: Sequence[Example], embeddings: Embeddings | None = None, *, prompts: Prompts = DEFAULT_PROMPTS
    ) -> None:
        self.examples, self.prompts = list(examples), prompts
        self._embeddings = embeddings
        self._vectors: np.ndarray | None = None
        if embeddings is not None and self.examples:
            m = np.asarray(embeddings.embed_documents([request(e.task) for e in self.examples]), dtype=np.float64)
            self._vectors = m / np.maximum(np.linalg.norm(m, axis=1, keepdims=True), 1e-12)

    @classmethod
    def from_demos(
        cls,
        demos: Sequence[Episode],
        env: object,
        embeddings: Embeddings | None = None,
        *,
        prompts: Prompts = DEFAULT_PROMPTS,
    ) -> ProgramLibrary:
        """Programs of the successful demonstrations, written by ``env.program_of(task, plan)``."""
        convert = getattr(env, "program_of", None)
        if convert is None:
            raise ValueError(f"environment {type(env).__name__} cannot turn plans into programs (no program_of)")
        examples = [Example(d.task, convert(d.task, [s.action for s in d.steps])) for d in demos if d.success]
        return cls(examples, embeddings, prompts=prompts)

    def for_task(self, task: Task, k: int = 1) -> list[Example]:
        candidates = [i for i, e in enumerate(self.examples) if e.task.id != task.id]
        if k <= 0 or not candidates:
            return []
        sims = np.zeros(len(self.examples))
        if self._vectors is not None and self._embeddings is not None:
            q = np.asarray(self._embeddings.embed_query(request(task)), dtype=np.float64)
            sims = self._vectors @ (q / max(float(np.linalg.norm(q)), 1e-12))
        ranked = sorted(candidates, key=lambda i: (-sims[i], self.examples[i].task.id))
        return [self.examples[i] for i in ranked[:k]]

    def render(self, task: Task, k: int = 1) -> str:
        """The examples block of the program prompt; empty when there is nothing to show."""
        chosen = self.for_task(task, k)
        if not chosen:
            return ""
        blocks = [self.prompts.render("program_example", request=request(e.task), program=e.program) for e in chosen]
        return self.prompts.render("program_examples", examples="\n".join(blocks))
