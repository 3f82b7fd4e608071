"""The ontology as documentation data: classes and properties with labels and definitions."""

from __future__ import annotations

from typing import Any

from rdflib import Literal
from rdflib.term import Identifier

from ..store.base import Store, Table
from .sparql import query
from .terms import curie


def _english(current: str | None, term: Identifier | None) -> str | None:
    if term is None:
        return current
    if current is None or (isinstance(term, Literal) and term.language in (None, "en")):
        return str(term)
    return current


def _collect(store: Store, name: str, multi: tuple[str, ...]) -> list[dict[str, Any]]:
    result = store.query(query(name))
    assert isinstance(result, Table)
    terms: dict[str, dict[str, Any]] = {}
    for row in result.rows:
        key = str(row["term"])
        item = terms.setdefault(key, {"iri": key, "curie": curie(key), "label": None, "definition": None,
                                      **{m: [] for m in multi}})
        item["label"] = _english(item["label"], row.get("label"))
        item["definition"] = _english(item["definition"], row.get("definition"))
        for m in multi:
            value = row.get(m)
            if value is not None and curie(value) not in item[m]:
                item[m].append(curie(value))
    return sorted(terms.values(), key=lambda t: t["curie"].lower())


def ontology_doc(store: Store) -> dict[str, Any]:
    return {"classes": _collect(store, "ontology-classes", ("super",)),
            "properties": _collect(store, "ontology-properties", ("kind", "domain", "range", "super"))}
