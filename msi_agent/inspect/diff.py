"""What changed between two insight sets (two namespaces, or two snapshots of one distillation).

Insights are matched by id first — snapshots keep ids — then, for the rest, by (scale, key, text), so an
insight copied into another namespace under a fresh id does not show up as removed and added.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from msi_agent.records import Insight


@dataclass(frozen=True, slots=True)
class Change:
    before: Insight
    after: Insight

    @property
    def fields(self) -> list[str]:
        """Names of the fields that differ: text, score, scale, key."""
        return [
            name
            for name in ("text", "score", "scale", "key")
            if getattr(self.before, name) != getattr(self.after, name)
        ]


@dataclass(frozen=True, slots=True)
class InsightDiff:
    added: list[Insight] = field(default_factory=list)
    removed: list[Insight] = field(default_factory=list)
    changed: list[Change] = field(default_factory=list)
    unchanged: int = 0

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.changed)


def _identity(ins: Insight) -> tuple[str, str, str]:
    return (ins.scale.value, ins.key or "", " ".join(ins.text.lower().split()))


def diff_insights(before: Sequence[Insight], after: Sequence[Insight]) -> InsightDiff:
    """Added (only in ``after``), removed (only in ``before``), changed (matched, some field differs)."""
    after_by_id = {ins.id: ins for ins in after}
    pairs: list[tuple[Insight, Insight]] = []
    left: list[Insight] = []
    for ins in before:
        match = after_by_id.pop(ins.id, None)
        if match is None:
            left.append(ins)
        else:
            pairs.append((ins, match))
    by_identity: dict[tuple[str, str, str], list[Insight]] = {}
    for ins in after_by_id.values():
        by_identity.setdefault(_identity(ins), []).append(ins)
    removed: list[Insight] = []
    for ins in left:
        candidates = by_identity.get(_identity(ins))
        if candidates:
            pairs.append((ins, candidates.pop(0)))
        else:
            removed.append(ins)
    added = [ins for group in by_identity.values() for ins in group]
    changes = [Change(b, a) for b, a in pairs]
    changed = [c for c in changes if c.fields]
    return InsightDiff(
        added=sorted(added, key=lambda i: -i.score),
        removed=sorted(removed, key=lambda i: -i.score),
        changed=changed,
        unchanged=len(changes) - len(changed),
    )
