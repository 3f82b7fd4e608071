"""The graph as the browser pages show it: the home page's summary, entity completion, an entity's
neighbourhood, the document reader (text split into highlighted segments) and the timeline of rules.

Each `*_view(store, payload)` is a view (VIEWS, run by one worker task `browse`): it reads the graph with
the .rq files of kg/browse/queries/, values bound, and returns plain JSON-able data for the templates.
Until kg/sparql/tasks.py registers that task the service runs the views on its own store handle, outside a
worker: so their queries sort only by keys of one kind of term (STR(...), numbers), never by a mix that
pyoxigraph 0.5.13 aborts the process on (docs/api.md, Safety).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from pathlib import Path
from typing import Any

from rdflib import Literal, URIRef
from rdflib.term import Identifier

from ..documents import read_documents
from ..namespaces import AIC, DOC, ID
from ..store.base import Store, Table
from .documents import document
from .entities import entity_iri, known_class
from .sparql import query
from .terms import curie, value_json

NEIGHBOURS_MAX = 40  # nodes in an entity's picture beyond which edges are left out (the table has them all)


def _rows(store: Store, name: str, bindings: dict[str, Identifier] | None = None) -> list[dict[str, Identifier]]:
    result = store.query(query(name), bindings or {})
    assert isinstance(result, Table)
    return result.rows


def _int(value: Identifier | None) -> int:
    return int(str(value)) if value is not None else 0


def _str(value: Identifier | None) -> str | None:
    return str(value) if value is not None else None


def _slug(iri: str) -> str:
    return iri[len(str(ID)):] if iri.startswith(str(ID)) else iri


def home_view(store: Store, _payload: Any = None) -> dict[str, Any]:
    counts = _rows(store, "home-counts")
    row = counts[0] if counts else {}
    classes = [{"name": str(r["class"])[len(str(AIC)):], "curie": curie(r["class"]),
                "label": _str(r.get("label")) or str(r["class"])[len(str(AIC)):], "count": _int(r.get("n"))}
               for r in _rows(store, "home-classes")]
    return {"version": store.version, "documents": _int(row.get("documents")), "claims": _int(row.get("claims")),
            "entities": _int(row.get("entities")), "rules": _int(row.get("rules")), "classes": classes}


def complete_view(store: Store, payload: dict[str, Any]) -> list[dict[str, Any]]:
    """Entities whose label or alternative label contains `q`, of class `type` when given."""
    bindings: dict[str, Identifier] = {"q": Literal(payload.get("q") or "")}
    if payload.get("type"):
        bindings["type"] = known_class(store, payload["type"])
    limit = int(payload.get("limit") or 20)
    found: dict[str, dict[str, Any]] = {}
    for r in _rows(store, "complete", bindings):
        iri = str(r["entity"])
        item = found.get(iri)
        if item is None:
            if len(found) >= limit:
                continue
            item = found[iri] = {"id": _slug(iri), "iri": iri, "label": str(r["label"]), "alt": []}
        alt = _str(r.get("alt"))
        if alt and alt not in item["alt"] and alt != item["label"]:
            item["alt"].append(alt)
    out = list(found.values())
    return out


def neighbourhood(store: Store, iri: URIRef) -> dict[str, Any]:
    """Nodes and edges around one entity; each edge says whether reasoning inferred it."""
    nodes: dict[str, dict[str, Any]] = {str(iri): {"id": _slug(str(iri)), "iri": str(iri), "centre": True}}
    edges: list[dict[str, Any]] = []
    truncated = False
    for r in _rows(store, "neighbourhood", {"entity": iri}):
        s, o = str(r["s"]), str(r["o"])
        for term, label in ((s, r.get("sLabel")), (o, r.get("oLabel"))):
            if term not in nodes:
                if len(nodes) >= NEIGHBOURS_MAX:
                    truncated = True
                    continue
                nodes[term] = {"id": _slug(term), "iri": term}
            if label is not None:
                nodes[term].setdefault("label", str(label))
        if s not in nodes or o not in nodes:
            continue
        edges.append({"source": _slug(s), "target": _slug(o), "property": curie(r["p"]),
                      "label": _str(r.get("pLabel")) or curie(r["p"]),
                      "inferred": str(r.get("inferred")).lower() == "true"})
    for node in nodes.values():
        node.setdefault("label", node["id"])
    return {"nodes": list(nodes.values()), "edges": edges, "truncated": truncated}


def group_by_claim(entity: dict[str, Any]) -> list[dict[str, Any]]:
    """The entity's asserted facts (outgoing and incoming) grouped by the claim asserting them: one
    evidence block per claim however many properties it asserts. Claims in order of first fact."""
    groups: dict[str, dict[str, Any]] = {}
    for direction in ("facts", "incoming"):
        for fact in entity.get(direction, []):
            for ev in fact["evidence"]:
                group = groups.setdefault(ev["claim"], {"evidence": ev, "facts": []})
                group["facts"].append({**{k: v for k, v in fact.items() if k != "evidence"},
                                       "direction": "out" if direction == "facts" else "in"})
    return list(groups.values())


def neighbourhood_view(store: Store, ident: str) -> dict[str, Any]:
    return neighbourhood(store, entity_iri(ident))


def entity_page(entity: dict[str, Any], graph: dict[str, Any]) -> dict[str, Any]:
    """The entity page: its facts (as /entities/{id} gives them), each class once, the facts grouped by
    claim, and the picture of its neighbourhood."""
    return {**entity, "types": list(dict.fromkeys(entity["types"])), "claims": group_by_claim(entity),
            "graph": graph}


def _segments(text: str, claims: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The text cut at every quote boundary; each segment lists the claims whose quote covers it, so that
    overlapping and nested quotes are all shown."""
    cuts = {0, len(text)}
    spans = []
    for i, c in enumerate(claims):
        start, end = c.get("start"), c.get("end")
        if isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= len(text):
            cuts.update((start, end))
            spans.append((start, end, i))
    points = sorted(cuts)
    out = []
    for a, b in itertools.pairwise(points):
        covering = [i for start, end, i in spans if start <= a and b <= end]
        starting = [claims[i]["claim"].rsplit("/", 1)[-1] for start, _, i in spans if start == a]
        out.append({"text": text[a:b], "start": a, "claims": covering, "anchors": starting})
    return out


def reader_view(store: Store, payload: dict[str, Any]) -> dict[str, Any]:
    """Worker task: payload {"id": document id, "data_dir": the curated data}. The document's metadata and
    claims (as /documents), its full text in segments, and the triples each claim asserts."""
    doc = document(store, payload["id"])
    registry = Path(payload["data_dir"]) / "documents" / "documents.yaml"
    source = read_documents(registry).get(payload["id"]) if registry.is_file() else None
    facts: dict[str, dict[tuple[str, str, str], dict[str, Any]]] = {}
    for r in _rows(store, "document-facts", {"doc": URIRef(str(DOC[payload["id"]]))}):
        # one row per combination of labels: the first (English first, by the query's order) is kept
        key = (r["s"].n3(), r["p"].n3(), r["o"].n3())
        facts.setdefault(str(r["claim"]), {}).setdefault(key, {
            "subject": value_json(r["s"], r.get("sLabel")), "property": value_json(r["p"], r.get("pLabel")),
            "value": value_json(r["o"], r.get("oLabel"))})
    for c in doc["claims"]:
        c["facts"] = list(facts.get(c["claim"], {}).values())
        c["short"] = c["claim"].rsplit("/", 1)[-1]
    # Without its text (a store built elsewhere) the reader still lists the claims and their quotes.
    doc["source_url"] = source.source_url if source else None
    doc["segments"] = _segments(source.text, doc["claims"]) if source else None
    return doc


def timeline_view(store: Store, _payload: Any = None) -> list[dict[str, Any]]:
    keys = ("announced", "effective", "rescinded", "suspendedFrom", "suspendedUntil")
    return [{"iri": str(r["rule"]), "label": str(r["label"]), "jurisdiction": _str(r.get("jurisdiction")),
             "status": _str(r.get("status")), **{k: _str(r.get(k)) for k in keys}}
            for r in _rows(store, "rules-timeline")]


def run_view(store: Store, payload: dict[str, Any]) -> Any:
    """One worker task for every view: payload {"view": name, "args": the view's payload}."""
    return VIEWS[payload["view"]](store, payload.get("args"))


VIEWS: dict[str, Callable[[Store, Any], Any]] = {
    "home": home_view,
    "complete": complete_view,
    "neighbourhood": neighbourhood_view,
    "reader": reader_view,
    "timeline": timeline_view,
}


# -- named questions' answers as tables ---------------------------------------------------------------------

def answer_table(answer: dict[str, Any], labels: dict[str, str] | None = None) -> dict[str, Any]:
    """The JSON answer of a named question as the page's table: a variable `xLabel` next to `x` becomes
    the text of x's link instead of a column of its own; other IRIs take their label from `labels` (the
    parameters' entities); each row keeps its evidence."""
    variables: list[str] = answer.get("variables", [])
    label_of = {v: f"{v}Label" for v in variables if f"{v}Label" in variables}
    hidden = set(label_of.values())
    columns = [v for v in variables if v not in hidden]
    rows = []
    for row in answer.get("rows", []):
        values = row.get("values", {})
        cells = []
        for v in columns:
            cell = dict(values.get(v) or {})
            if cell.get("type") == "uri":
                cell["curie"] = curie(cell["value"])
                if v in label_of and values.get(label_of[v]):
                    cell["label"] = values[label_of[v]]["value"]
                elif labels and cell["value"] in labels:
                    cell["label"] = labels[cell["value"]]
            cells.append(cell)
        rows.append({"cells": cells, "evidence": row.get("evidence", [])})
    return {"columns": columns, "rows": rows}


def answer_csv(answer: dict[str, Any]) -> str:
    """The answer's variables as CSV columns (IRIs in full), plus the claims each row rests on."""
    import csv
    import io

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    variables: list[str] = answer.get("variables", [])
    writer.writerow([*variables, "evidence"])
    for row in answer.get("rows", []):
        values = row.get("values", {})
        writer.writerow([(values.get(v) or {}).get("value", "") for v in variables]
                        + [" ".join(e.get("claim", "") for e in row.get("evidence", []))])
    return out.getvalue()


# -- the SPARQL editor's configuration ----------------------------------------------------------------------

def editor_examples() -> list[dict[str, str]]:
    """The named questions as example queries: each question's text with its default parameters in a
    leading VALUES block, as the service binds them when the question is asked (kg/store/values.py)."""
    from datetime import date

    from rdflib import XSD

    from ..questions import questions, resolve_entity
    from ..store.values import bind_values

    out = []
    for q in questions().values():
        bindings: dict[str, Identifier] = {}
        for p in q.parameters:
            if p.default is None:
                continue
            if p.type == "date":
                day = date.today().isoformat() if p.default == "today" else p.default
                bindings[p.name] = Literal(day, datatype=XSD.date)
            elif p.type == "entity":
                iri = resolve_entity(p.default)
                if iri is not None:
                    bindings[p.name] = iri
            else:
                bindings[p.name] = Literal(p.default)
        text = bind_values(q.sparql, bindings) if bindings else q.sparql
        out.append({"name": q.name, "title": q.title, "query": text})
    return out


def editor_config(ontology: dict[str, Any]) -> dict[str, Any]:
    """Prefixes, example queries and the ontology's terms for the editor's completion."""
    from ..namespaces import PREFIXES

    headline = "firms-training-outside"  # the README's headline question opens the list
    examples = sorted(editor_examples(), key=lambda e: e["name"] != headline)
    starter = ("PREFIX aic: <https://w3id.org/aichips/ontology#>\nPREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
               "SELECT DISTINCT ?firm ?label WHERE {\n  ?firm a aic:AIDeveloper ; rdfs:label ?label\n}\n"
               "ORDER BY ?label\n")
    return {"prefixes": dict(PREFIXES), "examples": examples, "starter": starter,
            "classes": [t["iri"] for t in ontology.get("classes", [])],
            "properties": [t["iri"] for t in ontology.get("properties", [])]}
