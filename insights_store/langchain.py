"""Adapter over any LangChain ``VectorStore`` (spec ``langchain:module:factory``).

A generic ``VectorStore`` cannot list documents, keep history, apply several writes atomically or filter
portably (each store has its own filter syntax). So the adapter keeps the records (insight, history,
vector) in a SQLite file beside the workspace — transactions give atomic batches and safe multi-process
use — and uses the vector store as the similarity index. What it cannot honour:

- filtered search is over-fetch + post-filter (k x 4 candidates, doubled until enough match or the index
  is exhausted), so a very selective filter can cost several index queries;
- ranking comes from the vector store (approximate for ANN stores); similarities are recomputed exactly
  from the stored vectors so they mean the same as on other backends;
- the vector store is written after the SQLite commit; a crash in between leaves a pending index sync in
  SQLite that the next open replays (upserts by id, deletes by id), so the index converges but may lag
  for readers in the meantime; an ephemeral vector store (e.g. ``InMemoryVectorStore``) is rebuilt from
  SQLite at open.

The factory is called as ``factory(embeddings)`` and must return a ``VectorStore`` that uses them and
implements ``similarity_search_by_vector``, ``add_documents(ids=...)``, ``delete(ids=...)`` and, so that an
empty (ephemeral) index can be detected and rebuilt, ``get_by_ids``.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import numpy as np
from langchain_core.documents import Document
from langchain_core.embeddings import Embeddings
from langchain_core.vectorstores import VectorStore

from insights_store.base import SchemaVersionError, StoreError
from insights_store.batch import Batch, StoredInsight
from insights_store.core import BaseInsightStore
from msi_agent.records import HistoryEntry, Insight, Scale
from msi_agent.registry import load_attr

LAYOUT_VERSION = 1
_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS live (
  ns TEXT NOT NULL, id TEXT NOT NULL, scale TEXT NOT NULL, key TEXT, score REAL NOT NULL,
  insight TEXT NOT NULL, history TEXT NOT NULL, vector BLOB NOT NULL, PRIMARY KEY (ns, id));
CREATE INDEX IF NOT EXISTS live_scale_key ON live (ns, scale, key);
CREATE TABLE IF NOT EXISTS gone (ns TEXT NOT NULL, id TEXT NOT NULL, insight TEXT NOT NULL, history TEXT NOT NULL,
  PRIMARY KEY (ns, id));
CREATE TABLE IF NOT EXISTS pending_index (batch TEXT PRIMARY KEY, ns TEXT NOT NULL, upserts TEXT NOT NULL,
  deletes TEXT NOT NULL);
"""


def _doc_id(namespace: str, insight_id: str) -> str:
    return f"{namespace}/{insight_id}"


def _stored(insight_json: str, history_json: str) -> StoredInsight:
    return StoredInsight(
        insight=Insight.model_validate_json(insight_json),
        history=[HistoryEntry.model_validate(h) for h in json.loads(history_json)],
    )


class LangChainStore(BaseInsightStore):
    """Records in SQLite at ``path``, similarity through ``vector_store``; see the module docstring."""

    def __init__(self, vector_store: VectorStore, *, path: Path, embeddings: Embeddings) -> None:
        super().__init__(embeddings)
        if not isinstance(vector_store, VectorStore):
            raise StoreError(f"expected a LangChain VectorStore, got {type(vector_store).__name__}")
        self._index = vector_store
        path.parent.mkdir(parents=True, exist_ok=True)
        self._path = path
        self._db: sqlite3.Connection | None = sqlite3.connect(
            path, isolation_level=None, check_same_thread=False, timeout=60
        )
        self._db.execute("PRAGMA journal_mode=WAL")
        self._lock = threading.RLock()
        self._depth = 0
        try:
            self._setup()
        except BaseException:
            self.close()
            raise

    @classmethod
    def from_factory(cls, target: str, *, workspace: Path, embeddings: Embeddings) -> LangChainStore:
        try:
            factory = load_attr(target)
        except (ImportError, ValueError) as exc:
            raise StoreError(f"cannot load VectorStore factory {target!r}: {exc}") from None
        slug = target.replace(":", ".")
        return cls(
            factory(embeddings), path=workspace / "stores" / "langchain" / f"{slug}.sqlite3", embeddings=embeddings
        )

    @property
    def _conn(self) -> sqlite3.Connection:
        if self._db is None:
            raise StoreError("this store is closed; open it again with open_store()")
        return self._db

    def _setup(self) -> None:
        db = self._conn
        with self._lock:
            db.execute("BEGIN IMMEDIATE")
            try:
                for statement in filter(str.strip, _SCHEMA.split(";")):
                    db.execute(statement)
                meta = dict(db.execute("SELECT name, value FROM meta").fetchall())
                if not meta:
                    db.executemany(
                        "INSERT INTO meta VALUES (?, ?)",
                        [("layout", str(LAYOUT_VERSION)), ("embedder", self._embedder_id)],
                    )
                db.execute("COMMIT")
            except BaseException:
                db.execute("ROLLBACK")
                raise
        if meta and meta.get("layout") != str(LAYOUT_VERSION):
            raise SchemaVersionError(
                f"{self._path} has layout version {meta.get('layout')}; this msi-agent reads {LAYOUT_VERSION}. "
                "Export each namespace with the version that wrote it (export_jsonl) and import into a new store."
            )
        if meta and meta.get("embedder") != self._embedder_id:
            raise StoreError(
                f"{self._path} was embedded with {meta.get('embedder')!r}, not {self._embedder_id!r}; open it with "
                "that embedder, or export and import into a new store to re-embed"
            )
        self._sync_pending()
        self._rebuild_if_empty()

    # -- locks and index sync ------------------------------------------------------------------------
    @contextmanager
    def _reading(self) -> Iterator[None]:
        with self._lock:
            yield

    @contextmanager
    def _writing(self) -> Iterator[None]:
        with self._lock:
            outer = self._depth == 0
            if outer:
                self._conn.execute("BEGIN IMMEDIATE")
            self._depth += 1
            try:
                yield
            except BaseException:
                if outer:
                    self._conn.execute("ROLLBACK")
                raise
            finally:
                self._depth -= 1
            if outer:
                self._conn.execute("COMMIT")
                self._sync_pending()

    def _sync_pending(self) -> None:
        """Apply committed but not yet indexed batches to the vector store (idempotent)."""
        db = self._conn
        for batch_id, ns, upserts, deletes in db.execute("SELECT * FROM pending_index ORDER BY rowid").fetchall():
            ids = json.loads(upserts)
            docs = self._fetch(ns, ids)
            live = [i for i in ids if i in docs]
            if live:
                self._index.add_documents(
                    [
                        Document(page_content=docs[i].insight.text, metadata={"namespace": ns, "insight_id": i})
                        for i in live
                    ],
                    ids=[_doc_id(ns, i) for i in live],
                )
            dead = [_doc_id(ns, i) for i in json.loads(deletes)]
            if dead:
                self._index.delete(ids=dead)
            db.execute("DELETE FROM pending_index WHERE batch = ?", (batch_id,))

    def _rebuild_if_empty(self) -> None:
        row = self._conn.execute("SELECT ns, id FROM live LIMIT 1").fetchone()
        if row is None:
            return
        try:
            present = bool(self._index.get_by_ids([_doc_id(*row)]))
        except NotImplementedError:
            return  # cannot tell; trust the pending-sync journal
        if present:
            return
        with self._writing():
            rows = self._conn.execute("SELECT ns, id FROM live").fetchall()
            by_ns: dict[str, list[str]] = {}
            for ns, iid in rows:
                by_ns.setdefault(ns, []).append(iid)
            for ns, ids in by_ns.items():
                self._mark(f"rebuild-{ns}", ns, ids, [])

    def _mark(self, batch_id: str, namespace: str, upserts: list[str], deletes: list[str]) -> None:
        self._conn.execute(
            "INSERT OR REPLACE INTO pending_index VALUES (?, ?, ?, ?)",
            (batch_id, namespace, json.dumps(upserts), json.dumps(deletes)),
        )

    # -- primitives ----------------------------------------------------------------------------------
    def _fetch(self, namespace: str, ids: Sequence[str]) -> dict[str, StoredInsight]:
        found: dict[str, StoredInsight] = {}
        unique = list(dict.fromkeys(ids))
        for start in range(0, len(unique), 500):
            chunk = unique[start : start + 500]
            marks = ",".join("?" * len(chunk))
            rows = self._conn.execute(
                f"SELECT id, insight, history FROM live WHERE ns = ? AND id IN ({marks})", (namespace, *chunk)
            )
            found.update({iid: _stored(ins, hist) for iid, ins, hist in rows})
        return found

    def _fetch_deleted(self, namespace: str, insight_id: str) -> StoredInsight | None:
        row = self._conn.execute(
            "SELECT insight, history FROM gone WHERE ns = ? AND id = ?", (namespace, insight_id)
        ).fetchone()
        return _stored(*row) if row else None

    def _filter_sql(self, scale: Scale | None, key: str | None) -> tuple[str, list[str]]:
        sql, args = "ns = ?", []
        if scale is not None:
            sql += " AND scale = ?"
            args.append(scale.value)
        if key is not None:
            sql += " AND key = ?"
            args.append(key)
        return sql, args

    def _scan(self, namespace: str, scale: Scale | None, key: str | None) -> list[Insight]:
        sql, args = self._filter_sql(scale, key)
        rows = self._conn.execute(f"SELECT insight FROM live WHERE {sql}", (namespace, *args))
        return [Insight.model_validate_json(r[0]) for r in rows]

    def _nearest(
        self, namespace: str, vector: np.ndarray, k: int, scale: Scale | None, key: str | None
    ) -> list[tuple[Insight, float]]:
        sql, args = self._filter_sql(scale, key)
        wanted = {r[0] for r in self._conn.execute(f"SELECT id FROM live WHERE {sql}", (namespace, *args))}
        if not wanted:
            return []
        total = self._conn.execute("SELECT count(*) FROM live").fetchone()[0]
        fetch = max(4 * k, 20)
        while True:
            docs = self._index.similarity_search_by_vector(vector.tolist(), k=fetch)
            ids = [d.metadata.get("insight_id") for d in docs if d.metadata.get("namespace") == namespace]
            hits = [i for i in dict.fromkeys(ids) if i in wanted]
            if len(hits) >= k or len(docs) < fetch or fetch >= total:
                break
            fetch *= 2
        rows = (
            self._conn.execute(
                f"SELECT id, insight, vector FROM live WHERE ns = ? AND id IN ({','.join('?' * len(hits))})",
                (namespace, *hits),
            ).fetchall()
            if hits
            else []
        )
        scored = [
            (Insight.model_validate_json(ins), float(np.frombuffer(vec, dtype=np.float32) @ vector))
            for _, ins, vec in rows
        ]
        scored.sort(key=lambda pair: -pair[1])
        return scored[:k]

    def _write(self, batch: Batch, vectors: np.ndarray) -> None:
        db = self._conn
        db.executemany(
            "INSERT OR REPLACE INTO live VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    batch.namespace,
                    r.insight.id,
                    r.insight.scale.value,
                    r.insight.key,
                    r.insight.score,
                    r.insight.model_dump_json(),
                    json.dumps([h.model_dump(mode="json") for h in r.history]),
                    np.asarray(vec, dtype=np.float32).tobytes(),
                )
                for r, vec in zip(batch.upserts, vectors, strict=True)
            ],
        )
        gone = [
            (
                batch.namespace,
                r.insight.id,
                r.insight.model_dump_json(),
                json.dumps([h.model_dump(mode="json") for h in r.history]),
            )
            for r in batch.deletes
        ]
        db.executemany("INSERT OR REPLACE INTO gone VALUES (?, ?, ?, ?)", gone)
        db.executemany("DELETE FROM live WHERE ns = ? AND id = ?", [(g[0], g[1]) for g in gone])
        self._mark(batch.id, batch.namespace, [r.insight.id for r in batch.upserts], [g[1] for g in gone])

    def _namespaces(self) -> list[str]:
        return [r[0] for r in self._conn.execute("SELECT DISTINCT ns FROM live UNION SELECT DISTINCT ns FROM gone")]

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None
