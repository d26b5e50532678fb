"""Every token is counted: over a run killed mid-episode (SIGKILL) and resumed with cache hits, the results'
fresh tokens equal what the loopback server reported, and the replayed answers count as cached tokens."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from faulty_server import FaultyServer
from household_player import FAMILIES, player

ROOT = Path(__file__).resolve().parents[2]
HANG_AT = 15
"""The request the server holds forever: the CLI is killed while waiting for it, mid-way through collect."""


def _cli(workspace: Path, server: FaultyServer) -> list[str]:
    args = ["--workspace", str(workspace), "--store", "chroma", "--llm", "openai:m", "--base-url", server.base_url]
    run = ["run", "--name", "k", "--baselines", "none", "--max-steps", "6", "--train-tasks", "3", "--test-tasks", "1"]
    code = "from msi_agent.cli.main import app; app()"
    return [sys.executable, "-c", code, *args, *run, *(a for f in FAMILIES for a in ("-f", f))]


def _env() -> dict[str, str]:
    path = os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])
    return {**os.environ, "PYTHONPATH": path, "MSI_STORE__EMBEDDER": "hash", "OPENAI_API_KEY": ""}


@pytest.mark.slow
def test_tokens_add_up_to_what_the_server_reported_over_a_kill_and_resume(tmp_path: Path) -> None:
    server = FaultyServer(player())
    server.fault = lambda n, body: "hang" if n == HANG_AT else None
    try:
        proc = subprocess.Popen(_cli(tmp_path, server), env=_env(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 120
        while server.requests < HANG_AT:
            assert proc.poll() is None, proc.stderr.read().decode() if proc.stderr else "the run ended early"
            assert time.monotonic() < deadline, "the run never reached the held request"
            time.sleep(0.05)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
        server.release()  # the held request is dropped unanswered: the server reports no usage for it
        answered_before_kill = server.answered
        assert answered_before_kill == HANG_AT - 1

        server.fault = None
        done = subprocess.run(_cli(tmp_path, server), env=_env(), capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr
    finally:
        server.close()

    usage = json.loads((tmp_path / "runs" / "k" / "results.json").read_text())["usage"]
    fresh = (
        usage["prompt_tokens"] - usage["cached_prompt_tokens"],
        usage["completion_tokens"] - usage["cached_completion_tokens"],
    )
    assert fresh == (server.prompt_tokens, server.completion_tokens)
    assert usage["calls"] == server.answered
    assert usage["cached_calls"] > 0 and usage["cached_prompt_tokens"] > 0  # the killed episode's first steps
