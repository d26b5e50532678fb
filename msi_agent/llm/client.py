"""``LLMClient``: the one door through which the agent, the insight generator and the selector reach an LLM.

It wraps a LangChain ``BaseChatModel`` with the response cache, one retry policy for every backend, a limit on the
requests in flight per endpoint (so a slow server's queue lives here, not in timeouts), token accounting, the call
journal (``journal``) and error capture. The model's or the network's failures come back as a ``Completion``
with ``error`` set and empty text (the caller records the work as errored); rejected credentials raise
``LLMAuthError``, since every later call would fail the same way.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import BaseMessage
from pydantic import BaseModel, ConfigDict, SecretStr

from msi_agent.config import LLMSettings
from msi_agent.llm import journal
from msi_agent.llm.accounting import PRICES_FILE, Ledger, PriceTable, cost, load_prices, price_for
from msi_agent.llm.actions import (
    MAX_THOUGHT_CHARS,
    action_grammar,
    grammar_token_budget,
    map_to_admissible,
    parse_reply,
)
from msi_agent.llm.backends import chat_model, max_tokens_option
from msi_agent.llm.cache import CACHE_FILE, CachedResponse, ResponseCache, cache_key
from msi_agent.llm.errors import LLMAuthError, LLMConfigError, describe, is_auth_error
from msi_agent.llm.journal import CallRecord
from msi_agent.llm.retry import GaveUp, Retrier, RetryPolicy
from msi_agent.llm.scripted import message_text
from msi_agent.records import TokenUsage, new_id


class Completion(BaseModel):
    model_config = ConfigDict(extra="forbid")
    text: str
    usage: TokenUsage
    call_id: str
    """Id of the LLM call that produced ``text`` (on a cache hit: the original call), for provenance."""
    cached: bool = False
    error: str | None = None
    attempts: int = 0
    """HTTP/model requests made for this call, retries included (0 on a cache hit)."""


class ActionChoice(BaseModel):
    model_config = ConfigDict(extra="forbid")
    thought: str
    command: str
    """Always one of the admissible commands."""
    raw: str
    mapped: bool
    """True when ``command`` is not verbatim what the model wrote (see ``actions.map_to_admissible``)."""
    usage: TokenUsage
    call_id: str
    cached: bool = False
    error: str | None = None


def _secrets_of(model: BaseChatModel) -> list[str]:
    """Every SecretStr a model holds (API keys), so no error message we build can leak one."""
    values = (getattr(model, name, None) for name in type(model).model_fields)
    return [v.get_secret_value() for v in values if isinstance(v, SecretStr) and v.get_secret_value()]


def endpoint_of(model: BaseChatModel) -> str | None:
    """The URL a model sends its requests to, without credentials or query (safe for messages), if it has one."""
    for name in ("openai_api_base", "base_url", "api_base", "endpoint"):
        url = getattr(model, name, None)
        if isinstance(url, str) and url:
            parts = urlsplit(url)
            host = parts.hostname or ""
            host = f"[{host}]" if ":" in host else host
            netloc = f"{host}:{parts.port}" if parts.port else host
            return urlunsplit((parts.scheme, netloc, parts.path, "", ""))
    return None


_SLOTS: dict[tuple[str, int], threading.BoundedSemaphore] = {}
_SLOTS_LOCK = threading.Lock()


def _slots_for(endpoint: str, limit: int | None) -> AbstractContextManager[Any]:
    """The process-wide semaphore of ``endpoint`` at ``limit`` requests in flight (no limit: a no-op)."""
    if limit is None:
        return nullcontext()
    if limit < 1:
        raise ValueError(f"max_concurrency must be >= 1, got {limit}")
    with _SLOTS_LOCK:
        return _SLOTS.setdefault((endpoint, limit), threading.BoundedSemaphore(limit))


def _usage_of(message: BaseMessage) -> tuple[int, int]:
    meta = getattr(message, "usage_metadata", None) or {}
    return int(meta.get("input_tokens", 0)), int(meta.get("output_tokens", 0))


class LLMClient:
    def __init__(
        self,
        model: BaseChatModel,
        *,
        name: str | None = None,
        cache: ResponseCache | None = None,
        retry: RetryPolicy | None = None,
        prices: PriceTable | None = None,
        temperature: float | None = None,
        sleep: Callable[[float], None] = time.sleep,
        max_concurrency: int | None = None,
    ) -> None:
        """``temperature`` defaults to the model's own; answers are cached only when it is 0.

        A model without a ``temperature`` field is taken as deterministic (e.g. ``ScriptedChatModel``).
        ``max_concurrency`` bounds the calls in flight to this client's endpoint, shared by every client of the
        process with the same endpoint and limit; a call holds its slot through its retries.
        """
        self.model = model
        self.name = name or model._llm_type
        self.cache = cache
        self.prices = prices or {}
        self.temperature = temperature if temperature is not None else getattr(model, "temperature", 0.0)
        self._retrier = Retrier(retry or RetryPolicy(), sleep=sleep)
        self._secrets = _secrets_of(model)
        self.endpoint = endpoint_of(model)
        """Where requests go (named in every error), or None for an in-process model."""
        self._slots = _slots_for(self.endpoint or f"in-process {self.name}", max_concurrency)
        self._ledger = Ledger()
        self.cache_namespace = ""
        """Part of every cache key: a run started with ``--fresh`` gets its own, so no earlier answer is reused."""

    @classmethod
    def from_settings(
        cls,
        llm: LLMSettings,
        workspace: Path | None,
        *,
        spec: str | None = None,
        prices: PriceTable | None = None,
        retry: RetryPolicy | None = None,
        max_concurrency: int | None = None,
        **options: Any,
    ) -> LLMClient:
        """Client for ``spec`` (default ``llm.spec``), caching in ``workspace/llm-cache.sqlite`` if ``llm.cache``.

        Requests in flight are bounded by ``llm.max_concurrency``, else by ``max_concurrency`` (the pipeline
        passes its worker count), else not at all.

        Prices default to ``workspace/llm-prices.toml`` when that file exists (see ``accounting.PRICES_FILE``).

        The SDK's own retries are turned off (``max_retries=0`` to the backend) so that only this client's
        policy (default: ``llm.max_retries`` with exponential backoff) applies and no call is retried twice over.
        """
        spec = spec or llm.spec
        model = chat_model(spec, settings=llm.model_copy(update={"max_retries": 0}), **options)
        cache = ResponseCache(Path(workspace) / CACHE_FILE) if llm.cache and workspace is not None else None
        if prices is None and workspace is not None and (Path(workspace) / PRICES_FILE).is_file():
            try:
                prices = load_prices(Path(workspace) / PRICES_FILE)
            except ValueError as exc:
                raise LLMConfigError(str(exc)) from None
        retry = retry or RetryPolicy(
            max_retries=llm.max_retries, max_timeout_retries=llm.timeout_retries, deadline=llm.deadline
        )
        limit = llm.max_concurrency or max_concurrency
        return cls(model, name=spec, cache=cache, retry=retry, prices=prices, max_concurrency=limit)

    @property
    def _where(self) -> str:
        return f"{self.name} at {self.endpoint}" if self.endpoint else self.name

    @property
    def caching(self) -> bool:
        return self.cache is not None and self.temperature == 0

    @property
    def usage(self) -> TokenUsage:
        """Running total over every call made through this client."""
        return self._ledger.total

    def usage_by_purpose(self) -> dict[str, TokenUsage]:
        return self._ledger.by_purpose()

    def cost(self) -> float | None:
        """USD estimate for the running total, or None when the price table has no entry for this model."""
        price = price_for(self.name, self.prices)
        return cost(self.usage, price) if price else None

    @property
    def supports_grammar(self) -> bool:
        """True when the backend constrains decoding with a GBNF grammar (the local llama.cpp model)."""
        return bool(getattr(self.model, "supports_grammar", False))

    def complete(
        self,
        messages: list[BaseMessage],
        *,
        purpose: str = "",
        max_tokens: int | None = None,
        grammar: str | None = None,
        cache: bool = True,
    ) -> Completion:
        """One reply. ``max_tokens`` overrides the configured cap for this call (e.g. long insight updates);
        ``grammar`` (GBNF) constrains the reply where the backend supports it and is ignored elsewhere;
        ``cache=False`` asks the model even when the cache holds an answer (and stores nothing)."""
        if max_tokens is not None and max_tokens <= 0:
            raise ValueError(f"max_tokens must be positive, got {max_tokens}")
        extra = max_tokens_option(self.model, max_tokens) if max_tokens else {}
        if grammar is not None and self.supports_grammar:
            extra["grammar"] = grammar
        return self._complete(messages, purpose, extra, use_cache=cache)

    def choose_action(
        self,
        messages: list[BaseMessage],
        admissible: list[str],
        *,
        purpose: str = "action",
        think: bool = True,
        cache: bool = True,
    ) -> ActionChoice:
        """The next command, always admissible: grammar-constrained where the backend can, else parsed and mapped.

        The prompt should ask for ``actions.REPLY_FORMAT`` (``ACT_FORMAT`` with ``think=False``). A backend whose
        class sets ``supports_grammar = True`` gets ``grammar=<GBNF>`` and ``max_tokens=<a budget the grammar
        always fits>`` as call options. On a failed call ``error`` is set and ``command`` is a harmless fallback
        (``look``/``inventory`` when admissible).
        """
        if not admissible:
            raise ValueError("choose_action needs at least one admissible command")
        extra: dict[str, Any] = {}
        if self.supports_grammar:
            extra = {
                "grammar": action_grammar(admissible, think=think),
                "max_tokens": grammar_token_budget(admissible, think=think),
            }
        done = self._complete(messages, purpose, extra, use_cache=cache)
        parsed = parse_reply(done.text)
        choice = map_to_admissible(parsed.action, admissible, context=done.text)
        thought = parsed.thought
        if len(thought) > MAX_THOUGHT_CHARS:
            thought = thought[: MAX_THOUGHT_CHARS - 1].rstrip() + "…"
        return ActionChoice(
            thought=thought,
            command=choice.command,
            raw=done.text,
            mapped=choice.mapped,
            usage=done.usage,
            call_id=done.call_id,
            cached=done.cached,
            error=done.error,
        )

    def _identity(self, messages: list[BaseMessage], extra: dict[str, Any]) -> dict[str, Any]:
        return {
            "model": self.name,
            "type": self.model._llm_type,
            "params": self.model._identifying_params,
            "endpoint": self.endpoint,
            "temperature": self.temperature,
            "call": extra,
            "messages": [[m.type, m.content, m.name] for m in messages],
        } | ({"cache_namespace": self.cache_namespace} if self.cache_namespace else {})

    def _complete(
        self, messages: list[BaseMessage], purpose: str, extra: dict[str, Any], *, use_cache: bool = True
    ) -> Completion:
        if not messages:
            raise ValueError("an LLM call needs at least one message")
        started = time.perf_counter()
        key = cache_key(self._identity(messages, extra)) if self.caching and use_cache else None
        if key is not None and self.cache is not None and (hit := self.cache.get(key)) is not None:
            usage = TokenUsage(
                prompt_tokens=hit.prompt_tokens,
                completion_tokens=hit.completion_tokens,
                cached_prompt_tokens=hit.prompt_tokens,
                cached_completion_tokens=hit.completion_tokens,
                cached_calls=1,
            )
            result = Completion(text=hit.text, usage=usage, call_id=hit.call_id, cached=True)
        else:
            result = self._ask(messages, extra, key)
        self._ledger.add(result.usage, purpose)
        if journal.active():
            journal.report(
                CallRecord(
                    call_id=result.call_id,
                    purpose=purpose,
                    messages=messages,
                    reply=result.text,
                    usage=result.usage,
                    cached=result.cached,
                    error=result.error,
                    attempts=result.attempts,
                    seconds=time.perf_counter() - started,
                )
            )
        return result

    def _ask(self, messages: list[BaseMessage], extra: dict[str, Any], key: str | None) -> Completion:
        """One call to the model with retries; stored in the cache under ``key`` when given."""
        call_id = new_id()
        try:
            with self._slots:
                message, attempts = self._retrier.call(lambda: self.model.invoke(messages, **extra))
        except GaveUp as failure:
            reason = describe(failure.error, self._secrets)
            why = f"; {failure.why}" if failure.why else ""
            if is_auth_error(failure.error):
                raise LLMAuthError(
                    f"{self._where}: the server rejected the credentials — {reason}. "
                    "Check the API key (OPENAI_API_KEY or llm.api_key / MSI_LLM__API_KEY) and llm.base_url."
                ) from None
            return Completion(
                text="",
                usage=TokenUsage(calls=1),
                call_id=call_id,
                error=f"{self._where}: {reason} (after {failure.attempts} attempt(s){why})",
                attempts=failure.attempts,
            )
        prompt_tokens, completion_tokens = _usage_of(message)
        text = message_text(message)
        usage = TokenUsage(prompt_tokens=prompt_tokens, completion_tokens=completion_tokens, calls=1)
        if key is not None and self.cache is not None:
            response = CachedResponse(
                text=text, prompt_tokens=prompt_tokens, completion_tokens=completion_tokens, call_id=call_id
            )
            self.cache.put(key, response)
        return Completion(text=text, usage=usage, call_id=call_id, attempts=attempts)

    def close(self) -> None:
        if self.cache is not None:
            self.cache.close()
