"""Token ledger and cost estimate."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from msi_agent.llm.accounting import Ledger, Price, cost, load_prices, price_for
from msi_agent.records import TokenUsage


def test_ledger_sums_overall_and_by_purpose_across_threads() -> None:
    ledger = Ledger()
    one = TokenUsage(prompt_tokens=3, completion_tokens=1, calls=1)
    threads = [threading.Thread(target=lambda p=p: [ledger.add(one, p) for _ in range(100)]) for p in ("a", "b")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert ledger.total == TokenUsage(prompt_tokens=600, completion_tokens=200, calls=200)
    assert ledger.by_purpose()["a"] == TokenUsage(prompt_tokens=300, completion_tokens=100, calls=100)


def test_price_lookup_and_cost() -> None:
    table = {"gpt-4o": Price(prompt=2.5, completion=10), "openai:o3": Price(prompt=1, completion=1)}
    assert price_for("openai:gpt-4o", table) == table["gpt-4o"]
    assert price_for("openai:o3", table) == table["openai:o3"]
    assert price_for("local", table) is None
    usage = TokenUsage(prompt_tokens=1_000_000, completion_tokens=500_000)
    assert cost(usage, table["gpt-4o"]) == 2.5 + 5.0


def test_load_prices_reads_toml_and_explains_mistakes(tmp_path: Path) -> None:
    good = tmp_path / "p.toml"
    good.write_text('["openai:gpt-4o"]\nprompt = 2.5\ncompletion = 10\n\n[local]\nprompt = 0\ncompletion = 0\n')
    assert load_prices(good) == {
        "openai:gpt-4o": Price(prompt=2.5, completion=10),
        "local": Price(prompt=0, completion=0),
    }
    missing = tmp_path / "m.toml"
    missing.write_text('["gpt-4o"]\nprompt = 2.5\n')
    with pytest.raises(ValueError, match=r"gpt-4o\.completion: Field required"):
        load_prices(missing)
    broken = tmp_path / "b.toml"
    broken.write_text("[gpt-4o\n")
    with pytest.raises(ValueError, match="not valid TOML"):
        load_prices(broken)
    with pytest.raises(ValueError, match="cannot read"):
        load_prices(tmp_path / "absent.toml")
