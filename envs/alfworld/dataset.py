"""Tasks from a user's ALFWorld data folder (``$ALFWORLD_DATA/json_2.1.1/<split>/<task>/<trial>/``).

Each trial folder holds ``traj_data.json`` and ``game.tw-pddl`` (made by ``alfworld-download`` or
``alfworld-generate``). Like ALFWorld's own loader, movable-receptacle and sliced tasks are skipped, and so are games
marked unsolvable. The instruction is the goal the game's grammar shows, so the agent sees what ALFWorld shows.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

from envs.alfworld.generate import GAME_FILE, TRAJ_FILE
from envs.alfworld.tasks import AlfredTaskType
from envs.household.scenes import scene
from msi_agent.records import Split, Task

_GOAL = re.compile(r"Your task is to: (.*?)\.?\"")
FOLDERS = {Split.TRAIN: "train", Split.VALID_SEEN: "valid_seen", Split.VALID_UNSEEN: "valid_unseen"}


class DataFolderError(FileNotFoundError):
    """The ALFWorld data folder is missing or has no games for the requested split."""


def data_root(data_dir: str | Path | None = None) -> Path:
    """``data_dir``, else ``$ALFWORLD_DATA``, else ALFWorld's default ``~/.cache/alfworld``."""
    return Path(data_dir or os.environ.get("ALFWORLD_DATA") or "~/.cache/alfworld").expanduser()


def load_tasks(data_dir: str | Path | None = None, split: Split = Split.VALID_UNSEEN) -> list[Task]:
    """Every playable game of ``split``, as tasks whose ``params["gamefile"]`` is relative to the data root."""
    root = data_root(data_dir)
    split_dir = root / "json_2.1.1" / FOLDERS[split]
    if not split_dir.is_dir():
        raise DataFolderError(f"{split_dir} does not exist; point ALFWORLD_DATA (or data_dir) at a folder holding "
                              "json_2.1.1/ (run `alfworld-download`)")  # fmt: skip
    tasks = []
    for traj_path in sorted(split_dir.rglob(TRAJ_FILE)):
        folder = traj_path.parent
        game_path = folder / GAME_FILE
        rel = folder.relative_to(split_dir).as_posix()
        if "movable" in rel or "Sliced" in rel or not game_path.is_file():
            continue
        traj = json.loads(traj_path.read_text())
        try:
            family = AlfredTaskType(traj.get("task_type"))
        except ValueError:
            continue
        game = json.loads(game_path.read_text())
        if game.get("solvable") is False:
            continue
        match = _GOAL.search(game.get("grammar", ""))
        floor_plan = (traj.get("scene") or {}).get("floor_plan") or f"FloorPlan{rel.split('/')[0].rsplit('-', 1)[-1]}"
        tasks.append(Task(
            id=f"alfworld/{FOLDERS[split]}/{rel}",
            family=family.value,
            environment=scene(floor_plan).category,
            scene=floor_plan,
            instruction=match.group(1) if match else "",
            params={"gamefile": game_path.relative_to(root).as_posix()},
            split=split,
        ))  # fmt: skip
    if not tasks:
        raise DataFolderError(f"no playable ALFWorld games under {split_dir} (need traj_data.json + {GAME_FILE})")
    return tasks
