"""The environment registry: one ``EnvSpec`` per name; ``make(name, **options)``, ``spec(name)``, ``register(spec)``.

Built-in specs hold lazy ``"module:attr"`` strings, so ``import envs`` stays cheap and heavy backends (ai2thor,
alfworld) load only when chosen. Third-party packages add environments through the one entry-point group
``msi_agent.envs``, pointing at an ``EnvSpec`` (``[project.entry-points."msi_agent.envs"] myenv =
"mypkg.env:SPEC"``). An entry that is a bare factory still makes instances, but has no task sampler.
"""

from __future__ import annotations

from collections.abc import Callable

from envs.core import Env
from envs.spec import EnvSpec
from msi_agent.registry import Registry

ENV_GROUP = "msi_agent.envs"

registry: Registry[Env] = Registry("environment", ENV_GROUP)
"""Name → ``EnvSpec`` (specs are ``Env`` factories), or a bare factory from an older entry point."""

HOUSEHOLD_ROOMS = ("Kitchen", "LivingRoom", "Bedroom", "Bathroom")
_HOUSEHOLD = {
    "families": "envs.household.families:family_names",
    "family_details": "envs.household.families:details",
    "category_filter": True,
    "paper_benchmark": "envs.household.families:paper_benchmark",
    "protocol_note": (
        "Tasks are sampled from task families on iTHOR floor plans, not the TEACh TfD episodes or ALFWorld's "
        "evaluation games: SR and GC follow the paper's definitions, the tasks differ."
    ),
    "default_families": ("pick_and_place_simple", "look_at_obj_in_light"),
    "scale": "room type",
    "categories": HOUSEHOLD_ROOMS,
    "vocabulary": {
        "agent": "a household robot",
        "world": "a text simulator of a home",
        "hints": " Go to a receptacle before you take from it or put on it, and open it if it is closed.",
        "subtask_example": "Object Placement",
        "subtask_examples": "[Object Placement] or [Revealing Hidden Objects]",
    },
}

# Built-in environments: one spec each, lazy. (ai2thor and alfworld play the household's families and rooms.)
registry.register(
    "household",
    EnvSpec(
        name="household",
        entry_point="envs.household.env:HouseholdEnv",
        sampler="envs.tasks:sampler",
        description="built-in pure-Python simulator on the 120 iTHOR floor plans",
        **_HOUSEHOLD,  # type: ignore[arg-type]
    ),
)
registry.register(
    "ai2thor",
    EnvSpec(
        name="ai2thor",
        entry_point="envs.thor.env:ThorEnv",
        sampler="envs.thor.tasks:sampler",
        description="the real AI2-THOR Controller under the household text layer",
        estimate_on="household",
        commands="envs.thor.cli:app",
        **_HOUSEHOLD,  # type: ignore[arg-type]
    ),
)
registry.register(
    "alfworld",
    EnvSpec(
        name="alfworld",
        entry_point="envs.alfworld.engine:AlfworldEnv",
        sampler="envs.tasks:sampler",
        description="the real ALFWorld engine playing household tasks",
        estimate_on="household",
        commands="envs.alfworld.cli:app",
        **_HOUSEHOLD,  # type: ignore[arg-type]
    ),
)

registry.register("textworld-express", "envs.textworld_express:SPEC")  # an outside adapter, shipped as an example


def register(
    spec: EnvSpec | str, factory: Callable[..., Env] | str | None = None, *, replace: bool = False, **fields: object
) -> None:
    """Add an environment: an ``EnvSpec``, or a name plus a factory (and any other ``EnvSpec`` fields)."""
    if isinstance(spec, str):
        if factory is None:
            raise TypeError(f"register({spec!r}) needs a factory (or pass an EnvSpec)")
        spec = EnvSpec(name=spec, entry_point=factory, **fields)  # type: ignore[arg-type]
    elif factory is not None or fields:
        raise TypeError("register(spec) takes an EnvSpec alone; put the other fields into the spec")
    registry.register(spec.name, spec, replace=replace)


def spec(name: str) -> EnvSpec:
    """The spec registered as ``name`` (raises ``UnknownPluginError`` listing names)."""
    entry = registry.factory(name)
    return entry if isinstance(entry, EnvSpec) else EnvSpec(name=name, entry_point=entry)


def make(name: str, /, **kwargs: object) -> Env:
    """A new instance of the environment registered as ``name`` (raises ``UnknownPluginError`` listing names)."""
    return registry.create(name, **kwargs)


def names() -> list[str]:
    return registry.names()
