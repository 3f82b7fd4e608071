"""Exports parse back to exactly the store's content, and carry what the SHACL shapes need."""

from __future__ import annotations

from collections import defaultdict
from datetime import date

import pytest
from rdflib import Dataset, Graph, Literal, Namespace, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import RDF

from kg.config import PROJECT_ROOT
from kg.errors import InputError
from kg.export import VALIDATION_CONTEXT_GRAPH, export
from kg.namespaces import AIC, ONTOLOGY_GRAPH
from kg.store import Store
from kg.validation import validate
from kg.validation.data import CONTEXT


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


def _pyshacl_findings(data: Graph) -> set[tuple[str, str, str]]:
    """pyshacl, as a third party would run it: the exported file and the shapes files, nothing else."""
    from pyshacl import validate as shacl

    shapes = Graph()
    for path in sorted((PROJECT_ROOT / "shapes").glob("*.ttl")):
        shapes.parse(path, format="turtle")
    _, report, _ = shacl(data, shacl_graph=shapes, inference="none", advanced=True, allow_warnings=True,
                         allow_infos=True)
    sh = Namespace("http://www.w3.org/ns/shacl#")
    return {(str(report.value(r, sh.focusNode)), str(report.value(r, sh.sourceShape)),
             str(report.value(r, sh.resultSeverity)).rsplit("#", 1)[-1])
            for r in report.subjects(RDF.type, sh.ValidationResult)}


@pytest.mark.parametrize("day", ["2025-12-01", "2026-12-01"])
def test_an_export_is_self_contained_for_any_shacl_engine(oxigraph_store: Store, day: str) -> None:
    as_of = date.fromisoformat(day)
    exported = Graph().parse(data=export(oxigraph_store, "turtle", validation_as_of=as_of), format="turtle")
    ours = {(f.focus, f.shape, f.severity.capitalize()) for f in
            validate(oxigraph_store, as_of=as_of, shapes="all", inferred=True, evidence=False).findings}
    assert ours, "the shipped data has findings to compare"
    assert _pyshacl_findings(exported) == ours
    # Without the context the compliance shapes cannot find their rule: the export would not be enough.
    bare = Graph().parse(data=export(oxigraph_store, "turtle"), format="turtle")
    assert _pyshacl_findings(bare) != ours


def test_the_context_travels_in_its_own_graph_in_quad_formats(oxigraph_store: Store) -> None:
    for fmt, parse_as in (("trig", "trig"), ("nquads", "nquads"), ("jsonld", "json-ld")):
        ds = Dataset()
        ds.parse(data=export(oxigraph_store, fmt, validation_as_of=date(2025, 12, 1)), format=parse_as)
        context = ds.graph(VALIDATION_CONTEXT_GRAPH)
        assert (CONTEXT, AIC.asOf, Literal(date(2025, 12, 1))) in context, fmt
        assert len(list(context.subject_objects(AIC.encodesRule))) >= 5, fmt
