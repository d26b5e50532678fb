"""Multi-scale insights: the generator (parse → resolve → one atomic store batch per seed) and the selector
that puts the relevant ones into the executor's prompt."""

from msi_agent.insights.generator import GeneratorConfig, InsightGenerator, UpdateReport
from msi_agent.insights.parser import ParsedOp, parse_operations
from msi_agent.insights.resolve import GeneratorLimits, resolve
from msi_agent.insights.selector import InsightSelector, Selection, format_block

__all__ = [
    "GeneratorConfig",
    "GeneratorLimits",
    "InsightGenerator",
    "InsightSelector",
    "ParsedOp",
    "Selection",
    "UpdateReport",
    "format_block",
    "parse_operations",
    "resolve",
]
