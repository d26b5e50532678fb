"""Multi-scale insights: the generator (parse → resolve → one atomic store batch per seed) and the selector
that puts the relevant ones into the executor's prompt."""

from msi_agent.insights.generator import GeneratorConfig, InsightGenerator, SeedOrder, UpdateReport, Variant
from msi_agent.insights.parser import ParsedOp, parse_operations
from msi_agent.insights.resolve import GeneratorLimits, resolve
from msi_agent.insights.selector import InsightSelector, Selection, SelectorMode, format_block

__all__ = [
    "GeneratorConfig",
    "GeneratorLimits",
    "InsightGenerator",
    "InsightSelector",
    "ParsedOp",
    "SeedOrder",
    "Selection",
    "SelectorMode",
    "UpdateReport",
    "Variant",
    "format_block",
    "parse_operations",
    "resolve",
]
