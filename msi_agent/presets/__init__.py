"""Experiment presets: TOML files over the settings tree, layered between the defaults and ``msi.toml``.

Built-in presets ship beside this file (``msi_agent/presets/NAME.toml``); user presets live in
``<workspace>/presets/NAME.toml`` and win over a built-in of the same name. A preset is a partial ``msi.toml``
plus an optional ``[preset]`` table describing it::

    [preset]
    description = "what the preset is for"
    reproduces = "the paper's table it reproduces (optional)"

    [pipeline]
    train_tasks = 4

A preset decides an experiment, not where it lives: it may not set ``workspace``. Its values are validated with the
rest of the tree by ``msi_agent.config_sources.resolve``, so an error names the preset and the setting.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError

WORKSPACE_DIR = "presets"
SUFFIX = ".toml"
NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,39}")


class PresetError(ValueError):
    """A preset is unknown or malformed; the message names the file and what to do."""


class PresetInfo(BaseModel):
    """The ``[preset]`` table: what a listing shows."""

    model_config = ConfigDict(extra="forbid")

    description: str = ""
    reproduces: str | None = None


@dataclass(frozen=True, slots=True)
class Preset:
    name: str
    path: Path
    builtin: bool
    info: PresetInfo
    tree: dict[str, Any]
    """The settings it sets, as a nested tree (the ``[preset]`` table removed)."""


def builtin_dir() -> Path:
    return Path(str(files(__name__)))


def user_dir(workspace: Path) -> Path:
    return Path(workspace) / WORKSPACE_DIR


def load(path: Path, *, builtin: bool = False) -> Preset:
    try:
        tree = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise PresetError(f"preset file {path} is unreadable ({exc})") from None
    except tomllib.TOMLDecodeError as exc:
        raise PresetError(f"preset file {path} is not valid TOML: {exc}; fix or remove it") from None
    if "workspace" in tree:
        raise PresetError(f"preset file {path} sets workspace: a preset decides an experiment, not where it lives")
    try:
        info = PresetInfo.model_validate(tree.pop("preset", {}))
    except ValidationError as exc:
        fields = ", ".join(".".join(map(str, e["loc"])) or "preset" for e in exc.errors())
        raise PresetError(
            f"preset file {path}: its [preset] table takes description and reproduces (problem: {fields})"
        ) from None
    return Preset(name=path.stem, path=path, builtin=builtin, info=info, tree=tree)


def _files(workspace: Path) -> dict[str, tuple[Path, bool]]:
    """Name → (file, built-in?); a user preset hides the built-in of its name."""
    found: dict[str, tuple[Path, bool]] = {}
    for folder, builtin in ((builtin_dir(), True), (user_dir(workspace), False)):
        if folder.is_dir():
            found |= {p.stem: (p, builtin) for p in sorted(folder.glob(f"*{SUFFIX}")) if NAME.fullmatch(p.stem)}
    return found


def available(workspace: Path) -> list[Preset]:
    """Every preset, sorted by name (a malformed one raises ``PresetError`` naming its file)."""
    return [load(path, builtin=builtin) for _, (path, builtin) in sorted(_files(workspace).items())]


def find(name: str, workspace: Path) -> Preset:
    if not NAME.fullmatch(name):
        raise PresetError(
            f"preset name {name!r} is not valid: use letters, digits, '_' or '-' (see `msi-agent presets`)"
        )
    files = _files(workspace)
    if name in files:
        path, builtin = files[name]
        return load(path, builtin=builtin)
    raise PresetError(
        f"no preset {name!r} (known: {', '.join(sorted(files)) or 'none'}); write one as "
        f"{user_dir(workspace) / (name + SUFFIX)} (a partial msi.toml, see `msi-agent presets`)"
    )
