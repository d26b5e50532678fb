"""The call journal: every LLM call made while ``recording(sink, scope, item)`` is active is handed to ``sink``.

``LLMClient`` reports each call — the messages as sent, the raw reply, usage, error, retries — to the sink of the
current context, so a pipeline stage can keep what the model saw and what it cost in its run folder without the
agent, the generator or the selector passing a log around. The context is per thread: set it inside the thread
that makes the calls (``contextvars`` are not inherited by pool threads).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Protocol

from langchain_core.messages import BaseMessage

from msi_agent.records import TokenUsage

ROLES = {"system": "system", "human": "user", "ai": "assistant", "tool": "tool"}
"""LangChain message types → the chat-completions roles a server receives."""


def wire_messages(messages: list[BaseMessage]) -> list[tuple[str, str]]:
    """(role, content) per message, content as the server receives it (structured content as compact JSON)."""
    out = []
    for m in messages:
        content = m.content if isinstance(m.content, str) else json.dumps(m.content, ensure_ascii=False)
        out.append((ROLES.get(m.type, m.type), content))
    return out


@dataclass(frozen=True, slots=True)
class CallRecord:
    call_id: str
    purpose: str
    messages: list[BaseMessage]
    reply: str
    usage: TokenUsage
    cached: bool
    error: str | None
    attempts: int
    seconds: float


class CallSink(Protocol):
    def record(self, call: CallRecord, *, scope: str, item: str | None) -> None:
        """Keep one call; must be thread-safe and fast (it runs on every call)."""


@dataclass(frozen=True, slots=True)
class _Recording:
    sink: CallSink
    scope: str
    item: str | None


_current: ContextVar[_Recording | None] = ContextVar("msi_agent_llm_recording", default=None)


@contextmanager
def recording(sink: CallSink, scope: str, item: str | None = None) -> Iterator[None]:
    """Send the calls this thread makes to ``sink`` under ``scope`` (a stage or condition) and ``item`` (an
    episode id, …) until the block ends."""
    token = _current.set(_Recording(sink, scope, item))
    try:
        yield
    finally:
        _current.reset(token)


def report(call: CallRecord) -> None:
    """Hand ``call`` to the active sink, if any (called by ``LLMClient``)."""
    active = _current.get()
    if active is not None:
        active.sink.record(call, scope=active.scope, item=active.item)


def active() -> bool:
    return _current.get() is not None
