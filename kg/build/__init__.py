"""Incremental build: a change to the asserted claim graphs in; the inferred graph's additions and removals out.

`AssertedCounts` turns per-claim-graph replacements (graph name -> its new triples; empty: the graph
goes) into the set-level change of what is asserted, counting how many claim graphs state each triple,
so a triple counts as removed only when its last asserting graph goes. `IncrementalClosure` keeps the
OWL RL closure of `kg.reasoning_scaled` in memory and maintains it under that change (`apply`): the
additions and removals of the inferred graph come out as a `Delta`, and `inferred()` equals
`closure_scaled(ontology, current claim graphs)` triple for triple.

Wiring this into `kg load`, review and SPARQL Update (replacing the claim graphs and applying the
Delta to the store in one transaction) is a separate step.
"""

from __future__ import annotations

from .counts import AssertedChange, AssertedCounts
from .incremental import Delta, IncrementalClosure

__all__ = ["AssertedChange", "AssertedCounts", "Delta", "IncrementalClosure"]
