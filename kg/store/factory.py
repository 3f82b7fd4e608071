"""Open the store the configuration asks for."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import StoreError
from .base import Store

if TYPE_CHECKING:
    from ..config import Settings


def open_store(kind: str, path: Path | None = None, *, read_only: bool = False,
               settings: Settings | None = None) -> Store:
    """`oxigraph` (embedded, persistent; the default), `memory` (rdflib, for tests and tiny graphs) or
    `remote` (any SPARQL 1.1 server; endpoints from `settings`, by default KG_REMOTE_*_URL)."""
    if kind == "oxigraph":
        from .oxigraph import OxigraphStore

        if path is None:
            raise StoreError("the oxigraph store needs a path (KG_STORE_PATH)")
        return OxigraphStore(path, read_only=read_only)
    if kind == "memory":
        from .memory import MemoryStore

        return MemoryStore()
    if kind == "remote":
        from ..config import Settings
        from .remote import RemoteStore

        settings = settings or Settings()
        if not settings.remote_query_url:
            raise StoreError("the remote store needs KG_REMOTE_QUERY_URL (and KG_REMOTE_UPDATE_URL to write)")
        return RemoteStore(settings.remote_query_url, settings.remote_update_url, settings.remote_gsp_url)
    raise StoreError(f"unknown store kind '{kind}' (use oxigraph, memory or remote)")
