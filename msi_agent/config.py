"""The settings tree: defaults < TOML file (``msi.toml`` or ``--config``) < ``MSI_*`` env vars < CLI flags.

``resolve`` returns the settings plus, for every leaf, where its value came from, so ``msi-agent config``
can explain a run. Secrets are ``SecretStr`` and are only ever shown masked.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

DEFAULT_CONFIG_FILE = "msi.toml"
ENV_PREFIX = "MSI_"


class Section(BaseModel):
    model_config = ConfigDict(extra="forbid")


class LLMSettings(Section):
    spec: str = Field("local", description="LLM backend: local, local:PATH.gguf, openai:MODEL, provider:model")
    base_url: str | None = Field(None, description="OpenAI-compatible endpoint (vLLM, llama.cpp, Ollama /v1)")
    api_key: SecretStr | None = Field(None, description="API key; defaults to the provider's env var")
    temperature: float = Field(0.0, ge=0.0, le=2.0)
    max_tokens: int = Field(256, gt=0)
    timeout: float = Field(60.0, gt=0, description="seconds per call")
    max_retries: int = Field(4, ge=0)
    cache: bool = Field(True, description="persistent response cache (used at temperature 0)")
    insight_spec: str | None = Field(None, description="LLM for insight generation; defaults to spec")


class StoreSettings(Section):
    spec: str = Field("chroma", description="insight store: chroma, chroma+http://host:port, memory, module:factory")
    namespace: str = Field("default", description="insight set inside the store")
    embedder: str = Field("minilm", description="minilm (offline all-MiniLM-L6-v2) or hash")


class EnvSettings(Section):
    name: str = Field("household", description="environment: household, ai2thor, alfworld")
    max_steps: int = Field(30, gt=0)
    families: list[str] = Field(default_factory=list, description="task families; empty = all")
    options: dict[str, Any] = Field(
        default_factory=dict, description="keyword arguments of envs.make (ai2thor: platform, x_display, ...)"
    )


class PipelineSettings(Section):
    train_tasks: int = Field(8, ge=0)
    test_tasks: int = Field(8, ge=0)
    seed: int = 0
    selector: Literal["success", "pair", "same-task"] = "pair"
    seed_from: Literal["agent", "expert", "both"] = "both"
    insight_selector: Literal["hashmap", "vector", "general-only", "all"] = "hashmap"
    workers: int = Field(1, ge=1)
    token_budget: int = Field(2000, gt=0)


class Settings(BaseSettings):
    """Everything a run needs. Nested env vars use ``__``: ``MSI_LLM__SPEC=openai:gpt-4o``."""

    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, env_nested_delimiter="__", extra="forbid")

    workspace: Path = Field(Path("msi-workspace"), description="experiences, stores, runs, LLM cache")
    llm: LLMSettings = Field(default_factory=LLMSettings)
    store: StoreSettings = Field(default_factory=StoreSettings)
    env: EnvSettings = Field(default_factory=EnvSettings)
    pipeline: PipelineSettings = Field(default_factory=PipelineSettings)

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # init (CLI flags + file, merged by ``resolve``) must lose to env vars for file values,
        # so ``resolve`` layers them itself; here only init and env are consulted.
        return (init_settings,)


class ConfigError(ValueError):
    """A configuration value is wrong; the message names the field, the source and what is expected."""


def _deep_merge(base: dict[str, Any], top: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for k, v in top.items():
        out[k] = _deep_merge(out[k], v) if isinstance(v, dict) and isinstance(out.get(k), dict) else v
    return out


def _leaves(d: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in d.items():
        path = f"{prefix}{k}"
        if isinstance(v, dict):
            out |= _leaves(v, path + ".")
        else:
            out[path] = v
    return out


def _from_env(environ: dict[str, str]) -> dict[str, Any]:
    tree: dict[str, Any] = {}
    for name, value in environ.items():
        if not name.startswith(ENV_PREFIX):
            continue
        parts = name[len(ENV_PREFIX) :].lower().split("__")
        node = tree
        for p in parts[:-1]:
            node = node.setdefault(p, {})
        node[parts[-1]] = _env_value(value)
    return tree


def _env_value(value: str) -> Any:
    """Lists may be given as comma-separated text (``MSI_ENV__FAMILIES=toast,coffee``)."""
    return value.split(",") if "," in value else value


def _read_file(path: Path | None, cwd: Path) -> tuple[dict[str, Any], Path | None]:
    if path is None:
        candidate = cwd / DEFAULT_CONFIG_FILE
        if not candidate.exists():
            return {}, None
        path = candidate
    if not path.exists():
        raise ConfigError(f"config file {path} does not exist; create it or drop --config")
    try:
        return tomllib.loads(path.read_text(encoding="utf-8")), path
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"config file {path} is not valid TOML: {exc}") from exc


class Resolved(BaseModel):
    settings: Settings
    sources: dict[str, str]


def resolve(
    *,
    config_file: Path | None = None,
    flags: dict[str, Any] | None = None,
    environ: dict[str, str] | None = None,
    cwd: Path | None = None,
) -> Resolved:
    """Layer defaults < file < env < flags; ``flags`` uses dotted keys (``{"llm.spec": "openai:x"}``)."""
    environ = dict(os.environ) if environ is None else environ
    file_tree, file_path = _read_file(config_file, cwd or Path.cwd())
    env_tree = _from_env(environ)
    flag_tree: dict[str, Any] = {}
    for dotted, value in (flags or {}).items():
        if value is None:
            continue
        node = flag_tree
        *parents, leaf = dotted.split(".")
        for p in parents:
            node = node.setdefault(p, {})
        node[leaf] = value
    layers = [(f"file {file_path}", file_tree), ("env", env_tree), ("flag", flag_tree)]
    merged: dict[str, Any] = {}
    sources: dict[str, str] = {}
    for label, tree in layers:
        merged = _deep_merge(merged, tree)
        sources |= {k: label for k in _leaves(tree)}
    try:
        settings = Settings(**merged)
    except ValidationError as exc:
        raise ConfigError(_explain(exc, sources)) from None
    for leaf in _leaves(settings.model_dump()):
        sources.setdefault(leaf, "default")
    return Resolved(settings=settings, sources=sources)


def _explain(exc: ValidationError, sources: dict[str, str]) -> str:
    lines = ["invalid configuration:"]
    for err in exc.errors():
        field = ".".join(str(p) for p in err["loc"])
        origin = sources.get(field, "default")
        env_name = ENV_PREFIX + field.upper().replace(".", "__")
        hint = f" (set via {origin}; env name {env_name})"
        if err["type"] == "extra_forbidden":
            lines.append(f"  {field}: unknown setting{hint}; see `msi-agent config` for valid names")
        else:
            lines.append(f"  {field}: {err['msg']}, got {err.get('input')!r}{hint}")
    return "\n".join(lines)


def masked(settings: Settings) -> dict[str, Any]:
    """Leaves of the settings with secrets replaced by '***' (or 'unset')."""
    out: dict[str, Any] = {}
    for leaf, value in _leaves(settings.model_dump()).items():
        if isinstance(value, SecretStr):
            value = "***" if value.get_secret_value() else "unset"
        out[leaf] = value
    return out
