"""``EnvSpec``: everything the framework knows about one environment, in one registry entry (after Gymnasium).

A spec names the environment's factory, its task sampler, its task families, the name of its *environment scale*
(the household's is "room type": insights of that scale are keyed by Kitchen, Bedroom, ...) with the categories
that scale takes, the step budget, and the words and prompt templates the agent's prompts use for it.
Factories, samplers and family lists may be lazy ``"package.module:attr"`` strings, so registering costs nothing.

An environment that only registered a bare factory has no sampler; asking for its tasks raises
``MissingSamplerError`` saying what to register.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from msi_agent.registry import load_attr

if TYPE_CHECKING:
    from envs.core import Env
    from msi_agent.modes import PaperBenchmark
    from msi_agent.records import Split, Task


class TaskSampler(Protocol):
    def __call__(self, split: Split, count: int, *, seed: int, families: Sequence[str]) -> list[Task]:
        """``count`` tasks of ``split`` (the same seed gives the same tasks); ``families`` empty means all."""
        ...


SamplerFactory = Callable[..., TaskSampler]
"""Called with the environment's options (``[env] options``), returns a ``TaskSampler``."""


class MissingSamplerError(LookupError):
    """The environment was registered without a task sampler."""

    def __str__(self) -> str:
        return str(self.args[0])


def _load(entry: Any) -> Any:
    return load_attr(entry) if isinstance(entry, str) else entry


@dataclass(frozen=True)
class EnvSpec:
    """One environment. Calling the spec makes an instance: ``spec(**options)`` is ``entry_point(**options)``.

    name: the registry name (``--env NAME``).
    entry_point: the ``Env`` factory, or ``"module:attr"``.
    sampler: a factory ``(**options) -> TaskSampler``, or ``"module:attr"``; None means tasks cannot be sampled.
    families: task family names, or ``"module:attr"`` of a zero-argument callable returning them.
    default_families: what ``msi-agent run`` plays when no ``--family`` is given (empty: all).
    max_steps: the step budget of an episode when the settings do not set one.
    scale: the name of the environment scale, as prompts and the viewer say it ("room type", "game").
    categories: the values that scale takes; every sampled task's ``environment`` must be one of them.
    vocabulary: words prompt templates use by name (``$agent``, ``$world``, ``$hints``; see
        ``msi_agent.agent.templates.DEFAULT_WORDS``).
    prompts: this environment's templates, searched before msi_agent's: a package (its ``prompts/`` folder) or a
        folder ``Path``.
    description: one line for ``msi-agent envs list``.
    family_details: a callable ``name -> {column: text}`` (or ``"module:attr"``) describing a family for
        ``msi-agent tasks families`` (the household's source and rooms, a game's generation parameters).
    category_filter: whether the sampler factory takes ``categories=[...]`` (a subset of ``categories``) and then
        samples only tasks of those (``msi-agent tasks sample "categories=Kitchen"``).
    commands: ``"module:attr"`` of a Typer app with this environment's own commands, mounted as ``msi-agent NAME``
        (imported only when listed or run, so the module should import its backend inside the commands).
    paper_benchmark: a callable ``families -> PaperBenchmark | None`` (or ``"module:attr"``): which of the paper's
        benchmarks a run over ``families`` (empty: all) stands for; None (or no callable): none, and the run's
        results say there is no published figure to compare with.
    protocol_note: a line every run's results list among the protocol differences (how this environment's tasks
        differ from the benchmark's own).
    estimate_on: another registered environment with the same prompts and families, played instead when
        ``msi-agent config estimate`` measures prompt sizes (a real engine under the built-in simulator's text:
        the stand-in starts in milliseconds and never launches or downloads a build).
    """

    name: str
    entry_point: Callable[..., Env] | str
    sampler: SamplerFactory | str | None = None
    families: Sequence[str] | str = ()
    default_families: tuple[str, ...] = ()
    max_steps: int = 30
    scale: str = "environment"
    categories: tuple[str, ...] = ()
    vocabulary: Mapping[str, str] = field(default_factory=dict)
    prompts: str | Path | None = None
    description: str = ""
    family_details: Callable[[str], Mapping[str, str]] | str | None = None
    category_filter: bool = False
    commands: str | None = None
    paper_benchmark: Callable[[Sequence[str]], PaperBenchmark | None] | str | None = None
    protocol_note: str = ""
    estimate_on: str | None = None

    def __post_init__(self) -> None:
        if not self.name or any(c.isspace() for c in self.name):
            raise ValueError(f"environment name {self.name!r} must be a non-empty word (no spaces)")
        if self.max_steps < 1:
            raise ValueError(f"environment {self.name!r}: max_steps must be >= 1, got {self.max_steps}")
        if len(set(self.categories)) != len(self.categories) or not all(c.strip() for c in self.categories):
            raise ValueError(f"environment {self.name!r}: categories must be distinct non-empty names")

    def __call__(self, **options: object) -> Env:
        return _load(self.entry_point)(**options)

    def factory(self) -> Callable[..., Env]:
        return _load(self.entry_point)

    def make_sampler(self, **options: object) -> TaskSampler:
        if self.sampler is None:
            raise MissingSamplerError(
                f"environment {self.name!r} has no task sampler: register it as an EnvSpec with one, e.g. "
                f"envs.register(envs.EnvSpec(name={self.name!r}, entry_point=..., sampler='pkg.module:sampler', "
                "categories=(...))), or point its 'msi_agent.envs' entry point at such an EnvSpec"
            )
        return _load(self.sampler)(**options)

    def family_names(self) -> list[str]:
        names = _load(self.families)
        return list(names() if callable(names) else names)

    def benchmark(self, families: Sequence[str]) -> PaperBenchmark | None:
        """The paper's benchmark a run over ``families`` stands for (``paper_benchmark``), or None."""
        return None if self.paper_benchmark is None else _load(self.paper_benchmark)(list(families))

    def details(self, family: str) -> dict[str, str]:
        """What ``family_details`` says about ``family`` (empty when the environment describes none)."""
        return {} if self.family_details is None else dict(_load(self.family_details)(family))

    def check_families(self, families: Sequence[str]) -> list[str]:
        """``families`` if each is one of the family names (when the spec lists any); else ``ValueError``."""
        known = self.family_names()
        unknown = [f for f in families if known and f not in known]
        if unknown:
            raise ValueError(
                f"unknown task families {unknown} for environment {self.name!r}; known: {', '.join(known)}"
            )
        return list(families)

    def check_categories(self, categories: Sequence[str] | str) -> list[str]:
        """``categories`` (one name or several) if the sampler can restrict itself to them and each is a category;
        else ``ValueError``."""
        categories = [categories] if isinstance(categories, str) else list(categories)
        if not self.category_filter:
            raise ValueError(
                f"environment {self.name!r} cannot sample by {self.scale}: leave out categories "
                "(its EnvSpec does not set category_filter)"
            )
        if not categories:
            raise ValueError(f"categories is empty; leave it out to sample every {self.scale}")
        unknown = [c for c in categories if c not in self.categories]
        if unknown:
            raise ValueError(
                f"unknown {self.scale} {unknown} for environment {self.name!r}; known: {', '.join(self.categories)}"
            )
        return categories

    def words(self) -> dict[str, str]:
        """The words prompt templates see besides msi_agent's defaults: the vocabulary and the scale's name."""
        return {**self.vocabulary, "scale": self.scale}

    def poses(self, task: Task) -> bool:
        """Whether ``task`` could be one of this environment's: its category, and its family if families are known."""
        families = self.family_names()
        return task.environment in self.categories and (not families or task.family in families)

    def check_task(self, task: Task) -> Task:
        """``task`` if its environment is one of the categories (raises ``ValueError`` saying which are)."""
        if task.environment not in self.categories:
            raise ValueError(
                f"task {task.id!r} of environment {self.name!r} has {self.scale} {task.environment!r}, which is not "
                f"one of its categories {list(self.categories)}; fix the sampler or add it to EnvSpec.categories"
            )
        return task
