"""The household expert as a program writer, for ``msi-agent run --executor program`` on every TEACh family.

``make_model`` is what ``--llm program_player:make_model`` builds: it knows the tasks of every TEACh family that a
run with ``--family F`` and up to ``TASKS`` tasks per split samples (seed 0), and answers each program prompt with
the expert plan written as a program; insight updates get the household player's rules, so the MSI arm's
program prompts carry insights.
"""

from __future__ import annotations

from household_player import insight_reply, names_reply

import envs
from envs.household.families import family, family_names
from envs.tasks import TaskSpec, sample_tasks
from msi_agent.llm import ScriptedChatModel
from msi_agent.pipeline.offline import ExpertPlayer
from msi_agent.records import Split

TEACH = [f for f in family_names() if family(f).source == "teach"]
TASKS = 2


def make_model() -> ScriptedChatModel:
    tasks = [
        t for f in TEACH for split in Split for t in sample_tasks(TaskSpec(split=split, n=TASKS, seed=0, families=[f]))
    ]
    player = ExpertPlayer(lambda: envs.make("household"), tasks, insight_reply=insight_reply, names_reply=names_reply)
    return ScriptedChatModel(player, name="program-player")
