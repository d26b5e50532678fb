"""Who may write an insight namespace: the run that created it (a ledger), and one writer at a time (a lock).

``--fresh`` deletes the namespaces this ledger says a run created, recorded when the run first wrote them; it
never trusts names read from a run folder, which a copied or edited folder could point at anything. The ledger
lives in the workspace (``namespaces.sqlite``) and is keyed by store spec and namespace.

Writers (distill, ``insights import``, edits, ``--fresh``) hold an exclusive ``flock`` on
``<workspace>/locks/<namespace>.lock``; a second writer gets an error naming the holder at once instead of
interleaving its batches. The kernel releases the lock when a process dies, even by ``kill -9``.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from datetime import UTC, datetime
from pathlib import Path

from insights_store.base import NamespaceBusyError as NamespaceBusyError  # the store's, raised by claim()
from insights_store.core import check_namespace
from insights_store.locking import claim

LEDGER_FILE = "namespaces.sqlite"
LOCKS_DIR = "locks"


class NamespaceOwnedError(ValueError):
    """The namespace belongs to another run (or to none, and holds insights)."""


class NamespaceLedger:
    """``(store, namespace) → run``: which run created each namespace it distilled into."""

    def __init__(self, workspace: Path, store: str) -> None:
        self.path = Path(workspace) / LEDGER_FILE
        self.store = store
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with closing(self._connect()) as db, db:
            db.execute(
                "CREATE TABLE IF NOT EXISTS owners (store TEXT NOT NULL, namespace TEXT NOT NULL, run TEXT NOT NULL, "
                "created TEXT NOT NULL, PRIMARY KEY (store, namespace))"
            )

    def _connect(self) -> sqlite3.Connection:
        return sqlite3.connect(self.path, timeout=30.0)

    def owner(self, namespace: str) -> str | None:
        with closing(self._connect()) as db:
            row = db.execute(
                "SELECT run FROM owners WHERE store = ? AND namespace = ?", [self.store, namespace]
            ).fetchone()
        return row[0] if row else None

    def claim(self, namespace: str, run: str) -> None:
        """Record ``run`` as the creator of ``namespace`` (idempotent for the same run)."""
        check_namespace(namespace)
        with closing(self._connect()) as db, db:
            db.execute(
                "INSERT OR IGNORE INTO owners VALUES (?, ?, ?, ?)",
                [self.store, namespace, run, datetime.now(UTC).isoformat(timespec="seconds")],
            )
        owner = self.owner(namespace)
        if owner != run:
            raise NamespaceOwnedError(
                f"insight namespace {namespace!r} was created by run {owner!r}; choose another --namespace"
            )

    def owned_by(self, run: str) -> list[str]:
        with closing(self._connect()) as db:
            rows = db.execute("SELECT namespace FROM owners WHERE store = ? AND run = ?", [self.store, run]).fetchall()
        return sorted(r[0] for r in rows)

    def release(self, namespace: str) -> None:
        with closing(self._connect()) as db, db:
            db.execute("DELETE FROM owners WHERE store = ? AND namespace = ?", [self.store, namespace])


@contextmanager
def writer_lock(workspace: Path, namespace: str, *, holder: str) -> Iterator[None]:
    """Hold the namespace's writer lock; raise ``NamespaceBusyError`` at once if another process holds it."""
    path = Path(workspace) / LOCKS_DIR / f"{check_namespace(namespace)}.lock"
    with claim(path, f"insight namespace {namespace!r}", holder):
        yield
