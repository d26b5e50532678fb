"""The insight-store protocol: what the MSI pipeline, the CLI and the viewer ask of any backend.

Score semantics are defined once here:
- ``Insight.score`` is the MSI/ExpeL importance score (ADD/MOVE start at 2, AGREE +1, REMOVE -1; 0 deletes).
- ``SearchHit.similarity`` is cosine similarity mapped to [0, 1], higher is better, the same on every backend.

All methods take a ``namespace``: one store holds several independent insight sets (per experiment).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

from langchain_core.embeddings import Embeddings

from msi_agent.records import HistoryEntry, Insight, InsightOp, Scale

DEFAULT_NAMESPACE = "default"


class StoreError(Exception):
    """Base class for store errors; messages say what was wrong and what to do."""


class InsightNotFoundError(StoreError, KeyError):
    def __str__(self) -> str:
        return str(self.args[0])


class NamespaceBusyError(StoreError):
    """Another writer (another process, or another open store) holds the namespace."""


class SchemaVersionError(StoreError):
    """The store on disk was written by an incompatible version of msi-agent."""


@dataclass(frozen=True, slots=True)
class ScoringRules:
    """How operations change scores (REFERENCE §1; defaults are the MSI paper's, after ExpeL).

    ``full_size``: when a namespace's scale holds at least this many insights, REMOVE costs
    ``remove_when_full`` instead of ``remove`` (ExpeL's rule; None disables it).
    """

    add: float = 2.0
    move: float = 2.0
    agree: float = 1.0
    edit: float = 0.0
    remove: float = -1.0
    remove_when_full: float = -3.0
    full_size: int | None = None


@dataclass(frozen=True, slots=True)
class SearchHit:
    insight: Insight
    similarity: float


@dataclass(frozen=True, slots=True)
class BatchResult:
    """What one atomic batch did: ids created, changed and deleted (score fell to 0 or REMOVE)."""

    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    rejected: list[tuple[InsightOp, str]] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class StoreStats:
    total: int
    by_scale: dict[str, int]
    keys: dict[str, list[str]]
    mean_score: float


@runtime_checkable
class InsightStore(Protocol):
    """A persistent, namespaced set of scored insights with similarity search and history."""

    @property
    def embeddings(self) -> Embeddings:
        """The embedder the store searches with (LangChain ``Embeddings``)."""
        ...

    def add(self, insight: Insight, *, namespace: str = DEFAULT_NAMESPACE) -> str: ...

    def get(self, insight_id: str, *, namespace: str = DEFAULT_NAMESPACE) -> Insight:
        """Raises InsightNotFoundError for an unknown id."""
        ...

    def update(
        self,
        insight_id: str,
        *,
        text: str | None = None,
        score: float | None = None,
        scale: Scale | None = None,
        key: str | None = None,
        namespace: str = DEFAULT_NAMESPACE,
    ) -> Insight: ...

    def delete(self, insight_id: str, *, namespace: str = DEFAULT_NAMESPACE) -> None:
        """Deleting a missing id is not an error."""
        ...

    def list(
        self,
        *,
        scale: Scale | None = None,
        key: str | None = None,
        min_score: float | None = None,
        namespace: str = DEFAULT_NAMESPACE,
    ) -> list[Insight]:
        """Ordered by score (highest first), then by creation time."""
        ...

    def keys(self, scale: Scale, *, namespace: str = DEFAULT_NAMESPACE) -> list[str]: ...

    def search(
        self,
        query: str,
        *,
        k: int = 10,
        scale: Scale | None = None,
        key: str | None = None,
        token_budget: int | None = None,
        namespace: str = DEFAULT_NAMESPACE,
    ) -> list[SearchHit]: ...

    def apply(
        self,
        ops: Sequence[InsightOp],
        *,
        scoring: ScoringRules = ScoringRules(),
        namespace: str = DEFAULT_NAMESPACE,
    ) -> BatchResult:
        """Apply one batch of resolved operations atomically (all or none), recording history.

        Scores follow ``scoring``; an insight whose score reaches 0 is deleted. Invalid operations
        (unknown target, ADD of an existing text) are returned in ``rejected`` and skipped.
        """
        ...

    def history(self, insight_id: str, *, namespace: str = DEFAULT_NAMESPACE) -> list[HistoryEntry]: ...

    def export_jsonl(self, *, namespace: str = DEFAULT_NAMESPACE) -> Iterable[str]: ...

    def import_jsonl(self, lines: Iterable[str], *, namespace: str = DEFAULT_NAMESPACE) -> int: ...

    def namespaces(self) -> list[str]: ...

    def stats(self, *, namespace: str = DEFAULT_NAMESPACE) -> StoreStats: ...

    def writer(self, namespace: str = DEFAULT_NAMESPACE) -> AbstractContextManager[None]:
        """Claim ``namespace`` for one writer while the context is open, across processes where the backend is
        shared; raises NamespaceBusyError at once when another writer holds it. Plain writes do not need it: it
        is for a job (e.g. the pipeline's distill) whose batches must not interleave with another job's."""
        ...

    def close(self) -> None: ...


@runtime_checkable
class Reindexable(Protocol):
    """A store whose similarity index is derived from its records, so it can be rebuilt from them."""

    def reindex(self) -> int:
        """Rebuild the index of every namespace; returns how many live insights it holds."""
        ...
