"""Run many episodes: skip the finished ones, play the rest on N threads, save each the moment it ends.

Each job has a deterministic episode id, so a rerun finds the file of every finished episode and replays only
the missing and the errored ones; the experience pool upserts by the same id, so nothing is ever duplicated.
An errored episode (``Episode.error``) is saved for inspection but never pooled, and counts against the budget.
Write order: the episode file, then the pool row; a run killed between the two is repaired on start (file
present, row missing: the row is inserted from the file). A finished episode is reused only for the very task it
was played on: when the task sampled now differs (a family's goal or arrangement changed between versions), the
run refuses to resume rather than mix results of two different tasks under one id.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from msi_agent.experience.pool import ExperiencePool
from msi_agent.llm.journal import recording
from msi_agent.pipeline.errored import ErrorBudget
from msi_agent.pipeline.runfolder import RunFolder, RunFolderError
from msi_agent.records import Episode, Task


@dataclass(frozen=True, slots=True)
class Job:
    condition: str
    task: Task
    episode_id: str


def job_id(run: str, condition: str, task: Task) -> str:
    return f"{run}.{condition}.{task.id}"


def task_changes(before: Task, now: Task) -> list[str]:
    """The fields (and ``params`` keys) in which two versions of a task differ."""
    a, b = before.model_dump(mode="json", exclude={"created"}), now.model_dump(mode="json", exclude={"created"})
    out = [k for k in a if k != "params" and a[k] != b.get(k)]
    pa, pb = a.get("params", {}), b.get("params", {})
    return out + [f"params.{k}" for k in sorted(set(pa) | set(pb)) if pa.get(k) != pb.get(k)]


def run_jobs(
    jobs: Sequence[Job],
    play: Callable[[Job], Episode],
    folder: RunFolder,
    *,
    pool: ExperiencePool | None = None,
    workers: int = 1,
    console: Console | None = None,
    label: str = "episodes",
    budget: ErrorBudget | None = None,
) -> list[Episode]:
    """Episodes in job order, errored ones included; the finished ones are read back from the run folder.

    Once ``budget`` is exhausted no new job starts: the jobs never started are left out of the list and counted
    in ``budget.not_started``.
    """
    if workers < 1:
        raise ValueError(f"workers must be >= 1, got {workers}")
    budget = budget or ErrorBudget()
    unrecorded, calls = play, folder.calls  # the call log is opened here, before any episode thread starts

    def play(job: Job) -> Episode:  # every LLM call of the episode goes to the run's call log
        with recording(calls, scope=job.condition, item=job.episode_id):
            return unrecorded(job)

    results: dict[str, Episode] = {}
    todo = []
    for job in jobs:
        done = folder.load_episode(job.condition, job.episode_id)
        if done is None or done.error is not None:
            todo.append(job)
            continue
        changed = task_changes(done.task, job.task)
        if changed:
            raise RunFolderError(
                f"run {folder.name!r} played episode {job.episode_id} on task {job.task.id} as it was sampled "
                f"before, and the task sampled now differs in {', '.join(changed)} (its family changed since); "
                "give another --name, or --fresh to discard the old run"
            )
        results[job.episode_id] = done
    if pool is not None and results:
        pool.add_many([results[i] for i in pool.missing(results)], run=folder.name)
    with _progress(console) as progress:
        bar = progress.add_task(label, total=len(jobs), completed=len(results)) if progress else None

        def finish(job: Job, episode: Episode) -> None:
            if episode.id != job.episode_id:
                episode = episode.model_copy(update={"id": job.episode_id})
            folder.save_episode(job.condition, episode)
            if episode.error is not None:
                budget.add(episode.id, episode.error, what="episodes")
            elif pool is not None:
                pool.add(episode, run=folder.name)
            results[job.episode_id] = episode
            if progress and bar is not None:
                progress.advance(bar)

        if workers == 1:
            for job in todo:
                if budget.exhausted:
                    break
                finish(job, play(job))
        else:
            _parallel(todo, play, finish, workers, budget)
    budget.not_started += sum(1 for j in jobs if j.episode_id not in results)
    return [results[j.episode_id] for j in jobs if j.episode_id in results]


def _parallel(
    todo: list[Job],
    play: Callable[[Job], Episode],
    finish: Callable[[Job, Episode], None],
    workers: int,
    budget: ErrorBudget,
) -> None:
    """Save results on the calling thread as they complete; on an exception, start nothing more, save the
    episodes that still end well (they cost LLM calls), and re-raise; once the error budget is spent, let the
    running episodes end and start no more."""
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="episode") as ex:
        queue = iter(todo)
        running: dict[Future[Episode], Job] = {}
        for job in queue:
            running[ex.submit(play, job)] = job
            if len(running) >= workers:
                break
        while running:
            finished, _ = wait(running, return_when=FIRST_COMPLETED)
            for fut in finished:
                job = running.pop(fut)
                try:
                    finish(job, fut.result())
                except Exception:
                    _keep_the_rest(running, finish)
                    raise
                except BaseException:
                    for other in running:
                        other.cancel()
                    raise
                nxt = None if budget.exhausted else next(queue, None)
                if nxt is not None:
                    running[ex.submit(play, nxt)] = nxt


def _keep_the_rest(running: dict[Future[Episode], Job], finish: Callable[[Job, Episode], None]) -> None:
    for fut, job in running.items():
        if fut.cancel():
            continue
        try:
            finish(job, fut.result())
        except Exception:  # the first failure is the one re-raised
            continue


class _progress:
    """A rich progress bar when a console is given, else nothing."""

    def __init__(self, console: Console | None) -> None:
        self._p = (
            Progress(
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                console=console,
                transient=False,
            )
            if console is not None
            else None
        )

    def __enter__(self) -> Progress | None:
        if self._p is not None:
            self._p.__enter__()
        return self._p

    def __exit__(self, *exc: object) -> None:
        if self._p is not None:
            self._p.__exit__(*exc)  # type: ignore[arg-type]
