"""The episode runner: skips finished jobs, runs the rest on N threads, saves each as it ends, stops on errors."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from msi_agent.experience.pool import ExperiencePool
from msi_agent.pipeline.errored import ErrorBudget, IncompleteWork
from msi_agent.pipeline.runfolder import RunFolder, RunFolderError
from msi_agent.pipeline.runner import Job, job_id, run_jobs
from msi_agent.records import Episode, Task


def _jobs(n: int) -> list[Job]:
    tasks = [Task(id=f"t{i}", family="f", environment="Kitchen", scene="s", instruction=f"task {i}") for i in range(n)]
    return [Job("c", t, job_id("run", "c", t)) for t in tasks]


def test_parallel_order_resume_and_pool(tmp_path: Path) -> None:
    folder, pool = RunFolder(tmp_path / "run"), ExperiencePool(tmp_path / "pool.sqlite")
    active, peak, lock = [0], [0], threading.Lock()

    def play(job: Job) -> Episode:
        with lock:
            active[0] += 1
            peak[0] = max(peak[0], active[0])
        time.sleep(0.05)
        with lock:
            active[0] -= 1
        return Episode(task=job.task, success=job.task.id != "t3")  # the runner sets the id

    jobs = _jobs(8)
    episodes = run_jobs(jobs, play, folder, pool=pool, workers=4)
    assert peak[0] == 4  # four episodes really ran at once
    assert [e.id for e in episodes] == [j.episode_id for j in jobs] == [f"run.c.t{i}" for i in range(8)]
    assert pool.count(run="run") == 8 and pool.count(success=False) == 1

    def must_not_run(job: Job) -> Episode:
        raise AssertionError(f"{job.episode_id} was replayed")

    assert run_jobs(jobs, must_not_run, folder, pool=pool, workers=4) == episodes


def test_an_error_stops_the_run_and_keeps_what_finished(tmp_path: Path) -> None:
    folder = RunFolder(tmp_path / "run")

    def play(job: Job) -> Episode:
        if job.task.id == "t1":
            time.sleep(0.3)  # still running when t2 fails: it ends well, so it is kept
        if job.task.id == "t2":
            raise RuntimeError("simulator bug")
        return Episode(task=job.task)

    with pytest.raises(RuntimeError, match="simulator bug"):
        run_jobs(_jobs(6), play, folder, workers=2)
    saved = {p.stem for p in (folder.path / "episodes" / "c").glob("*.json")}
    assert {"run.c.t0", "run.c.t1"} <= saved and "run.c.t2" not in saved
    with pytest.raises(ValueError, match="workers"):
        run_jobs(_jobs(1), play, folder, workers=0)


def test_errored_episodes_are_kept_apart_replayed_and_budgeted(tmp_path: Path) -> None:
    folder, pool = RunFolder(tmp_path / "run"), ExperiencePool(tmp_path / "pool.sqlite")
    down = {"t1", "t2", "t3", "t4"}
    played: list[str] = []

    def play(job: Job) -> Episode:
        played.append(job.task.id)
        if job.task.id in down:
            return Episode(task=job.task, error=f"LLM call failed: refused ({job.task.id})")
        return Episode(task=job.task, success=True)

    budget = ErrorBudget(limit=3)
    episodes = run_jobs(_jobs(6), play, folder, pool=pool, budget=budget)
    assert played == ["t0", "t1", "t2", "t3"]  # the third error stopped the run: t4, t5 never started
    assert [e.error is not None for e in episodes] == [False, True, True, True]
    assert budget.not_started == 2 and budget.exhausted
    assert pool.count(run="run") == 1  # an errored episode is not experience
    assert (folder.path / "episodes" / "c" / "run.c.t1.json").is_file()  # but it is kept for inspection
    with pytest.raises(IncompleteWork, match=r"^3 episodes errored, 2 not started; first error: .*\(t1\)"):
        budget.check()

    down.clear()
    played.clear()
    again = ErrorBudget(limit=3)
    episodes = run_jobs(_jobs(6), play, folder, pool=pool, workers=2, budget=again)
    assert sorted(played) == ["t1", "t2", "t3", "t4", "t5"]  # exactly the errored and the unstarted work
    assert all(e.success for e in episodes) and len(episodes) == 6 and pool.count(run="run") == 6
    again.check()
    with pytest.raises(ValueError, match="errored"):
        pool.add(Episode(task=episodes[0].task, error="timed out"))


def test_a_changed_task_is_not_resumed(tmp_path: Path) -> None:
    folder = RunFolder(tmp_path / "run")
    jobs = _jobs(2)
    run_jobs(jobs, lambda job: Episode(task=job.task), folder)
    changed = jobs[1].task.model_copy(update={"params": {"goal": {"serving": "CounterTop"}}})
    again = [jobs[0], Job("c", changed, jobs[1].episode_id)]
    with pytest.raises(RunFolderError, match=r"run.c.t1 on task t1 .* differs in params.goal .*--fresh"):
        run_jobs(again, lambda job: Episode(task=job.task), folder)


def test_a_resume_refuses_an_episode_whose_task_changed_since(tmp_path: Path) -> None:
    folder = RunFolder(tmp_path / "run")
    jobs = _jobs(2)
    run_jobs(jobs, lambda job: Episode(task=job.task, success=True), folder)
    changed = [Job(j.condition, j.task.model_copy(update={"params": {"goal": "new"}}), j.episode_id) for j in jobs]
    refused = r"on task t0 as it was sampled before, and the task sampled now differs in params.goal .*--fresh"
    with pytest.raises(RunFolderError, match=refused):
        run_jobs(changed, lambda job: Episode(task=job.task), folder)
    assert folder.load_episode("c", jobs[0].episode_id).task.params == {}  # type: ignore[union-attr]
