"""`msi-agent llm check|backends` against a local OpenAI-compatible server."""

from __future__ import annotations

from pathlib import Path

import pytest
from langchain_core.messages import HumanMessage
from pytest_httpserver import HTTPServer
from typer.testing import CliRunner

from msi_agent.cli.main import app
from msi_agent.config import LLMSettings
from msi_agent.llm import LLMClient
from msi_agent.llm.wire import chat_completion
from tests.pipeline.faulty_server import FaultyServer

runner = CliRunner()
ANSWER = chat_completion("Think: t\nAction: open the door 1", model="m", prompt_tokens=9, completion_tokens=7)


@pytest.fixture(autouse=True)
def _no_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)


def test_check_always_asks_the_endpoint(httpserver: HTTPServer, tmp_path: Path) -> None:
    httpserver.expect_request("/v1/chat/completions").respond_with_json(ANSWER)
    (tmp_path / "llm-prices.toml").write_text('["openai:m"]\nprompt = 1000000\ncompletion = 0\n')
    args = ["--workspace", str(tmp_path), "--llm", "openai:m", "--base-url", httpserver.url_for("/v1")]
    first = runner.invoke(app, [*args, "llm", "check", "--action"])
    assert first.exit_code == 0, first.output
    assert "9 prompt + 7 completion" in first.output and "retries" in first.output and "latency" in first.output
    assert "open door 1" in first.output and "mapped" in first.output
    assert "$18.000000" in first.output  # 9 prompt tokens for the check + 9 for the action, at $1 each
    again = runner.invoke(app, [*args, "llm", "check"])
    assert again.exit_code == 0 and len(httpserver.log) == 3  # never answered from the cache


def test_check_fails_when_the_server_is_down_even_after_a_good_check(tmp_path: Path) -> None:
    server = FaultyServer(lambda messages: "A fridge keeps food cold.")
    args = ["--workspace", str(tmp_path), "--llm", "openai:m", "--base-url", server.base_url]
    try:
        assert runner.invoke(app, [*args, "llm", "check", "--prompt", "hi"]).exit_code == 0
        settings = LLMSettings(spec="openai:m", base_url=server.base_url, api_key="sk-x", cache=True)
        client = LLMClient.from_settings(settings, tmp_path)
        assert not client.complete([HumanMessage("hi")]).error  # the cache now holds an answer to "hi"
        assert client.complete([HumanMessage("hi")]).cached
        client.close()
        server.down()
        env = {"MSI_LLM__MAX_RETRIES": "1", "COLUMNS": "200"}
        down = runner.invoke(app, [*args, "llm", "check", "--prompt", "hi"], env=env)
    finally:
        server.close()
    assert down.exit_code == 1, down.output
    assert f"openai:m at {server.base_url}: connection failed" in " ".join(down.output.split())


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
