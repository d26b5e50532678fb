"""Chroma backend: embedded (a persistent folder, the default) or a Chroma server (``chroma+http://h:p``).

Layout, one Chroma database per store:
- ``msi-meta``: collection metadata holds the layout version (``msi_schema``) and the writer's version;
- ``msi-live-<namespace>``: live insights; vector = embedding of the text, document = text, metadata =
  scale, key, score (for filters) + the insight and its history as JSON;
- ``msi-gone-<namespace>``: deleted insights with their history (placeholder vectors);
- ``msi-journal``: pending batches (redo log).

Atomicity: Chroma has no transactions across calls, but one upsert call is written in one log
transaction. A batch that fits one upsert is written directly; any other batch is first written whole
(its end state) to ``msi-journal``, then applied idempotently, then removed from the journal. Opening the
store, or noticing another process's write, rolls pending batches forward: all or nothing.

Concurrency: embedded stores take an fcntl lock in the folder (readers shared, writers exclusive) and a
generation counter tells a process when another one wrote, so it reloads Chroma's per-process vector
index. A Chroma server serialises single calls, but batches from several writing processes can interleave:
use one writing process per namespace on a server (readers are fine).
"""

from __future__ import annotations

import json
import os
import signal
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from importlib.metadata import version
from pathlib import Path
from typing import Any, ClassVar

import chromadb
import numpy as np
from chromadb.api import ClientAPI
from chromadb.api.models.Collection import Collection
from chromadb.config import Settings
from chromadb.errors import NotFoundError
from langchain_core.embeddings import Embeddings

from insights_store.base import SchemaVersionError, StoreError
from insights_store.batch import Batch, StoredInsight
from insights_store.chroma_ef import chroma_function
from insights_store.core import BaseInsightStore
from insights_store.locking import FolderLock
from msi_agent.records import HistoryEntry, Insight, Scale

STORE_LAYOUT_VERSION = 1
META = "msi-meta"
JOURNAL = "msi-journal"
LIVE = "msi-live-"
GONE = "msi-gone-"
# Chroma rewrites its HNSW file every sync_threshold records (default 1000); at 100k insights that halves
# bulk-add speed. The log in SQLite stays the durable copy; reopening replays at most this many records.
HNSW_SYNC_THRESHOLD = 10_000
_PLACEHOLDER = [1.0, 0.0]
_GET_CHUNK = 5000  # vector for records that are never searched (journal, deleted insights)
CRASH_ENV = "MSI_STORE_CRASH_AT"  # test hook: "planned", "journaled" or "half-applied" → SIGKILL there


def _crash_point(stage: str) -> None:
    """Let the durability tests kill the process at a precise point of a batch (kill -9 semantics)."""
    if os.environ.get(CRASH_ENV) == stage:
        os.kill(os.getpid(), signal.SIGKILL)


def _settings() -> Settings:
    return Settings(anonymized_telemetry=False, allow_reset=False)


def _slot(scale: Scale, key: str | None) -> str:
    """One metadata field for the (scale, key) pair: a single $eq filter is ~10x faster than an $and."""
    return f"{scale.value}/{key or ''}"


def _where(scale: Scale | None, key: str | None) -> dict[str, Any] | None:
    if scale is not None and key is not None:
        return {"slot": _slot(scale, key)}
    if key is not None:
        return {"key": key}
    return {"scale": scale.value} if scale is not None else None


def _metadata(rec: StoredInsight) -> dict[str, Any]:
    meta: dict[str, Any] = {
        "scale": rec.insight.scale.value,
        "slot": _slot(rec.insight.scale, rec.insight.key),
        "score": rec.insight.score,
        "insight": rec.insight.model_dump_json(),
        "history": json.dumps([h.model_dump(mode="json") for h in rec.history]),
    }
    if rec.insight.key is not None:
        meta["key"] = rec.insight.key
    return meta


def _record(meta: dict[str, Any]) -> StoredInsight:
    return StoredInsight(
        insight=Insight.model_validate_json(meta["insight"]),
        history=[HistoryEntry.model_validate(h) for h in json.loads(meta["history"])],
    )


class _Connection:
    """One client per folder or server in this process, shared by every store opened on it."""

    _open: ClassVar[dict[str, _Connection]] = {}
    _registry_lock: ClassVar[threading.Lock] = threading.Lock()

    def __init__(self, ident: str, folder: Path | None, host: str | None, port: int | None) -> None:
        self.ident = ident
        self.folder = folder
        self.host, self.port = host, port
        self.refs = 0
        self.mutex = threading.RLock()
        self.lock = FolderLock(folder) if folder is not None else None
        self.seen_generation = -1
        self.collections: dict[tuple[str, str | None], Collection] = {}
        self.client = self._connect()

    @classmethod
    def get(cls, folder: Path | None = None, host: str | None = None, port: int | None = None) -> _Connection:
        ident = str(folder.resolve()) if folder is not None else f"http://{host}:{port}"
        with cls._registry_lock:
            conn = cls._open.get(ident)
            if conn is None:
                conn = cls._open[ident] = _Connection(ident, folder, host, port)
            conn.refs += 1
            return conn

    def _connect(self) -> ClientAPI:
        if self.folder is not None:
            return chromadb.PersistentClient(path=str(self.folder), settings=_settings())
        try:
            client = chromadb.HttpClient(host=self.host or "127.0.0.1", port=self.port or 8000, settings=_settings())
            client.heartbeat()
        except Exception as exc:
            raise StoreError(
                f"cannot reach the Chroma server at http://{self.host}:{self.port} ({exc}); start one with "
                "`chroma run --path DIR --host HOST --port PORT` or use the embedded store (--store chroma)"
            ) from None
        return client

    def reload(self) -> None:
        """Drop Chroma's in-memory state (its vector index is cached per process) and reopen."""
        self.collections.clear()
        self.client.close()
        self.client = self._connect()

    def release(self) -> None:
        with self._registry_lock:
            self.refs -= 1
            if self.refs > 0:
                return
            self._open.pop(self.ident, None)
        self.client.close()
        if self.lock is not None:
            self.lock.close()


class ChromaStore(BaseInsightStore):
    """Insights in Chroma; see the module docstring for layout, atomicity and concurrency."""

    def __init__(
        self,
        embeddings: Embeddings,
        *,
        path: Path | None = None,
        host: str | None = None,
        port: int | None = None,
    ) -> None:
        super().__init__(embeddings)
        if (path is None) == (host is None):
            raise ValueError("ChromaStore needs either path= (embedded) or host=/port= (server)")
        self._where_text = str(path) if path is not None else f"http://{host}:{port}"
        self._function = chroma_function(embeddings)
        self._conn: _Connection | None = _Connection.get(path, host, port)
        try:
            with self._writing():
                self._check_layout()
        except BaseException:
            self.close()
            raise

    # -- connection, freshness and recovery ---------------------------------------------------------
    @property
    def _c(self) -> _Connection:
        if self._conn is None:
            raise StoreError("this store is closed; open it again with open_store()")
        return self._conn

    def _refresh(self) -> bool:
        """Reload if another process wrote since we last looked; True when no batch is pending."""
        conn = self._c
        if conn.lock is not None:
            generation = conn.lock.generation()
            if generation != conn.seen_generation:
                if conn.seen_generation != -1:
                    conn.reload()
                conn.seen_generation = generation
                return self._journal().count() == 0
        return True

    @contextmanager
    def _reading(self) -> Iterator[None]:
        conn = self._c
        with conn.mutex:
            if conn.lock is None:
                yield
                return
            while True:
                with conn.lock.hold(exclusive=False):
                    if self._refresh():
                        yield
                        return
                with conn.lock.hold(exclusive=True):  # a crashed writer left a batch: roll it forward
                    self._recover()

    @contextmanager
    def _writing(self) -> Iterator[None]:
        conn = self._c
        with conn.mutex:
            if conn.lock is None:
                yield
                return
            with conn.lock.hold(exclusive=True):
                if not self._refresh():
                    self._recover()
                yield

    def _recover(self) -> None:
        journal = self._journal()
        pending = journal.get(include=["documents"])
        if pending["ids"] and self._c.lock is not None:
            self._c.seen_generation = self._c.lock.bump()  # other processes must reload what we replay
        for batch_id, doc in sorted(zip(pending["ids"], pending["documents"] or [], strict=True)):
            batch = Batch.model_validate_json(doc)
            self._apply(batch, self._embed([r.insight.text for r in batch.upserts]))
            journal.delete(ids=[batch_id])

    def _check_layout(self) -> None:
        client = self._c.client
        try:
            meta = client.get_collection(META, embedding_function=None).metadata or {}
        except NotFoundError:
            client.get_or_create_collection(
                META,
                embedding_function=None,
                metadata={"msi_schema": STORE_LAYOUT_VERSION, "msi_writer": f"msi-agent {version('msi-agent')}"},
            )
            return
        found = meta.get("msi_schema")
        if found != STORE_LAYOUT_VERSION:
            raise SchemaVersionError(
                f"the insight store at {self._where_text} has layout version {found} (written by "
                f"{meta.get('msi_writer', 'an unknown version')}); this msi-agent reads version "
                f"{STORE_LAYOUT_VERSION}. Migrate: with the version that wrote it, export each namespace "
                "(InsightStore.export_jsonl), then import the files into a new store (import_jsonl)."
            )
        if self._journal().count():
            self._recover()

    # -- collections -----------------------------------------------------------------------------
    def _journal(self) -> Collection:
        return self._collection(JOURNAL, searchable=False, create=True)  # type: ignore[return-value]

    def _collection(self, name: str, *, searchable: bool, create: bool) -> Collection | None:
        cache_key = (name, self._embedder_id if searchable else None)
        if cache_key in self._c.collections:
            return self._c.collections[cache_key]
        function = self._function if searchable else None
        try:
            col = self._c.client.get_collection(name, embedding_function=function)  # type: ignore[arg-type]
        except NotFoundError:
            if not create:
                return None
            metadata = {"msi_schema": STORE_LAYOUT_VERSION}
            if searchable:
                metadata["msi_embedder"] = self._embedder_id  # type: ignore[assignment]
            col = self._c.client.get_or_create_collection(
                name,
                embedding_function=function,  # type: ignore[arg-type]
                metadata=metadata,
                configuration={"hnsw": {"space": "cosine", "sync_threshold": HNSW_SYNC_THRESHOLD}},
            )
        except ValueError as exc:  # Chroma: stored embedding function differs from the given one
            raise self._embedder_mismatch(name, str(exc)) from None
        if searchable:
            stored = (col.metadata or {}).get("msi_embedder")
            if stored != self._embedder_id:
                raise self._embedder_mismatch(name, f"it was built with {stored!r}")
        self._c.collections[cache_key] = col
        return col

    def _embedder_mismatch(self, name: str, detail: str) -> StoreError:
        return StoreError(
            f"collection {name!r} in {self._where_text} was embedded differently ({detail}); this store was "
            f"opened with {self._embedder_id!r}. Open it with the embedder it was built with, or export the "
            "namespace and import it into a new store to re-embed it."
        )

    def _live(self, namespace: str, create: bool = False) -> Collection | None:
        return self._collection(LIVE + namespace, searchable=True, create=create)

    def _gone(self, namespace: str, create: bool = False) -> Collection | None:
        return self._collection(GONE + namespace, searchable=False, create=create)

    # -- primitives --------------------------------------------------------------------------------
    def _fetch(self, namespace: str, ids: Sequence[str]) -> dict[str, StoredInsight]:
        col = self._live(namespace)
        if col is None or not ids:
            return {}
        unique = list(dict.fromkeys(ids))
        found: dict[str, StoredInsight] = {}
        for start in range(0, len(unique), _GET_CHUNK):
            got = col.get(ids=unique[start : start + _GET_CHUNK], include=["metadatas"])
            found.update({i: _record(m) for i, m in zip(got["ids"], got["metadatas"] or [], strict=True)})
        return found

    def _fetch_deleted(self, namespace: str, insight_id: str) -> StoredInsight | None:
        col = self._gone(namespace)
        if col is None:
            return None
        got = col.get(ids=[insight_id], include=["metadatas"])
        return _record(got["metadatas"][0]) if got["ids"] and got["metadatas"] else None

    def _scan(self, namespace: str, scale: Scale | None, key: str | None) -> list[Insight]:
        col = self._live(namespace)
        if col is None:
            return []
        got = col.get(where=_where(scale, key), include=["metadatas"])  # type: ignore[arg-type]
        return [Insight.model_validate_json(m["insight"]) for m in got["metadatas"] or []]

    def _keys(self, namespace: str, scale: Scale) -> set[str]:
        col = self._live(namespace)
        if col is None:
            return set()
        got = col.get(where={"scale": scale.value}, include=["metadatas"])
        return {m["key"] for m in got["metadatas"] or [] if m.get("key")}

    def _nearest(
        self, namespace: str, vector: np.ndarray, k: int, scale: Scale | None, key: str | None
    ) -> list[tuple[Insight, float]]:
        """Unfiltered: the HNSW index. One key (a single list, small in MSI): exact cosine over that list,
        much faster than Chroma's filtered query. Scale only (a large share of the store): over-fetch
        from the index and post-filter, then fall back to Chroma's filtered query if too few matched."""
        col = self._live(namespace)
        if col is None:
            return []
        if key is not None:
            got = col.get(where=_where(scale, key), include=["metadatas", "embeddings"])  # type: ignore[arg-type]
            if not got["ids"]:
                return []
            sims = np.asarray(got["embeddings"], dtype=np.float32) @ vector
            order = np.argsort(-sims, kind="stable")[:k]
            metas = got["metadatas"] or []
            return [(Insight.model_validate_json(metas[j]["insight"]), float(sims[j])) for j in order]
        if scale is None:
            return self._query(col, vector, k, None)
        total = col.count()
        fetch = min(total, max(8 * k, 50))
        hits = [pair for pair in self._query(col, vector, fetch, None) if pair[0].scale is scale][:k]
        if len(hits) < k and fetch < total:
            hits = self._query(col, vector, k, _where(scale, None))
        return hits

    @staticmethod
    def _query(
        col: Collection, vector: np.ndarray, k: int, where: dict[str, Any] | None
    ) -> list[tuple[Insight, float]]:
        if k <= 0:
            return []
        got = col.query(query_embeddings=[vector], n_results=k, where=where, include=["metadatas", "distances"])  # type: ignore[arg-type]
        metas = (got["metadatas"] or [[]])[0]
        dists = (got["distances"] or [[]])[0]
        return [(Insight.model_validate_json(m["insight"]), 1.0 - float(d)) for m, d in zip(metas, dists, strict=True)]

    def _write(self, batch: Batch, vectors: np.ndarray) -> None:
        if self._c.lock is not None:
            self._c.seen_generation = self._c.lock.bump()
        _crash_point("planned")
        limit = self._c.client.get_max_batch_size()
        if not batch.deletes and len(batch.upserts) <= limit:
            self._apply(batch, vectors)  # one upsert call: atomic by itself
            return
        journal = self._journal()
        journal.add(ids=[batch.id], embeddings=[_PLACEHOLDER], documents=[batch.model_dump_json()])
        _crash_point("journaled")
        self._apply(batch, vectors)
        journal.delete(ids=[batch.id])

    def _apply(self, batch: Batch, vectors: np.ndarray) -> None:
        """Write the batch's end state; idempotent, so a journaled batch can be replayed."""
        limit = self._c.client.get_max_batch_size()
        if batch.upserts:
            live = self._live(batch.namespace, create=True)
            assert live is not None
            for start in range(0, len(batch.upserts), limit):
                chunk = batch.upserts[start : start + limit]
                live.upsert(
                    ids=[r.insight.id for r in chunk],
                    embeddings=vectors[start : start + limit],
                    documents=[r.insight.text for r in chunk],
                    metadatas=[_metadata(r) for r in chunk],
                )
                _crash_point("half-applied")
        if batch.deletes:
            gone = self._gone(batch.namespace, create=True)
            assert gone is not None
            gone.upsert(
                ids=[r.insight.id for r in batch.deletes],
                embeddings=[_PLACEHOLDER] * len(batch.deletes),
                documents=[r.insight.text for r in batch.deletes],
                metadatas=[_metadata(r) for r in batch.deletes],
            )
            _crash_point("half-applied")
            live = self._live(batch.namespace)
            if live is not None:
                live.delete(ids=[r.insight.id for r in batch.deletes])

    def _namespaces(self) -> list[str]:
        names = [c.name for c in self._c.client.list_collections()]
        return [n.removeprefix(LIVE) for n in names if n.startswith(LIVE)]

    def close(self) -> None:
        if self._conn is not None:
            self._conn.release()
            self._conn = None
