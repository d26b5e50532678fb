"""``SQLiteStore``: the one durability design behind every built-in backend (see docs/store-durability.md).

Records, history and vectors live in SQLite (``sqlite_records``); one batch is one transaction. The vector
index (``VectorIndex``: Chroma, a LangChain VectorStore) is derived from the records and brought up to date
after each commit, on open and before each search; ``reindex`` rebuilds it. Without an index (the memory
backend) search is exact over the stored vectors, as it always is when a key narrows it to one list.

Files beside a database ``D``: ``D.lock`` (the index lock: readers shared, index writers exclusive),
``D.index-generation`` (the records generation the on-disk index reflects) and ``D.<namespace>.writer``
(``writer()`` claims).
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import numpy as np
from langchain_core.embeddings import Embeddings

from insights_store.base import DEFAULT_NAMESPACE, SearchHit, StoreError
from insights_store.batch import Batch, StoredInsight
from insights_store.core import BaseInsightStore
from insights_store.index import VectorIndex
from insights_store.locking import FileLock, claim
from insights_store.sqlite_records import Records
from msi_agent.records import Insight, Scale

log = logging.getLogger(__name__)


def _cheaper_to_rebuild(size: int, new: int, changed: int) -> bool:
    """For an HNSW index (Chroma): re-writing a point in place costs ~8 adds or more and adding one ~1 (measured
    with chromadb 1.5, see benchmarks/store.py), so re-importing most of a namespace with new texts is faster
    as a drop and refill."""
    return size <= new + 8 * changed


def _ranked(docs: list[str], matrix: np.ndarray, vector: np.ndarray, k: int) -> list[tuple[Insight, float]]:
    if not docs:
        return []
    sims = matrix @ vector
    order = np.argsort(-sims, kind="stable")[:k]
    return [(Insight.model_validate_json(docs[j]), float(sims[j])) for j in order]


EXACT_LIMIT = 1_000
"""Searches over at most this many rows scan them exactly (3.7 ms per search at 1,000 rows against 1.5 ms through
Chroma, measured with the hash embedder): an HNSW graph over many near-duplicate rules can leave the one true
nearest rule unreachable, which an insight selector must not miss. MSI's namespaces hold tens to hundreds of
rules; larger ones use the index."""


class SQLiteStore(BaseInsightStore):
    """Records in SQLite at ``path`` (None: in memory), similarity through ``index(store_id)`` if given."""

    def __init__(
        self,
        embeddings: Embeddings,
        *,
        path: Path | None,
        index: Callable[[str], VectorIndex] | None = None,
        where: str | None = None,
    ) -> None:
        super().__init__(embeddings)
        if index is not None and path is None:
            raise ValueError("a derived index needs the records on disk (path=)")
        self._path = path
        self._where = where or (str(path) if path is not None else "the memory store")
        self._lock = threading.RLock()
        self._records: Records | None = Records(path, self._embedder_id, where=self._where)
        self._index: VectorIndex | None = None
        self._index_lock: FileLock | None = None
        self._importing = 0  # imports in progress: they sync the index once, at their end
        try:
            if index is not None and path is not None:
                self._index_lock = FileLock(path.with_name(path.name + ".lock"))
                self._generation_file = path.with_name(path.name + ".index-generation")
                self._index = index(self._records.store_id)
                self._open_index()
        except BaseException:
            self.close()
            raise

    @property
    def _db(self) -> Records:
        if self._records is None:
            raise StoreError("this store is closed; open it again with open_store()")
        return self._records

    # -- locks -------------------------------------------------------------------------------------------
    @contextmanager
    def _reading(self) -> Iterator[None]:
        with self._lock:
            self._pull_replicas()
            with self._db.transaction(write=False):
                yield

    @contextmanager
    def _writing(self) -> Iterator[None]:
        with self._lock:
            self._pull_replicas()
            outer = not self._db.in_transaction
            with self._db.transaction(write=True):
                yield
            if outer:
                self._after_commit()

    def _after_commit(self) -> None:
        """A batch is committed: update the index now, unless an import in progress does it once at its end."""
        if not self._importing:
            self._update_index()

    def _update_index(self) -> None:
        if self._index is None:
            return
        try:
            self._sync_index()
        except Exception as exc:  # the records are committed; the index catches up at the next search
            log.warning("insight index not updated after a committed batch (%s); it catches up later", exc)

    @contextmanager
    def _claim(self, namespace: str) -> Iterator[None]:
        if self._path is None:
            with super()._claim(namespace):
                yield
            return
        with claim(self._path.with_name(f"{self._path.name}.{namespace}.writer"), f"insight namespace {namespace!r}"):
            yield

    # -- the derived index -------------------------------------------------------------------------------
    def _on_disk_generation(self) -> int:
        try:
            return int(self._generation_file.read_text())
        except (FileNotFoundError, ValueError):
            return 0

    def _save_on_disk_generation(self, value: int) -> None:
        tmp = self._generation_file.with_name(self._generation_file.name + ".tmp")
        tmp.write_text(str(value))
        os.replace(tmp, self._generation_file)

    def _open_index(self) -> None:
        """Reconcile at open: adopt older layouts, notice a lost index, catch up with the records."""
        assert self._index is not None and self._index_lock is not None
        with self._lock, self._index_lock.hold(exclusive=True):
            self._index.open(self._db)
            if self._index.seen < 0:
                sample = self._db.sample()
                if sample is not None and self._index.holds(*sample) is False:  # wiped, or never built
                    self._save_on_disk_generation(0)
                self._index.seen = self._on_disk_generation()
            self._sync_locked()

    def _sync_locked(self) -> None:
        """Bring this process's index view up to the records' generation (index write lock held)."""
        index = self._index
        assert index is not None
        on_disk = self._on_disk_generation()
        if index.shared and on_disk != index.seen:  # another process moved (or a crash left) the shared index
            if index.caches:
                index.reload()
            index.seen = on_disk
        rebuild = _cheaper_to_rebuild if index.drops else None
        changes = self._db.changes_since(index.seen, rebuild, every_write=index.replicates)
        if changes.generation == index.seen:
            return
        if changes.rebuild:  # a crash while a namespace is dropped must lead to a full rebuild
            self._save_on_disk_generation(0)
        index.apply(changes)
        index.seen = changes.generation
        self._save_on_disk_generation(changes.generation)

    def _sync_index(self) -> None:
        assert self._index_lock is not None
        with self._lock, self._index_lock.hold(exclusive=True):
            self._sync_locked()

    def _index_current(self) -> bool:
        assert self._index is not None
        if self._index.shared and self._on_disk_generation() != self._index.seen:
            return False
        return self._db.generation() == self._index.seen

    def _pull_replicas(self) -> None:
        """Shared server index: copy each namespace another workspace wrote since we last copied it."""
        if self._index is None or not self._index.replicates or self._db.in_transaction:
            return
        for namespace, version in self._index.versions().items():
            if version.startswith(f"{self._db.store_id}:") or self._db.meta(f"pulled:{namespace}") == version:
                continue
            records, vectors = self._index.pull(namespace)
            with self._db.transaction():
                self._db.replace_namespace(namespace, records, vectors)
                self._db.set_meta(f"pulled:{namespace}", version)

    def _catch_up(self) -> None:
        """Bring this process's view of the index up to the records before a search."""
        if self._index is None or self._index_lock is None:
            return
        with self._lock:
            with self._index_lock.hold(exclusive=False):
                if self._index_current():
                    return
            self._sync_index()

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
        """As ``BaseInsightStore.search``, with the index brought up to date first."""
        self._catch_up()
        return super().search(query, k=k, scale=scale, key=key, token_budget=token_budget, namespace=namespace)

    def import_jsonl(self, lines: Iterable[str], *, namespace: str = DEFAULT_NAMESPACE) -> int:
        """As ``BaseInsightStore.import_jsonl``; the index catches up once at the end, not after every chunk, so
        that a re-import rewriting most of a namespace refills its index once."""
        with self._lock:
            self._importing += 1
        try:
            return super().import_jsonl(lines, namespace=namespace)
        finally:
            with self._lock:
                self._importing -= 1
            self._update_index()

    def reindex(self) -> int:
        """Rebuild the vector index from the records; returns how many live insights it now holds."""
        if self._index is None or self._index_lock is None:
            return self._db.count()
        with self._lock, self._index_lock.hold(exclusive=True):
            self._index.reset(self._db.namespaces())
            self._index.seen = 0
            self._save_on_disk_generation(0)
            self._sync_locked()
        return self._db.count()

    # -- primitives --------------------------------------------------------------------------------------
    def _fetch(self, namespace: str, ids: Sequence[str]) -> dict[str, StoredInsight]:
        return self._db.fetch(namespace, ids)

    def _fetch_deleted(self, namespace: str, insight_id: str) -> StoredInsight | None:
        return self._db.fetch_deleted(namespace, insight_id)

    def _scan(self, namespace: str, scale: Scale | None, key: str | None) -> list[Insight]:
        return self._db.scan(namespace, scale, key)

    def _keys(self, namespace: str, scale: Scale) -> set[str]:
        return self._db.keys(namespace, scale)

    def _known_vectors(self, namespace: str, insights: Sequence[Insight]) -> dict[str, np.ndarray]:
        return self._db.known_vectors(namespace, insights)

    def _nearest(
        self, namespace: str, vector: np.ndarray, k: int, scale: Scale | None, key: str | None
    ) -> list[tuple[Insight, float]]:
        """One key (a single list, small in MSI), a namespace of at most ``EXACT_LIMIT`` rows, or no index: exact
        cosine over the stored vectors. Otherwise candidates from the index, filtered and re-scored exactly from the
        records, widened until k match."""
        if self._index is None or key is not None or self._db.size(namespace, scale) <= EXACT_LIMIT:
            _, docs, matrix = self._db.vectors(namespace, scale, key)
            return _ranked(docs, matrix, vector, k)
        assert self._index_lock is not None
        fetch = max(8 * k, 50)
        while True:
            with self._index_lock.hold(exclusive=False):  # no other process rewrites Chroma's files meanwhile
                candidates, exhausted = self._index.nearest(namespace, vector, fetch)
            _, docs, matrix = self._db.vectors(namespace, scale, None, candidates)
            if len(docs) >= k or exhausted:
                return _ranked(docs, matrix, vector, k)
            fetch *= 2

    def _write(self, batch: Batch, vectors: np.ndarray) -> None:
        self._db.write(batch, vectors)

    def _namespaces(self) -> list[str]:
        return self._db.namespaces()

    def close(self) -> None:
        with self._lock:
            if self._index is not None:
                self._index.close()
                self._index = None
            if self._index_lock is not None:
                self._index_lock.close()
                self._index_lock = None
            if self._records is not None:
                self._records.close()
                self._records = None
