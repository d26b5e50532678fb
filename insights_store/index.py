"""``VectorIndex``: the similarity index a store derives from its SQLite records (Chroma, a LangChain VectorStore).

An index holds only what search needs (id, vector, text) and may lag or even be lost: the store brings it up to
date from the records (``Records.changes_since``) when it opens, after each batch and before each search, and
rebuilds it on ``reindex``. So an index needs no transactions: every call below must be idempotent.
"""

from __future__ import annotations

from typing import Protocol

import numpy as np

from insights_store.batch import StoredInsight
from insights_store.sqlite_records import IndexChanges, Records


class VectorIndex(Protocol):
    seen: int
    """The records generation this process's view of the index reflects; -1 before the store first syncs it."""

    shared: bool
    """True when other processes use the same index (Chroma): the generation recorded beside the records, not
    this process's ``seen``, then says what it holds."""

    caches: bool
    """True when this process caches a shared index (embedded Chroma): ``reload`` when it moved without us."""

    drops: bool
    """True when dropping a namespace and refilling it (``IndexChanges.rebuild``) can beat updating in place."""

    replicates: bool
    """True when other workspaces share the index (a Chroma server): it then also carries each record's JSON and
    who wrote each namespace last (``versions``), so a workspace can copy another's namespaces (``pull``)."""

    def open(self, records: Records) -> None:
        """Called once per open with the index write lock held: adopt or refuse what older layouts left."""
        ...

    def holds(self, namespace: str, insight_id: str) -> bool | None:
        """Whether the index has this record (None: cannot tell); a False for a live record means it was lost."""
        ...

    def apply(self, changes: IndexChanges) -> None:
        """Upsert and delete by id, idempotently; first drop the namespaces in ``changes.rebuild`` (if ``drops``)."""
        ...

    def nearest(self, namespace: str, vector: np.ndarray, n: int) -> tuple[list[str], bool]:
        """Ids of up to ``n`` records nearest to ``vector`` (may include stale ids: the store filters), and
        whether the index has no more candidates than that."""
        ...

    def reset(self, namespaces: list[str]) -> None:
        """Forget these namespaces (before a rebuild)."""
        ...

    def versions(self) -> dict[str, str]:
        """Replicating indexes: an opaque version per namespace, ``"<writer store id>:<generation>"``."""
        ...

    def pull(self, namespace: str) -> tuple[list[StoredInsight], np.ndarray]:
        """Replicating indexes: the records of ``namespace`` with their vectors."""
        ...

    def reload(self) -> None:
        """Drop this process's cached view (another process changed the index)."""
        ...

    def close(self) -> None: ...
