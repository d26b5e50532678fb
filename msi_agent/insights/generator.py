"""The multi-scale insight generator: one LLM update per seed, applied to the store as one atomic batch.

Per seed: number the current rules (general, the seed's room, subtasks), show the seed's experience(s), ask for
operations, parse (``parser``), validate and order (``resolve``), then ``store.apply`` with the configured
``ScoringRules`` and provenance (seed experience ids, LLM call id). The ``expel`` variant uses one flat list,
optionally capped as ExpeL's ``max_num_rules`` (a "the list is full" prompt, a stronger REMOVE).
The instruction sent depends on the seed: a success alone is asked what made it succeed, a success paired with a
failure is asked to compare them (``prompts/reflect_success.txt``, ``prompts/reflect_pair.txt``).
An unusable reply skips the seed with a recorded reason (the model's outcome). A call that failed for good
(endpoint down, timeout, 5xx) is not an outcome: the run stops at that seed, since every later update builds on
the rules this one would have left, and a rerun resumes from it.
"""

from __future__ import annotations

import dataclasses
import logging
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from langchain_core.messages import HumanMessage

from insights_store.base import BatchResult, InsightStore, ScoringRules
from msi_agent.agent.templates import DEFAULT_PROMPTS, Prompts
from msi_agent.experience.seeds import Seed
from msi_agent.insights.grammar import operations_grammar
from msi_agent.insights.parser import parse_operations
from msi_agent.insights.resolve import GeneratorLimits, resolve
from msi_agent.insights.rules import NumberedRules
from msi_agent.llm import LLMClient
from msi_agent.modes import SeedOrder, Variant
from msi_agent.records import Episode, InsightOp, Provenance, Scale, TokenUsage

log = logging.getLogger(__name__)
_COUNTS = {1: "one", 2: "two", 3: "three"}
_DESTINATIONS = {Scale.GENERAL: "general", Scale.ENVIRONMENT: "environment", Scale.SUBTASK: "subtask [Name]"}
TRAJECTORY_STEPS = 25
"""Steps of a seed trajectory shown to the generator (the last ones, where failures usually happen)."""
OBSERVATION_CHARS = 200
DEFAULT_MAX_TOKENS = 512
FULL_MARGIN = 5
"""ExpeL: REMOVE costs ``ScoringRules.remove_when_full`` once the list holds ``max_rules + FULL_MARGIN`` rules."""


@dataclass(frozen=True, slots=True)
class GeneratorConfig:
    variant: Variant = Variant.MSI
    limits: GeneratorLimits = field(default_factory=GeneratorLimits)
    scoring: ScoringRules = field(default_factory=ScoringRules)
    order: SeedOrder = SeedOrder.SHUFFLE
    shuffle_seed: int = 0
    max_tokens: int = DEFAULT_MAX_TOKENS
    """Reply budget of one update call (several operations of one sentence each)."""
    snapshots: bool = False
    """Copy the namespace to ``<namespace>.<nnnn>`` after every update (how the insight set evolved)."""
    scales: tuple[Scale, ...] = tuple(Scale)
    """The scales MSI writes (the paper drops ``environment`` on ALFWorld, which has no room types)."""
    max_rules: int | None = None
    """ExpeL's ``max_num_rules`` for the flat list: at this size the prompt says the list is full, and from
    ``max_rules + FULL_MARGIN`` on REMOVE costs ``scoring.remove_when_full``. None: no cap (MSI's default)."""

    def __post_init__(self) -> None:
        if not self.scales or len(set(self.scales)) != len(self.scales):
            raise ValueError(f"scales must name each of general, environment, subtask at most once, got {self.scales}")
        if self.max_rules is not None and self.max_rules < 1:
            raise ValueError(f"max_rules must be >= 1 (or None for no cap), got {self.max_rules}")
        if self.max_rules is not None and self.variant is not Variant.EXPEL:
            raise ValueError("max_rules is the cap of ExpeL's flat list; use it with variant expel")

    @property
    def applied_scoring(self) -> ScoringRules:
        """``scoring`` with ExpeL's full-list threshold filled in from ``max_rules``."""
        if self.max_rules is None or self.scoring.full_size is not None:
            return self.scoring
        return dataclasses.replace(self.scoring, full_size=self.max_rules + FULL_MARGIN)


@dataclass(slots=True)
class UpdateReport:
    seed_ids: list[str]
    call_id: str | None = None
    ops: list[InsightOp] = field(default_factory=list)
    dropped: list[tuple[str, str]] = field(default_factory=list)
    result: BatchResult | None = None
    usage: TokenUsage = field(default_factory=TokenUsage)
    error: str | None = None
    snapshot: str | None = None


class InsightGenerator:
    def __init__(
        self,
        llm: LLMClient,
        store: InsightStore,
        *,
        namespace: str,
        config: GeneratorConfig = GeneratorConfig(),
        prompts: Prompts = DEFAULT_PROMPTS,
        done: int = 0,
    ) -> None:
        """``done``: updates already applied to ``namespace`` (a resumed run), so snapshot names continue."""
        self.llm, self.store, self.namespace, self.config, self.prompts = llm, store, namespace, config, prompts
        self.updates = done

    def prompt(self, seed: Seed, rules: NumberedRules) -> str:
        flat = self.config.variant is Variant.EXPEL
        experiences = "\n\n".join(_experience_text(ep, i, self.prompts) for i, ep in enumerate(seed.episodes, 1))
        reflect = self.prompts.render("reflect_success" if seed.failure is None else "reflect_pair").strip()
        if flat:
            return self.prompts.render(
                "generate_expel",
                rules=rules.render(flat=True),
                experiences=experiences,
                reflect=reflect,
                max_ops=self.config.limits.max_ops_per_part,
                full=self._full_notice(len(rules.entries)),
            )
        scales = rules.scales
        return self.prompts.render(
            "generate_msi",
            scale_count=_COUNTS[len(scales)],
            scale_lines="\n".join(self._scale_line(scale, seed, rules) for scale in scales),
            rules=rules.render(),
            experiences=experiences,
            reflect=reflect,
            destinations="|".join(_DESTINATIONS[scale] for scale in scales),
            sections=f"{_COUNTS[len(scales)]} section{'s' if len(scales) > 1 else ''} headed "
            + _and([f"{scale.value.upper()}:" for scale in scales]),
            max_ops=self.config.limits.max_ops_per_part,
        )

    def _scale_line(self, scale: Scale, seed: Seed, rules: NumberedRules) -> str:
        """The prompt's description of one scale (``prompts/scale_<scale>.txt``)."""
        lim = self.config.limits
        values: dict[str, object] = {
            Scale.GENERAL: {},
            Scale.ENVIRONMENT: {"category": seed.category},
            Scale.SUBTASK: {
                "key_chars": lim.max_key_chars + 1,
                "max_names": lim.max_subtask_names,
                "names": ", ".join(rules.subtask_names) or "none yet",
            },
        }[scale]
        return self.prompts.render(f"scale_{scale.value}", **values).rstrip("\n")

    def _full_notice(self, count: int) -> str:
        cap = self.config.max_rules
        if cap is None or count < cap:
            return ""
        return self.prompts.render("expel_full", count=count, cap=cap).rstrip("\n")

    def update(self, seed: Seed) -> UpdateReport:
        """One whole update: ``propose`` then ``commit``."""
        return self.commit(self.propose(seed))

    def propose(self, seed: Seed, *, batch: str | None = None) -> UpdateReport:
        """The LLM call and the operations it asks for; nothing is written. ``batch`` goes into every operation's
        provenance, so whoever records the proposal first can later tell whether ``commit`` reached the store."""
        flat = self.config.variant is Variant.EXPEL
        rules = NumberedRules.from_store(
            self.store, namespace=self.namespace, category=seed.category, flat=flat, scales=self.config.scales
        )
        report = UpdateReport(seed_ids=seed.experience_ids)
        grammar = operations_grammar(rules, self.config.limits, flat=flat) if self.llm.supports_grammar else None
        done = self.llm.complete(
            [HumanMessage(content=self.prompt(seed, rules))],
            purpose="insights",
            max_tokens=self.config.max_tokens,
            grammar=grammar,
        )
        report.call_id, report.usage = done.call_id, done.usage
        if done.error:
            report.error = done.error
            log.warning("insight update for %s not made: %s", seed.experience_ids, done.error)
            return report
        parsed = parse_operations(done.text, categories=self.prompts.categories)
        provenance = Provenance(
            experience_ids=seed.experience_ids, llm_call_id=done.call_id, llm=self.llm.name, batch=batch
        )
        resolution = resolve(parsed.ops, rules, provenance=provenance, limits=self.config.limits, flat=flat)
        report.ops, report.dropped = resolution.ops, parsed.unreadable + resolution.dropped
        return report

    def commit(self, report: UpdateReport, *, write: bool = True) -> UpdateReport:
        """Apply a proposal as one atomic batch, count it, snapshot if configured. ``write=False``: the batch is
        already in the store (a resumed run found it), only the bookkeeping after it is redone."""
        if report.error:
            return report
        if report.ops and write:
            report.result = self.store.apply(report.ops, scoring=self.config.applied_scoring, namespace=self.namespace)
            report.dropped += [(op.kind.value, reason) for op, reason in report.result.rejected]
        self.updates += 1
        if self.config.snapshots:
            report.snapshot = self.snapshot()
        return report

    def ordered(self, seeds: Sequence[Seed]) -> list[Seed]:
        seeds = list(seeds)
        if self.config.order is SeedOrder.SHUFFLE:
            random.Random(self.config.shuffle_seed).shuffle(seeds)
        return seeds

    def run(
        self,
        seeds: Sequence[Seed],
        *,
        on_update: Callable[[UpdateReport], None] | None = None,
        skip: set[tuple[str, ...]] | None = None,
    ) -> list[UpdateReport]:
        """Update once per seed in the configured order; ``skip`` holds seeds (by experience ids) already done.

        Stops after the first report with ``error`` (an update that could not be made), which is the last one.
        """
        reports = []
        for seed in self.ordered(seeds):
            if skip and tuple(seed.experience_ids) in skip:
                continue
            report = self.update(seed)
            reports.append(report)
            if on_update is not None:
                on_update(report)
            if report.error:
                break
        return reports

    def snapshot(self) -> str:
        name = f"{self.namespace}.{self.updates:04d}"
        self.store.import_jsonl(list(self.store.export_jsonl(namespace=self.namespace)), namespace=name)
        return name


def _and(items: Sequence[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _experience_text(ep: Episode, index: int, prompts: Prompts) -> str:
    steps = ep.steps[-TRAJECTORY_STEPS:]
    lines = [f"(… {len(ep.steps) - len(steps)} earlier steps)"] if len(steps) < len(ep.steps) else []
    for s in steps:
        obs = s.observation if len(s.observation) <= OBSERVATION_CHARS else s.observation[:OBSERVATION_CHARS] + "…"
        lines += ([f"Think: {s.thought}"] if s.thought else []) + [f"Action: {s.action}", f"Observation: {obs}"]
    outcome = "SUCCESS" if ep.success else f"FAILURE ({ep.gc_satisfied}/{ep.gc_total} goal conditions met)"
    who = "expert demonstration" if ep.source.value == "expert" else "the agent's attempt"
    return prompts.render(
        "experience",
        label=f"Experience {index}, {who}",
        outcome=outcome,
        instruction=ep.task.instruction,
        environment=ep.task.environment,
        family=ep.task.family,
        transcript="\n".join(lines),
        reason=f"\nReason for failure: {ep.failure_reason}" if ep.failure_reason and not ep.success else "",
    )
