"""The environment's own words for what is still missing, for failure feedback.

Environments that know their goal's conditions list the ones not yet met in ``info["unmet"]`` (TEACh's failure
descriptions, e.g. "All breakfast items need to be on the CounterTop"). They are good hints: the program
executor's correction prompt and every failed episode's reason (which the insight generator reads) carry them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def unmet_note(info: Mapping[str, Any]) -> str:
    """To end a failure reason: " — still unmet: A; B"; empty when the environment names no unmet condition."""
    unmet = [str(u) for u in info.get("unmet") or ()]
    return f" — still unmet: {'; '.join(unmet)}" if unmet else ""
