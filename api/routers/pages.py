"""The analyst's pages: the home page and entity completion, plus what every HTML page shares (`wants_html`,
`render`, `browse`). The pages read without JavaScript; scripts only add the editor, the picture and the
highlights' pop-ups (templates/js/scripts.html)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, JSONResponse, Response

from kg.browse.pages import editor_config
from kg.errors import KGError
from kg.namespaces import BASE
from kg.questions import questions
from kg.sparql.formats import prefers_html

from ..deps import RuntimeDep
from ..runtime import Runtime

router = APIRouter(tags=["Pages"])
NAV = (("/", "Home"), ("/questions", "Questions"), ("/entities", "Entities"), ("/documents", "Documents"),
       ("/sparql", "SPARQL"), ("/validation", "Validation"), ("/ontology", "Ontology"), ("/docs", "API"))


def wants_html(request: Request) -> bool:
    return prefers_html(request.headers.get("accept"))


def browse(runtime: Runtime, view: str, args: Any = None) -> Any:
    """A kg.browse.pages view, run in a query worker (under the time limit, off the network)."""
    return runtime.run("browse", {"view": view, "args": args})


def render(runtime: Runtime, request: Request, template: str, status: int = 200, **context: Any) -> HTMLResponse:
    html = runtime.templates.get_template(template).render(
        base=BASE, nav=NAV, path=request.url.path, scripts=(), **context)
    return HTMLResponse(html, status_code=status, headers={"Vary": "Accept"})


def latest_changes(runtime: Runtime, limit: int = 5) -> list[dict[str, Any]]:
    try:
        records: list[dict[str, Any]] = runtime.store.changes_since(None, limit=limit)
    except (KGError, ValueError, NotImplementedError, AttributeError):
        return []  # the change feed is kept by the embedded store only
    return list(reversed(records))


@router.get("/", summary="Home: what the graph holds, the named questions, the latest changes",
            responses={"200": {"content": {"text/html": {}, "application/json": {}}}})
async def home(request: Request, runtime: RuntimeDep) -> Response:
    summary: dict[str, Any] = await run_in_threadpool(browse, runtime, "home")
    changes = await run_in_threadpool(latest_changes, runtime)
    listed = [{"name": q.name, "title": q.title, "path": f"/questions/{q.name}"} for q in questions().values()]
    if not wants_html(request):
        return JSONResponse({**summary, "questions": listed, "changes": changes}, headers={"Vary": "Accept"})
    return render(runtime, request, "home.html", title="AI chips knowledge graph", summary=summary,
                  questions=listed, changes=changes)


@router.get("/complete", summary="Entity completion: labels and alternative labels containing `q`")
def complete(
    runtime: RuntimeDep,
    q: Annotated[str, Query(description="Case-insensitive substring of a label or alternative label.",
                            max_length=200)] = "",
    type: Annotated[str | None, Query(description="Only entities of this class (e.g. ChipVendor).",
                                      max_length=300)] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 20,
) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = browse(runtime, "complete", {"q": q, "type": type, "limit": limit})
    return found


@router.get("/sparql-editor.json", summary="The SPARQL editor's configuration: prefixes, example queries "
            "(the named questions) and the ontology's classes and properties for completion")
def editor(runtime: RuntimeDep) -> dict[str, Any]:
    return editor_config(runtime.run("ontology_doc"))
