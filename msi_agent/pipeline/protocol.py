"""Where a run's protocol departs from the paper's (REFERENCE §1), written into its results so that no figure is
read as the paper's by mistake. Computed from the resolved settings: each line names the setting behind it.
The README's "Reproducing the paper" lists these and the differences no setting can remove.
"""

from __future__ import annotations

from envs.spec import EnvSpec
from msi_agent.config import Settings
from msi_agent.experience.order import SeedOrdering
from msi_agent.modes import Executor, ExpelSeeds, ExperienceMode, PaperBenchmark, SeedFrom
from msi_agent.records import Scale


def differences(settings: Settings, spec: EnvSpec) -> list[str]:
    """The protocol differences from the paper that apply to a run with ``settings`` in ``spec``'s environment
    (which says which of the paper's benchmarks its families stand for, ``EnvSpec.paper_benchmark``)."""
    d, out = settings.distill, []
    if spec.protocol_note:
        out.append(spec.protocol_note)
    benchmark = spec.benchmark(settings.env.families)
    alfworld = benchmark is PaperBenchmark.ALFWORLD
    if benchmark is None:
        out.append(
            f"Environment {spec.name!r} is not one of the paper's benchmarks (TEACh, ALFWorld): no published figure "
            "compares with this run; the method's settings below are still compared with the paper's."
        )
    if benchmark is PaperBenchmark.TEACH and settings.agent.executor is Executor.REACT:
        out.append("TEACh-style tasks are played by the ReAct executor; the paper's TEACh tables use HELPER programs.")
    if d.seed_from is not SeedFrom.AGENT:
        out.append(
            f"Expert demonstrations count as successes (distill.seed_from={d.seed_from.value}); the paper distils "
            "the agent's own successes only (seed_from=agent)."
        )
    expected = {Scale.GENERAL, Scale.SUBTASK} if alfworld else set(Scale)
    if set(d.scales) != expected:
        scales = ",".join(s.value for s in d.scales)
        paper = "general,subtask on ALFWorld" if alfworld else "all three scales"
        out.append(f"Insight scales {scales} (distill.scales); the paper uses {paper}.")
    if Scale.ENVIRONMENT not in d.scales and not alfworld:
        out.append("No environment insights: the selector's environment part is empty.")
    if d.expel_seeds is ExpelSeeds.SAME_TASK:
        out.append(
            "The ExpeL baseline pairs each success with a failure of the same task (distill.expel_seeds=same-task); "
            "the paper distils ExpeL from MSI's seeds."
        )
    if SeedOrdering.parse(d.seed_order).groups and d.selector is ExperienceMode.PAIR:
        out.append(
            f"Seeds go group by group (distill.seed_order={d.seed_order}) and each success is paired only with a "
            "failure of its own group, so an update sees one room's (or family's) experience only (our reading of the "
            "paper's domain-shift protocol)."
        )
    if d.edit_score:
        out.append(f"EDIT changes a score by {d.edit_score:+g} (distill.edit_score; ExpeL's code); the paper keeps it.")
    out.append(
        "Pair mode and the vector selector embed the instruction with the task's family and category "
        "(experience.similarity) with the run's embedder (store.embedder); the paper embeds the instruction alone "
        "with its own model. A success with no failure to pair with is kept as a lone seed; the generator sees the "
        "last 25 steps of a trajectory, observations cut at 200 characters."
    )
    out.append(
        "The generator's and selector's prompts are ours (msi_agent/insights/prompts; operations requested as "
        "'ADD [Name]: rule' under one section per scale): the paper's wording is not reproduced, and its "
        "'(TASK: Name)' tags are parsed when a model writes them."
    )
    insight = settings.llm.insight_spec or settings.llm.spec
    out.append(
        f"LLMs: executor {settings.llm.spec}, insights {insight} (llm.spec, llm.insight_spec); the paper uses "
        "gpt-3.5 for the executor and gpt-4 for insights."
    )
    return out
