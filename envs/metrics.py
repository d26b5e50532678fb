"""Episode metrics, TEACh definitions (REFERENCE §2).

- SR: share of episodes whose task checker reported success on the final state.
- Episode GC: 1 − unsatisfied-at-end / unsatisfied-at-start, i.e. ``gc_satisfied / gc_total`` as the environment
  reports them (conditions already true at reset do not count); a task with nothing to satisfy scores its success.
- Aggregate GC: micro-averaged, Σ gc_satisfied / Σ gc_total.
- Path-length weighting: score × min(1, L_ref / max(L_pred, L_ref)), weighted by L_ref, divided by ΣL_ref, over the
  episodes that have a reference length (the expert's plan length); ``None`` when none has one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

from pydantic import BaseModel, ConfigDict

from msi_agent.records import Episode

__all__ = ["Metrics", "aggregate", "by", "episode_gc", "path_weight"]


class Metrics(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    count: int
    sr: float
    gc: float
    plw_sr: float | None
    plw_gc: float | None


def episode_gc(ep: Episode) -> float:
    """Goal-condition progress of one episode, in [0, 1]."""
    if ep.gc_total == 0:
        return 1.0 if ep.success else 0.0
    return ep.gc_satisfied / ep.gc_total


def path_weight(path_length: int, reference_length: int) -> float:
    """min(1, L_ref / max(L_pred, L_ref)): 1 for a path no longer than the reference, less for a longer one."""
    if reference_length <= 0:
        raise ValueError(f"reference_length must be > 0, got {reference_length}")
    return reference_length / max(path_length, reference_length)


def aggregate(episodes: Iterable[Episode]) -> Metrics:
    eps = list(episodes)
    n = len(eps)
    if n == 0:
        return Metrics(count=0, sr=0.0, gc=0.0, plw_sr=None, plw_gc=None)
    sr = sum(ep.success for ep in eps) / n
    total = sum(ep.gc_total for ep in eps)
    gc = sum(ep.gc_satisfied for ep in eps) / total if total else sum(episode_gc(ep) for ep in eps) / n
    ref = [ep for ep in eps if ep.reference_length]
    weight = sum(ep.reference_length or 0 for ep in ref)
    if not weight:
        return Metrics(count=n, sr=sr, gc=gc, plw_sr=None, plw_gc=None)
    plw_sr = (
        sum(
            float(ep.success) * path_weight(ep.path_length, ep.reference_length or 0) * (ep.reference_length or 0)
            for ep in ref
        )
        / weight
    )
    plw_gc = (
        sum(
            episode_gc(ep) * path_weight(ep.path_length, ep.reference_length or 0) * (ep.reference_length or 0)
            for ep in ref
        )
        / weight
    )
    return Metrics(count=n, sr=sr, gc=gc, plw_sr=plw_sr, plw_gc=plw_gc)


KEYS: dict[str, Callable[[Episode], str]] = {
    "family": lambda ep: ep.task.family,
    "split": lambda ep: ep.task.split.value,
    "environment": lambda ep: ep.task.environment,
    "scene": lambda ep: ep.task.scene,
}


def by(episodes: Sequence[Episode], key: str | Callable[[Episode], str]) -> dict[str, Metrics]:
    """Metrics per group, groups in sorted order; ``key`` is "family", "split", "environment", "scene" or a function."""
    if isinstance(key, str):
        try:
            fn = KEYS[key]
        except KeyError:
            raise ValueError(f"unknown grouping {key!r}; use one of {', '.join(KEYS)} or a function") from None
    else:
        fn = key
    groups: dict[str, list[Episode]] = {}
    for ep in episodes:
        groups.setdefault(fn(ep), []).append(ep)
    return {k: aggregate(groups[k]) for k in sorted(groups)}
