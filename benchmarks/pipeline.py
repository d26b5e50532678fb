"""Pipeline benchmark: the framework's own time per step, parallel speed-up against a slow server, prompt size.

1. Framework time per step, excluding the LLM: household episodes with an instant scripted model; the model's
   own time is measured and subtracted (target ≤ 5 ms per step).
2. Episodes/s with 1, 4 and 16 workers against a loopback OpenAI-compatible server that answers after 100 ms
   (target ≥ 10× speed-up at 16 workers).
3. Prompt tokens per step for each insight-selector mode, over a realistic insight set (estimate: characters / 4,
   the store's token estimate; no tokenizer download).
4. Framework time per subgoal of the program executor (``--executor program``), excluding the LLM: TEACh
   episodes whose instant model writes the expert's program; parsing, interpreting, the primitives and the
   environment commands they play all count (target ≤ 5 ms per subgoal).
5. With ``--backend ray``: the same episodes/s on Ray actors (a local Ray bound to 127.0.0.1) beside the threads
   (target: within 15 % at 16), and the round trip of a no-op episode order (target ≤ 20 ms).

    python benchmarks/pipeline.py [--tasks N] [--backend ray]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from langchain_core.messages import BaseMessage

from envs.registration import HOUSEHOLD_ROOMS
from insights_store import open_store
from insights_store.base import InsightStore
from insights_store.batch import estimate_tokens
from msi_agent.agent.program.executor import CORRECTION_ACTION, PROGRAM_ACTION
from msi_agent.config import Settings
from msi_agent.llm import LLMClient, ScriptedChatModel
from msi_agent.llm.wire import chat_completion, request_messages
from msi_agent.modes import InsightMode
from msi_agent.pipeline import ExpertPlayer, Session, Suite, stages
from msi_agent.pipeline.players import LocalPlayer
from msi_agent.pipeline.runfolder import RunFolder
from msi_agent.records import Episode, Insight, Scale, Split, Task

FAMILIES = [
    "pick_and_place_simple",
    "look_at_obj_in_light",
    "pick_clean_then_place_in_recep",
    "pick_heat_then_place_in_recep",
]


class Timed:
    """Wraps a respond function and adds up the time spent inside it (the "LLM")."""

    def __init__(self, fn: Any) -> None:
        self.fn, self.seconds, self.calls, self.prompt_tokens = fn, 0.0, 0, []

    def __call__(self, messages: list[BaseMessage]) -> str:
        start = time.perf_counter()
        try:
            return self.fn(messages)
        finally:
            self.seconds += time.perf_counter() - start
            self.calls += 1
            if "Possible commands:" in str(messages[-1].content):
                self.prompt_tokens.append(sum(estimate_tokens(str(m.content)) for m in messages))


def settings_for(workspace: Path, tasks: int, workers: int = 1, **llm: Any) -> Settings:
    return Settings(
        workspace=workspace,
        agent={"max_steps": 8},
        env={"families": FAMILIES},
        llm={"cache": False, **llm},
        store={"embedder": "hash"},
        pipeline={"train_tasks": 0, "test_tasks": tasks, "workers": workers},
    )


def test_tasks(suite: Suite, n: int) -> list:  # type: ignore[type-arg]
    return [t for s in (Split.VALID_SEEN, Split.VALID_UNSEEN) for t in suite.sample(s, n, seed=0, families=FAMILIES)]


def seeded_store() -> InsightStore:
    """10 general rules, 5 per room type, 19 subtask names × 5 rules (the paper's limits) — about 125 insights."""
    store = open_store("memory", embeddings="hash")
    for i in range(10):
        store.add(
            Insight(
                text=f"General rule {i}: check every receptacle you pass for the target object.", scale=Scale.GENERAL
            ),
            namespace="bench",
        )
    for room in HOUSEHOLD_ROOMS:
        for i in range(5):
            store.add(
                Insight(
                    text=f"In a {room}, objects of kind {i} are usually on the counters or shelves.",
                    scale=Scale.ENVIRONMENT,
                    key=room,
                ),
                namespace="bench",
            )
    topics = [
        "Object Placement",
        "Heating",
        "Cooling",
        "Cleaning",
        "Lighting",
        "Slicing",
        "Finding Objects",
        "Opening Receptacles",
        "Two Objects",
        "Toasting",
        "Watering",
        "Coffee",
        "Boiling",
        "Salad",
        "Sandwich",
        "Plates",
        "Navigation",
        "Inventory",
        "Pouring",
    ]
    for name in topics:
        for i in range(5):
            store.add(
                Insight(
                    text=f"When {name.lower()} (case {i}), go to the right appliance first and use it.",
                    scale=Scale.SUBTASK,
                    key=name,
                ),
                namespace="bench",
            )
    return store


def instant_llm(suite: Suite, tasks: list) -> tuple[Timed, LLMClient]:  # type: ignore[type-arg]
    """An LLM that answers at once by playing the expert, timed so its own cost can be subtracted."""
    player = Timed(ExpertPlayer(suite.make_env, tasks, names_reply=lambda p: "Heating, Object Placement"))
    return player, LLMClient(ScriptedChatModel(player, name="instant"), name="instant")


def framework_time(workspace: Path, n: int) -> dict[str, float]:
    suite = Suite.from_registry("household")
    tasks = test_tasks(suite, n)
    player, llm = instant_llm(suite, tasks)
    out = {}
    for mode in (InsightMode.NONE, InsightMode.HASHMAP):
        player.seconds, player.calls = 0.0, 0
        with Session.from_settings(
            settings_for(workspace / mode.value, n), suite=suite, llm=llm, store=seeded_store()
        ) as session:
            folder = RunFolder.in_workspace(session.settings.workspace, "bench")
            start = time.perf_counter()
            episodes = stages.play_arm(session, folder, stages.Arm("c", mode, "bench"))
            wall = time.perf_counter() - start
        steps = sum(len(e.steps) for e in episodes)
        out[mode.value] = 1000 * (wall - player.seconds) / steps
    return out


TEACH = ["water_plant", "coffee", "toast", "plate_of_toast", "boil_x", "clean_all_x", "put_all_x_on_y",
         "n_slices_of_x_in_y", "n_cooked_slices_of_x_in_y", "sandwich", "salad", "breakfast"]  # fmt: skip


def program_framework_time(workspace: Path, n: int) -> dict[str, float]:
    """ms per executed subgoal for the program executor, with example programs from expert demos in the prompt."""
    suite = Suite.from_registry("household")
    test = [t for s in (Split.VALID_SEEN, Split.VALID_UNSEEN) for t in suite.sample(s, n, seed=0, families=TEACH)]
    train = suite.sample(Split.TRAIN, n, seed=0, families=TEACH)
    player, llm = instant_llm(suite, test + train)
    out = {}
    for mode in (InsightMode.NONE, InsightMode.HASHMAP):
        settings = Settings(
            workspace=workspace / mode.value,
            env={"families": TEACH},
            llm={"cache": False},
            store={"embedder": "hash"},
            pipeline={"train_tasks": n, "test_tasks": n},
            agent={"executor": "program"},
        )
        with Session.from_settings(settings, suite=suite, llm=llm, store=seeded_store()) as session:
            folder = RunFolder.in_workspace(session.settings.workspace, "bench")
            stages.demonstrations(session, folder, train)  # into the pool, where the examples come from
            player.seconds, player.calls = 0.0, 0
            start = time.perf_counter()
            episodes = stages.play_arm(session, folder, stages.Arm("c", mode, "bench"))
            wall = time.perf_counter() - start
        assert all(e.success for e in episodes), [e.failure_reason for e in episodes if not e.success]
        subgoals = sum(1 for e in episodes for s in e.steps if s.action not in (PROGRAM_ACTION, CORRECTION_ACTION))
        out[mode.value] = 1000 * (wall - player.seconds) / subgoals
    return out


class SlowServer(ThreadingHTTPServer):
    daemon_threads = True


def serve(player: ExpertPlayer, delay: float) -> SlowServer:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            text = player(request_messages(body))
            time.sleep(delay)
            reply = chat_completion(text, model=body["model"], prompt_tokens=1, completion_tokens=1)
            payload = json.dumps(reply).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

    server = SlowServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def throughput(workspace: Path, n: int, delay: float = 0.1, backend: str = "local") -> dict[int, float]:
    """Episodes/s; with the ray backend the actors are started before the clock starts (their start-up is a
    one-off per run, reported apart)."""
    suite = Suite.from_registry("household")
    tasks = test_tasks(suite, n)
    server = serve(ExpertPlayer(suite.make_env, tasks), delay)
    url = f"http://127.0.0.1:{server.server_address[1]}/v1"
    out = {}
    try:
        for workers in (1, 4, 16):
            settings = settings_for(
                workspace / f"{backend}{workers}",
                n,
                workers,
                spec="openai:bench",
                base_url=url,
                api_key="sk-bench",
                max_retries=0,  # a bench must not hide failures
            )
            settings.pipeline.backend = backend  # type: ignore[assignment]
            with Session.from_settings(settings, suite=suite, store=open_store("memory", embeddings="hash")) as s:
                folder = RunFolder.in_workspace(s.settings.workspace, "bench")
                started = time.perf_counter()
                s.player  # noqa: B018 - start the actors now, outside the timed part
                if backend == "ray":
                    print(f"  ({workers} Ray actors started in {time.perf_counter() - started:.1f} s)")
                start = time.perf_counter()
                episodes = stages.play_arm(s, folder, stages.Arm("c", InsightMode.NONE))
                wall = time.perf_counter() - start
            assert all(e.failure_reason is None or "LLM" not in e.failure_reason for e in episodes), "calls failed"
            out[workers] = len(episodes) / wall
    finally:
        server.shutdown()
    return out


@dataclass(frozen=True)
class NoopOrder:
    """An order that plays nothing: its round trip is the backend's own cost per episode."""

    episode_id: str
    task: Task

    def play(self, env: Any, llm: Any) -> Episode:
        return Episode(id=self.episode_id, task=self.task)


def scheduling_overhead(n: int = 200) -> dict[str, float]:
    """Median round trip of a no-op order through each player, one at a time (ms)."""
    from msi_agent.pipeline.ray_player import RayPlayer

    suite = Suite.from_registry("household")
    (task,) = suite.sample(Split.VALID_SEEN, 1, seed=0, families=FAMILIES)
    llm = LLMClient(ScriptedChatModel(lambda _: "", name="none"), name="none")
    out = {}
    for name, player in (
        ("local", LocalPlayer(suite.make_env, llm)),
        ("ray", RayPlayer(suite.make_env, _no_llm, actors=1)),
    ):
        try:
            times = []
            for i in range(n):
                start = time.perf_counter()
                player(NoopOrder(str(i), task))
                times.append(time.perf_counter() - start)
            out[name] = 1000 * statistics.median(times)
        finally:
            player.close()
    return out


def _no_llm() -> LLMClient:
    return LLMClient(ScriptedChatModel(lambda _: "", name="none"), name="none")


def prompt_tokens(workspace: Path, n: int) -> dict[str, float]:
    suite = Suite.from_registry("household")
    tasks = test_tasks(suite, n)
    player, llm = instant_llm(suite, tasks)
    out = {}
    for mode in InsightMode:
        player.prompt_tokens = []
        with Session.from_settings(
            settings_for(workspace / f"p-{mode.value}", n), suite=suite, llm=llm, store=seeded_store()
        ) as session:
            folder = RunFolder.in_workspace(session.settings.workspace, "bench")
            stages.play_arm(session, folder, stages.Arm("c", mode, "bench"))
        out[mode.value] = statistics.mean(player.prompt_tokens)
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tasks", type=int, default=16, help="test tasks per split (seen and unseen)")
    ap.add_argument(
        "--throughput-tasks",
        type=int,
        default=64,
        help="tasks per split for the workers comparison (enough that 16 workers stay busy)",
    )
    ap.add_argument(
        "--backend",
        choices=["local", "ray"],
        default="local",
        help="ray: also measure the Ray backend (a local Ray on 127.0.0.1) beside the threads",
    )
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="msi-bench-") as tmp:
        ws = Path(tmp)
        ft = framework_time(ws / "ft", args.tasks)
        print("framework time per step, excluding the LLM (target <= 5 ms):")
        for mode, ms in ft.items():
            print(f"  {mode:<12} {ms:6.2f} ms/step")
        pft = program_framework_time(ws / "pft", max(2, args.tasks // 2))
        print("program executor: framework time per subgoal, excluding the LLM (target <= 5 ms):")
        for mode, ms in pft.items():
            print(f"  {mode:<12} {ms:6.2f} ms/subgoal")
        tp = throughput(ws / "tp", args.throughput_tasks)
        print("episodes/s against a loopback server answering after 100 ms (target >= 10x at 16 workers):")
        for workers, eps in tp.items():
            print(f"  {workers:>2} workers  {eps:6.2f} episodes/s  ({eps / tp[1]:4.1f}x)")
        ok_ray = True
        if args.backend == "ray":
            ray_tp = throughput(ws / "tp", args.throughput_tasks, backend="ray")
            print("Ray backend beside threads, same server (target: within 15% of threads at 16):")
            for workers, eps in ray_tp.items():
                print(
                    f"  {workers:>2} episodes at once  ray {eps:6.2f}/s  threads {tp[workers]:6.2f}/s  "
                    f"({eps / tp[workers]:4.2f}x)"
                )
            sched = scheduling_overhead()
            print("round trip of a no-op episode order, median of 200 (target: ray <= 20 ms):")
            for name, ms in sched.items():
                print(f"  {name:<6} {ms:7.2f} ms")
            ok_ray = ray_tp[16] >= 0.85 * tp[16] and sched["ray"] <= 20.0
        pt = prompt_tokens(ws / "pt", max(2, args.tasks // 4))
        print("prompt tokens per step by insight selector (chars/4 estimate; 125 insights, 19 subtask names):")
        for mode, tokens in pt.items():
            print(f"  {mode:<12} {tokens:7.0f}")
    ok = max(ft.values()) <= 5.0 and max(pft.values()) <= 5.0 and tp[16] / tp[1] >= 10.0 and ok_ray
    print("targets met" if ok else "TARGETS MISSED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
