"""An LLM outage is never scored: the command exits non-zero and says how to resume, and the rerun redoes exactly
the errored work. Requests are counted at a real loopback server that fails on command; the CLI runs in-process."""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from faulty_server import FaultyServer
from household_player import FAMILIES, player
from typer.testing import CliRunner

from msi_agent.cli.main import app
from msi_agent.pipeline.offline import INSIGHT_PROMPT_MARK

RUN = ["run", "--name", "o", "--baselines", "none", "--max-steps", "6", "--train-tasks", "2", "--test-tasks", "2"]
RUN += [a for f in FAMILIES for a in ("-f", f)]


@pytest.fixture
def server() -> Iterator[FaultyServer]:
    s = FaultyServer(player())
    yield s
    s.close()


def _invoke(server: FaultyServer, workspace: Path, *args: str) -> tuple[int, str]:
    argv = ["--workspace", str(workspace), "--store", "chroma", "--llm", "openai:m", "--base-url", server.base_url]
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(sys, "argv", ["msi-agent", *argv, *args])  # what the resume hint repeats
        result = CliRunner().invoke(
            app,
            [*argv, *args],
            env={"MSI_STORE__EMBEDDER": "hash", "MSI_LLM__MAX_RETRIES": "1", "COLUMNS": "200", "OPENAI_API_KEY": ""},
        )
    return result.exit_code, result.output + (str(result.exception) if result.exception else "")


def _rows(workspace: Path) -> list[dict[str, Any]]:
    return json.loads((workspace / "runs" / "o" / "results.json").read_text())["rows"]


@pytest.fixture
def reference(server: FaultyServer, tmp_path: Path) -> dict[str, Any]:
    """The same run against a server that never fails."""
    code, out = _invoke(server, tmp_path / "ref", *RUN)
    assert code == 0, out
    ref = {"rows": _rows(tmp_path / "ref"), "answered": server.answered}
    server.requests = server.answered = 0
    return ref


def test_an_outage_mid_run_is_not_scored_and_one_resume_gives_the_same_table(
    server: FaultyServer, reference: dict[str, Any], tmp_path: Path
) -> None:
    start = reference["answered"] * 2 // 3  # during eval
    server.fault = lambda n, body: "error" if start < n <= start + 6 else None  # HTTP 500 for a while
    code, out = _invoke(server, tmp_path / "w", *RUN, "--max-errors", "100")
    assert code == 3, out
    summary = " ".join(out.split())
    first = r"\d episodes errored; first error: LLM call failed at step \d: openai:m at http://127.0.0.1:\d+/v1: server"
    assert re.search(first, summary), summary
    assert "Rerun `msi-agent --workspace" in summary and " run --name o " in summary and "to resume" in summary
    assert "**Incomplete:**" in out  # the partial table is shown, and says so
    results = json.loads((tmp_path / "w" / "runs" / "o" / "results.json").read_text())
    errored = sum(c["errored"] for c in results["conditions"].values())
    assert errored and sum(c["episodes"] for c in results["conditions"].values()) == 8 - errored
    assert all(r["episodes"] + r["errored"] > 0 for r in results["rows"])
    failed = results["failed_calls"]  # counted apart from the calls answered, in the run's totals line
    md = (tmp_path / "w" / "runs" / "o" / "results.md").read_text()
    assert 0 < failed <= results["usage"]["calls"] and f"calls to the endpoint ({failed} of them failed)" in md
    answered_before = server.answered

    server.fault = None
    code, out = _invoke(server, tmp_path / "w", *RUN, "--max-errors", "100")
    assert code == 0, out
    assert _rows(tmp_path / "w") == reference["rows"]
    # cached answers replay the errored episodes' first steps: the two runs asked exactly what one clean run asks
    assert server.answered == reference["answered"] and answered_before < server.answered


def test_refused_connections_stop_early_and_the_rerun_completes(
    server: FaultyServer, reference: dict[str, Any], tmp_path: Path
) -> None:
    server.down()
    code, out = _invoke(server, tmp_path / "w", *RUN, "--max-errors", "1", "--fresh")
    assert code == 3, out
    summary = " ".join(out.split())
    first = f"first error: LLM call failed at step 1: openai:m at {server.base_url}: connection failed"
    assert "1 episodes errored, 1 not started; " + first in summary, summary  # it names the endpoint it tried
    assert "--fresh" not in summary.split("Rerun")[1]  # resuming must not discard the work done
    errored = list((tmp_path / "w" / "runs" / "o" / "episodes" / "collect").glob("*.json"))
    assert len(errored) == 1 and all(json.loads(p.read_text())["error"] for p in errored)

    server.up()
    code, out = _invoke(server, tmp_path / "w", *RUN)
    assert code == 0, out
    assert _rows(tmp_path / "w") == reference["rows"]
    assert server.answered == reference["answered"]


def test_distill_stops_at_the_first_update_it_could_not_make(
    server: FaultyServer, reference: dict[str, Any], tmp_path: Path
) -> None:
    updates = [0]

    def second_update_fails(n: int, body: dict[str, Any]) -> str | None:
        if INSIGHT_PROMPT_MARK in body["messages"][-1]["content"]:
            updates[0] += 1
            return "error" if updates[0] >= 2 else None
        return None

    server.fault = second_update_fails
    code, out = _invoke(server, tmp_path / "w", *RUN)
    assert code == 3, out
    assert "1 insight updates errored" in " ".join(out.split())
    log = (tmp_path / "w" / "runs" / "o" / "distill-o.jsonl").read_text().splitlines()
    assert len(log) == 1 and json.loads(log[0])["error"] is None  # the failed update is not logged as made
    assert not list((tmp_path / "w" / "runs" / "o" / "episodes").glob("msi-*"))  # eval never started

    server.fault = None
    code, out = _invoke(server, tmp_path / "w", *RUN)
    assert code == 0, out
    assert _rows(tmp_path / "w") == reference["rows"]
    assert server.answered == reference["answered"]  # the made update was not made again
