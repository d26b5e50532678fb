"""A persistent LLM response cache in one SQLite file, safe for several threads and processes at once.

Reruns at temperature 0 are then reproducible and free. WAL journaling lets readers proceed while one writer
commits; each thread (and each forked process) gets its own connection; writers wait up to ``busy_timeout``
for the lock instead of failing. First write wins (``INSERT OR IGNORE``), so every reader sees one answer per key.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import sqlite3
import threading
import time
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict

from msi_agent.llm.errors import LLMConfigError

CACHE_FILE = "llm-cache.sqlite"
log = logging.getLogger(__name__)


class CachedResponse(BaseModel):
    """What a hit gives back: the original text, its token counts and the id of the call that produced it."""

    model_config = ConfigDict(extra="forbid")
    text: str
    prompt_tokens: int
    completion_tokens: int
    call_id: str


def cache_key(identity: dict[str, Any]) -> str:
    """SHA-256 of the canonical JSON of everything that determines the answer (model, messages, parameters)."""
    blob = json.dumps(identity, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


class ResponseCache:
    def __init__(self, path: Path, *, busy_timeout: float = 30.0) -> None:
        self.path = Path(path)
        self.busy_timeout = busy_timeout
        self._local = threading.local()
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            conn = self._conn()
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute(
                "CREATE TABLE IF NOT EXISTS responses"
                " (key TEXT PRIMARY KEY, value TEXT NOT NULL, created REAL NOT NULL)"
            )
        except sqlite3.DatabaseError as exc:
            raise LLMConfigError(
                f"the LLM cache {self.path} cannot be used ({exc}); move the file away or run with --no-cache"
            ) from None

    def _conn(self) -> sqlite3.Connection:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None or self._local.pid != os.getpid():  # a connection must not cross a fork
            conn = sqlite3.connect(self.path, timeout=self.busy_timeout, isolation_level=None)
            conn.execute("PRAGMA synchronous=NORMAL")
            self._local.conn, self._local.pid = conn, os.getpid()
        return conn

    def get(self, key: str) -> CachedResponse | None:
        """The stored answer, or None; a cache that cannot be read counts as a miss (the LLM is asked again)."""
        try:
            row = self._conn().execute("SELECT value FROM responses WHERE key = ?", (key,)).fetchone()
            return CachedResponse.model_validate_json(row[0]) if row else None
        except (sqlite3.Error, ValueError) as exc:
            log.warning("LLM cache %s: cannot read entry %s (%s); asking the model instead", self.path, key[:12], exc)
            return None

    def put(self, key: str, response: CachedResponse) -> None:
        """Store an answer; a failed write (disk full, lock timeout) is logged, never raised: the answer is kept."""
        try:
            self._conn().execute(
                "INSERT OR IGNORE INTO responses (key, value, created) VALUES (?, ?, ?)",
                (key, response.model_dump_json(), time.time()),
            )
        except sqlite3.Error as exc:
            log.warning("LLM cache %s: cannot store an answer (%s); continuing without caching it", self.path, exc)

    def __len__(self) -> int:
        return int(self._conn().execute("SELECT COUNT(*) FROM responses").fetchone()[0])

    def close(self) -> None:
        """Close this thread's connection (others close when their threads end)."""
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None
