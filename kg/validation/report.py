"""Turn pyshacl's sh:ValidationReport into findings a reader can act on, and render them.

Each finding names the focus node by its label, the rule the shape encodes (with its citation, dates
and status, read from the regulation node in the data), the severity, the message, and the evidence:
the claims that assert facts about the focus node, with their quote and document or cited source.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS
from rdflib.term import Node

from ..evidence import Evidence
from ..namespaces import AIC, SERIALIZATION_PREFIXES, SH

SEVERITIES = {SH.Violation: "violation", SH.Warning: "warning", SH.Info: "info"}
_ORDER = {"violation": 0, "warning": 1, "info": 2}
SHAPES_NS = "https://w3id.org/aichips/shapes#"
_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
TEXT_EVIDENCE = 3  # the readable form shows the first few claims; JSON carries them all


@dataclass
class RuleInfo:
    iri: str
    label: str | None = None
    citation: list[str] = field(default_factory=list)
    effective: str | None = None
    announced: str | None = None
    rescinded: str | None = None
    status: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if v not in (None, [])}


@dataclass
class Finding:
    focus: str
    focus_label: str | None
    severity: str
    message: str
    shape: str
    shape_set: str
    constraint: str | None
    path: str | None = None
    value: str | None = None
    rule: RuleInfo | None = None
    claims: list[str] = field(default_factory=list)
    evidence: list[Evidence] = field(default_factory=list)

    @property
    def event_date(self) -> str | None:
        """For a compliance finding: the first day the event fell under the rule (the result's sh:value)."""
        if self.rule is None or self.path is not None or self.value is None:
            return None
        return self.value if _ISO_DAY.fullmatch(self.value) else None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "focus": self.focus, "focusLabel": self.focus_label, "severity": self.severity,
            "eventDate": self.event_date,
            "message": self.message, "shape": self.shape, "shapeSet": self.shape_set,
            "constraint": self.constraint, "path": self.path, "value": self.value,
            "rule": self.rule.to_dict() if self.rule else None, "claims": self.claims,
            "evidence": [e.to_dict() for e in self.evidence],
        }
        return {k: v for k, v in out.items() if v not in (None, [])}


@dataclass
class ValidationResult:
    """The outcome of one run: `conforms` is False only when some result is a violation."""

    as_of: date
    shapes: str
    inferred: bool
    findings: list[Finding]
    report_graph: Graph

    @property
    def conforms(self) -> bool:
        return not any(f.severity == "violation" for f in self.findings)

    def counts(self) -> dict[str, int]:
        return {s: sum(1 for f in self.findings if f.severity == s) for s in _ORDER}

    def to_dict(self) -> dict[str, Any]:
        return {"conforms": self.conforms, "asOf": self.as_of.isoformat(), "shapes": self.shapes,
                "inferred": self.inferred, "counts": self.counts(),
                "results": [f.to_dict() for f in self.findings]}

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2, ensure_ascii=False)

    def to_turtle(self) -> str:
        return _bind(self.report_graph).serialize(format="turtle")

    def to_jsonld(self) -> str:
        return _bind(self.report_graph).serialize(format="json-ld", indent=2)

    def to_text(self) -> str:
        c = self.counts()
        data = "asserted and inferred data" if self.inferred else "asserted data"
        lines = [f"validation of {data} against {self.shapes} shapes, as of {self.as_of.isoformat()}: "
                 f"{'conforms' if self.conforms else 'does NOT conform'} "
                 f"({c['violation']} violations, {c['warning']} warnings, {c['info']} infos)"]
        for i, f in enumerate(self.findings, 1):
            lines.append("")
            lines.append(f"{i}. [{f.severity.upper()}] {f.focus_label or f.focus} <{f.focus}>")
            lines.append(f"   {f.message}")
            if f.rule is not None:
                r = f.rule
                dates = (f"effective {r.effective}" if r.effective else f"announced {r.announced or 'unknown'}") \
                    + (f", rescinded {r.rescinded}" if r.rescinded else "")
                lines.append(f"   rule: {r.label or r.iri} ({dates}"
                             + (f"; {r.status}" if r.status else "") + ")")
                if r.citation:
                    lines.append(f"   citation: {'; '.join(r.citation)}")
            if f.path:
                lines.append(f"   property: {_short(f.path)}" + (f", value {f.value}" if f.value else ""))
            elif f.event_date:
                lines.append(f"   event date: {f.event_date} (judged by the rule as in force on that day)")
            lines.append(f"   shape: {_short(f.shape)} ({f.shape_set})")
            for ev in f.evidence[:TEXT_EVIDENCE]:
                if ev.kind == "document":
                    lines.append(f"   evidence: \u201c{ev.quote}\u201d \u2014 {ev.attributed_to} ({ev.status}), "
                                 f"{ev.document_title or ev.document}")
                else:
                    lines.append(f"   evidence: [{ev.status}] {'; '.join(ev.citation) or ev.claim}")
            if len(f.evidence) > TEXT_EVIDENCE:
                lines.append(f"   ... and {len(f.evidence) - TEXT_EVIDENCE} more claims (see --format json)")
            if f.claims and not f.evidence:
                lines.append(f"   claims: {', '.join(f.claims)}")
        return "\n".join(lines) + "\n"


def findings(report: Graph, data: Graph, shapes: Graph, shape_sets: dict[Node, str],
             claims_of: Callable[[Node], list[URIRef]],
             evidence_of: Callable[[URIRef], Evidence | None] | None) -> list[Finding]:
    """Read every sh:result of the report; the data graph supplies labels and the rules' details."""
    out: list[Finding] = []
    rules: dict[URIRef, RuleInfo] = {}
    for result in report.objects(None, SH.result):
        focus = report.value(result, SH.focusNode)
        shape = report.value(result, SH.sourceShape)
        if focus is None or shape is None:
            continue
        owner = _owning_shape(shapes, shape)
        rule_iri = shapes.value(owner, AIC.encodesRule)
        rule = None
        if isinstance(rule_iri, URIRef):
            if rule_iri not in rules:
                rules[rule_iri] = _rule_info(data, rule_iri, claims_of, evidence_of)
            rule = rules[rule_iri]
        messages = sorted(str(m) for m in report.objects(result, SH.resultMessage))
        claims = claims_of(focus)
        path, value = report.value(result, SH.resultPath), report.value(result, SH.value)
        constraint = report.value(result, SH.sourceConstraintComponent)
        out.append(Finding(
            focus=str(focus), focus_label=_label(data, focus),
            severity=_severity(report.value(result, SH.resultSeverity)),
            message=" ".join(messages) or "constraint not met",
            shape=str(owner), shape_set=shape_sets.get(owner, "?"),
            constraint=_short(constraint) if constraint is not None else None,
            path=str(path) if isinstance(path, URIRef) else None,
            value=str(value) if value is not None else None,
            rule=rule, claims=[str(c) for c in claims],
            evidence=[e for c in claims if evidence_of is not None if (e := evidence_of(c)) is not None],
        ))
    out.sort(key=lambda f: (_ORDER[f.severity], f.rule.iri if f.rule else "", f.focus, f.shape, f.message))
    return out


def _severity(node: Node | None) -> str:
    return SEVERITIES.get(node, "violation") if isinstance(node, URIRef) else "violation"


def _owning_shape(shapes: Graph, shape: Node) -> Node:
    """Property shapes are blank nodes; report the node shape that holds them."""
    if (shape, RDF.type, SH.NodeShape) in shapes:
        return shape
    return next(shapes.subjects(SH.property, shape), shape)


def _rule_info(data: Graph, rule: URIRef, claims_of: Callable[[Node], list[URIRef]],
               evidence_of: Callable[[URIRef], Evidence | None] | None) -> RuleInfo:
    def first(p: URIRef) -> str | None:
        v = data.value(rule, p)
        return str(v) if v is not None else None

    citation = sorted({str(c) for c in data.objects(rule, AIC.citation)})
    if not citation and evidence_of is not None:
        # No official citation recorded on the rule: cite the sources of the claims that describe it.
        for claim in claims_of(rule):
            ev = evidence_of(claim)
            if ev is not None:
                citation.extend(c for c in ev.citation if c not in citation)
    status = data.value(rule, AIC.regulationStatus)
    return RuleInfo(iri=str(rule), label=_label(data, rule), citation=citation,
                    effective=first(AIC.effectiveDate), announced=first(AIC.announcedDate),
                    rescinded=first(AIC.rescissionDate),
                    status=_label(data, status) if status is not None else None)


def _label(g: Graph, node: Node) -> str | None:
    # English or untagged labels first, so reports read the same whatever order the store returns.
    labels = sorted(g.objects(node, RDFS.label), key=lambda lit: (isinstance(lit, Literal)
                                                                   and lit.language not in (None, "en"), str(lit)))
    return str(labels[0]) if labels else None


def _short(term: object) -> str:
    text = str(term)
    for prefix, ns in SERIALIZATION_PREFIXES.items():
        if text.startswith(ns):
            return f"{prefix}:{text[len(ns):]}"
    for prefix, ns in (("sh", str(SH)), ("aicsh", SHAPES_NS)):
        if text.startswith(ns):
            return f"{prefix}:{text[len(ns):]}"
    return text


def _bind(g: Graph) -> Graph:
    for prefix, ns in SERIALIZATION_PREFIXES.items():
        g.bind(prefix, ns)
    g.bind("sh", str(SH))
    return g
