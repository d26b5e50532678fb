"""Episodes on Ray: a pool of actors, each holding one live environment and its own LLM client.

The driver keeps everything stateful (insight selection, the run folder, the pool); actors only play orders.
An actor returns each episode with the LLM calls it made (``journal.CallRecord``), and the driver reports them
to its own call journal, so a Ray run's call log holds every prompt and reply as a local run's does (the calls
of an episode whose actor died are lost with it; the episode is errored and replayed).
An actor whose node dies is restarted elsewhere and its episode retried (bounded by ``max_retries``); an episode
still lost after that comes back as an *errored* episode — an infrastructure failure, never an outcome — which
the next run of the same command replays. Episode ids are fixed by the driver, so a retried episode is stored
once. Ray is an optional extra, imported only here.
"""

from __future__ import annotations

import contextlib
import os
import queue
import sys
from collections.abc import Callable
from typing import Any

from envs.core import Env
from msi_agent.llm import LLMClient
from msi_agent.llm.journal import CallRecord, recording, report
from msi_agent.pipeline.orders import EpisodeOrder
from msi_agent.records import Episode

LOCAL = "local"
"""``ray_address`` value that starts a Ray instance for this run, bound to 127.0.0.1, and stops it at the end."""


class RayUnavailableError(RuntimeError):
    """Ray is not installed, or the cluster cannot host the actors asked for."""


LOOPBACK_ONLY = "RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER"
"""Set to 0 before Ray is imported, Ray binds every server of a Ray it starts to 127.0.0.1; otherwise it listens
on all interfaces and registers the machine's interface address, even with ``_node_ip_address="127.0.0.1"``."""


def _ray(address: str) -> Any:
    if address == LOCAL and "ray" not in sys.modules:
        os.environ.setdefault(LOOPBACK_ONLY, "0")
    try:
        import ray
    except ImportError as exc:
        raise RayUnavailableError(
            "the ray backend needs Ray: pip install 'msi-agent[ray]' (or set pipeline.backend = \"local\")"
        ) from exc
    if address == LOCAL and not ray.is_initialized() and os.environ.get(LOOPBACK_ONLY) != "0":
        raise RayUnavailableError(
            f"Ray was imported before msi-agent could keep its local Ray on 127.0.0.1: set {LOOPBACK_ONLY}=0 "
            "before importing ray, or start Ray yourself (ray.init) before the run"
        )
    return ray


class _Calls:
    """The calls of one episode, kept in the actor to travel back with it."""

    def __init__(self) -> None:
        self.made: list[CallRecord] = []

    def record(self, call: CallRecord, *, scope: str, item: str | None) -> None:
        self.made.append(call)


class _EnvActor:
    """One environment and one LLM client for the actor's lifetime; episodes reuse both."""

    def __init__(self, make_env: Callable[[], Env], make_llm: Callable[[], LLMClient]) -> None:
        self.env, self.llm = make_env(), make_llm()

    def ready(self) -> bool:
        return True

    def play(self, order: EpisodeOrder) -> tuple[Episode, list[CallRecord]]:
        calls = _Calls()
        with recording(calls, scope=""):
            episode = order.play(self.env, self.llm)
        return episode, calls.made

    def close(self) -> None:
        self.env.close()
        self.llm.close()


class RayPlayer:
    """Plays orders on ``actors`` Ray actors; called from the runner's threads, one order per actor at a time."""

    def __init__(
        self,
        make_env: Callable[[], Env],
        make_llm: Callable[[], LLMClient],
        *,
        actors: int,
        address: str = LOCAL,
        num_cpus: float = 0.1,
        num_gpus: float = 0.0,
        max_retries: int = 3,
        start_timeout: float = 120.0,
    ) -> None:
        if actors < 1:
            raise ValueError(f"actors must be >= 1, got {actors}")
        ray = _ray(address)
        self._ray, self._started = ray, False
        if not ray.is_initialized():
            if address == LOCAL:
                ray.init(_node_ip_address="127.0.0.1", include_dashboard=False, log_to_driver=False)
            else:
                ray.init(address=address, log_to_driver=False)
            self._started = True
        self._cls = ray.remote(_EnvActor).options(
            num_cpus=num_cpus,
            num_gpus=num_gpus,
            max_restarts=max_retries,
            max_task_retries=max_retries,
            scheduling_strategy="SPREAD",
        )
        self._make = (make_env, make_llm)
        self._resources = f"num_cpus={num_cpus}, num_gpus={num_gpus}"
        self._all = [self._cls.remote(*self._make) for _ in range(actors)]
        try:
            self._wait_ready(self._all, start_timeout)
        except BaseException:
            self.close()
            raise
        self._idle: queue.Queue[Any] = queue.Queue()
        for actor in self._all:
            self._idle.put(actor)

    def _wait_ready(self, actors: list[Any], timeout: float) -> None:
        ready, pending = self._ray.wait([a.ready.remote() for a in actors], num_returns=len(actors), timeout=timeout)
        self._ray.get(ready)  # an environment that failed to start raises its own error here
        if pending:
            raise RayUnavailableError(
                f"only {len(ready)} of {len(actors)} Ray actors started within {timeout:.0f} s: the cluster lacks "
                f"the resources each asks for ({self._resources}); lower --workers or pipeline.ray_actor_cpus/gpus, "
                "or add nodes"
            )

    def __call__(self, order: EpisodeOrder) -> Episode:
        actor = self._idle.get()
        exceptions = self._ray.exceptions
        try:
            episode, calls = self._ray.get(actor.play.remote(order))
        except exceptions.RayActorError as exc:
            actor = self._replace(actor)
            return Episode(
                id=order.episode_id,
                task=order.task,
                error=f"Ray actor lost after its retries (node died?): {type(exc).__name__}",
            )
        except exceptions.RayTaskError as exc:
            raise exc.as_instanceof_cause() from None
        finally:
            self._idle.put(actor)
        for call in calls:
            report(call)  # into the run's call log, under the runner thread's scope and episode
        return episode

    def _replace(self, lost: Any) -> Any:
        self._all.remove(lost)
        fresh = self._cls.remote(*self._make)
        self._all.append(fresh)
        return fresh

    def close(self) -> None:
        actors, self._all = self._all, []
        if actors:
            done, _ = self._ray.wait([a.close.remote() for a in actors], num_returns=len(actors), timeout=30)
            for ref in done:
                with contextlib.suppress(self._ray.exceptions.RayError):  # a lost actor has nothing left to close
                    self._ray.get(ref)
            for a in actors:
                self._ray.kill(a)
        if self._started:
            self._ray.shutdown()
            self._started = False
