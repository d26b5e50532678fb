"""``chat_model(spec)``: one string picks the LLM, and any LangChain ``BaseChatModel`` is a valid backend.

Spec forms, tried in this order:

- ``NAME`` or ``NAME:ARG`` for a registered backend: ``local`` / ``local:PATH.gguf`` (llama.cpp in-process),
  ``openai:MODEL`` (OpenAI, or any OpenAI-compatible server through ``llm.base_url``: vLLM, llama.cpp's server,
  Ollama's /v1, LM Studio), and whatever third parties register in the entry-point group ``msi_agent.llms``.
  A backend factory is called as ``factory(ARG or None, settings=LLMSettings, **options)``.
- ``package.module:factory`` when that module imports and has that attribute: ``factory(**options)``.
- ``provider:model`` for any provider LangChain's ``init_chat_model`` knows (``anthropic:…``, ``ollama:…``).
"""

from __future__ import annotations

import importlib.util
import os
from typing import Any

from langchain_core.language_models import BaseChatModel

from msi_agent.config import LLMSettings
from msi_agent.llm.errors import LLMConfigError, redact
from msi_agent.registry import Registry, UnknownPluginError

ENTRY_POINT_GROUP = "msi_agent.llms"
KEYLESS = "not-needed"
"""Key sent to an OpenAI-compatible server given by ``base_url`` when no key is configured (they ignore it)."""

llm_backends: Registry[BaseChatModel] = Registry("LLM backend", ENTRY_POINT_GROUP)
llm_backends.register("local", "msi_agent.llm.local:local_model")
llm_backends.register("openai", "msi_agent.llm.backends:openai_model")


def _secret(settings: LLMSettings) -> str | None:
    return settings.api_key.get_secret_value() if settings.api_key else None


def openai_model(model: str | None, *, settings: LLMSettings, **options: Any) -> BaseChatModel:
    """``openai:MODEL`` through langchain-openai; ``settings.base_url`` retargets it at any compatible server."""
    if not model:
        raise LLMConfigError("the openai backend needs a model name, e.g. openai:gpt-4o-mini")
    key = _secret(settings) or os.environ.get("OPENAI_API_KEY")
    if not key:
        if not settings.base_url:
            raise LLMConfigError(
                f"openai:{model} needs an API key: set OPENAI_API_KEY or llm.api_key (env MSI_LLM__API_KEY); "
                "for a local OpenAI-compatible server give llm.base_url (--base-url) instead"
            )
        key = KEYLESS
    from langchain_openai import ChatOpenAI

    params: dict[str, Any] = {
        "model": model,
        "api_key": key,
        "base_url": settings.base_url,
        "temperature": settings.temperature,
        "max_tokens": settings.max_tokens,
        "timeout": settings.timeout,
        "max_retries": settings.max_retries,
    }
    if settings.base_url:
        # langchain-openai sends OpenAI's newer ``max_completion_tokens``; compatible servers (llama.cpp, Ollama,
        # older vLLM) know the classic ``max_tokens``, so send that one instead.
        params |= {"max_tokens": None, "extra_body": {"max_tokens": settings.max_tokens}}
    return ChatOpenAI(**(params | options))


def max_tokens_option(model: BaseChatModel, n: int) -> dict[str, Any]:
    """Call options capping one reply at ``n`` tokens, in the field this backend's server reads."""
    extra = getattr(model, "extra_body", None)
    if isinstance(extra, dict) and "max_tokens" in extra:  # see openai_model: compatible servers
        return {"extra_body": extra | {"max_tokens": n}}
    return {"max_tokens": n}


def _factory(module: str, attr: str) -> Any:
    """The callable ``module:attr`` if that module exists and has it; None sends the spec on to the provider route."""
    if not attr.isidentifier():
        return None
    try:
        if importlib.util.find_spec(module) is None:
            return None
    except (ImportError, ValueError):  # a parent package is missing
        return None
    factory = getattr(importlib.import_module(module), attr, None)
    return factory if callable(factory) else None


def _field_names(model: BaseChatModel) -> set[str]:
    names: set[str] = set()
    for name, info in type(model).model_fields.items():
        names |= {name} | {a for a in (info.alias, info.validation_alias) if isinstance(a, str)}
    return names


def _provider_model(provider: str, model: str, settings: LLMSettings, options: dict[str, Any]) -> BaseChatModel:
    """Through ``init_chat_model``; max_tokens/timeout/max_retries go only to classes that declare them."""
    from langchain.chat_models import init_chat_model

    base: dict[str, Any] = {"temperature": settings.temperature}
    if key := _secret(settings):
        base["api_key"] = key
    if settings.base_url:
        base["base_url"] = settings.base_url
    tuning = {"max_tokens": settings.max_tokens, "timeout": settings.timeout, "max_retries": settings.max_retries}
    try:
        chat = init_chat_model(model, model_provider=provider, **(base | options))
        accepted = {k: v for k, v in tuning.items() if k in _field_names(chat) and k not in options}
        if accepted:
            chat = init_chat_model(model, model_provider=provider, **(base | accepted | options))
        return chat
    except ImportError as exc:  # LangChain's message names the integration package to pip install
        raise LLMConfigError(f"LLM spec '{provider}:{model}': {exc}") from None
    except ValueError as exc:
        raise LLMConfigError(
            f"LLM spec '{provider}:{model}' is not usable: {redact(str(exc), [key or ''])}\n"
            f"registered backends: {', '.join(llm_backends.names())}; or package.module:factory"
        ) from None


def chat_model(spec: str, *, settings: LLMSettings | None = None, **options: Any) -> BaseChatModel:
    """The chat model named by ``spec``; ``settings`` supplies key, endpoint, temperature, timeout, retries.

    Raises ``LLMConfigError`` (with what to change) for an unknown spec, a missing key, package or model file.
    """
    settings = settings or LLMSettings(spec=spec)
    name, sep, arg = spec.strip().partition(":")
    if not name:
        raise LLMConfigError(f"empty LLM spec {spec!r}; use local, openai:MODEL, provider:model or module:factory")
    try:
        if name in llm_backends:
            model = llm_backends.factory(name)(arg or None, settings=settings, **options)
        elif sep and (factory := _factory(name, arg)) is not None:
            model = factory(**options)
        elif sep:
            model = _provider_model(name, arg, settings, options)
        else:
            raise UnknownPluginError(
                f"unknown LLM spec {spec!r}; registered backends: {', '.join(llm_backends.names())} "
                f"(third-party backends register in the entry-point group {ENTRY_POINT_GROUP!r}); "
                "or provider:model (anthropic:…, ollama:…) or package.module:factory"
            )
    except (UnknownPluginError, ImportError) as exc:
        raise LLMConfigError(str(exc)) from None
    if not isinstance(model, BaseChatModel):
        raise LLMConfigError(f"LLM spec {spec!r} gave a {type(model).__name__}, not a LangChain BaseChatModel")
    return model
