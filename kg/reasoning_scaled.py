"""OWL RL closure that scales to millions of triples, with the contract of `kg.reasoning.closure`.

owlrl re-applies every OWL RL rule to the whole graph until nothing changes, which takes minutes at
100k triples. Here the work is split the way the data is split:

1. the terminology (the ontology alone, ~1k triples) is closed by owlrl itself, so schema-level
   entailments are exactly owlrl's;
2. the instance data is closed by a semi-naive forward chainer (each round only joins the triples
   derived in the previous round) implementing the OWL RL instance rules the ontology uses:
   cax-sco, prp-dom, prp-rng, prp-spo1, prp-spo2 (chains of two), prp-inv1/2, prp-symp, prp-trp,
   and the consistency rules cax-dw, cax-adc and cls-nothing2.

If the ontology or the data uses anything outside that set (restrictions, functional or inverse-
functional properties, keys, owl:sameAs between individuals, chains longer than two, ...),
`supports()` says so and `closure_for("auto")` falls back to owlrl; `closure_scaled` refuses.

The `reasonable` Rust reasoner was measured as an alternative (docs/benchmarks.md) and rejected for
this ontology: it derives no property-chain entailments (aic:outside, the chained aic:locatedIn,
aic:usesHardwareFrom, aic:headquarteredIn), which the named questions depend on.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import owlrl
from owlrl.Namespaces import ERRNS
from rdflib import BNode, Graph, Literal
from rdflib.collection import Collection
from rdflib.namespace import OWL, RDF, RDFS
from rdflib.term import Node

from .config import Settings
from .errors import InconsistencyError, KGError
from .reasoning import _worth_keeping, closure
from .store.base import Triple

Closure = Callable[[Graph, Iterable[Graph]], Graph]

REASONERS = ("owlrl", "scaled", "auto")
AUTO_THRESHOLD = 20_000  # asserted triples below which `auto` keeps owlrl (exact reference, cheap enough)

_UNSUPPORTED_TERMS = {
    OWL.Restriction, OWL.FunctionalProperty, OWL.InverseFunctionalProperty, OWL.IrreflexiveProperty,
    OWL.AsymmetricProperty, OWL.hasKey, OWL.maxCardinality, OWL.maxQualifiedCardinality, OWL.hasValue,
    OWL.someValuesFrom, OWL.allValuesFrom, OWL.intersectionOf, OWL.unionOf, OWL.complementOf, OWL.oneOf,
    OWL.propertyDisjointWith, OWL.AllDisjointProperties, OWL.AllDifferent, OWL.differentFrom,
    OWL.ReflexiveProperty, OWL.NegativePropertyAssertion, OWL.cardinality, OWL.hasSelf,
}


class UnsupportedOntologyError(KGError):
    """The scaled reasoner does not implement a construct the ontology or data uses."""


@dataclass
class _TBox:
    superclasses: dict[Node, set[Node]] = field(default_factory=lambda: defaultdict(set))
    superprops: dict[Node, set[Node]] = field(default_factory=lambda: defaultdict(set))
    domains: dict[Node, set[Node]] = field(default_factory=lambda: defaultdict(set))
    ranges: dict[Node, set[Node]] = field(default_factory=lambda: defaultdict(set))
    inverses: dict[Node, set[Node]] = field(default_factory=lambda: defaultdict(set))
    symmetric: set[Node] = field(default_factory=set)
    transitive: set[Node] = field(default_factory=set)
    # chain p1 o p2 -> q, indexed by both links
    chains_first: dict[Node, list[tuple[Node, Node]]] = field(default_factory=lambda: defaultdict(list))
    chains_second: dict[Node, list[tuple[Node, Node]]] = field(default_factory=lambda: defaultdict(list))
    disjoint: set[frozenset[Node]] = field(default_factory=set)
    problems: list[str] = field(default_factory=list)

    @property
    def joined(self) -> set[Node]:
        """Properties whose triples take part in joins (and so need indexes)."""
        out = set(self.transitive)
        for links in (self.chains_first, self.chains_second):
            for p, chains in links.items():
                out.add(p)
                out.update(other for other, _ in chains)
        return out


def _tbox(closed: Graph) -> _TBox:
    t = _TBox()
    for s, o in closed.subject_objects(RDFS.subClassOf):
        t.superclasses[s].add(o)
    for s, o in closed.subject_objects(OWL.equivalentClass):
        t.superclasses[s].add(o)
        t.superclasses[o].add(s)
    for s, o in closed.subject_objects(RDFS.subPropertyOf):
        if s != o:
            t.superprops[s].add(o)
    for s, o in closed.subject_objects(OWL.equivalentProperty):
        if s != o:
            t.superprops[s].add(o)
            t.superprops[o].add(s)
    for s, o in closed.subject_objects(RDFS.domain):
        t.domains[s].add(o)
    for s, o in closed.subject_objects(RDFS.range):
        t.ranges[s].add(o)
    for s, o in closed.subject_objects(OWL.inverseOf):
        t.inverses[s].add(o)
        t.inverses[o].add(s)
    t.symmetric = set(closed.subjects(RDF.type, OWL.SymmetricProperty))
    t.transitive = set(closed.subjects(RDF.type, OWL.TransitiveProperty))
    for q, head in closed.subject_objects(OWL.propertyChainAxiom):
        links = list(Collection(closed, head))
        if len(links) != 2:
            t.problems.append(f"property chain of {len(links)} links on {q}")
            continue
        p1, p2 = links
        t.chains_first[p1].append((p2, q))
        t.chains_second[p2].append((p1, q))
    for a, b in closed.subject_objects(OWL.disjointWith):
        t.disjoint.add(frozenset((a, b)))
    for node in closed.subjects(RDF.type, OWL.AllDisjointClasses):
        members_head = closed.value(node, OWL.members)
        members = list(Collection(closed, members_head)) if members_head is not None else []
        for i, a in enumerate(members):
            for b in members[i + 1:]:
                t.disjoint.add(frozenset((a, b)))
    used = set(closed.objects(None, RDF.type)) | set(closed.predicates())
    t.problems += [f"construct {term}" for term in _UNSUPPORTED_TERMS & used]
    return t


def _close_terminology(ontology: Graph) -> Graph:
    work = Graph()
    for t in ontology:
        work.add(t)
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics, axiomatic_triples=False, datatype_axioms=False,
                           rdfs_closure=False).expand(work)
    return work


_TBOX_CACHE: dict[int, tuple[Graph, _TBox]] = {}


def _terminology(ontology: Graph) -> tuple[Graph, _TBox]:
    key = hash(frozenset(ontology))
    if key not in _TBOX_CACHE:
        closed = _close_terminology(ontology)
        _TBOX_CACHE.clear()
        _TBOX_CACHE[key] = (closed, _tbox(closed))
    return _TBOX_CACHE[key]


def supports(ontology: Graph, asserted: Iterable[Graph] = ()) -> list[str]:
    """What in the ontology or data the scaled reasoner does not implement (empty: all supported)."""
    problems = list(_terminology(ontology)[1].problems)
    for g in asserted:
        if (None, OWL.sameAs, None) in g:
            problems.append("owl:sameAs between individuals")
            break
    return problems


def closure_scaled(ontology: Graph, asserted: Iterable[Graph]) -> Graph:
    """Same contract as `kg.reasoning.closure`: the useful entailments not already asserted.

    Raises InconsistencyError on a violated disjointness, UnsupportedOntologyError on a construct
    outside the implemented rule set.
    """
    closed_tbox, tbox = _terminology(ontology)
    graphs = list(asserted)
    problems = supports(ontology, graphs)
    if problems:
        raise UnsupportedOntologyError("the scaled reasoner does not implement: " + "; ".join(problems))
    # Saturate on integers: every set and dict operation on rdflib terms hashes a fresh (class name,
    # string) tuple, which cost most of the time at a million triples.
    terms = _Terms()
    base: set[IdTriple] = set()
    for g in (ontology, *graphs):
        base.update(map(terms.triple, g))
    known: set[IdTriple] = set(base)
    known.update(terms.triple(t) for t in closed_tbox if not str(t[1]).startswith(str(ERRNS)))
    rules = _Rules(tbox, terms)
    _saturate(known, rules)
    _check_consistency(known, rules, terms)
    inferred = Graph()
    for t in known - base:
        triple = terms.decode(t)
        if _worth_keeping(triple):
            inferred.add(triple)
    return inferred


IdTriple = tuple[int, int, int]


class _Terms:
    """Terms <-> integers. Literals get odd numbers, so rules that skip literal objects test one bit."""

    def __init__(self) -> None:
        self.ids: dict[Node, int] = {}
        self.nodes: list[Node] = []

    def id(self, node: Node) -> int:
        found = self.ids.get(node)
        if found is None:
            found = self.ids[node] = len(self.nodes) * 2 + (1 if isinstance(node, Literal) else 0)
            self.nodes.append(node)
        return found

    def triple(self, t: Triple) -> IdTriple:
        return self.id(t[0]), self.id(t[1]), self.id(t[2])

    def node(self, i: int) -> Node:
        return self.nodes[i >> 1]

    def decode(self, t: IdTriple) -> Triple:
        nodes = self.nodes
        return nodes[t[0] >> 1], nodes[t[1] >> 1], nodes[t[2] >> 1]


class _Rules:
    """The terminology in integer form, as the instance rules use it."""

    def __init__(self, tbox: _TBox, terms: _Terms) -> None:
        def ids(values: Iterable[Node]) -> set[int]:
            return {terms.id(v) for v in values}

        def mapping(table: dict[Node, set[Node]]) -> dict[int, set[int]]:
            return {terms.id(k): ids(v) for k, v in table.items()}

        def chains(table: dict[Node, list[tuple[Node, Node]]]) -> dict[int, list[tuple[int, int]]]:
            return {terms.id(k): [(terms.id(a), terms.id(b)) for a, b in v] for k, v in table.items()}

        self.type = terms.id(RDF.type)
        self.nothing = terms.id(OWL.Nothing)
        self.superclasses = mapping(tbox.superclasses)
        self.superprops = mapping(tbox.superprops)
        self.domains = mapping(tbox.domains)
        self.ranges = mapping(tbox.ranges)
        self.inverses = mapping(tbox.inverses)
        self.symmetric = ids(tbox.symmetric)
        self.transitive = ids(tbox.transitive)
        self.chains_first = chains(tbox.chains_first)
        self.chains_second = chains(tbox.chains_second)
        self.joined = ids(tbox.joined)
        pairs = (sorted(pair, key=str) * (2 if len(pair) == 1 else 1) for pair in tbox.disjoint)
        self.disjoint = [(terms.id(a), terms.id(b)) for a, b, *_ in pairs]


def _saturate(known: set[IdTriple], r: _Rules) -> None:
    joined = r.joined
    out: dict[int, dict[int, set[int]]] = defaultdict(lambda: defaultdict(set))  # p -> s -> {o}
    into: dict[int, dict[int, set[int]]] = defaultdict(lambda: defaultdict(set))  # p -> o -> {s}
    for s, p, o in known:
        if p in joined:
            out[p][s].add(o)
            into[p][o].add(s)
    delta: set[IdTriple] = set(known)
    rdf_type = r.type
    empty: tuple[()] = ()
    while delta:
        new: list[IdTriple] = []
        add = new.append
        for s, p, o in delta:
            if p == rdf_type:
                for c in r.superclasses.get(o, empty):
                    add((s, rdf_type, c))
                continue
            for q in r.superprops.get(p, empty):
                add((s, q, o))
            for c in r.domains.get(p, empty):
                add((s, rdf_type, c))
            if not o & 1:  # not a literal
                for c in r.ranges.get(p, empty):
                    add((o, rdf_type, c))
                for q in r.inverses.get(p, empty):
                    add((o, q, s))
                if p in r.symmetric:
                    add((o, p, s))
                if p in r.transitive:
                    for z in out[p].get(o, empty):
                        add((s, p, z))
                    for w in into[p].get(s, empty):
                        add((w, p, o))
                for p2, q in r.chains_first.get(p, empty):
                    for z in out[p2].get(o, empty):
                        add((s, q, z))
                for p1, q in r.chains_second.get(p, empty):
                    for w in into[p1].get(s, empty):
                        add((w, q, o))
        delta = set(new)
        delta -= known
        known |= delta
        for s, p, o in delta:
            if p in joined:
                out[p][s].add(o)
                into[p][o].add(s)


def _check_consistency(known: set[IdTriple], r: _Rules, terms: _Terms) -> None:
    types: dict[int, set[int]] = defaultdict(set)
    for s, p, o in known:
        if p == r.type:
            types[s].add(o)
    errors = []
    for s, classes in types.items():
        subject = terms.node(s)
        if r.nothing in classes:
            errors.append(f"{subject} is an instance of owl:Nothing")
        for a, b in r.disjoint:
            if a in classes and b in classes and not isinstance(subject, BNode):
                errors.append(f"{subject} is an instance of disjoint classes {terms.node(a)} and {terms.node(b)}")
    if errors:
        raise InconsistencyError("OWL RL reasoning found inconsistencies: " + "; ".join(sorted(errors)))


def closure_for(reasoner: str | None = None) -> Closure:
    """The closure function a setting names: `owlrl`, `scaled` or `auto` (default: setting KG_REASONER, auto).

    `auto` uses owlrl for small inputs (below AUTO_THRESHOLD asserted triples) and whenever the scaled
    reasoner does not support the ontology; otherwise the scaled reasoner.
    """
    choice = reasoner or Settings().reasoner
    if choice not in REASONERS:
        raise KGError(f"unknown reasoner '{choice}' (use {', '.join(REASONERS)})")
    if choice == "owlrl":
        return closure
    if choice == "scaled":
        return closure_scaled

    def auto(ontology: Graph, asserted: Iterable[Graph]) -> Graph:
        graphs = list(asserted)
        if sum(len(g) for g in graphs) < AUTO_THRESHOLD or supports(ontology, graphs):
            return closure(ontology, graphs)
        return closure_scaled(ontology, graphs)

    return auto


__all__ = ["REASONERS", "Closure", "UnsupportedOntologyError", "closure_for", "closure_scaled", "supports"]
