"""One SQLite connection per thread and per process, for files several threads and processes share.

A connection must not cross threads (sqlite3's rule) nor a fork; WAL journaling lets readers go on while one
writer commits, ``synchronous=NORMAL`` skips the fsync per commit (a killed process loses nothing that was
committed; only a power cut may lose the last commits), and writers wait ``busy_timeout`` for the lock.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from pathlib import Path


class ThreadConnections:
    def __init__(self, path: Path, *, busy_timeout: float = 30.0) -> None:
        self.path = Path(path)
        self.busy_timeout = busy_timeout
        self._local = threading.local()

    def get(self) -> sqlite3.Connection:
        """This thread's connection (autocommit; ``BEGIN`` explicitly to group writes)."""
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None or self._local.pid != os.getpid():
            conn = sqlite3.connect(self.path, timeout=self.busy_timeout, isolation_level=None)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            self._local.conn, self._local.pid = conn, os.getpid()
        return conn

    def close(self) -> None:
        """Close this thread's connection (others close when their threads end)."""
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None
