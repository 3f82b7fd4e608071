"""The change feed over HTTP: what each store version added or removed (kg/store/changes.py)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.concurrency import run_in_threadpool

from kg.errors import ParameterError

from ..deps import RuntimeDep

router = APIRouter(tags=["Operations"])


@router.get("/changes", summary="Store versions after `since`, each with the claims and documents it added or removed")
async def changes(
    runtime: RuntimeDep,
    since: Annotated[str | None, Query(description="A store version (gen-NNNNNN), e.g. the `version` of "
                                                   "/health; omitted: the latest records.")] = None,
    limit: Annotated[int, Query(ge=1, le=1000, description="Most records returned.")] = 100,
) -> dict[str, Any]:
    try:
        records = await run_in_threadpool(runtime.store.changes_since, since, limit=limit)
    except ValueError as exc:
        raise ParameterError(str(exc), term=since) from None
    return {"version": runtime.store.version, "since": since, "changes": records}
