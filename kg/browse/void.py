"""Whole-dataset views run in a query worker: the VoID description (GET /void) and Graph Store Protocol
reads (GET/HEAD /store).

VoID: one `void:Dataset` (<https://w3id.org/aichips/void#dataset>, which the SPARQL service description
names as its `sd:defaultDataset`) with its statistics over the union of all graphs, and one `void:subset`
per *kind* of named graph (all claim graphs together, provenance, ontology, inferred), never one per claim
graph. The statistics are computed once per store version per worker (five scans of the store) and kept.

The licence is the `dcterms:license` the ontology declares (CC BY 4.0 in ontology/aichips.ttl); if a store
has none, the project licence of pyproject.toml (Apache-2.0) is stated instead.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any

import pyoxigraph as ox
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS, XSD

from ..errors import NotFoundError, ResultTooLargeError
from ..namespaces import AIC, BASE, ID, INFERRED_GRAPH, ONTOLOGY_GRAPH, ONTOLOGY_IRI, PROVENANCE_GRAPH
from ..sparql.formats import BY_NAME
from ..sparql.results import write_rdf
from ..store.base import Store, Table
from ..store.convert import to_ox
from .sparql import query

VOID = Namespace("http://rdfs.org/ns/void#")
VOID_DOCUMENT = URIRef(BASE + "void")
VOID_DATASET = URIRef(BASE + "void#dataset")
PROJECT_LICENSE = URIRef("https://www.apache.org/licenses/LICENSE-2.0")  # pyproject.toml: Apache-2.0

# kind of named graph -> (subset IRI, title, description, the graph's IRI when it is one graph)
SUBSETS: dict[str, tuple[URIRef, str, str, URIRef | None]] = {
    "claims": (URIRef(BASE + "void#claims"), "Claims",
               "Asserted facts, one named graph per claim (the claim IRI names the graph).", None),
    "provenance": (URIRef(BASE + "void#provenance"), "Provenance",
                   "Claims, their quotes, documents, attribution and status.", PROVENANCE_GRAPH),
    "ontology": (URIRef(BASE + "void#ontology"), "Ontology", "The AI Chips ontology.", ONTOLOGY_GRAPH),
    "inferred": (URIRef(BASE + "void#inferred"), "Inferred", "OWL RL inferences from the other graphs.",
                 INFERRED_GRAPH),
}
STATISTICS = ("triples", "entities", "classes", "properties", "subjects", "objects")
VOID_PROPERTY = {"triples": VOID.triples, "entities": VOID.entities, "classes": VOID.classes,
                 "properties": VOID.properties, "subjects": VOID.distinctSubjects, "objects": VOID.distinctObjects}


@dataclass(frozen=True)
class Statistics:
    version: str
    totals: dict[str, int]
    subsets: dict[str, tuple[int, int]] = field(default_factory=dict)  # kind -> (statements, graphs)
    license: str | None = None


def _int(value: Any) -> int:
    return int(str(value)) if value is not None else 0


def compute_statistics(store: Store) -> Statistics:
    version = store.version
    table = store.query(query("void-statistics"))
    assert isinstance(table, Table)
    row = table.rows[0] if table.rows else {}
    totals = {name: _int(row.get(name)) for name in STATISTICS}
    table = store.query(query("void-subsets"))
    assert isinstance(table, Table)
    subsets = {str(r["kind"]): (_int(r.get("triples")), _int(r.get("graphs"))) for r in table.rows
               if str(r.get("kind")) in SUBSETS}
    table = store.query(query("void-license"))
    assert isinstance(table, Table)
    license_iri = str(table.rows[0]["license"]) if table.rows else None
    return Statistics(version, totals, subsets, license_iri)


class _StatisticsCache:
    """The statistics of the latest store version seen (per process: each query worker has one)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._latest: Statistics | None = None

    def get(self, store: Store) -> Statistics:
        version = store.version
        with self._lock:
            if self._latest is not None and self._latest.version == version:
                return self._latest
        stats = compute_statistics(store)
        if stats.version == store.version:  # keep it only if the store did not change meanwhile
            with self._lock:
                self._latest = stats
        return stats

    def clear(self) -> None:
        with self._lock:
            self._latest = None


STATISTICS_CACHE = _StatisticsCache()


def void_graph(stats: Statistics, endpoint: str | None) -> Graph:
    g = Graph()
    g.bind("void", VOID)
    g.bind("dcterms", DCTERMS)
    d = VOID_DATASET
    g.add((d, RDF.type, VOID.Dataset))
    g.add((d, DCTERMS.title, Literal("AI chips knowledge graph", lang="en")))
    g.add((d, DCTERMS.description, Literal(
        "Who trains which AI models on which chips, where, and under which rules; every fact carries the "
        "claim (quote, source document, attribution) it comes from.", lang="en")))
    g.add((d, DCTERMS.license, URIRef(stats.license) if stats.license else PROJECT_LICENSE))
    g.add((d, VOID.uriSpace, Literal(str(ID))))
    g.add((d, VOID.vocabulary, URIRef(str(AIC))))
    g.add((d, VOID.rootResource, ONTOLOGY_IRI))
    g.add((d, RDFS.comment, Literal(
        "The default graph of the SPARQL endpoint is the union of all named graphs; void:triples counts "
        "its distinct triples. A subset's void:triples counts the statements of its graphs.", lang="en")))
    if endpoint:
        g.add((d, VOID.sparqlEndpoint, URIRef(endpoint)))
    for name in STATISTICS:
        g.add((d, VOID_PROPERTY[name], Literal(stats.totals.get(name, 0), datatype=XSD.integer)))
    for kind, (iri, title, description, graph) in SUBSETS.items():
        if kind not in stats.subsets:
            continue
        statements, graphs = stats.subsets[kind]
        g.add((d, VOID.subset, iri))
        g.add((iri, RDF.type, VOID.Dataset))
        g.add((iri, DCTERMS.title, Literal(title, lang="en")))
        text = description + (f" {graphs} named graphs." if graph is None else f" Named graph <{graph}>.")
        g.add((iri, DCTERMS.description, Literal(text, lang="en")))
        g.add((iri, VOID.triples, Literal(statements, datatype=XSD.integer)))
        if endpoint:
            g.add((iri, VOID.sparqlEndpoint, URIRef(endpoint)))
    return g


def void_document(store: Store, payload: dict[str, Any]) -> bytes:
    """Worker task `void`: payload {"endpoint": SPARQL endpoint URL or None, "format": a graph format name}."""
    stats = STATISTICS_CACHE.get(store)
    graph = void_graph(stats, payload.get("endpoint"))
    triples = sorted(graph, key=lambda t: (str(t[0]), str(t[1]), str(t[2])))  # one block per subject
    return write_rdf([ox.Triple(to_ox(s), to_ox(p), to_ox(o)) for s, p, o in triples], BY_NAME[payload["format"]])


# -- Graph Store Protocol, read side -------------------------------------------------------------------------

def graph_store_read(store: Store, payload: dict[str, Any]) -> bytes | int:
    """Worker task `graph_store`: payload {"graph": IRI or None (the default graph: the union of all graphs),
    "format": an EXPORT_FORMATS name, "max": the statement cap (KG_MAX_RESULTS), "head": true to only
    check}. Returns the serialised graph, or for `head` the number of statements.

    A graph holding more statements than the cap is refused (ResultTooLargeError, 422) rather than
    truncated: the whole dump is built in memory by the worker and sent back in one piece."""
    name = payload.get("graph")
    graph = URIRef(name) if name is not None else None
    if graph is not None and not store.has_graph(graph):
        raise NotFoundError(f"<{name}> is not a named graph of this store")
    size = store.count(graph)
    cap = int(payload["max"])
    if size > cap:
        what = f"graph <{name}>" if graph is not None else "the default graph (the union of all graphs)"
        raise ResultTooLargeError(f"{what} holds {size} statements, more than KG_MAX_RESULTS ({cap}); "
                                  "read it with SPARQL (CONSTRUCT ... LIMIT/OFFSET) or `kg export` instead")
    if payload.get("head"):
        return size
    return store.dump(payload["format"], graph)
