"""``msi-agent ui``: a local, server-rendered viewer of insights, their history and the runs that used them.

Pages are Jinja templates rendered by FastAPI; charts are inline SVG, so nothing is loaded from the internet.
The viewer is read-only unless built with ``allow_edit=True``: edit and delete requests are then answered
with 403 and a message saying how to enable editing. It answers only the ``Host`` names it was started for
(``hosts``), and a viewer editable beyond loopback also needs an edit token (given once as ``?token=``, then kept
in a same-site cookie). Store calls are serialised by one lock because not every backend is safe to share
between the server's worker threads.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlencode, urlsplit

from fastapi import FastAPI, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from insights_store.base import DEFAULT_NAMESPACE, InsightNotFoundError, InsightStore, StoreError
from msi_agent.inspect.compare import all_charts, usage_rows
from msi_agent.inspect.credit import credit
from msi_agent.inspect.diff import diff_insights
from msi_agent.inspect.formats import SCALE_ORDER, grouped
from msi_agent.inspect.hosts import LOOPBACK_NAMES, TOKEN_COOKIE, TOKEN_PARAM, HostCheck, token_matches
from msi_agent.inspect.runs import (
    RunRecordError,
    episode_calls,
    list_runs,
    load_run,
    run_of_episode,
    workspace_episodes,
)
from msi_agent.inspect.templating import environment
from msi_agent.inspect.trajectories import EpisodeFinder
from msi_agent.pipeline.namespaces import NamespaceBusyError, writer_lock
from msi_agent.records import Scale

MAX_ROWS = 500  # per page; a list of thousands of rules is unreadable, filters narrow it down
SEARCH_K = 50
READ_ONLY_MESSAGE = "This viewer is read-only; restart it with `msi-agent ui --allow-edit` to edit or delete insights."


class PageError(Exception):
    """Rendered as an error page with ``status`` and a message saying what was wrong."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


class Viewer:
    """The state behind the pages: one store, one workspace (runs, experience pool), the edit switch."""

    def __init__(
        self,
        store: InsightStore,
        *,
        workspace: Path,
        namespace: str,
        allow_edit: bool,
        edit_token: str | None,
        scale_name: str = "environment",
    ) -> None:
        self.scale_name = scale_name
        self.store = store
        self.workspace = workspace
        self.namespace = namespace
        self.allow_edit = allow_edit
        self.edit_token = edit_token
        self.episodes = EpisodeFinder(workspace)
        self._lock = threading.Lock()

    @contextmanager
    def locked(self) -> Iterator[InsightStore]:
        with self._lock:
            yield self.store

    @contextmanager
    def writing(self, ns: str) -> Iterator[InsightStore]:
        """The store, with the namespace's writer lock: an edit never lands between a distill's batches."""
        try:
            with self.locked() as store, writer_lock(self.workspace, ns, holder="an edit in msi-agent ui"):
                yield store
        except NamespaceBusyError as exc:
            raise PageError(409, f"edit refused: {exc}; nothing was changed") from None

    def check_namespace(self, ns: str) -> str:
        with self.locked() as store:
            known = store.namespaces()
        if ns != self.namespace and ns not in known:
            raise PageError(404, f"no namespace {ns!r} in this store; known namespaces: {', '.join(known) or 'none'}")
        return ns

    def check_write(self, request: Request) -> None:
        """Edits need --allow-edit, and must come from the viewer's own pages: a web page on another site
        could otherwise post a form to this local server (browsers send Origin / Sec-Fetch-Site with it)."""
        if not self.allow_edit:
            raise PageError(403, READ_ONLY_MESSAGE)
        origin = request.headers.get("origin")
        site = request.headers.get("sec-fetch-site")
        if site in ("cross-site", "same-site") or (origin and urlsplit(origin).netloc != request.headers.get("host")):
            raise PageError(403, "edit refused: the request came from another web site; use the viewer's own pages")
        if self.edit_token is not None and not token_matches(request.cookies.get(TOKEN_COOKIE), self.edit_token):
            raise PageError(
                403,
                "edit refused: this viewer is public and edits need its token; open the URL with ?token=… "
                "that `msi-agent ui` printed when it started",
            )

    def render(self, template: str, status: int = 200, **context: Any) -> HTMLResponse:
        base = {"allow_edit": self.allow_edit, "default_ns": self.namespace, "scale_name": self.scale_name}
        html = environment().get_template(template).render(base | context)
        return HTMLResponse(html, status_code=status)


def _parse_scale(value: str | None) -> Scale | None:
    if not value:
        return None
    try:
        return Scale(value)
    except ValueError:
        choices = ", ".join(s.value for s in Scale)
        raise PageError(400, f"unknown scale {value!r}; choose one of {choices}") from None


def _validation_message(exc: ValidationError) -> str:
    return "; ".join(str(err["msg"]).removeprefix("Value error, ") for err in exc.errors())


def create_app(
    store: InsightStore,
    *,
    workspace: Path,
    namespace: str = DEFAULT_NAMESPACE,
    allow_edit: bool = False,
    hosts: Sequence[str] = LOOPBACK_NAMES,
    edit_token: str | None = None,
    scale_name: str = "environment",
) -> FastAPI:
    """The viewer app over an open store; the caller owns the store and closes it after the server stops.

    ``hosts`` are the only ``Host`` names answered (``hosts.allowed_hosts`` builds the list for a bind address);
    with ``edit_token``, edits also need that token (``msi-agent ui`` sets one on non-loopback binds).
    ``scale_name`` is what the environment calls its environment scale (``EnvSpec.scale``: "room type", "game").
    """
    viewer = Viewer(
        store,
        workspace=workspace,
        namespace=namespace,
        allow_edit=allow_edit,
        edit_token=edit_token,
        scale_name=scale_name,
    )
    app = FastAPI(title="msi-agent viewer", docs_url=None, redoc_url=None, openapi_url=None)
    app.add_middleware(HostCheck, allowed=hosts)
    app.state.viewer = viewer

    @app.middleware("http")
    async def _token_login(request: Request, call_next: Any) -> Response:
        """``?token=`` once: checked, kept in an HttpOnly same-site cookie, and dropped from the address bar."""
        given = request.query_params.get(TOKEN_PARAM)
        if given is None or edit_token is None:
            return await call_next(request)
        if not token_matches(given, edit_token):
            return viewer.render("error.html.j2", status=403, status_code=403, message="wrong edit token")
        query = urlencode([(k, v) for k, v in request.query_params.multi_items() if k != TOKEN_PARAM])
        response = RedirectResponse(request.url.path + (f"?{query}" if query else ""), status_code=303)
        response.set_cookie(TOKEN_COOKIE, edit_token, httponly=True, samesite="strict")
        return response

    @app.exception_handler(PageError)
    def _page_error(request: Request, exc: PageError) -> HTMLResponse:
        return viewer.render("error.html.j2", status=exc.status, status_code=exc.status, message=exc.message)

    @app.exception_handler(StoreError)
    def _store_error(request: Request, exc: StoreError) -> HTMLResponse:
        status = 404 if isinstance(exc, InsightNotFoundError) else 400
        return viewer.render("error.html.j2", status=status, status_code=status, message=str(exc))

    @app.get("/", include_in_schema=False)
    def home() -> RedirectResponse:
        return RedirectResponse("/insights", status_code=307)

    @app.get("/insights", response_class=HTMLResponse)
    def insights(
        ns: str = namespace,
        scale: str | None = None,
        key: str | None = None,
        min_score: Annotated[str | None, Query()] = None,
        q: str | None = None,
    ) -> HTMLResponse:
        ns = viewer.check_namespace(ns)
        scale_f = _parse_scale(scale)
        key = key or None
        try:
            floor = float(min_score) if min_score else None
        except ValueError:
            raise PageError(400, f"minimum score {min_score!r} is not a number; give e.g. 2 or 2.5") from None
        with viewer.locked() as st:
            if q and q.strip():
                hits = st.search(q, k=SEARCH_K, scale=scale_f, key=key, namespace=ns)
                rows = [(h.insight, h.similarity) for h in hits if floor is None or h.insight.score >= floor]
            else:
                rows = [(i, None) for i in st.list(scale=scale_f, key=key, min_score=floor, namespace=ns)]
            nav = {s: st.keys(s, namespace=ns) for s in SCALE_ORDER if s is not Scale.GENERAL}
            namespaces = st.namespaces()
        return viewer.render(
            "insights.html.j2",
            credit={c.insight_id: c for c in credit(workspace_episodes(workspace)) if c.used},
            ns=ns,
            namespaces=namespaces if ns in namespaces else [ns, *namespaces],
            scales=[s.value for s in SCALE_ORDER],
            nav=nav,
            filters={"scale": scale or "", "key": key or "", "min_score": min_score or "", "q": q or ""},
            rows=rows[:MAX_ROWS],
            groups=grouped(i for i, _ in rows[:MAX_ROWS]),
            total=len(rows),
            shown=min(len(rows), MAX_ROWS),
            searching=bool(q and q.strip()),
        )

    @app.get("/insights/{insight_id}", response_class=HTMLResponse)
    def insight(insight_id: str, ns: str = namespace) -> HTMLResponse:
        ns = viewer.check_namespace(ns)
        with viewer.locked() as st:
            try:
                item = st.get(insight_id, namespace=ns)
            except InsightNotFoundError:
                message = f"no insight {insight_id!r} in namespace {ns!r}; it may have been removed"
                raise PageError(404, message) from None
            history = st.history(insight_id, namespace=ns)
        episodes, missing = viewer.episodes.for_insight(item, history)
        measured = credit(workspace_episodes(workspace), insight_ids=[item.id])
        return viewer.render(
            "insight.html.j2",
            ns=ns,
            insight=item,
            history=history,
            episodes=episodes,
            missing=missing,
            credit=next(c for c in measured if c.insight_id == item.id),
        )

    @app.post("/insights/{insight_id}/edit")
    def edit(
        request: Request,
        insight_id: str,
        text: Annotated[str, Form()],
        score: Annotated[str, Form()],
        ns: Annotated[str, Form()] = namespace,
    ) -> RedirectResponse:
        viewer.check_write(request)
        ns = viewer.check_namespace(ns)
        try:
            new_score = float(score)
        except ValueError:
            raise PageError(422, f"score {score!r} is not a number; give e.g. 2 or 3.5") from None
        with viewer.writing(ns) as st:
            try:
                st.update(insight_id, text=text, score=new_score, namespace=ns)
            except InsightNotFoundError:
                raise PageError(404, f"no insight {insight_id!r} in namespace {ns!r}; nothing was changed") from None
            except ValidationError as exc:
                raise PageError(422, f"edit refused: {_validation_message(exc)}; nothing was changed") from None
            except (StoreError, ValueError) as exc:
                raise PageError(422, f"edit refused: {exc}; nothing was changed") from None
        return RedirectResponse(f"/insights/{insight_id}?ns={ns}", status_code=303)

    @app.post("/insights/{insight_id}/delete")
    def delete(request: Request, insight_id: str, ns: Annotated[str, Form()] = namespace) -> RedirectResponse:
        viewer.check_write(request)
        ns = viewer.check_namespace(ns)
        with viewer.writing(ns) as st:
            try:
                st.get(insight_id, namespace=ns)
            except InsightNotFoundError:
                raise PageError(404, f"no insight {insight_id!r} in namespace {ns!r}; nothing was deleted") from None
            st.delete(insight_id, namespace=ns)
        return RedirectResponse(f"/insights?ns={ns}", status_code=303)

    @app.get("/diff", response_class=HTMLResponse)
    def diff(a: str | None = None, b: str | None = None) -> HTMLResponse:
        with viewer.locked() as st:
            known = st.namespaces()
        if a is None or b is None:
            return viewer.render("diff.html.j2", namespaces=known, a=a or "", b=b or "", result=None)
        for ns in (a, b):
            if ns not in known:
                raise PageError(404, f"no namespace {ns!r} in this store; known namespaces: {', '.join(known)}")
        with viewer.locked() as st:
            result = diff_insights(st.list(namespace=a), st.list(namespace=b))
        return viewer.render("diff.html.j2", namespaces=known, a=a, b=b, result=result)

    @app.get("/episodes/{episode_id}", response_class=HTMLResponse)
    def episode(episode_id: str) -> HTMLResponse:
        found = viewer.episodes.get(episode_id)
        if found is None:
            raise PageError(404, f"no episode {episode_id!r} in the experience pool or run folders of {workspace}")
        run = run_of_episode(workspace, episode_id)
        calls = episode_calls(run, found) if run is not None else {}
        return viewer.render("episode.html.j2", episode=found, calls=calls)

    @app.get("/runs", response_class=HTMLResponse)
    def runs() -> HTMLResponse:
        runs, broken = [], []
        for path in list_runs(workspace):
            try:
                runs.append(load_run(path))
            except RunRecordError as exc:  # e.g. a run still collecting: no results.json yet
                broken.append((path.name, str(exc)))
        with viewer.locked() as st:
            known = set(st.namespaces())
        return viewer.render("runs.html.j2", runs=runs, broken=broken, known_namespaces=known)

    @app.get("/compare", response_class=HTMLResponse)
    def compare(run: Annotated[list[str] | None, Query()] = None) -> HTMLResponse:
        known = {p.name: p for p in list_runs(workspace)}
        names = run or list(known)
        if not names:
            raise PageError(404, f"no runs under {workspace / 'runs'}; run `msi-agent run` first")
        unknown = [name for name in names if name not in known]
        if unknown:
            raise PageError(404, f"no run named {', '.join(unknown)}; runs here: {', '.join(known) or 'none'}")
        try:
            loaded = [load_run(known[name]) for name in names]
        except RunRecordError as exc:
            raise PageError(422, str(exc)) from None
        return viewer.render("compare.html.j2", runs=loaded, charts=all_charts(loaded), usage=usage_rows(loaded))

    return app
