"""Bounded retries with exponential backoff and jitter, the same for every backend.

Provider SDKs retry differently (or not at all), so the client turns theirs off and applies this one policy;
tests can then prove the schedule by injecting ``sleep``, ``rng`` and ``clock``. A timeout is retried at most
``max_timeout_retries`` times (a server that timed out is likely still computing the abandoned request, and a
hung one would otherwise cost every retry's full timeout), and no retry starts past the call's ``deadline``.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

from msi_agent.llm.errors import is_retryable, is_timeout

T = TypeVar("T")

MAX_RETRY_AFTER = 60.0
"""A server's Retry-After longer than this is ignored (we back off on our own schedule instead)."""


@dataclass(frozen=True)
class RetryPolicy:
    max_retries: int = 4
    base_delay: float = 0.5
    max_delay: float = 20.0
    max_timeout_retries: int = 1
    deadline: float | None = None
    """Seconds for the whole call, retries and waits included; None: no limit beyond the retry counts."""

    def __post_init__(self) -> None:
        if self.max_retries < 0 or self.base_delay < 0 or self.max_delay < self.base_delay:
            raise ValueError(f"invalid retry policy {self}: need max_retries >= 0 and 0 <= base_delay <= max_delay")
        if self.max_timeout_retries < 0 or (self.deadline is not None and self.deadline <= 0):
            raise ValueError(f"invalid retry policy {self}: need max_timeout_retries >= 0 and a positive deadline")

    def delay(self, retry: int, rng: random.Random, retry_after: float | None = None) -> float:
        """Seconds before retry number ``retry`` (0-based): base·2^retry capped, scaled by a jitter in [0.5, 1)."""
        if retry_after is not None and 0 <= retry_after <= MAX_RETRY_AFTER:
            return retry_after
        return min(self.max_delay, self.base_delay * 2**retry) * (0.5 + rng.random() / 2)


def retry_after_seconds(exc: BaseException) -> float | None:
    """The server's ``Retry-After`` (seconds) or ``retry-after-ms`` header, if the error carries a response."""
    headers = getattr(getattr(exc, "response", None), "headers", None)
    if not headers:
        return None
    try:
        if (ms := headers.get("retry-after-ms")) is not None:
            return float(ms) / 1000
        if (s := headers.get("retry-after")) is not None:
            return float(s)
    except (TypeError, ValueError):
        return None  # an HTTP-date or garbage: fall back to our own schedule
    return None


@dataclass
class Retrier:
    policy: RetryPolicy
    sleep: Callable[[float], None] = time.sleep
    rng: random.Random = field(default_factory=random.Random)
    clock: Callable[[], float] = time.monotonic

    def call(self, fn: Callable[[], T]) -> tuple[T, int]:
        """``fn()`` and the number of attempts it took; ``GaveUp`` (wrapping the last error) once retries are spent."""
        policy, start = self.policy, self.clock()
        attempt = timeouts = 0
        while True:
            attempt += 1
            try:
                return fn(), attempt
            except Exception as exc:
                timeouts += is_timeout(exc)
                if attempt > policy.max_retries or not is_retryable(exc):
                    raise GaveUp(exc, attempt) from exc
                if timeouts > policy.max_timeout_retries:
                    raise GaveUp(exc, attempt, f"timeouts are retried {policy.max_timeout_retries} time(s)") from exc
                delay = policy.delay(attempt - 1, self.rng, retry_after_seconds(exc))
                if policy.deadline is not None and self.clock() - start + delay >= policy.deadline:
                    raise GaveUp(exc, attempt, f"the call's deadline of {policy.deadline:g} s was reached") from exc
                self.sleep(delay)


class GaveUp(Exception):
    """The call failed for good: ``error`` is the last failure, ``attempts`` how many requests were made."""

    def __init__(self, error: Exception, attempts: int, why: str = "") -> None:
        super().__init__(f"gave up after {attempts} attempt(s){f' ({why})' if why else ''}: {error}")
        self.error = error
        self.attempts = attempts
        self.why = why
        """Why retrying stopped before the retry count did (timeouts, deadline); empty otherwise."""
