"""The numbered rule list the insight generator shows the LLM, and the map from numbers back to insights.

MSI numbers continuously across the three scales: all general rules, then the environment rules of the seed's
environment category, then all subtask rules (grouped by name). A run may switch scales off (the paper's ALFWorld
protocol has no environment scale): their parts are neither listed nor writable. The ExpeL variant shows one flat list.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from insights_store.base import InsightStore
from msi_agent.records import Insight, Scale


@dataclass(frozen=True, slots=True)
class NumberedRules:
    entries: tuple[tuple[int, Insight], ...]
    subtask_names: tuple[str, ...]
    category: str
    scales: tuple[Scale, ...] = tuple(Scale)
    """The parts this run has, in list order; ``(GENERAL,)`` for the flat list."""

    @classmethod
    def from_store(
        cls,
        store: InsightStore,
        *,
        namespace: str,
        category: str,
        flat: bool = False,
        scales: Sequence[Scale] = tuple(Scale),
    ) -> NumberedRules:
        general = store.list(scale=Scale.GENERAL, namespace=namespace)
        if flat:
            return cls(tuple(enumerate(general, 1)), (), category, (Scale.GENERAL,))
        scales = tuple(s for s in Scale if s in scales)
        listed = general if Scale.GENERAL in scales else []
        if Scale.ENVIRONMENT in scales:
            listed += store.list(scale=Scale.ENVIRONMENT, key=category, namespace=namespace)
        names: tuple[str, ...] = ()
        if Scale.SUBTASK in scales:
            names = tuple(sorted(store.keys(Scale.SUBTASK, namespace=namespace), key=str.lower))
            listed += [i for name in names for i in store.list(scale=Scale.SUBTASK, key=name, namespace=namespace)]
        return cls(tuple(enumerate(listed, 1)), names, category, scales)

    def get(self, number: int | None) -> Insight | None:
        if number is None or not 1 <= number <= len(self.entries):
            return None
        return self.entries[number - 1][1]

    @property
    def insights(self) -> list[Insight]:
        return [ins for _, ins in self.entries]

    def render(self, *, flat: bool = False) -> str:
        """The list as the prompt shows it; empty parts say so, so the LLM knows it may ADD there."""
        if flat:
            return "\n".join(f"{n}. {ins.text}" for n, ins in self.entries) or "(no rules yet)"
        parts = {
            Scale.GENERAL: "General rules (apply to every task):",
            Scale.ENVIRONMENT: f"Environment rules (apply in every {self.category}):",
            Scale.SUBTASK: "Subtask rules (apply to one kind of subtask, named in brackets):",
        }
        lines: list[str] = []
        for scale in self.scales:
            lines.append(parts[scale])
            rows = [(n, ins) for n, ins in self.entries if ins.scale is scale]
            for n, ins in rows:
                lines.append(f"{n}. [{ins.key}] {ins.text}" if scale is Scale.SUBTASK else f"{n}. {ins.text}")
            if not rows:
                lines.append("(none yet)")
        return "\n".join(lines)
