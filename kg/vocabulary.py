"""The ontology as the curation layer sees it: which names are terms, what kind, and what range.

Curated YAML writes `trainer: alibaba` or `skos:altLabel: ...`; this module turns such names into
IRIs, refusing any term the ontology does not declare (reused terms included), and tells the
compiler whether a property takes entities or literals of which datatype.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from functools import cached_property
from pathlib import Path

from rdflib import Graph, URIRef
from rdflib.namespace import OWL, RDF, RDFS, XSD

from .errors import LoadError
from .namespaces import AIC, CURATION_PREFIXES


class Kind(Enum):
    CLASS = "class"
    OBJECT = "object property"
    DATATYPE = "datatype property"
    ANNOTATION = "annotation property"
    INDIVIDUAL = "individual"


@dataclass(frozen=True)
class Term:
    iri: URIRef
    kind: Kind
    range: URIRef | None = None


def load_ontology(path: Path) -> Graph:
    graph = Graph()
    try:
        graph.parse(path, format="turtle")
    except Exception as exc:  # rdflib raises many unrelated types for syntax errors
        raise LoadError(f"ontology does not parse: {exc}", file=str(path)) from exc
    return graph


class Vocabulary:
    def __init__(self, ontology: Graph) -> None:
        self.graph = ontology

    @cached_property
    def terms(self) -> dict[URIRef, Term]:
        g = self.graph
        kinds = {
            OWL.Class: Kind.CLASS,
            OWL.ObjectProperty: Kind.OBJECT,
            OWL.DatatypeProperty: Kind.DATATYPE,
            OWL.AnnotationProperty: Kind.ANNOTATION,
        }
        out: dict[URIRef, Term] = {}
        for rdf_type, kind in kinds.items():
            for s in g.subjects(RDF.type, rdf_type):
                if isinstance(s, URIRef):
                    rng = g.value(s, RDFS.range)
                    out[s] = Term(s, kind, rng if isinstance(rng, URIRef) else None)
        classes = {iri for iri, t in out.items() if t.kind is Kind.CLASS} | {OWL.Class}
        for s, o in g.subject_objects(RDF.type):
            # Individuals the ontology itself defines: concept-scheme members, OWL-Time units.
            if isinstance(s, URIRef) and s not in out and o in classes:
                out[s] = Term(s, Kind.INDIVIDUAL)
        return out

    def expand(self, name: str) -> URIRef | None:
        """`trainer` -> aic:trainer; `skos:altLabel` -> SKOS IRI; None for an unknown prefix."""
        if ":" in name:
            prefix, local = name.split(":", 1)
            ns = CURATION_PREFIXES.get(prefix)
            return URIRef(ns + local) if ns else None
        return AIC[name]

    def lookup(self, name: str, *kinds: Kind) -> Term | None:
        iri = self.expand(name)
        if iri is None:
            return None
        term = self.terms.get(iri)
        if term is None or (kinds and term.kind not in kinds):
            return None
        return term

    def is_literal_property(self, term: Term) -> bool:
        return term.kind in (Kind.DATATYPE, Kind.ANNOTATION)

    def literal_datatype(self, term: Term) -> URIRef:
        return term.range if term.range is not None else XSD.string
