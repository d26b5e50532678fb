"""Kill-point driver for the crash-consistency tests: run one ``msi-agent`` command and ``kill -9`` the process
right after the Nth pass through a chosen write boundary.

    python killpoints.py BOUNDARY N msi-agent-arguments...

The boundaries are wrapped here, in the test process's child, never in production code: each wrapper calls the
real method and then, on its Nth call, sends SIGKILL to its own process, which dies exactly as a ``kill -9``
from outside would (no cleanup, no ``finally``, no flush).
"""

from __future__ import annotations

import functools
import os
import signal
import sys
from typing import Any

from insights_store import core
from insights_store.core import BaseInsightStore
from insights_store.sqlite_store import SQLiteStore
from msi_agent.experience.pool import ExperiencePool
from msi_agent.pipeline import proposals
from msi_agent.pipeline.runfolder import RunFolder

BOUNDARIES: dict[str, tuple[Any, str]] = {
    "episode-file": (RunFolder, "save_episode"),  # collect: an episode's JSON in the run folder
    "pool-row": (ExperiencePool, "add_many"),  # collect: the episode's row in the experience pool
    "proposal": (proposals, "write_pending"),  # distill: the update's proposal, before the store
    "store-batch": (BaseInsightStore, "apply"),  # distill: the update's batch in the insight store
    "log-line": (RunFolder, "append_update"),  # distill: the update's line in distill-<ns>.jsonl
    "proposal-cleared": (proposals, "clear_pending"),  # distill: the proposal removed
    "snapshot": (BaseInsightStore, "import_jsonl"),  # distill --snapshots: the copy after an update
    "store-write": (SQLiteStore, "_after_commit"),  # any batch committed to the store: one chunk of `insights import`
}


def arm(boundary: str, n: int) -> None:
    owner, name = BOUNDARIES[boundary]
    real = getattr(owner, name)
    calls = 0

    @functools.wraps(real)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        nonlocal calls
        result = real(*args, **kwargs)
        calls += 1
        if calls == n:
            os.kill(os.getpid(), signal.SIGKILL)
        return result

    setattr(owner, name, wrapper)


IMPORT_CHUNK = 4
"""``insights import`` writes chunks of this many insights here, so a small file crosses several boundaries."""


if __name__ == "__main__":
    core.IMPORT_CHUNK = IMPORT_CHUNK
    arm(sys.argv[1], int(sys.argv[2]))
    from msi_agent.cli import app

    app(sys.argv[3:], prog_name="msi-agent")
