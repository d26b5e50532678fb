"""Chroma backend: records in SQLite (``insights.sqlite3``), the vector index in Chroma, derived from them.

- embedded (``chroma``, the default): Chroma's files and ``insights.sqlite3`` share ``<workspace>/stores/chroma``;
- server (``chroma+http://h:p``): each workspace keeps its records in ``<workspace>/stores/chroma-server/<h>-<p>``;
  the server's index is shared by every workspace that uses it and also replicates the records: each entry
  carries its insight and history as JSON and each collection says which store wrote it last, at which
  generation. Before reading or writing, a workspace copies every namespace another one wrote since its last
  copy (``SQLiteStore._pull_replicas``), so a namespace distilled on one machine is evaluated on another.
  Keep one writer per namespace: two workspaces writing one namespace at once can each miss the other's writes.

Index layout: one collection per namespace, ``msi-index-<namespace>``, holding id, vector and text, with our
embedder registered (``chroma_ef``) so plain ``chromadb`` can query it by text. Chroma keeps its HNSW index in
memory per process, so embedded stores reload it when another process moved the index (``caches``). Stores
written before the SQLite design (collections ``msi-meta``/``msi-live-*``) are adopted on open (``chroma_layout1``).
"""

from __future__ import annotations

import contextlib
import json
import threading
from pathlib import Path
from typing import ClassVar

import chromadb
import numpy as np
from chromadb.api import ClientAPI
from chromadb.api.models.Collection import Collection
from chromadb.config import Settings
from chromadb.errors import NotFoundError
from langchain_core.embeddings import Embeddings

from insights_store.base import StoreError
from insights_store.batch import StoredInsight
from insights_store.chroma_ef import chroma_function
from insights_store.chroma_layout1 import adopt_layout_1
from insights_store.embeddings import embedder_id
from insights_store.sqlite_records import IndexChanges, Records
from insights_store.sqlite_store import SQLiteStore
from msi_agent.records import HistoryEntry, Insight

# Chroma rewrites its HNSW file every sync_threshold records (default 1000); at 100k insights that halves
# bulk-add speed. Chroma's own log stays the durable copy; reopening replays at most this many records.
HNSW_SYNC_THRESHOLD = 10_000
RECORDS = "insights.sqlite3"
_PAGE = 5000


def _settings() -> Settings:
    return Settings(anonymized_telemetry=False, allow_reset=False)


PREFIX = "msi-index-"


def collection_name(namespace: str) -> str:
    return PREFIX + namespace


class ChromaIndex:
    """The ``VectorIndex`` over one Chroma client; one per folder (or server and store) per process."""

    _open: ClassVar[dict[str, ChromaIndex]] = {}
    _registry_lock: ClassVar[threading.Lock] = threading.Lock()

    def __init__(
        self, ident: str, embeddings: Embeddings, store_id: str, folder: Path | None, host: str | None, port: int | None
    ) -> None:
        self.ident = ident
        self.store_id = store_id
        self.folder, self.host, self.port = folder, host, port
        self.embeddings = embeddings
        self.shared, self.caches, self.drops, self.replicates = True, folder is not None, True, folder is None
        self.seen = -1
        self.refs = 0
        self._function = chroma_function(embeddings)
        self._collections: dict[str, Collection] = {}
        self.client = self._connect()

    @classmethod
    def get(
        cls,
        store_id: str,
        embeddings: Embeddings,
        *,
        folder: Path | None = None,
        host: str | None = None,
        port: int | None = None,
    ) -> ChromaIndex:
        place = str(folder.resolve()) if folder is not None else f"http://{host}:{port}"
        ident = f"{place}#{store_id}"
        with cls._registry_lock:
            index = cls._open.get(ident)
            if index is None:
                index = cls._open[ident] = ChromaIndex(ident, embeddings, store_id, folder, host, port)
            index.refs += 1
            return index

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

    def _collection(self, namespace: str, create: bool) -> Collection | None:
        name = collection_name(namespace)
        if name in self._collections:
            return self._collections[name]
        try:
            col = self.client.get_collection(name, embedding_function=self._function)  # type: ignore[arg-type]
        except NotFoundError:
            if not create:
                return None
            col = self.client.get_or_create_collection(
                name,
                embedding_function=self._function,  # type: ignore[arg-type]
                metadata=self._metadata(0),
                configuration={"hnsw": {"space": "cosine", "sync_threshold": HNSW_SYNC_THRESHOLD}},
            )
        self._collections[name] = col
        return col

    def _metadata(self, generation: int) -> dict[str, str | int]:
        """Which embedder built the collection, and which store wrote it last at which generation (``versions``)."""
        return {"msi_embedder": embedder_id(self.embeddings), "msi_writer": self.store_id, "msi_generation": generation}

    # -- VectorIndex -------------------------------------------------------------------------------------
    def open(self, records: Records) -> None:
        where = str(self.folder) if self.folder is not None else f"http://{self.host}:{self.port}"
        adopt_layout_1(self.client, records, self.embeddings, where=where, drop=self.folder is not None)

    def holds(self, namespace: str, insight_id: str) -> bool | None:
        col = self._collection(namespace, create=False)
        return col is not None and bool(col.get(ids=[insight_id], include=[])["ids"])

    def apply(self, changes: IndexChanges) -> None:
        limit = self.client.get_max_batch_size()
        for namespace in changes.rebuild:
            self._drop(namespace)
        for namespace, rows in changes.upserts.items():
            col = self._collection(namespace, create=True)
            assert col is not None
            write = col.add if namespace in changes.rebuild else col.upsert  # add: ~25% faster into an empty one
            for start in range(0, len(rows), limit):
                chunk = rows[start : start + limit]
                write(
                    ids=[r.id for r in chunk],
                    embeddings=np.stack([r.vector for r in chunk]),
                    documents=[r.text for r in chunk],
                    metadatas=[{"insight": r.insight, "history": r.history} for r in chunk]
                    if self.replicates
                    else None,
                )
        for namespace, ids in changes.deletes.items():
            col = None if namespace in changes.rebuild else self._collection(namespace, create=False)
            for start in range(0, len(ids), limit) if col is not None else ():
                col.delete(ids=ids[start : start + limit])  # type: ignore[union-attr]
        for namespace in (changes.upserts.keys() | changes.deletes.keys() | changes.rebuild) if self.replicates else ():
            col = self._collection(namespace, create=False)
            if col is not None:
                col.modify(metadata=self._metadata(changes.generation))

    def versions(self) -> dict[str, str]:
        """Per namespace on the server, who wrote it last: ``"<store id>:<generation>"``."""
        ours = embedder_id(self.embeddings)
        out = {}
        for col in self.client.list_collections():
            meta = col.metadata or {}
            if col.name.startswith(PREFIX) and meta.get("msi_embedder") == ours:
                out[col.name.removeprefix(PREFIX)] = f"{meta.get('msi_writer')}:{meta.get('msi_generation')}"
        return out

    def pull(self, namespace: str) -> tuple[list[StoredInsight], np.ndarray]:
        """The records another workspace replicated into ``namespace``'s collection, with their vectors."""
        self._collections.pop(collection_name(namespace), None)
        col = self._collection(namespace, create=False)
        records: list[StoredInsight] = []
        vectors: list[np.ndarray] = []
        for offset in range(0, col.count() if col is not None else 0, _PAGE):
            got = col.get(include=["metadatas", "embeddings"], limit=_PAGE, offset=offset)  # type: ignore[union-attr]
            for meta, vec in zip(got["metadatas"] or [], got["embeddings"], strict=True):
                records.append(
                    StoredInsight(
                        insight=Insight.model_validate_json(meta["insight"]),
                        history=[HistoryEntry.model_validate(h) for h in json.loads(meta["history"])],
                    )
                )
                vectors.append(np.asarray(vec, dtype=np.float32))
        return records, np.stack(vectors) if vectors else np.zeros((0, 1), dtype=np.float32)

    def _drop(self, namespace: str) -> None:
        name = collection_name(namespace)
        self._collections.pop(name, None)
        with contextlib.suppress(NotFoundError):
            self.client.delete_collection(name)

    def nearest(self, namespace: str, vector: np.ndarray, n: int) -> tuple[list[str], bool]:
        col = self._collection(namespace, create=False)
        if col is None:
            return [], True
        got = col.query(query_embeddings=[vector], n_results=n, include=[])
        ids = got["ids"][0] if got["ids"] else []
        return ids, len(ids) < n

    def reset(self, namespaces: list[str]) -> None:
        for namespace in namespaces:
            self._drop(namespace)

    def reload(self) -> None:
        self._collections.clear()
        self.client.close()
        self.client = self._connect()

    def close(self) -> None:
        with self._registry_lock:
            self.refs -= 1
            if self.refs > 0:
                return
            self._open.pop(self.ident, None)
        self.client.close()


class ChromaStore(SQLiteStore):
    """Records at ``path/insights.sqlite3``; the index in Chroma at ``path`` (embedded) or on ``host:port``."""

    def __init__(self, embeddings: Embeddings, *, path: Path, host: str | None = None, port: int | None = None) -> None:
        where = str(path) if host is None else f"{path} (index on http://{host}:{port})"

        def index(store_id: str) -> ChromaIndex:
            if host is None:
                return ChromaIndex.get(store_id, embeddings, folder=path)
            return ChromaIndex.get(store_id, embeddings, host=host, port=port)

        super().__init__(embeddings, path=path / RECORDS, index=index, where=where)
