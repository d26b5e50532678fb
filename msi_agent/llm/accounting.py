"""Token accounting: running totals per client and per purpose, and an optional price table for a cost estimate.

Counts come from the response's own usage (never a local tokenizer: tiktoken downloads its tables at first use).
"""

from __future__ import annotations

import threading
import tomllib
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

from msi_agent.records import TokenUsage


class Price(BaseModel):
    """USD per one million tokens."""

    model_config = ConfigDict(extra="forbid")
    prompt: float = Field(ge=0)
    completion: float = Field(ge=0)


PriceTable = dict[str, Price]
"""Model name → price; looked up by the full spec first (``openai:gpt-4o``), then the bare model (``gpt-4o``)."""


PRICES_FILE = "llm-prices.toml"
"""Looked for in the workspace: one table per model, e.g. ``["openai:gpt-4o"]`` with ``prompt = 2.5``,
``completion = 10.0`` (USD per million tokens)."""


def load_prices(path: Path) -> PriceTable:
    """Read a price table from TOML; errors name the file and the entry to fix."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        return TypeAdapter(PriceTable).validate_python(data)
    except OSError as exc:
        raise ValueError(f"cannot read the price table {path}: {exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ValueError(f"price table {path} is not valid TOML: {exc}") from None
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        raise ValueError(
            f"price table {path}: {problems} (each model needs prompt and completion, USD per 1M tokens)"
        ) from None


def price_for(spec: str, table: PriceTable) -> Price | None:
    return table.get(spec) or table.get(spec.partition(":")[2])


def cost(usage: TokenUsage, price: Price) -> float:
    """USD for the fresh tokens (answers from the cache cost nothing again)."""
    return (usage.fresh_prompt_tokens * price.prompt + usage.fresh_completion_tokens * price.completion) / 1_000_000


class Ledger:
    """Thread-safe sums of ``TokenUsage``, overall and by purpose (``"action"``, ``"insights"``, …)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._total = TokenUsage()
        self._by_purpose: dict[str, TokenUsage] = {}

    def add(self, usage: TokenUsage, purpose: str) -> None:
        with self._lock:
            self._total = self._total + usage
            self._by_purpose[purpose] = self._by_purpose.get(purpose, TokenUsage()) + usage

    @property
    def total(self) -> TokenUsage:
        with self._lock:
            return self._total.model_copy()

    def by_purpose(self) -> dict[str, TokenUsage]:
        with self._lock:
            return {k: v.model_copy() for k, v in self._by_purpose.items()}
