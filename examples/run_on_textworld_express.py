"""MSI on TextWorldExpress games (coin, cookingworld, twc), an outside environment shipped in envs/textworld_express.

Needs the ``twx`` extra and Java 17 (``pip install 'msi-agent[twx]'``). ``--offline`` replaces the LLM with a
stand-in that plays TWX's gold paths, to check the wiring; without it the configured LLM plays (default: the
bundled local model). The same run from the command line: ``msi-agent run --env textworld-express --family coin``.

    python examples/run_on_textworld_express.py [--offline] [--family coin --family twc] [--workspace DIR]
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
    ap.add_argument("--family", action="append", help="coin, cookingworld, twc (repeat; default coin)")
    ap.add_argument("--llm", default="local", help="LLM spec (default: the bundled local model)")
    ap.add_argument("--offline", action="store_true", help="use the gold-path stand-in instead of an LLM")
    ap.add_argument("--workspace", type=Path, default=None)
    args = ap.parse_args(argv)
    settings = Settings(
        workspace=args.workspace or Path(tempfile.mkdtemp(prefix="msi-twx-")),
        llm={"spec": args.llm},
        env={"name": "textworld-express", "families": args.family or ["coin"]},
        agent={"max_steps": 12},
        store={"spec": "memory", "embedder": "hash"} if args.offline else {},
        pipeline={"train_tasks": 3, "test_tasks": 2},
        eval={"baselines": ["none"]},
    )
    suite = Suite.from_registry("textworld-express")
    parts: dict[str, object] = {}
    if args.offline:
        p = settings.pipeline
        counts = {Split.TRAIN: p.train_tasks, Split.VALID_SEEN: p.test_tasks, Split.VALID_UNSEEN: p.test_tasks}
        tasks = [t for s, n in counts.items() for t in suite.sample(s, n, seed=p.seed, families=settings.env.families)]
        player = ExpertPlayer(suite.make_env, tasks)
        parts = {
            "llm": LLMClient(ScriptedChatModel(player, name="twx-gold"), name="twx-gold"),
            "store": open_store("memory", embeddings="hash"),
        }
    with Session.from_settings(settings, suite=suite, **parts) as session:  # type: ignore[arg-type]
        folder = experiment.open_run(session, "twx", command="examples/run_on_textworld_express.py", fresh=True)
        experiment.run_all(session, folder)
    print((folder.path / "results.md").read_text(encoding="utf-8"))
    return folder.path


if __name__ == "__main__":
    main()
