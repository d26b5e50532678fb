"""Cross-process locks beside a store's SQLite file (fcntl ``flock``; POSIX only).

- ``FileLock``: shared/exclusive, re-entrant within a process. It guards the derived vector index (Chroma
  keeps its index files per folder and caches them per process), never the records: SQLite has its own.
- ``claim``: a non-blocking exclusive claim, for "one writer per namespace" (the pipeline's distill).

The kernel releases both when a process dies, even by kill -9, so a crash never leaves a stale lock.
``flock`` locks belong to an open file, so two claims on one file conflict inside one process too.
"""

from __future__ import annotations

import fcntl
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from insights_store.base import NamespaceBusyError


class FileLock:
    """Shared/exclusive lock on one file, re-entrant within a process."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        self._thread_lock = threading.RLock()
        self._depth = 0
        self._mode = 0

    @contextmanager
    def hold(self, exclusive: bool) -> Iterator[None]:
        """Take the lock; nested holds reuse the outer one (a shared hold cannot become exclusive)."""
        with self._thread_lock:
            if self._depth == 0:
                self._mode = fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH
                fcntl.flock(self._fd, self._mode)
            elif exclusive and self._mode != fcntl.LOCK_EX:
                raise RuntimeError("cannot take the index write lock while holding its read lock")
            self._depth += 1
            try:
                yield
            finally:
                self._depth -= 1
                if self._depth == 0:
                    fcntl.flock(self._fd, fcntl.LOCK_UN)

    def close(self) -> None:
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1


@contextmanager
def claim(path: Path, what: str, holder: str = "") -> Iterator[None]:
    """Hold ``path`` exclusively or fail at once with a ``NamespaceBusyError`` naming ``what`` and the holder (its
    pid and the ``holder`` text it gave, written into the file while it holds it)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            other = os.pread(fd, 500, 0).decode("utf-8", "replace").strip() or "another process"
            raise NamespaceBusyError(
                f"{what} is being written by {other}; wait for it to finish, or write into another namespace"
            ) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, (f"pid {os.getpid()}" + (f" ({holder})" if holder else "")).encode(), 0)
        try:
            yield
        finally:
            os.ftruncate(fd, 0)
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)
