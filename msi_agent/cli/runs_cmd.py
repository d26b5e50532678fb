"""`msi-agent runs show-prompt RUN EPISODE STEP`: what the model saw and answered at one step of an episode."""

from __future__ import annotations

import typer

from msi_agent.cli.context import console, fail, state
from msi_agent.inspect.runs import RunRecordError, resolve_run, step_call

app = typer.Typer(help="Look inside run folders.", no_args_is_help=True)


@app.command("show-prompt")
def show_prompt(
    ctx: typer.Context,
    run: str = typer.Argument(..., help="run folder, or run name under <workspace>/runs"),
    episode: str = typer.Argument(..., help="episode id (a file name under RUN/episodes/<condition>/)"),
    step: int = typer.Argument(..., help="step number, from 1 (an errored episode's failed call is the step after)"),
) -> None:
    """Print the full prompt of one step's LLM call, message by message as sent, then the raw reply."""
    workspace = state(ctx).resolved().settings.workspace
    try:
        call = step_call(resolve_run(run, workspace), episode, step)
    except RunRecordError as exc:
        fail(str(exc))
        return
    u = call.usage
    origin = "from the cache" if call.cached else f"{call.attempts} request(s), {call.seconds:.2f} s"
    console.out(
        f"call {call.call_id} ({call.purpose}, {origin}): {u.prompt_tokens} prompt + {u.completion_tokens} "
        "completion tokens",
        highlight=False,
    )
    for role, content in call.messages:  # console.out: verbatim, no markup, emoji codes or wrapping
        console.rule(role, style="dim")
        console.out(content, highlight=False)
    console.rule("reply" if call.error is None else "error", style="dim")
    console.out(call.reply if call.error is None else call.error, highlight=False)
