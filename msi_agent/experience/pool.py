"""The experience pool: every episode the agent (or the expert) played, durable in the workspace.

SQLite in WAL mode: a crash mid-write leaves either the old or the new row, several threads may write
through one pool, and another process can read while a run is going. Each episode is stored whole as
JSON (pydantic) next to the columns it is queried by, so a query never has to parse every row.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterable
from pathlib import Path
from types import TracebackType
from typing import Any

from pydantic import ValidationError

from msi_agent.records import Episode, Source, Split

POOL_FILE = "experience.sqlite"
POOL_SCHEMA = 1

_COLUMNS = """
    id TEXT PRIMARY KEY,
    task_id TEXT NOT NULL,
    family TEXT NOT NULL,
    environment TEXT NOT NULL,
    split TEXT NOT NULL,
    source TEXT NOT NULL,
    llm TEXT,
    run TEXT,
    success INTEGER NOT NULL,
    gc_satisfied INTEGER NOT NULL,
    gc_total INTEGER NOT NULL,
    instruction TEXT NOT NULL,
    failure_reason TEXT,
    prompt_tokens INTEGER NOT NULL,
    completion_tokens INTEGER NOT NULL,
    created TEXT NOT NULL,
    data TEXT NOT NULL
"""
_INDEXES = ("task_id", "family", "environment", "split", "source", "llm", "run", "success")


class PoolError(Exception):
    """The pool file is unusable (wrong schema, corrupt row); the message says what to do."""


class ExperiencePool:
    """Episodes with their full steps, queryable by outcome, task, environment category, split, source, LLM and run."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._db = sqlite3.connect(self.path, check_same_thread=False, timeout=30.0, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._init_schema()

    @classmethod
    def in_workspace(cls, workspace: Path) -> ExperiencePool:
        return cls(Path(workspace) / POOL_FILE)

    def _init_schema(self) -> None:
        version = self._db.execute("PRAGMA user_version").fetchone()[0]
        if version == 0:
            with self._lock:
                self._db.execute("BEGIN IMMEDIATE")
                self._db.execute(f"CREATE TABLE IF NOT EXISTS episodes ({_COLUMNS})")
                for col in _INDEXES:
                    self._db.execute(f"CREATE INDEX IF NOT EXISTS ix_{col} ON episodes({col})")
                self._db.execute(f"PRAGMA user_version={POOL_SCHEMA}")
                self._db.execute("COMMIT")
        elif version != POOL_SCHEMA:
            raise PoolError(
                f"experience pool {self.path} has schema {version}, this msi-agent reads schema {POOL_SCHEMA}; "
                "move the file away (or use another --workspace) and collect again"
            )

    def add(self, episode: Episode, *, run: str | None = None) -> None:
        """Insert or replace (by episode id): re-adding a finished episode never duplicates it."""
        self.add_many([episode], run=run)

    def add_many(self, episodes: Iterable[Episode], *, run: str | None = None) -> int:
        """Raises ValueError for an errored episode: an infrastructure failure is not experience to learn from."""
        episodes = list(episodes)
        if errored := [ep.id for ep in episodes if ep.error is not None]:
            raise ValueError(f"episodes {errored} errored ({episodes[0].error}); replay them, do not pool them")
        rows = [_row(ep, run) for ep in episodes]
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                self._db.executemany(f"INSERT OR REPLACE INTO episodes VALUES ({', '.join('?' * 17)})", rows)
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")
        return len(rows)

    def missing(self, ids: Iterable[str]) -> list[str]:
        """The given episode ids that have no row (in the given order)."""
        wanted = list(dict.fromkeys(ids))
        found: set[str] = set()
        with self._lock:
            for start in range(0, len(wanted), 500):
                chunk = wanted[start : start + 500]
                marks = ", ".join("?" * len(chunk))
                found |= {r[0] for r in self._db.execute(f"SELECT id FROM episodes WHERE id IN ({marks})", chunk)}
        return [i for i in wanted if i not in found]

    def delete(self, *, run: str) -> int:
        """Forget every episode a run wrote (``--fresh``); returns how many."""
        with self._lock:
            return self._db.execute("DELETE FROM episodes WHERE run = ?", [run]).rowcount

    def get(self, episode_id: str) -> Episode:
        rows = self._select("id = ?", [episode_id])
        if not rows:
            raise KeyError(f"no episode {episode_id!r} in {self.path}; list them with `ExperiencePool.query()`")
        return rows[0]

    def query(
        self,
        *,
        success: bool | None = None,
        family: str | None = None,
        environment: str | None = None,
        split: Split | str | None = None,
        source: Source | str | None = None,
        llm: str | None = None,
        run: str | None = None,
        task_id: str | None = None,
        instruction_contains: str | None = None,
        limit: int | None = None,
    ) -> list[Episode]:
        """Episodes matching every given filter, oldest first (ties by id, so the order is stable)."""
        where, args = _where(
            success=success,
            family=family,
            environment=environment,
            split=split,
            source=source,
            llm=llm,
            run=run,
            task_id=task_id,
        )
        if instruction_contains:
            where.append("instruction LIKE ? ESCAPE '\\'")
            escaped = instruction_contains.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            args.append(f"%{escaped}%")
        clause = " AND ".join(where) or "1"
        if limit is not None:
            clause += f" ORDER BY created, id LIMIT {int(limit)}"
        return self._select(clause, args)

    def count(self, **filters: Any) -> int:
        where, args = _where(**filters)
        with self._lock:
            return int(
                self._db.execute(f"SELECT COUNT(*) FROM episodes WHERE {' AND '.join(where) or '1'}", args).fetchone()[
                    0
                ]
            )

    def __len__(self) -> int:
        return self.count()

    def _select(self, clause: str, args: list[Any]) -> list[Episode]:
        if "ORDER BY" not in clause:
            clause += " ORDER BY created, id"
        with self._lock:
            rows = self._db.execute(f"SELECT id, data FROM episodes WHERE {clause}", args).fetchall()
        out = []
        for episode_id, data in rows:
            try:
                out.append(Episode.model_validate_json(data))
            except ValidationError as exc:
                raise PoolError(
                    f"episode {episode_id} in {self.path} does not parse ({exc.error_count()} errors); "
                    "it was written by another version — delete that row or the pool"
                ) from exc
        return out

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def __enter__(self) -> ExperiencePool:
        return self

    def __exit__(self, et: type[BaseException] | None, ev: BaseException | None, tb: TracebackType | None) -> None:
        self.close()


def _where(**filters: Any) -> tuple[list[str], list[Any]]:
    unknown = set(filters) - {"success", "family", "environment", "split", "source", "llm", "run", "task_id"}
    if unknown:
        raise TypeError(f"unknown pool filter(s) {sorted(unknown)}")
    where: list[str] = []
    args: list[Any] = []
    for name, value in filters.items():
        if value is None:
            continue
        where.append(f"{name} = ?")
        args.append(int(value) if name == "success" else str(value))
    return where, args


def _row(ep: Episode, run: str | None) -> tuple[Any, ...]:
    return (
        ep.id,
        ep.task.id,
        ep.task.family,
        ep.task.environment,
        ep.task.split.value,
        ep.source.value,
        ep.llm,
        run,
        int(ep.success),
        ep.gc_satisfied,
        ep.gc_total,
        ep.task.instruction,
        ep.failure_reason,
        ep.usage.prompt_tokens,
        ep.usage.completion_tokens,
        ep.created.isoformat(),
        ep.model_dump_json(),
    )
