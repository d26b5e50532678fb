"""``TwxEnv``: TextWorldExpress games (CookingWorld, TextWorld Commonsense, Coin Collector) under ``envs.core.Env``.

A task names the game, its generation parameters, a fold (train/dev/test) and a TWX seed (``params``); reset
regenerates exactly that game. The first observation is the game's task description above the room
description. Admissible commands are TWX's valid actions, sorted. A command that is not admissible answers
"Nothing happens." without reaching the game, so the world stays as it was.

Goal conditions are TWX's score points (``scoreRaw``): ``gc_total`` is what the gold path earns, found once per
reset by playing it; ``won`` is TWX's task success. The expert's plan is the gold path (its leading "look around"
dropped), or its rest while the episode has followed it.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from envs.core import NOTHING_HAPPENS, Observation
from envs.textworld_express.jvm import Game, game, unavailable_reason
from msi_agent.records import Task

LOOK = "look around"


class TwxEnv:
    unavailable_reason = staticmethod(unavailable_reason)

    def __init__(self) -> None:
        self._game: Game | None = None
        self.task: Task | None = None
        self._history: list[str] = []
        self._gold: list[str] = []
        self._total = 0
        self._last: Observation | None = None

    # -- the game behind this instance -------------------------------------------------------------------------
    def _start(self) -> dict[str, Any]:
        assert self.task is not None
        p = self.task.params
        twx = self._twx()
        _, infos = twx.reset(
            seed=int(p["twx_seed"]), gameFold=p["fold"], gameName=p["game"], gameParams=p["game_params"],
            generateGoldPath=True,
        )  # fmt: skip
        return infos

    def _twx(self) -> Any:
        if self._game is None:
            self._game = game()
        if self._game.claim(self) and self._history:  # another instance of this thread played in between
            self._replay()
        return self._game.twx

    def _replay(self) -> None:
        assert self._game is not None
        self._start()
        for command in self._history:
            self._game.twx.step(command)

    def _observation(self, text: str, infos: dict[str, Any]) -> Observation:
        raw = max(0, round(float(infos["scoreRaw"])))
        info = {"won": bool(infos["tasksuccess"]), "gc_satisfied": min(raw, self._total), "gc_total": self._total}
        if infos["taskfailure"]:
            info["error"] = "the game ended in failure"
        admissible = sorted(set(infos["validActions"]))
        return Observation(text, admissible, info)

    # -- the Env contract ----------------------------------------------------------------------------------------
    def reset(self, task: Task) -> Observation:
        self.task, self._history = task, []
        infos = self._start()
        twx = self._twx()
        self._gold = list(twx.getGoldActionSequence())
        final = infos
        for command in self._gold:
            final = twx.step(command)[3]
        self._total = max(1, round(float(final["scoreRaw"])))
        infos = self._start()
        self._last = self._observation(f"{infos['taskDescription'].strip()}\n{infos['observation'].strip()}", infos)
        return self._last

    def step(self, command: str) -> Observation:
        if self.task is None or self._last is None:
            raise RuntimeError("call reset(task) before step()")
        if self._last.terminated:
            raise RuntimeError("the game is over; call reset(task) to start another")
        if command not in self._last.admissible:
            return Observation(NOTHING_HAPPENS, self._last.admissible, {**self._last.info})
        observation, _, _, infos = self._twx().step(command)
        self._history.append(command)
        obs = self._observation(observation.strip() or NOTHING_HAPPENS, infos)
        won = obs.info["won"]
        self._last = replace(obs, reward=float(won), terminated=won or "error" in obs.info)
        return self._last

    def expert_plan(self) -> list[str]:
        if self.task is None:
            raise RuntimeError("call reset(task) before expert_plan()")
        gold = self._gold[1:] if self._gold[:1] == [LOOK] else list(self._gold)
        done = [c for c in self._history if c != LOOK]
        if gold[: len(done)] != done:
            raise LookupError(f"task {self.task.id}: the episode left TWX's gold path; there is no plan from here")
        return gold[len(done) :]

    def close(self) -> None:
        if self._game is not None and self._game.owner is self:
            self._game.owner = None
        self._game = None

    def __enter__(self) -> TwxEnv:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
