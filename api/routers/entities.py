"""Entities: list by class, search by label, one entity with its facts and their evidence. Browsers get the
list as a page (a search form and a table; an unknown class is a 400 page)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import JSONResponse, Response

from ..deps import RuntimeDep
from .pages import browse, render, wants_html

router = APIRouter(tags=["Entities"])


@router.get("/entities", summary="Entities, by class and/or label search (an unknown class is a 400)",
            responses={"200": {"content": {"application/json": {}, "text/html": {}}},
                       "400": {"description": "Not a class of the ontology or the data."}})
def list_entities(
    request: Request,
    runtime: RuntimeDep,
    type: Annotated[str | None, Query(description="Ontology class name (e.g. Chip, AIDeveloper, Country) "
                                                  "or class IRI; asserted or inferred membership.",
                                      max_length=300)] = None,
    q: Annotated[str | None, Query(description="Case-insensitive substring of the label or an alternative "
                                               "label.", max_length=200)] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> Response:
    html = wants_html(request)
    result: dict[str, Any] = runtime.run("entities", {"type": type or None, "q": q or None,
                                                      "limit": limit, "offset": offset})
    if not html:
        return JSONResponse(result, headers={"Vary": "Accept"})
    summary: dict[str, Any] = browse(runtime, "home")
    title = f"Entities of class {type}" if type else "Entities"
    return render(runtime, request, "entities.html", title=title + (f" matching “{q}”" if q else ""),
                  result=result, classes=summary["classes"], type=type or "", q=q or "")


@router.get("/entities/{id}", summary="One entity: classes, facts (with evidence), incoming and inferred facts")
def get_entity(runtime: RuntimeDep,
               id: Annotated[str, Path(description="Entity id (e.g. alibaba)", max_length=200)]) -> dict[str, Any]:
    result: dict[str, Any] = runtime.run("entity", id)
    return result
