"""TEACh's task checker over THOR-shaped objects: success, goal-condition counts and failure descriptions.

``check(task, objects)`` evaluates a ``BoundTask`` on a list of object dicts (THOR metadata plus the derived
properties of ``envs.teach.properties``) with the semantics of TEACh's progress check, as TEACh's evaluation
calls it (no simulator, so candidates tie-break by list order, and unfinished task components do not take part in
relations). Our own code; the rules, in short:

- Object component, determiner ``a`` or a count n (× the instances the parent asks for; 1 if instances may be
  shared): success when that many objects meet every condition. It counts ``conditions × instances`` goal
  conditions; satisfied are ``conditions`` per satisfying object plus, for the instances still missing, the
  conditions met by the best candidates (objects meeting the primary condition, or the whole object a wanted slice
  or cracked egg comes from). While a whole object could still be sliced, only one instance counts as missing.
- Object component, ``all``: every object meeting the primary condition must meet the others; it counts
  ``conditions`` per such object (and reports only when failing or when it has failure descriptions).
- Task component: the sub-task is checked with ``instances × n``; its counts add up; the objects of its anchor
  component that satisfied it stand for it in relations.
- Relation ``parentReceptacles``: one condition per head instance (``all``: per head candidate). Tail ``a``: each
  head object must lie in some tail object (satisfied heads are counted without a cap); tail ``the``: as many tail
  objects as instances must each hold the wanted number of every head.
- A count of 0 switches a component (and its heads in relations) off. A task succeeds when all its parts do.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from envs.teach.definitions import BoundTask, ObjectComponent, Relation, TaskComponent

__all__ = ["Part", "Report", "Step", "check", "parent_receptacles", "satisfies"]

Obj = Mapping[str, Any]
_ALIASES = {("SinkBasin", "Sink"), ("Sink", "SinkBasin"), ("BathtubBasin", "Bathtub"), ("Bathtub", "BathtubBasin")}


@dataclass(frozen=True, slots=True)
class Step:
    """One failure description, and whether it holds for the object it was checked on."""

    success: bool
    object_id: str
    object_type: str
    desc: str


@dataclass(frozen=True, slots=True)
class Part:
    """One reported part of a task (a component, a task component or a relation) with its counts; a relation's
    ``name`` is its failure description."""

    name: str
    success: bool
    satisfied: int
    total: int
    steps: tuple[Step, ...] = ()
    relation: bool = False


@dataclass(frozen=True, slots=True)
class Report:
    """The outcome of checking a task on one state."""

    desc: str
    success: bool
    satisfied: int
    total: int
    parts: tuple[Part, ...]
    satisfied_objects: tuple[Obj, ...] | None = None
    candidate_objects: tuple[Obj, ...] | None = None

    def statements(self) -> list[tuple[str, bool]]:
        """Each failure description checked (once, in task order) and whether it holds; a failing part that
        checked none is stated by its relation's description or as a missing component."""
        out: dict[str, bool] = {}
        for part in self.parts:
            if not part.steps and not part.success:
                out.setdefault(part.name if part.relation else f"a {part.name} is still missing", False)
            for step in part.steps:
                out[step.desc] = out.get(step.desc, True) and step.success
        return list(out.items())

    def failures(self) -> list[str]:
        """The failure descriptions that do not hold ("The mug is dirty. Rinse with water.", …)."""
        return [text for text, ok in self.statements() if not ok]


@dataclass(slots=True)
class _Outcome:
    success: bool
    satisfied: int
    total: int
    satisfied_objects: list[Obj]
    candidates: list[Obj]
    steps: list[Step] = field(default_factory=list)


# ---------------------------------------------------------------------------------------------- properties
def _type_matches(obj: Obj | None, wanted: Any) -> bool:
    if obj is None:
        return False
    t = obj["objectType"]
    return t == wanted or (t, wanted) in _ALIASES


def _of_type_or_class(obj: Obj | None, wanted: Any) -> bool:
    return obj is not None and (_type_matches(obj, wanted) or wanted in (obj.get("simbotObjectClass") or ()))


def parent_receptacles(obj: Obj, by_id: Mapping[str, Obj], _seen: frozenset[str] = frozenset()) -> list[str] | None:
    """THOR's ``parentReceptacles`` or, when THOR has none, the chain of last places TEACh recorded."""
    parents = obj.get("parentReceptacles")
    if parents is not None:
        return list(parents)
    last = obj.get("simbotLastParentReceptacle")
    if last is None or last == obj["objectId"] or last in _seen:
        return None
    chain = [last]
    holder = by_id.get(last)
    if holder is not None:
        chain += parent_receptacles(holder, by_id, _seen | {obj["objectId"]}) or []
    return chain


def satisfies(obj: Obj, conditions: Mapping[str, Any], by_id: Mapping[str, Obj]) -> dict[str, bool]:
    """Per condition, whether ``obj`` meets it (a property the object lacks is not met)."""
    out: dict[str, bool] = {}
    for prop, wanted in conditions.items():
        if prop not in obj:
            out[prop] = False
        elif prop == "objectType":
            out[prop] = _type_matches(obj, wanted)
        elif prop == "simbotLastParentReceptacle" and wanted is not None:
            out[prop] = _of_type_or_class(by_id.get(obj[prop]), wanted)
        elif prop == "parentReceptacles":
            parents = parent_receptacles(obj, by_id) or []
            out[prop] = any(_of_type_or_class(by_id.get(p), wanted) for p in parents)
        elif type(wanted) is int and wanted in (0, 1):
            out[prop] = bool(obj[prop]) is bool(wanted)
        elif isinstance(obj[prop], list):
            out[prop] = wanted in obj[prop]
        else:
            out[prop] = obj[prop] == wanted
    return out


def _count(determiner: str) -> int:
    return 1 if determiner == "a" else int(determiner)


# ---------------------------------------------------------------------------------------------- components
def _steps(c: ObjectComponent, problems: list[tuple[Obj, dict[str, bool]]], representative: Obj | None) -> list[Step]:
    steps: list[Step] = []
    for key, desc in c.failure_descs.items():
        failing = [o for o, sat in problems if not sat.get(key, True)]
        if failing:
            steps += [Step(False, o["objectId"], o["objectType"], desc) for o in failing]
        elif representative is not None:
            steps.append(Step(True, representative["objectId"], representative["objectType"], desc))
    return steps


def _whole_types(c: ObjectComponent) -> frozenset[str]:
    """The whole objects a wanted slice (``AppleSliced``) or cracked egg (``EggCracked``) would come from."""
    wanted = c.conditions[c.primary]
    if not isinstance(wanted, str):
        return frozenset()
    return frozenset(wanted.replace(mark, "") for mark in ("Sliced", "Cracked") if mark in wanted)


def _n_instances(c: ObjectComponent, objects: Sequence[Obj], by_id: Mapping[str, Obj], instances: int) -> _Outcome:
    needed = 1 if c.shareable else instances
    to_check = needed
    wholes = _whole_types(c)
    done = False
    satisfied: list[Obj] = []
    ranked: list[tuple[int, Obj, dict[str, bool]]] = []  # candidates, most conditions met first (stable)
    for obj in objects:
        sat = satisfies(obj, c.conditions, by_id)
        if all(sat.values()):
            satisfied.append(obj)
            done = done or len(satisfied) >= needed
            continue
        if done or not (sat[c.primary] or (wholes and obj.get(c.primary) in wholes)):
            continue
        others = all(v for k, v in sat.items() if k != c.primary)
        if others and "Sliced" in str(c.conditions[c.primary]):
            to_check = 1  # one whole object gives several slices
        met = sum(sat.values())
        at = next((i for i, (m, _, _) in enumerate(ranked) if met > m), len(ranked))
        ranked.insert(at, (met, obj, sat))
    per_object = len(c.conditions)
    problems = ranked[: min(len(ranked), max(0, to_check - len(satisfied)))]
    representative = satisfied[0] if satisfied else (ranked[0][1] if ranked else None)
    return _Outcome(
        success=done,
        satisfied=per_object * min(needed, len(satisfied)) + sum(m for m, _, _ in problems),
        total=per_object * needed,
        satisfied_objects=satisfied,
        candidates=[o for _, o, _ in ranked],
        steps=_steps(c, [(o, sat) for _, o, sat in problems], representative),
    )


def _all_instances(c: ObjectComponent, objects: Sequence[Obj], by_id: Mapping[str, Obj]) -> _Outcome:
    satisfied: list[Obj] = []
    problems: list[tuple[Obj, dict[str, bool]]] = []
    for obj in objects:
        sat = satisfies(obj, c.conditions, by_id)
        if not sat[c.primary]:
            continue
        if all(sat.values()):
            satisfied.append(obj)
        else:
            problems.append((obj, sat))
    per_object = len(c.conditions)
    return _Outcome(
        success=not problems,
        satisfied=per_object * len(satisfied) + sum(sum(sat.values()) for _, sat in problems),
        total=per_object * (len(satisfied) + len(problems)),
        satisfied_objects=satisfied,
        candidates=[o for o, _ in problems],
        steps=_steps(c, problems, satisfied[0] if satisfied else None),
    )


# ---------------------------------------------------------------------------------------------- relations
@dataclass(slots=True)
class _RelationOutcome:
    success: bool
    satisfied: int
    total: int
    steps: list[Step]


def _holds(obj: Obj, prop: str, tail_ids: set[str], by_id: Mapping[str, Obj]) -> bool:
    values = parent_receptacles(obj, by_id) if prop == "parentReceptacles" else obj.get(prop)
    return any(v in tail_ids for v in values or ())


def _relation(r: Relation, pool: Mapping[str, list[Obj]], by_id: Mapping[str, Obj], instances: int) -> _RelationOutcome:
    total = 0
    for head, det in zip(r.heads, r.head_determiners, strict=True):
        total += instances * (len(pool.get(head, [])) if det == "all" else _count(det))
    tails = pool.get(r.tails[0], [])
    if not tails:
        return _RelationOutcome(False, 0, total, [])
    heads = [(h, d) for h, d in zip(r.heads, r.head_determiners, strict=True) if d != "0"]
    if r.tail_determiners[0] == "a":
        return _any_tail(r, heads, pool, by_id, {t["objectId"] for t in tails}, instances, total)
    if r.tail_determiners[0] == "the":
        return _same_tail(r, heads, pool, by_id, tails, instances, total)
    raise ValueError(f"relation {r.failure_desc!r}: tail determiner {r.tail_determiners[0]!r} is not 'a' or 'the'")


def _step(obj: Obj, desc: str, success: bool = False) -> Step:
    return Step(success, obj["objectId"], obj["objectType"], desc)


def _any_tail(
    r: Relation,
    heads: list[tuple[str, str]],
    pool: Mapping[str, list[Obj]],
    by_id: Mapping[str, Obj],
    tail_ids: set[str],
    instances: int,
    total: int,
) -> _RelationOutcome:
    """Tail ``a``: every wanted head object lies in one of the tail objects (any one)."""
    success, satisfied = True, 0
    steps: list[Step] = []
    first: Obj | None = None
    for head, det in heads:
        good, bad = [], []
        for obj in pool.get(head, []):
            (good if _holds(obj, r.property, tail_ids, by_id) else bad).append(obj)
        satisfied += len(good)
        first = first or (good[0] if good else None)
        if det == "all":
            if bad:
                success = False
                steps += [_step(o, r.failure_desc) for o in bad]
            elif good:
                steps.append(_step(good[0], r.failure_desc, True))
        elif len(good) < instances * _count(det):
            success = False
            steps += [_step(o, r.failure_desc) for o in bad[: instances * _count(det) - len(good)]]
    if success and first is not None and not steps:
        steps.append(_step(first, r.failure_desc, True))
    return _RelationOutcome(success, satisfied, total, steps)


@dataclass(slots=True)
class _TailStatus:
    ok: int  # heads fully satisfied in this tail
    met: int  # head instances satisfied in this tail
    satisfied: int  # goal conditions it satisfies
    success: bool
    steps: list[Step]


def _same_tail(
    r: Relation,
    heads: list[tuple[str, str]],
    pool: Mapping[str, list[Obj]],
    by_id: Mapping[str, Obj],
    tails: list[Obj],
    instances: int,
    total: int,
) -> _RelationOutcome:
    """Tail ``the``: ``instances`` tail objects must each hold the wanted number of every head."""
    won: list[_TailStatus] = []
    ranked: list[_TailStatus] = []
    for tail in tails:
        ok = met = satisfied = 0
        steps: list[Step] = []
        for head, det in heads:
            candidates = pool.get(head, [])
            good = [o for o in candidates if _holds(o, r.property, {tail["objectId"]}, by_id)]
            bad = [o for o in candidates if o not in good]
            needed = len(candidates) if det == "all" else _count(det)
            ok += len(good) >= needed
            met += min(needed, len(good))
            satisfied += min(needed, len(good))
            steps += [_step(o, r.failure_desc) for o in bad[: max(0, needed - len(good))]]
        status = _TailStatus(ok, met, satisfied, ok == len(heads), steps)
        if status.success:
            won.append(status)
            if len(won) >= instances:
                break
            continue
        at = next((i for i, s in enumerate(ranked) if ok > s.ok or met > s.met), len(ranked))
        ranked.insert(at, status)
        del ranked[max(0, instances - len(won)) :]
    best = ranked[: max(0, instances - len(won))]
    return _RelationOutcome(
        success=len(won) >= instances,
        satisfied=sum(s.satisfied for s in won[:instances]) + sum(s.satisfied for s in best),
        total=total,
        steps=[step for s in best for step in s.steps],
    )


# ---------------------------------------------------------------------------------------------- tasks
def check(task: BoundTask, objects: Sequence[Obj], instances: int = 1) -> Report:
    """Check ``task`` (wanted ``instances`` times) on ``objects``."""
    by_id = {o["objectId"]: o for o in objects}
    return _check(task, objects, by_id, instances)


def _check(task: BoundTask, objects: Sequence[Obj], by_id: Mapping[str, Obj], instances: int) -> Report:
    parts: list[Part] = []
    pool: dict[str, list[Obj]] = {}
    anchor: tuple[list[Obj] | None, list[Obj] | None] = (None, None)
    for c in task.components:
        if c.determiner == "0":
            continue
        if isinstance(c, TaskComponent):
            if c.determiner == "all":
                raise ValueError(f"task {task.name!r}: determiner 'all' on task component {c.key!r} is not defined")
            sub = _check(c.task, objects, by_id, instances * _count(c.determiner))
            steps = tuple(s for p in sub.parts for s in p.steps if not s.success)
            parts.append(Part(c.key, sub.success, sub.satisfied, sub.total, steps))
            pool[c.key] = list(sub.satisfied_objects or ())
            found, candidates = list(sub.satisfied_objects or ()), list(sub.candidate_objects or ())
        else:
            if c.determiner == "all":
                out = _all_instances(c, objects, by_id)
                if not out.success or out.steps:
                    parts.append(Part(c.key, out.success, out.satisfied, out.total, tuple(out.steps)))
            else:
                out = _n_instances(c, objects, by_id, instances * _count(c.determiner))
                parts.append(Part(c.key, out.success, out.satisfied, out.total, tuple(out.steps)))
            pool[c.key] = out.satisfied_objects + out.candidates
            found, candidates = out.satisfied_objects, out.candidates
        if task.anchor == c.key:
            anchor = (found, candidates)
    for r in task.relations:
        rel = _relation(r, pool, by_id, instances)
        parts.append(Part(r.failure_desc, rel.success, rel.satisfied, rel.total, tuple(rel.steps), relation=True))
    return Report(
        desc=task.desc,
        success=all(p.success for p in parts),
        satisfied=sum(p.satisfied for p in parts),
        total=sum(p.total for p in parts),
        parts=tuple(parts),
        satisfied_objects=tuple(anchor[0]) if anchor[0] is not None else None,
        candidate_objects=tuple(anchor[1]) if anchor[1] is not None else None,
    )
