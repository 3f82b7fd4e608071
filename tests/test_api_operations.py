"""Operations: Prometheus metrics (/metrics), the structured query log, Graph Store Protocol reads (/store)
and the VoID description (/void) linked from the SPARQL service description."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families
from pydantic import SecretStr
from rdflib import Dataset, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS

from api import create_app
from api.metrics import Metrics
from api.querylog import Entry, QueryLog, text_hash
from kg.browse.void import STATISTICS_CACHE, VOID_DATASET, compute_statistics, graph_store_read
from kg.errors import NotFoundError, ResultTooLargeError
from kg.loader import Build
from kg.store import open_store
from tests.api_support import TOKEN, api_store_dir_fixture, client_fixture, copy_store, settings  # noqa: F401

VOID = Namespace("http://rdfs.org/ns/void#")
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
ONTOLOGY_GRAPH = "https://w3id.org/aichips/graph/ontology"
CLAIM = "https://w3id.org/aichips/claim/"
GRAPH_KINDS = {"provenance": "https://w3id.org/aichips/graph/provenance", "ontology": ONTOLOGY_GRAPH,
               "inferred": "https://w3id.org/aichips/graph/inferred"}
# media type -> (rdflib parser, keeps named graphs)
RDF_MEDIA: dict[str, tuple[str, bool]] = {
    "text/turtle": ("turtle", False), "application/n-triples": ("nt", False),
    "application/rdf+xml": ("xml", False), "application/ld+json": ("json-ld", True),
    "application/trig": ("trig", True), "application/n-quads": ("nquads", True)}
LOG_CAP = 1000  # max_results of the second app: below the ontology graph's size


def metric_samples(text: str) -> list[Any]:
    return [s for family in text_string_to_metric_families(text) for s in family.samples]


def sample_value(samples: list[Any], name: str, **labels: str) -> float | None:
    for s in samples:
        if s.name == name and all(s.labels.get(k) == v for k, v in labels.items()):
            return float(s.value)
    return None


def count(client: TestClient, where: str) -> int:
    """One COUNT query through the SPARQL endpoint (the test's own formulation of each statistic)."""
    r = client.get("/sparql", params={"query": f"SELECT (COUNT(*) AS ?n) WHERE {{ {where} }}"})
    assert r.status_code == 200, r.text
    return int(r.json()["results"]["bindings"][0]["n"]["value"])


@pytest.fixture(scope="module", name="logged")
def logged_fixture(api_store_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[TestClient, Path]]:
    """A second app on its own copy of the store: query log to a file without query text, update on,
    a small result cap."""
    root = tmp_path_factory.mktemp("operations")
    store = copy_store(api_store_dir, root / "store")
    log = root / "queries.jsonl"
    app = create_app(settings(store, query_log=str(log), query_log_text=False, max_results=LOG_CAP,
                              query_workers=1, update_token=SecretStr(TOKEN)))
    with TestClient(app) as c:
        yield c, log


def log_lines(log: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines() if line.strip()]


# -- /metrics -------------------------------------------------------------------------------------------------

def test_metrics_count_requests_by_route_template(client: TestClient) -> None:
    for slug in ("nvidia", "alibaba"):
        assert client.get(f"/id/{slug}", headers={"Accept": "text/turtle"}).status_code == 200
    assert client.get("/sparql", params={"query": "ASK { ?s ?p ?o }"}).status_code == 200
    assert client.get("/no/such/page").status_code == 404
    r = client.get("/metrics")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/plain")
    samples = metric_samples(r.text)
    assert (sample_value(samples, "kg_http_requests_total", method="GET", route="/id/{slug}", status="200")
            or 0) >= 2
    assert (sample_value(samples, "kg_http_requests_total", route="/sparql", status="200") or 0) >= 1
    assert (sample_value(samples, "kg_http_requests_total", route="unmatched", status="404") or 0) >= 1
    routes = {s.labels.get("route") for s in samples if s.name.startswith("kg_http_request")}
    assert "/id/nvidia" not in routes and "/no/such/page" not in routes  # templates only: bounded labels
    assert (sample_value(samples, "kg_http_request_duration_seconds_count", method="GET", route="/id/{slug}")
            or 0) >= 2
    assert sample_value(samples, "kg_http_request_duration_seconds_bucket", route="/sparql", le="+Inf")


def test_metrics_store_version(client: TestClient) -> None:
    samples = metric_samples(client.get("/metrics").text)
    runtime = client.app.state.runtime  # type: ignore[attr-defined]
    version = runtime.store.version
    assert sample_value(samples, "kg_store_info", kind="oxigraph", version=version) == 1
    assert sample_value(samples, "kg_store_generation") == int(version.rsplit("-", 1)[-1])


def test_metrics_never_ask_a_worker(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    runtime = client.app.state.runtime  # type: ignore[attr-defined]

    def refuse(*_args: Any, **_kwargs: Any) -> Any:
        raise AssertionError("/metrics sent work to a query worker")

    monkeypatch.setattr(runtime, "run", refuse)
    monkeypatch.setattr(runtime.executor, "run", refuse)
    r = client.get("/metrics")
    assert r.status_code == 200
    metric_samples(r.text)  # parses
    if callable(getattr(runtime.executor, "stats", None)):  # Executor.stats() (kg/sparql/executor.py)
        assert sample_value(metric_samples(r.text), "kg_query_workers") == runtime.settings.query_workers


def fake_app(stats: Any) -> Any:
    store = SimpleNamespace(kind="oxigraph", version="gen-000012")
    executor = SimpleNamespace(stats=stats) if stats is not None else SimpleNamespace()
    return SimpleNamespace(state=SimpleNamespace(runtime=SimpleNamespace(store=store, executor=executor)))


def test_metrics_read_executor_statistics_at_scrape_time() -> None:
    current = {"workers": 2.0, "alive": 2.0, "busy": 1.0, "queued": 3.0, "timeouts_total": 4.0,
               "restarts_total": 5.0, "crashes_total": 1.0, "rejected_total": 6.0,
               "evidence_index_build_seconds": 0.25, "something_new": 7.0}
    metrics = Metrics(fake_app(lambda: dict(current)))
    samples = metric_samples(metrics.exposition().decode())
    expected = {"kg_query_workers": 2, "kg_query_workers_alive": 2, "kg_query_workers_busy": 1,
                "kg_query_queue_length": 3, "kg_query_timeouts_total": 4, "kg_query_worker_restarts_total": 5,
                "kg_query_worker_crashes_total": 1, "kg_query_rejected_total": 6,
                "kg_evidence_index_build_seconds": 0.25, "kg_executor_something_new": 7,
                "kg_store_generation": 12}
    for name, value in expected.items():
        assert sample_value(samples, name) == value, name
    current["timeouts_total"] = 9.0  # read again at the next scrape, not sampled earlier
    assert sample_value(metric_samples(metrics.exposition().decode()), "kg_query_timeouts_total") == 9


def test_metrics_without_or_with_failing_executor_statistics() -> None:
    def broken() -> dict[str, float]:
        raise RuntimeError("no")

    for stats in (None, broken):
        samples = metric_samples(Metrics(fake_app(stats)).exposition().decode())
        assert not [s for s in samples if s.name.startswith("kg_query_")]
        assert sample_value(samples, "kg_store_info", version="gen-000012") == 1


def test_metrics_registry_per_app(logged: tuple[TestClient, Path], client: TestClient) -> None:
    other, _ = logged
    client.get("/id/nvidia", headers={"Accept": "text/turtle"})
    samples = metric_samples(other.get("/metrics").text)
    assert sample_value(samples, "kg_http_requests_total", route="/id/{slug}") is None


# -- query log ------------------------------------------------------------------------------------------------

def test_query_log_lines_without_text(logged: tuple[TestClient, Path]) -> None:
    c, log = logged
    start = len(log_lines(log)) if log.exists() else 0
    select = "SELECT ?s WHERE { ?s a <https://w3id.org/aichips/ontology#Chip> }"
    r = c.post("/sparql", data={"query": select})
    assert r.status_code == 200
    rows = len(r.json()["results"]["bindings"])
    broken = "SELECT ?s WHERE { ?s ?p "
    assert c.get("/sparql", params={"query": broken}).status_code == 400
    assert c.get("/questions/firms-training-outside",
                 params={"vendor": "nvidia", "jurisdiction": "china"}).status_code == 200
    assert c.get("/questions/firms-training-outside", params={"vendor": "no-such-firm"}).status_code == 400
    update = "INSERT DATA { GRAPH <https://w3id.org/aichips/graph/test> { <urn:x:a> <urn:x:b> <urn:x:c> } }"
    assert c.post("/sparql/update", content=update, headers={
        "Content-Type": "application/sparql-update", "Authorization": f"Bearer {TOKEN}"}).status_code == 200

    lines = log_lines(log)[start:]
    assert [line["kind"] for line in lines] == ["query", "query", "question", "question", "update"]
    for line in lines:
        assert {"ts", "kind", "sha256", "ms", "rows", "client", "outcome", "status"} <= set(line)
        assert "text" not in line
        assert len(line["sha256"]) == 16 and int(line["sha256"], 16) >= 0
        assert line["ms"] >= 0 and line["client"]
    ok, bad, question, bad_question, applied = lines
    assert ok["sha256"] == hashlib.sha256(select.encode()).hexdigest()[:16]
    assert (ok["outcome"], ok["status"], ok["rows"]) == ("ok", 200, rows)
    assert (bad["outcome"], bad["status"]) == ("QuerySyntaxError", 400)
    assert bad["sha256"] == text_hash(broken)
    assert (question["outcome"], question["status"]) == ("ok", 200)
    assert question["sha256"] == text_hash("firms-training-outside?jurisdiction=china&vendor=nvidia")
    assert (bad_question["outcome"], bad_question["status"]) == ("ParameterError", 400)
    assert (applied["outcome"], applied["sha256"]) == ("ok", text_hash(update))
    text = log.read_text(encoding="utf-8")
    assert "Chip" not in text and "INSERT" not in text and "nvidia" not in text


def test_query_log_with_text(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "q.jsonl"
    QueryLog(str(target), include_text=True).write(Entry("query", "ASK { ?s ?p ?o }", "10.0.0.1", rows=1),
                                                   "ok", 200)
    (line,) = log_lines(target)
    assert line["text"] == "ASK { ?s ?p ?o }" and line["rows"] == 1 and line["client"] == "10.0.0.1"
    QueryLog("-", include_text=False).write(Entry("question", "q?x=1", None), "QueryTimeoutError", 503)
    record = json.loads(capsys.readouterr().err.strip().splitlines()[-1])
    assert (record["kind"], record["outcome"], record["status"]) == ("question", "QueryTimeoutError", 503)
    assert "text" not in record


def test_query_log_off_by_default(client: TestClient) -> None:
    assert client.app.state.runtime.settings.query_log is None  # type: ignore[attr-defined]


# -- Graph Store Protocol -------------------------------------------------------------------------------------

def parse(body: bytes, media: str) -> tuple[Dataset, int]:
    """The body as a Dataset and its number of statements (triples, or quads for graph-keeping formats)."""
    fmt, quads = RDF_MEDIA[media]
    ds = Dataset()
    if quads:
        ds.parse(data=body, format=fmt)
        return ds, sum(len(g) for g in ds.graphs() if g.identifier != ds.default_graph.identifier) + len(
            ds.default_graph)
    g = ds.default_graph
    g.parse(data=body, format=fmt)
    return ds, len(g)


@pytest.mark.parametrize("media", list(RDF_MEDIA))
def test_gsp_named_graph_in_each_format(client: TestClient, media: str) -> None:
    r = client.get("/store", params={"graph": ONTOLOGY_GRAPH}, headers={"Accept": media})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].split(";")[0] == media
    ds, size = parse(r.content, media)
    assert size == count(client, f"GRAPH <{ONTOLOGY_GRAPH}> {{ ?s ?p ?o }}")
    if RDF_MEDIA[media][1]:
        assert URIRef(ONTOLOGY_GRAPH) in {g.identifier for g in ds.graphs()}  # the graph name is kept
    head = client.head("/store", params={"graph": ONTOLOGY_GRAPH}, headers={"Accept": media})
    assert head.status_code == 200
    assert head.headers["content-type"] == r.headers["content-type"]
    assert head.content == b""


def test_gsp_default_graph_is_the_union(client: TestClient) -> None:
    r = client.get("/store?default")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/turtle")
    _, triples = parse(r.content, "text/turtle")
    assert triples == count(client, "SELECT DISTINCT ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } }")
    r = client.get("/store?default", headers={"Accept": "application/n-quads"})
    ds, quads = parse(r.content, "application/n-quads")
    assert quads == count(client, "GRAPH ?g { ?s ?p ?o }")
    assert len({g.identifier for g in ds.graphs()} - {ds.default_graph.identifier}) == count(
        client, "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")
    assert client.head("/store?default").status_code == 200


def test_gsp_errors(client: TestClient) -> None:
    for method in (client.get, client.head):
        assert method("/store", params={"graph": "https://w3id.org/aichips/graph/nothing"}).status_code == 404
        for query in ("", "?default&graph=https://w3id.org/aichips/graph/ontology",
                      "?graph=urn:a:b&graph=urn:a:c", "?graph=not%20an%20iri", "?graph="):
            assert method("/store" + query).status_code == 400, query
    r = client.get("/store", params={"graph": "https://w3id.org/aichips/graph/nothing"})
    assert r.headers["content-type"].startswith("application/json")
    assert r.json()["error"] == "NotFoundError" and "graph/nothing" in r.json()["message"]
    r = client.get("/store")
    assert r.json()["error"] == "ProtocolError"
    r = client.get("/store?default", headers={"Accept": "application/sparql-results+json"})
    assert r.status_code == 406


def test_gsp_respects_the_result_cap(logged: tuple[TestClient, Path]) -> None:
    c, _ = logged
    for query in (f"?graph={ONTOLOGY_GRAPH}", "?default"):
        r = c.get("/store" + query)
        assert r.status_code == 422, r.text
        assert r.json()["error"] == "ResultTooLargeError" and "KG_MAX_RESULTS" in r.json()["message"]
        assert c.head("/store" + query).status_code == 422
    small = "https://w3id.org/aichips/claim/reference/body-bis"
    assert c.get("/store", params={"graph": small}).status_code == 200  # one claim's few statements


def test_graph_store_task_on_the_memory_store(shipped: Build) -> None:
    store = open_store("memory")
    store.replace_all(shipped.quads())
    assert graph_store_read(store, {"graph": ONTOLOGY_GRAPH, "format": "ntriples", "max": 10**9, "head": True}) \
        == store.count(URIRef(ONTOLOGY_GRAPH))
    body = graph_store_read(store, {"graph": ONTOLOGY_GRAPH, "format": "trig", "max": 10**9})
    assert isinstance(body, bytes) and ONTOLOGY_GRAPH.encode() in body
    with pytest.raises(NotFoundError):
        graph_store_read(store, {"graph": "urn:x:none", "format": "turtle", "max": 10})
    with pytest.raises(ResultTooLargeError):
        graph_store_read(store, {"graph": None, "format": "turtle", "max": 10})


# -- VoID -----------------------------------------------------------------------------------------------------

def void_of(client: TestClient, media: str = "text/turtle") -> Graph:
    r = client.get("/void", headers={"Accept": media})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].split(";")[0] == media
    return Graph().parse(data=r.content, format=RDF_MEDIA[media][0])


def number(g: Graph, subject: URIRef, prop: URIRef) -> int:
    value = g.value(subject, prop)
    assert isinstance(value, Literal), (subject, prop)
    return int(value)


def test_void_numbers_equal_count_queries(client: TestClient) -> None:
    g = void_of(client)
    d = VOID_DATASET
    assert (d, RDF.type, VOID.Dataset) in g
    any_graph = "GRAPH ?g { ?s ?p ?o }"
    assert number(g, d, VOID.triples) == count(client, f"SELECT DISTINCT ?s ?p ?o WHERE {{ {any_graph} }}")
    assert number(g, d, VOID.distinctSubjects) == count(client, f"SELECT DISTINCT ?s WHERE {{ {any_graph} }}")
    assert number(g, d, VOID.distinctObjects) == count(client, f"SELECT DISTINCT ?o WHERE {{ {any_graph} }}")
    assert number(g, d, VOID.properties) == count(client, f"SELECT DISTINCT ?p WHERE {{ {any_graph} }}")
    assert number(g, d, VOID.classes) == count(client, "SELECT DISTINCT ?c WHERE { GRAPH ?g { ?x a ?c } }")
    in_space = "FILTER(STRSTARTS(STR(?s), 'https://w3id.org/aichips/id/'))"
    assert number(g, d, VOID.entities) == count(client, f"SELECT DISTINCT ?s WHERE {{ {any_graph} {in_space} }}")
    assert g.value(d, VOID.uriSpace) == Literal("https://w3id.org/aichips/id/")
    assert g.value(d, VOID.sparqlEndpoint) == URIRef("http://testserver/sparql")
    # The licence the ontology declares (ontology/aichips.ttl), not an invented one.
    declared = client.get("/sparql", params={"query": (
        "SELECT ?l WHERE { GRAPH <https://w3id.org/aichips/graph/ontology> { "
        "<https://w3id.org/aichips/ontology> <http://purl.org/dc/terms/license> ?l } }")}).json()
    assert str(g.value(d, DCTERMS.license)) == declared["results"]["bindings"][0]["l"]["value"]


def test_void_one_subset_per_kind_of_graph(client: TestClient) -> None:
    g = void_of(client)
    subsets = {str(s).rsplit("#", 1)[-1]: s for s in g.objects(VOID_DATASET, VOID.subset)}
    assert set(subsets) == {"claims", *GRAPH_KINDS}
    for kind, graph in GRAPH_KINDS.items():
        assert number(g, subsets[kind], VOID.triples) == count(client, f"GRAPH <{graph}> {{ ?s ?p ?o }}")
    claims = count(client, f"GRAPH ?g {{ ?s ?p ?o }} FILTER(STRSTARTS(STR(?g), '{CLAIM}'))")
    assert number(g, subsets["claims"], VOID.triples) == claims


@pytest.mark.parametrize("media", ["application/n-triples", "application/rdf+xml", "application/ld+json"])
def test_void_formats(client: TestClient, media: str) -> None:
    g = void_of(client, media)
    assert number(g, VOID_DATASET, VOID.triples) == number(void_of(client), VOID_DATASET, VOID.triples)


def test_service_description_links_the_void(client: TestClient) -> None:
    r = client.get("/sparql", headers={"Accept": "text/turtle"})
    sd = Graph().parse(data=r.content, format="turtle")
    service = URIRef("http://testserver/sparql")
    dataset = sd.value(service, SD.defaultDataset)
    assert dataset == VOID_DATASET
    assert (dataset, RDF.type, VOID.Dataset) in sd and (dataset, RDF.type, SD.Dataset) in sd
    link = sd.value(dataset, RDFS.seeAlso)
    assert link == URIRef("http://testserver/void")
    void = void_of(client)
    assert (dataset, RDF.type, VOID.Dataset) in void
    assert void.value(dataset, VOID.sparqlEndpoint) == service


def test_void_statistics_cached_per_store_version(shipped: Build) -> None:
    store = open_store("memory")
    store.replace_all(shipped.quads())
    STATISTICS_CACHE.clear()
    first = STATISTICS_CACHE.get(store)
    assert STATISTICS_CACHE.get(store) is first  # same version: not recomputed
    assert first.totals == compute_statistics(store).totals
    store.update("INSERT DATA { GRAPH <https://w3id.org/aichips/graph/inferred> { "
                 "<https://w3id.org/aichips/id/void-test> <urn:x:p> <urn:x:o> } }")
    second = STATISTICS_CACHE.get(store)
    assert second.version != first.version
    assert second.totals["triples"] == first.totals["triples"] + 1
    assert second.totals["entities"] == first.totals["entities"] + 1
    assert second.subsets["inferred"][0] == first.subsets["inferred"][0] + 1
    STATISTICS_CACHE.clear()
