"""`msi-agent llm check|backends` against a local OpenAI-compatible server."""

from __future__ import annotations

from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer
from typer.testing import CliRunner

from msi_agent.cli.main import app
from msi_agent.llm.wire import chat_completion

runner = CliRunner()
ANSWER = chat_completion("Think: t\nAction: open the fridge 1", model="m", prompt_tokens=9, completion_tokens=7)


@pytest.fixture(autouse=True)
def _no_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)


def test_check_reports_reply_tokens_and_cache(httpserver: HTTPServer, tmp_path: Path) -> None:
    httpserver.expect_request("/v1/chat/completions").respond_with_json(ANSWER)
    (tmp_path / "llm-prices.toml").write_text('["openai:m"]\nprompt = 1000000\ncompletion = 0\n')
    args = ["--workspace", str(tmp_path), "--llm", "openai:m", "--base-url", httpserver.url_for("/v1")]
    first = runner.invoke(app, [*args, "llm", "check", "--action"])
    assert first.exit_code == 0, first.output
    assert "9 prompt + 7 completion" in first.output and "miss, stored" in first.output
    assert "open fridge 1" in first.output and "mapped" in first.output
    assert "$18.000000" in first.output  # 9 prompt tokens for the check + 9 for the action, at $1 each
    again = runner.invoke(app, [*args, "llm", "check"])
    assert again.exit_code == 0 and "hit" in again.output
    assert (tmp_path / "llm-cache.sqlite").exists()


def test_check_fails_readably(httpserver: HTTPServer, tmp_path: Path) -> None:
    missing_key = runner.invoke(app, ["--workspace", str(tmp_path), "--llm", "openai:gpt-4o", "llm", "check"])
    assert missing_key.exit_code == 2 and "OPENAI_API_KEY" in missing_key.output
    httpserver.expect_request("/v1/chat/completions").respond_with_json({"error": {"message": "x"}}, status=400)
    args = ["--workspace", str(tmp_path), "--llm", "openai:m", "--base-url", httpserver.url_for("/v1"), "--no-cache"]
    failed = runner.invoke(app, [*args, "llm", "check"])
    assert failed.exit_code == 1 and "HTTP 400" in failed.output


def test_backends_lists_registered_names() -> None:
    result = runner.invoke(app, ["llm", "backends"])
    assert result.exit_code == 0 and "local" in result.output and "openai" in result.output
