"""Launch helpers for the fake AI2-THOR player (``player.py``), shared by the thor test modules."""

from __future__ import annotations

import json
import shlex
import sys
from pathlib import Path
from typing import Any

PLAYER = Path(__file__).resolve().parent / "player.py"


def player_command(*extra: str, log: Path | None = None) -> str:
    """A ``local_executable_path`` that runs the fake player with this interpreter."""
    parts = [sys.executable, str(PLAYER), *extra]
    if log is not None:
        parts += ["--log", str(log)]
    return " ".join(shlex.quote(p) for p in parts)


def read_log(log: Path) -> list[dict[str, Any]]:
    """The player's log: a start entry, then one entry per action received (exactly as it crossed the pipe)."""
    return [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]


def sent_actions(log: Path) -> list[dict[str, Any]]:
    return [entry["action"] for entry in read_log(log) if entry["event"] == "action"]


def process_gone(pid: int) -> bool:
    """True once ``pid`` has exited and been reaped (a zombie still has its /proc entry)."""
    return not Path(f"/proc/{pid}").exists()
