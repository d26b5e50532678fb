"""The executor: a ReAct text agent whose loop yields typed ``Step`` records (``Attempt``), its prompt templates
(``prompts/*.txt`` on a search path, rendered strictly by ``templates.Prompts``) and few-shot retrieval from
expert demonstrations."""

from msi_agent.agent.executor import Attempt, ExecutorConfig, play
from msi_agent.agent.fewshot import DemoLibrary
from msi_agent.agent.templates import DEFAULT_PROMPTS, Prompts, TemplateError, render

__all__ = ["DEFAULT_PROMPTS", "Attempt", "DemoLibrary", "ExecutorConfig", "Prompts", "TemplateError", "play", "render"]
