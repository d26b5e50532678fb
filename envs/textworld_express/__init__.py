"""TextWorldExpress (Jansen & Côté 2022) as an msi-agent environment: CookingWorld, TextWorld Commonsense and
Coin Collector, through the ``textworld-express`` package (the ``twx`` extra; needs Java 17).

It is built the way any outside environment plugs in: an ``Env`` class (``env``), a sampler (``tasks``) and one
``EnvSpec`` (``SPEC``) registered in one line. Its environment scale is the game; insights are keyed by
"Coin Collector", "CookingWorld" and "TextWorld Commonsense".
"""

from envs.spec import EnvSpec
from envs.textworld_express.tasks import GAMES, details

SPEC = EnvSpec(
    name="textworld-express",
    entry_point="envs.textworld_express.env:TwxEnv",
    sampler="envs.textworld_express.tasks:sampler",
    families=tuple(GAMES),
    family_details=details,
    default_families=("coin",),
    max_steps=20,
    scale="game",
    categories=tuple(category for category, _ in GAMES.values()),
    vocabulary={
        "agent": "a player of text adventure games",
        "world": "a text adventure game",
        "subtask_example": "Finding Items",
        "subtask_examples": "[Finding Items] or [Following Recipes]",
    },
    description="TextWorldExpress games (twx extra, Java 17): coin, cookingworld, twc",
)

__all__ = ["SPEC"]
