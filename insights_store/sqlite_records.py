"""The source of truth of every store: insights, their history and vectors in one SQLite database.

Tables (layout ``LAYOUT_VERSION``):
- ``meta``: layout, embedder id, store id, and ``generation`` — bumped by every committed batch;
- ``live``: one row per live insight; ``gen`` is the generation that last wrote it, ``igen`` the one that last
  changed what the vector index holds (its text: a re-written row with the same text keeps its ``igen``) and
  ``born`` the one that inserted it;
- ``gone``: deleted insights with their history, ``gen`` the generation that deleted them.

Rows with ``igen`` > G and ``gone`` rows with ``gen`` > G are exactly what an index that reflects generation
G must apply to catch up: that is the op journal, kept as state rather than as a log that grows.

One batch is one SQLite transaction (``BEGIN IMMEDIATE``): all or nothing under kill -9, writers serialised
across processes, readers see a consistent snapshot (WAL mode).
"""

from __future__ import annotations

import json
import sqlite3
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from importlib.metadata import version
from pathlib import Path
from typing import NamedTuple

import numpy as np

from insights_store.base import SchemaVersionError, StoreError
from insights_store.batch import Batch, StoredInsight
from msi_agent.records import HistoryEntry, Insight, Scale

LAYOUT_VERSION = 2
_CHUNK = 500  # ids per IN (...) query, below SQLite's variable limit
_REBUILD_MIN = 256  # below this much index work a refill is never worth counting the namespace
_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS live (
  ns TEXT NOT NULL, id TEXT NOT NULL, scale TEXT NOT NULL, key TEXT, score REAL NOT NULL, text TEXT NOT NULL,
  insight TEXT NOT NULL, history TEXT NOT NULL, vector BLOB NOT NULL, gen INTEGER NOT NULL, igen INTEGER NOT NULL,
  born INTEGER NOT NULL, PRIMARY KEY (ns, id));
CREATE INDEX IF NOT EXISTS live_slot ON live (ns, scale, key);
CREATE INDEX IF NOT EXISTS live_igen ON live (igen);
CREATE INDEX IF NOT EXISTS live_gen ON live (gen);
CREATE TABLE IF NOT EXISTS gone (ns TEXT NOT NULL, id TEXT NOT NULL, insight TEXT NOT NULL, history TEXT NOT NULL,
  gen INTEGER NOT NULL, PRIMARY KEY (ns, id));
CREATE INDEX IF NOT EXISTS gone_gen ON gone (gen);
"""
# layout 1 was the LangChain adapter's file: the same tables without text/gen/igen, plus a pending-sync table
_FROM_LAYOUT_1 = """
ALTER TABLE live ADD COLUMN text TEXT NOT NULL DEFAULT '';
ALTER TABLE live ADD COLUMN gen INTEGER NOT NULL DEFAULT 1;
ALTER TABLE live ADD COLUMN igen INTEGER NOT NULL DEFAULT 1;
ALTER TABLE live ADD COLUMN born INTEGER NOT NULL DEFAULT 1;
UPDATE live SET text = json_extract(insight, '$.text');
ALTER TABLE gone ADD COLUMN gen INTEGER NOT NULL DEFAULT 1;
DROP TABLE IF EXISTS pending_index;
"""


def _run(db: sqlite3.Connection, script: str) -> None:
    """Statement by statement: ``executescript`` would commit the open transaction first."""
    for statement in filter(str.strip, script.split(";")):
        db.execute(statement)


def _history_json(rec: StoredInsight) -> str:
    return json.dumps([h.model_dump(mode="json") for h in rec.history])


def _stored(insight_json: str, history_json: str) -> StoredInsight:
    return StoredInsight(
        insight=Insight.model_validate_json(insight_json),
        history=[HistoryEntry.model_validate(h) for h in json.loads(history_json)],
    )


def _filter(scale: Scale | None, key: str | None) -> tuple[str, list[str]]:
    sql, args = "ns = ?", []
    if scale is not None:
        sql += " AND scale = ?"
        args.append(scale.value)
    if key is not None:
        sql += " AND key = ?"
        args.append(key)
    return sql, args


class IndexRow(NamedTuple):
    """What an index may keep of a live record: the vector and text, and (to replicate it) its JSON."""

    id: str
    text: str
    vector: np.ndarray
    insight: str
    history: str


@dataclass(slots=True)
class IndexChanges:
    """What an index at some generation must apply to reach ``generation``, per namespace."""

    generation: int
    upserts: dict[str, list[IndexRow]] = field(default_factory=dict)  # per namespace
    deletes: dict[str, list[str]] = field(default_factory=dict)  # ns → ids
    rebuild: set[str] = field(default_factory=set)  # namespaces to drop and refill: upserts then hold all their rows

    @property
    def empty(self) -> bool:
        return not self.upserts and not self.deletes


class Records:
    """One SQLite connection (``path`` None: in memory) shared by the threads of one store object."""

    def __init__(self, path: Path | None, embedder: str, *, where: str) -> None:
        self.where = where
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
        target = ":memory:" if path is None else str(path)
        self._db: sqlite3.Connection | None = sqlite3.connect(
            target, isolation_level=None, check_same_thread=False, timeout=120
        )
        self._in_transaction = False
        try:
            if path is not None:
                self._conn.execute("PRAGMA journal_mode=WAL")
                # NORMAL in WAL mode: a killed process loses nothing; a power cut at most the last commits
                self._conn.execute("PRAGMA synchronous=NORMAL")
            self.store_id = self._setup(embedder)
        except BaseException:
            self.close()
            raise

    @property
    def _conn(self) -> sqlite3.Connection:
        if self._db is None:
            raise StoreError("this store is closed; open it again with open_store()")
        return self._db

    # -- layout ----------------------------------------------------------------------------------------
    def _setup(self, embedder: str) -> str:
        with self.transaction():
            db = self._conn
            tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            meta = dict(db.execute("SELECT name, value FROM meta").fetchall()) if "meta" in tables else {}
            layout = int(meta.get("layout", LAYOUT_VERSION))
            if layout > LAYOUT_VERSION:
                raise SchemaVersionError(
                    f"the insight store at {self.where} has layout version {layout} (written by "
                    f"{meta.get('writer', 'a newer msi-agent')}); this msi-agent reads up to {LAYOUT_VERSION}. "
                    "Upgrade msi-agent, or export each namespace with the newer version and import it here."
                )
            if layout == 1:
                _run(db, _FROM_LAYOUT_1)
            _run(db, _SCHEMA)
            if meta.get("embedder", embedder) != embedder:
                raise StoreError(
                    f"the insight store at {self.where} was embedded with {meta['embedder']!r}, not {embedder!r}; "
                    "open it with that embedder, or export the namespaces and import them into a new store "
                    "to re-embed"
                )
            values = {
                "layout": str(LAYOUT_VERSION),
                "writer": f"msi-agent {version('msi-agent')}",
                "embedder": embedder,
                "store_id": meta.get("store_id") or uuid.uuid4().hex[:12],
                "generation": meta.get("generation") or ("1" if meta else "0"),  # layout-1 rows carry igen 1
            }
            db.executemany("INSERT OR REPLACE INTO meta VALUES (?, ?)", list(values.items()))
            return values["store_id"]

    def set_meta(self, name: str, value: str) -> None:
        self._conn.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (name, value))

    def meta(self, name: str) -> str | None:
        row = self._conn.execute("SELECT value FROM meta WHERE name = ?", (name,)).fetchone()
        return row[0] if row else None

    def generation(self) -> int:
        return int(self.meta("generation") or 0)

    # -- transactions ----------------------------------------------------------------------------------
    @contextmanager
    def transaction(self, write: bool = True) -> Iterator[None]:
        """A write (``BEGIN IMMEDIATE``: excludes other writers) or read (snapshot) transaction; nests."""
        if self._in_transaction:
            yield
            return
        self._conn.execute("BEGIN IMMEDIATE" if write else "BEGIN")
        self._in_transaction = True
        try:
            yield
        except BaseException:
            self._in_transaction = False
            self._conn.execute("ROLLBACK")
            raise
        self._in_transaction = False
        if write:
            self.commit()
        else:
            self._conn.execute("COMMIT")

    @property
    def in_transaction(self) -> bool:
        return self._in_transaction

    def commit(self) -> None:
        """End a write transaction: from here on its batch survives any crash."""
        self._conn.execute("COMMIT")

    # -- reading ---------------------------------------------------------------------------------------
    def fetch(self, namespace: str, ids: Sequence[str]) -> dict[str, StoredInsight]:
        found: dict[str, StoredInsight] = {}
        unique = list(dict.fromkeys(ids))
        for start in range(0, len(unique), _CHUNK):
            chunk = unique[start : start + _CHUNK]
            rows = self._conn.execute(
                f"SELECT id, insight, history FROM live WHERE ns = ? AND id IN ({','.join('?' * len(chunk))})",
                (namespace, *chunk),
            )
            found.update({iid: _stored(ins, hist) for iid, ins, hist in rows})
        return found

    def fetch_deleted(self, namespace: str, insight_id: str) -> StoredInsight | None:
        row = self._conn.execute(
            "SELECT insight, history FROM gone WHERE ns = ? AND id = ?", (namespace, insight_id)
        ).fetchone()
        return _stored(*row) if row else None

    def scan(self, namespace: str, scale: Scale | None, key: str | None) -> list[Insight]:
        sql, args = _filter(scale, key)
        rows = self._conn.execute(f"SELECT insight FROM live WHERE {sql}", (namespace, *args))
        return [Insight.model_validate_json(r[0]) for r in rows]

    def keys(self, namespace: str, scale: Scale) -> set[str]:
        rows = self._conn.execute(
            "SELECT DISTINCT key FROM live WHERE ns = ? AND scale = ? AND key IS NOT NULL", (namespace, scale.value)
        )
        return {r[0] for r in rows}

    def vectors(
        self, namespace: str, scale: Scale | None, key: str | None, ids: Sequence[str] | None = None
    ) -> tuple[list[str], list[str], np.ndarray]:
        """(ids, insight JSON, vectors) of live rows matching the filter, optionally among ``ids``."""
        sql, args = _filter(scale, key)
        if ids is None:
            rows = self._conn.execute(
                f"SELECT id, insight, vector FROM live WHERE {sql}", (namespace, *args)
            ).fetchall()
        else:
            rows = []
            unique = list(dict.fromkeys(ids))
            for start in range(0, len(unique), _CHUNK):
                chunk = unique[start : start + _CHUNK]
                rows += self._conn.execute(
                    f"SELECT id, insight, vector FROM live WHERE {sql} AND id IN ({','.join('?' * len(chunk))})",
                    (namespace, *args, *chunk),
                ).fetchall()
        if not rows:
            return [], [], np.zeros((0, 0), dtype=np.float32)
        matrix = np.stack([np.frombuffer(r[2], dtype=np.float32) for r in rows])
        return [r[0] for r in rows], [r[1] for r in rows], matrix

    def known_vectors(self, namespace: str, records: Sequence[Insight]) -> dict[str, np.ndarray]:
        """Stored vectors of those records whose stored text is unchanged: text → vector (no re-embedding)."""
        wanted = {r.id: r.text for r in records}
        out: dict[str, np.ndarray] = {}
        ids = list(wanted)
        for start in range(0, len(ids), _CHUNK):
            chunk = ids[start : start + _CHUNK]
            rows = self._conn.execute(
                f"SELECT id, text, vector FROM live WHERE ns = ? AND id IN ({','.join('?' * len(chunk))})",
                (namespace, *chunk),
            )
            out.update({text: np.frombuffer(vec, dtype=np.float32) for iid, text, vec in rows if wanted[iid] == text})
        return out

    def _size(self, namespace: str) -> int:
        return int(self._conn.execute("SELECT count(*) FROM live WHERE ns = ?", (namespace,)).fetchone()[0])

    def count(self) -> int:
        return int(self._conn.execute("SELECT count(*) FROM live").fetchone()[0])

    def size(self, namespace: str, scale: Scale | None) -> int:
        """Live rows of ``namespace`` (of one scale), counted through the (ns, scale, key) index."""
        sql, args = _filter(scale, None)
        return int(self._conn.execute(f"SELECT count(*) FROM live WHERE {sql}", (namespace, *args)).fetchone()[0])

    def sample(self) -> tuple[str, str] | None:
        """One live (namespace, id), to probe whether an index holds anything."""
        row = self._conn.execute("SELECT ns, id FROM live ORDER BY ns, id LIMIT 1").fetchone()
        return (row[0], row[1]) if row else None

    def namespaces(self) -> list[str]:
        return [r[0] for r in self._conn.execute("SELECT DISTINCT ns FROM live UNION SELECT DISTINCT ns FROM gone")]

    def changes_since(
        self, seen: int, rebuild: Callable[[int, int, int], bool] | None = None, *, every_write: bool = False
    ) -> IndexChanges:
        """Everything an index reflecting generation ``seen`` lacks (read in one snapshot): records whose text
        changed, or with ``every_write`` (an index that replicates the records) every record written.

        ``rebuild(size, new, changed)`` says, per namespace with changes, whether dropping and refilling its index
        is cheaper than upserting ``new`` records and re-writing ``changed`` ones in place.
        """
        moved = "gen" if every_write else "igen"
        with self.transaction(write=False):
            changes = IndexChanges(self.generation())
            if rebuild is not None:  # counted through the (igen) / (gen) index: O(changed rows), not O(store)
                counts = self._conn.execute(
                    f"SELECT ns, sum(born > ?), sum(born <= ?) FROM live WHERE {moved} > ? GROUP BY ns",
                    (seen, seen, seen),
                ).fetchall()
                changes.rebuild = {
                    ns for ns, new, old in counts if new + 8 * old >= _REBUILD_MIN and rebuild(self._size(ns), new, old)
                }
            columns = "ns, id, text, vector, insight, history"
            rows = self._conn.execute(f"SELECT {columns} FROM live WHERE {moved} > ?", (seen,)).fetchall()
            for ns in changes.rebuild:
                rows += self._conn.execute(
                    f"SELECT {columns} FROM live WHERE ns = ? AND {moved} <= ?", (ns, seen)
                ).fetchall()
            for ns, iid, text, vec, insight, history in rows:
                row = IndexRow(iid, text, np.frombuffer(vec, dtype=np.float32), insight, history)
                changes.upserts.setdefault(ns, []).append(row)
            for ns, iid in self._conn.execute("SELECT ns, id FROM gone WHERE gen > ?", (seen,)):
                changes.deletes.setdefault(ns, []).append(iid)
        return changes

    # -- writing (inside a write transaction) ------------------------------------------------------------
    def write(self, batch: Batch, vectors: np.ndarray) -> None:
        """Apply ``batch`` (end states) and bump the generation; ``vectors[i]`` embeds upsert i's text."""
        generation = self.generation() + 1
        self._upsert_live(batch, vectors, generation)
        self._move_to_gone(batch, generation)
        self.set_meta("generation", str(generation))

    def _upsert_live(self, batch: Batch, vectors: np.ndarray, generation: int, indexed: int | None = None) -> None:
        """``indexed``: ``gen``/``igen``/``born`` of new rows (default: this generation, i.e. the index lacks them)."""
        indexed = generation if indexed is None else indexed
        rows = [
            (
                batch.namespace,
                r.insight.id,
                r.insight.scale.value,
                r.insight.key,
                r.insight.score,
                r.insight.text,
                r.insight.model_dump_json(),
                _history_json(r),
                np.asarray(vec, dtype=np.float32).tobytes(),
                indexed,
                indexed,
                indexed,
            )
            for r, vec in zip(batch.upserts, vectors, strict=True)
        ]
        self._conn.executemany(
            "INSERT INTO live (ns, id, scale, key, score, text, insight, history, vector, gen, igen, born) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (ns, id) DO UPDATE SET "
            "scale = excluded.scale, key = excluded.key, score = excluded.score, insight = excluded.insight, "
            "history = excluded.history, gen = excluded.gen, "
            "igen = CASE WHEN live.text = excluded.text THEN live.igen ELSE excluded.igen END, "
            "vector = CASE WHEN live.text = excluded.text THEN live.vector ELSE excluded.vector END, "
            "text = excluded.text",
            rows,
        )
        # an id brought back (re-import of a deleted insight) is live again, not deleted
        self._conn.executemany("DELETE FROM gone WHERE ns = ? AND id = ?", [(r[0], r[1]) for r in rows])

    def replace_namespace(self, namespace: str, records: Sequence[StoredInsight], vectors: np.ndarray) -> None:
        """Make ``records`` the live set of ``namespace`` (a copy of another workspace's, which the shared index
        already holds: ``igen`` 0, so it is never pushed back); deleted insights are kept."""
        generation = self.generation() + 1
        self._conn.execute("DELETE FROM live WHERE ns = ?", (namespace,))
        self._upsert_live(Batch(namespace=namespace, upserts=list(records)), vectors, generation, indexed=0)
        self.set_meta("generation", str(generation))

    def _move_to_gone(self, batch: Batch, generation: int) -> None:
        gone = [
            (batch.namespace, r.insight.id, r.insight.model_dump_json(), _history_json(r), generation)
            for r in batch.deletes
        ]
        self._conn.executemany(
            "INSERT OR REPLACE INTO gone (ns, id, insight, history, gen) VALUES (?, ?, ?, ?, ?)", gone
        )
        self._conn.executemany("DELETE FROM live WHERE ns = ? AND id = ?", [(g[0], g[1]) for g in gone])

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None
