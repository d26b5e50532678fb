"""Crash consistency: ``kill -9`` at each write boundary of collect, distill and import, then resume; the run
folder, the experience pool and the insight store end equal to an uninterrupted run's.

The kill comes from ``killpoints.py`` (a child process that wraps one write boundary and SIGKILLs itself after
its Nth call); production code has no hooks. Runs use the embedded Chroma store and the scripted household
player, so every process sees the same store and the same replies.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from insights_store import open_store
from msi_agent.pipeline.namespaces import NamespaceLedger

HERE = Path(__file__).parent
WS = "ws"  # relative: a copied workspace is the same workspace to the run's manifest
COLLECT = ["collect", "--name", "k", "--train-tasks", "4", "--max-steps", "6"]
COLLECT += ["-f", "pick_and_place_simple", "-f", "look_at_obj_in_light"]
DISTILL = ["distill", "--name", "k", "--snapshots"]
VOLATILE = {"created", "updated", "at", "started", "call_id", "llm_call_id", "batch", "target", "insight_id"}

pytestmark = pytest.mark.slow


def _env(delay: float = 0.0) -> dict[str, str]:
    return {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(HERE), str(HERE.parents[1]), os.environ.get("PYTHONPATH", "")]),
        "HOUSEHOLD_PLAYER_DELAY": str(delay),
        "MSI_STORE__EMBEDDER": "hash",
        "MSI_LLM__CACHE": "false",
    }


def _argv(*args: str, kill: tuple[str, int] | None = None) -> list[str]:
    head = (
        [str(HERE / "killpoints.py"), kill[0], str(kill[1])] if kill else ["-c", "from msi_agent.cli import app; app()"]
    )
    return [sys.executable, *head, "--workspace", WS, "--llm", "household_player:make_model", *args]


def _run(cwd: Path, *args: str, kill: tuple[str, int] | None = None) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(_argv(*args, kill=kill), cwd=cwd, env=_env(), capture_output=True, text=True, timeout=300)
    if kill is not None:
        assert done.returncode == -9, f"the kill point {kill} was never reached: {done.stdout}{done.stderr}"
    else:
        assert done.returncode == 0, done.stdout + done.stderr
    return done


def _strip(node: Any, volatile: set[str] = VOLATILE) -> Any:
    if isinstance(node, dict):
        return {k: _strip(v, volatile) for k, v in node.items() if k not in volatile}
    if isinstance(node, list):
        return [_strip(v, volatile) for v in node]
    return node


def state(cwd: Path) -> dict[str, Any]:
    """Everything a run leaves, minus timestamps, call ids and random insight ids."""
    ws = cwd / WS
    run = ws / "runs" / "k"
    files = {
        str(p.relative_to(run)): _strip(json.loads(p.read_text())) for p in sorted((run / "episodes").rglob("*.json"))
    }
    logs = {p.name: [_strip(json.loads(line)) for line in p.read_text().splitlines()] for p in run.glob("*.jsonl")}
    with sqlite3.connect(ws / "experience.sqlite") as db:
        pool = sorted(
            (i, r, json.dumps(_strip(json.loads(d)), sort_keys=True))
            for i, r, d in db.execute("SELECT id, run, data FROM episodes")
        )
    insights: dict[str, list[str]] = {}
    if (ws / "stores").is_dir():
        store = open_store("chroma", workspace=ws, embeddings="hash")
        try:
            for ns in store.namespaces():
                records = [
                    json.dumps(_strip(json.loads(line), VOLATILE | {"id"}), sort_keys=True)  # insight ids are random
                    for line in store.export_jsonl(namespace=ns)
                ]
                if records:
                    insights[ns] = sorted(records)
        finally:
            store.close()
    owned = NamespaceLedger(ws, "chroma").owned_by("k") if (ws / "namespaces.sqlite").exists() else []
    leftovers = sorted(p.name for p in run.iterdir() if p.name.endswith((".pending.json", ".tmp")))
    return {"files": files, "logs": logs, "pool": pool, "insights": insights, "owned": owned, "leftovers": leftovers}


@pytest.fixture(scope="module")
def collected(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A workspace after an uninterrupted collect (copied by each distill scenario)."""
    cwd = tmp_path_factory.mktemp("collected")
    _run(cwd, *COLLECT)
    return cwd


@pytest.fixture(scope="module")
def distilled(collected: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    cwd = tmp_path_factory.mktemp("distilled")
    shutil.copytree(collected / WS, cwd / WS)
    _run(cwd, *DISTILL)
    return state(cwd)


@pytest.mark.parametrize("kill", [("episode-file", 2), ("episode-file", 6), ("pool-row", 5)])
def test_killed_collect_resumes_to_the_same_run(kill: tuple[str, int], collected: Path, tmp_path: Path) -> None:
    """``episode-file``: killed after an episode's file, before its pool row (the break: the row was never added)."""
    _run(tmp_path, *COLLECT, kill=kill)
    _run(tmp_path, *COLLECT)
    expected = state(collected)
    assert len(expected["pool"]) == 8 and len(expected["files"]) == 8
    assert state(tmp_path) == expected


@pytest.mark.parametrize(
    "kill",
    [
        ("proposal", 1),
        ("store-batch", 1),  # the break: after the first batch, before its log line, resume refused the namespace
        ("log-line", 1),
        ("proposal-cleared", 1),
        ("store-batch", 3),  # the break: after a later batch, before its log line, resume applied it twice
        ("snapshot", 2),
        ("proposal", 5),
    ],
)
def test_killed_distill_resumes_to_the_same_insights(
    kill: tuple[str, int], collected: Path, distilled: dict[str, Any], tmp_path: Path
) -> None:
    shutil.copytree(collected / WS, tmp_path / WS)
    _run(tmp_path, *DISTILL, kill=kill)
    _run(tmp_path, *DISTILL)
    got = state(tmp_path)
    assert len(distilled["logs"]["distill-k.jsonl"]) == 6 and len(distilled["insights"]["k"]) == 3
    assert got == distilled


def test_killed_import_completes_on_rerun(tmp_path: Path) -> None:
    lines = [
        json.dumps({"id": f"ins-{i:02d}", "text": f"Rule {i}.", "scale": "general", "score": 2}) for i in range(10)
    ]
    (tmp_path / "in.jsonl").write_text("\n".join(lines) + "\n")
    _run(tmp_path, "insights", "import", "in.jsonl", "--ns", "imp", kill=("store-write", 2))
    store = open_store("chroma", workspace=tmp_path / WS, embeddings="hash")
    try:
        assert len(store.list(namespace="imp")) == 8  # two chunks of four landed whole, the third never started
    finally:
        store.close()
    _run(tmp_path, "insights", "import", "in.jsonl", "--ns", "imp")
    store = open_store("chroma", workspace=tmp_path / WS, embeddings="hash")
    try:
        assert sorted(i.id for i in store.list(namespace="imp")) == [f"ins-{i:02d}" for i in range(10)]
        assert all(len(store.history(f"ins-{i:02d}", namespace="imp")) == 1 for i in range(10))
    finally:
        store.close()


def test_second_distill_into_a_namespace_is_refused(collected: Path, distilled: dict[str, Any], tmp_path: Path):
    """The break: two distill processes both passed the 'namespace is empty' check and interleaved their batches."""
    shutil.copytree(collected / WS, tmp_path / WS)
    first = subprocess.Popen(_argv(*DISTILL), cwd=tmp_path, env=_env(delay=5.0), stdout=subprocess.PIPE, text=True)
    lock = tmp_path / WS / "locks" / "k.lock"
    deadline = time.monotonic() + 120
    while not (lock.is_file() and lock.read_text()):
        assert first.poll() is None and time.monotonic() < deadline, "the first distill never took the lock"
        time.sleep(0.1)
    second = subprocess.run(_argv(*DISTILL), cwd=tmp_path, env=_env(), capture_output=True, text=True, timeout=300)
    assert second.returncode == 2
    assert f"is being written by pid {first.pid} (distill of run k)" in second.stderr
    assert first.wait(timeout=300) == 0
    assert state(tmp_path) == distilled
