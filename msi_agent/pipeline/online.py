"""Continual mode (``eval --online``): the MSI arm keeps distilling while it is evaluated, as a deployed agent
would. Its memory starts as a copy of the frozen namespace; after every finished test episode, the seeds that
episode completes update it before the next episode starts, so users can compare frozen with online memory.

Episodes play one at a time (each depends on the updates before it). The seeds an episode completes are the
experience selector's seeds, among the episodes played so far, whose success is that episode: in success mode
each success on its own, in pair mode each success with the most similar failure seen *before* it (an online
agent cannot wait for later failures). Updates are logged like any distill (``distill-<namespace>``), with a
snapshot per update, and resume like one; the insight set after N episodes equals distilling those N episodes'
seeds offline, in the same order.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from msi_agent.experience.seeds import select_seeds
from msi_agent.modes import SeedFrom
from msi_agent.pipeline.namespaces import NamespaceLedger
from msi_agent.pipeline.runfolder import RunFolder
from msi_agent.pipeline.runner import Job, run_jobs
from msi_agent.pipeline.session import Session
from msi_agent.pipeline.stages import Arm, distill
from msi_agent.records import Episode

SUFFIX = "-online"


def online_arm(session: Session, folder: RunFolder, full: Arm) -> Arm:
    """The online twin of ``full``: its own namespace, claimed by this run and filled with a copy of ``full``'s
    insights (once: the copy is redone, idempotently, only until the first update is logged)."""
    assert full.namespace, "the online arm learns on top of an MSI namespace"
    namespace = f"{full.namespace}{SUFFIX}"
    NamespaceLedger(session.settings.workspace, session.settings.store.spec).claim(namespace, folder.name)
    if not folder.updates(namespace):
        session.store.import_jsonl(session.store.export_jsonl(namespace=full.namespace), namespace=namespace)
    return Arm(f"{full.name}{SUFFIX}", full.selector, namespace, full.exclude, online=True)


def play_online(
    session: Session, folder: RunFolder, arm: Arm, jobs: Sequence[Job], play: Callable[[Job], Episode]
) -> list[Episode]:
    """Each job in turn, then the updates its episode completes; stops at the first errored episode, since
    every later episode would learn from a different memory."""
    assert arm.namespace is not None
    s = session.settings
    learning = session.with_settings(
        s.model_copy(
            update={
                "pipeline": s.pipeline.model_copy(update={"namespace": arm.namespace}),
                "distill": s.distill.model_copy(update={"seed_order": "given", "snapshots": True}),
            }
        )
    )
    played: list[Episode] = []
    for job in jobs:
        (episode,) = run_jobs([job], play, folder, pool=session.pool, budget=session.errors) or (None,)
        if episode is None or episode.error is not None:
            session.errors.not_started += len(jobs) - len(played) - 1
            break
        played.append(episode)
        seeds = select_seeds(played, s.distill.selector, seed_from=SeedFrom.BOTH, embeddings=session.embeddings)
        distill(learning, folder, seeds=[seed for seed in seeds if seed.success.id == episode.id])
    return played
