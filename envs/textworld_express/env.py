"""``TwxEnv``: TextWorldExpress games (CookingWorld, TextWorld Commonsense, Coin Collector) under ``envs.core.Env``.

A task names the game, its generation parameters, a fold (train/dev/test) and a TWX seed (``params``); reset
regenerates exactly that game. The first observation is the game's task description above the room
description. Admissible commands are TWX's valid actions, sorted. A command that is not admissible answers
"Nothing happens." without reaching the game, so the world stays as it was.

Goal conditions are TWX's score points (``scoreRaw``): ``gc_total`` is what the gold path earns, found once per
reset by playing it; ``won`` is TWX's task success. The expert's plan is the gold path (its leading "look around"
dropped), or its rest while the episode has followed it. Coin Collector's gold path is an unseeded random walk
(one game gave paths of 3 to 15 steps on six resets), so for it the gold path is the shortest win, found
breadth-first: the expert, its plan length and PLW then repeat exactly.
"""

from __future__ import annotations

from collections import deque
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
    def _restart(self, *, gold: bool = False) -> dict[str, Any]:
        """Reset this thread's game to this instance's task (and make this instance its player)."""
        assert self.task is not None
        if self._game is None:
            self._game = game()
        self._game.claim(self)
        p = self.task.params
        _, infos = self._game.twx.reset(
            seed=int(p["twx_seed"]), gameFold=p["fold"], gameName=p["game"], gameParams=p["game_params"],
            generateGoldPath=gold,
        )  # fmt: skip
        return infos

    def _twx(self) -> Any:
        """The game, in this instance's state: replayed first if another instance of the thread played since."""
        assert self._game is not None
        if self._game.claim(self):
            self._restart()
            for command in self._history:
                self._game.twx.step(command)
        return self._game.twx

    def _gold_path(self) -> list[str]:
        """TWX's gold path from the start; the shortest win for Coin Collector (see the module docstring)."""
        if self.task is not None and self.task.params["game"] == "coin":
            return self._shortest_win()
        self._restart(gold=True)
        return list(self._twx().getGoldActionSequence())

    def _shortest_win(self) -> list[str]:
        """Breadth-first over admissible commands in sorted order, a state being the observation a command
        returns (a coin room describes itself on entry); each expansion replays its path from a reset."""
        start = self._restart()
        seen = {start["observation"]}
        frontier: deque[tuple[list[str], dict[str, Any]]] = deque([([], start)])
        while frontier:
            path, infos = frontier.popleft()
            for command in sorted(set(infos["validActions"])):
                self._restart()
                for done in path:
                    self._twx().step(done)
                text, _, _, after = self._twx().step(command)
                if after["tasksuccess"]:
                    return [*path, command]
                if not after["taskfailure"] and text not in seen:
                    seen.add(text)
                    frontier.append(([*path, command], after))
        assert self.task is not None
        raise LookupError(f"task {self.task.id}: no sequence of commands wins this game")

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
        self._gold = self._gold_path()
        self._restart()
        final: dict[str, Any] = {"scoreRaw": 0}
        for command in self._gold:
            final = self._twx().step(command)[3]
        self._total = max(1, round(float(final["scoreRaw"])))
        infos = self._restart()
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
