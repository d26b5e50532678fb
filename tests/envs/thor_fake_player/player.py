"""A fake AI2-THOR player: launched by the real ``Controller`` via ``local_executable_path``, it speaks the FIFO
protocol and answers with the metadata of a world backend, so tests drive whole episodes through the real client.

It proves the wiring (start-up order, frames, sequence ids, action dicts), not Unity physics. Usage, as the
Controller runs it: ``python player.py [--log FILE] [--fail MODE] <unity flags>``. Every action received is
appended to ``--log`` as one JSON line; ``--fail`` provokes start-up failures for the error-mapping tests.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from fifo import read_action, write_metadata
from world import make_world

FAIL_MODES = ("exit-at-start", "hang-at-start", "exit-on-action")


def _args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="fake-thor-player", allow_abbrev=False)
    parser.add_argument("--log", type=Path)
    parser.add_argument("--fail", choices=FAIL_MODES)
    parser.add_argument("--fail-action", default="")
    parser.add_argument("--block", action="append", default=[], help="x,z,radius: teleports there fail")
    parser.add_argument("-screen-width", dest="width", type=int, default=300)
    parser.add_argument("-screen-height", dest="height", type=int, default=300)
    args, _unity_flags = parser.parse_known_args(argv)
    return args


class Player:
    """The Unity player's shell: scene list, Reset, Initialize, resolution; everything else goes to the world."""

    def __init__(self, width: int, height: int, blocked: list[tuple[float, float, float]]) -> None:
        self.world = make_world(blocked)
        self.width, self.height = width, height
        self.init_params: dict[str, Any] = {}

    def _finish(self, metadata: dict[str, Any], action: str) -> dict[str, Any]:
        return metadata | {"screenWidth": self.width, "screenHeight": self.height, "lastAction": action}

    def _shell(self, name: str, success: bool = True, action_return: Any = None, error: str = "") -> dict[str, Any]:
        outcome = {
            "lastActionSuccess": success,
            "errorMessage": error,
            "errorCode": "" if success else "InvalidArgument",
            "actionReturn": action_return,
        }
        return self._finish(self.world.metadata() | outcome, name)

    def answer(self, action: dict[str, Any]) -> dict[str, Any]:
        name = action.get("action", "")
        args = {k: v for k, v in action.items() if k not in ("action", "sequenceId")}
        if name == "GetScenesInBuild":
            return self._shell(name, action_return=[f"{s}_physics" for s in self.world.scenes()])
        if name == "Reset":
            scene = str(args.get("sceneName", "")).removesuffix("_physics")
            if scene not in self.world.scenes():
                return self._shell(name, False, error=f"scene {scene!r} is not in this build")
            self.world.reset(scene)
            return self._shell(name)
        if name == "Initialize":
            self.init_params = args
            self.world.configure(args)
            return self._shell(name, action_return={"cameraNearPlane": 0.1, "cameraFarPlane": 20.0})
        if name == "ChangeResolution":
            self.width, self.height = int(args["x"]), int(args["y"])
            return self._shell(name)
        if name == "ChangeQuality":
            return self._shell(name)
        return self._finish(self.world.step(action), name)


def main(argv: list[str]) -> int:
    args = _args(argv)
    if os.environ.get("AI2THOR_SERVER_TYPE") != "FIFO" or not os.environ.get("AI2THOR_CLIENT_TOKEN"):
        print("expected AI2THOR_SERVER_TYPE=FIFO and AI2THOR_CLIENT_TOKEN from the controller", file=sys.stderr)
        return 3

    def log(entry: dict[str, Any]) -> None:
        if args.log is not None:
            with args.log.open("a", encoding="utf-8") as f:
                f.write(json.dumps(entry) + "\n")

    log({"event": "start", "argv": argv, "display": os.environ.get("DISPLAY"), "pid": os.getpid()})
    if args.fail == "exit-at-start":
        return 7
    if args.fail == "hang-at-start":
        time.sleep(600)
        return 0
    blocked = [tuple(float(v) for v in spec.split(",")) for spec in args.block]
    player = Player(args.width, args.height, blocked)  # type: ignore[arg-type]
    with open(os.environ["AI2THOR_FIFO_SERVER_PIPE_PATH"], "wb") as out:
        write_metadata(out, player._shell(""), 0)  # the player announces itself before any action
        with open(os.environ["AI2THOR_FIFO_CLIENT_PIPE_PATH"], "rb") as inp:
            while (action := read_action(inp)) is not None:
                log({"event": "action", "action": action})
                if args.fail == "exit-on-action" and action.get("action") == args.fail_action:
                    return 9
                write_metadata(out, player.answer(action), int(action.get("sequenceId", 0)))
    log({"event": "eof"})
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
