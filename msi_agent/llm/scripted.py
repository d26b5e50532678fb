"""A deterministic chat model whose reply is computed by a function: the test double for every layer above.

It reports ``usage_metadata`` (whitespace-token counts) like a real provider, so accounting, caching and
episode budgets can be tested without a network or a model file.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatResult


def whitespace_tokens(text: str) -> int:
    return len(text.split())


def message_text(message: BaseMessage) -> str:
    """Plain text of a message whose content may be a string or a list of content blocks."""
    return str(message.text)


class ScriptedChatModel(BaseChatModel):
    """``ScriptedChatModel(lambda messages: "Think: …\\nAction: look")``."""

    respond: Callable[[list[BaseMessage]], str]

    def __init__(self, respond: Callable[[list[BaseMessage]], str], name: str = "scripted", **kwargs: Any) -> None:
        super().__init__(respond=respond, name=name, **kwargs)

    @property
    def _llm_type(self) -> str:
        return "scripted"

    @property
    def _identifying_params(self) -> dict[str, Any]:
        return {"name": self.name}

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        text = self.respond(messages)
        if not isinstance(text, str):
            raise TypeError(f"the respond function of {self.name!r} returned {type(text).__name__}, expected str")
        prompt = sum(whitespace_tokens(message_text(m)) for m in messages)
        completion = whitespace_tokens(text)
        usage = {"input_tokens": prompt, "output_tokens": completion, "total_tokens": prompt + completion}
        return ChatResult(generations=[ChatGeneration(message=AIMessage(content=text, usage_metadata=usage))])
