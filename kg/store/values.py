"""Binding values into query text with a VALUES block: for servers that have no other way to take
them (remote stores) and for Oxigraph, which plans joins from a leading VALUES block but not from
its `substitutions` (the named questions run up to 2x faster: docs/benchmarks.md).

Values are written by rdflib's term serialiser, which escapes literals and refuses malformed IRIs:
the text of a value can never become query syntax.
"""

from __future__ import annotations

from collections.abc import Mapping

from rdflib import BNode, Literal, URIRef
from rdflib.term import Identifier, Node

from ..errors import QuerySyntaxError, StoreError


def term_n3(term: Node) -> str:
    """A term as SPARQL text, by rdflib's own serialiser (escapes literals, refuses bad IRIs)."""
    if isinstance(term, BNode):
        raise StoreError("a blank node cannot be bound to a query variable")
    if not isinstance(term, URIRef | Literal):
        raise StoreError(f"cannot send {term!r} to a remote store")
    try:
        return term.n3()
    except Exception as exc:  # rdflib raises plain Exception for an IRI with forbidden characters
        raise StoreError(f"cannot serialise {term!r}: {exc}") from exc


def bind_values(sparql: str, bindings: Mapping[str, Identifier]) -> str:
    """Insert `VALUES (?a ?b) { (<x> "y") }` right after the first `{` of the query's outermost group."""
    names = sorted(bindings)
    for name in names:
        if not name.replace("_", "a").isalnum():
            raise StoreError(f"bad variable name {name!r}")
    row = " ".join(term_n3(bindings[n]) for n in names)
    block = f" VALUES ({' '.join('?' + n for n in names)}) {{ ({row}) }} "
    at = first_brace(sparql)
    return sparql[:at + 1] + block + sparql[at + 1:]


def first_brace(sparql: str) -> int:
    """Offset of the first `{` outside comments, IRIs and string literals."""
    i, n = 0, len(sparql)
    while i < n:
        c = sparql[i]
        if c == "#":
            nl = sparql.find("\n", i)
            i = n if nl < 0 else nl + 1
            continue
        if c == "<":
            end = sparql.find(">", i)
            if end > 0 and " " not in sparql[i:end] and "\n" not in sparql[i:end]:
                i = end + 1
                continue
        if c in "\"'":
            quote = sparql[i:i + 3] if sparql[i:i + 3] in ('"""', "'''") else c
            j = i + len(quote)
            while j < n and not sparql.startswith(quote, j):
                j += 2 if sparql[j] == "\\" else 1
            i = j + len(quote)
            continue
        if c == "{":
            return i
        i += 1
    raise QuerySyntaxError("query has no group pattern to bind values in")
