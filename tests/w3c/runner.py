"""Running W3C SPARQL tests against a real `kg serve` on loopback: the server on a throwaway store, the
protocol table's requests and checks, and the syntax tests' expectations."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode
from xml.etree import ElementTree

import httpx
from rdflib import Graph, URIRef

from kg.store import open_store
from tests.api_support import TOKEN, free_port, running_kg_serve

from . import PROTOCOL_DIR
from .manifest import SyntaxTest
from .protocol import KASEI, Case, Req

SPARQL_RESULTS_XML = "{http://www.w3.org/2005/sparql-results#}"
TABULAR = ("application/sparql-results+json", "application/sparql-results+xml", "text/csv",
           "text/tab-separated-values")
BOOLEAN = ("application/sparql-results+json", "application/sparql-results+xml")
RDF = {"application/rdf+xml": "xml", "text/turtle": "turtle", "application/n-triples": "nt",
       "text/plain": "nt", "application/xhtml+xml": "rdfa", "text/html": "rdfa"}

# A graph that refused updates must leave alone: CLEAR NAMED would empty it, and the WITH <addresses>
# update of bad_update_dataset_conflict would rename its Bill.
SENTINEL_INSERT = ('INSERT DATA { GRAPH <http://example/addresses> { <http://example/w3c-runner/person> '
                   '<http://xmlns.com/foaf/0.1/givenName> "Bill" } }')
SENTINEL_ASK = ('ASK { GRAPH <http://example/addresses> { <http://example/w3c-runner/person> '
                '<http://xmlns.com/foaf/0.1/givenName> "Bill" } }')


@dataclass
class Service:
    """A running `kg serve` (update on, bearer TOKEN)."""

    url: str
    log: Path
    token: str = TOKEN

    def alive(self) -> bool:
        try:
            return httpx.get(self.url + "/health", timeout=60).status_code == 200
        except httpx.HTTPError:
            return False

    def worker_deaths(self) -> list[str]:
        """Log lines of query workers that stopped unexpectedly (a crash, not a time-limit kill)."""
        return [line for line in self.log.read_text(errors="replace").splitlines()
                if "worker stopped unexpectedly" in line]


def data_quads(files: tuple[str, ...] = ("data1.nt", "data2.nt", "data3.nt")) -> list[tuple[Any, Any, Any, URIRef]]:
    """The protocol suite's dataN.nt, each in the graph the manifest labels it with (KASEI dataN.rdf)."""
    quads = []
    for name in files:
        graph = URIRef(KASEI + name.removesuffix(".nt") + ".rdf")
        quads += [(s, p, o, graph) for s, p, o in Graph().parse(PROTOCOL_DIR / name, format="nt")]
    return quads


@contextmanager
def kg_serve(root: Path, *, data: bool = True) -> Iterator[Service]:
    """`kg serve` on a fresh Oxigraph store under `root` (the suite's data1-3 graphs, or empty), update on."""
    store_path = root / "store"
    with open_store("oxigraph", store_path) as store:
        store.replace_all(data_quads() if data else [])
    env = {**os.environ, "KG_STORE": "oxigraph", "KG_STORE_PATH": str(store_path), "KG_HOST": "127.0.0.1",
           "KG_PORT": str(free_port()), "KG_QUERY_TIMEOUT": "10", "KG_QUERY_WORKERS": "2",
           "KG_MAX_RESULTS": "10000", "KG_UPDATE_TOKEN": TOKEN, "KG_LOAD_IF_EMPTY": "false"}
    env.pop("KG_BASE_URL", None)
    log = root / "server.log"
    with running_kg_serve(env, log) as (url, _process):
        yield Service(url, log)


# -- sending -----------------------------------------------------------------------------------------------

def endpoint(service: Service, kind: str) -> str:
    return service.url + ("/sparql" if kind == "query" else "/sparql/update")


def send(service: Service, req: Req) -> httpx.Response:
    """The request as the table gives it: method, URL parameters percent-encoded, body in its encoding,
    only the content-type the manifest gives (none when it gives none); update requests carry the token."""
    url = endpoint(service, req.endpoint)
    if req.params:
        url += "?" + urlencode(req.params, quote_via=quote)
    headers = {"Content-Type": req.content_type} if req.content_type else {}
    if req.endpoint == "update":
        headers["Authorization"] = f"Bearer {service.token}"
    content = None if req.body is None else req.body.encode(req.encoding.lower())
    return httpx.request(req.method, url, headers=headers, content=content, timeout=60)


def update(service: Service, text: str) -> httpx.Response:
    return httpx.post(endpoint(service, "update"), content=text.encode(), timeout=60,
                      headers={"Content-Type": "application/sparql-update",
                               "Authorization": f"Bearer {service.token}"})


def ask(service: Service, text: str) -> bool:
    r = httpx.post(endpoint(service, "query"), content=text.encode(), timeout=60,
                   headers={"Content-Type": "application/sparql-query",
                            "Accept": "application/sparql-results+json"})
    assert r.status_code == 200, f"runner's ASK failed: {r.status_code} {r.text}"
    return bool(r.json()["boolean"])


def show(r: httpx.Response) -> str:
    body = r.text if len(r.text) <= 600 else r.text[:600] + "…"
    return f"{r.request.method} {r.request.url.path} -> {r.status_code} {r.headers.get('content-type', '')}: {body}"


# -- the protocol tests ------------------------------------------------------------------------------------

def reset(service: Service, case: Case, extra: tuple[str, ...] = ()) -> None:
    """DROP ALL, then the test's graph data (and `extra` files, and the sentinel when the test must not
    change the store), through SPARQL Update."""
    inserts = ["DROP ALL"]
    files = tuple(dict.fromkeys(case.graph_data + extra))
    if files:
        by_graph: dict[str, list[str]] = {}
        for s, p, o, g in data_quads(files):
            by_graph.setdefault(str(g), []).append(f"{s.n3()} {p.n3()} {o.n3()} .")
        inserts.append("INSERT DATA { " + " ".join(f"GRAPH <{g}> {{ {' '.join(t)} }}" for g, t in by_graph.items())
                       + " }")
    if case.store_unchanged:
        inserts.append(SENTINEL_INSERT)
    r = update(service, " ;\n".join(inserts))
    assert r.status_code == 200, f"runner could not set up the store: {show(r)}"


def media(r: httpx.Response) -> str:
    return str(r.headers.get("content-type", "")).split(";")[0].strip().lower()


def boolean_of(r: httpx.Response) -> bool:
    if media(r) == "application/sparql-results+json":
        return bool(json.loads(r.content)["boolean"])
    node = ElementTree.fromstring(r.content).find(f"{SPARQL_RESULTS_XML}boolean")
    assert node is not None and node.text in ("true", "false"), r.text
    return node.text == "true"


def check(req: Req, r: httpx.Response) -> list[str]:
    """What is wrong with the response `r` to `req` by the manifest's expectation (nothing: [])."""
    status_class = f"{r.status_code // 100}xx"
    if status_class not in req.expect:
        return [f"expected {'/'.join(sorted(req.expect))}, got {show(r)}"]
    if req.endpoint == "update" and r.status_code in (401, 403):
        return [f"the 4xx is the token check, not the protocol: {show(r)}"]
    problems = []
    kind = media(r)
    try:
        if req.format == "boolean" and kind not in BOOLEAN:
            problems.append(f"boolean result expected as SPARQL XML/JSON, got {kind}")
        elif req.format == "tabular":
            if kind not in TABULAR:
                problems.append(f"tabular result expected (XML, JSON, CSV, TSV), got {kind}")
            elif kind == "application/sparql-results+json":
                json.loads(r.content)["results"]["bindings"]
        elif req.format == "RDF":
            if kind not in RDF:
                problems.append(f"RDF expected (RDF/XML, Turtle, N-Triples, RDFa), got {kind}")
            else:
                Graph().parse(data=r.content, format=RDF[kind])
        if req.boolean is not None and not problems and boolean_of(r) is not req.boolean:
            problems.append(f"expected boolean {req.boolean}, got {show(r)}")
    except Exception as exc:  # a body that does not parse as its media type
        problems.append(f"unreadable {kind} body ({exc}): {show(r)}")
    return problems


def run_case(service: Service, case: Case) -> list[str]:
    """Run one protocol test: set up its data, send its requests in order, check each; the problems.
    A test refused by policy: its first request must get the documented refusal, then the variant the
    policy allows runs (parameter dropped, graphs held beforehand) and must meet the manifest."""
    reset(service, case)
    problems: list[str] = []
    requests = list(case.requests)
    if (refused := case.refused) is not None:
        r = send(service, requests[0])
        error = r.json().get("error") if media(r) == "application/json" else None
        if (r.status_code, error) != (refused.status, refused.error):
            problems.append(f"request 1: expected the documented refusal {refused.status} {refused.error} "
                            f"({refused.reason}), got {show(r)}")
        if refused.param is not None:
            requests = [req.without(*refused.param) for req in requests]
        reset(service, case, refused.preload)
    for n, req in enumerate(requests, 1):
        r = send(service, req)
        problems += [f"request {n}{' (variant)' if refused else ''}: {p}" for p in check(req, r)]
    if case.store_unchanged and not ask(service, SENTINEL_ASK):
        problems.append("the refused update changed the store")
    return problems


# -- the syntax tests --------------------------------------------------------------------------------------

# Positive syntax tests the service refuses by its documented policy: nothing is ever fetched from
# elsewhere (docs/api.md, Safety; kg/sparql/safety.py), so LOAD, and FROM / FROM NAMED / USING naming a
# graph the store does not hold, are refused with 400 UnsafeQueryError. Test id -> the keyword that
# makes it so (tests/test_w3c_syntax.py checks each file holds it, and that no other positive test does).
REFUSED_BY_POLICY = {
    "syntax-update-1/syntax-update-01.ru": "LOAD",
    "syntax-update-1/syntax-update-02.ru": "LOAD",
    "syntax-update-1/syntax-update-03.ru": "LOAD",
    "syntax-update-1/syntax-update-04.ru": "LOAD",
    "syntax-update-1/syntax-update-37.ru": "LOAD",
    "syntax-update-1/syntax-update-32.ru": "USING",
    "syntax-query/syntax-construct-where-02.rq": "FROM",
    "syntax-sparql2/syntax-dataset-01.rq": "FROM",
    "syntax-sparql2/syntax-dataset-02.rq": "FROM",
    "syntax-sparql2/syntax-dataset-03.rq": "FROM",
    "syntax-sparql2/syntax-dataset-04.rq": "FROM",
}
POLICY_KEYWORDS = ("LOAD", "USING", "FROM")
# Documented answers to a well-formed query that are not results: the result cap, the time limit.
QUERY_CAPS = {422: "ResultTooLargeError", 503: "QueryTimeoutError"}


def refused_by_policy(test: SyntaxTest) -> str | None:
    """The keyword for which the service refuses this positive test by policy, or None."""
    return REFUSED_BY_POLICY.get(test.id) if test.positive else None


def is_update(test: SyntaxTest) -> bool:
    return test.action.suffix == ".ru"


def send_syntax(service: Service, test: SyntaxTest) -> httpx.Response:
    text = test.action.read_bytes()
    if is_update(test):
        return httpx.post(endpoint(service, "update"), content=text, timeout=60,
                          headers={"Content-Type": "application/sparql-update",
                                   "Authorization": f"Bearer {service.token}"})
    return httpx.post(endpoint(service, "query"), content=text, timeout=60,
                      headers={"Content-Type": "application/sparql-query"})


def error_class(r: httpx.Response) -> str | None:
    try:
        return str(r.json().get("error"))
    except ValueError:
        return None


def check_syntax(test: SyntaxTest, r: httpx.Response) -> str | None:
    """What is wrong with the service's answer to a syntax test (None: as expected)."""
    if not test.positive:
        return None if r.status_code == 400 else f"negative syntax test: expected 400, got {show(r)}"
    if (keyword := refused_by_policy(test)) is not None:
        ok = r.status_code == 400 and error_class(r) == "UnsafeQueryError"
        return None if ok else f"{keyword}: expected the documented refusal 400 UnsafeQueryError, got {show(r)}"
    if 200 <= r.status_code < 300:
        return None
    if not is_update(test) and QUERY_CAPS.get(r.status_code) == error_class(r):
        return None
    if is_update(test) and r.status_code == 400 and error_class(r) == "UpdateEvaluationError":
        return None  # parsed and run, but e.g. DROP GRAPH of a graph the throwaway store lacks (no SILENT)
    return f"positive syntax test: expected 2xx, got {show(r)}"
