"""Insight-store performance at scale on the default backend (embedded Chroma).

Fills one namespace with ``--size`` synthetic insights (default 100,000) through ``import_jsonl`` using the
*hash* embedder (MiniLM would spend the run embedding, ~110 texts/s on 2 cores; its throughput is measured
separately below), then times: bulk add, single add, list one key, top-10 search unfiltered and filtered
by scale+key, one apply() batch, importing 20k insights into a new namespace and again over it (same texts,
then changed texts), reopen, disk size. Subtask keys hold ~100 insights each (size/100 keys),
environment keys size/20 each. Targets (issue 7): add >= 500/s, list one key <= 50 ms p50, top-10
unfiltered <= 20 ms p50, filtered <= 150 ms p50. ``--check`` exits 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from envs.registration import HOUSEHOLD_ROOMS
from insights_store import InsightStore, open_store
from insights_store.embeddings import MiniLMEmbeddings
from msi_agent.records import Insight, InsightOp, OpKind, Scale

_VOCABULARY = (
    "open close fridge microwave knife slice bread tomato lettuce apple mug cup sink faucet clean heat "
    "cool cabinet drawer counter table lamp desk shelf plate bowl pan pot stove toaster coffee water "
    "plant towel soap toilet bathtub sofa bed pillow remote television laptop book pencil key box vase "
    "statue"
)
WORDS = _VOCABULARY.split()
TARGETS = {
    "add_per_s": (500, ">="),
    "list_key_p50_ms": (50, "<="),
    "top10_p50_ms": (20, "<="),
    "top10_filtered_p50_ms": (150, "<="),
}


def sentence(rng: random.Random) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(rng.randint(8, 18))).capitalize() + "."


def synthetic(size: int, seed: int = 0) -> Iterator[Insight]:
    rng = random.Random(seed)
    subtask_keys = max(1, size // 100)
    rooms = list(HOUSEHOLD_ROOMS)
    for n in range(size):
        roll = n % 20
        if roll == 0:
            yield Insight(text=f"{sentence(rng)} ({n})", scale=Scale.GENERAL, score=rng.randint(1, 6))
        elif roll == 1:
            yield Insight(text=f"{sentence(rng)} ({n})", scale=Scale.ENVIRONMENT, key=rooms[n % 4])
        else:
            yield Insight(text=f"{sentence(rng)} ({n})", scale=Scale.SUBTASK, key=f"Subtask {n % subtask_keys}")


def p50_ms(fn: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times)


def folder_size(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def run(size: int, workspace: Path, runs: int) -> dict[str, float]:
    rng = random.Random(1)
    out: dict[str, float] = {"size": size}
    store = open_store("chroma", workspace=workspace, embeddings="hash")
    lines = [i.model_dump_json() for i in synthetic(size)]
    t = time.perf_counter()
    store.import_jsonl(lines)
    out["add_per_s"] = size / (time.perf_counter() - t)
    extra = iter(synthetic(runs, seed=99))
    out["single_add_p50_ms"] = p50_ms(lambda: store.add(next(extra)), runs)

    keys = [f"Subtask {rng.randrange(max(1, size // 100))}" for _ in range(runs)]
    it = iter(keys)
    out["list_key_p50_ms"] = p50_ms(lambda: store.list(scale=Scale.SUBTASK, key=next(it)), runs)
    out["list_key_items"] = len(store.list(scale=Scale.SUBTASK, key=keys[0]))
    queries = iter([sentence(rng) for _ in range(2 * runs)])
    out["top10_p50_ms"] = p50_ms(lambda: store.search(next(queries), k=10), runs)
    it = iter(keys)
    out["top10_filtered_p50_ms"] = p50_ms(
        lambda: store.search(next(queries), k=10, scale=Scale.SUBTASK, key=next(it)), runs
    )
    pool: list[str] = []
    for key in keys:
        pool += [i.id for i in store.list(scale=Scale.SUBTASK, key=key)]
        if len(pool) >= 4 * runs:
            break
    targets = iter(pool)
    texts = iter([sentence(rng) for _ in range(2 * runs)])
    out["apply_5ops_p50_ms"] = p50_ms(
        lambda: store.apply(
            [InsightOp(kind=OpKind.AGREE, target=next(targets)) for _ in range(2)]
            + [InsightOp(kind=OpKind.EDIT, target=next(targets), text=next(texts))]
            + [InsightOp(kind=OpKind.REMOVE, target=next(targets))]
            + [InsightOp(kind=OpKind.ADD, text=next(texts), scale=Scale.SUBTASK, key=keys[1])]
        ),
        min(runs, 15),
    )
    out |= reimport(store, lines[: min(size, 20_000)])
    store.close()
    t = time.perf_counter()
    store = open_store("chroma", workspace=workspace, embeddings="hash")
    store.search(sentence(rng), k=10)
    out["reopen_first_query_s"] = time.perf_counter() - t
    store.close()
    out["disk_mb"] = folder_size(workspace / "stores" / "chroma") / 1e6
    return out


def reimport(store: InsightStore, lines: list[str]) -> dict[str, float]:
    """Import ``lines`` into a new namespace, then again over it: unchanged, then with every text changed."""
    n = len(lines)
    changed = [json.dumps(json.loads(line) | {"text": f"{json.loads(line)['text']} again"}) for line in lines]
    out = {}
    for name, batch in (("fresh", lines), ("again_same", lines), ("again_changed", changed)):
        t = time.perf_counter()
        store.import_jsonl(batch, namespace="reimport")
        out[f"import_{n // 1000}k_{name}_per_s"] = n / (time.perf_counter() - t)
    return out


def minilm_throughput() -> dict[str, float]:
    model = MiniLMEmbeddings()
    rng = random.Random(2)
    model.embed_query("warm up")
    docs = [sentence(rng) for _ in range(256)]
    t = time.perf_counter()
    model.embed_documents(docs)
    return {
        "minilm_docs_per_s": len(docs) / (time.perf_counter() - t),
        "minilm_query_p50_ms": p50_ms(lambda: model.embed_query(sentence(rng)), 30),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=100_000, help="insights to store (default 100000)")
    parser.add_argument("--runs", type=int, default=50, help="timed repetitions per query kind")
    parser.add_argument("--workspace", type=Path, help="keep the store here (default: a temporary folder)")
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of a table")
    parser.add_argument("--check", action="store_true", help="exit 1 when a target is missed")
    args = parser.parse_args()
    if args.size < 100:
        parser.error("--size must be at least 100")
    workspace = args.workspace or Path(tempfile.mkdtemp(prefix="msi-store-bench-"))
    try:
        results = run(args.size, workspace, args.runs) | minilm_throughput()
    finally:
        if args.workspace is None:
            shutil.rmtree(workspace, ignore_errors=True)
    missed = [
        name
        for name, (target, way) in TARGETS.items()
        if not (results[name] >= target if way == ">=" else results[name] <= target)
    ]
    if args.json:
        print(json.dumps(results | {"missed": missed}))
    else:
        for name, value in results.items():
            target = TARGETS.get(name)
            mark = "" if target is None else f"  (target {target[1]} {target[0]}{' MISSED' if name in missed else ''})"
            print(f"{name:>24}: {value:,.2f}{mark}")
    return 1 if args.check and missed else 0


if __name__ == "__main__":
    sys.exit(main())
