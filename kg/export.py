"""Export the store's content in standard RDF syntaxes."""

from __future__ import annotations

from rdflib import Dataset, Graph, URIRef

from .errors import InputError
from .namespaces import PREFIXES
from .store.base import Store

# name -> (rdflib format, keeps named graphs)
FORMATS: dict[str, tuple[str, bool]] = {
    "turtle": ("turtle", False),
    "ntriples": ("nt", False),
    "trig": ("trig", True),
    "nquads": ("nquads", True),
    "jsonld": ("json-ld", True),
}


def export(store: Store, fmt: str, graph: URIRef | None = None) -> str:
    """Serialise the store (or one named graph). Triple formats merge all graphs into one."""
    if fmt not in FORMATS:
        raise InputError(f"unknown export format '{fmt}' (use {', '.join(FORMATS)})", term=fmt)
    rdflib_format, quads = FORMATS[fmt]
    if quads:
        ds = Dataset()
        for prefix, ns in PREFIXES.items():
            ds.bind(prefix, ns)
        for s, p, o, g in store.quads(graph):
            ds.graph(g).add((s, p, o))
        return ds.serialize(format=rdflib_format)
    merged = Graph()
    for prefix, ns in PREFIXES.items():
        merged.bind(prefix, ns)
    for s, p, o, _ in store.quads(graph):
        merged.add((s, p, o))
    return merged.serialize(format=rdflib_format)
