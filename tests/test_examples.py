"""Every example runs offline, as a user would run it (a subprocess from the repository root)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from msi_agent.llm.wire import chat_completion, request_messages

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"


def _household_player() -> Callable[..., str]:
    """The tests' household player, imported with ``tests/`` off ``sys.path``: pytest puts that folder first for
    this file, where ``tests/envs`` and ``tests/insights_store`` would shadow the real packages."""
    saved = sys.path[:]
    sys.path[:] = [str(ROOT / "tests" / "pipeline")] + [p for p in saved if Path(p or ".").resolve() != ROOT / "tests"]
    try:
        import household_player
    finally:
        sys.path[:] = saved
    return household_player.player()


def _run(script: str, *args: str, env: dict[str, str] | None = None) -> str:
    done = subprocess.run(
        [sys.executable, str(EXAMPLES / script), *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        env={**os.environ, **(env or {})},
    )
    assert done.returncode == 0, f"{script} failed:\n{done.stdout[-2000:]}\n{done.stderr[-4000:]}"
    return done.stdout


@pytest.mark.slow
def test_offline_pipeline(tmp_path: Path) -> None:
    out = _run("offline_pipeline.py", str(tmp_path))
    assert "| msi-hashmap | 100.0 | 100.0 | 100.0 | 100.0 | 100.0 | 100.0 |" in out
    assert "| no-insights | 50.0 |" in out and "[subtask/Lamp Use]" in out


@pytest.mark.slow
def test_custom_chat_model(tmp_path: Path) -> None:
    out = _run("custom_chat_model.py", str(tmp_path))
    assert "LLM: greedy-example" in out and (tmp_path / "runs" / "greedy" / "results.json").is_file()


@pytest.mark.slow
def test_custom_store(tmp_path: Path) -> None:
    out = _run("custom_store.py", str(tmp_path))
    assert "Pick up the object first, then turn on the lamp." in out
    assert (tmp_path / "stores" / "jsonfile" / "jsonfile.json").is_file()


@pytest.mark.slow
def test_custom_env(tmp_path: Path) -> None:
    out = _run("custom_env.py", str(tmp_path))
    assert "| msi-hashmap | 100.0 | 100.0 | 100.0 | 100.0 | 100.0 | 100.0 |" in out


@pytest.mark.slow
def test_openai_compatible_against_a_loopback_server(tmp_path: Path, httpserver: HTTPServer) -> None:
    play = _household_player()

    def chat(request: Request) -> Response:
        body = json.loads(request.data)
        text = play(request_messages(body))
        return Response(
            json.dumps(chat_completion(text, model=body["model"], prompt_tokens=7, completion_tokens=3)),
            content_type="application/json",
        )

    httpserver.expect_request("/v1/chat/completions", method="POST").respond_with_handler(chat)
    out = _run(
        "openai_compatible.py",
        "--base-url",
        httpserver.url_for("/v1"),
        "--model",
        "loopback",
        "--workspace",
        str(tmp_path),
        "--store",
        "memory",
        "--embedder",
        "hash",
    )
    assert "| msi-hashmap | 100.0 | 100.0 | 100.0 | 100.0 | 100.0 | 100.0 |" in out
    assert "LLM: openai:loopback" in out


@pytest.mark.slow
def test_ai2thor_against_the_fake_player(tmp_path: Path) -> None:
    sys.path.insert(0, str(ROOT / "tests" / "envs"))
    try:
        from thor_fake_player import player_command
    finally:
        sys.path.pop(0)
    out = _run(
        "run_on_ai2thor.py",
        "--offline",
        "--headless",
        "--executable",
        player_command(),
        "--workspace",
        str(tmp_path),
        env={"HOME": str(tmp_path)},
    )
    assert "| all | msi-hashmap | 1 | 100.0 |" in out


@pytest.mark.slow
@pytest.mark.twx
def test_textworld_express_offline(tmp_path: Path) -> None:
    from envs.textworld_express.jvm import unavailable_reason

    if reason := unavailable_reason():
        pytest.skip(reason)
    out = _run("run_on_textworld_express.py", "--offline", "--family", "coin", "--family", "twc",
               "--workspace", str(tmp_path))  # fmt: skip
    assert "| coin | msi-hashmap | 1 | 100.0 | 100.0 |" in out and "| twc | no-insights | 1 |" in out, out
