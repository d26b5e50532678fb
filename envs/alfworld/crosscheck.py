"""Cross-check the household simulator against the real ALFWorld engine on the same task instances.

For each household task of an ALFWorld type, the equivalent ALFWorld game is generated and both engines play it:
1. ALFWorld's planner's plan, replayed in the household simulator, must win;
2. the household expert's plan, replayed in ALFWorld, must win;
3. along that replay, each engine's admissible commands and feedback must agree, step by step.

Names are compared through objectIds (ALFWorld numbers "cabinet 3" its own way, :mod:`envs.alfworld.names`) and
listings as sets. A difference a rule of :mod:`envs.alfworld.divergences` explains is counted under that rule;
any other difference is unexplained and fails the check. Instances run in parallel worker processes.
"""

from __future__ import annotations

import multiprocessing
import os
import re
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from pydantic import BaseModel, Field

from envs.alfworld.divergences import KNOWN, Side, Situation
from envs.alfworld.engine import AlfworldEnv, PlannerTimeoutError
from envs.alfworld.from_household import game_request
from envs.alfworld.generate import game_entities
from envs.alfworld.names import display_names
from envs.alfworld.tasks import AlfredTaskType
from envs.core import NOTHING_HAPPENS, Observation
from envs.household.env import HouseholdEnv
from envs.household.goals import type_of_id
from envs.tasks import TaskSpec, sample_tasks
from msi_agent.records import Split, Task

PLANNER_TIMEOUT = 30.0
_NAME = re.compile(r"\b([a-z]+) (\d+)\b")
_LISTING = re.compile(r"(you see )(.+?)(\.(?:\s|$)|$)")


# ----------------------------------------------------------------------------------------------- text helpers
def translate(text: str, names: dict[str, str]) -> str:
    """Rewrite every "<type> <n>" in ``text`` through ``names`` (unknown names are kept)."""
    return _NAME.sub(lambda m: names.get(m.group(0), m.group(0)), text)


def _sorted_listing(match: re.Match[str]) -> str:
    items = re.split(r", and |, | and ", match.group(2))
    return match.group(1) + ", ".join(sorted(i.strip() for i in items)) + match.group(3)


def normalize(text: str) -> str:
    """Feedback with its "you see a, b, and c" listings in sorted order and whitespace collapsed."""
    return _LISTING.sub(_sorted_listing, " ".join(text.split()))


# ----------------------------------------------------------------------------------------------- reports
class Mismatch(BaseModel):
    step: int
    command: str
    kind: str  # "admissible", "feedback" or "plan"
    household: str | list[str]
    alfworld: str | list[str]


class InstanceReport(BaseModel):
    task_id: str
    family: str
    scene: str
    environment: str
    alfworld_plan: list[str] | None  # None: the planner timed out
    household_plan: list[str]
    alfworld_plan_wins_in_household: bool | None
    household_plan_wins_in_alfworld: bool
    steps_compared: int = 0
    mismatches: list[Mismatch] = Field(default_factory=list)
    known: dict[str, int] = Field(default_factory=dict)
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        """No unexplained difference (a planner timeout leaves check 1 open but is not a difference)."""
        return self.household_plan_wins_in_alfworld and not self.mismatches


class CrosscheckReport(BaseModel):
    instances: list[InstanceReport]
    seconds: float
    workers: int = 1

    @property
    def passed(self) -> int:
        return sum(r.ok for r in self.instances)

    @property
    def planner_timeouts(self) -> int:
        return sum(r.alfworld_plan is None for r in self.instances)

    def coverage(self) -> Counter[tuple[str, str]]:
        return Counter((r.family, r.environment) for r in self.instances)

    def known(self) -> Counter[str]:
        total: Counter[str] = Counter()
        for r in self.instances:
            total.update(r.known)
        return total

    def unexplained(self) -> Iterator[tuple[InstanceReport, Mismatch]]:
        for inst in self.instances:
            for m in inst.mismatches:
                yield inst, m


# ----------------------------------------------------------------------------------------------- one instance
@dataclass
class _Names:
    """Both engines' names for one game, and what the divergence rules see of it."""

    to_a: dict[str, str]
    from_a: dict[str, str]
    situation: Situation
    known: Counter[str] = field(default_factory=Counter)

    @classmethod
    def of(cls, task: Task, household: HouseholdEnv) -> _Names:
        init, _, _ = game_request(task)
        a_names = display_names(game_entities(init))
        h_names = {oid: household.text.name(oid) for oid in a_names}
        return cls(to_a={h_names[o]: a for o, a in a_names.items()}, from_a={a: h_names[o] for o, a in a_names.items()},
                   situation=Situation(kinds={a: type_of_id(o) for o, a in a_names.items()}))  # fmt: skip


def _explained_commands(extra: set[str], side: Side, names: _Names) -> set[str]:
    left = set()
    for command in extra:
        rule = next((r for r in KNOWN if r.command(command, side, names.situation)), None)
        if rule is None:
            left.add(command)
        else:
            names.known[rule.key] += 1
    return left


def _compare(step: int, command: str, h: Observation, a: Observation, names: _Names) -> list[Mismatch]:
    out: list[Mismatch] = []
    h_adm, a_adm = {translate(c, names.to_a) for c in h.admissible}, set(a.admissible)
    h_only = _explained_commands(h_adm - a_adm, "household", names)
    a_only = _explained_commands(a_adm - h_adm, "alfworld", names)
    if h_only or a_only:
        out.append(Mismatch(step=step, command=command, kind="admissible", household=sorted(h_only),
                            alfworld=sorted(a_only)))  # fmt: skip
    h_text, a_text = normalize(translate(h.text, names.to_a)), normalize(a.text)
    if h_text != a_text:
        rule = next((r for r in KNOWN if r.feedback(command, h_text, a_text, names.situation)), None)
        if rule is None:
            out.append(Mismatch(step=step, command=command, kind="feedback", household=h_text, alfworld=a_text))
        else:
            names.known[rule.key] += 1
    return out


def _replay_alfworld_plan(plan: list[str], household: HouseholdEnv, task: Task,
                          names: _Names) -> tuple[bool, list[Mismatch]]:  # fmt: skip
    """Check 1: play ALFWorld's plan in the household simulator; a failing step must be explained by a rule."""
    household.reset(task)
    for i, command in enumerate(plan, start=1):
        obs = household.step(translate(command, names.from_a))
        if obs.text == NOTHING_HAPPENS:
            rule = next((r for r in KNOWN if r.command(command, "alfworld", names.situation)), None)
            if rule is None:
                return False, [Mismatch(step=i, command=command, kind="plan", household=NOTHING_HAPPENS,
                                        alfworld="(admissible in ALFWorld)")]  # fmt: skip
            names.known[rule.key] += 1
            return False, []
        if obs.ended:
            return bool(obs.info["won"]), []
    return False, [Mismatch(step=len(plan), command="<end>", kind="plan", household="not won", alfworld="won")]


def check_instance(task: Task, household: HouseholdEnv, alfworld: AlfworldEnv) -> InstanceReport:
    """Generate the ALFWorld game for ``task`` and run the three checks on it.

    ALFWorld is reset once (a reset re-translates the PDDL, ~1 s in a furnished kitchen) and plans once (its
    planner takes 0.05 s to minutes; past ``alfworld.planner_timeout`` check 1 is skipped and reported).
    """
    started = time.perf_counter()
    h_obs = household.reset(task)
    names = _Names.of(task, household)
    h_plan = household.expert_plan()
    a_obs = alfworld.reset(task)
    try:
        a_plan: list[str] | None = alfworld.expert_plan()
    except PlannerTimeoutError:
        a_plan = None
    mismatches = _compare(0, "<reset>", h_obs, a_obs, names)
    a_won = False
    for i, command in enumerate(h_plan, start=1):
        a_cmd = translate(command, names.to_a)
        h_obs = household.step(command)
        a_obs = alfworld.step(a_cmd)
        a_won = bool(a_obs.info["won"])
        mismatches += _compare(i, a_cmd, h_obs, a_obs, names)
        if a_obs.ended:
            break
    h_won = None
    if a_plan is not None:
        h_won, plan_mismatches = _replay_alfworld_plan(a_plan, household, task, names)
        mismatches += plan_mismatches
    return InstanceReport(
        task_id=task.id, family=task.family, scene=task.scene, environment=task.environment,
        alfworld_plan=a_plan, household_plan=h_plan,
        alfworld_plan_wins_in_household=h_won, household_plan_wins_in_alfworld=a_won,
        steps_compared=len(h_plan) + 1, mismatches=mismatches, known=dict(names.known),
        seconds=time.perf_counter() - started,
    )  # fmt: skip


# ----------------------------------------------------------------------------------------------- many instances
def instances(n: int, seed: int = 0, split: Split = Split.TRAIN) -> list[Task]:
    """``n`` household tasks dealt round-robin over the six ALFWorld types (each in its valid room types)."""
    return sample_tasks(TaskSpec(families=[t.value for t in AlfredTaskType], n=n, seed=seed, split=split))


_worker: tuple[HouseholdEnv, AlfworldEnv] | None = None


def _start_worker(planner_timeout: float) -> None:
    global _worker
    _worker = (HouseholdEnv(), AlfworldEnv(planner_timeout=planner_timeout))


def _check_in_worker(task: Task) -> InstanceReport:
    assert _worker is not None
    return check_instance(task, *_worker)


def default_workers() -> int:
    """One worker per available core, at most 4 (each holds a loaded game, ~100 MB)."""
    return max(1, min(4, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1))


def run(tasks: list[Task], *, workers: int = 1, planner_timeout: float = PLANNER_TIMEOUT,
        progress: Callable[[InstanceReport], None] | None = None) -> CrosscheckReport:  # fmt: skip
    """Cross-check every task (each ALFWorld game is loaded once); ``progress`` sees each report as it arrives."""
    started = time.perf_counter()
    reports: list[InstanceReport] = []
    if workers <= 1:
        with HouseholdEnv() as household, AlfworldEnv(planner_timeout=planner_timeout) as alfworld:
            for task in tasks:
                reports.append(check_instance(task, household, alfworld))
                if progress is not None:
                    progress(reports[-1])
    else:
        # fork: workers inherit the imported engines; the planner forks again from a worker to enforce its limit
        with multiprocessing.get_context("fork").Pool(workers, _start_worker, (planner_timeout,)) as pool:
            for report in pool.imap(_check_in_worker, tasks):
                reports.append(report)
                if progress is not None:
                    progress(report)
    return CrosscheckReport(instances=reports, seconds=time.perf_counter() - started, workers=max(1, workers))
