"""A store over any SPARQL 1.1 server: Query, Update and (optionally) Graph Store Protocol endpoints.
Tested against `oxigraph serve` and OpenLink Virtuoso 7.2 (tests/test_remote_*.py; docs/scaling.md
lists every difference).

Pre-binding: the SPARQL protocol cannot send variable bindings next to a query, so bound values are
written into the query as a `VALUES` block at the start of its outermost group. Each value is an
already-typed rdflib term (a URIRef or Literal that `kg.questions` built and checked, never a raw
caller string) serialised by rdflib's own `.n3()`, which escapes literals and refuses IRIs with
characters IRIs may not contain; blank nodes are refused. So no caller text is ever pasted into a
query. (A VALUES row joins with the group like a pre-bound variable; the named questions project
every parameter, so results are the same as with the embedded store's substitutions.)

Atomicity: every write is ONE SPARQL Update request (`DROP SILENT GRAPH <g>` for each graph the
server holds, then `CREATE SILENT GRAPH` and `INSERT DATA {...}` blocks per graph, for replace_all;
`DROP SILENT GRAPH; CREATE SILENT GRAPH; INSERT DATA` for replace_graph). Servers that run a request
in one transaction (Oxigraph, Fuseki/TDB2, GraphDB, RDF4J, Neptune) apply it whole or not at all.
Virtuoso parses the whole request first (a syntax error changes nothing) but runs its operations one
after the other: a failure at run time leaves the operations before it applied. See docs/scaling.md.

Portable writes: `DROP ALL` is not used (Virtuoso accepts it and does nothing); each graph written
is first `CREATE SILENT GRAPH`d (so that a later plain `DROP GRAPH` works on Virtuoso); each INSERT DATA
block holds at most `_CHUNK` triples (Virtuoso's parser fails near 5,000 triples per operation);
triples with blank nodes go in one `INSERT { ... } WHERE {}` per graph (Virtuoso refuses blank nodes
in INSERT DATA; an INSERT template's labels are scoped to its operation, so one block keeps a
graph's blank nodes together).

Server graphs: a server may keep graphs of its own (Virtuoso: `SERVER_GRAPHS`). They are not this
store's content: `quads`, `graph_names`, `count` and `is_empty` leave them out and writes never drop them. (They
remain visible to queries over the default graph where the server makes it the union of all graphs.)

Results: SELECT and ASK are asked for as SPARQL results JSON, CONSTRUCT and DESCRIBE as N-Triples
(Virtuoso would send a graph as JSON rows). A result the server cut short (Virtuoso's
`ResultSetMaxRows`, or a partial "anytime" answer) raises instead of passing for the whole answer.
xsd:boolean values come back in canonical form (`true`/`false`; Virtuoso's JSON writes `1`/`0`),
blank nodes with plain labels (Virtuoso writes `nodeID://b10001`, which is no blank node label).

Version: the server has no content version, so each write also replaces one triple in the graph
`<https://w3id.org/aichips/graph/store-version>` with a fresh UUID, in the same request. `version`
reads it back; writes that bypass this class do not change it (callers caching per version must
then be told, e.g. by `touch()`).
"""

from __future__ import annotations

import re
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
_CHUNK = 1_000  # triples per INSERT DATA block (all blocks go in the same request)
_BOOLEAN = "http://www.w3.org/2001/XMLSchema#boolean"
_GRAPH_TYPES = "application/n-triples, text/turtle;q=0.9"
# What may precede a query's form keyword: white space, comments, PREFIX and BASE declarations.
_PROLOGUE = re.compile(r"\s+|#[^\n\r]*|(?i:PREFIX)\s*[^\s<>]*:\s*<[^<>]*>|(?i:BASE)\s*<[^<>]*>")
# Graphs OpenLink Virtuoso keeps for itself (quad-map metadata, LDP vocabulary, the endpoint's description).
SERVER_GRAPHS = (URIRef("http://www.openlinksw.com/schemas/virtrdf#"), URIRef("http://www.w3.org/ns/ldp#"),
                 URIRef("http://localuriqaserver/sparql"))


_DISTINCT = re.compile(r"\bSELECT\s+(?:DISTINCT|REDUCED)\b", re.IGNORECASE)


class RemoteStore(Store):
    kind = "remote"

    def __init__(self, query_url: str, update_url: str | None = None, gsp_url: str | None = None, *,
                 timeout: float = 300.0, client: httpx.Client | None = None,
                 server_graphs: Iterable[URIRef] = SERVER_GRAPHS) -> None:
        self.query_url = query_url
        self.update_url = update_url
        self.gsp_url = gsp_url
        self._client = client or httpx.Client(timeout=timeout)
        self.server_graphs = frozenset(server_graphs)
        # ?g is none of the server's graphs nor the version graph (IRIs written by rdflib's serialiser).
        not_ours = sorted({VERSION_GRAPH, *self.server_graphs})
        self._not_ours = f"FILTER(?g NOT IN ({', '.join(term_n3(g) for g in not_ours)}))"

    # -- reading -------------------------------------------------------------------------------------

    def query(self, sparql: str, bindings: Mapping[str, Identifier] | None = None, *,
              default_graphs: Sequence[URIRef] | None = None,
              named_graphs: Sequence[URIRef] | None = None) -> QueryResult:
        text = bind_values(sparql, bindings) if bindings else sparql
        data: list[tuple[str, str]] = [("query", text)]
        data += [("default-graph-uri", str(g)) for g in default_graphs or ()]
        data += [("named-graph-uri", str(g)) for g in named_graphs or ()]
        # Ask for the result type of the query's form: Virtuoso answers a CONSTRUCT or DESCRIBE as SPARQL
        # results JSON (?s ?p ?o rows) when that is acceptable, and fails on some.
        graph_form = query_form(text) in ("CONSTRUCT", "DESCRIBE")
        accept = _GRAPH_TYPES if graph_form else f"{_JSON}, application/n-triples;q=0.9"
        headers = {"Accept": accept, "Content-Type": "application/x-www-form-urlencoded"}
        response = self._post(self.query_url, content=urlencode(data).encode("ascii"), headers=headers, what="query")
        _refuse_partial(response)
        ctype = response.headers.get("content-type", "").split(";")[0].strip()
        if ctype in (_JSON, "application/json"):
            if graph_form:
                raise QueryError(f"the server answered a graph query with {ctype}, not RDF")
            result = parse_json_results(response.json())
            if isinstance(result, Table) and _DISTINCT.search(text):
                # Virtuoso can repeat a solution of SELECT DISTINCT (seen with OPTIONAL over a triple that
                # several claim graphs hold); what DISTINCT promises is kept here, first occurrence first.
                seen: set[tuple[tuple[str, object], ...]] = set()
                rows = []
                for row in result.rows:
                    key = tuple(sorted(row.items()))
                    if key not in seen:
                        seen.add(key)
                        rows.append(row)
                result = Table(result.variables, rows)
            return result
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
        q = f"SELECT ?s ?p ?o ?g WHERE {{ GRAPH ?g {{ ?s ?p ?o }} {self._not_ours} }}"
        table = self.query(q, {"g": graph} if graph is not None else None)
        assert isinstance(table, Table)
        for row in table.rows:
            g = row["g"]
            if isinstance(g, URIRef):
                yield row["s"], row["p"], row["o"], g

    def graph_names(self) -> list[URIRef]:
        table = self.query(f"SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ ?s ?p ?o }} {self._not_ours} }}")
        assert isinstance(table, Table)
        return sorted(g for g in table.column("g") if isinstance(g, URIRef))

    def is_empty(self) -> bool:
        """No quad of ours (the server's own graphs and the version graph do not count): a cheap ASK."""
        return self.query(f"ASK {{ GRAPH ?g {{ ?s ?p ?o }} {self._not_ours} }}") is False

    def count(self, graph: URIRef | None = None) -> int:
        if graph is not None:
            q = f"SELECT ?g (COUNT(*) AS ?n) WHERE {{ GRAPH ?g {{ ?s ?p ?o }} {self._not_ours} }} GROUP BY ?g"
            table = self.query(q, {"g": graph})
        else:
            table = self.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH ?g {{ ?s ?p ?o }} {self._not_ours} }}")
        assert isinstance(table, Table)
        return int(str(table.rows[0]["n"])) if table.rows else 0

    # -- writing -------------------------------------------------------------------------------------

    def update(self, sparql: str) -> None:
        self._update(f"{sparql.rstrip().rstrip(';')} ;\n{_bump_version()}")

    def replace_all(self, quads: Iterable[Quad]) -> None:
        by_graph: dict[URIRef, list[Triple]] = {}
        for s, p, o, g in quads:
            by_graph.setdefault(g, []).append((s, p, o))
        # Each graph by name, not `DROP ALL` (Virtuoso accepts it and drops nothing; the server's own
        # graphs must stay). A graph another client adds between the listing and the update survives.
        parts = [f"DROP SILENT GRAPH {g.n3()}" for g in self.graph_names()]
        parts += _insert_blocks(by_graph)
        parts.append(_bump_version())
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
    """INSERT DATA blocks of at most `_CHUNK` triples; a graph's triples with blank nodes in one
    `INSERT {...} WHERE {}` (its labels are scoped to that operation, so the nodes stay shared)."""
    blocks = []
    for g, triples in by_graph.items():
        # Virtuoso refuses a later plain `DROP GRAPH` of a graph that only INSERT made ("not explicitly
        # created"); elsewhere this creates the (already dropped) graph, which the INSERT then fills.
        blocks.append(f"CREATE SILENT GRAPH {g.n3()}")
        plain = [t for t in triples if not (isinstance(t[0], BNode) or isinstance(t[2], BNode))]
        for i in range(0, len(plain), _CHUNK):
            blocks.append(f"INSERT DATA {{ GRAPH {g.n3()} {{\n{_body(plain[i:i + _CHUNK])}\n}} }}")
        if len(plain) < len(triples):
            blank = [t for t in triples if isinstance(t[0], BNode) or isinstance(t[2], BNode)]
            blocks.append(f"INSERT {{ GRAPH {g.n3()} {{\n{_body(blank)}\n}} }} WHERE {{}}")
    return blocks


def _body(triples: Sequence[Triple]) -> str:
    return "\n".join(f"{_data_n3(s)} {term_n3(p)} {_data_n3(o)} ." for s, p, o in triples)


def _data_n3(term: Node) -> str:
    """Data to insert may hold blank nodes (the ontology's RDF lists): labels made of the node's letters and digits."""
    if isinstance(term, BNode):
        return "_:b" + "".join(c for c in str(term) if c.isalnum())
    return term_n3(term)


def query_form(sparql: str) -> str:
    """SELECT, ASK, CONSTRUCT or DESCRIBE: the first word after the prologue (upper case; "" if none)."""
    at = 0
    while (m := _PROLOGUE.match(sparql, at)) and m.end() > at:
        at = m.end()
    word = re.match(r"[A-Za-z]+", sparql[at:])
    return word.group().upper() if word else ""


def _refuse_partial(response: httpx.Response) -> None:
    """Virtuoso answers 200 with a cut result when it hits ResultSetMaxRows or an "anytime" timeout."""
    if "x-sparql-maxrows" in response.headers:
        raise QueryError(f"the server cut the result at {response.headers['x-sparql-maxrows']} rows "
                         "(raise its limit, Virtuoso: [SPARQL] ResultSetMaxRows)")
    if response.headers.get("x-sql-state") == "S1TAT":
        raise QueryError("the server returned a partial result after its time limit "
                         "(Virtuoso: [SPARQL] MaxQueryExecutionTime)")


def parse_json_results(doc: Mapping[str, Any]) -> Table | bool:
    if "boolean" in doc:
        return bool(doc["boolean"])
    variables = list(doc.get("head", {}).get("vars", []))
    bindings = from_sparql_json(list(doc.get("results", {}).get("bindings", [])))
    for row in bindings:
        for term in row.values():
            if term["type"] == "bnode" and term["value"].startswith("nodeID://"):
                term["value"] = term["value"][len("nodeID://"):]  # Virtuoso's labels: "nodeID://b10001"
            elif term.get("datatype") == _BOOLEAN and term["value"] in ("1", "0"):
                term["value"] = "true" if term["value"] == "1" else "false"  # canonical form (Virtuoso writes 1/0)
    return Table(variables, [{name: from_json_term(term) for name, term in row.items()} for row in bindings])
