"""Entities: list by class, search by label, one entity with its facts and their evidence."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query

from ..deps import RuntimeDep

router = APIRouter(tags=["Entities"])


@router.get("/entities", summary="Entities, by class and/or label search")
def list_entities(
    runtime: RuntimeDep,
    type: Annotated[str | None, Query(description="Ontology class name (e.g. Chip, AIDeveloper, Country) "
                                                  "or class IRI; asserted or inferred membership.",
                                      max_length=300)] = None,
    q: Annotated[str | None, Query(description="Case-insensitive substring of the label or an alternative "
                                               "label.", max_length=200)] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> dict[str, Any]:
    result: dict[str, Any] = runtime.run("entities", {"type": type, "q": q, "limit": limit, "offset": offset})
    return result


@router.get("/entities/{id}", summary="One entity: classes, facts (with evidence), incoming and inferred facts")
def get_entity(runtime: RuntimeDep,
               id: Annotated[str, Path(description="Entity id (e.g. alibaba)", max_length=200)]) -> dict[str, Any]:
    result: dict[str, Any] = runtime.run("entity", id)
    return result
