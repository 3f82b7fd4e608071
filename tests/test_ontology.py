"""Ontology hygiene: labelled and defined terms, versioned and licensed, and no undefined term in use."""

from __future__ import annotations

from rdflib import Graph, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS

from kg.loader import Build
from kg.namespaces import AIC, ONTOLOGY_IRI

from .conftest import ONTOLOGY

TERM_TYPES = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty)


def ontology() -> Graph:
    return Graph().parse(ONTOLOGY, format="turtle")


def declared(g: Graph) -> set[URIRef]:
    return {s for t in TERM_TYPES for s in g.subjects(RDF.type, t) if isinstance(s, URIRef)}


def test_ontology_has_version_iri_and_licence() -> None:
    g = ontology()
    assert g.value(ONTOLOGY_IRI, OWL.versionIRI) is not None
    assert g.value(ONTOLOGY_IRI, DCTERMS.license) is not None


def test_every_term_has_a_label_and_a_definition() -> None:
    g = ontology()
    missing = [str(t) for t in declared(g)
               if g.value(t, RDFS.label) is None or g.value(t, SKOS.definition) is None]
    assert not missing


def test_every_own_individual_has_a_label_and_a_definition() -> None:
    g = ontology()
    own = {s for s in g.subjects(RDF.type, None) if isinstance(s, URIRef) and s.startswith(str(AIC))}
    missing = [str(t) for t in own if g.value(t, RDFS.label) is None or g.value(t, SKOS.definition) is None]
    assert not missing


def test_every_reused_term_says_where_it_is_defined() -> None:
    g = ontology()
    foreign = [t for t in declared(g) if not t.startswith(str(AIC))]
    assert foreign
    assert all(g.value(t, RDFS.isDefinedBy) is not None for t in foreign)


def test_data_uses_only_declared_terms(shipped: Build) -> None:
    g = ontology()
    terms = declared(g)
    individuals = {s for s in g.subjects(RDF.type, None) if isinstance(s, URIRef)}
    data = shipped.curated.asserted() + shipped.curated.provenance
    for _s, p, o in data:
        assert p == RDF.type or p in terms, f"undeclared property {p}"
        if p == RDF.type:
            assert o in terms, f"undeclared class {o}"
        elif isinstance(o, URIRef) and o.startswith(str(AIC)):
            assert o in terms or o in individuals, f"undeclared term {o}"


def test_every_entity_has_a_label(shipped: Build) -> None:
    data = shipped.curated.asserted()
    unlabelled = sorted({str(s) for s in data.subjects(RDF.type, None) if data.value(s, RDFS.label) is None})
    assert not unlabelled
