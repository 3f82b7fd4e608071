"""Term conversion between rdflib (the project's lingua franca) and pyoxigraph."""

from __future__ import annotations

from typing import Any

import pyoxigraph as ox
from rdflib import BNode, Literal, URIRef
from rdflib.term import Identifier, Node

_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
_RDF_LANGSTRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"


def to_ox(term: Node) -> Any:
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype is not None:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    raise TypeError(f"cannot convert {term!r} to an Oxigraph term")


_IRIS: dict[str, URIRef] = {}  # IRIs repeat (predicates, types, graphs): build and check each once
_MAX_IRIS = 200_000


def from_ox(term: Any) -> Identifier:
    if isinstance(term, ox.NamedNode):
        value = term.value
        found = _IRIS.get(value)
        if found is None:
            if len(_IRIS) >= _MAX_IRIS:
                _IRIS.clear()
            found = _IRIS[value] = URIRef(value)
        return found
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        dt = term.datatype.value
        if dt == _XSD_STRING:
            return Literal(term.value)
        return Literal(term.value, datatype=URIRef(dt))
    raise TypeError(f"cannot convert {term!r} to an rdflib term")


def graph_name(term: Any) -> URIRef | None:
    return None if isinstance(term, ox.DefaultGraph) else URIRef(term.value)



def json_term(term: Any, lang_key: str = "lang") -> dict[str, Any]:
    """An Oxigraph term as a JSON term: the project's form (`kg.store.jsonrows`), or with
    lang_key="xml:lang" the SPARQL 1.1 JSON results form (RDF 1.2 triple terms included)."""
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Literal):
        out: dict[str, Any] = {"type": "literal", "value": term.value}
        if term.language:
            out[lang_key] = term.language
        elif term.datatype.value != _XSD_STRING:
            out["datatype"] = term.datatype.value
        return out
    if isinstance(term, ox.Triple):
        return {"type": "triple", "value": {"subject": json_term(term.subject, lang_key),
                                            "predicate": json_term(term.predicate, lang_key),
                                            "object": json_term(term.object, lang_key)}}
    raise TypeError(f"unexpected term {term!r}")
