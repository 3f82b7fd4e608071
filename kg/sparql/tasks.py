"""The units of graph work a query worker runs: name -> function(store, payload) -> picklable result."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rdflib import URIRef

from ..browse import documents, entities, ontology, pages, resources, void
from ..cache import AnswerCache
from ..namespaces import ONTOLOGY_GRAPH
from ..store.base import Store
from .runner import run_sparql

# One cache per process (each query worker has its own); keyed by store version, so never stale.
_ANSWERS = AnswerCache()


def _ask(store: Store, payload: dict[str, Any]) -> bytes:
    return _ANSWERS.answer_json(store, payload["name"], payload.get("params") or {})


def _status(store: Store, _payload: Any) -> dict[str, Any]:
    return {"version": store.version, "quads": store.count(), "graphs": len(store.graph_names())}


def _validate(store: Store, payload: dict[str, Any]) -> dict[str, Any]:
    from .validation import run_validation

    return run_validation(store, payload)


TASKS: dict[str, Callable[[Store, Any], Any]] = {
    "sparql": run_sparql,
    "ask": _ask,
    "graph_names": lambda store, _p: [str(g) for g in store.graph_names()],
    "status": _status,
    "entities": lambda store, p: entities.list_entities(store, **p),
    "entity": lambda store, p: entities.entity_facts(store, p),
    "describe": lambda store, p: resources.describe(store, p["iri"], p["format"]),
    "ontology_rdf": lambda store, p: resources.graph_content(store, URIRef(ONTOLOGY_GRAPH), p),
    "ontology_doc": lambda store, _p: ontology.ontology_doc(store),
    "documents": lambda store, _p: documents.list_documents(store),
    "document": lambda store, p: documents.document(store, p),
    "claim": lambda store, p: documents.claim(store, p),
    "validate": _validate,
    "void": void.void_document,
    "graph_store": void.graph_store_read,
    "browse": pages.run_view,  # the workbench pages' views (home, completion, neighbourhood, reader, timeline)
}
