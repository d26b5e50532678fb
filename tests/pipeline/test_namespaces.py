"""The namespace ledger (which run created a namespace) and the writer lock (one writer per namespace)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from insights_store.core import InvalidInputError
from msi_agent.pipeline.namespaces import NamespaceBusyError, NamespaceLedger, NamespaceOwnedError, writer_lock


def test_ledger_records_the_creating_run_per_store(tmp_path: Path) -> None:
    ledger = NamespaceLedger(tmp_path, "chroma")
    assert ledger.owner("exp") is None
    ledger.claim("exp", "run-a")
    ledger.claim("exp", "run-a")  # idempotent
    ledger.claim("exp.0001", "run-a")
    with pytest.raises(NamespaceOwnedError, match="created by run 'run-a'"):
        ledger.claim("exp", "run-b")
    assert NamespaceLedger(tmp_path, "chroma").owned_by("run-a") == ["exp", "exp.0001"]
    assert NamespaceLedger(tmp_path, "chroma+http://h:1").owner("exp") is None  # another store, another namespace
    ledger.release("exp")
    assert ledger.owned_by("run-a") == ["exp.0001"]
    with pytest.raises(InvalidInputError):
        ledger.claim("../x", "run-a")


def test_writer_lock_refuses_a_second_writer_in_another_process(tmp_path: Path) -> None:
    holder = (
        "import sys, time; from pathlib import Path; from msi_agent.pipeline.namespaces import writer_lock\n"
        "with writer_lock(Path(sys.argv[1]), 'exp', holder='distill of run a'):\n"
        "    print('held', flush=True); time.sleep(60)\n"
    )
    proc = subprocess.Popen([sys.executable, "-c", holder, str(tmp_path)], stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None and proc.stdout.readline().strip() == "held"
        with (
            pytest.raises(NamespaceBusyError, match=rf"pid {proc.pid} \(distill of run a\)"),
            writer_lock(tmp_path, "exp", holder="b"),
        ):
            pass
        with writer_lock(tmp_path, "other", holder="b"):  # other namespaces are free
            pass
    finally:
        proc.kill()
        proc.wait(timeout=10)
    with writer_lock(tmp_path, "exp", holder="b"):  # the kernel released the killed holder's lock
        assert (tmp_path / "locks" / "exp.lock").read_text().endswith("(b)")
