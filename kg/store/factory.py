"""Open the store the configuration asks for."""

from __future__ import annotations

from pathlib import Path

from ..errors import StoreError
from .base import Store


def open_store(kind: str, path: Path | None = None, *, read_only: bool = False) -> Store:
    """`oxigraph` (embedded, persistent; the default) or `memory` (rdflib, for tests and tiny graphs)."""
    if kind == "oxigraph":
        from .oxigraph import OxigraphStore

        if path is None:
            raise StoreError("the oxigraph store needs a path (KG_STORE_PATH)")
        return OxigraphStore(path, read_only=read_only)
    if kind == "memory":
        from .memory import MemoryStore

        return MemoryStore()
    raise StoreError(f"unknown store kind '{kind}' (use oxigraph or memory)")
