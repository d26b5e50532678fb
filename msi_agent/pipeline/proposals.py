"""Distill's write order, so that a kill at any point resumes to the result of an uninterrupted run.

One insight update touches two places that cannot share a transaction: the store (the batch) and the run folder
(its line in ``distill-<namespace>.jsonl``). So each update goes:

1. the proposal — the LLM's operations, tagged with a fresh batch id in their provenance — is written whole to
   ``distill-<namespace>.pending.json``;
2. the batch is applied (atomic in the store; every history entry it writes carries the batch id);
3. the log line is appended; 4. the pending file is removed.

On start, a pending proposal is finished: if its line is already in the log only the file is removed; otherwise
the store is searched for the batch id, the batch is applied if it is missing (never twice), and the line is
written. The LLM is not asked again. One thing a recovered line cannot hold: the store's reasons for rejecting
single operations, which exist only while the batch is applied.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from pathlib import Path

from pydantic import Field

from insights_store.base import InsightNotFoundError, InsightStore
from msi_agent.experience.seeds import Seed
from msi_agent.insights.generator import InsightGenerator, UpdateReport
from msi_agent.pipeline.records import RunRecord, RunRecordError
from msi_agent.pipeline.runfolder import RunFolder, atomic_write
from msi_agent.records import HistoryEntry, InsightOp, TokenUsage, new_id

PENDING_SUFFIX = ".pending.json"


class Proposal(RunRecord):
    """An update decided but maybe not yet applied: everything needed to finish it without the LLM (versioned
    like the run's other files, so that a newer msi-agent's pending file is refused, not misapplied)."""

    step: int = Field(ge=1)
    batch: str
    seed_ids: list[str]
    call_id: str | None = None
    ops: list[InsightOp] = Field(default_factory=list)
    dropped: list[tuple[str, str]] = Field(default_factory=list)
    usage: TokenUsage = Field(default_factory=TokenUsage)

    @classmethod
    def of(cls, step: int, batch: str, report: UpdateReport) -> Proposal:
        return cls(
            step=step,
            batch=batch,
            seed_ids=report.seed_ids,
            call_id=report.call_id,
            ops=report.ops,
            dropped=report.dropped,
            usage=report.usage,
        )

    def report(self) -> UpdateReport:
        return UpdateReport(
            seed_ids=list(self.seed_ids),
            call_id=self.call_id,
            ops=list(self.ops),
            dropped=list(self.dropped),
            usage=self.usage,
        )


def pending_path(folder: RunFolder, namespace: str) -> Path:
    log = folder.log_path(namespace)
    return log.with_name(log.name.removesuffix(".jsonl") + PENDING_SUFFIX)


def write_pending(folder: RunFolder, namespace: str, proposal: Proposal) -> None:
    atomic_write(pending_path(folder, namespace), proposal.model_dump_json())


def read_pending(folder: RunFolder, namespace: str) -> Proposal | None:
    path = pending_path(folder, namespace)
    if not path.is_file():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise RunRecordError(
            f"{path} is not JSON ({exc}); it holds an insight update a killed run left unapplied: check the "
            "namespace with `msi-agent insights list`, then delete the file to go on without that update"
        ) from None
    return Proposal.read(data, str(path))


def clear_pending(folder: RunFolder, namespace: str) -> None:
    pending_path(folder, namespace).unlink(missing_ok=True)


def reached_store(store: InsightStore, namespace: str, proposal: Proposal) -> bool:
    """Whether the proposal's batch is in the store: some live insight, or an insight the batch targeted (it may
    have deleted it), has a history entry tagged with the batch id. A batch that changed nothing leaves no trace,
    and applying it again changes nothing either."""

    def tagged(history: list[HistoryEntry]) -> bool:
        return any(h.provenance.batch == proposal.batch for h in history)

    for line in store.export_jsonl(namespace=namespace):
        if tagged([HistoryEntry.model_validate(h) for h in json.loads(line).get("history", [])]):
            return True
    for target in dict.fromkeys(op.target for op in proposal.ops if op.target):
        try:
            if tagged(store.history(target, namespace=namespace)):
                return True
        except InsightNotFoundError:
            continue
    return False


def run_updates(
    generator: InsightGenerator,
    seeds: Sequence[Seed],
    folder: RunFolder,
    namespace: str,
    on_update: Callable[[UpdateReport, int], None],
) -> list[UpdateReport]:
    """The updates of ``seeds`` not yet in the namespace's log, each in the order above; ``on_update(report, step)``
    appends the log line. A proposal left pending by an interrupted run is finished first. An update that could not
    be made (``report.error``: the LLM failed) writes nothing and ends the loop: it is the last report returned."""
    logged = folder.updates(namespace)
    steps = len(logged)
    done = {tuple(u.seed_ids) for u in logged}
    reports: list[UpdateReport] = []
    pending = read_pending(folder, namespace)
    if pending is not None:
        if pending.step > steps:
            report = pending.report()
            generator.commit(report, write=not reached_store(generator.store, generator.namespace, pending))
            steps += 1
            on_update(report, steps)
            done.add(tuple(report.seed_ids))
            reports.append(report)
        clear_pending(folder, namespace)
    for seed in generator.ordered(seeds):
        if tuple(seed.experience_ids) in done:
            continue
        batch = new_id()
        report = generator.propose(seed, batch=batch)
        reports.append(report)
        if report.error:
            on_update(report, steps + 1)
            break
        write_pending(folder, namespace, Proposal.of(steps + 1, batch, report))
        generator.commit(report)
        steps += 1
        on_update(report, steps)
        clear_pending(folder, namespace)
        done.add(tuple(seed.experience_ids))
    return reports
