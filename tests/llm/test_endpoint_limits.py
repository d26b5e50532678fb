"""Against a real loopback server: a hung server costs two timeouts, not every retry's; a single-slot server is
queued for in the client (``max_concurrency``) instead of timing out; errors name the endpoint URL, never the key."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from langchain_core.messages import HumanMessage

from msi_agent.config import LLMSettings
from msi_agent.llm import LLMClient, RetryPolicy
from tests.pipeline.faulty_server import FaultyServer

KEY = "sk-test-SECRET-0123456789abcdef"


def _client(server: FaultyServer, tmp_path: Path, *, timeout: float, **settings: object) -> LLMClient:
    llm = LLMSettings(spec="openai:m", base_url=server.base_url, api_key=KEY, timeout=timeout, cache=False, **settings)
    policy = RetryPolicy(llm.max_retries, base_delay=0.01, max_delay=0.02, max_timeout_retries=llm.timeout_retries)
    return LLMClient.from_settings(llm, tmp_path, retry=policy)


def test_a_hung_server_costs_two_timeouts_and_names_the_url(tmp_path: Path) -> None:
    server = FaultyServer(lambda m: "never")
    server.mode = "hang"
    try:
        client = _client(server, tmp_path, timeout=0.5, max_retries=4)
        started = time.monotonic()
        done = client.complete([HumanMessage("hello")])
        elapsed = time.monotonic() - started
    finally:
        server.close()
    assert server.requests == 2 and 1.0 <= elapsed < 2.5  # the first timeout and one retry, not five
    assert done.error is not None and f"openai:m at {server.base_url}: timed out" in done.error
    assert "timeouts are retried 1 time(s)" in done.error and KEY not in done.error and KEY[-8:] not in done.error


def test_a_single_slot_server_is_queued_for_in_the_client(tmp_path: Path) -> None:
    server = FaultyServer(lambda m: "ok", slots=1, delay=0.25)

    def burst(client: LLMClient) -> list[str | None]:
        with ThreadPoolExecutor(8) as pool:
            return list(pool.map(lambda i: client.complete([HumanMessage(f"call {i}")]).error, range(8)))

    try:
        queued = burst(_client(server, tmp_path, timeout=1.0, max_concurrency=1))
        assert queued == [None] * 8 and server.requests == 8 and server.peak == 1
        server.requests = 0
        flooded = burst(_client(server, tmp_path, timeout=1.0, max_retries=1))  # no limit: the server's queue
    finally:
        server.close()
    assert server.requests > 8 and any(e and "timed out" in e for e in flooded)  # timed out, retried while busy
