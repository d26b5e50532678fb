"""TEACh task definitions: load the official JSON files and bind a task's parameters.

A definition (``data/*.json``, MIT, see ``data/NOTICE.md``) names components — either an *object component*
(a determiner, a primary condition, property conditions, per-condition failure descriptions, whether several
instances may share one object) or a *task component* (another definition with its own parameters) — and
relations between components (``parentReceptacles``: the head objects lie in/on a tail object).

Parameters are written ``#0``, ``#1``, … in keys, values, descriptions and sub-task parameters. Binding replaces
them (the highest index first, so ``#13`` is not read as ``#1`` followed by ``3``) and turns a numeric condition
value into an int (``"isToggled": "#1"`` with ``#1 = "1"`` becomes 1), exactly as TEACh's loader does; the
determiners stay strings (``"a"``, ``"all"``, ``"2"``). A task component is bound with its parameters after the
parent's have been filled in (Breakfast passes its serving container ``#3`` on to N Cooked Slices Of X In Y).
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from importlib.resources import files

from pydantic import BaseModel, ConfigDict, Field, ValidationError

__all__ = [
    "BoundTask",
    "DefinitionError",
    "Definitions",
    "ObjectComponent",
    "Relation",
    "TaskComponent",
    "definitions",
    "parse",
]


class DefinitionError(ValueError):
    """A definition that cannot be read, resolved or bound; the message names the file or task and the fix."""


class _RawObjectComponent(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    determiner: str
    primary_condition: str
    instance_shareable: bool
    conditions: dict[str, str | int]
    condition_failure_descs: dict[str, str]


class _RawTaskComponent(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    determiner: str
    task_name: str
    task_params: list[str]


class _RawRelation(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    property: str
    tail_entity_list: list[str]
    tail_determiner_list: list[str]
    head_entity_list: list[str]
    head_determiner_list: list[str]
    failure_desc: str


class Definition(BaseModel):
    """One definition file, as written."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    task_id: int
    task_name: str
    task_nparams: int = Field(ge=0)
    task_anchor_object: str | None
    desc: str
    components: dict[str, _RawTaskComponent | _RawObjectComponent]
    relations: list[_RawRelation]
    comments_task_params: dict[str, str] = Field(default_factory=dict)

    def subtasks(self) -> list[str]:
        return [c.task_name for c in self.components.values() if isinstance(c, _RawTaskComponent)]


# ---------------------------------------------------------------------------------------------- bound tasks
@dataclass(frozen=True, slots=True)
class ObjectComponent:
    """An object component with parameters filled in."""

    key: str
    determiner: str
    primary: str
    shareable: bool
    conditions: Mapping[str, str | int]
    failure_descs: Mapping[str, str]


@dataclass(frozen=True, slots=True)
class TaskComponent:
    """A component that is itself a task (``task`` is bound with the component's parameters)."""

    key: str
    determiner: str
    task: BoundTask


@dataclass(frozen=True, slots=True)
class Relation:
    property: str
    tails: tuple[str, ...]
    tail_determiners: tuple[str, ...]
    heads: tuple[str, ...]
    head_determiners: tuple[str, ...]
    failure_desc: str


@dataclass(frozen=True, slots=True)
class BoundTask:
    """A definition with concrete parameters: what the checker (``envs.teach.checker``) evaluates."""

    task_id: int
    name: str
    params: tuple[str, ...]
    desc: str
    anchor: str | None
    components: tuple[ObjectComponent | TaskComponent, ...]
    relations: tuple[Relation, ...]

    def walk(self) -> Iterator[BoundTask]:
        """This task and, depth first, every task component under it."""
        yield self
        for c in self.components:
            if isinstance(c, TaskComponent):
                yield from c.task.walk()


def _fill(text: str, params: Sequence[str]) -> str:
    for i in range(len(params) - 1, -1, -1):
        text = text.replace(f"#{i}", params[i])
    return text


def _value(value: str | int, params: Sequence[str]) -> str | int:
    if isinstance(value, int):
        return value
    filled = _fill(value, params)
    return int(filled) if filled.isnumeric() else filled


def _determiner(text: str, where: str) -> str:
    if text in ("a", "all", "the") or text.isdigit():
        return text
    raise DefinitionError(f"{where}: determiner {text!r} must be 'a', 'all', 'the' or a count (a parameter missing?)")


# ---------------------------------------------------------------------------------------------- the collection
class Definitions(Mapping[str, Definition]):
    """Definitions by task name, every task component resolvable and no task containing itself."""

    def __init__(self, by_name: Mapping[str, Definition]) -> None:
        self._by_name = dict(by_name)
        for d in self._by_name.values():
            for sub in d.subtasks():
                if sub not in self._by_name:
                    raise DefinitionError(f"task {d.task_name!r} has a component of unknown task {sub!r}")
        for name in self._by_name:
            self._check_acyclic(name, ())

    def _check_acyclic(self, name: str, path: tuple[str, ...]) -> None:
        if name in path:
            raise DefinitionError(f"task {name!r} contains itself: {' -> '.join((*path, name))}")
        for sub in self._by_name[name].subtasks():
            self._check_acyclic(sub, (*path, name))

    def __getitem__(self, name: str) -> Definition:
        try:
            return self._by_name[name]
        except KeyError:
            raise KeyError(f"unknown TEACh task {name!r}; known: {', '.join(self._by_name)}") from None

    def __iter__(self) -> Iterator[str]:
        return iter(self._by_name)

    def __len__(self) -> int:
        return len(self._by_name)

    def by_id(self, task_id: int) -> Definition:
        for d in self._by_name.values():
            if d.task_id == task_id:
                return d
        raise KeyError(f"no TEACh task with id {task_id}")

    def bind(self, name: str, params: Sequence[str] = ()) -> BoundTask:
        """The task ``name`` with ``params`` (strings, as TEACh passes them) filled in everywhere."""
        d = self[name]
        params = tuple(str(p) for p in params)
        if len(params) != d.task_nparams:
            raise DefinitionError(f"task {name!r} takes {d.task_nparams} parameters, got {len(params)}: {list(params)}")
        components: list[ObjectComponent | TaskComponent] = []
        for raw_key, c in d.components.items():
            key = _fill(raw_key, params)
            where = f"task {name!r} component {key!r}"
            det = _determiner(_fill(c.determiner, params), where)
            if isinstance(c, _RawTaskComponent):
                child = self.bind(c.task_name, [_fill(p, params) for p in c.task_params])
                components.append(TaskComponent(key, det, child))
            else:
                conditions = {_fill(k, params): _value(v, params) for k, v in c.conditions.items()}
                primary = _fill(c.primary_condition, params)
                if primary not in conditions:
                    raise DefinitionError(f"{where}: primary condition {primary!r} is not among its conditions")
                descs = {_fill(k, params): _fill(v, params) for k, v in c.condition_failure_descs.items()}
                components.append(ObjectComponent(key, det, primary, c.instance_shareable, conditions, descs))
        keys = {c.key for c in components}
        relations = []
        for r in d.relations:
            rel = Relation(
                property=r.property,
                tails=tuple(_fill(t, params) for t in r.tail_entity_list),
                tail_determiners=tuple(_fill(t, params) for t in r.tail_determiner_list),
                heads=tuple(_fill(h, params) for h in r.head_entity_list),
                head_determiners=tuple(_fill(h, params) for h in r.head_determiner_list),
                failure_desc=_fill(r.failure_desc, params),
            )
            unknown = [e for e in (*rel.tails, *rel.heads) if e not in keys]
            if unknown or len(rel.heads) != len(rel.head_determiners) or len(rel.tails) != 1:
                raise DefinitionError(f"task {name!r}: relation {rel.failure_desc!r} is malformed (entities {unknown})")
            for det in (*rel.tail_determiners, *rel.head_determiners):
                _determiner(det, f"task {name!r} relation {rel.failure_desc!r}")
            relations.append(rel)
        anchor = _fill(d.task_anchor_object, params) if d.task_anchor_object is not None else None
        return BoundTask(d.task_id, name, params, _fill(d.desc, params), anchor, tuple(components), tuple(relations))


def parse(texts: Mapping[str, str]) -> Definitions:
    """Definitions from JSON texts keyed by file name (for the packaged set, use ``definitions()``)."""
    by_name: dict[str, Definition] = {}
    ids: dict[int, str] = {}
    for file_name, text in texts.items():
        try:
            d = Definition.model_validate(json.loads(text))
        except (json.JSONDecodeError, ValidationError) as exc:
            raise DefinitionError(f"{file_name}: not a TEACh task definition: {exc}") from None
        if d.task_name in by_name or d.task_id in ids:
            raise DefinitionError(f"{file_name}: task {d.task_name!r} (id {d.task_id}) is defined twice")
        by_name[d.task_name] = d
        ids[d.task_id] = d.task_name
    return Definitions(by_name)


@cache
def definitions() -> Definitions:
    """The 25 official definitions shipped in ``envs/teach/data`` (read once per process)."""
    folder = files("envs.teach").joinpath("data")
    texts = {
        p.name: p.read_text(encoding="utf-8")
        for p in sorted(folder.iterdir(), key=lambda p: p.name)
        if "__" in p.name and p.name.endswith(".json")
    }
    return parse(texts)
