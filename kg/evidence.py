"""The evidence behind facts: for a claim, its quote and document or its cited source, with
attribution, status, time and note.

Evidence is assembled by walking the provenance graph with index lookups (`Store.match`) rather
than by one SPARQL query with a dozen OPTIONALs: the walk costs the same at any store size, where
the query's joins grew with the number of claims. A reader (`EvidenceReader`) fetches each node's
properties in one lookup and remembers them, so the claims of one answer share their documents,
statuses and agents instead of looking them up again per claim.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from rdflib import URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS
from rdflib.term import Identifier

from .namespaces import AIC, INFERRED_GRAPH, OA, ONTOLOGY_GRAPH, PROV, PROVENANCE_GRAPH
from .store.base import Store

NOT_CLAIMS = {ONTOLOGY_GRAPH, PROVENANCE_GRAPH, INFERRED_GRAPH}


@dataclass
class Evidence:
    claim: str
    kind: str  # "document" | "reference"
    status: str | None
    attributed_to: str | None
    quote: str | None = None
    document: str | None = None
    document_title: str | None = None
    start: int | None = None
    end: int | None = None
    citation: list[str] = field(default_factory=list)
    time: str | None = None
    time_precision: str | None = None
    time_relation: str | None = None
    time_expression: str | None = None
    note: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if v not in (None, [])}


class EvidenceReader:
    """Index lookups on a store, one per (node, graph), remembered for the reader's lifetime (one answer)."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._props: dict[tuple[Identifier, URIRef | None], dict[Identifier, list[Identifier]]] = {}
        self._labels: dict[Identifier, str | None] = {}

    def values(self, s: Identifier, p: URIRef, graph: URIRef | None = PROVENANCE_GRAPH) -> list[Identifier]:
        key = (s, graph)
        props = self._props.get(key)
        if props is None:
            props = {}
            for _, pred, o, _ in self.store.match(s, None, None, graph):
                if isinstance(o, Identifier) and isinstance(pred, Identifier):
                    props.setdefault(pred, []).append(o)
            for found in props.values():
                found.sort()
            self._props[key] = props
        return props.get(p, [])

    def value(self, s: Identifier | None, p: URIRef, graph: URIRef | None = PROVENANCE_GRAPH) -> Identifier | None:
        if s is None:
            return None
        found = self.values(s, p, graph)
        return found[0] if found else None

    def text(self, s: Identifier | None, p: URIRef, graph: URIRef | None = PROVENANCE_GRAPH) -> str | None:
        value = self.value(s, p, graph)
        return str(value) if value is not None else None

    def label(self, s: Identifier | None) -> str | None:
        if s is None:
            return None
        if s not in self._labels:
            found = sorted(o for _, _, o, _ in self.store.match(s, RDFS.label, None, None) if isinstance(o, Identifier))
            self._labels[s] = str(found[0]) if found else None
        return self._labels[s]


def claim_evidence(store: Store, claim: URIRef, reader: EvidenceReader | None = None) -> Evidence | None:
    """The evidence behind one claim, or None if the provenance graph has no such claim."""
    w = reader if reader is not None and reader.store is store else EvidenceReader(store)
    kinds = set(w.values(claim, RDF.type))
    if AIC.DocumentClaim in kinds:
        kind = "document"
    elif AIC.ReferenceAssertion in kinds:
        kind = "reference"
    else:
        return None
    status = w.value(claim, AIC.claimStatus)
    attributed = w.value(claim, PROV.wasAttributedTo)
    document = w.value(claim, PROV.wasQuotedFrom)
    ev = Evidence(
        claim=str(claim), kind=kind, status=w.label(status) or _str(status),
        attributed_to=w.label(attributed) or _str(attributed),
        document=_str(document), document_title=w.text(document, DCTERMS.title),
        time=w.text(claim, AIC.refersToTime), time_precision=time_unit(w.text(claim, AIC.timePrecision)),
        time_relation=w.text(claim, AIC.timeRelation), time_expression=w.text(claim, AIC.timeExpression),
        note=w.text(claim, AIC.note),
    )
    for target in w.values(claim, OA.hasTarget):
        for selector in w.values(target, OA.hasSelector):
            types = set(w.values(selector, RDF.type))
            if OA.TextQuoteSelector in types:
                ev.quote = w.text(selector, OA.exact)
            if OA.TextPositionSelector in types:
                start, end = w.text(selector, OA.start), w.text(selector, OA.end)
                ev.start = int(start) if start is not None else None
                ev.end = int(end) if end is not None else None
    ev.citation = sorted({c for source in w.values(claim, PROV.wasDerivedFrom)
                          if (c := w.text(source, DCTERMS.bibliographicCitation)) is not None})
    return ev


def claim_graphs_about(store: Store, subject: URIRef) -> list[URIRef]:
    """The named graphs, other than ours for ontology, provenance and inferences, holding a fact about
    `subject`, sorted: the candidate claims (a graph no claim describes has no evidence)."""
    return sorted(store.graphs_about(subject) - NOT_CLAIMS)


def subject_evidence(store: Store, subject: URIRef, reader: EvidenceReader | None = None) -> list[Evidence]:
    """The evidence of every claim that asserts a fact about `subject`."""
    claims = claim_graphs_about(store, subject)
    w = reader if reader is not None and reader.store is store else EvidenceReader(store)
    return [e for claim in claims if (e := claim_evidence(store, claim, w)) is not None]


def _str(term: Identifier | None) -> str | None:
    return str(term) if term is not None else None


def time_unit(iri: str | None) -> str | None:
    return iri.rsplit("unit", 1)[-1].lower() if iri else None
