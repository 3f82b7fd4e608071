"""Open the configured store for the service, building the graph first when the store is empty."""

from __future__ import annotations

import logging

from kg.config import Settings
from kg.loader import Sources, load
from kg.store import Store
from kg.store import open_store as open_kind

log = logging.getLogger("api.startup")
def _is_empty(settings: Settings) -> bool:
    current = settings.store_path / "CURRENT"
    if not (current.is_symlink() or current.exists()):
        return True
    with open_kind("oxigraph", settings.store_path, read_only=True) as store:
        return store.count() == 0


def open_store(settings: Settings) -> Store:
    """Memory store: built from the sources. Oxigraph: loaded once if empty (and KG_LOAD_IF_EMPTY), then
    opened read-write only when SPARQL Update is on, read-only otherwise (so `kg load` may still run).
    Remote: the server's graph as it is; built first only if the server holds no quad at all, and
    KG_LOAD_IF_EMPTY and an update endpoint allow it (a server with data is never written at start)."""
    if settings.store == "memory":
        store = open_kind("memory")
        load(store, Sources.from_settings(settings))
        return store
    if settings.store == "remote":
        remote = open_kind("remote", settings=settings)
        if settings.load_if_empty and settings.remote_update_url and remote.is_empty():  # type: ignore[attr-defined]
            log.info("remote store %s is empty: building the graph from %s", settings.remote_query_url,
                     settings.data_dir)
            load(remote, Sources.from_settings(settings))
        return remote
    if settings.load_if_empty and _is_empty(settings):
        log.info("store %s is empty: building the graph from %s", settings.store_path, settings.data_dir)
        with open_kind("oxigraph", settings.store_path, read_only=False) as writer:
            load(writer, Sources.from_settings(settings))
    return open_kind("oxigraph", settings.store_path, read_only=settings.update_token is None)
