"""`msi-agent llm …`: try the configured LLM backend before a long run, and list the backends there are."""

from __future__ import annotations

import time

import typer
from langchain_core.messages import HumanMessage
from rich.table import Table

from msi_agent.cli.context import console, fail, state
from msi_agent.llm import LLMClient, LLMConfigError, llm_backends

app = typer.Typer(help="Check the configured LLM backend.", no_args_is_help=True)

ADMISSIBLE_SAMPLE = ["go to door 1", "open door 1", "take key 1 from table 1", "look", "inventory"]
"""Commands for ``--action``: a made-up text-game situation, tied to no environment."""


@app.command("check")
def check(
    ctx: typer.Context,
    prompt: str = typer.Option("Answer in one short sentence: what is a key for?", "--prompt", help="text to send"),
    action: bool = typer.Option(False, "--action", help="also choose an action from a sample admissible list"),
) -> None:
    """Send one prompt to the configured LLM (never answered from the cache) and show latency, retries, reply."""
    resolved = state(ctx).resolved()
    settings = resolved.settings
    try:
        client = LLMClient.from_settings(settings.llm, settings.workspace)
    except LLMConfigError as exc:
        fail(str(exc))
        return
    try:
        started = time.perf_counter()
        done = client.complete([HumanMessage(prompt)], purpose="check", cache=False)
        elapsed = (time.perf_counter() - started) * 1000
        choice = None
        if action and not done.error:
            task = f"Task: take the key and open the door. Admissible: {', '.join(ADMISSIBLE_SAMPLE)}"
            choice = client.choose_action([HumanMessage(task)], ADMISSIBLE_SAMPLE, purpose="check", cache=False)
    except LLMConfigError as exc:  # the server rejected the credentials
        fail(str(exc))
        return
    finally:
        client.close()
    if done.error:
        fail(f"the LLM call failed: {done.error}", code=1)
    table = Table(title="LLM check", show_header=False)
    table.add_row("spec", f"{client.name}  (from {resolved.sources.get('llm.spec', 'default')})")
    in_process = client.name.partition(":")[0] == "local"
    table.add_row("endpoint", settings.llm.base_url or ("in-process (llama.cpp)" if in_process else "provider default"))
    table.add_row("latency", f"{elapsed:.0f} ms")
    table.add_row("retries", str(done.attempts - 1))
    table.add_row("tokens", f"{done.usage.prompt_tokens} prompt + {done.usage.completion_tokens} completion")
    estimate = client.cost()
    table.add_row("cost", f"${estimate:.6f}" if estimate is not None else "no price (workspace/llm-prices.toml)")
    table.add_row("reply", done.text.strip())
    if choice is not None:
        table.add_row("action", f"{choice.command}{'  (mapped from the reply)' if choice.mapped else ''}")
    console.print(table)


@app.command("backends")
def backends() -> None:
    """Registered backend names; any LangChain provider also works as provider:model."""
    for name in llm_backends.names():
        console.print(name)
    console.print("[dim]also: provider:model for any LangChain init_chat_model provider, package.module:factory[/]")
