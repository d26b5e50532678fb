"""Framework overhead per LLM call: what LLMClient (LangChain + openai SDK + cache + accounting) adds.

A loopback HTTP server answers /v1/chat/completions instantly. We time, in the same run:
  raw    the bare HTTP round trip (httpx, keep-alive, same body and reply);
  miss   LLMClient.complete with the cache on and a new prompt each call (lookup + request + write);
  nocache  LLMClient.complete with the cache off (LangChain + SDK only);
  hit    LLMClient.complete answered from the SQLite cache (no server involved);
  kept   a cache miss while the pipeline keeps every prompt and reply in the run's call log (``calls.sqlite``);
  log    ``CallLog.record`` alone on growing ReAct-style prompts (30 steps of one episode share their prefix):
         what keeping a prompt costs, without the noise of a round trip.
Overhead = client time − raw round trip. Target: ≤ 2 ms per call. ``--check`` exits 1 when it is missed.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
from langchain_core.messages import AIMessage, HumanMessage, SystemMessage

from msi_agent.config import LLMSettings
from msi_agent.llm import LLMClient, RetryPolicy
from msi_agent.llm.journal import CallRecord, recording
from msi_agent.llm.wire import chat_completion
from msi_agent.pipeline.calllog import CallLog
from msi_agent.records import TokenUsage

TARGET_MS = 2.0
REPLY = json.dumps(
    chat_completion("Think: t\nAction: look", model="bench", prompt_tokens=40, completion_tokens=6)
).encode()
SYSTEM = "You are a household robot. " * 20


class Instant(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as the SDK's connection pool expects
    disable_nagle_algorithm = True  # else headers and body go out in two packets and wait on delayed ACKs

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(REPLY)))
        self.end_headers()
        self.wfile.write(REPLY)

    def log_message(self, *args: object) -> None:
        pass


def timed(fn: Callable[[int], object], n: int, warmup: int) -> list[float]:
    for i in range(warmup):
        fn(-1 - i)
    out = []
    for i in range(n):
        start = time.perf_counter()
        fn(i)
        out.append((time.perf_counter() - start) * 1000)
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=300, help="calls per measurement")
    parser.add_argument("--check", action="store_true", help="exit 1 if an overhead exceeds the target")
    args = parser.parse_args()

    server = ThreadingHTTPServer(("127.0.0.1", 0), Instant)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base_url = f"http://127.0.0.1:{server.server_address[1]}/v1"

    def messages(i: int) -> list:
        return [SystemMessage(SYSTEM), HumanMessage(f"Task {i}: put the apple in the fridge.")]

    def episode_prompt(i: int) -> list:
        """Step ``i % 30`` of episode ``i // 30``: the task, the earlier turns, the newest observation."""
        episode, step = divmod(i + 1000, 30)
        turns = []
        for k in range(step):
            turns += [AIMessage(f"Think: step {k}.\nAction: go to cabinet {k}"), HumanMessage(f"Observation: {k}")]
        last = HumanMessage(f"Observation: cabinet {step} is closed.\nPossible commands: open cabinet {step}, look")
        return [SystemMessage(SYSTEM), HumanMessage(f"Episode {episode}: put the apple in the fridge."), *turns, last]

    with tempfile.TemporaryDirectory() as tmp:
        llm = LLMSettings(spec="openai:bench", base_url=base_url, api_key="sk-bench", cache=True)
        cached = LLMClient.from_settings(llm, Path(tmp), retry=RetryPolicy(0))
        uncached = LLMClient.from_settings(llm.model_copy(update={"cache": False}), None, retry=RetryPolicy(0))
        body = json.dumps({"model": "bench", "messages": [{"role": "user", "content": SYSTEM}], "max_tokens": 256})
        with httpx.Client() as http:
            raw = timed(lambda i: http.post(f"{base_url}/chat/completions", content=body).json(), args.n, 20)
        miss = timed(lambda i: cached.complete(messages(i)), args.n, 20)
        nocache = timed(lambda i: uncached.complete(messages(i)), args.n, 20)
        hit = timed(lambda i: cached.complete(messages(i)), args.n, 0)  # same prompts as the miss run
        assert cached.usage.cached_calls == args.n, "the hit run must be served from the cache"
        log = CallLog(Path(tmp) / "run" / "calls.sqlite")
        with recording(log, scope="bench", item="episode"):
            kept = timed(lambda i: cached.complete(messages(10_000 + i)), args.n, 20)
        assert len(log.calls()) == args.n + 20, "every call must be in the call log"

        def keep(i: int) -> None:
            usage = TokenUsage(prompt_tokens=40, completion_tokens=6, calls=1)
            call = CallRecord(f"c{i}", "action", episode_prompt(i), "Action: look", usage, False, None, 1, 0.0)
            log.record(call, scope="bench", item=f"e{i // 30}")

        logged = timed(keep, args.n, 20)
        log.close()
        cached.close()
    server.shutdown()

    runs = {"raw": raw, "miss": miss, "nocache": nocache, "hit": hit, "kept": kept}
    runs |= {"log": logged}
    med = {k: statistics.median(v) for k, v in runs.items()}
    overhead_miss = med["miss"] - med["raw"]
    overhead_nocache = med["nocache"] - med["raw"]
    print(f"LLM call overhead, median of {args.n} calls (ms)")
    print(f"  raw HTTP round trip          {med['raw']:7.3f}")
    print(f"  client, cache miss           {med['miss']:7.3f}   overhead {overhead_miss:6.3f}")
    print(f"  client, cache off            {med['nocache']:7.3f}   overhead {overhead_nocache:6.3f}")
    print(f"  client, cache hit            {med['hit']:7.3f}   (no request)")
    overhead_kept = med["kept"] - med["raw"]
    print(f"  client, miss, prompts kept   {med['kept']:7.3f}   overhead {overhead_kept:6.3f}")
    print(f"  call log alone, ReAct prompt {med['log']:7.3f}   (hash, compress new texts, one SQLite commit)")
    print(f"  cache cost on a miss         {med['miss'] - med['nocache']:7.3f}")
    print(f"  ratios: miss/raw {med['miss'] / med['raw']:.2f}x  hit/raw {med['hit'] / med['raw']:.2f}x")
    ok = overhead_miss <= TARGET_MS and med["hit"] <= TARGET_MS and overhead_kept <= TARGET_MS
    print(f"  target <= {TARGET_MS} ms per call (miss and kept overhead, hit): {'met' if ok else 'MISSED'}")
    return 0 if ok or not args.check else 1


if __name__ == "__main__":
    sys.exit(main())
