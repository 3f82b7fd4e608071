"""Validate a knowledge graph, as of a day, with the integrity and/or compliance shapes.

Two engines give the same findings (tests/test_validation_scaled.py), chosen by KG_VALIDATOR:

- `pyshacl`: pyshacl over an rdflib in-memory graph built for the run (see data.py). Fine at the size
  of the curated graph; SPARQL-based constraints cost one query per focus node, so ≈45 s for all
  shapes at 10k triples and minutes at 100k.
- `scaled`: each constraint as one SPARQL query over all focus nodes, on an in-memory Oxigraph copy of
  the data (scaled_plan.py, scaled_data.py, scaled.py); refuses shapes it does not translate.
- `auto` (default): scaled when it translates every shape, pyshacl otherwise.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from pyshacl import validate as shacl_validate
from rdflib import Graph, URIRef

from ..config import Settings
from ..errors import KGError
from ..evidence import Evidence, claim_evidence
from ..namespaces import SH
from ..store.base import Store
from ..store.memory import MemoryStore
from .data import DataGraphs, data_graph
from .errors import IntegrityError, ShapesError
from .report import ValidationResult, findings
from .scaled import run as run_scaled
from .scaled_data import OxData
from .scaled_plan import Check, Unsupported, plan
from .shapes import Shapes, load_shapes

ENGINES = ("pyshacl", "scaled", "auto")


def validate(source: Store | DataGraphs, *, as_of: date | None = None, shapes: str = "all",
             inferred: bool = True, shapes_dir: Path | None = None,
             evidence: bool = True, engine: str | None = None) -> ValidationResult:
    """Validate the store's (or the in-memory graphs') content; see the package docstring.
    `engine`: pyshacl, scaled or auto (default: setting KG_VALIDATOR, auto)."""
    day = as_of if as_of is not None else date.today()
    shape_set = load_shapes(shapes, shapes_dir)
    checks = _scaled_checks(shape_set, engine or Settings().validator)
    if checks is not None:
        return _validate_scaled(source, checks, shape_set, day, shapes, inferred, evidence)
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


def _scaled_checks(shape_set: Shapes, engine: str) -> list[Check] | None:
    """The scaled engine's checks, or None when pyshacl runs (chosen, or auto and not translatable)."""
    if engine not in ENGINES:
        raise KGError(f"unknown validator '{engine}' (use {', '.join(ENGINES)})")
    if engine == "pyshacl":
        return None
    try:
        return plan(shape_set.graph)
    except Unsupported as exc:
        if engine == "auto":
            return None
        raise ShapesError(f"the scaled validator cannot run these shapes: {exc} (use KG_VALIDATOR=pyshacl)",
                          file=", ".join(map(str, shape_set.files))) from exc


def _validate_scaled(source: Store | DataGraphs, checks: list[Check], shape_set: Shapes, day: date,
                     shapes: str, inferred: bool, evidence: bool) -> ValidationResult:
    data = (OxData.from_store(source, inferred=inferred) if isinstance(source, Store)
            else OxData.from_graphs(source, inferred=inferred))
    data.add_context(day, shape_set.rules)
    try:
        report = run_scaled(checks, data, shape_set.graph)
    except (SyntaxError, OSError) as exc:
        raise ShapesError(f"the shapes could not be run: {exc}", file=", ".join(map(str, shape_set.files))) from exc
    focus = set(report.objects(None, SH.focusNode))
    summary = data.summary(focus, set(shape_set.rules.values()))
    lookup: _EvidenceCache | None = None
    if evidence:
        lookup = _EvidenceCache(source) if isinstance(source, Store) else _evidence_lookup(source, source)
    found = findings(report, summary, shape_set.graph, shape_set.origins, data.claims_about, lookup)
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
