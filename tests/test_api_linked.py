"""Linked data: content negotiation of entity, document and claim IRIs; ontology; documents; validation."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS

from tests.api_support import api_store_dir_fixture, client_fixture  # noqa: F401 - fixtures

ID = "https://w3id.org/aichips/id/"
AIC = "https://w3id.org/aichips/ontology#"
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


def a_claim_path(client: TestClient) -> str:
    doc = client.get("/documents").json()[0]
    return str(doc["claims"][0]["claim"])[len("https://w3id.org/aichips"):]


@pytest.mark.parametrize(("accept", "media", "fmt"), [
    ("text/turtle", "text/turtle", "turtle"),
    ("application/ld+json", "application/ld+json", "json-ld"),
    ("application/n-triples", "application/n-triples", "nt"),
    ("application/rdf+xml", "application/rdf+xml", "xml"),
    ("*/*", "text/turtle", "turtle"),
    (None, "text/turtle", "turtle"),
])
def test_entity_iri_rdf(client: TestClient, accept: str | None, media: str, fmt: str) -> None:
    headers = {"Accept": accept} if accept else {}
    r = client.get("/id/nvidia", headers=headers)
    assert r.status_code == 200
    assert r.headers["content-type"].startswith(media)
    assert "accept" in r.headers["vary"].lower()
    g = Dataset(default_union=True) if fmt == "json-ld" else Graph()
    g.parse(data=r.text, format=fmt)
    nvidia = URIRef(ID + "nvidia")
    assert (nvidia, RDF.type, URIRef(AIC + "ChipVendor")) in g
    assert (nvidia, RDFS.label, Literal("Nvidia")) in g


def test_entity_iri_trig_keeps_claim_graphs(client: TestClient) -> None:
    r = client.get("/id/nvidia", headers={"Accept": "application/trig"})
    ds = Dataset()
    ds.parse(data=r.text, format="trig")
    names = {str(g.identifier) for g in ds.graphs() if len(g)}
    assert any(n.startswith("https://w3id.org/aichips/claim/") for n in names)


def test_entity_iri_html_for_browsers(client: TestClient) -> None:
    r = client.get("/id/alibaba", headers={"Accept": BROWSER})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    assert "Alibaba" in r.text and "<blockquote>" in r.text  # facts with their quotes


def test_format_parameter_overrides_accept(client: TestClient) -> None:
    r = client.get("/id/nvidia", params={"format": "jsonld"}, headers={"Accept": BROWSER})
    assert r.headers["content-type"].startswith("application/ld+json")
    json.loads(r.text)


def test_entity_iri_406_and_404(client: TestClient) -> None:
    assert client.get("/id/nvidia", headers={"Accept": "image/png"}).status_code == 406
    r = client.get("/id/no-such-entity", headers={"Accept": "text/turtle"})
    assert r.status_code == 404 and r.json()["error"] == "NotFoundError"
    assert client.get("/id/no-such-entity", headers={"Accept": BROWSER}).status_code == 404


def test_document_iri(client: TestClient) -> None:
    doc = client.get("/documents").json()[0]
    r = client.get(f"/doc/{doc['id']}", headers={"Accept": "text/turtle"})
    assert r.status_code == 200
    g = Graph().parse(data=r.text, format="turtle")
    assert (URIRef(doc["iri"]), RDF.type, URIRef(AIC + "SourceDocument")) in g
    html = client.get(f"/doc/{doc['id']}", headers={"Accept": BROWSER})
    assert html.headers["content-type"].startswith("text/html") and "<blockquote>" in html.text


def test_claim_iri(client: TestClient) -> None:
    path = a_claim_path(client)
    claim = URIRef("https://w3id.org/aichips" + path)
    r = client.get(path, headers={"Accept": "application/n-quads"})
    assert r.status_code == 200
    ds = Dataset()
    ds.parse(data=r.text, format="nquads")
    assert len(ds.graph(claim)) > 0, "the claim's own named graph is served"
    g = Graph().parse(data=client.get(path, headers={"Accept": "text/turtle"}).text, format="turtle")
    assert (claim, RDF.type, URIRef(AIC + "DocumentClaim")) in g
    html = client.get(path, headers={"Accept": BROWSER})
    assert html.status_code == 200 and "Asserted facts" in html.text


def test_documents_list_with_claims(client: TestClient) -> None:
    docs = client.get("/documents").json()
    assert docs
    for doc in docs:
        assert doc["iri"].startswith("https://w3id.org/aichips/doc/") and doc["title"]
        for claim in doc["claims"]:
            assert claim["quote"] and claim["status"] and claim["attributed_to"]
    assert any(doc["claims"] for doc in docs)
    assert client.get("/documents", headers={"Accept": BROWSER}).headers["content-type"].startswith("text/html")


def test_ontology_turtle(client: TestClient) -> None:
    r = client.get("/ontology", headers={"Accept": "text/turtle"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/turtle")
    g = Graph().parse(data=r.text, format="turtle")
    assert (URIRef(AIC + "Chip"), RDF.type, OWL.Class) in g


def test_ontology_html_documentation(client: TestClient) -> None:
    r = client.get("/ontology", headers={"Accept": BROWSER})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    for text in ("aic:Chip", "aic:TrainingActivity", "aic:locatedIn", "Classes", "Properties"):
        assert text in r.text


# -- validation reports -----------------------------------------------------------------------------------

def test_validation_json(client: TestClient) -> None:
    r = client.get("/validation", params={"as_of": "2025-12-01", "shapes": "all"})
    if r.status_code == 501:
        pytest.skip("kg.validation is not available")
    assert r.status_code == 200, r.text
    report = r.json()
    assert report["asOf"] == "2025-12-01" and isinstance(report["conforms"], bool)
    assert set(report["counts"]) >= {"violation", "warning", "info"}


@pytest.mark.parametrize(("fmt", "media"), [("turtle", "text/turtle"), ("jsonld", "application/ld+json"),
                                            ("text", "text/plain"), ("html", "text/html")])
def test_validation_formats(client: TestClient, fmt: str, media: str) -> None:
    r = client.get("/validation", params={"format": fmt, "shapes": "integrity"})
    if r.status_code == 501:
        pytest.skip("kg.validation is not available")
    assert r.status_code == 200 and r.headers["content-type"].startswith(media)
    if fmt == "turtle":
        g = Graph().parse(data=r.text, format="turtle")
        assert (None, RDF.type, URIRef("http://www.w3.org/ns/shacl#ValidationReport")) in g


def test_validation_by_accept(client: TestClient) -> None:
    r = client.get("/validation", headers={"Accept": "text/turtle"}, params={"shapes": "integrity"})
    if r.status_code == 501:
        pytest.skip("kg.validation is not available")
    assert r.headers["content-type"].startswith("text/turtle")
