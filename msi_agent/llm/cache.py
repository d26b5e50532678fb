"""A persistent LLM response cache in one SQLite file, safe for several threads and processes at once.

Reruns at temperature 0 are then reproducible and free. Connections are per thread and process
(``sqlite.ThreadConnections``: WAL, writers wait up to ``busy_timeout`` for the lock instead of failing).
First write wins (``INSERT OR IGNORE``), so every reader sees one answer per key.
"""

from __future__ import annotations

import hashlib
import json
import logging
import sqlite3
import time
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict

from msi_agent.llm.errors import LLMConfigError
from msi_agent.llm.sqlite import ThreadConnections

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
        self._connections = ThreadConnections(self.path, busy_timeout=busy_timeout)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            conn = self._conn()
            conn.execute(
                "CREATE TABLE IF NOT EXISTS responses"
                " (key TEXT PRIMARY KEY, value TEXT NOT NULL, created REAL NOT NULL)"
            )
        except sqlite3.DatabaseError as exc:
            raise LLMConfigError(
                f"the LLM cache {self.path} cannot be used ({exc}); move the file away or run with --no-cache"
            ) from None

    def _conn(self) -> sqlite3.Connection:
        return self._connections.get()

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
        self._connections.close()
