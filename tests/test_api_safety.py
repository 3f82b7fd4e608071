"""Query safety from the parsed algebra (no server): SERVICE, LOAD, remote FROM; the update tokenizer;
and the thread executor used with the memory store."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from api import create_app
from kg.config import Settings
from kg.errors import QuerySyntaxError, UnsafeQueryError
from kg.sparql.errors import ProtocolError
from kg.sparql.safety import inspect_query, inspect_update
from kg.sparql.update import with_using

LOCAL = {"https://w3id.org/aichips/graph/ontology"}


def local(iri: object) -> bool:
    return str(iri) in LOCAL


@pytest.mark.parametrize("query", [
    "SELECT * WHERE { SERVICE <http://127.0.0.1:9999/> { ?s ?p ?o } }",
    "SELECT * WHERE { SERVICE SILENT ?endpoint { ?s ?p ?o } }",
    "PREFIX x: <http://evil/> SELECT * WHERE { ?a ?b ?c OPTIONAL { SERVICE x:e { ?s ?p ?o } } }",
    "SELECT * WHERE { ?a ?b ?c FILTER NOT EXISTS { SERVICE <http://evil/> { ?s ?p ?o } } }",
    "SELECT * WHERE { { SELECT * WHERE { SERVICE <http://evil/> { ?s ?p ?o } } } }",
    "ASK { SERVICE <http://evil/> { ?s ?p ?o } }",
    "CONSTRUCT { ?s ?p ?o } WHERE { SERVICE <http://evil/> { ?s ?p ?o } }",
    "SELECT * FROM <http://evil/graph> WHERE { ?s ?p ?o }",
    "SELECT * FROM NAMED <file:///etc/passwd> WHERE { GRAPH ?g { ?s ?p ?o } }",
    # Oxigraph reads a prefix named `service:` as the keyword SERVICE followed by `:` (it matches
    # keywords as prefixes), so such a prefix is refused too.
    "PREFIX service: <http://example.org/> SELECT * WHERE { ?s service:load ?o }",
])
def test_unsafe_queries_refused(query: str) -> None:
    with pytest.raises(UnsafeQueryError):
        inspect_query(query, local)


@pytest.mark.parametrize("query", [
    'SELECT * WHERE { ?s ?p "SERVICE <http://evil/> { }" }',
    "SELECT * WHERE { ?s ?p ?o } # SERVICE <http://evil/> { ?s ?p ?o }",
    "SELECT * WHERE { ?s <http://example.org/SERVICE> ?o }",
    "SELECT * FROM <https://w3id.org/aichips/graph/ontology> WHERE { ?s ?p ?o }",
    "PREFIX sd: <http://www.w3.org/ns/sparql-service-description#> SELECT * WHERE { ?s a sd:Service }",
    "SELECT ?service WHERE { ?service ?p ?o }",
])
def test_look_alikes_allowed(query: str) -> None:
    inspect_query(query, local)


@pytest.mark.parametrize("update", [
    "LOAD <http://evil/data.ttl>",
    "LOAD SILENT <http://evil/data.ttl> INTO GRAPH <urn:g>",
    "INSERT DATA { <urn:a> <urn:b> <urn:c> } ; LOAD <http://evil/>",
    "INSERT { ?s ?p ?o } WHERE { SERVICE <http://evil/> { ?s ?p ?o } }",
])
def test_unsafe_updates_refused(update: str) -> None:
    with pytest.raises(UnsafeQueryError):
        inspect_update(update, local)


def test_malformed_is_syntax_error() -> None:
    # The check reads tokens only; the engine parses the normalised text (and says what is wrong).
    with pytest.raises(QuerySyntaxError):
        inspect_query("SELECT * WHERE { ?s ?p ?o }\x0c", local)


def test_with_using_inserts_only_before_top_level_where() -> None:
    text = ('INSERT { GRAPH <urn:d> { ?s ?p "WHERE" } } # WHERE\n'
            "WHERE { ?s ?p ?o FILTER EXISTS { SELECT ?s WHERE { ?s ?p ?o } } }")
    out = with_using(text, ["urn:src"], ["urn:named"])
    assert out.count("USING <urn:src> USING NAMED <urn:named> WHERE") == 1
    inspect_update(out, lambda _: True)


def test_with_using_refuses_bad_iris_and_delete_where() -> None:
    with pytest.raises(ProtocolError):
        with_using("INSERT { ?s ?p ?o } WHERE { ?s ?p ?o }", ["urn:x> } ; DROP ALL ; INSERT {"], [])
    with pytest.raises(ProtocolError):
        with_using("DELETE WHERE { ?s ?p ?o }", ["urn:x"], [])


def test_memory_store_with_thread_executor() -> None:
    settings = Settings().model_copy(update={"store": "memory", "query_timeout": 30.0})
    with TestClient(create_app(settings)) as client:
        health = client.get("/health").json()
        assert health["store"] == "memory" and health["quads"] > 0
        r = client.get("/sparql", params={"query": "ASK { ?c a <https://w3id.org/aichips/ontology#Chip> }"})
        assert r.status_code == 200 and r.json()["boolean"] is True
        r = client.get("/questions/firms-training-outside", params={"vendor": "nvidia", "jurisdiction": "china"})
        firms = {row["values"]["firm"]["value"].rsplit("/", 1)[1] for row in r.json()["rows"]}
        assert firms == {"alibaba", "bytedance"}
        r = client.get("/sparql", params={"query": "SELECT * WHERE { SERVICE <http://evil/> { ?s ?p ?o } }"})
        assert r.status_code == 400
