"""``BaseInsightStore``: the whole ``InsightStore`` contract written once over a few storage primitives.

A backend supplies reading/writing locks and five primitives (fetch, scan, nearest, write, namespaces);
validation, score rules, history, token budgets, export/import and stats live here, so every backend
behaves the same and the conformance kit tests one semantics.
"""

from __future__ import annotations

import threading
from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from datetime import UTC, datetime
from typing import Any

import numpy as np
from langchain_core.embeddings import Embeddings
from pydantic import ValidationError

from insights_store.base import (
    DEFAULT_NAMESPACE,
    BatchResult,
    InsightNotFoundError,
    NamespaceBusyError,
    ScoringRules,
    SearchHit,
    StoreStats,
)
from insights_store.batch import Batch, StoredInsight, estimate_tokens
from insights_store.checks import InvalidInputError, check_namespace, check_scale_key, parse_lines, validation_error
from insights_store.embeddings import embed_array, embedder_id
from insights_store.planning import plan
from msi_agent.records import HistoryEntry, Insight, InsightOp, OpKind, Provenance, Scale

IMPORT_CHUNK = 5000
MAX_K = 1000
DEFAULT_SCORING = ScoringRules()


class BaseInsightStore(ABC):
    """Implements ``InsightStore``; subclasses implement the storage primitives below.

    Primitives are called with the matching lock held and receive validated arguments.
    """

    def __init__(self, embeddings: Embeddings) -> None:
        self._embeddings = embeddings
        self._embedder_id = embedder_id(embeddings)
        self._claims: set[str] = set()
        self._claims_lock = threading.Lock()

    # -- primitives ------------------------------------------------------------------------------
    @abstractmethod
    def _reading(self) -> AbstractContextManager[None]:
        """Hold while reading: a consistent view (no half-applied batch)."""

    @abstractmethod
    def _writing(self) -> AbstractContextManager[None]:
        """Hold while planning and writing a batch: excludes other writers, in and across processes."""

    @abstractmethod
    def _fetch(self, namespace: str, ids: Sequence[str]) -> dict[str, StoredInsight]:
        """Live records by id; missing ids are simply absent."""

    @abstractmethod
    def _fetch_deleted(self, namespace: str, insight_id: str) -> StoredInsight | None:
        """The last state and history of a deleted insight, if kept."""

    @abstractmethod
    def _scan(self, namespace: str, scale: Scale | None, key: str | None) -> list[Insight]:
        """Live insights matching the filter, any order."""

    @abstractmethod
    def _nearest(
        self, namespace: str, vector: np.ndarray, k: int, scale: Scale | None, key: str | None
    ) -> list[tuple[Insight, float]]:
        """Up to k live insights nearest to ``vector`` (unit length) with cosine similarity in [-1, 1]."""

    @abstractmethod
    def _write(self, batch: Batch, vectors: np.ndarray) -> None:
        """Apply ``batch`` all-or-nothing; ``vectors[i]`` embeds ``batch.upserts[i].insight.text``."""

    @abstractmethod
    def _namespaces(self) -> list[str]: ...

    def _known_vectors(self, namespace: str, insights: Sequence[Insight]) -> dict[str, np.ndarray]:
        """Stored vectors reusable for these insights (text → vector), so unchanged texts are not re-embedded."""
        return {}

    def _keys(self, namespace: str, scale: Scale) -> set[str]:
        """Distinct keys on a scale; backends override when they can avoid decoding whole insights."""
        return {i.key for i in self._scan(namespace, scale, None) if i.key}

    # -- helpers ---------------------------------------------------------------------------------
    @property
    def embeddings(self) -> Embeddings:
        return self._embeddings

    def _embed(self, texts: list[str], cache: dict[str, np.ndarray] | None = None) -> np.ndarray:
        cache = dict(cache or {})
        missing = [t for t in dict.fromkeys(texts) if t not in cache]
        if missing:
            cache.update(zip(missing, embed_array(self._embeddings, missing), strict=True))
        if not texts:
            return np.zeros((0, 0), dtype=np.float32)
        matrix = np.stack([cache[t] for t in texts]).astype(np.float32)
        norms = np.linalg.norm(matrix, axis=1, keepdims=True)
        return matrix / np.where(norms == 0, 1.0, norms)

    def _commit(self, batch: Batch, cache: dict[str, np.ndarray] | None = None) -> None:
        if not batch.empty:
            known = self._known_vectors(batch.namespace, [r.insight for r in batch.upserts])
            self._write(batch, self._embed([r.insight.text for r in batch.upserts], known | (cache or {})))

    def _view(self, namespace: str) -> _View:
        return _View(self, namespace)

    # -- single-insight operations ------------------------------------------------------------------
    def add(self, insight: Insight, *, namespace: str = DEFAULT_NAMESPACE) -> str:
        check_namespace(namespace)
        if not isinstance(insight, Insight):
            raise InvalidInputError(f"add() takes an Insight, got {type(insight).__name__}")
        try:  # re-validate: the model may have been built with model_construct or mutated
            insight = Insight.model_validate(insight.model_dump(warnings=False))
        except ValidationError as exc:
            raise validation_error(exc, "insight") from None
        cache = {insight.text: self._embed([insight.text])[0]}
        entry = HistoryEntry(
            insight_id=insight.id,
            op=OpKind.ADD,
            text=insight.text,
            score_after=insight.score,
            provenance=insight.provenance,
        )
        with self._writing():
            if self._fetch(namespace, [insight.id]):
                raise InvalidInputError(f"insight {insight.id} already exists in {namespace!r}; use update()")
            self._commit(Batch(namespace=namespace, upserts=[StoredInsight(insight=insight, history=[entry])]), cache)
        return insight.id

    def get(self, insight_id: str, *, namespace: str = DEFAULT_NAMESPACE) -> Insight:
        return self._get_record(insight_id, namespace).insight

    def _get_record(self, insight_id: str, namespace: str) -> StoredInsight:
        check_namespace(namespace)
        with self._reading():
            found = self._fetch(namespace, [insight_id]).get(insight_id)
        if found is None:
            raise InsightNotFoundError(f"no insight {insight_id!r} in namespace {namespace!r}")
        return found

    def update(
        self,
        insight_id: str,
        *,
        text: str | None = None,
        score: float | None = None,
        scale: Scale | None = None,
        key: str | None = None,
        namespace: str = DEFAULT_NAMESPACE,
    ) -> Insight:
        """Change fields directly (a manual edit, recorded in history as EDIT, or MOVE when the scale/key
        changes). Changing scale to general clears the key. A score of 0 is stored, not deleted."""
        check_namespace(namespace)
        changes: dict[str, Any] = {k: v for k, v in {"text": text, "score": score}.items() if v is not None}
        if scale is not None:
            scale = check_scale_key(scale, None)[0]
            changes["scale"] = scale
            if scale is Scale.GENERAL and key is None:
                changes["key"] = None
        if key is not None:
            changes["key"] = key
        if not changes:
            raise InvalidInputError("update() needs at least one of text, score, scale, key")
        cache = {text: self._embed([text])[0]} if text is not None and text.strip() else None
        with self._writing():
            rec = self._fetch(namespace, [insight_id]).get(insight_id)
            if rec is None:
                raise InsightNotFoundError(f"no insight {insight_id!r} in namespace {namespace!r}")
            try:
                new = Insight.model_validate(rec.insight.model_dump() | changes | {"updated": datetime.now(UTC)})
            except ValidationError as exc:
                raise validation_error(exc, f"update of {insight_id}") from None
            moved = (new.scale, new.key) != (rec.insight.scale, rec.insight.key)
            entry = HistoryEntry(
                insight_id=insight_id,
                op=OpKind.MOVE if moved else OpKind.EDIT,
                text=new.text,
                score_after=new.score,
                provenance=Provenance(note=f"manual update: {', '.join(sorted(changes))}"),
            )
            self._commit(
                Batch(namespace=namespace, upserts=[StoredInsight(insight=new, history=[*rec.history, entry])]),
                cache,
            )
        return new

    def delete(self, insight_id: str, *, namespace: str = DEFAULT_NAMESPACE) -> None:
        check_namespace(namespace)
        with self._writing():
            rec = self._fetch(namespace, [insight_id]).get(insight_id)
            if rec is None:
                return
            entry = HistoryEntry(
                insight_id=insight_id,
                op=OpKind.REMOVE,
                text=rec.insight.text,
                score_after=0.0,
                provenance=Provenance(note="manual delete"),
            )
            gone = StoredInsight(insight=rec.insight.model_copy(update={"score": 0.0}), history=[*rec.history, entry])
            self._commit(Batch(namespace=namespace, deletes=[gone]))

    # -- reading ---------------------------------------------------------------------------------
    def list(
        self,
        *,
        scale: Scale | None = None,
        key: str | None = None,
        min_score: float | None = None,
        namespace: str = DEFAULT_NAMESPACE,
    ) -> list[Insight]:
        """Ordered by score (highest first), then by creation time, then id."""
        check_namespace(namespace)
        scale, key = check_scale_key(scale, key)
        if min_score is not None and not np.isfinite(min_score):
            raise InvalidInputError(f"min_score must be a finite number, got {min_score}")
        with self._reading():
            found = self._scan(namespace, scale, key)
        if min_score is not None:
            found = [i for i in found if i.score >= min_score]
        return sorted(found, key=lambda i: (-i.score, i.created, i.id))

    def keys(self, scale: Scale, *, namespace: str = DEFAULT_NAMESPACE) -> list[str]:
        """The distinct keys in use on a scale (room types, subtask names), sorted; [] for general."""
        check_namespace(namespace)
        scale = check_scale_key(scale, None)[0]
        if scale is None:
            raise InvalidInputError("keys() needs a scale (environment or subtask)")
        with self._reading():
            return sorted(self._keys(namespace, scale))

    def search(
        self,
        query: str,
        *,
        k: int = 10,
        scale: Scale | None = None,
        key: str | None = None,
        token_budget: int | None = None,
        namespace: str = DEFAULT_NAMESPACE,
    ) -> list[SearchHit]:
        """Most similar first; with ``token_budget`` hits stop before the running estimate
        (``estimate_tokens``: ceil(characters/4) per insight text) would exceed it."""
        check_namespace(namespace)
        scale, key = check_scale_key(scale, key)
        if not isinstance(query, str) or not query.strip():
            raise InvalidInputError("search query is empty; pass the instruction or text to match")
        if not isinstance(k, int) or not 1 <= k <= MAX_K:
            raise InvalidInputError(f"k must be an integer between 1 and {MAX_K}, got {k!r}")
        if token_budget is not None and (not isinstance(token_budget, int) or token_budget < 1):
            raise InvalidInputError(f"token_budget must be a positive integer or None, got {token_budget!r}")
        vector = self._embed([query])[0]
        with self._reading():
            pairs = self._nearest(namespace, vector, k, scale, key)
        hits: list[SearchHit] = []
        used = 0
        for insight, cosine in pairs[:k]:
            if token_budget is not None:
                used += estimate_tokens(insight.text)
                if used > token_budget:
                    break
            hits.append(SearchHit(insight=insight, similarity=float(min(1.0, max(0.0, (1.0 + cosine) / 2.0)))))
        return hits

    def history(self, insight_id: str, *, namespace: str = DEFAULT_NAMESPACE) -> list[HistoryEntry]:
        """Every operation applied to the insight, oldest first; also for deleted insights."""
        check_namespace(namespace)
        with self._reading():
            rec = self._fetch(namespace, [insight_id]).get(insight_id) or self._fetch_deleted(namespace, insight_id)
        if rec is None:
            raise InsightNotFoundError(f"no insight {insight_id!r} (live or deleted) in namespace {namespace!r}")
        return list(rec.history)

    def namespaces(self) -> list[str]:
        with self._reading():
            return sorted(self._namespaces())

    def stats(self, *, namespace: str = DEFAULT_NAMESPACE) -> StoreStats:
        check_namespace(namespace)
        with self._reading():
            found = self._scan(namespace, None, None)
        by_scale = {s.value: sum(1 for i in found if i.scale is s) for s in Scale}
        keys = {
            s.value: sorted({i.key for i in found if i.scale is s and i.key}) for s in Scale if s is not Scale.GENERAL
        }
        mean = float(np.mean([i.score for i in found])) if found else 0.0
        return StoreStats(total=len(found), by_scale=by_scale, keys=keys, mean_score=mean)

    # -- batches -----------------------------------------------------------------------------------
    def apply(
        self,
        ops: Sequence[InsightOp],
        *,
        scoring: ScoringRules = DEFAULT_SCORING,
        namespace: str = DEFAULT_NAMESPACE,
    ) -> BatchResult:
        check_namespace(namespace)
        ops = list(ops)
        bad = [op for op in ops if not isinstance(op, InsightOp)]
        if bad:
            raise InvalidInputError(f"apply() takes InsightOp records, got {type(bad[0]).__name__}")
        texts = list(dict.fromkeys(op.text.strip() for op in ops if op.text and op.text.strip()))
        cache = dict(zip(texts, self._embed(texts), strict=True)) if texts else {}
        with self._writing():
            batch, result = plan(self._view(namespace), ops, namespace, scoring)
            self._commit(batch, cache)
        return result

    # -- export / import ---------------------------------------------------------------------------
    def export_jsonl(self, *, namespace: str = DEFAULT_NAMESPACE) -> Iterator[str]:
        """One JSON object per live insight: ``{"insight": {...}, "history": [...]}``, best first."""
        check_namespace(namespace)
        with self._reading():
            ids = [i.id for i in sorted(self._scan(namespace, None, None), key=lambda i: (-i.score, i.created, i.id))]
            records = self._fetch(namespace, ids)
        for iid in ids:
            yield records[iid].model_dump_json()

    def import_jsonl(self, lines: Iterable[str], *, namespace: str = DEFAULT_NAMESPACE) -> int:
        """Load lines written by ``export_jsonl`` (or bare Insight objects) into ``namespace``.

        Every line is validated before anything is written; ids are kept, so an existing insight with the
        same id is replaced and re-running an interrupted import completes it. Each chunk of
        ``IMPORT_CHUNK`` lines is written atomically.
        """
        check_namespace(namespace)
        records = list(parse_lines(lines))
        seen: set[str] = set()
        for number, rec in records:
            if rec.insight.id in seen:
                raise InvalidInputError(f"line {number}: insight id {rec.insight.id} appears twice in the import")
            seen.add(rec.insight.id)
        for start in range(0, len(records), IMPORT_CHUNK):
            chunk = [rec for _, rec in records[start : start + IMPORT_CHUNK]]
            with self._reading():
                known = self._known_vectors(namespace, [r.insight for r in chunk])
            vectors = self._embed([r.insight.text for r in chunk], known)  # outside the write lock: it can be slow
            with self._writing():
                self._write(Batch(namespace=namespace, upserts=chunk), vectors)
        return len(records)

    @contextmanager
    def writer(self, namespace: str = DEFAULT_NAMESPACE) -> Iterator[None]:
        """Claim ``namespace`` for one writer (see ``InsightStore.writer``)."""
        check_namespace(namespace)
        with self._claim(namespace):
            yield

    @contextmanager
    def _claim(self, namespace: str) -> Iterator[None]:
        """Within this store object only; backends whose storage other processes share override this."""
        with self._claims_lock:
            if namespace in self._claims:
                raise NamespaceBusyError(
                    f"insight namespace {namespace!r} is being written by another writer in this process; wait for "
                    "it to finish, or write into another namespace"
                )
            self._claims.add(namespace)
        try:
            yield
        finally:
            with self._claims_lock:
                self._claims.discard(namespace)

    def close(self) -> None:  # noqa: B027 - optional hook: most backends hold nothing to release
        """Release resources; safe to call twice."""

    def __enter__(self) -> BaseInsightStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class _View:
    """The read-only view planning needs, bound to one namespace (lock already held)."""

    def __init__(self, store: BaseInsightStore, namespace: str) -> None:
        self._store = store
        self._namespace = namespace

    def fetch(self, ids: Sequence[str]) -> dict[str, StoredInsight]:
        return self._store._fetch(self._namespace, ids)

    def scan(self, scale: Scale | None, key: str | None) -> list[Insight]:
        return self._store._scan(self._namespace, scale, key)
