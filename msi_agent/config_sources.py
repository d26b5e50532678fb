"""Where each setting's value comes from: defaults < a run's own settings < preset < TOML file (``msi.toml`` or
``--config``) < ``MSI_*`` env vars < CLI flags.

``resolve`` returns the settings plus, for every leaf, where its value came from, so ``msi-agent config`` can
explain a run; every error names the setting, its source and its env-variable name, and never shows a secret.
"""

from __future__ import annotations

import difflib
import os
import tomllib
import types
from pathlib import Path
from typing import Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel, Field, SecretStr, ValidationError

from msi_agent import presets
from msi_agent.config import ENV_PREFIX, Settings, leaves

DEFAULT_CONFIG_FILE = "msi.toml"


MOVED = {
    "env.max_steps": "agent.max_steps",
    "pipeline.selector": "distill.selector",
    "pipeline.seed_from": "distill.seed_from",
    "pipeline.insight_selector": "eval.insight_selector",
    "pipeline.token_budget": "eval.token_budget",
    "distill.family_order": "distill.seed_order (families:a,b)",
}
"""Settings that moved when the tree gained its agent, distill and eval sections: an old msi.toml is told where."""


class ConfigError(ValueError):
    """A configuration value is wrong; the message names the field, the source and what is expected."""


def _deep_merge(base: dict[str, Any], top: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for k, v in top.items():
        out[k] = _deep_merge(out[k], v) if isinstance(v, dict) and isinstance(out.get(k), dict) else v
    return out


def _field_path(parts: list[str]) -> tuple[Any, bool] | None:
    """The annotation of the setting at ``parts`` (and whether it is a key inside a dict setting), or None."""
    model: type[BaseModel] = Settings
    for i, part in enumerate(parts):
        field = model.model_fields.get(part)
        if field is None:
            return None
        annotation = field.annotation
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            model = annotation
            continue
        if i == len(parts) - 1:
            return annotation, False
        return (Any, True) if get_origin(annotation) is dict else None
    return None  # a whole section given as one variable (MSI_LLM=...) is not a setting


def _string_like(annotation: Any) -> bool:
    """Text settings (spec, base_url, api_key, paths, choices) take the variable's text exactly as written."""
    if get_origin(annotation) in (Union, types.UnionType):
        return all(_string_like(a) for a in get_args(annotation) if a is not type(None))
    if get_origin(annotation) is Literal:
        return all(isinstance(a, str) for a in get_args(annotation))
    return annotation in (SecretStr, Path) or (isinstance(annotation, type) and issubclass(annotation, str))


def _env_value(value: str, annotation: Any) -> Any:
    """A TOML literal (``8``, ``true``, ``["toast", "coffee"]``) for other settings; text that is no TOML
    literal stays text. Never split at commas: ``http://h/v1?a=1,2`` is one URL."""
    if _string_like(annotation):
        return value
    try:
        return tomllib.loads(f"v = {value}")["v"]
    except tomllib.TOMLDecodeError:
        return value


def _setting_names() -> list[str]:
    names: list[str] = []

    def walk(model: type[BaseModel], prefix: str) -> None:
        for name, field in model.model_fields.items():
            if isinstance(field.annotation, type) and issubclass(field.annotation, BaseModel):
                walk(field.annotation, f"{prefix}{name.upper()}__")
            else:
                names.append(f"{prefix}{name.upper()}")

    walk(Settings, ENV_PREFIX)
    return names


def _from_env(environ: dict[str, str]) -> tuple[dict[str, Any], list[str]]:
    """The settings given as ``MSI_*`` variables, and a warning for each ``MSI_*`` name that is no setting
    (another tool's variable is not an error; a typo is reported with the closest setting name)."""
    tree: dict[str, Any] = {}
    warnings: list[str] = []
    for name, value in sorted(environ.items()):
        if not name.startswith(ENV_PREFIX):
            continue
        parts = name[len(ENV_PREFIX) :].lower().split("__")
        found = _field_path(parts) if all(parts) else None
        if found is None:
            moved = MOVED.get(".".join(parts))
            close = difflib.get_close_matches(name, _setting_names(), n=1, cutoff=0.75)
            hint = f"; did you mean {close[0]}?" if close else "; `msi-agent config` lists the settings"
            if moved:
                hint = f"; the setting is now {moved} ({ENV_PREFIX}{moved.upper().replace('.', '__')})"
            warnings.append(f"environment variable {name} is not an msi-agent setting, ignored{hint}")
            continue
        node = tree
        for p in parts[:-1]:
            node = node.setdefault(p, {})
        node[parts[-1]] = _env_value(value, found[0])
    return tree, warnings


def _read_file(path: Path | None, cwd: Path) -> tuple[dict[str, Any], Path | None]:
    if path is None:
        candidate = cwd / DEFAULT_CONFIG_FILE
        if not candidate.is_file():
            return {}, None
        path = candidate
    if path.is_dir():
        raise ConfigError(f"config file {path} is a folder; give the path of a TOML file (e.g. {path / 'msi.toml'})")
    if not path.exists():
        raise ConfigError(f"config file {path} does not exist; create it or drop --config")
    try:
        return tomllib.loads(path.read_text(encoding="utf-8")), path
    except UnicodeDecodeError:
        raise ConfigError(f"config file {path} is not UTF-8 text; it must be a TOML file") from None
    except OSError as exc:
        raise ConfigError(f"cannot read config file {path} ({exc.strerror or exc}); check its permissions") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"config file {path} is not valid TOML: {exc}") from None
    except RecursionError:
        raise ConfigError(f"config file {path} nests too deeply to be a configuration") from None


class Resolved(BaseModel):
    settings: Settings
    sources: dict[str, str]
    warnings: list[str] = Field(default_factory=list)


def resolve(
    *,
    config_file: Path | None = None,
    flags: dict[str, Any] | None = None,
    environ: dict[str, str] | None = None,
    cwd: Path | None = None,
    preset: str | None = None,
    inherited: tuple[str, dict[str, Any]] | None = None,
) -> Resolved:
    """Layer defaults < ``inherited`` < preset < file < env < flags.

    ``flags`` and ``inherited`` use dotted keys (``{"llm.spec": "openai:x"}``); ``inherited`` is a labelled layer
    just above the defaults (a run's own settings when a later command resumes it). ``preset`` names a TOML file
    over this tree (``msi_agent.presets``), looked up in the workspace the other layers give.
    """
    environ = dict(os.environ) if environ is None else environ
    file_tree, file_path = _read_file(config_file, cwd or Path.cwd())
    env_tree, warnings = _from_env(environ)
    top = [(f"file {file_path}", file_tree), ("env", env_tree), ("flag", _tree(flags or {}))]
    bottom = [(inherited[0], _tree(inherited[1]))] if inherited else []
    if preset is not None:
        given = [tree["workspace"] for _, tree in top if "workspace" in tree]
        workspace = Path(given[-1] if given else Settings.model_fields["workspace"].default)
        try:
            found = presets.find(preset, workspace)
        except presets.PresetError as exc:
            raise ConfigError(str(exc)) from None
        bottom.append((f"preset {found.name}", found.tree))
    merged: dict[str, Any] = {}
    sources: dict[str, str] = {}
    for label, tree in [*bottom, *top]:
        merged = _deep_merge(merged, tree)
        sources |= {k: label for k in leaves(tree)}
    try:
        settings = Settings(**merged)
    except ValidationError as exc:
        raise ConfigError(_explain(exc, sources)) from None
    for leaf in leaves(settings.model_dump()):
        sources.setdefault(leaf, "default")
    return Resolved(settings=settings, sources=sources, warnings=warnings)


def _secret_fields(model: type[BaseModel] = Settings, prefix: str = "") -> list[str]:
    out: list[str] = []
    for name, field in model.model_fields.items():
        if isinstance(field.annotation, type) and issubclass(field.annotation, BaseModel):
            out += _secret_fields(field.annotation, f"{prefix}{name}.")
        elif SecretStr in (field.annotation, *get_args(field.annotation)):
            out.append(prefix + name)
    return out


def _shown(field: str, value: Any) -> str:
    """The offending value for an error message; never a secret, nor a section that holds one."""
    if any(s == field or s.startswith(field + ".") or field.startswith(s + ".") for s in _secret_fields()):
        return "(hidden: secret)"
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _tree(dotted: dict[str, Any]) -> dict[str, Any]:
    """``{"a.b": 1}`` → ``{"a": {"b": 1}}``; None values are left out (an unset flag)."""
    tree: dict[str, Any] = {}
    for key, value in dotted.items():
        if value is None:
            continue
        node = tree
        *parents, leaf = key.split(".")
        for p in parents:
            node = node.setdefault(p, {})
        node[leaf] = value
    return tree


def _explain(exc: ValidationError, sources: dict[str, str]) -> str:
    lines = []
    for err in exc.errors():
        field = ".".join(str(p) for p in err["loc"])
        setting = field
        while setting.rpartition(".")[2].isdigit():  # an item of a list is set with its list
            setting = setting.rpartition(".")[0]
        origin = sources.get(setting, "default")
        env_name = ENV_PREFIX + setting.upper().replace(".", "__")
        hint = f" (set via {origin}; env name {env_name})"
        if err["type"] == "extra_forbidden" and field in MOVED:
            lines.append(f"{field}: this setting is now {MOVED[field]}{hint}")
        elif err["type"] == "extra_forbidden":
            lines.append(f"{field}: unknown setting{hint}; see `msi-agent config` for valid names")
        else:
            lines.append(f"{field}: {err['msg']}, got {_shown(field, err.get('input'))}{hint}")
    return "invalid configuration: " + "; ".join(lines)
