"""The insight selector: which insights enter the executor's prompt for a task (REFERENCE §1).

``hashmap``, ``vector`` and ``all`` take all general insights and the environment insights of the task's
category, then subtask insights: ``hashmap`` (an LLM picks subtask names from the list; all insights under them),
``vector`` (similarity to the task — instruction, family, category — within a token budget), ``all`` (every
one, ExpeL-like).
``general-only`` is the paper's out-of-domain mode: general insights and nothing else; ``general-environment`` adds
the task's environment insights (no subtask insights). ``none`` is the no-insight baseline.
The output is one formatted block for the prompt.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field

from langchain_core.messages import HumanMessage

from insights_store.base import InsightStore
from msi_agent.agent.templates import DEFAULT_PROMPTS, Prompts
from msi_agent.experience.similarity import task_text
from msi_agent.insights.grammar import names_grammar
from msi_agent.llm import LLMClient
from msi_agent.modes import InsightMode
from msi_agent.records import Insight, Scale, Task, TokenUsage

NAMES_MAX_TOKENS = 96
"""Reply budget of the hashmap call: a few subtask names."""


@dataclass(slots=True)
class Selection:
    insights: list[Insight] = field(default_factory=list)
    subtask_names: list[str] = field(default_factory=list)
    usage: TokenUsage = field(default_factory=TokenUsage)
    error: str | None = None

    @property
    def block(self) -> str:
        return format_block(self.insights)


class InsightSelector:
    """Thread-safe: store reads are serialised, since embedded backends are not built for concurrent readers."""

    def __init__(
        self,
        store: InsightStore | None,
        mode: InsightMode | str,
        *,
        namespace: str,
        llm: LLMClient | None = None,
        token_budget: int = 2000,
        prompts: Prompts = DEFAULT_PROMPTS,
        exclude: frozenset[str] = frozenset(),
    ) -> None:
        """``exclude``: insight ids dropped from every selection after it is made, so an ablation arm differs
        from its full arm by exactly those insights (``eval --ablate``)."""
        self.mode = InsightMode(mode)
        if self.mode is not InsightMode.NONE and store is None:
            raise ValueError(f"selector mode {self.mode.value!r} needs an insight store")
        if self.mode is InsightMode.HASHMAP and llm is None:
            raise ValueError("the hashmap selector asks an LLM which subtasks matter; pass llm=")
        if token_budget <= 0:
            raise ValueError(f"token_budget must be > 0, got {token_budget}")
        self.store, self.namespace, self.llm, self.token_budget = store, namespace, llm, token_budget
        self.prompts, self.exclude = prompts, exclude
        self._lock = threading.Lock()

    def select(self, task: Task) -> Selection:
        selection = self._select(task)
        if self.exclude:
            selection.insights = [i for i in selection.insights if i.id not in self.exclude]
        return selection

    def _select(self, task: Task) -> Selection:
        if self.mode is InsightMode.NONE or self.store is None:
            return Selection()
        store, ns = self.store, self.namespace
        with self._lock:
            chosen = store.list(scale=Scale.GENERAL, namespace=ns)
            if self.mode is InsightMode.GENERAL_ONLY:
                return Selection(insights=chosen)
            chosen += store.list(scale=Scale.ENVIRONMENT, key=task.environment, namespace=ns)
            names = store.keys(Scale.SUBTASK, namespace=ns)
        selection = Selection()
        if self.mode is InsightMode.ALL:
            selection.subtask_names = list(names)
        elif self.mode is InsightMode.HASHMAP and names:
            selection = self._ask_for_names(task, names)
        elif self.mode is InsightMode.VECTOR and names:
            with self._lock:
                hits = store.search(
                    task_text(task),
                    k=max(50, 4 * len(names)),
                    scale=Scale.SUBTASK,
                    token_budget=self.token_budget,
                    namespace=ns,
                )
            selection.insights = chosen + [h.insight for h in hits]
            selection.subtask_names = sorted({h.insight.key or "" for h in hits} - {""})
            return selection
        with self._lock:
            for name in selection.subtask_names:
                chosen += store.list(scale=Scale.SUBTASK, key=name, namespace=ns)
        selection.insights = chosen
        return selection

    def _ask_for_names(self, task: Task, names: list[str]) -> Selection:
        assert self.llm is not None
        listing = "\n".join(f"{i}. {n}" for i, n in enumerate(names, 1))
        prompt = self.prompts.render("select_subtasks", instruction=task.instruction, names=listing)
        grammar = names_grammar(names) if self.llm.supports_grammar else None
        done = self.llm.complete(
            [HumanMessage(content=prompt)], purpose="select", max_tokens=NAMES_MAX_TOKENS, grammar=grammar
        )
        if done.error:
            return Selection(usage=done.usage, error=done.error)
        return Selection(subtask_names=parse_names(done.text, names), usage=done.usage)


def parse_names(reply: str, names: list[str]) -> list[str]:
    """Names the reply mentions (any case, any spacing, in brackets or not) or refers to by their list number.

    Ordered by first mention; unknown names are ignored; a bare "none" yields nothing.
    """
    found: dict[str, int] = {}
    for name in names:
        words = [re.escape(w) for w in name.split()]
        pattern = r"(?<![\w])" + r"[\s_-]*".join(words) + r"(?![\w])"
        if m := re.search(pattern, reply, re.IGNORECASE):
            found.setdefault(name, m.start())
    offset = len(reply)
    for line_no, line in enumerate(reply.splitlines()):
        if re.search(r"[A-Za-z]", line):
            continue
        for num in re.findall(r"\d+", line):
            if 1 <= int(num) <= len(names):
                found.setdefault(names[int(num) - 1], offset + line_no)
    return sorted(found, key=found.__getitem__)


def format_block(insights: list[Insight], prompts: Prompts = DEFAULT_PROMPTS) -> str:
    """The prompt block, grouped general → environment category → subtask; empty when there is nothing to say."""
    if not insights:
        return ""
    groups: dict[str, list[str]] = {}
    for ins in insights:
        title = {Scale.GENERAL: "General", Scale.ENVIRONMENT: f"In the {ins.key}"}.get(ins.scale, f"{ins.key}")
        groups.setdefault(title, [])
        if ins.text not in groups[title]:
            groups[title].append(ins.text)
    body = "\n".join(f"{title}:\n" + "\n".join(f"- {t}" for t in texts) for title, texts in groups.items())
    return prompts.render("insight_block", insights=body)
