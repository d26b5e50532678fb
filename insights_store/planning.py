"""Turn one batch of insight operations into the end state to write, with the MSI/ExpeL score rules.

Pure logic over a read-only view of the store, shared by every backend so that score semantics are
defined once. Operations apply in the order given (the generator orders them); invalid ones are
rejected with a reason and the rest still apply.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Protocol

from pydantic import ValidationError

from insights_store.base import BatchResult, ScoringRules
from insights_store.batch import Batch, StoredInsight
from msi_agent.records import HistoryEntry, Insight, InsightOp, OpKind, Scale, rule_form


class StoreView(Protocol):
    """What planning reads from the store (called with the store's write lock held)."""

    def fetch(self, ids: Sequence[str]) -> dict[str, StoredInsight]: ...

    def scan(self, scale: Scale | None, key: str | None) -> list[Insight]: ...


class _Rejected(Exception):
    pass


def _validation_message(exc: ValidationError) -> str:
    return "; ".join(err["msg"].removeprefix("Value error, ") for err in exc.errors())


class _Planner:
    def __init__(self, view: StoreView, namespace: str, scoring: ScoringRules) -> None:
        self.view = view
        self.scoring = scoring
        self.batch = Batch(namespace=namespace)
        self.work: dict[str, StoredInsight | None] = {}  # None: deleted by this batch
        self.added: list[str] = []
        self.changed: list[str] = []
        self._lists: dict[tuple[Scale, str | None], set[str]] = {}  # ids per (scale, key) before the batch
        self._scale_counts: dict[Scale, int] = {}

    # -- reading through the batch's own changes ------------------------------------------------
    def _target(self, op: InsightOp) -> StoredInsight:
        assert op.target is not None
        if op.target not in self.work:
            self.work.update(self.view.fetch([op.target]))
        found = self.work.get(op.target)
        if found is None:
            raise _Rejected(f"unknown target {op.target!r} (no such insight, or deleted earlier in this batch)")
        return found

    def _list_ids(self, scale: Scale, key: str | None) -> set[str]:
        if (scale, key) not in self._lists:
            self._lists[(scale, key)] = {i.id for i in self.view.scan(scale, key)}
        ids = set(self._lists[(scale, key)])
        for iid, rec in self.work.items():
            ids.discard(iid)
            if rec is not None and rec.insight.scale is scale and rec.insight.key == key:
                ids.add(iid)
        return ids

    def _duplicate_of(self, text: str, scale: Scale, key: str | None, exclude: str | None) -> str | None:
        ids = self._list_ids(scale, key) - {exclude}
        unknown = [i for i in ids if i not in self.work]
        if unknown:
            self.work.update(self.view.fetch(unknown))
        for iid in ids:
            rec = self.work.get(iid)
            if rec is not None and rule_form(rec.insight.text) == rule_form(text):
                return iid
        return None

    def _scale_size(self, scale: Scale) -> int:
        if scale not in self._scale_counts:
            # the list as stored, corrected by this batch's earlier adds, moves and deletions
            before = {i.id for i in self.view.scan(scale, None)} - set(self.work)
            self._scale_counts[scale] = len(before) + sum(
                1 for r in self.work.values() if r is not None and r.insight.scale is scale
            )
        return self._scale_counts[scale]

    # -- operations -------------------------------------------------------------------------------
    def _new_insight(self, base: dict[str, object], **changes: object) -> Insight:
        try:
            return Insight.model_validate({**base, **changes})
        except ValidationError as exc:
            raise _Rejected(_validation_message(exc)) from None

    def _apply_one(self, op: InsightOp) -> None:
        now = datetime.now(UTC)
        if op.kind is OpKind.ADD:
            assert op.text is not None and op.scale is not None
            insight = self._new_insight(
                {}, text=op.text, scale=op.scale, key=op.key, score=self.scoring.add, provenance=op.provenance
            )
            if dup := self._duplicate_of(insight.text, insight.scale, insight.key, None):
                raise _Rejected(f"an identical insight already exists in this scale/key ({dup})")
            rec = StoredInsight(insight=insight)
            self.added.append(insight.id)
            self._scale_counts.pop(insight.scale, None)
        else:
            rec = self._target(op).model_copy(deep=True)
            old = rec.insight
            base = old.model_dump()
            if op.kind is OpKind.AGREE:
                insight = self._new_insight(base, score=old.score + self.scoring.agree, updated=now)
            elif op.kind is OpKind.EDIT:
                insight = self._new_insight(base, text=op.text, score=old.score + self.scoring.edit, updated=now)
                if dup := self._duplicate_of(insight.text, insight.scale, insight.key, old.id):
                    raise _Rejected(f"EDIT would duplicate insight {dup}; use AGREE on it instead")
            elif op.kind is OpKind.MOVE:
                insight = self._new_insight(
                    base, text=op.text, scale=op.scale, key=op.key, score=self.scoring.move, updated=now
                )
                if dup := self._duplicate_of(insight.text, insight.scale, insight.key, old.id):
                    raise _Rejected(f"MOVE target list already holds this text ({dup})")
                self._scale_counts.pop(old.scale, None)
                self._scale_counts.pop(insight.scale, None)
            else:  # REMOVE
                full = self.scoring.full_size is not None and self._scale_size(old.scale) >= self.scoring.full_size
                delta = self.scoring.remove_when_full if full else self.scoring.remove
                insight = self._new_insight(base, score=max(0.0, old.score + delta), updated=now)
            rec.insight = insight
            if old.id not in self.added and old.id not in self.changed:
                self.changed.append(old.id)
        rec.history.append(
            HistoryEntry(
                insight_id=rec.insight.id,
                op=op.kind,
                text=rec.insight.text,
                score_after=rec.insight.score,
                at=now,
                provenance=op.provenance,
            )
        )
        self.work[rec.insight.id] = rec
        if rec.insight.score <= 0:
            self.work[rec.insight.id] = None
            self.batch.deletes.append(rec)
            self._scale_counts.pop(rec.insight.scale, None)

    def run(self, ops: Sequence[InsightOp]) -> tuple[Batch, BatchResult]:
        rejected: list[tuple[InsightOp, str]] = []
        for op in ops:
            try:
                self._apply_one(op)
            except _Rejected as exc:
                rejected.append((op, str(exc)))
        deleted_ids = [r.insight.id for r in self.batch.deletes]
        touched = set(self.added) | set(self.changed)
        self.batch.upserts = [r for iid, r in self.work.items() if r is not None and iid in touched]
        # a record deleted in this batch that was also created in it never reaches the store
        self.batch.deletes = [r for r in self.batch.deletes if r.insight.id not in self.added]
        result = BatchResult(
            added=[i for i in self.added if i not in deleted_ids],
            changed=[i for i in self.changed if i not in deleted_ids],
            deleted=[r.insight.id for r in self.batch.deletes],
            rejected=rejected,
        )
        return self.batch, result


def plan(view: StoreView, ops: Sequence[InsightOp], namespace: str, scoring: ScoringRules) -> tuple[Batch, BatchResult]:
    """Resolve ``ops`` against the store seen through ``view``; nothing is written here."""
    return _Planner(view, namespace, scoring).run(ops)
