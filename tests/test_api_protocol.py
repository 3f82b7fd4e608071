"""SPARQL 1.1 Protocol behaviour of /sparql, per method, media type and error case (in-process app)."""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET

import pytest
from fastapi.testclient import TestClient
from rdflib import Dataset, Graph, URIRef

from tests.api_support import api_store_dir_fixture, client_fixture  # noqa: F401 - fixtures

LABELS = ("PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "
          "SELECT ?s ?label WHERE { ?s a <https://w3id.org/aichips/ontology#AIDeveloper> ; rdfs:label ?label } "
          "ORDER BY ?label")
ASK = "ASK { ?s a <https://w3id.org/aichips/ontology#Chip> }"
CONSTRUCT = ("CONSTRUCT { ?s ?p ?o } WHERE { GRAPH <https://w3id.org/aichips/graph/ontology> { ?s ?p ?o } } "
             "LIMIT 20")
DESCRIBE = "DESCRIBE <https://w3id.org/aichips/id/nvidia>"
FORM = "application/x-www-form-urlencoded"
ONTOLOGY_GRAPH = "https://w3id.org/aichips/graph/ontology"
PROVENANCE_GRAPH = "https://w3id.org/aichips/graph/provenance"


def bindings(response: object) -> list[dict[str, dict[str, str]]]:
    data = json.loads(response.content)  # type: ignore[attr-defined]
    return data["results"]["bindings"]  # type: ignore[no-any-return]


def assert_json_error(response: object, status: int) -> dict[str, object]:
    assert response.status_code == status, response.text  # type: ignore[attr-defined]
    assert response.headers["content-type"].startswith("application/json")  # type: ignore[attr-defined]
    body: dict[str, object] = response.json()  # type: ignore[attr-defined]
    assert body["error"] and body["message"]
    return body


# -- the three ways to send a query -----------------------------------------------------------------

def test_query_by_get(client: TestClient) -> None:
    r = client.get("/sparql", params={"query": LABELS})
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("application/sparql-results+json")
    labels = [b["label"]["value"] for b in bindings(r)]
    assert any("Alibaba" in label for label in labels)


def test_query_by_post_form(client: TestClient) -> None:
    r = client.post("/sparql", data={"query": LABELS})
    assert r.status_code == 200
    assert bindings(r)


def test_query_by_post_direct(client: TestClient) -> None:
    r = client.post("/sparql", content=LABELS.encode(), headers={"Content-Type": "application/sparql-query"})
    assert r.status_code == 200
    assert bindings(r)


def test_direct_post_with_charset_utf8(client: TestClient) -> None:
    r = client.post("/sparql", content=ASK.encode(),
                    headers={"Content-Type": "application/sparql-query; charset=UTF-8"})
    assert r.status_code == 200
    assert r.json()["boolean"] is True


# -- content negotiation ------------------------------------------------------------------------------

@pytest.mark.parametrize(("accept", "media"), [
    ("application/sparql-results+json", "application/sparql-results+json"),
    ("application/json", "application/sparql-results+json"),
    ("application/sparql-results+xml", "application/sparql-results+xml"),
    ("text/csv", "text/csv"),
    ("text/tab-separated-values", "text/tab-separated-values"),
    ("*/*", "application/sparql-results+json"),
    ("text/html;q=0.9, text/csv", "text/csv"),
])
def test_select_formats(client: TestClient, accept: str, media: str) -> None:
    r = client.get("/sparql", params={"query": LABELS}, headers={"Accept": accept})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith(media)
    assert "accept" in r.headers.get("vary", "").lower()
    if media == "text/csv":
        rows = list(csv.reader(io.StringIO(r.text)))
        assert rows[0] == ["s", "label"] and len(rows) > 1
        assert r.text.endswith("\r\n")
    elif media == "text/tab-separated-values":
        lines = r.text.splitlines()
        assert lines[0] == "?s\t?label"
        assert lines[1].startswith("<https://w3id.org/aichips/id/")
    elif media == "application/sparql-results+xml":
        root = ET.fromstring(r.content)
        ns = "{http://www.w3.org/2005/sparql-results#}"
        assert [v.get("name") for v in root.iter(ns + "variable")] == ["s", "label"]
        assert len(list(root.iter(ns + "result"))) > 1


@pytest.mark.parametrize("accept", ["application/sparql-results+json", "application/sparql-results+xml",
                                    "text/csv", "text/tab-separated-values"])
def test_ask_formats(client: TestClient, accept: str) -> None:
    r = client.get("/sparql", params={"query": ASK}, headers={"Accept": accept})
    assert r.status_code == 200
    assert r.headers["content-type"].startswith(accept)
    assert "true" in r.text


@pytest.mark.parametrize(("accept", "rdflib_format"), [
    ("text/turtle", "turtle"), ("application/n-triples", "nt"), ("application/rdf+xml", "xml"),
    ("application/ld+json", "json-ld"), ("application/trig", "trig"), ("application/n-quads", "nquads"),
])
@pytest.mark.parametrize("query", [CONSTRUCT, DESCRIBE])
def test_graph_formats(client: TestClient, query: str, accept: str, rdflib_format: str) -> None:
    r = client.get("/sparql", params={"query": query}, headers={"Accept": accept})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith(accept)
    if rdflib_format in ("trig", "nquads"):
        ds = Dataset()
        ds.parse(data=r.text, format=rdflib_format)
        assert len(ds) > 0 or sum(len(g) for g in ds.graphs()) > 0
    else:
        g = Graph().parse(data=r.text, format=rdflib_format)
        assert len(g) > 0


def test_graph_default_is_turtle(client: TestClient) -> None:
    r = client.get("/sparql", params={"query": CONSTRUCT})
    assert r.headers["content-type"].startswith("text/turtle")


def test_not_acceptable(client: TestClient) -> None:
    assert_json_error(client.get("/sparql", params={"query": LABELS}, headers={"Accept": "image/png"}), 406)
    assert_json_error(client.get("/sparql", params={"query": CONSTRUCT},
                                 headers={"Accept": "application/sparql-results+json"}), 406)


# -- datasets -------------------------------------------------------------------------------------------

def test_default_graph_uri_restricts_the_default_graph(client: TestClient) -> None:
    q = "SELECT (COUNT(*) AS ?n) WHERE { ?s a <https://w3id.org/aichips/ontology#AIDeveloper> }"
    everything = int(bindings(client.get("/sparql", params={"query": q}))[0]["n"]["value"])
    assert everything > 0
    only_ontology = client.get("/sparql", params={"query": q, "default-graph-uri": ONTOLOGY_GRAPH})
    assert int(bindings(only_ontology)[0]["n"]["value"]) == 0


def test_named_graph_uri(client: TestClient) -> None:
    q = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"
    r = client.get("/sparql", params={"query": q, "named-graph-uri": [ONTOLOGY_GRAPH, PROVENANCE_GRAPH]})
    assert sorted(b["g"]["value"] for b in bindings(r)) == [ONTOLOGY_GRAPH, PROVENANCE_GRAPH]


def test_from_in_the_query_selects_the_dataset(client: TestClient) -> None:
    q = (f"SELECT (COUNT(*) AS ?n) FROM <{ONTOLOGY_GRAPH}> "
         "WHERE { ?s a <https://w3id.org/aichips/ontology#AIDeveloper> }")
    assert int(bindings(client.get("/sparql", params={"query": q}))[0]["n"]["value"]) == 0


def test_request_dataset_overrides_from(client: TestClient) -> None:
    """Protocol 2.1.4: with a dataset both in the request and in the query, the request's wins."""
    q = (f"SELECT (COUNT(*) AS ?n) FROM <{ONTOLOGY_GRAPH}> "
         "WHERE { ?s a <http://www.w3.org/2002/07/owl#Class> }")
    in_query = int(bindings(client.get("/sparql", params={"query": q}))[0]["n"]["value"])
    overridden = client.get("/sparql", params={"query": q, "default-graph-uri": PROVENANCE_GRAPH})
    assert in_query > 0
    assert int(bindings(overridden)[0]["n"]["value"]) == 0


def test_dataset_with_form_post(client: TestClient) -> None:
    q = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"
    r = client.post("/sparql", data={"query": q, "named-graph-uri": ONTOLOGY_GRAPH})
    assert [b["g"]["value"] for b in bindings(r)] == [ONTOLOGY_GRAPH]


def test_unknown_graph_in_request_refused(client: TestClient) -> None:
    r = client.get("/sparql", params={"query": ASK, "default-graph-uri": "http://example.org/remote"})
    assert assert_json_error(r, 400)["error"] == "UnsafeQueryError"


# -- errors the protocol specifies -------------------------------------------------------------------

def test_malformed_query_400_readable(client: TestClient) -> None:
    body = assert_json_error(client.get("/sparql", params={"query": "SELEKT * WHERE { ?s ?p ?o }"}), 400)
    assert body["error"] == "QuerySyntaxError"
    # the engine's own parse of the text: where it stopped and what it expected
    assert "1:" in str(body["message"]) and "expected" in str(body["message"])


def test_two_query_parameters(client: TestClient) -> None:
    r = client.get("/sparql", params=[("query", ASK), ("query", ASK)])
    assert assert_json_error(r, 400)["error"] == "ProtocolError"
    r = client.post("/sparql", content=f"query={ASK}&query={ASK}".encode(), headers={"Content-Type": FORM})
    assert_json_error(r, 400)


def test_query_in_url_and_body(client: TestClient) -> None:
    r = client.post("/sparql", params={"query": ASK}, content=ASK.encode(),
                    headers={"Content-Type": "application/sparql-query"})
    assert_json_error(r, 400)


@pytest.mark.parametrize("content_type", [None, "text/plain", "application/json", "application/sparql-update",
                                          "multipart/form-data; boundary=x"])
def test_wrong_or_missing_media_type_415(client: TestClient, content_type: str | None) -> None:
    headers = {"Content-Type": content_type} if content_type else {}
    r = client.post("/sparql", content=ASK.encode(), headers=headers)
    assert_json_error(r, 415)


def test_non_utf8_charset_415(client: TestClient) -> None:
    r = client.post("/sparql", content=ASK.encode("utf-16"),
                    headers={"Content-Type": "application/sparql-query; charset=utf-16"})
    assert_json_error(r, 415)


def test_non_utf8_body_400(client: TestClient) -> None:
    r = client.post("/sparql", content=b"ASK { ?s ?p \"caf\xe9\" }",
                    headers={"Content-Type": "application/sparql-query"})
    assert_json_error(r, 400)
    r = client.post("/sparql", content=b"query=ASK+%7B+%3Fs+%3Fp+%22caf%E9%22+%7D", headers={"Content-Type": FORM})
    assert_json_error(r, 400)


def test_non_utf8_query_string_400(client: TestClient) -> None:
    r = client.get("/sparql?query=ASK%20%7B%20%3Fs%20%3Fp%20%22caf%E9%22%20%7D")
    assert_json_error(r, 400)


def test_update_by_get_refused(client: TestClient) -> None:
    r = client.get("/sparql", params={"update": "INSERT DATA { <urn:a> <urn:b> <urn:c> }"})
    assert assert_json_error(r, 400)["error"] == "ProtocolError"


def test_update_by_query_endpoint_refused(client: TestClient) -> None:
    r = client.post("/sparql", data={"update": "INSERT DATA { <urn:a> <urn:b> <urn:c> }"})
    assert_json_error(r, 400)
    r = client.post("/sparql", content=b"INSERT DATA { <urn:a> <urn:b> <urn:c> }",
                    headers={"Content-Type": "application/sparql-update"})
    assert_json_error(r, 415)


def test_update_by_get_on_update_path_405(client: TestClient) -> None:
    assert_json_error(client.get("/sparql/update", params={"update": "CLEAR ALL"}), 405)


def test_update_syntax_in_query_endpoint_is_400(client: TestClient) -> None:
    assert_json_error(client.get("/sparql", params={"query": "INSERT DATA { <urn:a> <urn:b> <urn:c> }"}), 400)


def test_dataset_without_query_400(client: TestClient) -> None:
    assert_json_error(client.get("/sparql", params={"default-graph-uri": ONTOLOGY_GRAPH}), 400)


def test_form_without_query_400(client: TestClient) -> None:
    assert_json_error(client.post("/sparql", data={"default-graph-uri": ONTOLOGY_GRAPH}), 400)


def test_result_cap(client: TestClient) -> None:
    r = client.get("/sparql", params={"query": "SELECT * WHERE { ?s ?p ?o . ?a ?b ?c } LIMIT 25000"})
    assert assert_json_error(r, 422)["error"] == "ResultTooLargeError"
    many = "CONSTRUCT { ?x <urn:p> 1 } WHERE { ?s ?p ?o . ?a ?b ?c BIND(BNODE() AS ?x) } LIMIT 25000"
    r = client.get("/sparql", params={"query": many})
    assert_json_error(r, 422)


def test_request_too_large_413(client: TestClient) -> None:
    big = "ASK { ?s ?p ?o } #" + "x" * 60_000
    assert_json_error(client.post("/sparql", data={"query": big}), 413)
    assert_json_error(client.post("/sparql", content=big.encode(),
                                  headers={"Content-Type": "application/sparql-query"}), 413)
    assert_json_error(client.get("/sparql", params={"query": big}), 414)


# -- service description, CORS ------------------------------------------------------------------------

def test_service_description(client: TestClient) -> None:
    r = client.get("/sparql", headers={"Accept": "text/turtle"})
    assert r.status_code == 200
    g = Graph().parse(data=r.text, format="turtle")
    sd = "http://www.w3.org/ns/sparql-service-description#"
    rows = list(g.query(f"PREFIX sd: <{sd}> SELECT ?s WHERE {{ ?s a sd:Service ; sd:endpoint ?s ; "
                        "sd:supportedLanguage sd:SPARQL11Query ; sd:feature sd:UnionDefaultGraph }"))
    assert rows and str(rows[0][0]).endswith("/sparql")
    names = {str(o) for o in g.objects(None, URIRef(sd + "name"))}
    assert ONTOLOGY_GRAPH in names


def test_service_description_default_and_html(client: TestClient) -> None:
    assert client.get("/sparql").headers["content-type"].startswith("text/turtle")
    r = client.get("/sparql", headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert r.headers["content-type"].startswith("text/html") and "<form" in r.text


def test_cors_closed_by_default(client: TestClient) -> None:
    # Same-origin only unless KG_CORS_ORIGINS lists origins (tests/test_api_hardening.py covers the rest).
    r = client.options("/sparql", headers={"Origin": "https://yasgui.org", "Access-Control-Request-Method": "POST",
                                           "Access-Control-Request-Headers": "content-type"})
    assert "access-control-allow-origin" not in r.headers
    r = client.get("/sparql", params={"query": ASK}, headers={"Origin": "https://yasgui.org"})
    assert "access-control-allow-origin" not in r.headers


def test_openapi_documents_the_endpoints(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    # bad parameters are answered 400 with the JSON error body; FastAPI's 422 schema is not what we send
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            assert "Validation Error" not in str(operation["responses"].get("422", "")), (method, path)
    for path in ("/sparql", "/sparql/update", "/questions", "/entities", "/entities/{id}", "/id/{slug}",
                 "/ontology", "/documents", "/validation", "/health"):
        assert path in spec["paths"], path
