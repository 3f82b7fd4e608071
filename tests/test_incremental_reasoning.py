"""The incremental closure (kg.build) equals a full `closure_scaled` after every change.

Property tests run random sequences of adding, changing and removing whole claim graphs and single
triples (plus refused inconsistent changes) on the shipped data and on a generated 10k graph, and
compare `inferred()` with a full closure of the current claim graphs after every step.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rdflib import Graph, URIRef
from rdflib.namespace import OWL, RDF

from bench.generate import write_dataset
from kg.build import AssertedCounts, Delta, IncrementalClosure
from kg.config import PROJECT_ROOT
from kg.errors import InconsistencyError
from kg.loader import Build, Sources, build
from kg.namespaces import AIC, ID
from kg.reasoning_scaled import closure_scaled
from kg.store.base import Triple
from kg.vocabulary import load_ontology

ONTOLOGY = PROJECT_ROOT / "ontology" / "aichips.ttl"
Graphs = dict[URIRef, frozenset[Triple]]


@pytest.fixture(scope="module")
def ontology() -> Graph:
    return load_ontology(ONTOLOGY)


@pytest.fixture(scope="module")
def shipped_graphs(shipped: Build) -> Graphs:
    return {name: frozenset(g) for name, g in shipped.curated.claim_graphs.items()}


@pytest.fixture(scope="module")
def generated_graphs(tmp_path_factory: pytest.TempPathFactory) -> Graphs:
    """The generated 10k graph (asserted + provenance, as the benchmarks count; ~2.9k asserted claim triples)."""
    out: Path = tmp_path_factory.mktemp("gen10k")
    write_dataset(out, triples=10_000, seed=7)
    built = build(Sources(ONTOLOGY, out), reason=False)
    return {name: frozenset(g) for name, g in built.curated.claim_graphs.items()}


def _graphs(contents: Graphs) -> list[Graph]:
    """The claim graphs' union as one graph (closure_scaled reads them as a set of triples)."""
    union = Graph()
    for t in frozenset().union(*contents.values()):
        union.add(t)
    return [union]


def _full(ontology: Graph, counts: AssertedCounts) -> set[Triple]:
    return set(closure_scaled(ontology, counts.as_graphs()))


def _state(inc: IncrementalClosure) -> tuple[Any, ...]:
    """Everything an apply() may touch, copied (for "a refused change leaves the state as it was")."""
    terms = inc._terms
    return copy.deepcopy((inc._known, inc._asserted, inc._out, inc._into, inc._subjects, inc._objects,
                          terms.ids, terms.nodes))


class _Checked:
    """An IncrementalClosure and its AssertedCounts, every change checked against a full closure."""

    def __init__(self, ontology: Graph, graphs: Graphs) -> None:
        self.ontology = ontology
        self.inc = IncrementalClosure.build(ontology, _graphs(graphs))
        self.counts = AssertedCounts(graphs)
        self.inferred = set(self.inc.inferred())
        assert self.inferred == _full(ontology, self.counts)

    def step(self, replacements: dict[URIRef, frozenset[Triple]]) -> Delta | None:
        """Apply one change; None when it is (correctly) refused as inconsistent."""
        inc, counts, before = self.inc, self.counts, self.inferred
        change = counts.change(replacements)
        try:
            expected = set(closure_scaled(self.ontology, _graphs({**counts.graphs, **replacements})))
        except InconsistencyError:
            state = _state(inc)
            with pytest.raises(InconsistencyError):
                inc.apply(change.added, change.removed)
            assert _state(inc) == state
            assert set(inc.inferred()) == before
            return None
        delta = inc.apply(change.added, change.removed)
        counts.commit(change)
        self.inferred = got = set(inc.inferred())
        assert got == expected, f"missing {sorted(expected - got)[:5]}, extra {sorted(got - expected)[:5]}"
        assert not delta.inferred_added & delta.inferred_removed
        assert (before - delta.inferred_removed) | delta.inferred_added == got
        assert delta.inferred_added <= got and not delta.inferred_removed & got
        return delta


@st.composite
def _replacement(draw: st.DrawFn, universe: Graphs, current: Graphs, serial: int) -> dict[URIRef, frozenset[Triple]]:
    """One random change: remove, restore, change whole claim graphs, add or remove single triples,
    or an inconsistent one (which must be refused)."""
    names = sorted(universe)
    present = sorted(current)
    kind = draw(st.sampled_from(["remove", "restore", "change", "add-triple", "remove-triple", "inconsistent"]))
    if kind == "remove" and present:
        picked = draw(st.lists(st.sampled_from(present), min_size=1, max_size=4, unique=True))
        return {n: frozenset() for n in picked}
    if kind == "change" and present:
        name = draw(st.sampled_from(present))
        other = universe[draw(st.sampled_from(names))]
        keep = draw(st.lists(st.sampled_from(sorted(current[name])), max_size=len(current[name]), unique=True))
        gain = draw(st.lists(st.sampled_from(sorted(other)), max_size=3, unique=True)) if other else []
        return {name: frozenset(keep) | frozenset(gain)}
    if kind == "remove-triple" and present:
        name = draw(st.sampled_from(present))
        drop = draw(st.sampled_from(sorted(current[name])))
        return {name: current[name] - {drop}}
    if kind == "add-triple":
        source = universe[draw(st.sampled_from(names))]
        if source:
            triple = draw(st.sampled_from(sorted(source)))
            return {URIRef(f"urn:test:single/{serial}"): frozenset({triple})}
    if kind == "inconsistent" and present:
        subject = draw(st.sampled_from(sorted({t[0] for n in present for t in current[n]}, key=str)))
        bad = draw(st.sampled_from([OWL.Nothing, AIC.Chip, AIC.Place]))
        return {URIRef(f"urn:test:bad/{serial}"): frozenset({(subject, RDF.type, bad)})}
    absent = [n for n in names if n not in current]
    if absent:
        picked = draw(st.lists(st.sampled_from(absent), min_size=1, max_size=4, unique=True))
        return {n: universe[n] for n in picked}
    return {names[0]: frozenset()}


def _run(data: st.DataObject, ontology: Graph, universe: Graphs, steps: int) -> None:
    names = sorted(universe)
    left_out = set(data.draw(st.lists(st.sampled_from(names), max_size=min(10, len(names)), unique=True)))
    checked = _Checked(ontology, {n: g for n, g in universe.items() if n not in left_out})
    for i in range(steps):
        checked.step(data.draw(_replacement(universe, dict(checked.counts.graphs), i)))


_SETTINGS = settings(deadline=None, database=None,
                     suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@settings(_SETTINGS, max_examples=8)
@given(data=st.data())
def test_random_changes_on_shipped_data_equal_a_full_closure(data: st.DataObject, ontology: Graph,
                                                             shipped_graphs: Graphs) -> None:
    _run(data, ontology, shipped_graphs, steps=6)


@pytest.mark.slow
@settings(_SETTINGS, max_examples=8)
@given(data=st.data())
def test_random_changes_on_generated_10k_equal_a_full_closure(data: st.DataObject, ontology: Graph,
                                                              generated_graphs: Graphs) -> None:
    _run(data, ontology, generated_graphs, steps=5)


def test_removing_and_restoring_a_generated_document(ontology: Graph, generated_graphs: Graphs) -> None:
    """One 40-claim document of the generated 10k graph goes and comes back (the benchmark's change)."""
    document = sorted({str(n).rsplit("/", 1)[0] for n in generated_graphs if "/claim/syn_" in str(n)})[3]
    claims = {n: g for n, g in generated_graphs.items() if str(n).startswith(document + "/")}
    assert len(claims) == 40
    checked = _Checked(ontology, generated_graphs)
    removed = checked.step({n: frozenset() for n in claims})
    restored = checked.step(claims)
    assert removed is not None and restored is not None and removed.inferred_removed
    assert restored.inferred_added == removed.inferred_removed
    assert restored.inferred_removed == removed.inferred_added


def test_adding_everything_to_an_empty_closure_equals_the_full_build(ontology: Graph, shipped_graphs: Graphs) -> None:
    inc = IncrementalClosure(ontology)
    counts = AssertedCounts()
    delta = inc.apply(counts.replace(shipped_graphs).added, [])
    expected = set(closure_scaled(ontology, _graphs(shipped_graphs)))
    assert set(inc.inferred()) == expected
    terminology_only = set(IncrementalClosure(ontology).inferred())
    assert delta.inferred_removed == set() and delta.inferred_added == expected - terminology_only


# -- targeted cases on the shipped data ---------------------------------------------------------------

X = ID["test-incremental-dc"]
OUTSIDE_CHINA = (X, AIC.outside, ID["china"])
IN_MALAYSIA = URIRef("urn:test:claim/in-malaysia")
IN_SINGAPORE = URIRef("urn:test:claim/in-singapore")


@pytest.fixture
def checked(ontology: Graph, shipped_graphs: Graphs) -> _Checked:
    return _Checked(ontology, shipped_graphs)


def test_an_entailment_goes_only_with_its_last_derivation(checked: _Checked) -> None:
    checked.step({IN_MALAYSIA: frozenset({(X, AIC.locatedIn, ID["malaysia"])}),
                  IN_SINGAPORE: frozenset({(X, AIC.locatedIn, ID["singapore"])})})
    assert OUTSIDE_CHINA in checked.inferred  # two claims derive it
    delta = checked.step({IN_MALAYSIA: frozenset()})
    assert delta is not None and OUTSIDE_CHINA not in delta.inferred_removed
    assert OUTSIDE_CHINA in checked.inferred
    delta = checked.step({IN_SINGAPORE: frozenset()})
    assert delta is not None and OUTSIDE_CHINA in delta.inferred_removed
    assert OUTSIDE_CHINA not in checked.inferred


def test_chain_entailments_follow_an_added_triple(checked: _Checked) -> None:
    activity = ID["test-incremental-training"]
    checked.step({URIRef("urn:test:claim/activity"): frozenset({(activity, AIC.atFacility, X)})})
    assert (activity, AIC.outside, ID["china"]) not in checked.inferred
    delta = checked.step({IN_MALAYSIA: frozenset({(X, AIC.locatedIn, ID["malaysia"])})})
    assert delta is not None
    assert {OUTSIDE_CHINA,                                              # locatedIn o disjointFrom -> outside
            (X, AIC.locatedIn, ID["south-eastern-asia"]),               # transitive locatedIn
            (activity, AIC.locatedIn, ID["malaysia"]),                  # atFacility o locatedIn -> locatedIn
            (activity, AIC.outside, ID["china"])} <= delta.inferred_added


def test_an_entailment_that_becomes_asserted_leaves_the_inferred_graph_and_comes_back(checked: _Checked) -> None:
    checked.step({IN_MALAYSIA: frozenset({(X, AIC.locatedIn, ID["malaysia"])})})
    stated = URIRef("urn:test:claim/stated-outside")
    delta = checked.step({stated: frozenset({OUTSIDE_CHINA})})
    assert delta is not None and delta.inferred_removed == {OUTSIDE_CHINA} and not delta.inferred_added
    assert OUTSIDE_CHINA not in checked.inferred
    delta = checked.step({stated: frozenset()})
    assert delta is not None and delta.inferred_added == {OUTSIDE_CHINA} and not delta.inferred_removed
    assert OUTSIDE_CHINA in checked.inferred


def test_an_inconsistent_change_is_refused_and_changes_nothing(checked: _Checked, ontology: Graph) -> None:
    checked.step({IN_MALAYSIA: frozenset({(X, AIC.locatedIn, ID["malaysia"])})})
    inc, counts = checked.inc, checked.counts
    state = _state(inc)
    bad = URIRef("urn:test:claim/chip")  # X is a Place (range of locatedIn); Place and Chip are disjoint
    change = counts.change({bad: frozenset({(X, RDF.type, AIC.Chip), (ID["new-term"], AIC.locatedIn, X)})})
    with pytest.raises(InconsistencyError, match="disjoint classes"):
        inc.apply(change.added, change.removed)
    with pytest.raises(InconsistencyError):
        closure_scaled(ontology, _graphs({**counts.graphs, **change.graphs}))
    assert _state(inc) == state and set(inc.inferred()) == checked.inferred
    # ... and the next change is maintained as if the refused one had never been tried
    checked.step({IN_MALAYSIA: frozenset(), IN_SINGAPORE: frozenset({(X, AIC.locatedIn, ID["singapore"])})})
    assert checked.step({bad: frozenset({(ID["other"], RDF.type, OWL.Nothing)})}) is None


def test_a_wrong_set_level_change_is_refused(checked: _Checked) -> None:
    inc = checked.inc
    state = _state(inc)
    with pytest.raises(ValueError, match="not asserted"):
        inc.apply([], [(X, AIC.locatedIn, ID["nowhere"])])
    asserted = inc._terms.decode(next(iter(inc._asserted)))
    with pytest.raises(ValueError, match="already asserted"):
        inc.apply([asserted, (X, AIC.locatedIn, ID["nowhere"])], [])
    assert _state(inc) == state


def test_counts_remove_a_triple_only_with_its_last_graph() -> None:
    t = (X, AIC.locatedIn, ID["malaysia"])
    u = (X, AIC.locatedIn, ID["singapore"])
    a, b = URIRef("urn:test:a"), URIRef("urn:test:b")
    counts = AssertedCounts({a: {t}, b: {t, u}})
    assert counts.count(t) == 2
    change = counts.replace({a: frozenset()})
    assert not change.added and not change.removed and counts.count(t) == 1
    change = counts.replace({b: frozenset({t}), a: frozenset({u})})  # u moves from b to a: no change
    assert not change.added and not change.removed
    stale = counts.change({a: frozenset()})
    change = counts.replace({b: frozenset()})
    assert change.removed == {t} and counts.triples() == {u}
    with pytest.raises(ValueError):
        counts.commit(stale)
    assert counts.replace({a: frozenset()}).removed == {u} and counts.triples() == set()
