"""Run ALFWorld's planner with a time limit.

Fast Downward runs inside the process (``libdownward`` through ctypes) and cannot be interrupted; on a furnished
kitchen with a two-object goal it can search for many minutes. ``plan_within`` forks: the child inherits the
loaded game (copy-on-write), plans, and writes the plan to a pipe; the parent waits at most ``timeout`` seconds and
kills the child otherwise. The parent's game state is never touched.
"""

from __future__ import annotations

import json
import os
import select
import signal
import time
from collections.abc import Callable


class PlannerTimeoutError(TimeoutError):
    """ALFWorld's planner did not return a plan within the time limit."""


def plan_within(plan: Callable[[], list[str]], timeout: float) -> list[str]:
    """``plan()`` run in a forked child, or :class:`PlannerTimeoutError` after ``timeout`` seconds."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # child: plan, report, and leave without running the parent's cleanup
        os.close(read_end)
        status = 0
        try:
            payload = json.dumps({"plan": plan()}).encode()
        except BaseException as exc:  # report any failure to the parent instead of dying silently
            payload, status = json.dumps({"error": f"{type(exc).__name__}: {exc}"}).encode(), 1
        with os.fdopen(write_end, "wb") as out:
            out.write(payload)
        os._exit(status)
    os.close(write_end)
    chunks: list[bytes] = []
    deadline = time.monotonic() + timeout
    try:
        with os.fdopen(read_end, "rb", buffering=0) as pipe:
            while True:
                remaining = deadline - time.monotonic()
                if remaining <= 0 or not select.select([pipe], [], [], remaining)[0]:
                    os.kill(pid, signal.SIGKILL)
                    raise PlannerTimeoutError(f"ALFWorld's planner gave no plan within {timeout:g} s")
                chunk = pipe.read(65536)
                if not chunk:
                    break
                chunks.append(chunk)
    finally:
        os.waitpid(pid, 0)
    answer = json.loads(b"".join(chunks) or b'{"error": "the planner process died without an answer"}')
    if "error" in answer:
        raise RuntimeError(f"ALFWorld's planner failed: {answer['error']}")
    return [str(c) for c in answer["plan"]]
