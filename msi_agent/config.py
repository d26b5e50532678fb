"""The settings tree: every section and setting, with its default, its checks and whether it decides a run's
episodes; secrets are ``SecretStr`` and are only ever shown masked.

Where values come from (defaults < preset < ``msi.toml`` < ``MSI_*`` env vars < CLI flags) is
``msi_agent.config_sources.resolve``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from msi_agent.experience.order import SeedOrdering
from msi_agent.modes import Baseline, Executor, ExpelSeeds, ExperienceMode, InsightMode, SeedFrom, Variant
from msi_agent.records import Scale

ENV_PREFIX = "MSI_"


EPISODE: dict[str, Any] = {"json_schema_extra": {"episode": True}}
"""Marks a setting that decides what a run's episodes are: a resume with another value would mix two experiments
(``episode_settings``). Task counts, workers and the choice of arms may change between commands of one run."""


class Section(BaseModel):
    model_config = ConfigDict(extra="forbid")


class LLMSettings(Section):
    spec: str = Field(
        "local", description="LLM backend: local, local:PATH.gguf, openai:MODEL, provider:model", **EPISODE
    )
    base_url: str | None = Field(
        None, description="OpenAI-compatible endpoint (vLLM, llama.cpp, Ollama /v1)", **EPISODE
    )
    api_key: SecretStr | None = Field(None, description="API key; defaults to the provider's env var")
    temperature: float = Field(0.0, ge=0.0, le=2.0, **EPISODE)
    max_tokens: int = Field(256, gt=0, **EPISODE)
    timeout: float = Field(60.0, gt=0, description="seconds per request")
    max_retries: int = Field(4, ge=0)
    timeout_retries: int = Field(1, ge=0, description="retries of a timed-out request (the server may still be busy)")
    deadline: float = Field(180.0, gt=0, description="seconds for one call, retries and backoff included")
    max_concurrency: int | None = Field(
        None, ge=1, description="requests in flight per endpoint (others wait in the client); default pipeline.workers"
    )
    cache: bool = Field(True, description="persistent response cache (used at temperature 0)")
    insight_spec: str | None = Field(None, description="LLM for insight generation; defaults to spec", **EPISODE)


class StoreSettings(Section):
    spec: str = Field(
        "chroma", description="insight store: chroma, chroma+http://host:port, memory, module:factory", **EPISODE
    )
    namespace: str = Field("default", description="insight set the `insights` commands work on")
    embedder: str = Field("minilm", description="minilm (offline all-MiniLM-L6-v2) or hash", **EPISODE)


class EnvSettings(Section):
    name: str = Field(
        "household",
        description="environment: household, ai2thor, alfworld, textworld-express (`msi-agent envs list`)",
        **EPISODE,
    )
    families: list[str] = Field(
        default_factory=list, description="task families; empty = all (or the defaults, see below)", **EPISODE
    )
    default_families: bool = Field(
        False, description="with families empty: play the environment's default families instead of all"
    )
    options: dict[str, Any] = Field(
        default_factory=dict,
        description="keyword arguments of envs.make (ai2thor: platform, x_display, ...)",
        **EPISODE,
    )
    prompts: Path | None = Field(None, description="prompt templates searched first (default: workspace/prompts)")


class AgentSettings(Section):
    """How the agent plays every episode (collect and eval alike)."""

    executor: Executor = Field(
        Executor.REACT,
        description="react (thought/action/observation) or program (HELPER: a program over primitives)",
        **EPISODE,
    )
    max_programs: int = Field(3, ge=1, description="program executor: first program plus corrections", **EPISODE)
    examples: int = Field(1, ge=0, description="few-shot expert demonstrations in the prompt", **EPISODE)
    act_only: bool = Field(False, description="the Act variant: actions without thoughts", **EPISODE)
    history_window: int | None = Field(None, ge=0, description="steps kept in the prompt; unset = all", **EPISODE)
    max_steps: int | None = Field(
        None,
        gt=0,
        description="step limit per episode; unset = the task's own budget when the environment reports one "
        "(info['max_steps']), else the environment's (EnvSpec.max_steps)",
        **EPISODE,
    )


class PipelineSettings(Section):
    train_tasks: int = Field(8, ge=0, description="training tasks (collect)")
    test_tasks: int = Field(8, ge=0, description="test tasks per split (seen and unseen)")
    seed: int = Field(0, description="task sampling and seed order", **EPISODE)
    workers: int = Field(1, ge=1, description="episodes played at once")
    max_errors: int = Field(3, ge=1, description="stop a command after this many errored episodes (LLM failures)")
    namespace: str | None = Field(None, description="insight namespace distilled into and evaluated; unset = run name")
    backend: Literal["local", "ray"] = Field("local", description="where episodes play: threads here, or Ray actors")
    ray_address: str = Field(
        "local", description="local (a Ray for this run on 127.0.0.1), auto (the running cluster), host:port, ray://…"
    )
    ray_actor_cpus: float = Field(0.1, ge=0, description="CPUs per environment actor (1 for AI2-THOR)")
    ray_actor_gpus: float = Field(0.0, ge=0, description="GPUs per environment actor (AI2-THOR CloudRendering)")
    ray_max_retries: int = Field(3, ge=0, description="restarts of a lost actor and retries of its episode")


class DistillSettings(Section):
    """How training experience becomes insights (one generator update per seed)."""

    variant: Variant = Field(Variant.MSI, description="msi (three scales) or expel (flat list)")
    selector: ExperienceMode = Field(ExperienceMode.PAIR, description="experience selector: success, pair, same-task")
    seed_from: SeedFrom = Field(SeedFrom.BOTH, description="successes from agent, expert or both")
    seed_order: str = Field(
        "shuffle",
        description="shuffle (with pipeline.seed), given, families:a,b, or categories of the environment in order "
        "(rooms:Kitchen,LivingRoom,...: the paper's domain shift)",
    )
    scales: list[Scale] = Field(
        default_factory=lambda: list(Scale),
        description="scales MSI writes: general, environment, subtask (the paper drops environment on ALFWorld)",
    )
    snapshots: bool = Field(False, description="keep a copy of the insight set after every update")
    edit_score: float = Field(0.0, description="score change of EDIT (the paper: 0; ExpeL's code: +1)")
    max_tokens: int = Field(512, ge=16, description="cap on one insight-update reply")
    expel_seeds: ExpelSeeds = Field(
        ExpelSeeds.MSI, description="the ExpeL baseline's seeds: msi (exactly MSI's, the paper) or same-task (ExpeL's)"
    )
    expel_max_rules: int | None = Field(
        None,
        ge=1,
        description="ExpeL's max_num_rules: at this size its list is 'full' (a prompt says so); unset = no cap",
    )
    remove_when_full: float = Field(
        -3.0, le=0, description="score change of REMOVE once ExpeL's list holds expel_max_rules + 5 rules (ExpeL: -3)"
    )
    from_run: str | None = Field(
        None, description="use this run's training episodes; unset = the run's own if it collected any, else all"
    )

    @field_validator("seed_order")
    @classmethod
    def _seed_order(cls, text: str) -> str:
        return str(SeedOrdering.parse(text))

    @field_validator("scales")
    @classmethod
    def _scales(cls, scales: list[Scale]) -> list[Scale]:
        if not scales or len(set(scales)) != len(scales):
            raise ValueError("name each of general, environment, subtask at most once, and at least one")
        return [s for s in Scale if s in scales]


class EvalSettings(Section):
    """How test episodes are played: the insight selector of the MSI arm, the baseline arms beside it."""

    insight_selector: InsightMode = Field(
        InsightMode.HASHMAP, description="hashmap, vector, general-only, general-environment, all"
    )
    baselines: list[Baseline] = Field(
        default_factory=lambda: [Baseline.NONE, Baseline.EXPEL],
        description="arms beside MSI: none, expel, msi-<insight selector> (msi-vector, ...), "
        "msi-<experience selector> (msi-success, ...)",
    )
    token_budget: int = Field(2000, gt=0, description="the vector selector's budget (tokens)", **EPISODE)
    ablate: list[str] = Field(
        default_factory=list,
        description="also the MSI arm without top:K | ids:ID,ID | scale:NAME | key:NAME (one arm per insight or group)",
    )
    online: bool = Field(False, description="also an online MSI arm: a copy of the namespace distilling as it plays")

    @field_validator("insight_selector")
    @classmethod
    def _not_none(cls, mode: InsightMode) -> InsightMode:
        if mode is InsightMode.NONE:
            raise ValueError("'none' is the no-insights baseline: list it in eval.baselines instead")
        return mode


class Settings(BaseSettings):
    """Everything a run needs. Nested env vars use ``__``: ``MSI_LLM__SPEC=openai:gpt-4o``."""

    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, env_nested_delimiter="__", extra="forbid")

    workspace: Path = Field(Path("msi-workspace"), description="experiences, stores, runs, LLM cache", **EPISODE)
    llm: LLMSettings = Field(default_factory=LLMSettings)
    store: StoreSettings = Field(default_factory=StoreSettings)
    env: EnvSettings = Field(default_factory=EnvSettings)
    pipeline: PipelineSettings = Field(default_factory=PipelineSettings)
    agent: AgentSettings = Field(default_factory=AgentSettings)
    distill: DistillSettings = Field(default_factory=DistillSettings)
    eval: EvalSettings = Field(default_factory=EvalSettings)

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


def leaves(d: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in d.items():
        path = f"{prefix}{k}"
        if isinstance(v, dict):
            out |= leaves(v, path + ".")
        else:
            out[path] = v
    return out


def episode_settings(model: type[BaseModel] = Settings, prefix: str = "") -> list[str]:
    """Dotted names of the settings marked ``EPISODE`` (a whole dict-valued one covers its keys)."""
    out: list[str] = []
    for name, info in model.model_fields.items():
        annotation = info.annotation
        if isinstance(annotation, type) and issubclass(annotation, Section):
            out += episode_settings(annotation, f"{prefix}{name}.")
        elif isinstance(info.json_schema_extra, dict) and info.json_schema_extra.get("episode"):
            out.append(f"{prefix}{name}")
    return out


def is_episode_setting(leaf: str) -> bool:
    return any(leaf == k or leaf.startswith(k + ".") for k in episode_settings())


def masked(settings: Settings) -> dict[str, Any]:
    """Leaves of the settings as JSON values (enum values, paths as text), secrets replaced by '***' (or 'unset')."""
    raw = leaves(settings.model_dump())
    shown = leaves(settings.model_dump(mode="json"))
    return {
        leaf: ("***" if value.get_secret_value() else "unset") if isinstance(value, SecretStr) else shown[leaf]
        for leaf, value in raw.items()
    }
