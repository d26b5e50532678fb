"""Aggregate episode metrics (REFERENCE §2, TEACh definitions).

SR: share of successful episodes. GC: micro-averaged, total satisfied / total conditions (conditions already true
at reset do not count; the environment reports them so). Path-length weighting: each episode's score times
L_ref / max(L_pred, L_ref), weighted by L_ref, divided by ΣL_ref; episodes without a reference length are left out
of the PLW figures (None when none has one).
"""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import BaseModel

from msi_agent.records import Episode


class Scores(BaseModel):
    episodes: int
    sr: float
    gc: float
    plw_sr: float | None
    plw_gc: float | None


def episode_gc(ep: Episode) -> float:
    """1 when there was nothing left to satisfy (gc_total 0) and the task succeeded, else satisfied / total."""
    if ep.gc_total == 0:
        return 1.0 if ep.success else 0.0
    return ep.gc_satisfied / ep.gc_total


def aggregate(episodes: Sequence[Episode]) -> Scores:
    n = len(episodes)
    if n == 0:
        return Scores(episodes=0, sr=0.0, gc=0.0, plw_sr=None, plw_gc=None)
    sr = sum(ep.success for ep in episodes) / n
    total = sum(ep.gc_total for ep in episodes)
    gc = sum(ep.gc_satisfied for ep in episodes) / total if total else sum(episode_gc(e) for e in episodes) / n
    ref = [ep for ep in episodes if ep.reference_length]
    weight = sum(ep.reference_length or 0 for ep in ref)
    if not weight:
        return Scores(episodes=n, sr=sr, gc=gc, plw_sr=None, plw_gc=None)

    def plw(score: float, ep: Episode) -> float:
        lref = ep.reference_length or 0
        return score * lref / max(ep.path_length, lref) * lref

    plw_sr = sum(plw(float(ep.success), ep) for ep in ref) / weight
    plw_gc = sum(plw(episode_gc(ep), ep) for ep in ref) / weight
    return Scores(episodes=n, sr=sr, gc=gc, plw_sr=plw_sr, plw_gc=plw_gc)
