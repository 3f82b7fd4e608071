"""Named questions: SPARQL files with a typed header, run with safely bound parameters.

A question file (`kg/queries/<name>.rq`) starts with comment lines:

    # title: ...
    # description: ...
    # param: <name> <entity|date|string|integer> [<Class>] [= <default>] -- <help>
    # subject: <variable whose claims are the evidence of a row>

Parameters are never pasted into the query text: they are bound to the SPARQL variable of the same
name through the store's pre-binding (Oxigraph substitutions, rdflib initBindings).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import cache
from importlib import resources
from typing import Any

import orjson
from rdflib import Literal, URIRef
from rdflib.namespace import RDFS
from rdflib.term import Identifier

from .errors import ParameterError, UnknownQuestionError
from .evidence import Evidence
from .evidence_index import EvidenceIndex, evidence_for_rows
from .namespaces import AIC, ID
from .store.base import Store, Table
from .store.jsonrows import JsonRows, JsonTerm, from_json_term, term_json

PARAM_TYPES = ("entity", "date", "string", "integer")
_PARAM = re.compile(
    r"^(?P<name>[A-Za-z_]\w*)\s+(?P<type>\w+)(?:\s+(?P<cls>[A-Za-z]\w*))?"
    r"(?:\s*=\s*(?P<default>\S+))?\s*(?:--\s*(?P<help>.*))?$"
)


@dataclass(frozen=True)
class Parameter:
    name: str
    type: str
    cls: str | None
    default: str | None
    help: str

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "type": self.type, "class": self.cls, "default": self.default,
                "description": self.help}


@dataclass(frozen=True)
class Question:
    name: str
    title: str
    description: str
    parameters: tuple[Parameter, ...]
    subject: str | None
    sparql: str

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "title": self.title, "description": self.description,
                "parameters": [p.to_dict() for p in self.parameters]}


def parse_question(name: str, text: str) -> Question:
    meta: dict[str, str] = {}
    params: list[Parameter] = []
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        key, _, value = line[1:].strip().partition(":")
        value = value.strip()
        if key == "param":
            m = _PARAM.match(value)
            if not m or m.group("type") not in PARAM_TYPES:
                raise ValueError(f"question {name}: bad param line '{value}'")
            params.append(Parameter(m.group("name"), m.group("type"), m.group("cls"), m.group("default"),
                                    (m.group("help") or "").strip()))
        elif key in ("title", "description", "subject"):
            meta[key] = value
    if "title" not in meta:
        raise ValueError(f"question {name}: missing '# title:' header")
    projection = re.search(r"^SELECT\b(.*?)\bWHERE\b", text, re.S | re.M | re.I)
    for p in params:
        # Oxigraph pre-binds only variables the SELECT projects.
        if projection is None or f"?{p.name} " not in projection.group(1) + " ":
            raise ValueError(f"question {name}: parameter ?{p.name} must appear in the SELECT projection")
    return Question(name, meta["title"], meta.get("description", ""), tuple(params), meta.get("subject"), text)


@cache
def questions() -> dict[str, Question]:
    """All named questions shipped with the library, by name."""
    out: dict[str, Question] = {}
    for entry in sorted(resources.files("kg.queries").iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".rq"):
            name = entry.name[:-3]
            out[name] = parse_question(name, entry.read_text(encoding="utf-8"))
    return out


def get_question(name: str) -> Question:
    try:
        return questions()[name]
    except KeyError:
        known = ", ".join(questions())
        raise UnknownQuestionError(f"unknown question '{name}' (known: {known})", term=name) from None


def bind_parameters(store: Store, question: Question, raw: dict[str, str]) -> dict[str, Identifier]:
    """Check and type the caller's parameter values; unknown entities and bad dates are refused."""
    known = {p.name for p in question.parameters}
    for extra in raw:
        if extra not in known:
            raise ParameterError(f"question '{question.name}' has no parameter '{extra}' "
                                 f"(parameters: {', '.join(sorted(known)) or 'none'})", term=extra)
    bound: dict[str, Identifier] = {}
    for p in question.parameters:
        value = raw.get(p.name, p.default)
        if value is None:
            raise ParameterError(f"missing parameter '{p.name}' of question '{question.name}'", term=p.name)
        bound[p.name] = _typed(store, p, value)
    return bound


def _typed(store: Store, p: Parameter, value: str) -> Identifier:
    if p.type == "date":
        if value == "today":
            return Literal(date.today())
        try:
            return Literal(date.fromisoformat(value))
        except ValueError:
            raise ParameterError(f"parameter '{p.name}' must be a date YYYY-MM-DD, got '{value}'",
                                 term=value) from None
    if p.type == "integer":
        try:
            return Literal(int(value))
        except ValueError:
            raise ParameterError(f"parameter '{p.name}' must be an integer, got '{value}'", term=value) from None
    if p.type == "string":
        return Literal(value)
    iri = resolve_entity(value)
    if iri is None:
        raise ParameterError(f"parameter '{p.name}': '{value}' is not an entity id or IRI", term=value)
    cls = AIC[p.cls] if p.cls and p.cls != "Thing" else None
    check = "ASK { ?e a ?cls }" if cls is not None else "ASK { { ?e ?p ?o } UNION { ?s ?p ?e } }"
    bindings: dict[str, Identifier] = {"e": iri}
    if cls is not None:
        bindings["cls"] = cls
    if not store.query(check, bindings):
        what = f"a {p.cls}" if cls is not None else "in the graph"
        raise ParameterError(f"parameter '{p.name}': unknown entity '{value}' (not {what})", term=value)
    return iri


def resolve_entity(value: str) -> URIRef | None:
    """`alibaba` -> id IRI; a full http(s) IRI passes through; anything else is refused."""
    if re.fullmatch(r"[a-z0-9][a-z0-9-]*", value):
        return ID[value]
    if re.fullmatch(r"https?://[^\s<>\"{}|\\^`]+", value):
        return URIRef(value)
    return None


@dataclass
class Answer:
    question: Question
    parameters: dict[str, Identifier]
    table: Table
    evidence: list[list[Evidence]]

    def to_dict(self) -> dict[str, Any]:
        rows = []
        for row, ev in zip(self.table.rows, self.evidence, strict=True):
            rows.append({"values": {k: term_json(v) for k, v in row.items()},
                         "evidence": [e.to_dict() for e in ev]})
        return {"question": self.question.name, "title": self.question.title,
                "parameters": {k: term_json(v) for k, v in self.parameters.items()},
                "variables": self.table.variables, "rows": rows}


def ask(store: Store, name: str, params: dict[str, str] | None = None) -> Answer:
    """Run a named question; each row carries the evidence (claims) for its subject."""
    question, bound, result, index = _run(store, name, params)
    table = Table(result.variables, [{k: from_json_term(v) for k, v in row.items()} for row in result.rows])
    evidence: list[list[Evidence]] = []
    for row in result.rows:
        kind, iri = _evidence_source(question, row)
        if kind == "claim":
            evidence.append([e] if (e := index.evidence(iri)) is not None else [])
        else:
            evidence.append(index.subject_evidence(iri) if kind == "subject" else [])
    return Answer(question, bound, table, evidence)


def answer_json(store: Store, name: str, params: dict[str, str] | None = None) -> bytes:
    """`ask(...).to_dict()` as JSON bytes, written without building rdflib terms or Evidence dicts.

    The rows come from the store's own JSON writer and each row's evidence is a fragment the evidence
    index serialised once per store version: big answers cost little more than the query.
    """
    question, bound, result, index = _run(store, name, params)
    rows = []
    for row in result.rows:
        kind, iri = _evidence_source(question, row)
        evidence = (index.claim_json(iri) if kind == "claim" else index.subject_json(iri) if kind == "subject"
                    else b"[]")
        rows.append({"values": row, "evidence": orjson.Fragment(evidence)})
    return orjson.dumps({"question": question.name, "title": question.title,
                         "parameters": {k: term_json(v) for k, v in bound.items()},
                         "variables": result.variables, "rows": rows})


def _run(store: Store, name: str, params: dict[str, str] | None
         ) -> tuple[Question, dict[str, Identifier], JsonRows, EvidenceIndex]:
    """One way to evaluate a question for every output (objects, JSON), so all give the same rows in
    the same order: parameters checked and bound, the store's JSON rows, the version's evidence index."""
    question = get_question(name)
    bound = bind_parameters(store, question, params or {})
    result = store.select_json(question.sparql, bound)
    return question, bound, result, evidence_for_rows(store, len(result.rows))


def _evidence_source(question: Question, row: dict[str, JsonTerm]) -> tuple[str, str]:
    """Where a row's evidence comes from: the claim itself (questions about claims), the claims about the
    row's subject, or nothing (no subject column, or no IRI in it)."""
    term = row.get(question.subject) if question.subject else None
    if term is None or term["type"] != "uri":
        return "none", ""
    return ("claim" if question.subject == "claim" else "subject"), term["value"]


def label_of(store: Store, iri: URIRef) -> str | None:
    t = store.query("SELECT ?e ?label ?l WHERE { ?e ?label ?l } LIMIT 1", {"e": iri, "label": RDFS.label})
    assert isinstance(t, Table)
    return str(t.rows[0]["l"]) if t.rows else None
