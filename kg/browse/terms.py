"""Small helpers shared by the browse views: short names and JSON shapes of terms."""

from __future__ import annotations

from typing import Any

from rdflib import URIRef
from rdflib.term import Identifier

from ..namespaces import PREFIXES
from ..store.jsonrows import term_json


def curie(term: Identifier | str) -> str:
    text = str(term)
    for prefix, ns in sorted(PREFIXES.items(), key=lambda kv: -len(kv[1])):
        if text.startswith(ns) and len(text) > len(ns):
            return f"{prefix}:{text[len(ns):]}"
    return text


def value_json(term: Identifier, label: Identifier | None = None) -> dict[str, Any]:
    out: dict[str, Any] = term_json(term)
    if isinstance(term, URIRef):
        out["curie"] = curie(term)
    if label is not None:
        out["label"] = str(label)
    return out
