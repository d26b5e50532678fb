"""One TextWorldExpress JVM per worker thread, shared by every environment instance that thread makes.

Starting the JVM costs about a second; an episode costs milliseconds. The pipeline makes one environment per
episode, so instances borrow their thread's JVM (``game()``) and give nothing back; a JVM stops with its thread's
game or its process (TWX starts it with ``die_on_exit``). Instances of one thread may interleave (the checker's
twin, the expert player): each records who used the game last, and an instance that finds it moved on replays
its own commands first (``Game.claim``).
"""

from __future__ import annotations

import shutil
import threading
from importlib.util import find_spec

_local = threading.local()


def unavailable_reason() -> str | None:
    """Why TextWorldExpress cannot run here, or None."""
    if find_spec("textworld_express") is None:
        return "textworld-express is not installed: pip install 'msi-agent[twx]'"
    if shutil.which("java") is None:
        return "TextWorldExpress needs Java 17 or newer on PATH (apt-get install openjdk-17-jre-headless)"
    return None


class Game:
    """The thread's TextWorldExpress instance and who played it last."""

    def __init__(self) -> None:
        reason = unavailable_reason()
        if reason:
            raise RuntimeError(reason)
        from textworld_express import TextWorldExpressEnv

        self.twx = TextWorldExpressEnv(envStepLimit=1_000_000)  # episode budgets are the executor's business
        self.owner: object | None = None

    def claim(self, owner: object) -> bool:
        """Make ``owner`` the player; True when someone else had moved the game on since (replay needed)."""
        moved = self.owner is not owner
        self.owner = owner
        return moved


def game() -> Game:
    """This thread's game, started on first use."""
    current = getattr(_local, "game", None)
    if current is None:
        current = _local.game = Game()
    return current
