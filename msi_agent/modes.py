"""The named choices of an experiment: the settings tree (``msi_agent.config``) and the parts that act on them share
these enums, so a value is spelled once. Kept free of imports so the settings stay cheap to load.
"""

from __future__ import annotations

from enum import StrEnum


class ExperienceMode(StrEnum):
    """How the experience selector forms seeds (REFERENCE §1)."""

    SUCCESS = "success"
    PAIR = "pair"
    SAME_TASK = "same-task"


class SeedFrom(StrEnum):
    """Where successes come from: the agent's own, the simulator expert's demonstrations, or both."""

    AGENT = "agent"
    EXPERT = "expert"
    BOTH = "both"


class SeedOrder(StrEnum):
    """The order seeds reach the insight generator: shuffled with the run's seed, or as selected."""

    SHUFFLE = "shuffle"
    GIVEN = "given"


class Variant(StrEnum):
    """The insight generator: MSI's three scales, or ExpeL's flat list (the baseline)."""

    MSI = "msi"
    EXPEL = "expel"


class InsightMode(StrEnum):
    """How the insight selector picks insights for a test task; ``none`` plays without insights."""

    HASHMAP = "hashmap"
    VECTOR = "vector"
    GENERAL_ONLY = "general-only"
    GENERAL_ENVIRONMENT = "general-environment"
    ALL = "all"
    NONE = "none"


class Executor(StrEnum):
    """How the agent acts: ReAct (a thought and an action per step; ``agent.act_only`` drops the thought), or
    HELPER-style programs over the environment's primitives."""

    REACT = "react"
    PROGRAM = "program"


class Baseline(StrEnum):
    """Evaluation arms beside MSI: no insights at all, and ExpeL's flat list with every insight in the prompt."""

    NONE = "none"
    EXPEL = "expel"
