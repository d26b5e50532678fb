"""Seeded TextWorldExpress tasks: which game, with which parameters, from which fold and TWX seed.

Splits follow TWX's folds: ``train`` and ``valid_seen`` draw from the train fold's seeds (disjoint halves, so a
seen test game is never a training game), ``valid_unseen`` from the test fold (TextWorld Commonsense's test fold
also holds objects no training game has). Task ``i`` of a spec depends only on (seed, split, game, i).
Games are kept small (few rooms, few ingredients or items) so that short episodes can win.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Callable, Sequence

from envs.textworld_express.jvm import game
from msi_agent.records import Split, Task

GAMES: dict[str, tuple[str, str]] = {
    "coin": ("Coin Collector", "numLocations=4,numDistractorItems=0,includeDoors=0"),
    "cookingworld": (
        "CookingWorld",
        "numLocations=1,numIngredients=2,numDistractorItems=2,includeDoors=0,limitInventorySize=0",
    ),
    "twc": ("TextWorld Commonsense", "numLocations=1,numItemsToPutAway=2,includeDoors=0,limitInventorySize=0"),
}
"""Family (TWX game name) → (category on the "game" scale, generation parameters)."""

FOLDS = {Split.TRAIN: "train", Split.VALID_SEEN: "train", Split.VALID_UNSEEN: "test"}


def _fold_seeds(split: Split) -> list[int]:
    twx = game().twx
    seeds = sorted(twx.getValidSeedsTest() if FOLDS[split] == "test" else twx.getValidSeedsTrain())
    half = len(seeds) // 2
    return {Split.TRAIN: seeds[:half], Split.VALID_SEEN: seeds[half:]}.get(split, seeds)


def sample_tasks(split: Split, count: int, *, seed: int, families: Sequence[str]) -> list[Task]:
    names = list(families) or list(GAMES)
    unknown = [n for n in names if n not in GAMES]
    if unknown:
        raise ValueError(f"unknown TextWorldExpress games {unknown}; known: {', '.join(GAMES)}")
    if count <= 0:
        return []
    pool = _fold_seeds(split)
    tasks = []
    for i in range(count):
        name = names[i % len(names)]
        digest = hashlib.blake2b(f"twx|{seed}|{split.value}|{name}|{i}".encode(), digest_size=8).digest()
        twx_seed = random.Random(int.from_bytes(digest, "big")).choice(pool)
        category, params = GAMES[name]
        tasks.append(_task(name, category, params, FOLDS[split], twx_seed, split, seed))
    return tasks


def _task(name: str, category: str, params: str, fold: str, twx_seed: int, split: Split, seed: int) -> Task:
    shared = game()
    shared.owner = None  # whoever played this thread's game must replay before its next step
    shared.twx.reset(seed=twx_seed, gameFold=fold, gameName=name, gameParams=params, generateGoldPath=False)
    return Task(
        id=f"twx-{name}-{fold}-{twx_seed}-s{seed}",
        family=name,
        environment=category,
        scene=f"{name}-{fold}-{twx_seed}",
        instruction=shared.twx.getTaskDescription().strip(),
        split=split,
        seed=seed,
        params={"game": name, "game_params": params, "fold": fold, "twx_seed": twx_seed},
    )


def details(name: str) -> dict[str, str]:
    """The ``EnvSpec``'s ``family_details``: a game's category and the generation parameters it is played with."""
    category, params = GAMES[name]
    return {"game": category, "parameters": params}


def sampler(**options: object) -> Callable[..., list[Task]]:
    """The ``EnvSpec`` sampler factory (TextWorldExpress takes no options)."""
    if options:
        raise ValueError(f"textworld-express takes no env options, got {sorted(options)}")
    return sample_tasks
