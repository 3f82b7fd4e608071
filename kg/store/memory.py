"""In-memory store on rdflib, for tests and tiny graphs. Writes are atomic by copy-and-swap.

The default graph is rdflib's union of the named graphs, which is already a set (each triple once), as the
embedded store's stored default graph is. Updates follow rdflib: a DELETE without GRAPH removes the triple
from every graph (the embedded store keeps the named graphs as they are), and INSERT DATA without GRAPH
fails in rdflib 7."""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

from pyparsing import ParseException
from rdflib import Dataset, Graph, URIRef
from rdflib.plugins.sparql import prepareQuery
from rdflib.plugins.sparql.parser import parseUpdate
from rdflib.term import Identifier

from ..errors import QuerySyntaxError
from ..namespaces import PREFIXES
from .base import Quad, QueryResult, Store, Table, Triple


class MemoryStore(Store):
    kind = "memory"

    def __init__(self) -> None:
        self._ds = _new_dataset()
        self._lock = threading.RLock()
        self._version = 0

    @property
    def version(self) -> str:
        return str(self._version)

    def query(self, sparql: str, bindings: Mapping[str, Identifier] | None = None, *,
              default_graphs: Sequence[URIRef] | None = None,
              named_graphs: Sequence[URIRef] | None = None) -> QueryResult:
        try:
            prepared = prepareQuery(sparql)
        except ParseException as exc:
            raise QuerySyntaxError(f"malformed SPARQL query: {exc}") from exc
        ds = self._ds
        target: Any = ds
        if default_graphs is not None or named_graphs is not None:
            target = _restricted(ds, default_graphs, named_graphs)
        result = target.query(prepared, initBindings=dict(bindings or {}))
        if result.type == "ASK":
            return bool(result.askAnswer)
        if result.type == "SELECT":
            variables = [str(v) for v in result.vars or []]
            rows = [{k: v for k, v in zip(variables, row, strict=True) if v is not None} for row in result]
            return Table(variables, rows)
        graph = Graph()
        for t in result:
            graph.add(t)
        return graph

    def update(self, sparql: str) -> None:
        try:
            parseUpdate(sparql)
        except ParseException as exc:
            raise QuerySyntaxError(f"malformed SPARQL update: {exc}") from exc
        with self._lock:
            copy = _copy(self._ds)
            copy.update(sparql)
            self._ds = copy
            self._version += 1

    def replace_all(self, quads: Iterable[Quad]) -> None:
        fresh = _new_dataset()
        for s, p, o, g in quads:
            fresh.graph(g).add((s, p, o))
        with self._lock:
            self._ds = fresh
            self._version += 1

    def replace_graph(self, graph: URIRef, triples: Iterable[Triple]) -> None:
        new = Graph()
        for t in triples:
            new.add(t)
        with self._lock:
            copy = _copy(self._ds)
            copy.remove_graph(copy.graph(graph))
            target = copy.graph(graph)
            for t in new:
                target.add(t)
            self._ds = copy
            self._version += 1

    def quads(self, graph: URIRef | None = None) -> Iterator[Quad]:
        return self.match(graph=graph)

    def match(self, s: Any = None, p: Any = None, o: Any = None, graph: URIRef | None = None) -> Iterator[Quad]:
        context = self._ds.get_graph(graph) if graph is not None else None
        if graph is not None and context is None:
            return
        for qs, qp, qo, g in self._ds.quads((s, p, o, context)):
            name = g.identifier if isinstance(g, Graph) else g
            if isinstance(name, URIRef) and name != _DEFAULT:
                yield qs, qp, qo, name

    def graph_names(self) -> list[URIRef]:
        return sorted(g.identifier for g in self._ds.graphs()
                      if isinstance(g.identifier, URIRef) and g.identifier != _DEFAULT and len(g))

    def count(self, graph: URIRef | None = None) -> int:
        return sum(1 for _ in self.quads(graph))


_DEFAULT = URIRef("urn:x-rdflib:default")


def _new_dataset() -> Dataset:
    ds = Dataset(default_union=True)
    for prefix, ns in PREFIXES.items():
        ds.bind(prefix, ns)
    return ds


def _copy(ds: Dataset) -> Dataset:
    fresh = _new_dataset()
    for s, p, o, g in ds.quads((None, None, None, None)):
        name = g.identifier if isinstance(g, Graph) else g
        fresh.graph(name).add((s, p, o))
    return fresh


def _restricted(ds: Dataset, default_graphs: Sequence[URIRef] | None,
                named_graphs: Sequence[URIRef] | None) -> Dataset:
    """A dataset whose default graph merges `default_graphs` and whose named graphs are `named_graphs`."""
    out = Dataset(default_union=False)
    default = out.default_graph if hasattr(out, "default_graph") else out.graph(_DEFAULT)
    sources = default_graphs if default_graphs is not None else [g.identifier for g in ds.graphs()]
    for name in sources:
        for t in ds.graph(name):
            default.add(t)
    for name in named_graphs if named_graphs is not None else [g.identifier for g in ds.graphs()]:
        target = out.graph(name)
        for t in ds.graph(name):
            target.add(t)
    return out
