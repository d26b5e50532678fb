"""The SQLite response cache: round trip, first write wins, a bad file, concurrent threads and processes."""

from __future__ import annotations

import multiprocessing
import sqlite3
import threading
from pathlib import Path

import pytest

from msi_agent.llm import LLMConfigError, ResponseCache
from msi_agent.llm.cache import CachedResponse, cache_key


def _entry(i: int, tag: str = "") -> CachedResponse:
    return CachedResponse(text=f"answer {i}{tag}", prompt_tokens=i, completion_tokens=2 * i, call_id=f"c{i}")


def test_round_trip_and_first_write_wins(tmp_path: Path) -> None:
    cache = ResponseCache(tmp_path / "sub" / "llm-cache.sqlite")
    key = cache_key({"model": "m", "messages": [["human", "hi", None]]})
    assert cache.get(key) is None
    cache.put(key, _entry(1))
    cache.put(key, _entry(1, " (later)"))
    assert cache.get(key) == _entry(1)
    assert len(cache) == 1
    assert sqlite3.connect(cache.path).execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_key_depends_on_every_part_but_not_on_dict_order() -> None:
    base = {"model": "m", "params": {"a": 1, "b": 2}, "messages": [["human", "hi", None]]}
    assert cache_key(base) == cache_key({"messages": [["human", "hi", None]], "params": {"b": 2, "a": 1}, "model": "m"})
    assert cache_key(base) != cache_key(base | {"model": "m2"})
    assert cache_key(base) != cache_key(base | {"messages": [["human", "hi!", None]]})


def test_a_file_that_is_not_a_database_is_reported_and_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "llm-cache.sqlite"
    path.write_bytes(b"not a database at all, but someone's notes" * 100)
    before = path.read_bytes()
    with pytest.raises(LLMConfigError, match="--no-cache"):
        ResponseCache(path)
    assert path.read_bytes() == before


def test_concurrent_thread_writers(tmp_path: Path) -> None:
    cache = ResponseCache(tmp_path / "c.sqlite")
    errors: list[BaseException] = []

    def work(t: int) -> None:
        try:
            for i in range(40):
                cache.put(f"k{t}-{i}", _entry(i))
                assert cache.get(f"k{t}-{i}") == _entry(i)
        except BaseException as exc:  # surfaced below: a thread's failure must fail the test
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(t,)) for t in range(8)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert not errors
    assert len(cache) == 8 * 40


def _write_many(path: str, worker: int, n: int, start) -> None:  # start: a multiprocessing Event
    cache = ResponseCache(Path(path))
    start.wait(30)  # both processes begin writing together
    for i in range(n):
        cache.put(f"shared-{i}", _entry(i, f" by {worker}"))
        cache.put(f"own-{worker}-{i}", _entry(i))


def test_two_processes_write_at_once(tmp_path: Path) -> None:
    path = tmp_path / "c.sqlite"
    ctx = multiprocessing.get_context("spawn")
    start = ctx.Event()
    procs = [ctx.Process(target=_write_many, args=(str(path), w, 150, start)) for w in range(2)]
    for p in procs:
        p.start()
    start.set()
    for p in procs:
        p.join(timeout=120)
    assert [p.exitcode for p in procs] == [0, 0]
    cache = ResponseCache(path)
    assert len(cache) == 150 + 2 * 150
    assert sqlite3.connect(path).execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    for i in range(150):
        hit = cache.get(f"shared-{i}")
        assert hit is not None and hit.text in {f"answer {i} by 0", f"answer {i} by 1"}


def test_unreadable_entries_and_failed_writes_degrade_to_misses(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    cache = ResponseCache(tmp_path / "c.sqlite")
    sqlite3.connect(cache.path, isolation_level=None).execute(
        "INSERT INTO responses VALUES ('bad', '{\"text\": 1}', 0)"
    )
    assert cache.get("bad") is None
    reader = sqlite3.connect(cache.path, isolation_level=None)
    reader.execute("BEGIN EXCLUSIVE")  # another process holds the write lock longer than we wait
    slow = ResponseCache(cache.path, busy_timeout=0.05)
    slow.put("k", _entry(1))
    reader.execute("ROLLBACK")
    assert cache.get("k") is None
    assert "cannot read entry" in caplog.text and "cannot store" in caplog.text
