"""The OpenAI chat-completions wire format, for loopback servers in tests, benchmarks and examples.

Our LLM tests speak real HTTP to a server on 127.0.0.1; every such server needs the same two pieces: turning a
request body back into LangChain messages (to drive a scripted player) and writing a well-formed response body.
"""

from __future__ import annotations

from typing import Any

from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage

_ROLES = {"system": SystemMessage, "user": HumanMessage, "assistant": AIMessage}


def request_messages(body: dict[str, Any]) -> list[BaseMessage]:
    """The messages of a ``/v1/chat/completions`` request body as LangChain messages."""
    return [_ROLES[m["role"]](content=m["content"]) for m in body["messages"]]


def chat_completion(
    content: str,
    *,
    model: str = "test-model",
    prompt_tokens: int = 12,
    completion_tokens: int = 5,
    response_id: str = "chatcmpl-1",
) -> dict[str, Any]:
    """A ``/v1/chat/completions`` response body with one choice and the usage the client accounts from."""
    return {
        "id": response_id,
        "object": "chat.completion",
        "created": 0,
        "model": model,
        "choices": [{"index": 0, "finish_reason": "stop", "message": {"role": "assistant", "content": content}}],
        "usage": {
            "prompt_tokens": prompt_tokens,
            "completion_tokens": completion_tokens,
            "total_tokens": prompt_tokens + completion_tokens,
        },
    }
