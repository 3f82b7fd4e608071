"""Linked-data descriptions of the graph's resources (entities, claims, documents, named graphs)."""

from __future__ import annotations

from typing import Any

import pyoxigraph as ox
from rdflib import BNode, URIRef
from rdflib.term import Identifier

from ..errors import NotFoundError
from ..namespaces import CLAIM
from ..sparql.formats import BY_NAME
from ..sparql.results import write_rdf
from ..store.base import Quad, Store, Table
from ..store.convert import to_ox
from .sparql import query

DATASET_FORMATS = {"trig", "nquads", "jsonld"}


def _rows(store: Store, name: str, bindings: dict[str, Identifier]) -> list[dict[str, Identifier]]:
    result = store.query(query(name), bindings)
    assert isinstance(result, Table)
    return result.rows


def describe_quads(store: Store, iri: URIRef) -> list[Quad]:
    """Triples about `iri` in every graph, with blank nodes they lead to (a concise bounded description);
    for a claim also the content of its named graph."""
    quads: list[Quad] = []
    seen: set[Identifier] = set()
    todo: list[Identifier] = [iri]
    while todo:
        subject = todo.pop()
        if subject in seen:
            continue
        seen.add(subject)
        for row in _rows(store, "subject-triples", {"s": subject}):
            g, p, o = row["g"], row["p"], row["o"]
            assert isinstance(g, URIRef)
            quads.append((subject, p, o, g))
            if isinstance(o, BNode):
                todo.append(o)
    if str(iri).startswith(str(CLAIM)):
        quads += [(r["s"], r["p"], r["o"], iri) for r in _rows(store, "graph-triples", {"g": iri})]
    unique = list(dict.fromkeys(quads))
    if not unique:
        raise NotFoundError(f"<{iri}> is not described in the graph")
    return unique


def serialize(quads: list[Quad], fmt_name: str) -> bytes:
    fmt = BY_NAME[fmt_name]
    if fmt_name in DATASET_FORMATS:
        items: Any = [ox.Quad(to_ox(s), to_ox(p), to_ox(o), to_ox(g)) for s, p, o, g in quads]
    else:
        items = list(dict.fromkeys(ox.Triple(to_ox(s), to_ox(p), to_ox(o)) for s, p, o, _ in quads))
    return write_rdf(items, fmt)


def describe(store: Store, iri: str, fmt_name: str) -> bytes:
    return serialize(describe_quads(store, URIRef(iri)), fmt_name)


def graph_content(store: Store, graph: URIRef, fmt_name: str) -> bytes:
    """One named graph (e.g. the ontology) in an RDF syntax."""
    quads = [(s, p, o, graph) for s, p, o, _ in store.quads(graph)]
    if not quads:
        raise NotFoundError(f"graph <{graph}> is empty or absent")
    return serialize(quads, fmt_name)
