"""The store interface the rest of the project programs against.

The default graph of every query is the union of all named graphs (asserted claims, provenance,
ontology and inferences) as a set: a triple several graphs hold is one solution (kg/store/oxigraph.py,
"Set semantics"; a remote store gives what its server gives). A query that wants one of them names it
with GRAPH or FROM.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field

from rdflib import Graph, URIRef
from rdflib.term import Identifier, Node

from .jsonrows import JsonRows, JsonTerm, term_json

# Export format name -> (rdflib format, media type, keeps named graphs)
EXPORT_FORMATS: dict[str, tuple[str, str, bool]] = {
    "turtle": ("turtle", "text/turtle", False),
    "ntriples": ("nt", "application/n-triples", False),
    "rdfxml": ("xml", "application/rdf+xml", False),
    "trig": ("trig", "application/trig", True),
    "nquads": ("nquads", "application/n-quads", True),
    "jsonld": ("json-ld", "application/ld+json", True),
}

Quad = tuple[Node, Node, Node, URIRef]
Triple = tuple[Node, Node, Node]


@dataclass
class Table:
    """SELECT results: variable names in projection order and one dict per row (unbound -> absent)."""

    variables: list[str]
    rows: list[dict[str, Identifier]] = field(default_factory=list)

    def column(self, name: str) -> list[Identifier | None]:
        return [row.get(name) for row in self.rows]


QueryResult = Table | bool | Graph


class Store(ABC):
    """A quad store. Writes are atomic: they happen whole or not at all."""

    kind: str = "abstract"

    @abstractmethod
    def query(self, sparql: str, bindings: Mapping[str, Identifier] | None = None, *,
              default_graphs: Sequence[URIRef] | None = None,
              named_graphs: Sequence[URIRef] | None = None) -> QueryResult:
        """Run a SPARQL 1.1 query with values pre-bound to variables (never pasted into the text).

        Raises QuerySyntaxError for a malformed query.
        """

    def select_json(self, sparql: str, bindings: Mapping[str, Identifier] | None = None) -> JsonRows:
        """A SELECT query's rows as JSON terms, for callers that only serialise them.

        Stores that can serialise results natively override this to skip building rdflib terms.
        """
        from ..errors import QueryError

        table = self.query(sparql, bindings)
        if not isinstance(table, Table):
            raise QueryError("select_json needs a SELECT query")
        return JsonRows(table.variables, [{k: term_json(v) for k, v in row.items()} for row in table.rows])

    def select_iter(self, sparql: str) -> Iterator[dict[str, JsonTerm]]:
        """A SELECT query's rows as JSON terms, one at a time (for reading large results in one pass)."""
        yield from self.select_json(sparql).rows

    @abstractmethod
    def update(self, sparql: str) -> None:
        """Run a SPARQL 1.1 update atomically. Raises QuerySyntaxError for a malformed update."""

    @abstractmethod
    def replace_all(self, quads: Iterable[Quad]) -> None:
        """Replace the whole content of the store with `quads`, atomically."""

    @abstractmethod
    def replace_graph(self, graph: URIRef, triples: Iterable[Triple]) -> None:
        """Replace one named graph's content, atomically."""

    @abstractmethod
    def quads(self, graph: URIRef | None = None) -> Iterator[Quad]:
        """All quads, or those of one named graph."""

    def graphs_about(self, s: Node) -> set[URIRef]:
        """The named graphs holding a triple with subject `s` (evidence: the claims about a node)."""
        return {g for _, _, _, g in self.match(s, None, None, None)}

    def match(self, s: Node | None = None, p: Node | None = None, o: Node | None = None,
              graph: URIRef | None = None) -> Iterator[Quad]:
        """Quads of named graphs matching a pattern (None matches anything): an index lookup, not a query.

        This default goes through SPARQL with bound values (for remote stores); embedded stores override it.
        """
        bindings = {k: v for k, v in (("s", s), ("p", p), ("o", o), ("g", graph)) if v is not None}
        table = self.query("SELECT ?s ?p ?o ?g WHERE { GRAPH ?g { ?s ?p ?o } }", bindings)  # type: ignore[arg-type]
        assert isinstance(table, Table)
        for row in table.rows:
            g = row["g"]
            if isinstance(g, URIRef):
                yield row["s"], row["p"], row["o"], g

    def has_graph(self, graph: URIRef) -> bool:
        """True if the store holds a non-empty named graph of that name (a lookup, not a listing)."""
        return bool(self.query("ASK { GRAPH ?g { ?s ?p ?o } }", {"g": graph}))

    @abstractmethod
    def graph_names(self) -> list[URIRef]:
        """Names of the non-empty named graphs."""

    @abstractmethod
    def count(self, graph: URIRef | None = None) -> int:
        """Number of quads in the named graphs, or in one named graph."""

    @property
    @abstractmethod
    def version(self) -> str:
        """Changes whenever the content changes; lets callers cache answers per content."""

    def dump(self, fmt: str, graph: URIRef | None = None) -> bytes:
        """Serialise everything (or one named graph) in an EXPORT_FORMATS format; triple formats merge graphs."""
        from rdflib import Dataset

        from ..namespaces import SERIALIZATION_PREFIXES

        rdflib_format, _, quads = EXPORT_FORMATS[fmt]
        target: Graph | Dataset = Dataset() if quads else Graph()
        for prefix, ns in SERIALIZATION_PREFIXES.items():
            target.bind(prefix, ns)
        for s, p, o, g in self.quads(graph):
            if isinstance(target, Dataset):
                target.graph(g).add((s, p, o))
            else:
                target.add((s, p, o))
        return target.serialize(format=rdflib_format, encoding="utf-8")

    def changes_since(self, version: str | None, *, limit: int = 100) -> list[dict[str, object]]:
        """The change feed: one record per store version after `version` (kg/store/changes.py)."""
        from ..errors import NotFoundError

        raise NotFoundError(f"the {self.kind} store keeps no change feed (the embedded Oxigraph store does)")

    def close(self) -> None:  # noqa: B027 - optional for stores without resources
        """Release files and locks."""

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
