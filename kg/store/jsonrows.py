"""SELECT results in the SPARQL 1.1 JSON term form, for answers serialised without rdflib terms.

A term is `{"type": "uri"|"literal"|"bnode", "value": ...}` plus `datatype` (omitted for
xsd:string) or `lang` for literals: the form the REST answers have always used.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from rdflib import BNode, Literal, URIRef
from rdflib.namespace import XSD
from rdflib.term import Identifier

JsonTerm = dict[str, str]


@dataclass
class JsonRows:
    variables: list[str]
    rows: list[dict[str, JsonTerm]] = field(default_factory=list)


def term_json(term: Identifier) -> Any:
    if isinstance(term, URIRef):
        return {"type": "uri", "value": str(term)}
    if isinstance(term, Literal):
        out: dict[str, Any] = {"type": "literal", "value": str(term)}
        if term.language:
            out["lang"] = term.language
        elif term.datatype is not None and term.datatype != XSD.string:
            out["datatype"] = str(term.datatype)
        return out
    return {"type": "bnode", "value": str(term)}


def from_json_term(term: JsonTerm) -> Identifier:
    """The rdflib term of a JSON term (the inverse of `term_json`)."""
    kind, value = term["type"], term["value"]
    if kind == "uri":
        return URIRef(value)
    if kind == "bnode":
        return BNode(value)
    if "lang" in term:
        return Literal(value, lang=term["lang"])
    datatype = term.get("datatype")
    return Literal(value, datatype=URIRef(datatype)) if datatype else Literal(value)


def from_sparql_json(bindings: list[dict[str, dict[str, str]]]) -> list[dict[str, JsonTerm]]:
    """Rows of a SPARQL JSON results document, in this project's term form (in place)."""
    for row in bindings:
        for term in row.values():
            if "xml:lang" in term:
                term["lang"] = term.pop("xml:lang")
            if term.get("datatype") == _XSD_STRING:
                del term["datatype"]
            if term["type"] == "typed-literal":  # SPARQL JSON's pre-recommendation spelling
                term["type"] = "literal"
    return bindings


_XSD_STRING = str(XSD.string)
