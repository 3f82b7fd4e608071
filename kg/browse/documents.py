"""Source documents with the claims quoted from them, and one claim with its asserted facts."""

from __future__ import annotations

from typing import Any

from rdflib import URIRef

from ..errors import NotFoundError
from ..evidence import claim_evidence
from ..evidence_index import evidence_for_rows
from ..namespaces import DOC
from ..store.base import Store, Table
from .sparql import query
from .terms import value_json


def list_documents(store: Store) -> list[dict[str, Any]]:
    result = store.query(query("documents"))
    assert isinstance(result, Table)
    index = evidence_for_rows(store, len(result.rows))
    docs: dict[str, dict[str, Any]] = {}
    for row in result.rows:
        iri = str(row["doc"])
        doc = docs.setdefault(iri, {
            "iri": iri, "id": iri[len(str(DOC)):] if iri.startswith(str(DOC)) else iri,
            "title": str(row["title"]) if "title" in row else None,
            "date": str(row["date"]) if "date" in row else None,
            "publisher": str(row["publisher"]) if "publisher" in row else None,
            "language": str(row["language"]) if "language" in row else None,
            "claims": []})
        claim = row.get("claim")
        if isinstance(claim, URIRef):
            ev = index.evidence(str(claim))
            doc["claims"].append(ev.to_dict() if ev is not None else {"claim": str(claim)})
    for doc in docs.values():
        doc["claims"].sort(key=lambda c: (c.get("start") or 0, c["claim"]))
    return list(docs.values())


def document(store: Store, ident: str) -> dict[str, Any]:
    iri = str(DOC[ident])
    for doc in list_documents(store):
        if doc["iri"] == iri:
            return doc
    raise NotFoundError(f"no document '{ident}'")


def claim(store: Store, iri: str) -> dict[str, Any]:
    """A claim's evidence and the facts its named graph asserts."""
    claim_iri = URIRef(iri)
    ev = claim_evidence(store, claim_iri)
    if ev is None:
        raise NotFoundError(f"no claim <{iri}>")
    result = store.query(query("graph-triples"), {"g": claim_iri})
    assert isinstance(result, Table)
    facts = [{"subject": value_json(r["s"]), "property": value_json(r["p"]), "value": value_json(r["o"])}
             for r in result.rows]
    return {"iri": iri, "evidence": ev.to_dict(), "facts": facts}
