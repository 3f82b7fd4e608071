"""The OWL RL closure of `kg.reasoning_scaled`, kept in memory and maintained under changes.

`IncrementalClosure.build(ontology, claim_graphs)` computes the closure once, with the same rules,
terminology and integer encoding as `closure_scaled`, and keeps it with the indexes the rules join
on. `apply(added, removed)` takes the set-level change of the asserted triples (see
`kg.build.counts.AssertedCounts` for turning claim-graph replacements into one) and returns what
enters and leaves the inferred graph; afterwards `inferred()` equals
`closure_scaled(ontology, current claim graphs)` triple for triple (property-tested).

Additions are semi-naive from the delta: only rule instances with at least one new premise fire,
joined against the persistent indexes.

Deletions use DRed (delete and re-derive), not counting. Counting derivations is exact only for
non-recursive rules: here `aic:disjointFrom` is symmetric, inverse pairs (`operates` / `operatedBy`)
derive each other, and `aic:locatedIn` is transitive and its own chain (`atFacility o locatedIn`), so
entailments support each other in cycles and their counts never reach zero when the facts they rest
on go. DRed needs no per-triple counters either (a counter per entailment would cost as much memory as
the closure itself). It runs in three steps:

1. over-delete: everything derivable through a removed triple (semi-naive, on the closure before
   the change), except triples still asserted or in the terminology, which stay whatever happens;
2. re-derive: of the over-deleted, those with a one-step derivation from what remains (a backward
   check per rule: sub-class, domain and range through per-property occurrence counts, sub-property,
   inverse, symmetric, transitive and chain joins through the indexes);
3. propagate: the re-derived triples are inserted semi-naively, which brings back everything else
   that still follows.

So an entailment goes only when its last derivation goes, and an asserted triple that is removed but
still follows from the rest comes back as an entailment. Over-deletion is bounded by what the removed
triples derived, which for one document is a few thousand triples even at a million.

Consistency (cax-dw, cax-adc, cls-nothing2, with `closure_scaled`'s messages) is checked after each
change on the subjects that gained a type: the state before was consistent, and removals cannot make
it inconsistent. An inconsistent change raises InconsistencyError and is rolled back from a journal
of every triple the change touched (the closure, indexes, asserted set and term table are left
exactly as before the call).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from owlrl.Namespaces import ERRNS
from rdflib import BNode, Graph
from rdflib.namespace import OWL

from ..errors import InconsistencyError
from ..reasoning import _worth_keeping
from ..reasoning_scaled import (
    IdTriple,
    UnsupportedOntologyError,
    _check_consistency,
    _Rules,
    _terminology,
    _Terms,
    supports,
)
from ..store.base import Triple

_EMPTY: tuple[()] = ()


@dataclass(frozen=True)
class Delta:
    """What one change did to the inferred graph (the entailments worth keeping, not asserted)."""

    inferred_added: set[Triple]
    inferred_removed: set[Triple]


class _Index:
    """The terminology as the incremental rules need it: `_Rules` plus its inversions (for the
    backward one-step derivation checks of DRed)."""

    def __init__(self, r: _Rules) -> None:
        self.r = r
        t = r.type
        in_axioms = set(r.joined) | r.symmetric | r.transitive | set(r.superprops) | set(r.inverses)
        for values in (*r.superprops.values(), *r.inverses.values()):
            in_axioms |= values
        if t in in_axioms:
            # The forward rules treat rdf:type triples apart (only cax-sco); an axiom on rdf:type itself
            # would need the general case in the backward checks. No ontology of ours has one.
            raise UnsupportedOntologyError("the incremental reasoner does not implement: property axioms on rdf:type")
        self.sub_classes: dict[int, set[int]] = {}
        for c, supers in r.superclasses.items():
            for d in supers:
                if d != c:
                    self.sub_classes.setdefault(d, set()).add(c)
        self.dom_props: dict[int, set[int]] = {}
        for p, classes in r.domains.items():
            for c in classes:
                if p != t:
                    self.dom_props.setdefault(c, set()).add(p)
        self.rng_props: dict[int, set[int]] = {}
        for p, classes in r.ranges.items():
            for c in classes:
                if p != t:
                    self.rng_props.setdefault(c, set()).add(p)
        self.sub_props: dict[int, set[int]] = {}
        for p, supers in r.superprops.items():
            for q in supers:
                self.sub_props.setdefault(q, set()).add(p)
        self.inverse_of: dict[int, set[int]] = {}
        for p, qs in r.inverses.items():
            for q in qs:
                self.inverse_of.setdefault(q, set()).add(p)
        self.chains_to: dict[int, list[tuple[int, int]]] = {}
        for p1, links in r.chains_first.items():
            for p2, q in links:
                self.chains_to.setdefault(q, []).append((p1, p2))
        self.dom_keys = {p for p in r.domains if p != t}
        self.rng_keys = {p for p in r.ranges if p != t}
        self.disjoint = r.disjoint


class IncrementalClosure:
    """The closure of ontology + asserted triples, with what it takes to maintain it (see the module).

    `IncrementalClosure(ontology)` is the closure of no asserted data; `build()` starts from data. Not
    thread-safe: one writer applies changes, one at a time (readers read the store, not this)."""

    def __init__(self, ontology: Graph) -> None:
        closed_tbox, tbox = _terminology(ontology)
        problems = supports(ontology)
        if problems:
            raise UnsupportedOntologyError("the scaled reasoner does not implement: " + "; ".join(problems))
        self._terms = terms = _Terms()
        self._ontology: set[IdTriple] = {terms.triple(t) for t in ontology}
        # Constant: the ontology and its owlrl closure (what closure_scaled puts into `known` first).
        self._tbox: set[IdTriple] = set(self._ontology)
        self._tbox.update(terms.triple(t) for t in closed_tbox if not str(t[1]).startswith(str(ERRNS)))
        self._rules = _Rules(tbox, terms)
        self._x = x = _Index(self._rules)
        self._asserted: set[IdTriple] = set()
        self._known: set[IdTriple] = set()
        # p -> s -> {o} and p -> o -> {s} for the properties rules join on (as in _saturate, but kept)
        self._out: dict[int, dict[int, set[int]]] = {p: {} for p in self._rules.joined}
        self._into: dict[int, dict[int, set[int]]] = {p: {} for p in self._rules.joined}
        # p -> s -> number of known (s p _) triples, for properties with a domain; p -> o -> number of
        # (_ p o) with o not a literal, for properties with a range: the backward checks of prp-dom/rng.
        self._subjects: dict[int, dict[int, int]] = {p: {} for p in x.dom_keys}
        self._objects: dict[int, dict[int, int]] = {p: {} for p in x.rng_keys}
        # During apply(): each touched triple -> whether it was in the closure before the call.
        self._journal: dict[IdTriple, bool] | None = None
        self._same_as = terms.id(OWL.sameAs)
        self._propagate(set(self._tbox))  # the closure of no asserted data: a valid state to apply() to

    # -- the public contract -----------------------------------------------------------------------

    @classmethod
    def build(cls, ontology: Graph, asserted: Iterable[Graph]) -> IncrementalClosure:
        """The full closure of the ontology and the asserted graphs (raises like `closure_scaled`)."""
        self = cls(ontology)
        graphs = list(asserted)
        problems = supports(ontology, graphs)
        if problems:
            raise UnsupportedOntologyError("the scaled reasoner does not implement: " + "; ".join(problems))
        triple = self._terms.triple
        for g in graphs:
            self._asserted.update(map(triple, g))
        self._propagate(self._asserted - self._known)
        _check_consistency(self._known, self._rules, self._terms)
        return self

    def apply(self, added: Iterable[Triple], removed: Iterable[Triple]) -> Delta:
        """Apply a set-level change of the asserted triples: `added` must not be asserted yet, `removed`
        must be (ValueError otherwise). Returns what enters and leaves the inferred graph; on an
        inconsistent result raises InconsistencyError and leaves everything as it was."""
        terms = self._terms
        mark = len(terms.nodes)
        rem_ids: set[IdTriple] = set()
        try:
            add_ids = {terms.triple(t) for t in added}
            for t in removed:
                s, p, o = (terms.ids.get(n) for n in t)
                if s is None or p is None or o is None or (s, p, o) not in self._asserted:
                    raise ValueError(f"removed triple is not asserted: {t}")
                rem_ids.add((s, p, o))
            problem = next((t for t in add_ids if t in self._asserted or t in rem_ids), None)
            if problem is not None:
                raise ValueError(f"added triple is already asserted or also removed: {terms.decode(problem)}")
            if any(t[1] == self._same_as for t in add_ids):
                raise UnsupportedOntologyError("the scaled reasoner does not implement: owl:sameAs between individuals")
        except Exception:
            self._forget_terms(mark)
            raise
        journal: dict[IdTriple, bool] = {}
        self._journal = journal
        try:
            self._asserted -= rem_ids
            self._asserted |= add_ids
            self._delete(rem_ids)
            self._propagate({t for t in add_ids if t not in self._known})
            self._check_new_types(t for t, was in journal.items() if not was and t in self._known)
        except BaseException:
            self._rollback(journal, add_ids, rem_ids, mark)
            raise
        finally:
            self._journal = None
        return self._delta(journal, add_ids, rem_ids)

    def inferred(self) -> Graph:
        """The inferred graph: the closure minus what is asserted (ontology included), worth keeping."""
        out = Graph()
        decode = self._terms.decode
        for t in self._known - self._asserted - self._ontology:
            triple = decode(t)
            if _worth_keeping(triple):
                out.add(triple)
        return out

    def stats(self) -> dict[str, int]:
        """Sizes of the state (for benchmarks and logs)."""
        return {"terms": len(self._terms.nodes), "asserted": len(self._asserted), "closure": len(self._known),
                "joined_index": sum(len(v) for d in self._out.values() for v in d.values()),
                "occurrence_counts": sum(len(d) for d in (*self._subjects.values(), *self._objects.values()))}

    # -- the closure and its indexes -----------------------------------------------------------------

    def _add(self, t: IdTriple) -> None:
        self._known.add(t)
        s, p, o = t
        out = self._out.get(p)
        if out is not None:
            out.setdefault(s, set()).add(o)
            self._into[p].setdefault(o, set()).add(s)
        subjects = self._subjects.get(p)
        if subjects is not None:
            subjects[s] = subjects.get(s, 0) + 1
        if not o & 1:
            objects = self._objects.get(p)
            if objects is not None:
                objects[o] = objects.get(o, 0) + 1
        if self._journal is not None and t not in self._journal:
            self._journal[t] = False

    def _remove(self, t: IdTriple) -> None:
        self._known.remove(t)
        s, p, o = t
        out = self._out.get(p)
        if out is not None:
            _discard(out, s, o)
            _discard(self._into[p], o, s)
        subjects = self._subjects.get(p)
        if subjects is not None:
            _decrement(subjects, s)
        if not o & 1:
            objects = self._objects.get(p)
            if objects is not None:
                _decrement(objects, o)
        if self._journal is not None and t not in self._journal:
            self._journal[t] = True

    def _fire(self, delta: Iterable[IdTriple]) -> list[IdTriple]:
        """The conclusions of every rule instance with a premise in `delta` and the others in the closure.

        The same rules as `kg.reasoning_scaled._saturate`'s loop (copied: that loop builds its indexes
        afresh from the whole closure, these are kept between changes), literal checks included."""
        r = self._rules
        out, into = self._out, self._into
        rdf_type = r.type
        superclasses, superprops, domains, ranges = r.superclasses, r.superprops, r.domains, r.ranges
        inverses, symmetric, transitive = r.inverses, r.symmetric, r.transitive
        chains_first, chains_second = r.chains_first, r.chains_second
        new: list[IdTriple] = []
        add = new.append
        for s, p, o in delta:
            if p == rdf_type:
                for c in superclasses.get(o, _EMPTY):
                    add((s, rdf_type, c))
                continue
            for q in superprops.get(p, _EMPTY):
                add((s, q, o))
            for c in domains.get(p, _EMPTY):
                add((s, rdf_type, c))
            if not o & 1:  # not a literal
                for c in ranges.get(p, _EMPTY):
                    add((o, rdf_type, c))
                for q in inverses.get(p, _EMPTY):
                    add((o, q, s))
                if p in symmetric:
                    add((o, p, s))
                if p in transitive:
                    for z in out[p].get(o, _EMPTY):
                        add((s, p, z))
                    for w in into[p].get(s, _EMPTY):
                        add((w, p, o))
                for p2, q in chains_first.get(p, _EMPTY):
                    for z in out[p2].get(o, _EMPTY):
                        add((s, q, z))
                for p1, q in chains_second.get(p, _EMPTY):
                    for w in into[p1].get(s, _EMPTY):
                        add((w, q, o))
        return new

    def _propagate(self, delta: set[IdTriple]) -> None:
        """Insert `delta` (triples not in the closure) and everything that follows, semi-naively."""
        known = self._known
        while delta:
            for t in delta:
                self._add(t)
            delta = set(self._fire(delta))
            delta -= known

    def _delete(self, removed: set[IdTriple]) -> None:
        """DRed: over-delete what rests on `removed`, re-derive what still has a derivation, propagate."""
        known, asserted, tbox = self._known, self._asserted, self._tbox
        gone = {t for t in removed if t in known and t not in tbox}
        frontier = gone
        while frontier:
            nxt = {t for t in self._fire(frontier)
                   if t in known and t not in gone and t not in asserted and t not in tbox}
            gone |= nxt
            frontier = nxt
        for t in gone:
            self._remove(t)
        self._propagate({t for t in gone if self._derivable(t)})

    def _derivable(self, t: IdTriple) -> bool:
        """Whether one rule instance derives `t` from the closure as it is now (the backward check)."""
        known, x, r = self._known, self._x, self._rules
        s, p, o = t
        if p == r.type:
            if any((s, p, c) in known for c in x.sub_classes.get(o, _EMPTY)):
                return True
            if any(s in self._subjects[q] for q in x.dom_props.get(o, _EMPTY)):
                return True
            return not s & 1 and any(s in self._objects[q] for q in x.rng_props.get(o, _EMPTY))
        if any((s, q, o) in known for q in x.sub_props.get(p, _EMPTY)):
            return True
        if not s & 1:  # the premise (o _ s) has s as its object, which the rules require not a literal
            if any((o, q, s) in known for q in x.inverse_of.get(p, _EMPTY)):
                return True
            if p in r.symmetric and (o, p, s) in known:
                return True
        if p in r.transitive and _meet(self._out[p].get(s), self._into[p].get(o)):
            return True
        return any(_meet(self._out[p1].get(s), self._into[p2].get(o)) for p1, p2 in x.chains_to.get(p, _EMPTY))

    # -- consistency, deltas, rollback -----------------------------------------------------------------

    def _check_new_types(self, new: Iterable[IdTriple]) -> None:
        r, known, terms = self._rules, self._known, self._terms
        subjects = {s for s, p, _ in new if p == r.type}
        errors = []
        for s in subjects:
            subject = terms.node(s)
            if (s, r.type, r.nothing) in known:
                errors.append(f"{subject} is an instance of owl:Nothing")
            if isinstance(subject, BNode):
                continue
            for a, b in r.disjoint:
                if (s, r.type, a) in known and (s, r.type, b) in known:
                    errors.append(f"{subject} is an instance of disjoint classes {terms.node(a)} and {terms.node(b)}")
        if errors:
            raise InconsistencyError("OWL RL reasoning found inconsistencies: " + "; ".join(sorted(errors)))

    def _delta(self, journal: dict[IdTriple, bool], added: set[IdTriple], removed: set[IdTriple]) -> Delta:
        known, asserted, ontology = self._known, self._asserted, self._ontology
        decode = self._terms.decode
        gained: set[Triple] = set()
        lost: set[Triple] = set()
        for t in journal.keys() | added | removed:
            if t in ontology:
                continue
            was_asserted = t in removed or (t in asserted and t not in added)
            was = journal.get(t, t in known) and not was_asserted
            now = t in known and t not in asserted
            if was != now:
                triple = decode(t)
                if _worth_keeping(triple):
                    (gained if now else lost).add(triple)
        return Delta(gained, lost)

    def _rollback(self, journal: dict[IdTriple, bool], added: set[IdTriple], removed: set[IdTriple],
                  mark: int) -> None:
        self._journal = None
        known = self._known
        for t, was in journal.items():
            if was and t not in known:
                self._add(t)
            elif not was and t in known:
                self._remove(t)
        self._asserted -= added
        self._asserted |= removed
        self._forget_terms(mark)

    def _forget_terms(self, mark: int) -> None:
        """Drop the terms numbered since `mark` (a refused change leaves the term table as it was)."""
        terms = self._terms
        for node in terms.nodes[mark:]:
            del terms.ids[node]
        del terms.nodes[mark:]


def _discard(index: dict[int, set[int]], key: int, value: int) -> None:
    values = index[key]
    values.discard(value)
    if not values:
        del index[key]


def _decrement(counts: dict[int, int], key: int) -> None:
    n = counts[key] - 1
    if n:
        counts[key] = n
    else:
        del counts[key]


def _meet(a: set[int] | None, b: set[int] | None) -> bool:
    """Whether the two sets share a term that is not a literal (the middle of a two-link join)."""
    if not a or not b:
        return False
    if len(a) > len(b):
        a, b = b, a
    return any(not z & 1 and z in b for z in a)


__all__ = ["Delta", "IncrementalClosure"]
