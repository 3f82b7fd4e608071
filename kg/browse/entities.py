"""Entities: list by class, search by label, and one entity's facts with the evidence for each."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rdflib import Literal, URIRef
from rdflib.term import Identifier

from ..errors import NotFoundError, ParameterError
from ..evidence_index import evidence_index
from ..namespaces import AIC, ID
from ..questions import resolve_entity
from ..store.base import Store, Table
from .sparql import query
from .terms import curie, value_json


def _table(store: Store, name: str, bindings: dict[str, Identifier]) -> Table:
    result = store.query(query(name), bindings)
    assert isinstance(result, Table)
    return result


def class_iri(name: str) -> URIRef:
    """`Chip` -> aic:Chip; a full IRI passes through; anything else is refused."""
    if name.replace("_", "").isalnum() and name[:1].isalpha():
        return AIC[name]
    iri = resolve_entity(name)
    if iri is None or not name.startswith("http"):
        raise ParameterError(f"type '{name}' must be an ontology class name such as Chip, or a class IRI",
                             term=name)
    return iri


def known_class(store: Store, name: str) -> URIRef:
    """class_iri(name), refused unless the graph knows it as a class: an unknown class is a mistake to
    report, not an empty list."""
    iri = class_iri(name)
    if not _table(store, "class-known", {"type": iri}).rows:
        raise ParameterError(f"'{name}' is not a class of the ontology or the data (e.g. Chip, AIDeveloper, "
                             "Country; the classes are listed at /ontology)", term=name)
    return iri


def list_entities(store: Store, *, type: str | None = None, q: str | None = None,
                  limit: int = 100, offset: int = 0) -> dict[str, Any]:
    bindings: dict[str, Identifier] = {"q": Literal(q or "")}
    if type:
        bindings["type"] = known_class(store, type)
    found: dict[URIRef, dict[str, Any]] = {}
    for row in _table(store, "entities", bindings).rows:
        entity = row["entity"]
        assert isinstance(entity, URIRef)
        item = found.setdefault(entity, {"id": str(entity)[len(str(ID)):], "iri": str(entity),
                                         "label": str(row["label"]), "types": []})
        t = curie(row["type"])
        if t not in item["types"]:
            item["types"].append(t)
    items = list(found.values())
    return {"type": type, "q": q, "total": len(items), "offset": offset, "limit": limit,
            "entities": items[offset:offset + limit]}


def entity_iri(ident: str) -> URIRef:
    iri = resolve_entity(ident)
    if iri is None:
        raise ParameterError(f"'{ident}' is not an entity id (lower-case letters, digits, dashes) or IRI",
                             term=ident)
    return iri


def entity_facts(store: Store, ident: str) -> dict[str, Any]:
    """The entity's label and classes, its asserted facts (outgoing and incoming), each with the evidence
    of the claims asserting it, and the facts reasoning inferred."""
    iri = entity_iri(ident)
    index = evidence_index(store)

    def ev(claim: Identifier) -> list[dict[str, Any]]:
        assert isinstance(claim, URIRef)
        found = index.evidence(str(claim))
        return [found.to_dict()] if found is not None else [{"claim": str(claim)}]

    out_facts: dict[tuple[str, str], dict[str, Any]] = {}
    label: str | None = None
    types: list[str] = []
    for row in _table(store, "entity-facts", {"entity": iri}).rows:
        p, o = row["p"], row["o"]
        fact = out_facts.setdefault((str(p), o.n3()), {"property": value_json(p, row.get("pLabel")),
                                                       "value": value_json(o, row.get("oLabel")), "evidence": []})
        _add_evidence(fact, row["claim"], ev)
        if str(p).endswith("#label") and label is None:
            label = str(o)
        if str(p).endswith("#type"):
            types.append(curie(o))
    in_facts: dict[tuple[str, str], dict[str, Any]] = {}
    for row in _table(store, "entity-incoming", {"entity": iri}).rows:
        s, p = row["s"], row["p"]
        fact = in_facts.setdefault((s.n3(), str(p)), {"subject": value_json(s, row.get("sLabel")),
                                                      "property": value_json(p, row.get("pLabel")), "evidence": []})
        _add_evidence(fact, row["claim"], ev)
    inferred: dict[tuple[str, str], dict[str, Any]] = {}
    for row in _table(store, "entity-inferred", {"entity": iri}).rows:
        p, o = row["p"], row["o"]
        inferred.setdefault((str(p), o.n3()), {"property": value_json(p, row.get("pLabel")),
                                               "value": value_json(o, row.get("oLabel"))})
        if str(p).endswith("#type") and curie(o) not in types:
            types.append(curie(o))
    if not out_facts and not in_facts and not inferred:
        raise NotFoundError(f"no entity '{ident}' in the graph")
    ident_short = str(iri)[len(str(ID)):] if str(iri).startswith(str(ID)) else str(iri)
    return {"id": ident_short, "iri": str(iri), "label": label, "types": types,
            "facts": list(out_facts.values()), "incoming": list(in_facts.values()),
            "inferred": list(inferred.values())}


def _add_evidence(fact: dict[str, Any], claim: Any, ev: Callable[[Any], list[dict[str, Any]]]) -> None:
    """Attach a claim's evidence to a fact once, however many rows repeat the pair."""
    if not any(e.get("claim") == str(claim) for e in fact["evidence"]):
        fact["evidence"] += ev(claim)
