"""Liveness and readiness: the store answers through a query worker."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from ..deps import RuntimeDep

router = APIRouter(tags=["Operations"])


@router.get("/health", summary="Service health: store kind, version and size, answered by a query worker")
def health(runtime: RuntimeDep) -> dict[str, Any]:
    status: dict[str, Any] = runtime.run("status")
    return {"status": "ok", "store": runtime.store.kind, **status,
            "update": runtime.settings.update_token is not None}
