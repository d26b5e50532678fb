"""The real ALFWorld engine (TextWorld + PDDL) as an environment, and games generated from household tasks.

Modules (importing this package loads neither alfworld nor textworld; only ``engine`` and game writing need them,
from the optional extra ``alfworld``):
- ``names``     — ALFRED's id mangling and ALFWorld's "<type> <n>" numbering;
- ``tasks``     — the six task types, their goal parameters and goal conditions over PDDL facts;
- ``generate``  — write ``game.tw-pddl`` + ``traj_data.json`` for an arrangement and a goal (feasibility first);
- ``from_household`` — turn a household task into that arrangement and goal;
- ``dataset``   — tasks from a user's ALFWorld data folder (``json_2.1.1``);
- ``engine``    — ``AlfworldEnv`` (``envs.make("alfworld")``), the ``envs.core.Env`` over the wrapped ``PddlEnv``;
- ``planner``   — Fast Downward with a time limit (in a forked child);
- ``crosscheck``— replay plans across the household simulator and ALFWorld and compare them step by step;
- ``divergences`` — the known, explained differences (``docs/alfworld-crosscheck.md``).
"""
