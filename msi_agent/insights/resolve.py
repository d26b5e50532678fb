"""Turn parsed operations into valid, ordered store operations (REFERENCE §1), explaining every drop.

Rules enforced here: numbers must name a listed rule; at most ``max_ops_per_part`` operations per part and one
per existing rule; ADD needs new text (a duplicate is dropped); an EDIT that leaves a rule's text as it is, or
rewrites it into another existing rule, becomes AGREE on that rule (ExpeL); subtask names are short and few;
environment rules are keyed by the seed's room type. The result is ordered general → environment → subtask and,
within a part, REMOVE, AGREE, EDIT, MOVE, ADD (ExpeL's order, with MOVE as a rewrite before new rules).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field

from msi_agent.insights.parser import ParsedOp
from msi_agent.insights.rules import NumberedRules
from msi_agent.records import MAX_INSIGHT_CHARS, Insight, InsightOp, OpKind, Provenance, Scale, rule_form

log = logging.getLogger(__name__)

_PART_ORDER = {Scale.GENERAL: 0, Scale.ENVIRONMENT: 1, Scale.SUBTASK: 2}
_KIND_ORDER = {OpKind.REMOVE: 0, OpKind.AGREE: 1, OpKind.EDIT: 2, OpKind.MOVE: 3, OpKind.ADD: 4}


@dataclass(frozen=True, slots=True)
class GeneratorLimits:
    """Paper defaults: ≤ 4 operations per part, subtask names < 20 characters and < 20 names in total."""

    max_ops_per_part: int = 4
    max_key_chars: int = 19
    max_subtask_names: int = 19

    def __post_init__(self) -> None:
        if self.max_ops_per_part < 1 or self.max_key_chars < 1 or self.max_subtask_names < 1:
            raise ValueError(f"generator limits must be >= 1, got {self}")


@dataclass(slots=True)
class Resolution:
    ops: list[InsightOp] = field(default_factory=list)
    dropped: list[tuple[str, str]] = field(default_factory=list)


def resolve(
    parsed: Sequence[ParsedOp],
    rules: NumberedRules,
    *,
    provenance: Provenance,
    limits: GeneratorLimits = GeneratorLimits(),
    flat: bool = False,
) -> Resolution:
    state = _State(rules, limits, provenance, flat)
    for op in parsed:
        reason = state.take(op)
        if reason:
            state.out.dropped.append((op.line, reason))
            log.info("insight op dropped: %s (%s)", op.line, reason)
    state.out.ops.sort(key=lambda o: (_PART_ORDER[state.part_of[id(o)]], _KIND_ORDER[o.kind]))
    return state.out


class _State:
    def __init__(self, rules: NumberedRules, limits: GeneratorLimits, provenance: Provenance, flat: bool) -> None:
        self.rules, self.limits, self.provenance, self.flat = rules, limits, provenance, flat
        self.out = Resolution()
        self.part_of: dict[int, Scale] = {}
        self.per_part = dict.fromkeys(Scale, 0)
        self.touched: set[str] = set()
        self.texts = {rule_form(ins.text): ins for ins in rules.insights}
        self.added: set[str] = set()
        self.names = {n.lower(): n for n in rules.subtask_names}

    def take(self, op: ParsedOp) -> str | None:
        """Accept ``op`` into the batch, or return why it is dropped."""
        if op.kind is OpKind.ADD:
            return self._add(op)
        target = self.rules.get(op.number)
        if target is None:
            if not self.rules.entries:
                return f"{op.kind.value} names rule {op.number}, but there are no rules yet"
            return f"{op.kind.value} needs the number of a listed rule (1..{len(self.rules.entries)}), got {op.number}"
        if op.kind is OpKind.EDIT:
            return self._edit(op, target)
        if op.kind is OpKind.MOVE:
            return self._move(op, target)
        return self._emit(InsightOp(kind=op.kind, target=target.id, provenance=self.provenance), target.scale, target)

    def _add(self, op: ParsedOp) -> str | None:
        part = Scale.GENERAL if self.flat else Scale.SUBTASK if op.key else op.section or Scale.GENERAL
        if bad := self._bad_text(op.text) or self._scale_off(part):
            return bad
        if rule_form(op.text) in self.texts:
            return "ADD duplicates an existing rule"
        if rule_form(op.text) in self.added:
            return "ADD duplicates a rule added earlier in this update"
        key, bad = self._key_for(part, op.key)
        if bad:
            return bad
        return self._emit(
            InsightOp(kind=OpKind.ADD, text=op.text, scale=part, key=key, provenance=self.provenance), part, None
        )

    def _edit(self, op: ParsedOp, target: Insight) -> str | None:
        if bad := self._bad_text(op.text):
            return bad
        same = self.texts.get(rule_form(op.text))
        if same is not None:  # ExpeL: an EDIT into an existing rule's text is agreement with that rule
            return self._emit(
                InsightOp(kind=OpKind.AGREE, target=same.id, provenance=self.provenance), same.scale, same
            )
        return self._emit(
            InsightOp(kind=OpKind.EDIT, target=target.id, text=op.text, provenance=self.provenance),
            target.scale,
            target,
        )

    def _move(self, op: ParsedOp, target: Insight) -> str | None:
        if self.flat:
            return "MOVE needs scales; the flat (ExpeL) rule list has none"
        if op.destination is None:
            return (
                "MOVE needs a destination: 'MOVE n TO general|environment|subtask [Name]: rule', "
                "or 'MOVE n: rule (TASK: Name)' under a section header"
            )
        text = op.text or target.text
        if bad := self._bad_text(text) or self._scale_off(op.destination):
            return bad
        same_scale = op.destination is target.scale
        key, bad = self._key_for(op.destination, op.key or (target.key if same_scale else None))
        if bad:
            return bad
        if op.destination is target.scale and key == target.key:
            if rule_form(text) == rule_form(target.text):
                return f"MOVE of rule {op.number} to where it already is changes nothing"
            return self._emit(
                InsightOp(kind=OpKind.EDIT, target=target.id, text=text, provenance=self.provenance),
                target.scale,
                target,
            )
        return self._emit(
            InsightOp(
                kind=OpKind.MOVE, target=target.id, text=text, scale=op.destination, key=key, provenance=self.provenance
            ),
            target.scale,
            target,
        )

    @staticmethod
    def _bad_text(text: str) -> str | None:
        if not text.strip():
            return "the operation has no rule text after ':'"
        if len(text.strip()) > MAX_INSIGHT_CHARS:
            return f"rule text has {len(text.strip())} characters; the limit is {MAX_INSIGHT_CHARS}"
        return None

    def _scale_off(self, scale: Scale) -> str | None:
        if scale in self.rules.scales:
            return None
        return f"the {scale.value} scale is off in this run (scales: {', '.join(s.value for s in self.rules.scales)})"

    def _key_for(self, scale: Scale, given: str | None) -> tuple[str | None, str | None]:
        if scale is Scale.GENERAL:
            return None, None
        if scale is Scale.ENVIRONMENT:
            return self.rules.category, None
        if not given:
            return None, "a subtask rule needs its subtask name: 'ADD [Name]: rule' or 'ADD: rule (TASK: Name)'"
        if len(given) > self.limits.max_key_chars:
            return None, f"subtask name {given!r} is longer than {self.limits.max_key_chars} characters"
        known = self.names.get(given.lower())
        if known is not None:
            return known, None
        if len(self.names) >= self.limits.max_subtask_names:
            return None, f"already {len(self.names)} subtask names (the limit); reuse one of them"
        return given, None

    def _emit(self, op: InsightOp, part: Scale, target: Insight | None) -> str | None:
        if target is not None and target.id in self.touched:
            return "a rule gets at most one operation per update"
        if self.per_part[part] >= self.limits.max_ops_per_part:
            return f"the {part.value} part already has {self.limits.max_ops_per_part} operations"
        if target is not None:
            self.touched.add(target.id)
        if op.kind is OpKind.ADD and op.text:
            self.added.add(rule_form(op.text))
        if op.key and (op.scale is Scale.SUBTASK):
            self.names.setdefault(op.key.lower(), op.key)
        self.per_part[part] += 1
        self.part_of[id(op)] = part
        self.out.ops.append(op)
        return None
