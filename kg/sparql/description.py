"""SPARQL 1.1 Service Description of the endpoint."""

from __future__ import annotations

from collections.abc import Iterable

from rdflib import BNode, Graph, Namespace, URIRef
from rdflib.namespace import RDF, RDFS

from ..browse.void import VOID, VOID_DATASET

SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
FORMATS = Namespace("http://www.w3.org/ns/formats/")

RESULT_FORMATS = ("SPARQL_Results_JSON", "SPARQL_Results_XML", "SPARQL_Results_CSV", "SPARQL_Results_TSV",
                  "Turtle", "N-Triples", "RDF_XML", "JSON-LD", "TriG", "N-Quads")


def service_description(endpoint: str, graphs: Iterable[str], *, update_endpoint: str | None,
                        void_document: str | None = None) -> Graph:
    """The description; its sd:defaultDataset is the VoID dataset, described at `void_document` (by default
    `/void` next to an endpoint ending in `/sparql`)."""
    if void_document is None and endpoint.endswith("/sparql"):
        void_document = endpoint.removesuffix("/sparql") + "/void"
    g = Graph()
    g.bind("sd", SD)
    g.bind("formats", FORMATS)
    g.bind("void", VOID)
    service = URIRef(endpoint)
    g.add((service, RDF.type, SD.Service))
    g.add((service, SD.endpoint, service))
    g.add((service, SD.supportedLanguage, SD.SPARQL11Query))
    if update_endpoint:
        update = URIRef(update_endpoint)
        g.add((update, RDF.type, SD.Service))
        g.add((update, SD.endpoint, update))
        g.add((update, SD.supportedLanguage, SD.SPARQL11Update))
    for name in RESULT_FORMATS:
        g.add((service, SD.resultFormat, FORMATS[name]))
    g.add((service, SD.feature, SD.UnionDefaultGraph))
    dataset = VOID_DATASET
    g.add((service, SD.defaultDataset, dataset))
    g.add((dataset, RDF.type, SD.Dataset))
    g.add((dataset, RDF.type, VOID.Dataset))
    if void_document:
        g.add((dataset, RDFS.seeAlso, URIRef(void_document)))
    default = BNode()
    g.add((dataset, SD.defaultGraph, default))
    g.add((default, RDF.type, SD.Graph))
    for name in graphs:
        named = BNode()
        g.add((dataset, SD.namedGraph, named))
        g.add((named, RDF.type, SD.NamedGraph))
        g.add((named, SD.name, URIRef(name)))
    return g
