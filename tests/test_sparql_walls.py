"""Nothing let in: the query that is checked is the query that runs, and the threads that run it cannot
reach the network. Each attack below reached a loopback listener (or killed a worker) before this
design; now the listener hears nothing and the workers live."""

from __future__ import annotations

import contextlib
import os
import threading
from pathlib import Path
from typing import Any

import httpx
import pyoxigraph as ox
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kg.errors import KGError, UnsafeQueryError
from kg.sandbox import enter_network_sandbox, network_reachable
from kg.sparql.safety import inspect_query, inspect_update
from kg.sparql.tokens import MAX_DEPTH, normalise
from tests.api_support import (  # noqa: F401 - fixtures
    TOKEN,
    Listener,
    Server,
    api_store_dir_fixture,
    listener_fixture,
    server_fixture,
)

AUTH = {"Authorization": f"Bearer {TOKEN}"}
ROOT = os.geteuid() == 0


def _query(server: Server, text: str) -> httpx.Response:
    return server.post("/sparql", content=text.encode(), headers={"Content-Type": "application/sparql-query"})


def _update(server: Server, text: str) -> httpx.Response:
    return server.post("/sparql/update", content=text.encode(),
                       headers={**AUTH, "Content-Type": "application/sparql-update"})


def hidden_services(url: str) -> list[str]:
    """SERVICE calls that a second parser missed, or that Oxigraph reads where the grammar has none."""
    return [
        f"SELECT * WHERE {{ # c\r SERVICE <{url}/x> {{ ?x ?y ?z }}\n }}",  # CR ends the comment for Oxigraph
        f"SELECT * WHERE {{ ?s ?p true SERVICE<{url}/x>{{ ?x ?y ?z }} }}".replace("true SERVICE", "trueSERVICE"),
        f"PREFIX : <{url}/> SELECT * WHERE {{ SERVICE:{{ ?x ?y ?z }} }}",  # keyword matched as a prefix
        f"SELECT * WHERE {{ SERVICESILENT<{url}/x>{{ ?x ?y ?z }} }}",
        f"SELECT * WHERE {{ ?s ?p 1SERVICE<{url}/x>{{ ?x ?y ?z }} }}",
        # `<` is an operator to Oxigraph but starts an IRI for the grammar's terminals: a `#` inside would
        # start a comment for one reader only, and a long string then hides the SERVICE from the other.
        f'SELECT * WHERE {{ ?s ?p ?o FILTER(?o<?y#>"""\n) SERVICE <{url}/x> {{ ?x ?y ?z }} #"""\n}}',
    ]


@pytest.mark.parametrize("index", range(6))
def test_hidden_service_never_reaches_the_listener(server: Server, listener: Listener, index: int) -> None:
    r = _query(server, hidden_services(listener.url)[index])
    assert r.status_code == 400, r.text
    assert r.json()["error"] in ("UnsafeQueryError", "QuerySyntaxError")
    assert listener.requests == []


def test_hidden_load_never_stores_the_fetched_triple(server: Server, listener: Listener) -> None:
    r = _update(server, f"# c\r LOAD <{listener.url}/data.ttl> INTO GRAPH <urn:x>")
    assert r.status_code == 400 and r.json()["error"] == "UnsafeQueryError"
    assert _query(server, "ASK { GRAPH <urn:x> { ?s ?p ?o } }").json()["boolean"] is False
    assert listener.requests == []


def test_remote_using_refused_with_allowed(server: Server, listener: Listener) -> None:
    r = _update(server, f"INSERT {{ <urn:a> <urn:b> ?o }} USING <{listener.url}/g> WHERE {{ ?s ?p ?o }}")
    assert r.status_code == 400 and r.json()["error"] == "UnsafeQueryError"
    r = server.post("/sparql/update", params={"using-graph-uri": f"{listener.url}/g"},
                    content=b"INSERT { <urn:a> <urn:b> ?o } WHERE { ?s ?p ?o }",
                    headers={**AUTH, "Content-Type": "application/sparql-update"})
    assert r.status_code == 400 and r.json()["error"] == "UnsafeQueryError"
    # WITH names the graph written to; it need not exist, and no engine fetches it
    r = _update(server, "WITH <urn:walls:new> INSERT { <urn:a> <urn:b> <urn:c> } WHERE { }")
    assert r.status_code == 200, r.text
    _update(server, "DROP SILENT GRAPH <urn:walls:new>")
    assert listener.requests == []


def test_deep_nesting_is_a_400_and_the_worker_lives(server: Server) -> None:
    deep = "SELECT * WHERE " + "{" * 10_000 + " ?s ?p ?o " + "}" * 10_000
    r = _query(server, deep)
    assert r.status_code == 400 and "nested" in r.json()["message"]
    ok = "SELECT * WHERE " + "{" * (MAX_DEPTH - 2) + " ?s ?p ?o " + "}" * (MAX_DEPTH - 2) + " LIMIT 1"
    assert _query(server, ok).status_code == 200
    health = server.get("/health").json()
    assert health["workers"]["alive"] == health["workers"]["workers"]


def test_valid_queries_the_old_check_refused(server: Server) -> None:
    assert _query(server, "SELECT * WHERE { <a> <b> <c> }").status_code == 200  # relative IRIs
    assert _query(server, "DESCRIBE * WHERE { ?s a <https://w3id.org/aichips/ontology#Chip> }").status_code == 200
    big = "ASK { FILTER(1=1" + " && 1=1" * 2_500 + ") }"  # 20 KB: seconds in rdflib's parser, none here
    r = _query(server, big)
    assert r.status_code == 200 and r.json()["boolean"] is True
    values = "SELECT (COUNT(*) AS ?n) WHERE { VALUES ?x { " + " ".join(f"<urn:v{i}>" for i in range(4_000)) + " } }"
    r = _query(server, values)  # 40 KB of VALUES: timed out in the old check, not in the engine
    assert r.status_code == 200 and r.json()["results"]["bindings"][0]["n"]["value"] == "4000"


@pytest.mark.parametrize("text", ["", "# only a comment", "PREFIX a: <http://a.example/>"])
def test_empty_updates_are_no_ops(server: Server, text: str) -> None:
    r = _update(server, text)
    assert r.status_code == 200, r.text
    assert r.json()["applied"] == []


def test_relative_iris_in_updates_resolve_against_the_base(server: Server) -> None:
    assert _update(server, "INSERT DATA { GRAPH <walls-g> { <walls-a> <walls-b> <walls-c> } }").status_code == 200
    r = _query(server, "ASK { GRAPH <https://w3id.org/aichips/walls-g> "
                       "{ <https://w3id.org/aichips/walls-a> ?p ?o } }")
    assert r.json()["boolean"] is True
    _update(server, "DROP GRAPH <walls-g>")


@pytest.mark.skipif(not ROOT, reason="a network namespace needs root (or user namespaces) here")
def test_workers_and_writer_run_without_network(server: Server) -> None:
    assert server.get("/health").json()["sandbox"] == {"queries": "netns", "updates": "netns"}


@pytest.mark.skipif(not ROOT, reason="a network namespace needs root (or user namespaces) here")
def test_second_wall_stops_the_engine_itself(listener: Listener) -> None:
    """Oxigraph given SERVICE and LOAD directly, as if the check had a bug: nothing leaves the thread."""
    store = ox.Store()
    outcome: dict[str, Any] = {}

    def attack() -> None:
        outcome["sandbox"] = enter_network_sandbox("require")
        outcome["reachable"] = network_reachable()
        for name, call in (("service", lambda: list(store.query(f"SELECT * {{ SERVICE <{listener.url}/q> {{}} }}"))),
                           ("load", lambda: store.update(f"LOAD <{listener.url}/d.ttl>"))):
            try:
                call()
                outcome[name] = "ran"
            except OSError as exc:
                outcome[name] = str(exc)

    thread = threading.Thread(target=attack)
    thread.start()
    thread.join()
    assert outcome["sandbox"] == "netns" and outcome["reachable"] is False
    assert "unreachable" in outcome["service"] and "unreachable" in outcome["load"]
    assert listener.requests == []
    assert network_reachable()  # the rest of the process keeps its network


# -- the check and the engine read the same tokens, whatever the text -----------------------------------------

FRAGMENTS = ["#", "\r", "\n", '"', "'", '"""', "'''", "\\", "<", ">", "<?y#>", " ", "?o", "{", "}", "(", ")",
             "SERVICE", "service", "true", "1", ":", "PREFIX : <{url}/>", "<{url}/x>", " SERVICE <{url}/x> { } ",
             "SILENT", "FILTER(", "?o<", "&&", "\\u0023", "\\u0022", "@en", "_:b", "ex:a\\#b", "\x0c", "LOAD",
             "SERVICE<{url}/x>{}", "SERVICE:{}", "SERVICE ?v {}", ". ", "?s ?p ", "?s ?p true", "?s ?p 1"]


def _never_calls_out(listener: Listener, text: str) -> None:
    """If the check lets `text` through, the engine run on the checked text makes no request."""
    text = text.replace("{url}", listener.url)
    try:
        info = inspect_query(text, lambda _iri: True)
    except KGError:
        return
    store = ox.Store()  # data every fragment's pattern matches, so the engine really evaluates what follows
    for value in (ox.Literal("o"), ox.Literal(True), ox.Literal(1)):
        store.add(ox.Quad(ox.NamedNode("http://x/s"), ox.NamedNode("http://x/p"), value))
    with contextlib.suppress(SyntaxError, OSError, RuntimeError, ValueError):
        list(store.query(info.text, base_iri="http://base.example/"))
    assert listener.requests == [], f"checked text reached the network: {info.text!r}"


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.sampled_from(["", "PREFIX : <{url}/> "]), st.lists(st.sampled_from(FRAGMENTS), min_size=1, max_size=12))
def test_whatever_the_check_lets_through_never_calls_out(listener: Listener, prologue: str, parts: list[str]) -> None:
    _never_calls_out(listener, prologue + "SELECT * WHERE { ?s ?p ?o . " + "".join(parts) + " }")


GLUE = ["", " ", "\r", "\n", "\t", "#c\r", "#c\n"]
BEFORE = ["", "?s ?p true", "?s ?p 1", "?s ?p ?o .", "# c", 'FILTER(?o<?y#>"""', "'''", '"']
SPELLINGS = ["SERVICE", "service", "SeRvIcE", "SERVICE SILENT", "SERVICESILENT"]
AFTER = ["", '"""', "'''", "#", ") }"]


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.sampled_from(BEFORE), st.sampled_from(GLUE), st.sampled_from(SPELLINGS), st.sampled_from(GLUE),
       st.sampled_from(["<{url}/x>", ":", ":x"]), st.sampled_from(GLUE), st.sampled_from(AFTER))
def test_service_however_spelt_never_calls_out(listener: Listener, before: str, g1: str, keyword: str, g2: str,
                                               target: str, g3: str, after: str) -> None:
    """A SERVICE call put together from the spellings that once slipped through, in every combination."""
    body = before + g1 + keyword + g2 + target + g3 + "{ ?s ?p ?o }" + after
    _never_calls_out(listener, "PREFIX : <{url}/> SELECT * WHERE { ?s ?p ?o . " + body + " }")


def test_normalised_text_keeps_meaning() -> None:
    store = ox.Store()
    store.add(ox.Quad(ox.NamedNode("http://x/a#b"), ox.NamedNode("http://x/p"), ox.Literal("v#1")))
    text = 'SELECT ?s WHERE { ?s <http://x/p> "v#1" } # a comment with SERVICE <http://evil/> {}\n'
    normal = normalise(text)
    assert "#" not in normal and len(normal) == len(text) + 5  # the quoted "#" became \u0023
    assert [r["s"].value for r in store.query(normal)] == ["http://x/a#b"]


def test_update_check_sees_load_behind_a_carriage_return() -> None:
    with pytest.raises(UnsafeQueryError):
        inspect_update("# c\r LOAD <http://127.0.0.1:1/x>", lambda _iri: True)
    assert inspect_update("INSERT DATA { <urn:a> <urn:b> 'download' }", lambda _iri: True).operations == ["InsertData"]


# -- the engine's own crashes and overruns cost the query, not the worker -------------------------------------

def _restarts(server: Server) -> float:
    for line in server.get("/metrics").text.splitlines():
        if line.startswith("kg_query_worker_restarts_total "):
            return float(line.split()[1])
    raise AssertionError("no restart counter in /metrics")


def test_an_engine_abort_costs_neither_the_answer_nor_the_worker(server: Server) -> None:
    from tests.engine_cases import order_by_panic_values_query

    before = _restarts(server)
    r = _query(server, order_by_panic_values_query())  # aborts pyoxigraph 0.5.13 (SIGABRT) when evaluated
    assert r.status_code == 200, r.text
    # rerun with total-order keys (kg/sparql/ordering.py): the date after the numbers, numbers by value
    assert r.headers.get("kg-order") == "total-order-fallback"
    values = [b["o"]["value"] for b in r.json()["results"]["bindings"]]
    assert len(values) == 21 and values[:8] == ["2025-05-15"] * 8
    assert values[8:] == sorted(values[8:], key=int, reverse=True)
    r = _query(server, "SELECT * WHERE { ?s ?p ?o } ORDER BY DESC(?o)")  # the shipped graph's own mix
    assert r.status_code == 200, r.text
    assert _query(server, "ASK { ?s ?p ?o }").json()["boolean"] is True
    assert _restarts(server) == before


def test_a_runaway_query_is_stopped_without_losing_its_worker(server: Server) -> None:
    before = _restarts(server)
    r = _query(server, "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }")
    assert r.status_code == 503 and r.json()["error"] == "QueryTimeoutError"
    assert _restarts(server) == before
    health = server.get("/health").json()
    assert health["workers"]["alive"] == health["workers"]["workers"]


def test_kg_query_applies_the_same_policy(api_store_dir: Path, listener: Listener, tmp_path: Path) -> None:
    """`kg query` used to try the remote call (and end in a traceback): now the same check and wall."""
    import subprocess
    import sys

    from tests.api_support import copy_store

    store = copy_store(api_store_dir, tmp_path / "store")
    kg = str(Path(sys.executable).parent / "kg")
    env = {**os.environ, "KG_STORE_PATH": str(store)}
    for text in (f"SELECT * WHERE {{ SERVICE <{listener.url}/q> {{ ?s ?p ?o }} }}",
                 f"SELECT * WHERE {{ # c\r SERVICE <{listener.url}/q> {{ ?s ?p ?o }}\n }}"):
        result = subprocess.run([kg, "query", "-e", text], env=env, capture_output=True, text=True, check=False)
        assert result.returncode == 2 and "Traceback" not in result.stderr, result.stderr
        assert "SERVICE is not allowed" in result.stderr
    assert listener.requests == []


def test_head_on_the_query_endpoint(server: Server) -> None:
    r = httpx.head(server.url + "/sparql", params={"query": "ASK { ?s ?p ?o }"}, timeout=60)
    assert r.status_code == 200 and r.content == b""
    assert r.headers["content-type"].startswith("application/sparql-results+json")
    assert "HEAD" in httpx.options(server.url + "/sparql", timeout=60).headers["allow"]


def test_a_runaway_update_is_stopped_and_nothing_is_applied(server: Server) -> None:
    version = server.get("/health").json()["version"]
    # a WHERE with no answer that no index can find: it runs (flat in memory) until it is stopped
    # (an update's WHERE reads the store's default graph, empty here: the data is in named graphs)
    runaway = ('INSERT { GRAPH <urn:runaway> { ?a ?b ?c } } WHERE { GRAPH ?x { ?a ?b ?c } GRAPH ?y { ?d ?e ?f } '
               'GRAPH ?z { ?g ?h ?i } FILTER(CONCAT(STR(?a), STR(?d), STR(?g)) = "no such thing") }')
    r = _update(server, runaway)
    assert r.status_code == 503 and r.json()["error"] == "QueryTimeoutError", r.text
    assert "nothing was applied" in r.json()["message"]
    assert server.get("/health").json()["version"] == version
    assert _query(server, "ASK { GRAPH <urn:runaway> { ?s ?p ?o } }").json()["boolean"] is False
    r = _update(server, "INSERT DATA { GRAPH <urn:after-runaway> { <urn:a> <urn:b> <urn:c> } }")
    assert r.status_code == 200, r.text  # the writer is free again
    _update(server, "DROP GRAPH <urn:after-runaway>")


@pytest.mark.skipif(not ROOT, reason="a network namespace needs root (or user namespaces) here")
def test_the_update_child_keeps_the_writers_wall(listener: Listener, tmp_path: Path) -> None:
    """An update runs in a child process (for its time limit); started from the sandboxed writer thread,
    it has no network either: a LOAD that got past the check still reaches nothing."""
    from kg.store.oxigraph import OxigraphStore

    store = OxigraphStore(tmp_path / "store")
    outcome: dict[str, str] = {}

    def write() -> None:
        enter_network_sandbox("require")
        try:
            store.update(f"LOAD <{listener.url}/d.ttl> INTO GRAPH <urn:loaded>", timeout=30)
            outcome["load"] = "applied"
        except KGError as exc:
            outcome["load"] = str(exc)

    thread = threading.Thread(target=write)
    thread.start()
    thread.join()
    assert "unreachable" in outcome["load"], outcome
    assert listener.requests == []
    assert store.count() == 0
    store.close()
