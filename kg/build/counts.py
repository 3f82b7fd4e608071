"""How many claim graphs assert each triple, and what a replacement of some of them changes.

A triple several claims state (two documents reporting the same facility, a reference assertion and
a document agreeing) is asserted as long as one of them remains. The reasoner works on the set of
asserted triples, so a change of claim graphs reaches it as the set-level difference: `added` are
triples no graph stated before and some graph states after, `removed` the reverse. Triples that only
move between graphs, or lose one of several sources, are neither.

Two steps, so a refused change (an inconsistency found by the reasoner) leaves the counts alone:
`change()` computes the difference without touching anything, `commit()` records it once the change
has been accepted. `replace()` does both.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from rdflib import Graph, URIRef

from ..store.base import Triple


@dataclass(frozen=True)
class AssertedChange:
    """The set-level effect of replacing some claim graphs, computed against one version of the counts."""

    added: frozenset[Triple]
    removed: frozenset[Triple]
    graphs: Mapping[URIRef, frozenset[Triple]]  # the replaced graphs' new contents (empty: removed)
    version: int


class AssertedCounts:
    """The asserted claim graphs and, per triple, the number of them that state it."""

    def __init__(self, graphs: Mapping[URIRef, Iterable[Triple]] | None = None) -> None:
        self._graphs: dict[URIRef, frozenset[Triple]] = {}
        self._count: Counter[Triple] = Counter()
        self._version = 0
        for name, triples in (graphs or {}).items():
            content = frozenset(triples)
            if content:
                self._graphs[name] = content
                self._count.update(content)

    @property
    def graphs(self) -> Mapping[URIRef, frozenset[Triple]]:
        return self._graphs

    def count(self, triple: Triple) -> int:
        """How many claim graphs assert `triple` now."""
        return self._count.get(triple, 0)

    def triples(self) -> set[Triple]:
        """Every triple some claim graph asserts."""
        return set(self._count)

    def as_graphs(self) -> list[Graph]:
        """The claim graphs as rdflib graphs (what `closure_scaled` takes)."""
        out = []
        for content in self._graphs.values():
            g = Graph()
            for t in content:
                g.add(t)
            out.append(g)
        return out

    def change(self, replacements: Mapping[URIRef, Iterable[Triple]]) -> AssertedChange:
        """What replacing the named graphs (name -> new triples; empty or absent content: the graph goes)
        would add to and remove from the asserted triples. Changes nothing."""
        new = {name: frozenset(triples) for name, triples in replacements.items()}
        net: Counter[Triple] = Counter()
        for name, content in new.items():
            old = self._graphs.get(name, frozenset())
            for t in old - content:
                net[t] -= 1
            for t in content - old:
                net[t] += 1
        added: set[Triple] = set()
        removed: set[Triple] = set()
        for t, d in net.items():
            before = self._count.get(t, 0)
            if before == 0 and before + d > 0:
                added.add(t)
            elif before > 0 and before + d == 0:
                removed.add(t)
        return AssertedChange(frozenset(added), frozenset(removed), new, self._version)

    def commit(self, change: AssertedChange) -> None:
        """Record a change computed by `change()` on this version of the counts."""
        if change.version != self._version:
            raise ValueError("the change was computed against another version of the counts")
        for name, content in change.graphs.items():
            old = self._graphs.pop(name, frozenset())
            self._count.subtract(old)
            if content:
                self._graphs[name] = content
                self._count.update(content)
        for t in change.removed:  # exactly the triples whose count fell to zero
            del self._count[t]
        self._version += 1

    def replace(self, replacements: Mapping[URIRef, Iterable[Triple]]) -> AssertedChange:
        """`change()` then `commit()`."""
        change = self.change(replacements)
        self.commit(change)
        return change
