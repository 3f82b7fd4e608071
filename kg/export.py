"""Export the store's content in standard RDF syntaxes, self-contained for third-party SHACL engines.

The compliance shapes read two things `kg validate` puts into its data graph: the validation-context
node with the audit day (`aic:asOf`), and each compliance shape's `aic:encodesRule` link (so a SPARQL
constraint finds its rule through $currentShape). An export can carry both in a named graph of its own,
so pyshacl run on the exported file with shapes/*.ttl gives `kg validate`'s findings.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.namespace import RDF

from .errors import InputError
from .namespaces import AIC, GRAPH
from .store.base import EXPORT_FORMATS, Store
from .validation.data import CONTEXT
from .validation.shapes import load_shapes

FORMATS = EXPORT_FORMATS
VALIDATION_CONTEXT_GRAPH = GRAPH["validation-context"]
# Syntaxes in which two documents written one after the other are one document.
_CONCATENABLE = {"turtle": "turtle", "ntriples": "nt", "nquads": "nquads", "trig": "trig"}


def validation_context(as_of: date, shapes_dir: Path | None = None) -> Graph:
    """What the shapes need besides the data: the audit day and the rule each compliance shape encodes."""
    g = Graph()
    g.add((CONTEXT, RDF.type, AIC.ValidationContext))
    g.add((CONTEXT, AIC.asOf, Literal(as_of)))
    for shape, rule in load_shapes("all", shapes_dir).rules.items():
        g.add((shape, AIC.encodesRule, rule))
    return g


def export(store: Store, fmt: str, graph: URIRef | None = None, *, validation_as_of: date | None = None,
           shapes_dir: Path | None = None) -> str:
    """Serialise the store (or one named graph). Triple formats merge all graphs into one. With
    `validation_as_of`, the validation context for that day is added (graph VALIDATION_CONTEXT_GRAPH in
    quad formats, merged in triple formats)."""
    if fmt not in FORMATS:
        raise InputError(f"unknown export format '{fmt}' (use {', '.join(FORMATS)})", term=fmt)
    body = store.dump(fmt, graph).decode("utf-8")
    if validation_as_of is None or graph is not None:
        return body
    context = validation_context(validation_as_of, shapes_dir)
    keeps_graphs = FORMATS[fmt][2]
    if fmt in _CONCATENABLE:
        if keeps_graphs:
            ds = Dataset()
            named = ds.graph(VALIDATION_CONTEXT_GRAPH)
            for t in context:
                named.add(t)
            extra = ds.serialize(format=_CONCATENABLE[fmt])
        else:
            extra = context.serialize(format=_CONCATENABLE[fmt])
        return body + ("" if body.endswith("\n") else "\n") + extra
    # RDF/XML and JSON-LD documents cannot be appended to: parse, add, write again.
    rdflib_format = FORMATS[fmt][0]
    if keeps_graphs:
        ds = Dataset()
        ds.parse(data=body, format=rdflib_format)
        target = ds.graph(VALIDATION_CONTEXT_GRAPH)
        for t in context:
            target.add(t)
        return ds.serialize(format=rdflib_format)
    merged = Graph().parse(data=body, format=rdflib_format)
    merged += context
    return merged.serialize(format=rdflib_format)
