"""LLMClient against a real HTTP server on 127.0.0.1 speaking /v1/chat/completions."""

from __future__ import annotations

import json
import logging
import socket
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from langchain_core.messages import HumanMessage, SystemMessage
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from msi_agent.config import LLMSettings
from msi_agent.llm import LLMAuthError, LLMClient, LLMConfigError, Price, ScriptedChatModel

KEY = "sk-test-SECRET-0123456789abcdef"  # the key the make_client fixture configures
PATH = "/v1/chat/completions"
MESSAGES = [SystemMessage("You are a household robot."), HumanMessage("Put the apple in the fridge.")]

ClientFactory = Callable[..., LLMClient]


def test_request_body_and_usage(httpserver: HTTPServer, make_client: ClientFactory, ok) -> None:
    expected = {
        "model": "test-model",
        "stream": False,
        "messages": [
            {"role": "system", "content": "You are a household robot."},
            {"role": "user", "content": "Put the apple in the fridge."},
        ],
        "temperature": 0.0,
        "max_tokens": 64,
    }
    httpserver.expect_oneshot_request(
        PATH, method="POST", json=expected, headers={"Authorization": f"Bearer {KEY}"}
    ).respond_with_json(ok("Think: go\nAction: go to fridge 1", 12, 5))
    client = make_client()
    done = client.complete(MESSAGES, purpose="action")
    httpserver.check_assertions()
    assert done.error is None
    assert done.text == "Think: go\nAction: go to fridge 1"
    assert (done.usage.prompt_tokens, done.usage.completion_tokens, done.usage.calls) == (12, 5, 1)
    assert done.attempts == 1 and not done.cached
    assert client.usage == done.usage
    assert client.usage_by_purpose()["action"] == done.usage


def test_retries_429_then_500_then_success(httpserver: HTTPServer, make_client: ClientFactory, ok) -> None:
    httpserver.expect_ordered_request(PATH).respond_with_json({"error": {"message": "slow down"}}, status=429)
    httpserver.expect_ordered_request(PATH).respond_with_json({"error": {"message": "boom"}}, status=500)
    httpserver.expect_ordered_request(PATH).respond_with_json(ok("ok"))
    done = make_client(retries=2).complete(MESSAGES)
    httpserver.check_assertions()
    assert (done.text, done.error, done.attempts) == ("ok", None, 3)
    assert len(httpserver.log) == 3  # our policy only: the SDK's own retries are off


def test_server_errors_exhaust_retries_into_a_recorded_failure(
    httpserver: HTTPServer, make_client: ClientFactory
) -> None:
    httpserver.expect_request(PATH).respond_with_json({"error": {"message": "overloaded"}}, status=503)
    client = make_client(retries=2)
    done = client.complete(MESSAGES)
    assert done.text == "" and done.attempts == 3 and len(httpserver.log) == 3
    assert done.error is not None and "HTTP 503" in done.error and "3 attempt" in done.error
    assert client.usage.calls == 1 and client.usage.prompt_tokens == 0


def test_timeout_is_retried_then_recorded(httpserver: HTTPServer, make_client: ClientFactory, ok) -> None:
    def slow(_: Request) -> Response:
        time.sleep(0.3)
        return Response(json.dumps(ok("too late")), content_type="application/json")

    httpserver.expect_request(PATH).respond_with_handler(slow)
    started = time.perf_counter()
    done = make_client(retries=1, timeout=0.1).complete(MESSAGES)
    assert done.error is not None and "Timeout" in done.error
    assert done.attempts == 2 and done.text == ""
    assert time.perf_counter() - started < 2.0
    while len(httpserver.log) < 2 and time.perf_counter() - started < 5:  # let the late replies land in this test
        time.sleep(0.05)


def test_connection_refused_is_retried_then_recorded(tmp_path) -> None:
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    llm = LLMSettings(spec="openai:m", base_url=f"http://127.0.0.1:{port}/v1", max_retries=1, timeout=1.0)
    from msi_agent.llm import RetryPolicy

    client = LLMClient.from_settings(llm, tmp_path, retry=RetryPolicy(1, base_delay=0.01, max_delay=0.01))
    done = client.complete(MESSAGES)
    assert done.attempts == 2 and done.error is not None and "Connection" in done.error


@pytest.mark.parametrize("case", ["malformed-json", "empty-choices"])
def test_bad_response_is_a_recorded_failure_without_retry(
    httpserver: HTTPServer, make_client: ClientFactory, ok, case: str
) -> None:
    body, expected = (
        ("{not json", "JSONDecodeError")
        if case == "malformed-json"
        else (
            json.dumps(ok("x") | {"choices": []}),
            "IndexError",
        )
    )
    httpserver.expect_request(PATH).respond_with_data(body, content_type="application/json")
    done = make_client(retries=3).complete(MESSAGES)
    assert done.text == "" and done.attempts == 1 and len(httpserver.log) == 1
    assert done.error is not None and expected in done.error


def test_auth_error_is_readable_and_never_shows_the_key(
    httpserver: HTTPServer, make_client: ClientFactory, caplog: pytest.LogCaptureFixture, capsys
) -> None:
    echo = {"error": {"message": f"Incorrect API key provided: {KEY}", "type": "invalid_request_error"}}
    httpserver.expect_request(PATH).respond_with_json(echo, status=401)
    caplog.set_level(logging.DEBUG)
    with pytest.raises(LLMAuthError) as info:
        make_client(retries=3).complete(MESSAGES)
    message = str(info.value)
    assert "HTTP 401" in message and "API key" in message and "OPENAI_API_KEY" in message
    assert len(httpserver.log) == 1  # not retried
    seen = message + caplog.text + "".join(capsys.readouterr())
    assert KEY not in seen and KEY[-8:] not in seen


def test_missing_key_fails_at_construction(tmp_path) -> None:
    with pytest.raises(LLMConfigError, match="OPENAI_API_KEY"):
        LLMClient.from_settings(LLMSettings(spec="openai:gpt-4o-mini"), tmp_path)


def test_cache_hit_is_identical_free_and_counted_as_cached(
    httpserver: HTTPServer, make_client: ClientFactory, ok
) -> None:
    httpserver.expect_oneshot_request(PATH).respond_with_json(ok("Think: t\nAction: look", 30, 4))
    client = make_client(cache=True)
    first = client.complete(MESSAGES)
    rerun = make_client(cache=True)  # a new client (a rerun) reads the same file
    again = rerun.complete(MESSAGES)
    assert len(httpserver.log) == 1
    assert (again.text, again.call_id, again.cached) == (first.text, first.call_id, True)
    assert (again.usage.prompt_tokens, again.usage.completion_tokens, again.usage.calls) == (30, 4, 0)
    assert (again.usage.cached_prompt_tokens, again.usage.cached_completion_tokens, again.usage.cached_calls) == (
        30,
        4,
        1,
    )
    assert (again.usage.fresh_tokens, again.usage.cached_tokens) == (0, 34)
    rerun.prices = {"openai:test-model": Price(prompt=1e6, completion=1e6)}
    assert rerun.cost() == 0.0  # what the cache answered is not paid again


def test_cache_is_bypassed_above_temperature_zero_and_when_disabled(
    httpserver: HTTPServer, make_client: ClientFactory, ok
) -> None:
    httpserver.expect_request(PATH).respond_with_json(ok("fresh"))
    warm = make_client(cache=True, temperature=0.7)
    assert not warm.caching
    warm.complete(MESSAGES)
    warm.complete(MESSAGES)
    off = make_client(cache=False)
    off.complete(MESSAGES)
    off.complete(MESSAGES)
    assert len(httpserver.log) == 4


def test_choose_action_parses_and_maps_plain_completions(
    httpserver: HTTPServer, make_client: ClientFactory, ok
) -> None:
    answer = "Think: the apple is on the table\nAction: Take the apple 1."
    httpserver.expect_request(PATH).respond_with_json(ok(answer))
    choice = make_client().choose_action(MESSAGES, ["go to fridge 1", "take apple 1 from table 1", "look"])
    assert "grammar" not in httpserver.log[0][0].get_data(as_text=True)
    assert choice.command == "take apple 1 from table 1" and choice.mapped
    assert choice.thought == "the apple is on the table" and choice.error is None


def test_choose_action_on_failure_still_returns_an_admissible_command(
    httpserver: HTTPServer, make_client: ClientFactory
) -> None:
    httpserver.expect_request(PATH).respond_with_json({"error": {"message": "down"}}, status=502)
    choice = make_client(retries=0).choose_action(MESSAGES, ["go to fridge 1", "look"])
    assert choice.error is not None and choice.command == "look" and choice.mapped


def test_cost_from_price_table() -> None:
    prices = {"tiny": Price(prompt=2, completion=8)}
    client = LLMClient(ScriptedChatModel(lambda _: "one two"), name="openai:tiny", prices=prices)
    client.complete([HumanMessage("a b c d")])
    assert client.cost() == pytest.approx((4 * 2 + 2 * 8) / 1e6)
    assert LLMClient(ScriptedChatModel(lambda _: "x")).cost() is None


def test_per_call_max_tokens_reaches_the_server(httpserver: HTTPServer, make_client: ClientFactory, ok) -> None:
    httpserver.expect_request(PATH).respond_with_json(ok("long answer"))
    client = make_client()
    client.complete(MESSAGES, max_tokens=900)
    client.complete(MESSAGES)
    bodies = [json.loads(request.get_data()) for request, _ in httpserver.log]
    assert [b["max_tokens"] for b in bodies] == [900, 64]
    assert not any("max_completion_tokens" in b for b in bodies)
    with pytest.raises(ValueError, match="positive"):
        client.complete(MESSAGES, max_tokens=0)


def test_workspace_price_table_is_used_and_checked(tmp_path: Path) -> None:
    llm = LLMSettings(spec="openai:gpt-4o", api_key=KEY)
    assert LLMClient.from_settings(llm, tmp_path).prices == {}
    (tmp_path / "llm-prices.toml").write_text('["gpt-4o"]\nprompt = 2.5\ncompletion = 10\n')
    assert LLMClient.from_settings(llm, tmp_path).prices["gpt-4o"] == Price(prompt=2.5, completion=10)
    (tmp_path / "llm-prices.toml").write_text('["gpt-4o"]\nprompt = -1\ncompletion = 10\n')
    with pytest.raises(LLMConfigError, match=r"llm-prices\.toml"):
        LLMClient.from_settings(llm, tmp_path)
