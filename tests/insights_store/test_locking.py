from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from insights_store.base import NamespaceBusyError
from insights_store.locking import FileLock, claim

TRY_LOCK = """
import fcntl, os, sys
fd = os.open(sys.argv[1], os.O_RDWR)
try:
    fcntl.flock(fd, (fcntl.LOCK_EX if sys.argv[2] == "ex" else fcntl.LOCK_SH) | fcntl.LOCK_NB)
    print("got")
except BlockingIOError:
    print("blocked")
"""


def other_process_can_lock(path: Path, mode: str) -> bool:
    out = subprocess.run([sys.executable, "-c", TRY_LOCK, str(path), mode], capture_output=True, text=True)
    return out.stdout.strip() == "got"


def test_readers_share_writers_exclude(tmp_path: Path) -> None:
    path = tmp_path / "store.lock"
    lock = FileLock(path)
    with lock.hold(exclusive=False):
        assert other_process_can_lock(path, "sh") and not other_process_can_lock(path, "ex")
    with lock.hold(exclusive=True), lock.hold(exclusive=False):  # nested reads reuse the write hold
        assert not other_process_can_lock(path, "sh")
    assert other_process_can_lock(path, "ex")
    with lock.hold(exclusive=False), pytest.raises(RuntimeError, match="read lock"), lock.hold(exclusive=True):
        pass
    lock.close()
    lock.close()


def test_claim_fails_at_once_naming_the_holder(tmp_path: Path) -> None:
    path = tmp_path / "ns.writer"
    with claim(path, "namespace 'a'", "distill of run r"):
        assert not other_process_can_lock(path, "ex")
        busy = pytest.raises(
            NamespaceBusyError, match=r"namespace 'a' is being written by pid \d+ \(distill of run r\)"
        )
        with busy, claim(path, "namespace 'a'"):
            pass
    assert other_process_can_lock(path, "ex")
    with claim(path, "namespace 'a'"):  # free again
        pass
