"""Ablation arms (``eval --ablate``): the MSI arm replayed with one insight, scale or key taken out at a time.

Each arm shares everything else with the full arm — the same test tasks and seeds, the same selector (its LLM
call is answered from the cache), the same examples — so a task played in both gives an exact pair for credit
(``msi_agent.inspect.credit``).

    top:K            the K best-scored insights of the namespace, one arm each
    ids:ID,ID…       these insights, one arm each
    scale:NAME       every insight of one scale (general, environment, subtask), one arm
    key:NAME         every insight filed under one environment or subtask key, one arm
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from insights_store.base import InsightStore
from msi_agent.pipeline.stages import Arm
from msi_agent.records import Episode, Insight, Scale


class AblationError(ValueError):
    """An ``--ablate`` spec that names nothing in the namespace, or is not of a known form."""


@dataclass(frozen=True, slots=True)
class Unit:
    """What one ablation arm takes out."""

    label: str
    ids: frozenset[str]


def check(spec: str) -> None:
    """Refuse a spec of no known form; what it names is checked once the namespace is distilled (``units``)."""
    kind, _, value = spec.partition(":")
    known = {
        "top": value.isdigit() and int(value) > 0,
        "ids": bool(value),
        "scale": value in {s.value for s in Scale},
        "key": bool(value),
    }
    if not known.get(kind, False):
        raise AblationError(
            f"--ablate {spec!r} is not one of top:K, ids:ID,ID…, scale:general|environment|subtask, key:NAME"
        )


def units(spec: str, store: InsightStore, namespace: str) -> list[Unit]:
    check(spec)
    kind, _, value = spec.partition(":")
    held = sorted(store.list(namespace=namespace), key=lambda i: (-i.score, i.id))
    if not held:
        raise AblationError(f"namespace {namespace!r} holds no insights to ablate; distill first")
    if kind == "top":
        return [_one(i) for i in held[: int(value)]]
    if kind == "ids":
        by_id = {i.id: i for i in held}
        missing = [x for x in value.split(",") if x not in by_id]
        if missing:
            raise AblationError(f"no insight {missing[0]!r} in namespace {namespace!r}; see `msi-agent insights list`")
        return [_one(by_id[x]) for x in dict.fromkeys(value.split(","))]
    if kind == "scale":
        chosen = [i for i in held if i.scale.value == value]
        return [_group(f"scale-{value}", chosen, spec, namespace)]
    return [_group(f"key-{value}", [i for i in held if i.key == value], spec, namespace)]


def _one(insight: Insight) -> Unit:
    return Unit(insight.id, frozenset({insight.id}))


def _group(label: str, insights: list[Insight], spec: str, namespace: str) -> Unit:
    if not insights:
        raise AblationError(f"--ablate {spec!r} matches no insight in namespace {namespace!r}")
    return Unit(label, frozenset(i.id for i in insights))


def arms(full: Arm, ablated: Sequence[Unit]) -> list[Arm]:
    """One arm per unit: ``full`` with that unit's insights excluded."""
    return [Arm(f"ablate-{u.label}", full.selector, full.namespace, u.ids) for u in ablated]


def cost_note(full_arm: Sequence[Episode], arms: int, tasks: int) -> str:
    """What the ablation will cost, from the prompt tokens the full arm's episodes actually used."""
    played = [e for e in full_arm if e.error is None and e.usage.prompt_tokens]
    episodes = arms * tasks
    if not played:
        return f"ablation: {arms} arm(s) × {tasks} tasks = {episodes} episodes (no measured prompt size yet)"
    per = sum(e.usage.prompt_tokens + e.usage.completion_tokens for e in played) / len(played)
    return (
        f"ablation: {arms} arm(s) × {tasks} tasks = {episodes} episodes, about {per * episodes:,.0f} tokens "
        f"({per:,.0f} per episode, measured on {len(played)} episodes of the full arm)"
    )
