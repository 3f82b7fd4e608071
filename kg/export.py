"""Export the store's content in standard RDF syntaxes."""

from __future__ import annotations

from rdflib import URIRef

from .errors import InputError
from .store.base import EXPORT_FORMATS, Store

FORMATS = EXPORT_FORMATS


def export(store: Store, fmt: str, graph: URIRef | None = None) -> str:
    """Serialise the store (or one named graph). Triple formats merge all graphs into one."""
    if fmt not in FORMATS:
        raise InputError(f"unknown export format '{fmt}' (use {', '.join(FORMATS)})", term=fmt)
    return store.dump(fmt, graph).decode("utf-8")
