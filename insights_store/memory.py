"""In-memory backend: same contract, nothing persisted; for tests and throwaway runs.

Similarity is exact (brute-force cosine over a numpy matrix per namespace). Batches are atomic because
they are applied under one lock after being fully planned; there is no cross-process sharing.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import numpy as np
from langchain_core.embeddings import Embeddings

from insights_store.batch import Batch, StoredInsight
from insights_store.core import BaseInsightStore
from msi_agent.records import Insight, Scale


class _Namespace:
    def __init__(self) -> None:
        self.records: dict[str, StoredInsight] = {}
        self.vectors: dict[str, np.ndarray] = {}
        self.deleted: dict[str, StoredInsight] = {}


class MemoryStore(BaseInsightStore):
    def __init__(self, embeddings: Embeddings) -> None:
        super().__init__(embeddings)
        self._lock = threading.RLock()
        self._data: dict[str, _Namespace] = {}

    @contextmanager
    def _reading(self) -> Iterator[None]:
        with self._lock:
            yield

    _writing = _reading

    def _fetch(self, namespace: str, ids: Sequence[str]) -> dict[str, StoredInsight]:
        ns = self._data.get(namespace)
        if ns is None:
            return {}
        return {i: ns.records[i].model_copy(deep=True) for i in ids if i in ns.records}

    def _fetch_deleted(self, namespace: str, insight_id: str) -> StoredInsight | None:
        ns = self._data.get(namespace)
        return ns.deleted.get(insight_id) if ns else None

    def _scan(self, namespace: str, scale: Scale | None, key: str | None) -> list[Insight]:
        ns = self._data.get(namespace)
        if ns is None:
            return []
        return [
            r.insight.model_copy()
            for r in ns.records.values()
            if (scale is None or r.insight.scale is scale) and (key is None or r.insight.key == key)
        ]

    def _nearest(
        self, namespace: str, vector: np.ndarray, k: int, scale: Scale | None, key: str | None
    ) -> list[tuple[Insight, float]]:
        ns = self._data.get(namespace)
        if ns is None:
            return []
        candidates = [i.id for i in self._scan(namespace, scale, key)]
        if not candidates:
            return []
        sims = np.stack([ns.vectors[i] for i in candidates]) @ vector
        order = np.argsort(-sims, kind="stable")[:k]
        return [(ns.records[candidates[j]].insight.model_copy(), float(sims[j])) for j in order]

    def _write(self, batch: Batch, vectors: np.ndarray) -> None:
        with self._lock:
            ns = self._data.setdefault(batch.namespace, _Namespace())
            for rec, vec in zip(batch.upserts, vectors, strict=True):
                ns.records[rec.insight.id] = rec.model_copy(deep=True)
                ns.vectors[rec.insight.id] = vec
            for rec in batch.deletes:
                ns.records.pop(rec.insight.id, None)
                ns.vectors.pop(rec.insight.id, None)
                ns.deleted[rec.insight.id] = rec.model_copy(deep=True)

    def _namespaces(self) -> list[str]:
        return list(self._data)
