"""IRIs of the project: one base, with fixed sub-spaces for entities, claims, documents and graphs."""

from __future__ import annotations

from rdflib import Namespace, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS, XSD

BASE = "https://w3id.org/aichips/"

AIC = Namespace(BASE + "ontology#")
ID = Namespace(BASE + "id/")
CLAIM = Namespace(BASE + "claim/")
DOC = Namespace(BASE + "doc/")
SOURCE = Namespace(BASE + "source/")
GRAPH = Namespace(BASE + "graph/")
CURATOR = Namespace(BASE + "curator/")  # reviewers of proposed claims (prov:Agent), by name slug

PROV = Namespace("http://www.w3.org/ns/prov#")
ORG = Namespace("http://www.w3.org/ns/org#")
OA = Namespace("http://www.w3.org/ns/oa#")
SCHEMA = Namespace("https://schema.org/")
TIME = Namespace("http://www.w3.org/2006/time#")
WD = Namespace("http://www.wikidata.org/entity/")
SH = Namespace("http://www.w3.org/ns/shacl#")

ONTOLOGY_IRI = URIRef(BASE + "ontology")

# Named graphs. Asserted facts live in one graph per claim (the claim IRI names it); these hold the rest.
ONTOLOGY_GRAPH = GRAPH["ontology"]
PROVENANCE_GRAPH = GRAPH["provenance"]
INFERRED_GRAPH = GRAPH["inferred"]

PREFIXES: dict[str, str] = {
    "aic": str(AIC),
    "id": str(ID),
    "claim": str(CLAIM),
    "doc": str(DOC),
    "src": str(SOURCE),
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "owl": str(OWL),
    "xsd": str(XSD),
    "skos": str(SKOS),
    "dcterms": str(DCTERMS),
    "prov": str(PROV),
    "org": str(ORG),
    "oa": str(OA),
    "schema": str(SCHEMA),
    "time": str(TIME),
    "wd": str(WD),
}

# Prefixes for writing RDF: claim IRIs hold a slash, which a prefixed name can only show escaped.
SERIALIZATION_PREFIXES = {k: v for k, v in PREFIXES.items() if k != "claim"}

# Vocabularies whose terms curated data may use, provided the ontology declares the term.
CURATION_PREFIXES = {k: v for k, v in PREFIXES.items() if k not in {"id", "claim", "doc", "src", "wd", "xsd"}}


def sparql_prefixes() -> str:
    return "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in PREFIXES.items())
