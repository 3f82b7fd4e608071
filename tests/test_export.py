"""Exports parse back to exactly the store's content."""

from __future__ import annotations

from collections import defaultdict

import pytest
from rdflib import Dataset, Graph, URIRef
from rdflib.compare import isomorphic

from kg.errors import InputError
from kg.export import export
from kg.namespaces import ONTOLOGY_GRAPH
from kg.store import Store


@pytest.mark.parametrize(("fmt", "parse_as"), [("trig", "trig"), ("nquads", "nquads"), ("jsonld", "json-ld")])
def test_quad_formats_round_trip(oxigraph_store: Store, fmt: str, parse_as: str) -> None:
    ds = Dataset()
    ds.parse(data=export(oxigraph_store, fmt), format=parse_as)
    back: dict[URIRef, Graph] = defaultdict(Graph)
    for s, p, o, g in ds.quads((None, None, None, None)):
        back[g if isinstance(g, URIRef) else g.identifier].add((s, p, o))  # type: ignore[union-attr]
    original: dict[URIRef, Graph] = defaultdict(Graph)
    for s, p, o, g in oxigraph_store.quads():
        original[g].add((s, p, o))
    assert set(back) == set(original)
    for name, graph in original.items():
        assert isomorphic(graph, back[name]), name  # blank nodes (OWL lists) get new labels


@pytest.mark.parametrize(("fmt", "parse_as"), [("turtle", "turtle"), ("ntriples", "nt"), ("rdfxml", "xml")])
def test_triple_formats_round_trip_the_merged_graph(oxigraph_store: Store, fmt: str, parse_as: str) -> None:
    g = Graph().parse(data=export(oxigraph_store, fmt), format=parse_as)
    merged = Graph()
    for s, p, o, _ in oxigraph_store.quads():
        merged.add((s, p, o))
    assert isomorphic(g, merged)


def test_single_graph_export(oxigraph_store: Store) -> None:
    g = Graph().parse(data=export(oxigraph_store, "turtle", ONTOLOGY_GRAPH), format="turtle")
    assert len(g) == oxigraph_store.count(ONTOLOGY_GRAPH)


def test_unknown_format_is_refused(oxigraph_store: Store) -> None:
    with pytest.raises(InputError, match="unknown export format"):
        export(oxigraph_store, "yaml")
