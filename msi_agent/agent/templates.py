"""Prompt templates, found on a search path and rendered strictly.

A template ``NAME`` is the file ``NAME.txt`` in the first folder of the search path that has it: the user's folder
(``msi-workspace/prompts/`` or ``--prompts DIR``), then the environment's package (``EnvSpec.prompts``), then
msi_agent's defaults (``msi_agent/agent/prompts``, ``msi_agent/insights/prompts``). ``msi-agent prompts copy``
starts a user folder from what is found now.

``string.Template`` syntax (``$name`` / ``${name}``). Values come from the call site and from the environment's
words (``$agent``, ``$world``, ``$hints``, ``$scale``, ...: ``DEFAULT_WORDS`` overridden by ``EnvSpec.vocabulary``).
Rendering fails loudly both ways: a placeholder that neither supplies, or a call-site value the template never
uses (a misspelled name), raises ``TemplateError``. A template need not use the environment's words.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from string import Template
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from envs.spec import EnvSpec

DEFAULT_PACKAGES = ("msi_agent.agent", "msi_agent.agent.program", "msi_agent.insights")
"""Packages whose ``prompts/`` folders hold the defaults, searched last."""

DEFAULT_WORDS: dict[str, str] = {
    "agent": "an agent",
    "world": "a text environment",
    "hints": "",
    "subtask_example": "Step Order",
    "subtask_examples": "[Step Order] or [Checking Progress]",
    "scale": "environment",
}
"""Words of the default prompts an environment may replace: who acts (with its article), where, extra advice for
the system prompt (appended to its last line, so start it with a space), subtask-name examples, the scale's name."""


class TemplateError(ValueError):
    pass


def package_folder(package: str) -> Traversable:
    """The ``prompts/`` folder of an importable package."""
    return resources.files(package).joinpath("prompts")


@cache
def _parse(path: str, text: str) -> Template:
    template = Template(text)
    if not template.is_valid():
        raise TemplateError(f"prompt template {path} has a malformed placeholder; write $$ for a literal dollar sign")
    return template


@dataclass(frozen=True)
class Prompts:
    """The search path and the words of one environment. ``folders`` come before msi_agent's defaults."""

    folders: tuple[Traversable | Path, ...] = ()
    words: Mapping[str, str] = field(default_factory=lambda: dict(DEFAULT_WORDS))
    categories: tuple[str, ...] = ()
    """The environment's category names (the generator's parser reads ``[Kitchen]`` as the environment scale)."""

    @classmethod
    def for_environment(
        cls,
        *,
        words: Mapping[str, str] | None = None,
        categories: Sequence[str] = (),
        package: str | Path | None = None,
        user: Path | None = None,
    ) -> Prompts:
        """User folder (if it exists) → ``package``'s ``prompts/`` (or the folder ``package``) → defaults."""
        unknown = set(words or {}) - set(DEFAULT_WORDS)
        if unknown:
            raise TemplateError(f"unknown prompt words {sorted(unknown)}; known: {', '.join(DEFAULT_WORDS)}")
        folders: list[Traversable | Path] = []
        if user is not None and user.is_dir():
            folders.append(user)
        if isinstance(package, Path):
            folders.append(package)
        elif package:
            folders.append(package_folder(package))
        return cls(tuple(folders), {**DEFAULT_WORDS, **(words or {})}, tuple(categories))

    @classmethod
    def for_spec(cls, spec: EnvSpec, *, user: Path | None = None) -> Prompts:
        """The templates and words of the environment ``spec``, with ``user``'s folder first."""
        return cls.for_environment(words=spec.words(), categories=spec.categories, package=spec.prompts, user=user)

    @property
    def search_path(self) -> list[Traversable | Path]:
        return [*self.folders, *(package_folder(p) for p in DEFAULT_PACKAGES)]

    def find(self, name: str) -> Traversable | Path:
        for folder in self.search_path:
            candidate = folder.joinpath(f"{name}.txt")
            if candidate.is_file():
                return candidate
        raise TemplateError(
            f"no prompt template {name!r} (looked for {name}.txt in {', '.join(map(str, self.search_path))}); "
            "`msi-agent prompts list` shows the names"
        )

    def names(self) -> dict[str, Traversable | Path]:
        """Every template name → the file that supplies it (the first on the search path)."""
        found: dict[str, Traversable | Path] = {}
        for folder in self.search_path:
            if folder.is_dir():
                for entry in sorted(folder.iterdir(), key=lambda e: e.name):
                    if entry.name.endswith(".txt") and entry.is_file():
                        found.setdefault(entry.name.removesuffix(".txt"), entry)
        return dict(sorted(found.items()))

    def load(self, name: str) -> Template:
        path = self.find(name)
        return _parse(str(path), path.read_text(encoding="utf-8"))

    def render(self, name: str, /, **values: object) -> str:
        template = self.load(name)
        wanted = set(template.get_identifiers())
        missing, unused = wanted - values.keys() - self.words.keys(), values.keys() - wanted
        if missing or unused:
            raise TemplateError(
                f"template {self.find(name)}: missing values {sorted(missing)}, unknown values {sorted(unused)}"
            )
        words = {k: v for k, v in self.words.items() if k in wanted}
        return template.substitute({**words, **{k: str(v) for k, v in values.items()}})


DEFAULT_PROMPTS = Prompts()
"""msi_agent's own templates and words, for code that plays no particular environment."""


def render(package: str, name: str, /, **values: object) -> str:
    """Template ``name`` from ``package``'s own ``prompts/`` folder first, with the default words."""
    return Prompts(folders=(package_folder(package),)).render(name, **values)
