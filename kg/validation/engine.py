"""Run pyshacl over a knowledge graph, as of a day, with the integrity and/or compliance shapes.

pyshacl runs on an rdflib in-memory graph built for the run (see data.py). That is cheap at the size
of the curated graph (a few thousand triples, under a few seconds for all shapes); SPARQL-based
constraints cost one query per focus node, so they target narrow classes (sales, facilities, training
activities), never every node.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from pyshacl import validate as shacl_validate
from rdflib import Graph, URIRef

from ..evidence import Evidence, claim_evidence
from ..store.base import Store
from ..store.memory import MemoryStore
from .data import DataGraphs, data_graph
from .errors import IntegrityError, ShapesError
from .report import ValidationResult, findings
from .shapes import load_shapes


def validate(source: Store | DataGraphs, *, as_of: date | None = None, shapes: str = "all",
             inferred: bool = True, shapes_dir: Path | None = None,
             evidence: bool = True) -> ValidationResult:
    """Validate the store's (or the in-memory graphs') content; see the package docstring."""
    day = as_of if as_of is not None else date.today()
    shape_set = load_shapes(shapes, shapes_dir)
    graphs = DataGraphs.from_store(source) if isinstance(source, Store) else source
    data = data_graph(graphs, as_of=day, inferred=inferred, rules=shape_set.rules)
    try:
        _conforms, report, _text = shacl_validate(
            data, shacl_graph=shape_set.graph, inference="none", advanced=True, inplace=True,
            allow_warnings=True, allow_infos=True)
    except Exception as exc:  # pyshacl reports broken shapes only when it runs them
        raise ShapesError(f"the shapes could not be run: {exc}", file=", ".join(map(str, shape_set.files))) from exc
    assert isinstance(report, Graph)
    lookup = _evidence_lookup(source, graphs) if evidence else None
    found = findings(report, data, shape_set.graph, shape_set.origins, graphs.claims_about, lookup)
    return ValidationResult(day, shapes, inferred, found, report)


def check_integrity(graphs: DataGraphs, *, shapes_dir: Path | None = None) -> None:
    """Raise IntegrityError with the readable report when the asserted data breaks an integrity shape."""
    result = validate(graphs, shapes="integrity", inferred=False, shapes_dir=shapes_dir, evidence=False)
    if not result.conforms:
        n = result.counts()["violation"]
        raise IntegrityError(f"load refused: the data breaks the integrity shapes ({n} violations)",
                             report=result.to_text())


def _evidence_lookup(source: Store | DataGraphs, graphs: DataGraphs) -> _EvidenceCache:
    if isinstance(source, Store):
        return _EvidenceCache(source)
    store = MemoryStore()
    store.replace_all(graphs.quads())
    return _EvidenceCache(store)


class _EvidenceCache:
    def __init__(self, store: Store) -> None:
        self.store = store
        self.cache: dict[URIRef, Evidence | None] = {}

    def __call__(self, claim: URIRef) -> Evidence | None:
        if claim not in self.cache:
            self.cache[claim] = claim_evidence(self.store, claim)
        return self.cache[claim]
