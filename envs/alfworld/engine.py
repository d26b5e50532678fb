"""The real ALFWorld text engine (TextWorld's ``PddlEnv`` + alfworld's wrappers) behind the ``envs.core.Env`` protocol.

Games come from a user's ALFWorld data folder (``json_2.1.1`` layout; tasks from :mod:`envs.alfworld.dataset`
carry ``params["gamefile"]``) or are generated on the fly from a household task (``params["init"]``, see
:mod:`envs.alfworld.from_household`). Observations follow the household simulator's conventions: the reset text is
ALFWorld's opening (banner, room, task), ``admissible`` is the engine's sorted command list, and ``info`` holds
``won``, ``gc_satisfied``/``gc_total`` (ALFRED's goal conditions, TEACh's rule: those already met at reset do
not count) and, after a command that did nothing, ``error``.

Loading a game costs 0.3-2 s (Fast Downward translates the PDDL); resetting the same game again reuses the load.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.util
import json
import os
import sys
import tempfile
from dataclasses import replace
from pathlib import Path
from typing import Any

from envs.alfworld.generate import GAME_FILE, NEEDS_INSTALL, TRAJ_FILE
from envs.alfworld.planner import PlannerTimeoutError, plan_within
from envs.alfworld.tasks import Facts, GameGoal, goal_conditions
from envs.core import NOTHING_HAPPENS, Observation
from msi_agent.records import Task

__all__ = ["AlfworldEnv", "NoEpisodeError", "NoGameError", "PlannerTimeoutError"]


DEFAULT_MAX_STEPS = 50


class NoGameError(ValueError):
    """The task names no ALFWorld game and carries no arrangement to generate one from."""


class NoEpisodeError(RuntimeError):
    """``step`` or ``expert_plan`` was called before ``reset``, or ``step`` after the episode ended."""


def _translate_once() -> None:
    """Memoize Fast Downward's PDDL→SAS translation, which ``PddlEnv`` runs twice per load *and* per reset.

    The translation is a pure function of (domain, problem, options) and takes ~0.5 s in a furnished kitchen;
    with the memo, resetting a loaded game costs what building the planner state costs. The wrapper also puts
    back ``sys.argv``, which the translator overwrites.
    """
    import fast_downward

    if getattr(fast_downward.pddl2sas, "_msi_memo", False):
        return
    translate = fast_downward.pddl2sas

    @functools.lru_cache(maxsize=4)  # two games: each is translated plain and optimized
    def memo(domain: str, problem: str, verbose: bool = False, optimize: bool = False) -> Any:
        argv = list(sys.argv)
        try:
            return translate(domain, problem, verbose=verbose, optimize=optimize)
        finally:
            sys.argv[:] = argv

    memo._msi_memo = True  # type: ignore[attr-defined]
    fast_downward.pddl2sas = memo


def _wrapped_engine() -> Any:
    """PddlEnv → AlfredDemangler → AlfredInfos: the stack ALFWorld plays with, minus the expert wrapper.

    ``AlfredExpert(PLANNER)`` asks Fast Downward for a fresh plan after *every* step (0.05-10 s each in a furnished
    kitchen); :meth:`AlfworldEnv.expert_plan` calls the same planner entry point (``PddlState.replan``) only when
    a plan is wanted, so playing costs what the engine costs.
    """
    try:
        import textworld
        from alfworld.agents.environment.alfred_tw_env import AlfredDemangler, AlfredInfos
        from textworld.envs import PddlEnv
    except ModuleNotFoundError as exc:
        raise ImportError(f"the alfworld environment needs alfworld and textworld ({exc.name} is missing); "
                          f"{NEEDS_INSTALL}") from None  # fmt: skip
    _translate_once()
    infos = textworld.EnvInfos(won=True, admissible_commands=True, extras=["gamefile"])
    return AlfredInfos(AlfredDemangler(PddlEnv(infos), shuffle=False))


class AlfworldEnv:
    """ALFWorld's engine as an ``envs.core.Env``.

    data_dir: where relative ``params["gamefile"]`` paths live (default ``$ALFWORLD_DATA``, then the current folder).
    cache_dir: where games generated from household tasks are written (default: a temporary folder per process).
    planner_timeout: seconds :meth:`expert_plan` may take (the planner then runs in a forked child); None plans
    in-process without a limit.
    max_steps: commands per episode (default: the task's ``params["max_steps"]``, else 50, ALFWorld's usual budget).
    """

    def __init__(self, data_dir: str | Path | None = None, cache_dir: str | Path | None = None,
                 planner_timeout: float | None = 120.0, max_steps: int | None = None) -> None:  # fmt: skip
        if max_steps is not None and max_steps < 1:
            raise ValueError(f"max_steps must be >= 1, got {max_steps}")
        self.planner_timeout = planner_timeout
        self._max_steps_override = max_steps
        self.max_steps = 0
        self.steps = 0
        self.data_dir = Path(data_dir).expanduser() if data_dir else None
        self._tmp: tempfile.TemporaryDirectory[str] | None = None
        if cache_dir is None:
            self._tmp = tempfile.TemporaryDirectory(prefix="msi-alfworld-")
            cache_dir = self._tmp.name
        self.cache_dir = Path(cache_dir).expanduser()
        self._engine = _wrapped_engine()
        self._loaded: Path | None = None
        self._goal: GameGoal | None = None
        self._state: Any = None
        self._baseline: list[bool] = []
        self.gamefile: Path | None = None

    @staticmethod
    def unavailable_reason() -> str | None:
        """Why this environment cannot run here (a missing package), or None when it can."""
        missing = [m for m in ("textworld", "alfworld", "fast_downward") if importlib.util.find_spec(m) is None]
        return f"{', '.join(missing)} not installed; {NEEDS_INSTALL}" if missing else None

    # -- locating games ---------------------------------------------------------------------------------------
    def game_for(self, task: Task) -> Path:
        """The game file that plays ``task``: the named one, or one generated (once) from its arrangement."""
        if "gamefile" in task.params:
            path = Path(str(task.params["gamefile"])).expanduser()
            if not path.is_absolute():
                path = (self.data_dir or _default_data_dir()) / path
            if not path.is_file():
                raise NoGameError(f"task {task.id!r}: game file {path} does not exist; check the ALFWorld data "
                                  "folder (ALFWORLD_DATA or data_dir=...)")  # fmt: skip
            return path
        if "init" in task.params:
            from envs.alfworld.from_household import game_request

            init, goal, instruction = game_request(task)
            key = hashlib.blake2b(task.model_dump_json().encode(), digest_size=10).hexdigest()
            folder = self.cache_dir / key
            if not (folder / GAME_FILE).is_file():
                from envs.alfworld.generate import write_game

                write_game(init, goal, instruction, folder)
            return folder / GAME_FILE
        raise NoGameError(f"task {task.id!r} has neither params['gamefile'] (an ALFWorld game) nor params['init'] "
                          "(a household arrangement to generate one from)")  # fmt: skip

    # -- Env protocol -------------------------------------------------------------------------------------------
    def reset(self, task: Task) -> Observation:
        """Start ``task``; the same task always starts from the same state (ALFWorld games are deterministic)."""
        path = self.game_for(task).resolve()
        self.load(path)
        self._state = self._engine.reset()
        self.steps = 0
        self.max_steps = self._max_steps_override or int(task.params.get("max_steps", DEFAULT_MAX_STEPS))
        self._baseline = self._conditions()
        return self._observation(self._state.feedback.strip(), error=None)

    def load(self, path: Path) -> None:
        """Load a ``game.tw-pddl`` (with its ``traj_data.json`` beside it) unless it is already loaded."""
        if self._loaded == path:
            return
        traj_path = path.parent / TRAJ_FILE
        if not traj_path.is_file():
            raise NoGameError(f"{traj_path} is missing; ALFWorld's expert needs the traj_data.json beside {path.name}")
        self._goal = GameGoal.from_traj_data(json.loads(traj_path.read_text()))
        self._engine.load(str(path))
        self._loaded = self.gamefile = path

    def step(self, command: str) -> Observation:
        """Apply ``command``; an inadmissible one answers "Nothing happens." and changes nothing.

        The episode terminates when the task is won and is truncated after ``max_steps`` commands; stepping on
        raises.
        """
        if self._state is None:
            raise NoEpisodeError("call reset(task) before step()")
        if self._state["won"] or self.steps >= self.max_steps:
            raise NoEpisodeError("the episode is over; call reset(task) to start another")
        self._state, _, _ = self._engine.step(command)
        self.steps += 1
        text = self._state.feedback.strip()
        obs = self._observation(text, error=f"not admissible: {command[:80]!r}" if text == NOTHING_HAPPENS else None)
        won = bool(obs.info["won"])
        return replace(
            obs, reward=1.0 if won else 0.0, terminated=won, truncated=not won and self.steps >= self.max_steps
        )

    def expert_plan(self) -> list[str]:
        """ALFWorld's planner (Fast Downward) from the current state.

        Raises :class:`PlannerTimeoutError` after ``planner_timeout`` seconds, RuntimeError if there is no plan.
        """
        if self._state is None:
            raise NoEpisodeError("call reset(task) before expert_plan()")
        if self._state["won"]:
            return []
        pddl = self._engine.unwrapped

        def replan() -> list[str]:
            return list(pddl._pddl_state.replan(pddl._entity_infos))

        plan = replan() if self.planner_timeout is None else plan_within(replan, self.planner_timeout)
        if not plan:
            raise RuntimeError(f"ALFWorld's planner found no plan for {self.gamefile}")
        return plan

    def close(self) -> None:
        if self._engine is not None:
            self._engine.close()
            self._engine = None
        if self._tmp is not None:
            self._tmp.cleanup()
            self._tmp = None

    def __enter__(self) -> AlfworldEnv:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- helpers ------------------------------------------------------------------------------------------------
    def _conditions(self) -> list[bool]:
        assert self._goal is not None
        facts = Facts.of((f.name, tuple(v.name for v in f.arguments)) for f in self._state["_facts"])
        return goal_conditions(self._goal, facts)

    def _observation(self, text: str, error: str | None) -> Observation:
        now = self._conditions()
        pending = [i for i, met in enumerate(self._baseline) if not met]
        info: dict[str, Any] = {
            "won": bool(self._state["won"]),
            "gc_satisfied": sum(now[i] for i in pending),
            "gc_total": len(pending),
            "steps": self.steps,
            "max_steps": self.max_steps,
            "gamefile": str(self.gamefile),
        }
        if error:
            info["error"] = error
        return Observation(text=text, admissible=list(self._state["admissible_commands"]), info=info)


def _default_data_dir() -> Path:
    return Path(os.environ.get("ALFWORLD_DATA", ".")).expanduser()
