"""`msi-agent insights …`: list, show, search, curate, export, import, diff and reindex the learned insights."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path

import typer
from pydantic import ValidationError
from rich.table import Table

from insights_store.base import InsightNotFoundError, InsightStore, Reindexable, StoreError
from insights_store.core import check_namespace
from msi_agent.cli.context import console, fail, state
from msi_agent.inspect.diff import diff_insights
from msi_agent.inspect.formats import ExportFormat, to_csv, to_markdown
from msi_agent.inspect.stores import open_configured
from msi_agent.pipeline.namespaces import NamespaceBusyError, writer_lock
from msi_agent.records import Insight, Scale

app = typer.Typer(help="Inspect and curate the insights in the store.", no_args_is_help=True)

NS = typer.Option(None, "--ns", "--namespace", help="namespace (insight set); default: store.namespace in the config")


@contextmanager
def opened(
    ctx: typer.Context, namespace: str | None = None, *, create: bool = False, writing: str | None = None
) -> Iterator[tuple[InsightStore, str]]:
    """The configured store and namespace; store errors become readable CLI errors. ``writing`` (what the command
    does) holds the namespace's writer lock, so it never interleaves with a distill or another writer."""
    settings = state(ctx).resolved().settings
    if namespace == "":
        fail("--ns is empty; give a namespace name, or drop --ns for the configured one")
    try:
        store = open_configured(settings, create=create)
    except (StoreError, ValueError) as exc:
        fail(str(exc))
        raise  # unreachable: fail exits
    except OSError as exc:
        fail(f"cannot open the insight store in {settings.workspace} ({exc.strerror or exc}); check --workspace")
        raise
    try:
        ns = check_namespace(namespace if namespace is not None else settings.store.namespace)
        with writer_lock(settings.workspace, ns, holder=writing) if writing else nullcontext():
            yield store, ns
    except NamespaceBusyError as exc:
        fail(str(exc))
    except InsightNotFoundError as exc:
        fail(f"{exc}; list ids with `msi-agent insights list`")
    except ValidationError as exc:
        fail("; ".join(str(e["msg"]).removeprefix("Value error, ") for e in exc.errors()) + "; nothing was changed")
    except (StoreError, ValueError) as exc:
        fail(str(exc))
    finally:
        store.close()


def _one_line(text: str, width: int = 110) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def _insight_table(rows: list[tuple[Insight, float | None]], title: str) -> Table:
    with_sim = any(sim is not None for _, sim in rows)
    table = Table(title=title, show_lines=False)
    table.add_column("id", no_wrap=True)
    table.add_column("scale")
    table.add_column("key")
    table.add_column("score", justify="right")
    if with_sim:
        table.add_column("similarity", justify="right")
    table.add_column("insight")
    for ins, sim in rows:
        cells = [ins.id, ins.scale.value, ins.key or "", f"{ins.score:g}"]
        if with_sim:
            cells.append(f"{sim:.2f}")
        table.add_row(*cells, _one_line(ins.text))
    return table


def _brief(ins: Insight) -> str:
    return f"[{ins.score:g}] {ins.scale.value}/{ins.key or '-'}: {_one_line(ins.text, 60)}"


@app.command("list")
def list_(
    ctx: typer.Context,
    namespace: str | None = NS,
    scale: Scale | None = typer.Option(None, help="only this scale"),
    key: str | None = typer.Option(None, help="only this key (environment category or subtask name)"),
    min_score: float | None = typer.Option(None, "--min-score", help="only insights scoring at least this"),
) -> None:
    """Insights ordered by score, highest first."""
    with opened(ctx, namespace) as (store, ns):
        items = store.list(scale=scale, key=key, min_score=min_score, namespace=ns)
    if not items:
        console.print(f"no insights in namespace {ns!r} match; see `msi-agent insights stats`")
        return
    console.print(_insight_table([(i, None) for i in items], f"{len(items)} insights in {ns}"))


@app.command()
def show(
    ctx: typer.Context, insight_id: str = typer.Argument(..., help="insight id"), namespace: str | None = NS
) -> None:
    """One insight with its history: every operation, its seed experiences and the LLM call behind it."""
    with opened(ctx, namespace) as (store, ns):
        ins = store.get(insight_id, namespace=ns)
        history = store.history(insight_id, namespace=ns)
    console.print(f"[bold]{ins.id}[/]  {ins.scale.value}{' / ' + ins.key if ins.key else ''}  score {ins.score:g}")
    console.print(ins.text, highlight=False, markup=False)
    console.print(f"[dim]created {ins.created:%Y-%m-%d %H:%M:%S}, updated {ins.updated:%Y-%m-%d %H:%M:%S}[/]")
    table = Table(title="history")
    for col in ("when", "op", "score after", "seed experiences", "LLM call", "text / note"):
        table.add_column(col)
    for h in history:
        call = " ".join(x for x in (h.provenance.llm_call_id, h.provenance.llm) if x)
        note = " · ".join(x for x in (h.text, h.provenance.note) if x)
        table.add_row(
            f"{h.at:%Y-%m-%d %H:%M:%S}",
            h.op.value,
            f"{h.score_after:g}",
            " ".join(h.provenance.experience_ids),
            call,
            _one_line(note, 80),
        )
    console.print(table if history else "[dim]no recorded operations[/]")


@app.command()
def search(
    ctx: typer.Context,
    namespace: str | None = NS,
    text: str = typer.Argument(..., help="query text, e.g. a task instruction"),
    k: int = typer.Option(10, "-k", min=1, help="number of results"),
    scale: Scale | None = typer.Option(None, help="only this scale"),
    key: str | None = typer.Option(None, help="only this key"),
) -> None:
    """The insights most similar to TEXT (cosine similarity in [0, 1])."""
    with opened(ctx, namespace) as (store, ns):
        hits = store.search(text, k=k, scale=scale, key=key, namespace=ns)
    if not hits:
        console.print(f"no insights in namespace {ns!r} to search")
        return
    console.print(_insight_table([(h.insight, h.similarity) for h in hits], f"closest to {text!r}"))


@app.command()
def keys(
    ctx: typer.Context,
    scale: Scale | None = typer.Option(None, help="environment or subtask"),
    namespace: str | None = NS,
) -> None:
    """The keys (environment categories, subtask names) of the keyed scales, with how many insights each holds."""
    if scale is Scale.GENERAL:
        fail("the general scale has no keys; choose --scale environment or --scale subtask")
    scales = [scale] if scale else [Scale.ENVIRONMENT, Scale.SUBTASK]
    table = Table(title="keys")
    for col in ("scale", "key", "insights"):
        table.add_column(col)
    with opened(ctx, namespace) as (store, ns):
        for sc in scales:
            for k in store.keys(sc, namespace=ns):
                table.add_row(sc.value, k, str(len(store.list(scale=sc, key=k, namespace=ns))))
    console.print(table)


@app.command()
def stats(ctx: typer.Context, namespace: str | None = NS) -> None:
    """Counts per scale and key, the mean score, and the namespaces in the store."""
    with opened(ctx, namespace) as (store, ns):
        st = store.stats(namespace=ns)
        namespaces = store.namespaces()
    table = Table(title=f"namespace {ns}")
    table.add_column("scale")
    table.add_column("insights", justify="right")
    table.add_column("keys")
    for sc, n in st.by_scale.items():
        table.add_row(sc, str(n), ", ".join(st.keys.get(sc, [])))
    console.print(table)
    console.print(f"total {st.total}, mean score {st.mean_score:.2f}; namespaces: {', '.join(namespaces) or 'none'}")


@app.command()
def export(
    ctx: typer.Context,
    namespace: str | None = NS,
    fmt: ExportFormat = typer.Option(ExportFormat.JSONL, "--format", "-f", help="jsonl (re-importable), md or csv"),
    out: Path | None = typer.Option(None, "--out", "-o", help="file to write; default: standard output"),
) -> None:
    """Write the namespace's insights as JSONL (with history, re-importable), Markdown or CSV."""
    with opened(ctx, namespace) as (store, ns):
        if fmt is ExportFormat.JSONL:
            text = "".join(line.rstrip("\n") + "\n" for line in store.export_jsonl(namespace=ns))
        elif fmt is ExportFormat.MD:
            text = to_markdown(store.list(namespace=ns), title=f"Insights in {ns}")
        else:
            text = to_csv(store.list(namespace=ns))
    if out is None:
        typer.echo(text, nl=False)
        return
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text, encoding="utf-8")
    except OSError as exc:
        fail(f"cannot write {out} ({exc.strerror or exc}); choose a writable --out")
    console.print(f"wrote {out}")


@app.command("import")
def import_(
    ctx: typer.Context,
    file: Path = typer.Argument(..., help="JSONL written by `insights export`"),
    namespace: str | None = NS,
) -> None:
    """Import a JSONL file (ids are kept: an insight with the same id is replaced).

    The whole file is validated first (JSON, schema, ids, sizes, duplicates); one bad line and nothing is
    imported. It is then written in atomic chunks of 5,000 insights: if the import is interrupted, rerunning
    the same command completes it without duplicates.
    """
    if file.is_dir():
        fail(f"{file} is a folder; give the path of a JSONL file written by `msi-agent insights export`")
    if not file.is_file():
        fail(f"import file {file} does not exist; give the path of a JSONL file from `msi-agent insights export`")
    try:
        lines = file.read_text(encoding="utf-8").splitlines()
    except UnicodeDecodeError:
        fail(f"{file} is not UTF-8 text; give a JSONL file from `msi-agent insights export`; nothing was imported")
        return
    except OSError as exc:
        fail(f"cannot read {file} ({exc.strerror or exc}); nothing was imported")
        return
    with opened(ctx, namespace, create=True, writing="insights import") as (store, ns):
        try:
            n = store.import_jsonl(lines, namespace=ns)
        except StoreError as exc:
            fail(f"{file}: {exc}")
            return
    console.print(f"imported {n} insights into {ns}")


@app.command()
def edit(
    ctx: typer.Context,
    namespace: str | None = NS,
    insight_id: str = typer.Argument(..., help="insight id"),
    text: str | None = typer.Option(None, help="new rule text"),
    score: float | None = typer.Option(None, help="new score (>= 0)"),
    scale: Scale | None = typer.Option(None, help="move to this scale"),
    key: str | None = typer.Option(None, help="new key (environment category or subtask name)"),
) -> None:
    """Change an insight's text, score, scale or key."""
    if text is None and score is None and scale is None and key is None:
        fail("nothing to change; give --text, --score, --scale or --key")
    with opened(ctx, namespace, writing="insights edit") as (store, ns):
        ins = store.update(insight_id, text=text, score=score, scale=scale, key=key, namespace=ns)
    console.print(f"updated {ins.id}: {ins.scale.value}{' / ' + ins.key if ins.key else ''}, score {ins.score:g}")


@app.command()
def delete(
    ctx: typer.Context,
    namespace: str | None = NS,
    insight_ids: list[str] = typer.Argument(..., help="insight ids"),
    yes: bool = typer.Option(False, "--yes", "-y", help="do not ask for confirmation"),
) -> None:
    """Delete insights (all given ids must exist; asks for confirmation unless --yes)."""
    with opened(ctx, namespace, writing="insights delete") as (store, ns):
        targets = [store.get(i, namespace=ns) for i in dict.fromkeys(insight_ids)]
        for ins in targets:
            console.print(f"{ins.id} [{ins.scale.value}{' / ' + ins.key if ins.key else ''}] {_one_line(ins.text, 90)}")
        if not yes and not typer.confirm(f"Delete {len(targets)} insight(s) from {ns}?", default=False):
            console.print("nothing deleted")
            raise typer.Exit(1)
        for ins in targets:
            store.delete(ins.id, namespace=ns)
    console.print(f"deleted {len(targets)} insight(s) from {ns}")


@app.command()
def diff(
    ctx: typer.Context,
    ns1: str = typer.Argument(..., help="the earlier namespace or snapshot"),
    ns2: str = typer.Argument(..., help="the later namespace or snapshot"),
) -> None:
    """Insights added, removed and changed from NS1 to NS2."""
    with opened(ctx) as (store, _):
        known = store.namespaces()
        for ns in (ns1, ns2):
            if ns not in known:
                fail(f"no namespace {ns!r} in the store; known: {', '.join(known) or 'none'}")
        d = diff_insights(store.list(namespace=ns1), store.list(namespace=ns2))
    if d.empty:
        console.print(f"no differences: {d.unchanged} insights are the same in {ns1} and {ns2}")
        return
    if d.added:
        console.print(_insight_table([(i, None) for i in d.added], f"added in {ns2} ({len(d.added)})"))
    if d.removed:
        console.print(_insight_table([(i, None) for i in d.removed], f"removed from {ns1} ({len(d.removed)})"))
    if d.changed:
        table = Table(title=f"changed ({len(d.changed)})")
        for col in ("id", "fields", "before", "after"):
            table.add_column(col)
        for c in d.changed:
            table.add_row(c.after.id, ", ".join(c.fields), _brief(c.before), _brief(c.after))
        console.print(table)
    console.print(f"{len(d.added)} added, {len(d.removed)} removed, {len(d.changed)} changed, {d.unchanged} unchanged")


@app.command()
def reindex(ctx: typer.Context) -> None:
    """Rebuild the vector index of every namespace from the stored records. Only needed when the index was lost
    or damaged by hand: the store brings a lagging index up to date by itself."""
    with opened(ctx) as (store, _):
        if not isinstance(store, Reindexable):
            fail(f"the configured store ({type(store).__name__}) keeps no derived index; there is nothing to rebuild")
            return
        n = store.reindex()
    console.print(f"rebuilt the vector index from the records: {n} insights")
