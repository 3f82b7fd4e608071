"""Store behaviour users rely on: persistence across restarts, atomic writes, read-only readers."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from rdflib import Literal, URIRef

from kg.errors import QuerySyntaxError, StoreError
from kg.loader import Build
from kg.store import Store, Table, open_store
from kg.store.base import Quad
from kg.store.jsonrows import term_json

G = URIRef("urn:test:g")
A, B, C = URIRef("urn:test:a"), URIRef("urn:test:b"), URIRef("urn:test:c")


def test_oxigraph_store_survives_a_restart(shipped: Build, tmp_path: Path) -> None:
    with open_store("oxigraph", tmp_path) as store:
        store.replace_all(shipped.quads())
        count, version = store.count(), store.version
    with open_store("oxigraph", tmp_path) as again:
        assert again.count() == count
        assert again.version == version


def failing_quads() -> Iterator[Quad]:
    yield A, B, C, G
    raise RuntimeError("disk full, say")


@pytest.mark.parametrize("kind", ["oxigraph", "memory"])
def test_failed_replace_all_leaves_content_unchanged(kind: str, tmp_path: Path) -> None:
    with open_store(kind, tmp_path) as store:
        store.replace_all([(A, B, B, G)])
        before = (store.version, set(store.quads()))
        with pytest.raises(RuntimeError):
            store.replace_all(failing_quads())
        assert (store.version, set(store.quads())) == before


@pytest.mark.parametrize("kind", ["oxigraph", "memory"])
def test_failed_update_leaves_content_unchanged(kind: str, tmp_path: Path) -> None:
    with open_store(kind, tmp_path) as store:
        store.replace_all([(A, B, B, G)])
        before = (store.version, set(store.quads()))
        with pytest.raises(QuerySyntaxError):
            store.update("INSERT DATA { GRAPH <urn:test:g> { <urn:test:x> <urn:test:y> ")
        assert (store.version, set(store.quads())) == before
        store.update("INSERT DATA { GRAPH <urn:test:g> { <urn:test:a> <urn:test:b> <urn:test:c> } }")
        assert store.version != before[0]
        assert (A, B, C, G) in set(store.quads())


@pytest.mark.parametrize("kind", ["oxigraph", "memory"])
def test_replace_graph_touches_only_that_graph(kind: str, tmp_path: Path) -> None:
    other = URIRef("urn:test:other")
    with open_store(kind, tmp_path) as store:
        store.replace_all([(A, B, B, G), (A, B, C, other)])
        store.replace_graph(G, [(C, B, A)])
        assert set(store.quads()) == {(C, B, A, G), (A, B, C, other)}


def test_read_only_reader_sees_new_generations_after_refresh(tmp_path: Path) -> None:
    from kg.store.oxigraph import OxigraphStore

    writer = OxigraphStore(tmp_path)
    writer.replace_all([(A, B, B, G)])
    reader = OxigraphStore(tmp_path, read_only=True)
    writer.replace_all([(A, B, C, G)])
    assert set(reader.quads()) == {(A, B, B, G)}
    assert reader.refresh()
    assert set(reader.quads()) == {(A, B, C, G)}
    with pytest.raises(StoreError, match="read-only"):
        reader.update("CLEAR ALL")


def test_read_only_open_of_missing_store_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="kg load"):
        open_store("oxigraph", tmp_path / "nothing", read_only=True)


def test_default_graph_is_the_union_and_can_be_restricted(store: Store) -> None:
    from kg.namespaces import ONTOLOGY_GRAPH

    q = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    everything = store.query(q)
    only_ontology = store.query(q, default_graphs=[ONTOLOGY_GRAPH])
    assert isinstance(everything, Table) and isinstance(only_ontology, Table)
    assert int(str(only_ontology.rows[0]["n"])) == store.count(ONTOLOGY_GRAPH)
    assert int(str(everything.rows[0]["n"])) > int(str(only_ontology.rows[0]["n"]))


def test_malformed_query_is_a_syntax_error(store: Store) -> None:
    with pytest.raises(QuerySyntaxError):
        store.query("SELECT WHERE {")


def test_select_json_binds_values_without_letting_them_become_syntax(store: Store) -> None:
    hostile = Literal('x" } ; DROP ALL ; SELECT * { ?s ?p ?o } #\n"""')
    rows = store.select_json("SELECT ?v ?w WHERE { BIND(STRLEN(?v) AS ?w) }", {"v": hostile})
    assert rows.variables == ["v", "w"]
    assert rows.rows == [{"v": {"type": "literal", "value": str(hostile)},
                          "w": {"type": "literal", "value": str(len(hostile)),
                                "datatype": "http://www.w3.org/2001/XMLSchema#integer"}}]
    assert store.count() > 0


def test_select_json_gives_the_terms_of_query(store: Store) -> None:
    sparql = "SELECT ?s ?label WHERE { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?label } ORDER BY ?s ?label"
    table = store.query(sparql)
    assert isinstance(table, Table)
    assert store.select_json(sparql).rows == [{k: term_json(v) for k, v in row.items()} for row in table.rows]
    with pytest.raises(QuerySyntaxError):
        store.select_json("SELECT ?s WHERE { ?s ")
