"""The retry schedule (exponential, jittered, capped, Retry-After) and what gets retried."""

from __future__ import annotations

import random

import httpx
import pytest

from msi_agent.llm.retry import GaveUp, Retrier, RetryPolicy, retry_after_seconds


class StatusError(Exception):
    def __init__(self, status: int, headers: dict[str, str] | None = None) -> None:
        super().__init__(f"HTTP {status}")
        self.status_code = status
        self.response = httpx.Response(status, headers=headers or {})


def flaky(failures: list[Exception], result: str = "ok"):
    calls = {"n": 0}

    def fn() -> str:
        calls["n"] += 1
        if failures:
            raise failures.pop(0)
        return result

    return fn, calls


def test_backoff_doubles_with_jitter_and_is_capped() -> None:
    policy = RetryPolicy(max_retries=8, base_delay=0.5, max_delay=4.0)
    rng = random.Random(7)
    for retry in range(8):
        nominal = min(4.0, 0.5 * 2**retry)
        delays = [policy.delay(retry, rng) for _ in range(50)]
        assert all(nominal / 2 <= d < nominal for d in delays)
        assert len(set(delays)) > 1  # jittered, so concurrent clients do not retry in lockstep


def test_retry_after_header_is_honoured_when_sane() -> None:
    rng = random.Random(0)
    policy = RetryPolicy(base_delay=0.5)
    assert policy.delay(0, rng, retry_after_seconds(StatusError(429, {"retry-after": "3"}))) == 3.0
    assert policy.delay(0, rng, retry_after_seconds(StatusError(429, {"retry-after-ms": "20"}))) == 0.02
    assert policy.delay(0, rng, retry_after_seconds(StatusError(429, {"retry-after": "3600"}))) < 0.5
    assert retry_after_seconds(StatusError(429, {"retry-after": "Wed, 21 Oct 2015 07:28:00 GMT"})) is None


def test_retries_429_5xx_and_connection_errors_then_succeeds() -> None:
    slept: list[float] = []
    failures: list[Exception] = [StatusError(429), StatusError(502), httpx.ConnectError("refused"), TimeoutError()]
    fn, calls = flaky(failures)
    retrier = Retrier(RetryPolicy(max_retries=4, base_delay=1.0, max_delay=100), sleep=slept.append)
    assert retrier.call(fn) == ("ok", 5)
    assert calls["n"] == 5
    assert len(slept) == 4
    assert all(0.5 * 2**i <= s < 2**i for i, s in enumerate(slept))


@pytest.mark.parametrize("error", [StatusError(400), StatusError(401), StatusError(404), ValueError("bad json")])
def test_client_errors_and_bad_responses_are_not_retried(error: Exception) -> None:
    fn, calls = flaky([error])
    with pytest.raises(GaveUp) as info:
        Retrier(RetryPolicy(max_retries=5), sleep=lambda _: None).call(fn)
    assert calls["n"] == 1 and info.value.attempts == 1 and info.value.error is error


def test_gives_up_after_max_retries() -> None:
    fn, calls = flaky([StatusError(503) for _ in range(10)])
    with pytest.raises(GaveUp) as info:
        Retrier(RetryPolicy(max_retries=2), sleep=lambda _: None).call(fn)
    assert calls["n"] == 3 and info.value.attempts == 3


def test_invalid_policy_is_rejected() -> None:
    with pytest.raises(ValueError, match="max_retries"):
        RetryPolicy(max_retries=-1)


def test_a_timeout_is_retried_once_by_default() -> None:
    fn, calls = flaky([httpx.ReadTimeout("slow")] * 5)
    slept: list[float] = []
    with pytest.raises(GaveUp) as info:
        Retrier(RetryPolicy(max_retries=4, base_delay=0.1, max_delay=0.1), sleep=slept.append).call(fn)
    assert calls["n"] == 2 and len(slept) == 1 and "timeouts are retried 1 time(s)" in info.value.why
    fn, calls = flaky([httpx.ReadTimeout("slow"), StatusError(503), httpx.ReadTimeout("slow"), StatusError(503)])
    assert Retrier(RetryPolicy(max_retries=4, max_timeout_retries=2), sleep=lambda s: None).call(fn) == ("ok", 5)


def test_no_retry_starts_past_the_deadline() -> None:
    now = [0.0]

    def sleep(seconds: float) -> None:
        now[0] += seconds

    fn, calls = flaky([StatusError(500)] * 20)
    policy = RetryPolicy(max_retries=20, base_delay=1.0, max_delay=1.0, deadline=5.0)
    with pytest.raises(GaveUp) as info:
        Retrier(policy, sleep=sleep, clock=lambda: now[0], rng=random.Random(1)).call(fn)
    assert now[0] < 5.0 and 5 <= calls["n"] <= 11  # waits of 0.5-1 s each, none crossing the deadline
    assert "deadline of 5 s" in info.value.why
    with pytest.raises(ValueError, match="deadline"):
        RetryPolicy(deadline=0)
