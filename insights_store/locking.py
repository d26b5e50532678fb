"""Cross-process coordination for a store folder: an fcntl lock plus a write generation counter.

Writers hold the lock exclusively, readers share it. Each write bumps the generation first; a process
that finds a generation other than the one it last saw knows another process wrote (or crashed while
writing) and must refresh its cached view (Chroma keeps its vector index in memory per process).
POSIX only (fcntl); the lock is released by the kernel when a process dies, even by kill -9.
"""

from __future__ import annotations

import fcntl
import os
import struct
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


class FolderLock:
    """Shared/exclusive lock and generation counter for one folder, re-entrant within a process."""

    def __init__(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self._fd = os.open(folder / "msi.lock", os.O_RDWR | os.O_CREAT, 0o644)
        self._gen_path = folder / "msi.generation"
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
                raise RuntimeError("cannot write while holding a read lock on the store")
            self._depth += 1
            try:
                yield
            finally:
                self._depth -= 1
                if self._depth == 0:
                    fcntl.flock(self._fd, fcntl.LOCK_UN)

    @property
    def exclusive(self) -> bool:
        return self._depth > 0 and self._mode == fcntl.LOCK_EX

    def generation(self) -> int:
        try:
            data = self._gen_path.read_bytes()
        except FileNotFoundError:
            return 0
        return struct.unpack("<Q", data)[0] if len(data) == 8 else 0

    def bump(self) -> int:
        """Increment the generation (call with the exclusive lock held); returns the new value."""
        if not self.exclusive:
            raise RuntimeError("bump() needs the exclusive lock")
        value = self.generation() + 1
        tmp = self._gen_path.with_suffix(".tmp")
        tmp.write_bytes(struct.pack("<Q", value))
        os.replace(tmp, self._gen_path)
        return value

    def close(self) -> None:
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1
