"""Serialise query results (pyoxigraph terms) in the SPARQL result formats and the RDF syntaxes.

SELECT results are written here rather than by Oxigraph so that rows can be counted against the result
cap while streaming. Graph syntaxes are written by Oxigraph.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Sequence
from typing import Any
from xml.sax.saxutils import escape, quoteattr

import pyoxigraph as ox

from ..namespaces import SERIALIZATION_PREFIXES
from ..store.convert import json_term
from .formats import Format

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
RDF_LANGSTRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
SPARQL_NS = "http://www.w3.org/2005/sparql-results#"

Row = Sequence[Any]  # one pyoxigraph term or None per variable

_RDF_FORMATS = {
    "turtle": ox.RdfFormat.TURTLE, "ntriples": ox.RdfFormat.N_TRIPLES, "rdfxml": ox.RdfFormat.RDF_XML,
    "jsonld": ox.RdfFormat.JSON_LD, "trig": ox.RdfFormat.TRIG, "nquads": ox.RdfFormat.N_QUADS,
}


def _json_term(term: Any) -> dict[str, Any]:
    return json_term(term, lang_key="xml:lang")


def _xml_term(term: Any) -> str:
    if isinstance(term, ox.NamedNode):
        return f"<uri>{escape(term.value)}</uri>"
    if isinstance(term, ox.BlankNode):
        return f"<bnode>{escape(term.value)}</bnode>"
    if isinstance(term, ox.Literal):
        if term.language:
            return f"<literal xml:lang={quoteattr(term.language)}>{escape(term.value)}</literal>"
        if term.datatype.value != XSD_STRING:
            return f"<literal datatype={quoteattr(term.datatype.value)}>{escape(term.value)}</literal>"
        return f"<literal>{escape(term.value)}</literal>"
    if isinstance(term, ox.Triple):
        return (f"<triple><subject>{_xml_term(term.subject)}</subject><predicate>{_xml_term(term.predicate)}"
                f"</predicate><object>{_xml_term(term.object)}</object></triple>")
    raise TypeError(f"unexpected term {term!r}")


def _csv_value(term: Any) -> str:
    if term is None:
        return ""
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    if isinstance(term, ox.NamedNode | ox.Literal):
        return str(term.value)
    return str(term)


def _tsv_value(term: Any) -> str:
    return "" if term is None else str(term).replace("\t", "\\t")


def write_solutions(variables: Sequence[str], rows: Iterable[Row], fmt: Format) -> bytes:
    if fmt.name == "json":
        bindings = [{v: _json_term(t) for v, t in zip(variables, row, strict=True) if t is not None}
                    for row in rows]
        return json.dumps({"head": {"vars": list(variables)}, "results": {"bindings": bindings}},
                          ensure_ascii=False).encode()
    if fmt.name == "xml":
        parts = ['<?xml version="1.0"?>\n<sparql xmlns="', SPARQL_NS, '"><head>']
        parts += [f"<variable name={quoteattr(v)}/>" for v in variables]
        parts.append("</head><results>")
        for row in rows:
            parts.append("<result>")
            parts += [f"<binding name={quoteattr(v)}>{_xml_term(t)}</binding>"
                      for v, t in zip(variables, row, strict=True) if t is not None]
            parts.append("</result>")
        parts.append("</results></sparql>\n")
        return "".join(parts).encode()
    if fmt.name == "csv":
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\r\n")
        writer.writerow(variables)
        for row in rows:
            writer.writerow([_csv_value(t) for t in row])
        return buf.getvalue().encode()
    if fmt.name == "tsv":
        lines = ["\t".join(f"?{v}" for v in variables)]
        lines += ["\t".join(_tsv_value(t) for t in row) for row in rows]
        return ("\n".join(lines) + "\n").encode()
    raise ValueError(f"{fmt.name} is not a SPARQL results format")


def write_boolean(value: bool, fmt: Format) -> bytes:
    text = "true" if value else "false"
    if fmt.name == "json":
        return json.dumps({"head": {}, "boolean": value}).encode()
    if fmt.name == "xml":
        return (f'<?xml version="1.0"?>\n<sparql xmlns="{SPARQL_NS}"><head/>'
                f"<boolean>{text}</boolean></sparql>\n").encode()
    # CSV/TSV do not define booleans; write a one-cell table like other engines do
    if fmt.name == "csv":
        return f"_askResult\r\n{text}\r\n".encode()
    if fmt.name == "tsv":
        return f"?_askResult\n{text}\n".encode()
    raise ValueError(f"{fmt.name} is not a SPARQL results format")


def write_rdf(items: Iterable[Any], fmt: Format) -> bytes:
    """Triples or quads (pyoxigraph) in an RDF syntax; Turtle and TriG use the project's prefixes."""
    rdf_format = _RDF_FORMATS[fmt.name]
    prefixes = SERIALIZATION_PREFIXES if fmt.name in ("turtle", "trig") else None
    data = ox.serialize(list(items), format=rdf_format, prefixes=prefixes)
    return data if isinstance(data, bytes) else b""
