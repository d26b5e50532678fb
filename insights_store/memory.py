"""In-memory backend: the same SQLite design on an in-memory database, with exact search and no index.

Nothing is persisted and nothing is shared with other processes; for tests and throwaway runs.
"""

from __future__ import annotations

from langchain_core.embeddings import Embeddings

from insights_store.sqlite_store import SQLiteStore


class MemoryStore(SQLiteStore):
    def __init__(self, embeddings: Embeddings) -> None:
        super().__init__(embeddings, path=None)

    def close(self) -> None:
        """Nothing to release: the data lives as long as this object (callers that borrow it may close it)."""
