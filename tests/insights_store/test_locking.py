from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from insights_store.locking import FolderLock

TRY_LOCK = """
import fcntl, os, sys
fd = os.open(sys.argv[1], os.O_RDWR)
try:
    fcntl.flock(fd, (fcntl.LOCK_EX if sys.argv[2] == "ex" else fcntl.LOCK_SH) | fcntl.LOCK_NB)
    print("got")
except BlockingIOError:
    print("blocked")
"""


def other_process_can_lock(folder: Path, mode: str) -> bool:
    out = subprocess.run(
        [sys.executable, "-c", TRY_LOCK, str(folder / "msi.lock"), mode], capture_output=True, text=True
    )
    return out.stdout.strip() == "got"


def test_readers_share_writers_exclude(tmp_path: Path) -> None:
    lock = FolderLock(tmp_path)
    with lock.hold(exclusive=False):
        assert other_process_can_lock(tmp_path, "sh") and not other_process_can_lock(tmp_path, "ex")
    with lock.hold(exclusive=True), lock.hold(exclusive=False):  # nested reads reuse the write hold
        assert not other_process_can_lock(tmp_path, "sh")
    assert other_process_can_lock(tmp_path, "ex")
    lock.close()


def test_generation_counter(tmp_path: Path) -> None:
    lock = FolderLock(tmp_path)
    assert lock.generation() == 0
    with pytest.raises(RuntimeError, match="exclusive"):
        lock.bump()
    with lock.hold(exclusive=True):
        assert lock.bump() == 1 and lock.bump() == 2
    assert FolderLock(tmp_path).generation() == 2
    with lock.hold(exclusive=False), pytest.raises(RuntimeError, match="read lock"), lock.hold(exclusive=True):
        pass
    lock.close()
    lock.close()
