"""The scripted test double: deterministic replies and whitespace token counts."""

from __future__ import annotations

from typing import ClassVar

import pytest
from langchain_core.messages import AIMessage, HumanMessage, SystemMessage

from msi_agent.llm import LLMClient, ScriptedChatModel


def test_reply_is_computed_from_messages_and_usage_is_reported() -> None:
    model = ScriptedChatModel(lambda ms: f"saw {len(ms)} messages", name="counter")
    message = model.invoke([SystemMessage("be brief"), HumanMessage("one two three")])
    assert isinstance(message, AIMessage) and message.content == "saw 2 messages"
    assert message.usage_metadata is not None
    assert (message.usage_metadata["input_tokens"], message.usage_metadata["output_tokens"]) == (5, 3)
    assert model.name == "counter"


def test_a_respond_function_returning_non_text_becomes_a_recorded_error() -> None:
    client = LLMClient(ScriptedChatModel(lambda ms: None))  # type: ignore[arg-type, return-value]
    done = client.complete([HumanMessage("hi")])
    assert done.text == "" and done.error is not None and "expected str" in done.error


def test_client_refuses_an_empty_conversation() -> None:
    with pytest.raises(ValueError, match="at least one message"):
        LLMClient(ScriptedChatModel(lambda ms: "x")).complete([])


class _GrammarRecorder(ScriptedChatModel):
    """A scripted model that claims grammar support and records the call options it gets."""

    supports_grammar: ClassVar[bool] = True
    seen: ClassVar[list[dict]] = []

    def _generate(self, messages, stop=None, run_manager=None, **kwargs):  # type: ignore[override]
        self.seen.append(kwargs)
        return super()._generate(messages, stop, run_manager)


def test_complete_passes_a_grammar_only_to_backends_that_support_it() -> None:
    recorder = _GrammarRecorder(lambda _: "none")
    LLMClient(recorder).complete([HumanMessage("q")], grammar='root ::= "none"')
    assert recorder.seen[-1].get("grammar") == 'root ::= "none"'
    plain = ScriptedChatModel(lambda _: "none")
    done = LLMClient(plain).complete([HumanMessage("q")], grammar='root ::= "none"')
    assert done.text == "none" and done.error is None
