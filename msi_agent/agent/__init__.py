"""The executor: a ReAct text agent whose loop yields typed ``Step`` records (``Attempt``), its prompt templates
(``prompts/*.txt``, rendered strictly by ``templates.render``) and few-shot retrieval from expert demonstrations."""

from msi_agent.agent.executor import Attempt, ExecutorConfig, play
from msi_agent.agent.fewshot import DemoLibrary
from msi_agent.agent.templates import TemplateError, render

__all__ = ["Attempt", "DemoLibrary", "ExecutorConfig", "TemplateError", "play", "render"]
