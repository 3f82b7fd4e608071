"""The data graph of a scaled validation run: an in-memory Oxigraph dataset, never an rdflib graph.

It holds exactly what `data.data_graph` gives pyshacl (ontology, provenance, every claim graph,
optionally the inferences, and the run's context in its own graph), but keeps the named graphs, so
the claims about a node are one index lookup. Queries read the union of the graphs; every check
counts or returns DISTINCT values, so a triple asserted by two claims counts once, as in pyshacl's
merged graph.

Oxigraph stores numbers, booleans and dates by value, so "15.0"^^xsd:decimal reads back as "15". For
an in-memory build (whose literals pyshacl sees as written) the lexical forms that changed are
remembered and put back in results, so messages and values read exactly as pyshacl's.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import date
from typing import Any

import pyoxigraph as ox
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, XSD
from rdflib.term import Node

from ..namespaces import AIC, INFERRED_GRAPH, ONTOLOGY_GRAPH, PROVENANCE_GRAPH
from ..store.base import Store
from ..store.convert import from_ox, to_ox
from ..store.oxigraph import OxigraphStore
from ..store.write_child import named_quads
from .data import CONTEXT, DataGraphs

_XSD = str(XSD)
CONTEXT_GRAPH = URIRef("urn:aichips:validation-context-graph")
_NOT_CLAIMS = {ONTOLOGY_GRAPH, PROVENANCE_GRAPH, INFERRED_GRAPH, CONTEXT_GRAPH}
_RULE_DETAILS = (RDFS.label, AIC.citation, AIC.effectiveDate, AIC.announcedDate, AIC.rescissionDate,
                 AIC.regulationStatus)


class OxData:
    """An in-memory Oxigraph copy of the data a run validates."""

    def __init__(self) -> None:
        self.store: Any = ox.Store()
        self._not_claims = {ox.NamedNode(str(g)) for g in _NOT_CLAIMS}
        self._written: dict[Any, Node] = {}  # Oxigraph's canonical literal -> the literal as written

    @classmethod
    def from_graphs(cls, graphs: DataGraphs, *, inferred: bool) -> OxData:
        out = cls()
        parts: list[tuple[URIRef, Graph]] = [(ONTOLOGY_GRAPH, graphs.ontology), (PROVENANCE_GRAPH, graphs.provenance),
                                             *graphs.claim_graphs.items()]
        if inferred:
            parts.append((INFERRED_GRAPH, graphs.inferred))
        typed: set[Literal] = set()
        out.store.bulk_extend(_converted(parts, typed))
        out._written = _canonical(typed)
        return out

    @classmethod
    def from_store(cls, store: Store, *, inferred: bool) -> OxData:
        out = cls()
        skip = None if inferred else ox.NamedNode(str(INFERRED_GRAPH))
        if isinstance(store, OxigraphStore):
            # Graph by graph: the store's default graph (the union of the named graphs) is not read at all.
            quads: Iterable[Any] = (q for q in named_quads(store.native) if q.graph_name != skip)
        else:
            quads = (ox.Quad(to_ox(s), to_ox(p), to_ox(o), to_ox(g)) for s, p, o, g in store.quads()
                     if g is not None and (inferred or g != INFERRED_GRAPH))
        out.store.bulk_extend(quads)
        return out

    def add_context(self, as_of: date, rules: dict[URIRef, URIRef]) -> None:
        """The validation-context node (the `as of` day) and each shape's rule, as in data.data_graph."""
        g = ox.NamedNode(str(CONTEXT_GRAPH))
        triples = [(CONTEXT, RDF.type, AIC.ValidationContext), (CONTEXT, AIC.asOf, Literal(as_of)),
                   *((shape, AIC.encodesRule, rule) for shape, rule in rules.items())]
        self.store.extend([ox.Quad(to_ox(s), to_ox(p), to_ox(o), g) for s, p, o in triples])

    def query(self, sparql: str) -> Iterator[dict[str, Node]]:
        """Rows of a SELECT over the union of the graphs, as rdflib terms (unbound variables left out)."""
        solutions = self.store.query(sparql, use_default_graph_as_union=True)
        names = [v.value for v in solutions.variables]
        for row in solutions:
            yield {n: self.term(row[n]) for n in names if row[n] is not None}

    def term(self, value: Any) -> Node:
        written = self._written.get(value) if self._written and isinstance(value, ox.Literal) else None
        return written if written is not None else from_ox(value)

    def claims_about(self, node: Node) -> list[URIRef]:
        """The claim graphs that say something about the node as subject (DataGraphs.claims_about)."""
        if not isinstance(node, URIRef):
            return []
        names = {q.graph_name for q in self.store.quads_for_pattern(ox.NamedNode(str(node)), None, None, None)}
        return sorted(URIRef(n.value) for n in names if isinstance(n, ox.NamedNode) and n not in self._not_claims)

    def summary(self, nodes: Iterable[Node], rules: Iterable[URIRef]) -> Graph:
        """The few triples reports read from the data graph: labels of the nodes, details of the rules
        and the labels of their statuses."""
        out = Graph()
        wanted = [(n, RDFS.label) for n in nodes] + [(r, p) for r in rules for p in _RULE_DETAILS]
        while wanted:
            node, pred = wanted.pop()
            if not isinstance(node, URIRef):
                continue
            for q in self.store.quads_for_pattern(ox.NamedNode(str(node)), ox.NamedNode(str(pred)), None, None):
                value = self.term(q.object)
                out.add((node, pred, value))
                if pred == AIC.regulationStatus:
                    wanted.append((value, RDFS.label))
        return out


def _converted(parts: list[tuple[URIRef, Graph]], typed: set[Literal]) -> Iterator[Any]:
    """Quads for Oxigraph; literals of datatypes Oxigraph stores by value are collected in `typed`."""
    cache: dict[Node, Any] = {}

    def term(t: Node) -> Any:
        found = cache.get(t)
        if found is None:
            found = to_ox(t)
            if not isinstance(t, Literal):
                cache[t] = found
            elif t.datatype is not None and str(t.datatype).startswith(_XSD) and t.datatype != XSD.string:
                typed.add(t)
        return found

    for name, graph in parts:
        g = ox.NamedNode(str(name))
        for s, p, o in graph:
            yield ox.Quad(term(s), term(p), term(o), g)


def _canonical(literals: set[Literal]) -> dict[Any, Node]:
    """For each literal Oxigraph would store under another lexical form: canonical form -> as written
    (left out when two written forms share one canonical form: no way to tell them apart)."""
    probe: Any = ox.Store()
    ordered = list(literals)
    p = ox.NamedNode("urn:p")
    probe.extend([ox.Quad(ox.NamedNode(f"urn:l:{i}"), p, to_ox(lit)) for i, lit in enumerate(ordered)])
    out: dict[Any, Node] = {}
    clash: set[Any] = set()
    for q in probe.quads_for_pattern(None, p, None, None):
        written = ordered[int(q.subject.value[len("urn:l:"):])]
        if q.object.value == str(written):
            continue
        if q.object in out and out[q.object] != written:
            clash.add(q.object)
        out[q.object] = written
    for c in clash:
        del out[c]
    return out
