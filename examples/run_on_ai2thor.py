"""MSI on real AI2-THOR: the same agent, insights and task families over the ``ai2thor`` Controller.

Needs a THOR build: by default ``ai2thor`` downloads one (network, an X display or ``--platform CloudRendering``);
``--executable PATH`` runs a build you have. Tasks are drawn from live scenes (``envs.thor.tasks``).
``--offline`` replaces the LLM with a stand-in that plays the simulator's expert, to check the wiring.

    python examples/run_on_ai2thor.py --executable ~/thor/thor-Linux64 --x-display :0 [--llm openai:gpt-4o-mini]
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from insights_store import open_store
from msi_agent.config import Settings
from msi_agent.llm import LLMClient, ScriptedChatModel
from msi_agent.pipeline import ExpertPlayer, Session, Suite, experiment
from msi_agent.records import Split


def main(argv: list[str] | None = None) -> Path:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--executable", help="local_executable_path of a THOR build (default: ai2thor's download)")
    ap.add_argument("--platform", default="Linux64", help="Linux64 (X display) or CloudRendering (headless)")
    ap.add_argument("--x-display", default=None)
    ap.add_argument("--headless", action="store_true", help="-batchmode -nographics (no rendering)")
    ap.add_argument("--llm", default="local", help="LLM spec (default: the bundled local model)")
    ap.add_argument("--offline", action="store_true", help="use the expert stand-in instead of an LLM")
    ap.add_argument("--workspace", type=Path, default=None)
    args = ap.parse_args(argv)
    options = {
        "platform": args.platform,
        "headless": args.headless,
        "local_executable_path": args.executable,
        "x_display": args.x_display,
    }
    settings = Settings(
        workspace=args.workspace or Path(tempfile.mkdtemp(prefix="msi-thor-")),
        llm={"spec": args.llm},
        env={
            "name": "ai2thor",
            "options": {k: v for k, v in options.items() if v is not None},
            "families": ["pick_and_place_simple"],
        },
        agent={"max_steps": 10},
        store={"spec": "memory", "embedder": "hash"} if args.offline else {},
        pipeline={"train_tasks": 2, "test_tasks": 1},
        eval={"baselines": ["none"]},
    )
    suite = Suite.from_registry("ai2thor", settings.env.options)
    parts: dict[str, object] = {}
    if args.offline:
        p = settings.pipeline
        tasks = [
            t
            for split, n in (
                (Split.TRAIN, p.train_tasks),
                (Split.VALID_SEEN, p.test_tasks),
                (Split.VALID_UNSEEN, p.test_tasks),
            )
            for t in suite.sample(split, n, seed=p.seed, families=settings.env.families)
        ]
        player = ExpertPlayer(suite.make_env, tasks)
        parts = {
            "llm": LLMClient(ScriptedChatModel(player, name="thor-expert"), name="thor-expert"),
            "store": open_store("memory", embeddings="hash"),
        }
    with Session.from_settings(settings, suite=suite, **parts) as session:  # type: ignore[arg-type]
        folder = experiment.open_run(session, "ai2thor", command="examples/run_on_ai2thor.py", fresh=True)
        experiment.run_all(session, folder)
    print((folder.path / "results.md").read_text(encoding="utf-8"))
    return folder.path


if __name__ == "__main__":
    main()
