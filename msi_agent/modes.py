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
    """Evaluation arms beside MSI's: no insights at all; ExpeL's flat list with every insight in the prompt; MSI's
    insight set read by another insight selector (``msi-vector``, ...); MSI distilled from another experience
    selector's seeds into ``<namespace>-<selector>``, read by ``eval.insight_selector`` (``msi-success``, ...).
    One run holds a whole table of the paper this way."""

    NONE = "none"
    EXPEL = "expel"
    MSI_HASHMAP = "msi-hashmap"
    MSI_VECTOR = "msi-vector"
    MSI_GENERAL_ONLY = "msi-general-only"
    MSI_GENERAL_ENVIRONMENT = "msi-general-environment"
    MSI_ALL = "msi-all"
    MSI_SUCCESS = "msi-success"
    MSI_PAIR = "msi-pair"
    MSI_SAME_TASK = "msi-same-task"

    @property
    def insight_mode(self) -> InsightMode | None:
        """The insight selector of an ``msi-<selector>`` arm over MSI's own insight set."""
        return next((m for m in InsightMode if self.value == f"msi-{m.value}"), None)

    @property
    def experience_mode(self) -> ExperienceMode | None:
        """The experience selector of an ``msi-<selector>`` arm distilled from other seeds."""
        return next((m for m in ExperienceMode if self.value == f"msi-{m.value}"), None)


class ExpelSeeds(StrEnum):
    """The ExpeL baseline's seeds: exactly MSI's (the paper's tables), or ExpeL's own same-task pairs."""

    MSI = "msi"
    SAME_TASK = "same-task"


class PaperBenchmark(StrEnum):
    """The paper's benchmarks (REFERENCE §1): an environment says which one a run over its families stands for
    (``EnvSpec.paper_benchmark``), and the run's results compare its protocol with that benchmark's."""

    TEACH = "teach"
    ALFWORLD = "alfworld"
