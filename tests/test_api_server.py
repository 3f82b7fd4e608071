"""A real `kg serve` process on loopback: SPARQL clients, safety properties, updates, malformed input."""

from __future__ import annotations

import threading
from typing import Any

import httpx
import pytest
from rdflib import Graph, URIRef
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from SPARQLWrapper import JSON, TURTLE, SPARQLWrapper

from tests.api_support import (  # noqa: F401 - fixtures
    TOKEN,
    Listener,
    Server,
    api_store_dir_fixture,
    listener_fixture,
    server_fixture,
)

AIC = "https://w3id.org/aichips/ontology#"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"


def error_of(r: httpx.Response, status: int) -> str:
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith("application/json")
    return str(r.json()["error"])


# -- clients ----------------------------------------------------------------------------------------------

def test_sparqlwrapper_select_get_and_post(server: Server) -> None:
    for method in ("GET", "POST"):
        sw = SPARQLWrapper(server.url + "/sparql")
        sw.setMethod(method)
        sw.setReturnFormat(JSON)
        sw.setQuery(f"SELECT ?label WHERE {{ ?f a <{AIC}AIDeveloper> ; <http://www.w3.org/2000/01/rdf-schema#label> "
                    "?label }")
        result: Any = sw.query().convert()
        labels = {b["label"]["value"] for b in result["results"]["bindings"]}
        assert any("Alibaba" in label for label in labels), method


def test_sparqlwrapper_ask_and_construct(server: Server) -> None:
    sw = SPARQLWrapper(server.url + "/sparql")
    sw.setReturnFormat(JSON)
    sw.setQuery(f"ASK {{ ?c a <{AIC}Chip> }}")
    assert sw.query().convert()["boolean"] is True  # type: ignore[index]
    sw = SPARQLWrapper(server.url + "/sparql")
    sw.setReturnFormat(TURTLE)
    sw.setQuery("CONSTRUCT WHERE { <https://w3id.org/aichips/id/nvidia> ?p ?o }")
    data = sw.query().convert()
    g = Graph().parse(data=data, format="turtle")  # type: ignore[arg-type]
    assert len(g) > 0


def test_rdflib_sparqlstore(server: Server) -> None:
    store = SPARQLStore(server.url + "/sparql", returnFormat="json")
    g = Graph(store=store)
    rows = list(g.query(f"SELECT ?c WHERE {{ ?c a <{AIC}Chip> }}"))
    assert rows
    assert (URIRef("https://w3id.org/aichips/id/nvidia"), None, None) in g
    assert len(list(g.triples((URIRef("https://w3id.org/aichips/id/nvidia"), None, None)))) > 0


# -- safety: no outbound requests -----------------------------------------------------------------------

def test_service_refused_and_listener_untouched(server: Server, listener: Listener) -> None:
    for query in (f"SELECT * WHERE {{ SERVICE <{listener.url}/sparql> {{ ?s ?p ?o }} }}",
                  f"SELECT * WHERE {{ ?x ?y ?z FILTER EXISTS {{ SERVICE SILENT <{listener.url}/> {{ ?s ?p ?o }} }} }}",
                  f"PREFIX l: <{listener.url}/> SELECT * WHERE {{ OPTIONAL {{ SERVICE l:x {{ ?s ?p ?o }} }} }}"):
        assert error_of(server.get("/sparql", params={"query": query}), 400) == "UnsafeQueryError"
    query = f"SELECT * FROM <{listener.url}/graph.ttl> WHERE {{ ?s ?p ?o }}"
    assert error_of(server.get("/sparql", params={"query": query}), 400) == "UnsafeQueryError"
    query = f"SELECT * FROM NAMED <{listener.url}/graph.ttl> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}"
    assert error_of(server.get("/sparql", params={"query": query}), 400) == "UnsafeQueryError"
    assert listener.requests == []


def test_load_refused_and_listener_untouched(server: Server, listener: Listener) -> None:
    for update in (f"LOAD <{listener.url}/data.ttl>", f"LOAD SILENT <{listener.url}/data.ttl> INTO GRAPH <urn:g>",
                   f"INSERT {{ ?s ?p ?o }} WHERE {{ SERVICE <{listener.url}/sparql> {{ ?s ?p ?o }} }}"):
        r = server.post("/sparql/update", content=update.encode(),
                        headers={**AUTH, "Content-Type": "application/sparql-update"})
        assert error_of(r, 400) == "UnsafeQueryError"
    assert listener.requests == []


def test_keywords_inside_strings_are_not_refused(server: Server) -> None:
    q = 'SELECT ?x WHERE { BIND("SERVICE <http://127.0.0.1:1/> LOAD" AS ?x) } # SERVICE <http://x/>'
    r = server.get("/sparql", params={"query": q})
    assert r.status_code == 200, r.text


# -- time limit -----------------------------------------------------------------------------------------------

def test_slow_query_is_stopped_and_others_answered(server: Server) -> None:
    outcome: dict[str, httpx.Response] = {}
    slow = threading.Thread(target=lambda: outcome.setdefault("slow", server.get("/sparql", params={"query": SLOW})))
    slow.start()
    fast = server.get("/sparql", params={"query": f"ASK {{ ?c a <{AIC}Chip> }}"})
    health = server.get("/health")
    slow_still_running = slow.is_alive()
    slow.join()
    assert fast.status_code == 200 and fast.json()["boolean"] is True
    assert health.status_code == 200
    assert slow_still_running, "the fast request was answered while the slow one ran"
    assert error_of(outcome["slow"], 503) == "QueryTimeoutError"
    assert "time limit" in outcome["slow"].json()["message"]
    # the server keeps answering after the overrunning worker was killed
    after = server.get("/questions/firms-training-outside", params={"vendor": "nvidia", "jurisdiction": "china"})
    assert after.status_code == 200


def test_slow_question_parameter_cannot_hang(server: Server) -> None:
    assert server.get("/health").status_code == 200


# -- request size ---------------------------------------------------------------------------------------------

def test_oversized_request_413(server: Server) -> None:
    big = "ASK { ?s ?p ?o } #" + "x" * 60_000
    r = server.post("/sparql", content=big.encode(), headers={"Content-Type": "application/sparql-query"})
    assert error_of(r, 413) == "RequestTooLarge"
    r = server.post("/sparql", data={"query": big})
    assert error_of(r, 413) == "RequestTooLarge"

    def chunks() -> Any:  # no Content-Length: chunked upload
        for _ in range(100):
            yield b"x" * 1000

    r = server.post("/sparql", content=chunks(), headers={"Content-Type": "application/sparql-query"})
    assert error_of(r, 413) == "RequestTooLarge"


# -- update ------------------------------------------------------------------------------------------------------

def _count(server: Server, graph: str) -> int:
    q = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"
    return int(server.get("/sparql", params={"query": q}).json()["results"]["bindings"][0]["n"]["value"])


def test_update_requires_token(server: Server) -> None:
    update = "INSERT DATA { GRAPH <urn:test:g> { <urn:a> <urn:b> <urn:c> } }"
    r = server.post("/sparql/update", data={"update": update})
    assert error_of(r, 401) == "UnauthorizedError"
    assert r.headers["www-authenticate"].lower().startswith("bearer")
    r = server.post("/sparql/update", data={"update": update}, headers={"Authorization": "Bearer wrong"})
    assert error_of(r, 401) == "UnauthorizedError"
    assert _count(server, "urn:test:g") == 0


def test_update_applies_and_failed_update_changes_nothing(server: Server) -> None:
    r = server.post("/sparql/update", data={"update": "INSERT DATA { GRAPH <urn:test:u> { <urn:a> <urn:b> 1 } }"},
                    headers=AUTH)
    assert r.status_code == 200, r.text
    assert _count(server, "urn:test:u") == 1
    # the second operation fails (malformed) -> nothing of the request is applied
    bad = "INSERT DATA { GRAPH <urn:test:u> { <urn:a> <urn:b> 2 } } ; INSERT DATA { GRAPH <urn:test:u> { <urn:a> }"
    r = server.post("/sparql/update", data={"update": bad}, headers=AUTH)
    assert error_of(r, 400) == "QuerySyntaxError"
    assert _count(server, "urn:test:u") == 1
    r = server.post("/sparql/update", content=b"DROP GRAPH <urn:test:u>",
                    headers={**AUTH, "Content-Type": "application/sparql-update"})
    assert r.status_code == 200
    assert _count(server, "urn:test:u") == 0


def test_update_using_graph_uri(server: Server) -> None:
    setup = "INSERT DATA { GRAPH <urn:test:src> { <urn:x> <urn:p> 7 } }"
    assert server.post("/sparql/update", data={"update": setup}, headers=AUTH).status_code == 200
    copy = "INSERT { GRAPH <urn:test:dst> { ?s ?p ?o } } WHERE { ?s ?p ?o }"
    r = server.post("/sparql/update", data={"update": copy, "using-graph-uri": "urn:test:src"}, headers=AUTH)
    assert r.status_code == 200, r.text
    assert _count(server, "urn:test:dst") == 1
    # dataset given twice: in the request and by USING in the update
    twice = "INSERT { GRAPH <urn:test:dst> { ?s ?p ?o } } USING <urn:test:src> WHERE { ?s ?p ?o }"
    r = server.post("/sparql/update", data={"update": twice, "using-graph-uri": "urn:test:src"}, headers=AUTH)
    assert error_of(r, 400) == "ProtocolError"
    r = server.post("/sparql/update", params={"using-named-graph-uri": "urn:test:src"},
                    content=b"INSERT { GRAPH <urn:test:dst2> { ?s ?p ?o } } WHERE { GRAPH ?g { ?s ?p ?o } }",
                    headers={**AUTH, "Content-Type": "application/sparql-update"})
    assert r.status_code == 200, r.text
    assert _count(server, "urn:test:dst2") == 1
    server.post("/sparql/update", data={"update": "DROP GRAPH <urn:test:src> ; DROP GRAPH <urn:test:dst> ; "
                                                  "DROP GRAPH <urn:test:dst2>"}, headers=AUTH)


def test_update_media_types(server: Server) -> None:
    r = server.post("/sparql/update", content=b"CLEAR GRAPH <urn:none>", headers={**AUTH, "Content-Type": "text/plain"})
    assert error_of(r, 415) == "UnsupportedMediaTypeError"
    r = server.post("/sparql/update", content=b"CLEAR GRAPH <urn:none>", headers=AUTH)
    assert error_of(r, 415) == "UnsupportedMediaTypeError"
    r = server.post("/sparql/update", data={"update": ["CLEAR GRAPH <urn:a>", "CLEAR GRAPH <urn:b>"]}, headers=AUTH)
    assert error_of(r, 400) == "ProtocolError"


# -- malformed input never gives a 500 --------------------------------------------------------------------------

MALFORMED: list[tuple[str, str, dict[str, Any]]] = [
    ("GET", "/sparql", {"params": {"query": ""}}),
    ("GET", "/sparql", {"params": {"query": "}{"}}),
    ("GET", "/sparql", {"params": {"query": "SELECT * WHERE { ?s ?p ?o " + "{" * 3000}}),
    ("GET", "/sparql", {"params": {"query": "SELECT * WHERE { ?s undefined:p ?o }"}}),
    ("GET", "/sparql", {"params": {"query": "SELECT (COUNT(?x) AS ?x) ?y WHERE { ?x ?y ?z }"}}),
    ("GET", "/sparql", {"params": {"query": "ASK {}", "default-graph-uri": "not an iri"}}),
    ("GET", "/sparql", {"params": {"query": "\x00\x01"}}),
    ("POST", "/sparql", {"content": b"\xff\xfe\x00", "headers": {"Content-Type": "application/sparql-query"}}),
    ("POST", "/sparql", {"content": b"%%%%", "headers": {"Content-Type": "application/x-www-form-urlencoded"}}),
    ("GET", "/questions/firms-training-outside", {"params": {"vendor": "no-such-vendor"}}),
    ("GET", "/questions/firms-training-outside", {"params": {"vendor": "Not An Id!"}}),
    ("GET", "/questions/firms-training-outside", {"params": {"colour": "blue"}}),
    ("GET", "/questions/rules-for-chip", {"params": {"date": "2025-13-45"}}),
    ("GET", "/questions/rules-for-chip", {"params": {"date": "yesterday"}}),
    ("GET", "/questions/no-such-question", {}),
    ("GET", "/entities", {"params": {"limit": "-1"}}),
    ("GET", "/entities", {"params": {"limit": "many"}}),
    ("GET", "/entities", {"params": {"type": "Not a class!"}}),
    ("GET", "/entities/NOT%20AN%20ID", {}),
    ("GET", "/entities/no-such-entity", {}),
    ("GET", "/id/no-such-entity", {}),
    ("GET", "/id/nvidia", {"params": {"format": "pdf"}}),
    ("GET", "/id/nvidia", {"headers": {"Accept": "image/png"}}),
    ("GET", "/doc/no-such-doc", {}),
    ("GET", "/claim/no/such/claim", {}),
    ("GET", "/validation", {"params": {"as_of": "someday"}}),
    ("GET", "/validation", {"params": {"shapes": "nonsense"}}),
    ("GET", "/validation", {"params": {"format": "pdf"}}),
    ("GET", "/no/such/path", {}),
    ("DELETE", "/sparql", {}),
]


@pytest.mark.parametrize(("method", "path", "kwargs"), MALFORMED, ids=[f"{m} {p} {k}"[:80] for m, p, k in MALFORMED])
def test_malformed_input_gives_4xx_json(server: Server, method: str, path: str, kwargs: dict[str, Any]) -> None:
    r = httpx.request(method, server.url + path, timeout=60, **kwargs)
    assert 400 <= r.status_code < 500, (r.status_code, r.text)
    assert r.headers["content-type"].startswith("application/json")
    assert r.json()["message"]


def test_access_log_is_json(server: Server) -> None:
    import json

    server.get("/health")
    lines = [line for line in server.log.read_text().splitlines() if line.startswith("{")]
    records = [json.loads(line) for line in lines]
    assert any(r.get("path") == "/health" and r.get("status") == 200 for r in records)
