"""Liveness and readiness: the store answers through a query worker."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from kg.errors import KGError

from ..deps import RuntimeDep
from ..runtime import Runtime

router = APIRouter(tags=["Operations"])


@router.get("/health", summary="Service health: store, workers, admission queue, sandbox; never waits for a worker")
def health(runtime: RuntimeDep) -> dict[str, Any]:
    # Answered in the server process from what it already holds: /health must answer while every
    # worker is busy with a runaway query (it used to queue behind them and time out).
    stats = runtime.executor.stats()
    return {"status": "ok", "store": runtime.store.kind, "version": runtime.store.version,
            "quads": _count(runtime), "update": runtime.settings.update_token is not None,
            "workers": {k: stats[k] for k in ("workers", "alive", "busy", "queued") if k in stats},
            "sandbox": {"queries": runtime.executor.sandbox_state, "updates": runtime.writer_sandbox}}


def _count(runtime: Runtime) -> int | None:
    """Quads in the store, counted once per version (a full scan on the embedded store)."""
    try:
        refresh = getattr(runtime.store, "refresh", None)
        if refresh is not None:
            refresh()  # `kg load` in another process may have published a newer generation
        if runtime.quad_count is None or runtime.quad_count[0] != runtime.store.version:
            runtime.quad_count = (runtime.store.version, runtime.store.count())
    except KGError:
        return None
    return runtime.quad_count[1]
