"""Error types and the classification that decides what is retried, what is recorded and what stops a run.

Two kinds of failure, kept apart on purpose: the model's or the network's (rate limits, 5xx, timeouts, bad
responses) become a recorded failure of one call; ours or the user's (unknown spec, missing key or package,
rejected credentials) raise ``LLMConfigError`` so a run does not grind through hundreds of doomed calls.
"""

from __future__ import annotations

from collections.abc import Iterable

import httpx

RETRYABLE_STATUS = frozenset({408, 409, 429})
AUTH_STATUS = frozenset({401, 403})


class LLMConfigError(ValueError):
    """The LLM is misconfigured (spec, key, package, model file); the message says what to change."""


class LLMAuthError(LLMConfigError):
    """The server rejected the credentials (HTTP 401/403); raised at call time since only the server can tell."""


def status_code(exc: BaseException) -> int | None:
    """HTTP status carried by an SDK error (openai, anthropic, httpx), if any."""
    code = getattr(exc, "status_code", None)
    if code is None:
        code = getattr(getattr(exc, "response", None), "status_code", None)
    return code if isinstance(code, int) else None


def is_connection_error(exc: BaseException) -> bool:
    """Connection refused/reset or timed out, whichever SDK wrapped it."""
    if isinstance(exc, ConnectionError | TimeoutError | httpx.TransportError):
        return True
    return any("Connection" in c.__name__ or "Timeout" in c.__name__ for c in type(exc).__mro__)


def is_retryable(exc: BaseException) -> bool:
    code = status_code(exc)
    if code is not None:
        return code in RETRYABLE_STATUS or code >= 500
    return is_connection_error(exc)


def is_timeout(exc: BaseException) -> bool:
    """The request timed out (the server may still be computing it)."""
    return isinstance(exc, TimeoutError) or any("Timeout" in c.__name__ for c in type(exc).__mro__)


def is_auth_error(exc: BaseException) -> bool:
    return status_code(exc) in AUTH_STATUS


def redact(text: str, secrets: Iterable[str]) -> str:
    """Replace every secret (and its visible tail, which servers like to echo) with ``***``."""
    for secret in secrets:
        if secret and len(secret) >= 4:
            text = text.replace(secret, "***")
            if len(secret) >= 12:
                text = text.replace(secret[-8:], "***")
    return text


def failure_kind(exc: BaseException) -> str:
    """A few words a user can act on: whose side failed and how."""
    code = status_code(exc)
    if code is not None:
        return "rate limited" if code == 429 else "server error" if code >= 500 else "request rejected"
    if is_connection_error(exc):
        return "timed out" if is_timeout(exc) else "connection failed"
    return "unreadable response"


def describe(exc: BaseException, secrets: Iterable[str] = ()) -> str:
    """One readable line: kind of failure, error type, HTTP status when known, message; secrets removed."""
    code = status_code(exc)
    status = f" (HTTP {code})" if code is not None else ""
    message = " ".join(str(exc).split()) or "no message"
    return redact(f"{failure_kind(exc)}: {type(exc).__name__}{status}: {message}"[:2000], list(secrets))
