"""Run MSI against any OpenAI-compatible server (vLLM, llama.cpp's server, Ollama's /v1, LM Studio, OpenAI).

    python examples/openai_compatible.py --base-url http://127.0.0.1:8000/v1 --model my-model [--api-key KEY]

The same as ``msi-agent --llm openai:MODEL --base-url URL run``; several episodes run in parallel (``--workers``)
since a server answers many requests at once.
"""

from __future__ import annotations

import argparse
import os
import tempfile
from pathlib import Path

from msi_agent.config import Settings
from msi_agent.pipeline import Session, experiment


def main(argv: list[str] | None = None) -> Path:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--base-url", required=True, help="e.g. http://127.0.0.1:8000/v1")
    ap.add_argument("--model", default="default")
    ap.add_argument("--api-key", default=os.environ.get("OPENAI_API_KEY", "not-needed"))
    ap.add_argument("--workspace", type=Path, default=None)
    ap.add_argument("--workers", type=int, default=4)
    ap.add_argument("--store", default="chroma", help="chroma (persistent, default) or memory")
    ap.add_argument("--embedder", default="minilm", help="minilm (default) or hash")
    args = ap.parse_args(argv)
    settings = Settings(
        workspace=args.workspace or Path(tempfile.mkdtemp(prefix="msi-openai-")),
        llm={"spec": f"openai:{args.model}", "base_url": args.base_url, "api_key": args.api_key},
        store={"spec": args.store, "embedder": args.embedder},
        agent={"max_steps": 10},
        env={"families": ["pick_and_place_simple", "look_at_obj_in_light"]},
        pipeline={"train_tasks": 4, "test_tasks": 2, "workers": args.workers},
    )
    with Session.from_settings(settings) as session:
        folder = experiment.open_run(session, "openai", command="examples/openai_compatible.py")
        experiment.run_all(session, folder)
    print((folder.path / "results.md").read_text(encoding="utf-8"))
    return folder.path


if __name__ == "__main__":
    main()
