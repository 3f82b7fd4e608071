"""A store over any SPARQL 1.1 server: Query, Update and (optionally) Graph Store Protocol endpoints.

Pre-binding: the SPARQL protocol cannot send variable bindings next to a query, so bound values are
written into the query as a `VALUES` block at the start of its outermost group. Each value is an
already-typed rdflib term (a URIRef or Literal that `kg.questions` built and checked, never a raw
caller string) serialised by rdflib's own `.n3()`, which escapes literals and refuses IRIs with
characters IRIs may not contain; blank nodes are refused. So no caller text is ever pasted into a
query. (A VALUES row joins with the group like a pre-bound variable; the named questions project
every parameter, so results are the same as with the embedded store's substitutions.)

Atomicity: every write is ONE SPARQL Update request (`DROP ALL; INSERT DATA {...}` for replace_all,
`DROP SILENT GRAPH; INSERT DATA` for replace_graph). Servers that run a request in one transaction
(Oxigraph, Fuseki/TDB2, GraphDB, RDF4J) apply it whole or not at all; servers that do not
(Virtuoso without `DEFINE sql:log-enable 3` being transactional, Neptune is transactional per request)
may leave part of it applied after a failure. See docs/scaling.md.

Version: the server has no content version, so each write also replaces one triple in the graph
`<https://w3id.org/aichips/graph/store-version>` with a fresh UUID, in the same request. `version`
reads it back; writes that bypass this class do not change it (callers caching per version must
then be told, e.g. by `touch()`).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any
from urllib.parse import urlencode

import httpx
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Identifier, Node

from ..errors import QueryError, QuerySyntaxError, StoreError
from .base import Quad, QueryResult, Store, Table, Triple
from .jsonrows import from_json_term, from_sparql_json
from .values import bind_values, term_n3

VERSION_GRAPH = URIRef("https://w3id.org/aichips/graph/store-version")
_VERSION_SUBJECT = URIRef("https://w3id.org/aichips/store")
_VERSION_PREDICATE = URIRef("https://w3id.org/aichips/ontology#storeVersion")
_JSON = "application/sparql-results+json"
_CHUNK = 50_000  # triples per INSERT DATA block (all blocks go in the same request); bnode graphs: one block


class RemoteStore(Store):
    kind = "remote"

    def __init__(self, query_url: str, update_url: str | None = None, gsp_url: str | None = None, *,
                 timeout: float = 300.0, client: httpx.Client | None = None) -> None:
        self.query_url = query_url
        self.update_url = update_url
        self.gsp_url = gsp_url
        self._client = client or httpx.Client(timeout=timeout)

    # -- reading -------------------------------------------------------------------------------------

    def query(self, sparql: str, bindings: Mapping[str, Identifier] | None = None, *,
              default_graphs: Sequence[URIRef] | None = None,
              named_graphs: Sequence[URIRef] | None = None) -> QueryResult:
        text = bind_values(sparql, bindings) if bindings else sparql
        data: list[tuple[str, str]] = [("query", text)]
        data += [("default-graph-uri", str(g)) for g in default_graphs or ()]
        data += [("named-graph-uri", str(g)) for g in named_graphs or ()]
        accept = f"{_JSON}, application/n-triples;q=0.9"
        headers = {"Accept": accept, "Content-Type": "application/x-www-form-urlencoded"}
        response = self._post(self.query_url, content=urlencode(data).encode("ascii"), headers=headers, what="query")
        ctype = response.headers.get("content-type", "").split(";")[0].strip()
        if ctype in (_JSON, "application/json"):
            return parse_json_results(response.json())
        graph = Graph()
        graph.parse(data=response.text, format="nt" if "n-triples" in ctype else "turtle")
        return graph

    @property
    def version(self) -> str:
        table = self.query("SELECT ?v WHERE { GRAPH ?g { ?s ?p ?v } }",
                           {"g": VERSION_GRAPH, "s": _VERSION_SUBJECT, "p": _VERSION_PREDICATE})
        assert isinstance(table, Table)
        return str(table.rows[0]["v"]) if table.rows else "unversioned"

    def quads(self, graph: URIRef | None = None) -> Iterator[Quad]:
        q = "SELECT ?s ?p ?o ?g WHERE { GRAPH ?g { ?s ?p ?o } }"
        table = self.query(q, {"g": graph} if graph is not None else None)
        assert isinstance(table, Table)
        for row in table.rows:
            g = row["g"]
            if isinstance(g, URIRef) and g != VERSION_GRAPH:
                yield row["s"], row["p"], row["o"], g

    def graph_names(self) -> list[URIRef]:
        table = self.query("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")
        assert isinstance(table, Table)
        return sorted(g for g in table.column("g") if isinstance(g, URIRef) and g != VERSION_GRAPH)

    def count(self, graph: URIRef | None = None) -> int:
        if graph is not None:
            table = self.query("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g", {"g": graph})
        else:
            table = self.query("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } FILTER(?g != ?v) }",
                               {"v": VERSION_GRAPH})
        assert isinstance(table, Table)
        return int(str(table.rows[0]["n"])) if table.rows else 0

    # -- writing -------------------------------------------------------------------------------------

    def update(self, sparql: str) -> None:
        self._update(f"{sparql.rstrip().rstrip(';')} ;\n{_bump_version()}")

    def replace_all(self, quads: Iterable[Quad]) -> None:
        by_graph: dict[URIRef, list[Triple]] = {}
        for s, p, o, g in quads:
            by_graph.setdefault(g, []).append((s, p, o))
        parts = ["DROP SILENT ALL"]
        parts += _insert_blocks(by_graph)
        parts.append(_bump_version(clear=False))
        self._update(" ;\n".join(parts))

    def replace_graph(self, graph: URIRef, triples: Iterable[Triple]) -> None:
        parts = [f"DROP SILENT GRAPH {graph.n3()}"]
        parts += _insert_blocks({graph: list(triples)})
        parts.append(_bump_version())
        self._update(" ;\n".join(parts))

    def touch(self) -> None:
        """Record that the content changed behind this class's back (bumps `version`)."""
        self._update(_bump_version())

    def close(self) -> None:
        self._client.close()

    # -- HTTP ----------------------------------------------------------------------------------------

    def _update(self, text: str) -> None:
        if self.update_url is None:
            raise StoreError("this remote store has no update endpoint (KG_REMOTE_UPDATE_URL)")
        self._post(self.update_url, content=text.encode("utf-8"),
                   headers={"Content-Type": "application/sparql-update"}, what="update")

    def _post(self, url: str, *, what: str, **kwargs: Any) -> httpx.Response:
        try:
            response = self._client.post(url, **kwargs)
        except httpx.HTTPError as exc:
            raise StoreError(f"SPARQL server at {url} unreachable: {exc}") from exc
        if response.status_code == 400:
            raise QuerySyntaxError(f"the server refused the {what}: {response.text[:500]}")
        if response.status_code >= 300:
            raise QueryError(f"{what} failed with HTTP {response.status_code}: {response.text[:500]}")
        return response


def _bump_version(*, clear: bool = True) -> str:
    token = Literal(uuid.uuid4().hex).n3()
    drop = f"DROP SILENT GRAPH {VERSION_GRAPH.n3()} ;\n" if clear else ""
    return (f"{drop}INSERT DATA {{ GRAPH {VERSION_GRAPH.n3()} "
            f"{{ {_VERSION_SUBJECT.n3()} {_VERSION_PREDICATE.n3()} {token} }} }}")


def _insert_blocks(by_graph: Mapping[URIRef, list[Triple]]) -> list[str]:
    blocks = []
    for g, triples in by_graph.items():
        for i in range(0, len(triples), _CHUNK):
            body = "\n".join(f"{_data_n3(s)} {term_n3(p)} {_data_n3(o)} ." for s, p, o in triples[i:i + _CHUNK])
            blocks.append(f"INSERT DATA {{ GRAPH {g.n3()} {{\n{body}\n}} }}")
    return blocks


def _data_n3(term: Node) -> str:
    """Data to insert may hold blank nodes (the ontology's RDF lists); each graph goes in one block."""
    if isinstance(term, BNode):
        return "_:b" + "".join(c for c in str(term) if c.isalnum())
    return term_n3(term)


def parse_json_results(doc: Mapping[str, Any]) -> Table | bool:
    if "boolean" in doc:
        return bool(doc["boolean"])
    variables = list(doc.get("head", {}).get("vars", []))
    bindings = from_sparql_json(list(doc.get("results", {}).get("bindings", [])))
    return Table(variables, [{name: from_json_term(term) for name, term in row.items()} for row in bindings])
