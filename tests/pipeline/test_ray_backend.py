"""The Ray backend on a real two-node Ray cluster on this machine (every node bound to 127.0.0.1).

The scripted household player (``household_player:make_model``) runs inside the actors, which build it from
the settings like any LLM; the cluster's processes get this folder on PYTHONPATH to import it.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from functools import partial
from pathlib import Path
from typing import Any

import pytest

# Ray swaps 127.0.0.1 in a cluster address for the machine's interface address unless told this is a
# single-machine cluster; that would send traffic off loopback. Read once, when ray is first imported.
os.environ["RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER"] = "0"
ray = pytest.importorskip("ray", reason="the ray extra is not installed (make test installs it)")
from ray.cluster_utils import Cluster  # noqa: E402

import envs  # noqa: E402
from insights_store import open_store  # noqa: E402
from msi_agent.config import Settings, StoreSettings  # noqa: E402
from msi_agent.experience.pool import ExperiencePool  # noqa: E402
from msi_agent.llm import LLMClient, ScriptedChatModel  # noqa: E402
from msi_agent.modes import InsightMode  # noqa: E402
from msi_agent.pipeline import experiment, stages  # noqa: E402
from msi_agent.pipeline.errored import IncompleteWork  # noqa: E402
from msi_agent.pipeline.orders import ExpertOrder  # noqa: E402
from msi_agent.pipeline.ray_player import RayPlayer  # noqa: E402
from msi_agent.pipeline.records import Results  # noqa: E402
from msi_agent.pipeline.session import Session  # noqa: E402
from msi_agent.pipeline.stages import Arm  # noqa: E402
from msi_agent.records import Split  # noqa: E402

pytestmark = pytest.mark.slow

HERE = Path(__file__).parent
ENVS_TESTS = HERE.parent / "envs"
FAMILIES = ["pick_and_place_simple", "look_at_obj_in_light"]
DELAY = 0.03  # seconds per scripted call inside the actors, so a run lasts long enough to be cut mid-way


@pytest.fixture(scope="module")
def cluster() -> Iterator[Cluster]:
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("PYTHONPATH", os.pathsep.join([str(HERE), str(ENVS_TESTS), os.environ.get("PYTHONPATH", "")]))
        mp.setenv("HOUSEHOLD_PLAYER_DELAY", str(DELAY))
        c = Cluster(
            initialize_head=True,
            connect=False,
            head_node_args={"num_cpus": 0, "node_ip_address": "127.0.0.1", "include_dashboard": False},
        )
        for _ in range(2):
            c.add_node(num_cpus=1, node_ip_address="127.0.0.1")
        try:
            yield c
        finally:
            if ray.is_initialized():
                ray.shutdown()
            c.shutdown()


def _settings(workspace: Path, **pipeline: Any) -> Settings:
    return Settings(
        workspace=workspace,
        llm={"spec": "household_player:make_model", "cache": False},
        store={"spec": "memory", "embedder": "hash"},
        agent={"max_steps": 8},
        env={"families": FAMILIES},
        pipeline={"train_tasks": 4, "test_tasks": 2, "seed": 0, "workers": 2, **pipeline},
    )


def _run(settings: Settings, name: str = "r") -> tuple[Results, list[str]]:
    results, ids, _ = _run_logged(settings, name)
    return results, ids


def _run_logged(settings: Settings, name: str = "r") -> tuple[Results, list[str], list[tuple[str, str, str]]]:
    """The run's results, its episode ids, and its call log as sorted (scope, episode, prompt's last message)."""
    with Session.from_settings(settings, store=open_store("memory", embeddings="hash"), embeddings="hash") as s:
        folder = experiment.open_run(s, name, command="test")
        results = experiment.run_all(s, folder)
        ids = sorted(e.id for e in s.pool.query(run=name))
        calls = sorted((c.scope, c.item or "", c.messages[-1][1]) for c in folder.calls.calls())
    return results, ids, calls


def test_a_ray_run_equals_a_local_run(cluster: Cluster, tmp_path: Path) -> None:
    local, local_ids, local_calls = _run_logged(_settings(tmp_path / "local"))
    remote, remote_ids, remote_calls = _run_logged(
        _settings(tmp_path / "ray", backend="ray", ray_address=cluster.address)
    )
    assert remote_ids == local_ids and len(local_ids) == 4 + 4 + 3 * 4  # demos, attempts, three arms × 4 tests
    assert remote_calls == local_calls  # the actors' calls reach the driver's log, under their arm and episode
    assert len({item for _, item, _ in remote_calls} & set(remote_ids)) == 4 + 3 * 4  # every LLM-played episode
    strip = ("usage", "cost")
    rows = [[r.model_dump(exclude=set(strip)) for r in res.rows] for res in (local, remote)]
    assert rows[0] == rows[1]
    assert any(r["sr"] > 0 for r in rows[0])  # the table is not trivially equal


def _collect_in_thread(settings: Settings) -> tuple[threading.Thread, list[BaseException]]:
    errors: list[BaseException] = []

    def work() -> None:
        try:
            with Session.from_settings(settings, embeddings="hash") as session:
                stages.collect(session, experiment.open_run(session, "n", command="test"))
        except BaseException as exc:
            errors.append(exc)

    thread = threading.Thread(target=work)
    thread.start()
    return thread, errors


def _saved(folder: Path) -> int:
    return len(list(folder.glob("episodes/*/*.json")))


def test_a_node_lost_mid_run_loses_no_episode(cluster: Cluster, tmp_path: Path) -> None:
    settings = _settings(tmp_path, backend="ray", ray_address=cluster.address, train_tasks=8)
    thread, errors = _collect_in_thread(settings)
    deadline = time.monotonic() + 120
    while _saved(tmp_path / "runs" / "n") < 10 and time.monotonic() < deadline and thread.is_alive():
        time.sleep(0.05)
    victim = next(n for n in cluster.worker_nodes)
    cluster.remove_node(victim)
    thread.join(timeout=300)
    cluster.add_node(num_cpus=1, node_ip_address="127.0.0.1")
    assert not thread.is_alive() and not errors, errors
    with ExperiencePool.in_workspace(tmp_path) as pool:
        episodes = pool.query(run="n")
    assert len(episodes) == len({e.id for e in episodes}) == 16  # 8 demos + 8 attempts, each once
    assert _saved(tmp_path / "runs" / "n") == 16
    assert all(e.error is None for e in episodes)


def test_an_episode_lost_past_its_retries_is_errored_and_replayed(cluster: Cluster, tmp_path: Path) -> None:
    settings = _settings(tmp_path, backend="ray", ray_address=cluster.address, train_tasks=8, ray_max_retries=0)
    thread, errors = _collect_in_thread(settings)
    deadline = time.monotonic() + 120
    while _saved(tmp_path / "runs" / "n") < 10 and time.monotonic() < deadline and thread.is_alive():
        time.sleep(0.05)
    cluster.remove_node(next(n for n in cluster.worker_nodes))
    thread.join(timeout=300)
    cluster.add_node(num_cpus=1, node_ip_address="127.0.0.1")
    assert not thread.is_alive()
    assert [type(e) for e in errors] == [IncompleteWork], errors  # the command reports undone work
    with ExperiencePool.in_workspace(tmp_path) as pool:
        assert all(e.error is None for e in pool.query(run="n"))  # an errored episode is never experience
        pooled = pool.count(run="n")
    assert pooled < 16

    thread, errors = _collect_in_thread(settings)  # the same command again, with the cluster whole
    thread.join(timeout=300)
    assert not errors, errors
    with ExperiencePool.in_workspace(tmp_path) as pool:
        ids = [e.id for e in pool.query(run="n")]
    assert len(ids) == len(set(ids)) == 16


def test_a_killed_driver_resumes_without_duplicates(cluster: Cluster, tmp_path: Path) -> None:
    cli = [str(Path(sys.executable).parent / "msi-agent"), "--workspace", str(tmp_path), "--store", "memory"]
    cli += ["--llm", "household_player:make_model", "collect", "--name", "k", "--train-tasks", "8"]
    cli += ["--max-steps", "6", *(a for f in FAMILIES for a in ("-f", f))]
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(HERE), os.environ.get("PYTHONPATH", "")]),
        "MSI_STORE__EMBEDDER": "hash",
        "MSI_LLM__CACHE": "false",
        "MSI_PIPELINE__BACKEND": "ray",
        "MSI_PIPELINE__RAY_ADDRESS": cluster.address,
        "MSI_PIPELINE__WORKERS": "2",
    }
    proc = subprocess.Popen(cli, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and _saved(tmp_path / "runs" / "k") < 10:
        assert proc.poll() is None, proc.stderr.read().decode() if proc.stderr else "collect ended early"
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=10)
    assert 10 <= _saved(tmp_path / "runs" / "k") < 16, "the kill must land mid-way"

    done = subprocess.run(cli, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    with ExperiencePool.in_workspace(tmp_path) as pool:
        ids = [e.id for e in pool.query(run="k")]
    assert len(ids) == len(set(ids)) == 16


def test_distill_on_one_machine_eval_on_another_share_a_chroma_server(
    cluster: Cluster, chroma_server: str, tmp_path: Path
) -> None:
    """Two drivers with separate workspaces (two machines) and one Chroma server: the second evaluates on Ray
    with the insights the first distilled — the scripted player wins lamp tasks only with the lamp rule."""
    store = {"spec": f"chroma+http://{chroma_server}", "embedder": "hash"}
    first = _settings(tmp_path / "a").model_copy(update={"store": StoreSettings(**store)})
    with Session.from_settings(first, embeddings="hash") as s:
        folder = experiment.open_run(s, "learn", command="test")
        stages.collect(s, folder)
        stages.distill(s.with_settings(_shared(first)), folder)
    second = _settings(tmp_path / "b", backend="ray", ray_address=cluster.address)
    second = second.model_copy(update={"store": StoreSettings(**store)})
    with Session.from_settings(second, embeddings="hash") as s:
        folder = experiment.open_run(s, "use", command="test")
        msi, none = Arm("msi", InsightMode.HASHMAP, SHARED), Arm("none", InsightMode.NONE)
        out = {arm.name: stages.play_arm(s, folder, arm) for arm in (msi, none)}
    lamp = {arm: [e.success for e in eps if e.task.family == FAMILIES[1]] for arm, eps in out.items()}
    assert lamp["msi"] and all(lamp["msi"]) and not any(lamp["none"])


SHARED = "ray-shared"
"""A namespace no other test writes on the session's Chroma server (the store tests share ``shared``)."""


def _shared(settings: Settings) -> Settings:
    """``settings`` distilling into the namespace ``SHARED``."""
    return settings.model_copy(update={"pipeline": settings.pipeline.model_copy(update={"namespace": SHARED})})


def _no_llm() -> LLMClient:
    return LLMClient(ScriptedChatModel(lambda _: "unused"), name="none")


def test_thor_actors_play_over_the_fake_player_and_close(
    cluster: Cluster, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.syspath_prepend(str(ENVS_TESTS))
    from thor_fake_player import player_command

    from envs.thor.tasks import sampler

    marker = tmp_path / "players.log"
    ray.init(address=cluster.address)
    make_env = partial(envs.make, "ai2thor", local_executable_path=player_command(log=marker), headless=True)
    tasks = sampler(local_executable_path=player_command(), headless=True)(Split.VALID_SEEN, 4, seed=5, families=[])
    player = RayPlayer(make_env, _no_llm, actors=2, address=cluster.address)
    try:
        episodes = [player(ExpertOrder(f"thor.{t.id}", t)) for t in tasks]
        assert _players(marker) == 2  # one live player per actor, reused across its episodes
    finally:
        player.close()
        ray.shutdown()
    assert all(e.success for e in episodes) and len(episodes) == 4
    deadline = time.monotonic() + 20
    while _players(marker) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _players(marker) == 0, "a fake player outlived its actor's close()"


def _players(marker: Path) -> int:
    out = subprocess.run(["pgrep", "-f", str(marker)], capture_output=True, text=True)
    return len(out.stdout.split())
