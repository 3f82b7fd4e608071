"""Set semantics for the default graph (issue #12, item 2): the same triple in several claim graphs is one
fact. Every path that reads the default graph — /sparql (GET and POST), `kg query`, `GET /store?default`,
rdflib's SPARQLStore, the store API — sees each triple once and `COUNT(*)` is the number of distinct
triples, while `GRAPH ?g` still sees every claim graph; every write path (load, replace_graph, SPARQL
Update in the write child and in process) keeps it so (kg/store/oxigraph.py, "Set semantics")."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pyoxigraph as ox
import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr
from rdflib import Graph, Literal, URIRef
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from rdflib.term import Node

from api import create_app
from kg.loader import Build
from kg.namespaces import CLAIM
from kg.store import Table, open_store
from kg.store import generations as gens
from kg.store.memory import MemoryStore
from kg.store.oxigraph import OxigraphStore, data_only_probe

from .api_support import (  # noqa: F401 - fixtures
    TOKEN,
    Server,
    api_store_dir_fixture,
    copy_store,
    server_fixture,
    settings,
)

PREFIXES = ("PREFIX aic: <https://w3id.org/aichips/ontology#>\n"
            "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n")
TOUR = PREFIXES + "SELECT ?m ?l WHERE { ?m a aic:LargeLanguageModel ; rdfs:label ?l }"
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
JSON = "application/sparql-results+json"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
A, B, C = URIRef("urn:x:a"), URIRef("urn:x:b"), URIRef("urn:x:c")
G1, G2 = URIRef("urn:x:g1"), URIRef("urn:x:g2")


@contextmanager
def opened(path: Path, *, read_only: bool = False) -> Iterator[OxigraphStore]:
    store = OxigraphStore(path, read_only=read_only)
    try:
        yield store
    finally:
        store.close()


def distinct_triples(build: Build) -> set[tuple[Node, Node, Node]]:
    """Computed from the compiled quads, independently of any store."""
    return {(s, p, o) for s, p, o, _ in build.quads()}


def shared_triple(build: Build) -> tuple[tuple[Node, Node, Node], list[URIRef]]:
    """A triple of the shipped graph that several claim graphs assert, and those graphs."""
    graphs: dict[tuple[Node, Node, Node], list[URIRef]] = {}
    for s, p, o, g in build.quads():
        if str(g).startswith(str(CLAIM)):
            graphs.setdefault((s, p, o), []).append(g)
    triple, names = max(graphs.items(), key=lambda item: len(item[1]))
    return triple, names


def n3(triple: tuple[Node, Node, Node]) -> str:
    return " ".join(t.n3() for t in triple)


def number(table: object) -> int:
    assert isinstance(table, Table)
    return int(str(table.rows[0]["n"]))


def json_count(body: bytes) -> int:
    return int(json.loads(body)["results"]["bindings"][0]["n"]["value"])


@pytest.fixture(scope="module")
def store_dir(shipped: Build, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("set-semantics")
    with open_store("oxigraph", path) as store:
        store.replace_all(shipped.quads())
    return path


@pytest.fixture(scope="module")
def client(store_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    """The app on its own copy of the store, update on (the updates below change that copy only)."""
    path = copy_store(store_dir, tmp_path_factory.mktemp("set-semantics-api") / "store")
    app = create_app(settings(path, update_token=SecretStr(TOKEN), max_results=1_000_000, update_timeout=30.0))
    with TestClient(app) as c:
        yield c


@pytest.fixture
def writable(store_dir: Path, tmp_path: Path) -> Iterator[OxigraphStore]:
    store = OxigraphStore(copy_store(store_dir, tmp_path / "store"))
    yield store
    store.close()


def test_the_shipped_graph_asserts_some_triples_in_several_claim_graphs(shipped: Build) -> None:
    """What makes the rest meaningful: the union of the quads has duplicates."""
    quads = list(shipped.quads())
    assert len(quads) > len(distinct_triples(shipped))
    assert len(shared_triple(shipped)[1]) >= 2


# -- reads ------------------------------------------------------------------------------------------------

def test_tour_query_has_no_duplicate_rows(client: TestClient, store_dir: Path) -> None:
    get = client.get("/sparql", params={"query": TOUR}, headers={"Accept": JSON})
    post = client.post("/sparql", content=TOUR.encode(), headers={"Content-Type": "application/sparql-query",
                                                                 "Accept": JSON})
    for response in (get, post):
        assert response.status_code == 200, response.text
        rows = [(b["m"]["value"], b["l"]["value"]) for b in response.json()["results"]["bindings"]]
        assert rows and len(rows) == len(set(rows)), Counter(rows).most_common(3)
    with opened(store_dir, read_only=True) as store:
        table = store.query(TOUR)
        assert isinstance(table, Table)
        rows = [(str(r["m"]), str(r["l"])) for r in table.rows]
        assert len(rows) == len(set(rows))


def test_kg_query_has_no_duplicate_rows(store_dir: Path) -> None:
    env = {**os.environ, "KG_STORE_PATH": str(store_dir)}
    tour = "SELECT ?m ?l WHERE { ?m a aic:LargeLanguageModel ; rdfs:label ?l }"
    done = subprocess.run([sys.executable, "-m", "kg", "query", "-f", "csv", "-e", tour], capture_output=True,
                          text=True, env=env, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()[1:]
    assert lines and len(lines) == len(set(lines))


def test_count_star_is_the_number_of_distinct_triples(client: TestClient, store_dir: Path, shipped: Build) -> None:
    expected = len(distinct_triples(shipped))
    r = client.get("/sparql", params={"query": COUNT}, headers={"Accept": JSON})
    assert r.status_code == 200 and json_count(r.content) == expected
    r = client.post("/sparql", data={"query": COUNT}, headers={"Accept": JSON})
    assert r.status_code == 200 and json_count(r.content) == expected
    with opened(store_dir, read_only=True) as store:
        assert number(store.query(COUNT)) == expected
        assert int(store.select_json(COUNT).rows[0]["n"]["value"]) == expected
        assert sum(1 for _ in store.select_iter("SELECT * WHERE { ?s ?p ?o }")) == expected
        # The named graphs are counted as quads, as before.
        assert store.count() == len(list(shipped.quads()))


def test_graph_store_default_graph_has_no_duplicates(client: TestClient, shipped: Build) -> None:
    r = client.get("/store?default", headers={"Accept": "application/n-triples"})
    assert r.status_code == 200, r.text
    lines = [line for line in r.text.splitlines() if line.strip()]
    assert len(lines) == len(set(lines)) == len(distinct_triples(shipped))
    assert len(Graph().parse(data=r.text, format="nt")) == len(lines)
    quads = client.get("/store?default", headers={"Accept": "application/n-quads"})  # named graphs kept
    assert len([line for line in quads.text.splitlines() if line.strip()]) == len(list(shipped.quads()))


def test_sparqlstore_sees_each_triple_once(server: Server, shipped: Build) -> None:
    (s, p, _o), names = shared_triple(shipped)
    g = Graph(store=SPARQLStore(server.url + "/sparql", returnFormat="json"))
    found = list(g.triples((s, p, None)))
    expected = {(s_, p_, o_) for s_, p_, o_ in distinct_triples(shipped) if s_ == s and p_ == p}
    assert len(found) == len(set(found)) == len(expected), (names, found)
    assert len(g) == len(distinct_triples(shipped))


def test_named_graph_access_is_unchanged(client: TestClient, shipped: Build) -> None:
    quads = list(shipped.quads())
    r = client.get("/sparql", params={"query": "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"},
                   headers={"Accept": JSON})
    assert json_count(r.content) == len(quads)
    triple, names = shared_triple(shipped)
    r = client.get("/sparql", params={"query": f"SELECT ?g WHERE {{ GRAPH ?g {{ {n3(triple)} }} }}"},
                   headers={"Accept": JSON})
    assert sorted(b["g"]["value"] for b in r.json()["results"]["bindings"]) == sorted(map(str, names))
    claim = names[0]
    r = client.get("/store", params={"graph": str(claim)}, headers={"Accept": "application/n-triples"})
    assert len(Graph().parse(data=r.text, format="nt")) == sum(1 for *_, g in quads if g == claim)
    # The protocol's dataset: only named graphs given, the default graph is empty (not the stored union).
    r = client.get("/sparql", params={"query": COUNT, "named-graph-uri": str(claim)}, headers={"Accept": JSON})
    assert json_count(r.content) == 0
    r = client.get("/sparql", params={"query": PREFIXES + f"SELECT (COUNT(*) AS ?n) FROM NAMED <{claim}> "
                                      "WHERE { ?s ?p ?o }"}, headers={"Accept": JSON})
    assert json_count(r.content) == 0


def test_blank_nodes_of_the_default_graph_are_those_of_the_named_graphs(store_dir: Path) -> None:
    with opened(store_dir, read_only=True) as store:
        blank = number(store.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o FILTER isBlank(?s) }"))
        joined = number(store.query("SELECT (COUNT(DISTINCT *) AS ?n) WHERE { ?s ?p ?o "
                                    "FILTER isBlank(?s) FILTER EXISTS { GRAPH ?g { ?s ?p ?o } } }"))
        assert blank > 0 and joined == blank  # the ontology's RDF lists


# -- writes -----------------------------------------------------------------------------------------------

def _held(client: TestClient, triple: tuple[Node, Node, Node]) -> tuple[int, list[str]]:
    """(solutions of the triple in the default graph, graphs that hold it)."""
    r = client.get("/sparql", params={"query": f"SELECT (COUNT(*) AS ?n) WHERE {{ {n3(triple)} }}"},
                   headers={"Accept": JSON})
    assert r.status_code == 200, r.text
    g = client.get("/sparql", params={"query": f"SELECT ?g WHERE {{ GRAPH ?g {{ {n3(triple)} }} }}"},
                   headers={"Accept": JSON})
    return json_count(r.content), sorted(b["g"]["value"] for b in g.json()["results"]["bindings"])


def _update(client: TestClient, text: str) -> None:
    r = client.post("/sparql/update", content=text.encode(),
                    headers={**AUTH, "Content-Type": "application/sparql-update"})
    assert r.status_code == 200, r.text


def test_update_inserting_a_present_triple_then_deleting_it_graph_by_graph(client: TestClient, shipped: Build) -> None:
    triple, names = shared_triple(shipped)
    other = "https://w3id.org/aichips/graph/scratch-set-semantics"
    _update(client, f"INSERT DATA {{ GRAPH <{other}> {{ {n3(triple)} }} }}")
    count, graphs = _held(client, triple)
    assert count == 1 and graphs == sorted([*map(str, names), other])
    r = client.get("/sparql", params={"query": COUNT}, headers={"Accept": JSON})
    assert json_count(r.content) == len(distinct_triples(shipped))  # nothing new: the triple was there
    for i, name in enumerate([*map(str, names), other]):
        _update(client, f"DELETE DATA {{ GRAPH <{name}> {{ {n3(triple)} }} }}")
        count, graphs = _held(client, triple)
        last = i == len(names)
        assert count == (0 if last else 1), (name, graphs)
    r = client.get("/sparql", params={"query": COUNT}, headers={"Accept": JSON})
    assert json_count(r.content) == len(distinct_triples(shipped)) - 1
    _update(client, f"INSERT DATA {{ GRAPH <{names[0]}> {{ {n3(triple)} }} }}")  # back as it was
    assert _held(client, triple) == (1, [str(names[0])])


@pytest.mark.parametrize("in_child", [True, False], ids=["write-child", "in-process"])
def test_every_kind_of_update_keeps_the_default_graph_a_set(writable: OxigraphStore, in_child: bool) -> None:
    timeout = 30.0 if in_child else None
    t = f"<{A}> <{B}> <{C}>"

    def apply(text: str) -> None:
        writable.update(text, timeout=timeout)

    def solutions() -> int:
        return number(writable.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ {t} }}"))

    apply(f"INSERT DATA {{ GRAPH <{G1}> {{ {t} }} GRAPH <{G2}> {{ {t} }} }}")  # INSERT DATA: the probe path
    assert solutions() == 1
    apply(f"DELETE {{ GRAPH <{G1}> {{ ?s ?p ?o }} }} WHERE {{ GRAPH <{G1}> {{ ?s ?p ?o }} }}")  # the full pass
    assert solutions() == 1 and [g for *_, g in writable.match(A, B, C)] == [G2]
    apply(f"DROP GRAPH <{G2}>")
    assert solutions() == 0
    apply(f"INSERT {{ GRAPH <{G1}> {{ {t} }} }} WHERE {{}} ; COPY <{G1}> TO <{G2}>")
    assert solutions() == 1 and len(list(writable.match(A, B, C))) == 2
    # The update's WHERE reads the default graph as the distinct union.
    apply(PREFIXES + f"INSERT {{ GRAPH <{G1}> {{ ?m <{B}> 1 }} }} WHERE {{ ?m a aic:LargeLanguageModel }}")
    models = number(writable.query(PREFIXES + "SELECT (COUNT(DISTINCT ?m) AS ?n) WHERE "
                                   "{ ?m a aic:LargeLanguageModel }"))
    assert models > 0 and number(writable.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{G1}> "
                                                f"{{ ?m <{B}> 1 }} }}")) == models
    assert _consistent(writable)


@pytest.mark.parametrize("in_child", [True, False], ids=["write-child", "in-process"])
def test_writes_addressing_the_default_graph_change_nothing(writable: OxigraphStore, in_child: bool) -> None:
    timeout = 30.0 if in_child else None
    before = number(writable.query(COUNT))
    writable.update(f"INSERT DATA {{ <{A}> <{B}> <{C}> }}", timeout=timeout)
    assert not writable.query(f"ASK {{ <{A}> <{B}> <{C}> }}")
    writable.update("CLEAR DEFAULT", timeout=timeout)
    writable.update("DELETE WHERE { ?s ?p ?o }", timeout=timeout)
    assert number(writable.query(COUNT)) == before
    writable.update("CLEAR ALL", timeout=timeout)
    assert number(writable.query(COUNT)) == 0 and writable.count() == 0


def test_replace_graph_keeps_the_default_graph_a_set(writable: OxigraphStore, shipped: Build) -> None:
    triple, names = shared_triple(shipped)
    writable.replace_graph(names[0], [(A, B, Literal("new"))])
    assert number(writable.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ {n3(triple)} }}")) == 1  # others hold it
    assert writable.query(f'ASK {{ <{A}> <{B}> "new" }}')
    for name in names[1:]:
        writable.replace_graph(name, [])
    assert not writable.query(f"ASK {{ {n3(triple)} }}")
    assert _consistent(writable)


def test_load_file_keeps_only_named_graphs_and_derives_the_default_graph(tmp_path: Path, shipped: Build) -> None:
    nq = tmp_path / "data.nq"
    quads = [ox.Quad(ox.NamedNode(str(A)), ox.NamedNode(str(B)), ox.NamedNode(str(C)), ox.NamedNode(str(g)))
             for g in (G1, G2)] + [ox.Quad(ox.NamedNode(str(C)), ox.NamedNode(str(B)), ox.NamedNode(str(A)))]
    ox.serialize(quads, str(nq), ox.RdfFormat.N_QUADS)
    with opened(tmp_path / "store") as store:
        store.load_file(nq, ox.RdfFormat.N_QUADS)
        assert number(store.query(COUNT)) == 1 and store.count() == 2
        assert _consistent(store)


def test_memory_store_default_graph_is_a_set(shipped: Build) -> None:
    store = MemoryStore()
    store.replace_all(shipped.quads())
    assert number(store.query(COUNT)) == len(distinct_triples(shipped))
    table = store.query(TOUR)
    assert isinstance(table, Table)
    rows = [tuple(sorted(r.items())) for r in table.rows]
    assert len(rows) == len(set(rows))


# -- the old behaviour ------------------------------------------------------------------------------------

def test_regression_the_union_of_quads_counted_a_triple_once_per_graph(tmp_path: Path) -> None:
    """Main before this change answered 2 here (Oxigraph's union default graph: one solution per quad)."""
    with opened(tmp_path / "store") as store:
        store.replace_all([(A, B, C, G1), (A, B, C, G2)])
        assert number(store.query(COUNT)) == 1
        assert len(store.query(f"SELECT * WHERE {{ <{A}> ?p ?o }}").rows) == 1  # type: ignore[union-attr]
        assert store.dump("ntriples").decode().count("\n") == 1
        assert store.count() == 2


def test_a_store_written_before_is_read_as_the_union_and_brought_up_to_date(tmp_path: Path) -> None:
    root = tmp_path / "store"
    with opened(root) as store:
        store.replace_all([(A, B, C, G1), (A, B, C, G2)])
        gen = store.generation
    # As the previous version wrote it: no default graph, no mark.
    native = ox.Store(str(gen))
    native.clear_graph(ox.DefaultGraph())
    native.flush()
    del native
    (gen / gens.META).write_text(json.dumps({"empty": False}), encoding="utf-8")
    with opened(root, read_only=True) as old:
        assert old.count() == 2 and len(old.query(f"SELECT * WHERE {{ <{A}> ?p ?o }}").rows) == 2  # type: ignore[union-attr]
    with opened(root) as store:  # a read-write open writes the default graph once
        assert store.generation != gen
        assert number(store.query(COUNT)) == 1 and _consistent(store)
        assert store.changes_since(None)[-1]["kind"] == "migrate"


def test_only_data_operations_get_a_probe() -> None:
    assert data_only_probe("PREFIX x: <urn:x:> INSERT DATA { GRAPH x:g { x:a x:b x:c } } ;\n"
                           "delete DATA { GRAPH x:g { x:a x:b 1 } }") == (
        "PREFIX x: <urn:x:> INSERT DATA { GRAPH x:g { x:a x:b x:c } } ;\nINSERT DATA { GRAPH x:g { x:a x:b 1 } }")
    for text in ("DELETE WHERE { ?s ?p ?o }", "INSERT { ?s ?p ?o } WHERE { ?s ?p ?o }", "CLEAR DEFAULT",
                 "WITH <urn:g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }", "COPY <urn:a> TO <urn:b>",
                 "INSERT DATA { <urn:a> <urn:b> 1 } ; DROP ALL"):
        assert data_only_probe(text) is None, text


def _consistent(store: OxigraphStore) -> bool:
    """The stored default graph is exactly the set of the named graphs' triples."""
    with store.pinned() as native:
        default = {(q.subject, q.predicate, q.object) for q in native.quads_for_pattern(None, None, None,
                                                                                       ox.DefaultGraph())}
        named = {(q.subject, q.predicate, q.object) for q in native.quads_for_pattern(None, None, None, None)
                 if not isinstance(q.graph_name, ox.DefaultGraph)}
    return default == named
