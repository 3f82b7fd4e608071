"""Translate a shapes graph into SPARQL checks that each cover ALL focus nodes of a shape at once.

One check per constraint: the core constraints of property shapes (sh:minCount, sh:maxCount, sh:class,
sh:datatype, sh:nodeKind, sh:pattern, sh:minLength, sh:maxLength, value ranges, sh:lessThan,
sh:lessThanOrEquals) from the templates in `sparql/`, and each SPARQL-based constraint (`sh:sparql`
with `sh:select`) with the shape's targets joined in front of its body and `$currentShape` bound
with a VALUES block. The semantics (which results, with which focus node, path, value, message and
severity) are pyshacl's; anything else raises Unsupported, and `auto` then falls back to pyshacl.

The text spliced into the templates comes from the shapes graph only (IRIs and literals serialised
by rdflib's `.n3()`, which escapes literals and refuses IRIs with forbidden characters), never from
a caller or from the data.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from pyshacl.rdfutil.stringify import stringify_node
from rdflib import Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import OWL, RDF, RDFS, XSD
from rdflib.term import Node

from ..namespaces import SH
from ..store.values import bind_values, first_brace, term_n3

TEMPLATES = Path(__file__).parent / "sparql"
TARGETS = (SH.targetClass, SH.targetSubjectsOf, SH.targetObjectsOf, SH.targetNode)
_IGNORED = {SH.message, SH.severity, SH.name, SH.description, SH.order, SH.group, SH.deactivated,
            SH.path, SH.property, SH.sparql, SH.prefixes, SH.declare, *TARGETS}
_RANGES = {SH.minExclusive: (">", "Value is not > {}", SH.MinExclusiveConstraintComponent),
           SH.minInclusive: (">=", "Value is not >= {}", SH.MinInclusiveConstraintComponent),
           SH.maxExclusive: ("<", "Value is not < {}", SH.MaxExclusiveConstraintComponent),
           SH.maxInclusive: ("<=", "Value is not <= {}", SH.MaxInclusiveConstraintComponent)}
_KINDS = {SH.IRI: "isIRI(?value)", SH.BlankNode: "isBlank(?value)", SH.Literal: "isLiteral(?value)",
          SH.BlankNodeOrIRI: "isBlank(?value) || isIRI(?value)",
          SH.BlankNodeOrLiteral: "isBlank(?value) || isLiteral(?value)",
          SH.IRIOrLiteral: "isIRI(?value) || isLiteral(?value)"}
_CASTS = {XSD.date, XSD.dateTime, XSD.decimal, XSD.integer, XSD.boolean, XSD.float, XSD.double, XSD.time}
FOCUS = "\x00focus\x00"  # stands for the focus node in a generic message, filled in per result


class Unsupported(Exception):
    """The shapes use a feature the scaled engine does not translate (pyshacl must run them)."""


@dataclass(frozen=True)
class Check:
    """One SPARQL query whose rows are validation results of one constraint of one shape."""

    shape: Node                     # sh:sourceShape
    component: URIRef               # sh:sourceConstraintComponent
    severity: URIRef
    query: str
    path: Node | None = None        # sh:resultPath (the shape's path node)
    messages: tuple[Literal, ...] = ()  # the shape's own sh:message
    generic: str = ""               # pyshacl's generic message when the shape has none
    constraint: Node | None = None  # sh:sourceConstraint (SPARQL constraints)
    extra: tuple[Literal, ...] = ()  # the SPARQL constraint's sh:message, formatted per row
    sparql: bool = False            # value = focus node, messages formatted with the row's bindings
    pairs: bool = False             # sh:lessThan & co.: one result per (value, compared value)


@cache
def _template(name: str) -> str:
    text = (TEMPLATES / f"{name}.rq").read_text(encoding="utf-8")
    return "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))


def plan(shapes: Graph) -> list[Check]:
    """All checks of every targeted shape; raises Unsupported for anything not translated."""
    checks: list[Check] = []
    node_shapes = {s for p in TARGETS for s in shapes.subjects(p, None)}
    for shape in shapes.subjects(RDF.type, SH.NodeShape):
        if _deactivated(shapes, shape):
            continue
        if shape not in node_shapes and (shape, SH.sparql, None) in shapes:
            raise Unsupported(f"shape {shape} has constraints but no target")
    for shape in sorted(node_shapes, key=str):
        if _deactivated(shapes, shape):
            continue
        if (shape, RDF.type, RDFS.Class) in shapes or (shape, RDF.type, OWL.Class) in shapes:
            raise Unsupported("implicit class targets")
        if (shape, SH.path, None) in shapes:
            raise Unsupported("a property shape with its own targets")
        _only(shapes, shape, {SH.property, SH.sparql})
        target = _target(shapes, shape)
        checks += _sparql_checks(shapes, shape, target)
        for prop in shapes.objects(shape, SH.property):
            if not _deactivated(shapes, prop):
                checks += _property_checks(shapes, prop, target)
    return checks


def _deactivated(g: Graph, shape: Node) -> bool:
    return any(isinstance(v, Literal) and v.value is True for v in g.objects(shape, SH.deactivated))


def _only(g: Graph, shape: Node, allowed: set[URIRef]) -> None:
    for p in g.predicates(shape, None):
        if str(p).startswith(str(SH)) and p not in allowed and p not in _IGNORED:
            raise Unsupported(f"{p} on {shape}")


def _severity(g: Graph, shape: Node) -> URIRef:
    value = g.value(shape, SH.severity)
    return value if isinstance(value, URIRef) else SH.Violation


def _target(g: Graph, shape: Node) -> str:
    parts = [f"{{ ?this {term_n3(RDF.type)}/{term_n3(RDFS.subClassOf)}* {_n3(c)} }}"
             for c in g.objects(shape, SH.targetClass)]
    parts += [f"{{ ?this {_n3(p)} ?targetObject }}" for p in g.objects(shape, SH.targetSubjectsOf)]
    parts += [f"{{ ?targetSubject {_n3(p)} ?this }}" for p in g.objects(shape, SH.targetObjectsOf)]
    parts += [f"{{ VALUES ?this {{ {_n3(n)} }} }}" for n in g.objects(shape, SH.targetNode)]
    return "{ SELECT DISTINCT ?this WHERE { " + " UNION ".join(sorted(parts)) + " } }"


def _n3(term: Node) -> str:
    if not isinstance(term, URIRef | Literal):
        raise Unsupported(f"{term!r} in a target or path")
    return term_n3(term)


def path_text(g: Graph, path: Node) -> str:
    """A SHACL property path as a SPARQL property path."""
    if isinstance(path, URIRef):
        return term_n3(path)
    if (path, RDF.first, None) in g:
        return "(" + "/".join(path_text(g, p) for p in Collection(g, path)) + ")"
    for key, fmt in ((SH.inversePath, "^({})"), (SH.zeroOrMorePath, "({})*"), (SH.oneOrMorePath, "({})+"),
                     (SH.zeroOrOnePath, "({})?")):
        inner = g.value(path, key)
        if inner is not None:
            return fmt.format(path_text(g, inner))
    alternatives = g.value(path, SH.alternativePath)
    if alternatives is not None:
        return "(" + "|".join(path_text(g, p) for p in Collection(g, alternatives)) + ")"
    raise Unsupported(f"path {path!r}")


def _fill(name: str, target: str, path: str, bindings: dict[str, Node], **parts: str) -> str:
    text = _template(name).replace("{{TARGET}}", target).replace("{{PATH}}", path)
    for key, value in parts.items():
        text = text.replace("{{" + key + "}}", value)
    return bind_values(text, bindings) if bindings else text  # type: ignore[arg-type]


def _property_checks(g: Graph, prop: Node, target: str) -> list[Check]:
    path = g.value(prop, SH.path)
    if path is None:
        raise Unsupported(f"property shape {prop!r} without sh:path")
    supported = {SH.minCount, SH.maxCount, SH["class"], SH.datatype, SH.nodeKind, SH.pattern,
                 SH.flags, SH.minLength, SH.maxLength, SH.lessThan, SH.lessThanOrEquals, *_RANGES}
    _only(g, prop, supported)
    ptext = path_text(g, path)
    pstr = stringify_node(g, path)
    base = {"shape": prop, "severity": _severity(g, prop), "path": path,
            "messages": tuple(m for m in g.objects(prop, SH.message) if isinstance(m, Literal))}
    out: list[Check] = []

    def add(component: URIRef, query: str, generic: str, *, pairs: bool = False) -> None:
        out.append(Check(component=component, query=query, generic=generic, pairs=pairs, **base))  # type: ignore[arg-type]

    for n in g.objects(prop, SH.minCount):
        add(SH.MinCountConstraintComponent, _fill("min-count", target, ptext, {"limit": n}),
            f"Less than {_value(n)} values on {FOCUS}->{pstr}")
    for n in g.objects(prop, SH.maxCount):
        add(SH.MaxCountConstraintComponent, _fill("max-count", target, ptext, {"limit": n}),
            f"More than {_value(n)} values on {FOCUS}->{pstr}")
    classes = list(g.objects(prop, SH["class"]))
    for c in classes:
        generic = (f"Value does not have class {stringify_node(g, c)}" if len(classes) < 2 else
                   "Value class is not in classes ({})".format(", ".join(stringify_node(g, x) for x in classes)))
        add(SH.ClassConstraintComponent, _fill("class", target, ptext, {"class": c}), generic)
    for dt in g.objects(prop, SH.datatype):
        if dt in (RDFS.Literal, RDFS.Datatype):
            raise Unsupported(f"sh:datatype {dt}")
        wellformed = f"COALESCE(isLiteral({term_n3(dt)}(STR(?value))), false)" if dt in _CASTS else "true"
        add(SH.DatatypeConstraintComponent, _fill("datatype", target, ptext, {"datatype": dt}, WELLFORMED=wellformed),
            f"Value is not Literal with datatype {stringify_node(g, dt)}")
    for kind in g.objects(prop, SH.nodeKind):
        if kind not in _KINDS:
            raise Unsupported(f"sh:nodeKind {kind}")
        add(SH.NodeKindConstraintComponent, _fill("node-kind", target, ptext, {}, KIND=_KINDS[kind]),  # type: ignore[index]
            f"Value is not of Node Kind {stringify_node(g, kind)}")
    patterns = list(g.objects(prop, SH.pattern))
    flags = g.value(prop, SH.flags)
    for pattern in patterns:
        if len(patterns) > 1:
            raise Unsupported("several sh:pattern on one shape")
        add(SH.PatternConstraintComponent, _fill("pattern", target, ptext, {
            "pattern": pattern, "flags": flags if flags is not None else Literal("")}),
            f"Value does not match pattern '{_value(pattern)}'")
    for key, name, fmt, component in ((SH.minLength, "min-length", "String length not >= {}",
                                       SH.MinLengthConstraintComponent),
                                      (SH.maxLength, "max-length", "String length not <= {}",
                                       SH.MaxLengthConstraintComponent)):
        for n in g.objects(prop, key):
            add(component, _fill(name, target, ptext, {"limit": n}), fmt.format(stringify_node(Graph(), n)))
    for key, (op, fmt, component) in _RANGES.items():
        for limit in g.objects(prop, key):
            add(component, _fill("value-range", target, ptext, {"limit": limit}, OP=op),
                fmt.format(stringify_node(g, limit)))
    for key, op, fmt, component in ((SH.lessThan, "<", "Value of {}->{} < {}", SH.LessThanConstraintComponent),
                                    (SH.lessThanOrEquals, "<=", "Value of {}->{} <= {}",
                                     SH.LessThanOrEqualsConstraintComponent)):
        for other in g.objects(prop, key):
            if not isinstance(other, URIRef):
                raise Unsupported(f"{key} with a non-IRI")
            add(component, _fill("property-pair", target, ptext, {"other": other}, OP=op),
                fmt.format(FOCUS, pstr, stringify_node(g, other)), pairs=True)
    return out


def _value(term: Node) -> str:
    return str(term.value) if isinstance(term, Literal) else str(term)


def _sparql_checks(g: Graph, shape: Node, target: str) -> list[Check]:
    out: list[Check] = []
    for constraint in g.objects(shape, SH.sparql):
        if _deactivated(g, constraint):
            continue
        selects = list(g.objects(constraint, SH.select))
        extra = tuple(m for m in g.objects(constraint, SH.message) if isinstance(m, Literal))
        if len(selects) != 1 or not extra:
            raise Unsupported(f"SPARQL constraint {constraint!r}")
        select = str(selects[0])
        if "$shapesGraph" in select or "$PATH" in select:
            raise Unsupported("$shapesGraph / $PATH in a SPARQL constraint")
        prefixes = ""
        for holder in g.objects(constraint, SH.prefixes):
            for decl in g.objects(holder, SH.declare):
                prefix, ns = g.value(decl, SH.prefix), g.value(decl, SH.namespace)
                if prefix is not None and ns is not None:
                    if not str(prefix).replace("_", "a").replace("-", "a").isalnum():
                        raise Unsupported(f"prefix {prefix!r}")
                    prefixes += f"PREFIX {prefix}: {term_n3(URIRef(str(ns)))}\n"
        text = anti_joins(prefixes + select)
        at = first_brace(text)
        text = text[:at + 1] + f" {target} " + text[at + 1:]
        if not isinstance(shape, URIRef):
            raise Unsupported("a blank-node shape with a SPARQL constraint")
        out.append(Check(shape=shape, component=SH.SPARQLConstraintComponent, severity=_severity(g, shape),
                         query=bind_values(text, {"currentShape": shape}), constraint=constraint,
                         messages=tuple(m for m in g.objects(shape, SH.message) if isinstance(m, Literal)),
                         extra=extra, sparql=True))
    return out


_VAR = re.compile(r"[?$]([A-Za-z_][A-Za-z0-9_]*)")
_ALWAYS_BOUND = {"this", "rule", "currentShape"}


def anti_joins(query: str) -> str:
    """Write `FILTER NOT EXISTS { B }` as `MINUS { B }` where that is the same: B shares only variables
    every row binds ($this, ?rule) with the rest of the query and has no FILTER, OPTIONAL or BIND of its
    own. Oxigraph evaluates a NOT EXISTS block without the row's bindings, once per row (quadratic at
    scale); MINUS is one anti-join. pyshacl forbids MINUS in shapes, so the rewrite happens here."""
    out, pos = [], 0
    for m in re.finditer(r"FILTER\s+NOT\s+EXISTS\s*\{", query):
        if m.start() < pos:
            continue
        end = _closing(query, m.end() - 1)
        block = query[m.end():end]
        rest = query[:m.start()] + query[end + 1:]
        shared = set(_VAR.findall(block)) & set(_VAR.findall(rest))
        if end < 0 or re.search(r"\b(FILTER|OPTIONAL|BIND|GRAPH|SERVICE)\b", block) or not shared <= _ALWAYS_BOUND:
            continue
        out.append(query[pos:m.start()] + "MINUS {" + block + "}")
        pos = end + 1
    return "".join(out) + query[pos:]


def _closing(text: str, at: int) -> int:
    depth = 0
    for i in range(at, len(text)):
        if text[i] == "{":
            depth += 1
        elif text[i] == "}":
            depth -= 1
            if depth == 0:
                return i
    return -1
