"""A seeded task set in the CLI's short form: ``"families=a,b;split=valid_seen;n=20;seed=1;categories=X"``.

The keys are the ones every environment understands: which families, which split, how many tasks, which seed, and,
for an environment whose ``EnvSpec`` sets ``category_filter``, which categories of its scale (``environments`` is
accepted for ``categories``: it is the ``Task`` field those values land in). Names are checked against the spec, so
a typo fails here with the known names, not deep in a sampler. The same query gives the same tasks on every machine.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, ValidationInfo, field_validator

from envs.spec import EnvSpec
from msi_agent.pipeline.suite import Suite
from msi_agent.records import Split, Task

LIST_KEYS = ("families", "categories")
ALIASES = {"environments": "categories"}


class TaskQueryError(ValueError):
    """A query that cannot be read or does not fit the environment; the message says what to change."""


class TaskQuery(BaseModel):
    """Families and categories are checked against the environment when validated with ``context={"spec": spec}``
    (as ``parse_query`` does); ``Suite`` checks them again when it samples."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    families: list[str] | None = Field(default=None, description="family names; None = all")
    split: Split = Split.TRAIN
    n: int = Field(default=10, ge=0, le=1_000_000)
    seed: int = 0
    categories: list[str] | None = Field(default=None, description="categories of the environment scale; None = all")

    @field_validator("families")
    @classmethod
    def _known_families(cls, v: list[str] | None, info: ValidationInfo) -> list[str] | None:
        if v is None:
            return v
        if not v:
            raise ValueError("families is empty; leave it out to use all families")
        spec = _spec(info)
        return v if spec is None else spec.check_families(v)

    @field_validator("categories")
    @classmethod
    def _known_categories(cls, v: list[str] | None, info: ValidationInfo) -> list[str] | None:
        spec = _spec(info)
        return v if v is None or spec is None else spec.check_categories(v)

    def suite(self, spec: EnvSpec, options: Mapping[str, Any] | None = None) -> Suite:
        """The environment's suite with its ``options``, sampling only this query's categories if it names any."""
        restrict = {"categories": self.categories} if self.categories is not None else {}
        return Suite.from_spec(spec, {**(options or {}), **restrict})

    def sample(self, suite: Suite) -> list[Task]:
        return suite.sample(self.split, self.n, seed=self.seed, families=self.families or [])


def _spec(info: ValidationInfo) -> EnvSpec | None:
    return info.context.get("spec") if isinstance(info.context, dict) else None


def parse_query(text: str, spec: EnvSpec) -> TaskQuery:
    """Read ``"families=a,b;split=valid_seen;n=20;seed=1"`` (every key optional) for the environment ``spec``."""
    fields: dict[str, object] = {}
    known = [*TaskQuery.model_fields, *ALIASES]
    for part in filter(None, (p.strip() for p in text.split(";"))):
        key, sep, value = part.partition("=")
        key, value = key.strip(), value.strip()
        if not sep or not key:
            raise TaskQueryError(f"{part!r} is not key=value; write e.g. 'families=a,b;split=train;n=5'")
        if key not in known:
            raise TaskQueryError(f"unknown key {key!r} in task spec {text!r}; known keys: {', '.join(known)}")
        key = ALIASES.get(key, key)
        if key in fields:
            raise TaskQueryError(f"{key!r} is given twice in {text!r}")
        fields[key] = [v.strip() for v in value.split(",") if v.strip()] if key in LIST_KEYS else value
    try:
        return TaskQuery.model_validate(fields, context={"spec": spec})
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(map(str, e['loc'])) or 'spec'}: {e['msg'].removeprefix('Value error, ')}" for e in exc.errors()
        )
        raise TaskQueryError(f"bad task spec {text!r}: {problems}") from None
