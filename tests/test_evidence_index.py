"""The evidence index gives exactly the evidence of the provenance walk, built or lazy, on the shipped
graph and a generated one; it follows the store version; JSON answers equal `ask(...).to_dict()`."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest
from rdflib import Literal, URIRef

from kg.evidence import claim_evidence, subject_evidence
from kg.evidence_index import EvidenceIndex, evidence_index
from kg.loader import Build
from kg.namespaces import AIC, PROVENANCE_GRAPH
from kg.questions import answer_json, ask, get_question, questions
from kg.store import Store, open_store


def _claims(store: Store) -> list[URIRef]:
    return [g for g in store.graph_names()]


def _subjects(store: Store) -> list[URIRef]:
    return sorted({s for s, _, _, _ in store.quads() if isinstance(s, URIRef)})


def assert_index_matches_walk(store: Store, index: EvidenceIndex) -> int:
    for claim in _claims(store):
        assert index.evidence(str(claim)) == claim_evidence(store, claim), claim
    subjects = _subjects(store)
    for subject in subjects:
        assert index.subject_evidence(str(subject)) == subject_evidence(store, subject), subject
    return len(subjects)


def test_built_index_equals_the_walk_on_the_shipped_graph(oxigraph_store: Store) -> None:
    index = EvidenceIndex(oxigraph_store).build()
    assert index.built
    assert assert_index_matches_walk(oxigraph_store, index) > 100


def test_lazy_index_equals_the_walk_on_both_stores(store: Store) -> None:
    index = EvidenceIndex(store)
    assert_index_matches_walk(store, index)
    assert not index.built


@pytest.mark.parametrize("name", sorted(questions()))
def test_json_answer_equals_the_answer_object(store: Store, name: str) -> None:
    assert orjson.loads(answer_json(store, name)) == ask(store, name).to_dict()


def test_json_answer_rows_carry_the_walks_evidence(oxigraph_store: Store) -> None:
    evidence_index(oxigraph_store).build()
    params = {"vendor": "nvidia", "jurisdiction": "china"}
    answer = orjson.loads(answer_json(oxigraph_store, "firms-training-outside", params))
    assert answer["rows"]
    for row in answer["rows"]:
        subject = URIRef(row["values"]["activity"]["value"])
        assert row["evidence"] == [e.to_dict() for e in subject_evidence(oxigraph_store, subject)]
        assert any(e["kind"] == "document" and e["quote"] for e in row["evidence"])


def test_ambiguous_provenance_is_read_by_the_walk(shipped: Build, tmp_path: Path) -> None:
    """A claim with two statuses gives two query rows: the built index must still agree with the walk."""
    store = open_store("oxigraph", tmp_path / "store")
    store.replace_all(shipped.quads())
    claim = next(c for c in _claims(store) if claim_evidence(store, c) is not None)
    extra = Literal("a second status")
    store.update(f"INSERT DATA {{ GRAPH <{PROVENANCE_GRAPH}> {{ <{claim}> <{AIC.claimStatus}> \"{extra}\" }} }}")
    index = EvidenceIndex(store).build()
    assert index.evidence(str(claim)) == claim_evidence(store, claim)
    store.close()


def test_index_follows_the_store_version(shipped: Build, tmp_path: Path) -> None:
    store = open_store("oxigraph", tmp_path / "store")
    store.replace_all(shipped.quads())
    before = evidence_index(store).build()
    claim = next(c for c in _claims(store) if claim_evidence(store, c) is not None)
    assert before.evidence(str(claim)) is not None
    store.update(f"DELETE WHERE {{ GRAPH <{PROVENANCE_GRAPH}> {{ <{claim}> ?p ?o }} }}")
    after = evidence_index(store)
    assert after is not before and after.version == store.version
    assert after.evidence(str(claim)) is None
    assert evidence_index(store) is after
    store.close()


def test_build_discards_tables_of_a_version_the_store_has_left(shipped: Build, tmp_path: Path) -> None:
    store = open_store("oxigraph", tmp_path / "store")
    store.replace_all(shipped.quads())
    stale = EvidenceIndex(store)
    store.update(f"INSERT DATA {{ GRAPH <{PROVENANCE_GRAPH}> {{ <{AIC.x}> <{AIC.y}> 1 }} }}")
    assert not stale.build().built
    store.close()


def test_index_equals_the_walk_on_a_generated_10k_graph(tmp_path: Path) -> None:
    from bench.generate import compile_dataset, write_dataset

    write_dataset(tmp_path / "data", triples=10_000)
    store = open_store("oxigraph", tmp_path / "store")
    store.replace_all(compile_dataset(tmp_path / "data").quads())
    index = evidence_index(store).build()
    assert assert_index_matches_walk(store, index) > 500
    question = get_question("firms-training-outside")
    assert question.subject == "activity"
    answer = orjson.loads(answer_json(store, "firms-training-outside"))
    assert answer["rows"] and answer == ask(store, "firms-training-outside").to_dict()
    store.close()


def test_a_store_with_more_claims_than_the_cap_stays_lazy_and_right(oxigraph_store: Store) -> None:
    index = EvidenceIndex(oxigraph_store).build(max_claims=10)
    assert not index.built
    assert not index.build(max_claims=100_000).built, "one attempt per version: big answers must not rebuild"
    assert_index_matches_walk(oxigraph_store, index)
    assert EvidenceIndex(oxigraph_store).build(max_claims=100_000).built


def test_query_workers_never_serve_evidence_of_an_older_version(shipped: Build, tmp_path: Path) -> None:
    """A worker builds its index at start; after another process writes, its answers follow the new
    version at once (read per claim until the new index is built in the background)."""
    from kg.sparql.executor import ProcessExecutor

    path = tmp_path / "store"
    with open_store("oxigraph", path) as writer:
        writer.replace_all(shipped.quads())
    executor = ProcessExecutor(path, workers=1, timeout=60)
    try:
        params = {"name": "firms-training-outside", "params": {}}
        before = orjson.loads(executor.run("ask", params))
        claims = {e["claim"] for row in before["rows"] for e in row["evidence"]}
        gone = sorted(claims)[0]
        with open_store("oxigraph", path) as writer:
            writer.update(f"DELETE WHERE {{ GRAPH <{PROVENANCE_GRAPH}> {{ <{gone}> ?p ?o }} }}")
        after = orjson.loads(executor.run("ask", params))
        assert after["rows"]
        assert gone not in {e["claim"] for row in after["rows"] for e in row["evidence"]}
    finally:
        executor.close()
