"""The scaled reasoner derives exactly what owlrl derives for what the named questions depend on."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import RDF

from bench.generate import write_dataset
from kg.config import PROJECT_ROOT, Settings
from kg.curation import Compiler
from kg.documents import read_documents
from kg.errors import InconsistencyError, LoadError
from kg.loader import Sources
from kg.namespaces import AIC
from kg.reasoning import closure
from kg.reasoning_scaled import UnsupportedOntologyError, closure_for, closure_scaled, supports
from kg.vocabulary import Vocabulary, load_ontology

ONTOLOGY = PROJECT_ROOT / "ontology" / "aichips.ttl"
QUESTION_PROPERTIES = {AIC.outside, AIC.locatedIn, AIC.usesHardwareFrom, AIC.headquarteredIn}


def _compile(data_dir: Path) -> tuple[Graph, list[Graph]]:
    sources = Sources(ONTOLOGY, data_dir)
    ontology = load_ontology(ONTOLOGY)
    curated = Compiler(Vocabulary(ontology), read_documents(sources.registry)).compile(
        sources.claim_files(), sources.reference_files())
    return ontology, list(curated.claim_graphs.values())


def _question_entailments(g: Graph) -> set[tuple[object, object, object]]:
    return {(s, p, o) for s, p, o in g
            if p in QUESTION_PROPERTIES or (p == RDF.type and isinstance(o, URIRef))}


def _assert_same(data_dir: Path) -> None:
    ontology, asserted = _compile(data_dir)
    expected = closure(ontology, asserted)
    got = closure_scaled(ontology, asserted)
    assert _question_entailments(got) == _question_entailments(expected)
    assert set(got) == set(expected)  # and, for this ontology, everything else too


def test_same_entailments_as_owlrl_on_seed_graph() -> None:
    try:
        _compile(Settings().data_dir)
    except LoadError as exc:
        pytest.skip(f"seed data does not compile right now: {exc}")
    _assert_same(Settings().data_dir)


def test_same_entailments_as_owlrl_on_generated_10k(tmp_path: Path) -> None:
    write_dataset(tmp_path, triples=10_000, seed=7)
    _assert_same(tmp_path)


def test_the_ontology_is_supported() -> None:
    assert supports(load_ontology(ONTOLOGY)) == []


def test_disjoint_classes_are_inconsistent() -> None:
    ontology = load_ontology(ONTOLOGY)
    data = Graph()
    thing = URIRef("https://w3id.org/aichips/id/both")
    data.add((thing, RDF.type, AIC.AIDeveloper))
    data.add((thing, RDF.type, AIC.Chip))
    with pytest.raises(InconsistencyError):
        closure_scaled(ontology, [data])


def test_unsupported_construct_is_refused_and_auto_falls_back() -> None:
    ontology = load_ontology(ONTOLOGY)
    data = Graph()
    a, b = URIRef("https://w3id.org/aichips/id/a"), URIRef("https://w3id.org/aichips/id/b")
    data.add((a, URIRef("http://www.w3.org/2002/07/owl#sameAs"), b))
    data.add((a, RDF.type, AIC.AIDeveloper))
    with pytest.raises(UnsupportedOntologyError):
        closure_scaled(ontology, [data])
    assert set(closure_for("auto")(ontology, [data])) == set(closure(ontology, [data]))
