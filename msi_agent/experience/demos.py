"""Expert demonstrations: the simulator's planner replayed into ordinary ``Episode`` records (source=expert).

They seed the insight generator (``--seed-from expert|both``) and give the executor its few-shot examples.
"""

from __future__ import annotations

from envs.core import Env
from msi_agent.records import Episode, Source, Step, Task

EXPERT_LLM = "expert"


def expert_episode(env: Env, task: Task, *, episode_id: str | None = None) -> Episode:
    """Replay the expert plan from reset; a plan that does not win is reported, since it is a simulator bug."""
    obs = env.reset(task)
    plan = env.expert_plan()
    steps: list[Step] = []
    info = dict(obs.info)
    for command in plan:
        admissible = len(obs.admissible)
        obs = env.step(command)
        info = obs.info
        steps.append(Step(action=command, observation=obs.text, admissible_count=admissible))
        if obs.ended:
            break
    won = bool(info.get("won"))
    kwargs = {"id": episode_id} if episode_id else {}
    return Episode(
        task=task,
        steps=steps,
        success=won,
        gc_satisfied=int(info.get("gc_satisfied", 0)),
        gc_total=int(info.get("gc_total", 0)),
        path_length=len(steps),
        reference_length=len(plan),
        failure_reason=None if won else "the expert plan did not reach the goal (simulator bug)",
        llm=EXPERT_LLM,
        source=Source.EXPERT,
        **kwargs,
    )
