"""Shared helpers for the LLM tests: an OpenAI-style response body and a client pointed at pytest-httpserver."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from pytest_httpserver import HTTPServer

from msi_agent.config import LLMSettings
from msi_agent.llm import LLMClient, RetryPolicy
from msi_agent.llm.wire import chat_completion

KEY = "sk-test-SECRET-0123456789abcdef"
PATH = "/v1/chat/completions"


def reply(content: str, prompt_tokens: int = 12, completion_tokens: int = 5) -> dict[str, Any]:
    return chat_completion(content, prompt_tokens=prompt_tokens, completion_tokens=completion_tokens)


@pytest.fixture
def ok() -> Callable[..., dict[str, Any]]:
    """``ok(content, prompt_tokens, completion_tokens)``: a well-formed chat.completion body."""
    return reply


@pytest.fixture(autouse=True)
def _no_ambient_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests must never reach a real provider with a developer's key."""
    for name in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "ANTHROPIC_API_KEY"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def make_client(httpserver: HTTPServer, tmp_path: Path) -> Callable[..., LLMClient]:
    """A client for ``openai:test-model`` at the local server; fast retries, cache off unless asked."""

    def make(*, retries: int = 2, timeout: float = 2.0, cache: bool = False, **settings: Any) -> LLMClient:
        llm = LLMSettings(
            spec="openai:test-model",
            base_url=httpserver.url_for("/v1"),
            api_key=KEY,
            timeout=timeout,
            max_retries=retries,
            cache=cache,
            max_tokens=64,
            **settings,
        )
        return LLMClient.from_settings(llm, tmp_path, retry=RetryPolicy(retries, base_delay=0.01, max_delay=0.02))

    return make
