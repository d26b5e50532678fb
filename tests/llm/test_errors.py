"""Error classification and redaction."""

from __future__ import annotations

import httpx

from msi_agent.llm.errors import describe, is_auth_error, is_retryable, redact, status_code


class APIStatusError(Exception):
    def __init__(self, status: int) -> None:
        super().__init__(f"status {status}")
        self.status_code = status


class SomeSDKConnectionError(Exception):
    pass


def test_classification() -> None:
    assert [is_retryable(APIStatusError(s)) for s in (408, 409, 429, 500, 503)] == [True] * 5
    assert [is_retryable(APIStatusError(s)) for s in (400, 401, 403, 404, 422)] == [False] * 5
    assert is_retryable(SomeSDKConnectionError()) and is_retryable(httpx.ReadTimeout("slow"))
    assert not is_retryable(ValueError("Expecting value"))
    assert is_auth_error(APIStatusError(401)) and is_auth_error(APIStatusError(403))
    response = httpx.Response(502, request=httpx.Request("POST", "http://x"))
    assert status_code(httpx.HTTPStatusError("bad gateway", request=response.request, response=response)) == 502


def test_redact_hides_the_key_and_its_tail() -> None:
    key = "sk-proj-ABCDEFGHIJKLMNOP"
    text = f"Incorrect API key provided: {key}; also sk-proj-****IJKLMNOP"
    out = redact(text, [key])
    assert key not in out and key[-8:] not in out
    assert redact("nothing to hide", [key, ""]) == "nothing to hide"


def test_describe_is_one_line_with_status() -> None:
    line = describe(APIStatusError(429), [])
    assert line == "rate limited: APIStatusError (HTTP 429): status 429"
    assert describe(APIStatusError(503)).startswith("server error")
    assert describe(APIStatusError(400)).startswith("request rejected")
    assert describe(httpx.ReadTimeout("slow")).startswith("timed out")
    assert describe(SomeSDKConnectionError("refused")).startswith("connection failed")
    assert describe(IndexError("list index out of range")).startswith("unreadable response")
    assert "\n" not in describe(ValueError("a\nb"), [])
