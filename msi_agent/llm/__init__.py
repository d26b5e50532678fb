"""Pluggable LLM backends. The plugin interface is LangChain's ``BaseChatModel``.

- ``chat_model(spec)`` builds the model a spec names (``local``, ``openai:MODEL``, ``provider:model``, …).
- ``LLMClient`` adds cache, retries, accounting and error capture; every LLM request of the framework goes
  through one. ``choose_action`` returns an admissible command whatever the model writes.
- ``ScriptedChatModel`` is the deterministic test double.
"""

from msi_agent.llm.accounting import Price, PriceTable
from msi_agent.llm.actions import ACT_FORMAT, REPLY_FORMAT, action_grammar, map_to_admissible, parse_reply
from msi_agent.llm.backends import ENTRY_POINT_GROUP, chat_model, llm_backends
from msi_agent.llm.cache import ResponseCache
from msi_agent.llm.client import ActionChoice, Completion, LLMClient
from msi_agent.llm.errors import LLMAuthError, LLMConfigError
from msi_agent.llm.retry import RetryPolicy
from msi_agent.llm.scripted import ScriptedChatModel

__all__ = [
    "ACT_FORMAT",
    "ENTRY_POINT_GROUP",
    "REPLY_FORMAT",
    "ActionChoice",
    "Completion",
    "LLMAuthError",
    "LLMClient",
    "LLMConfigError",
    "Price",
    "PriceTable",
    "ResponseCache",
    "RetryPolicy",
    "ScriptedChatModel",
    "action_grammar",
    "chat_model",
    "llm_backends",
    "map_to_admissible",
    "parse_reply",
]
