"""Exports parse back to exactly the store's content."""

from __future__ import annotations

import pytest
from rdflib import Dataset, Graph

from kg.errors import InputError
from kg.export import export
from kg.namespaces import ONTOLOGY_GRAPH
from kg.store import Store


@pytest.mark.parametrize(("fmt", "parse_as"), [("trig", "trig"), ("nquads", "nquads"), ("jsonld", "json-ld")])
def test_quad_formats_round_trip(oxigraph_store: Store, fmt: str, parse_as: str) -> None:
    text = export(oxigraph_store, fmt)
    ds = Dataset()
    ds.parse(data=text, format=parse_as)
    back = {(s, p, o, g.identifier) for s, p, o, g in ds.quads((None, None, None, None))
            if g is not None and len(g) and str(g.identifier) != "urn:x-rdflib:default"}
    assert back == set(oxigraph_store.quads())


@pytest.mark.parametrize(("fmt", "parse_as"), [("turtle", "turtle"), ("ntriples", "nt")])
def test_triple_formats_round_trip_the_merged_graph(oxigraph_store: Store, fmt: str, parse_as: str) -> None:
    g = Graph().parse(data=export(oxigraph_store, fmt), format=parse_as)
    assert set(g) == {(s, p, o) for s, p, o, _ in oxigraph_store.quads()}


def test_single_graph_export(oxigraph_store: Store) -> None:
    g = Graph().parse(data=export(oxigraph_store, "turtle", ONTOLOGY_GRAPH), format="turtle")
    assert len(g) == oxigraph_store.count(ONTOLOGY_GRAPH)


def test_unknown_format_is_refused(oxigraph_store: Store) -> None:
    with pytest.raises(InputError, match="unknown export format 'xml'"):
        export(oxigraph_store, "xml")
