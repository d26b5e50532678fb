"""Text environments for household agents: the protocol, the registry, task sets, metrics and a checker.

``envs.make("household")`` gives the built-in simulator; ``envs.tasks.sample_tasks`` gives seeded task lists.
"""

from envs.core import NOTHING_HAPPENS, Env, Observation
from envs.registration import make, names, register, spec
from envs.spec import EnvSpec, MissingSamplerError, TaskSampler

__all__ = [
    "NOTHING_HAPPENS",
    "Env",
    "EnvSpec",
    "MissingSamplerError",
    "Observation",
    "TaskSampler",
    "make",
    "names",
    "register",
    "spec",
]
