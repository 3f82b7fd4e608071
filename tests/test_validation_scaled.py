"""The scaled SHACL engine gives pyshacl's results: same focus node, path, value, source shape,
severity, constraint component, rule, claims and message, on every shapes fixture, on the shipped
graph and on a generated 10k graph; the setting chooses the engine; loads use it."""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from rdflib import Graph, URIRef

from kg.config import PROJECT_ROOT
from kg.loader import Build, Sources, build
from kg.store import Store, open_store
from kg.validation import DataGraphs, ShapesError, ValidationResult, validate
from kg.vocabulary import load_ontology

FIXTURES = Path(__file__).parent / "fixtures" / "shapes"
ONTOLOGY = PROJECT_ROOT / "ontology" / "aichips.ttl"
DAYS = (date(2025, 3, 1), date(2025, 6, 1), date(2025, 9, 1), date(2026, 1, 1))


def _canon(text: str) -> str:
    # Oxigraph stores numbers by value: a message that computes a string from "10.0"^^xsd:decimal
    # inside SPARQL reads "10" (values and labels themselves keep the lexical form as written).
    return re.sub(r"\b(\d+)\.0\b", r"\1", text)


def _results(result: ValidationResult, *, exact_messages: bool) -> list[str]:
    out = []
    for f in result.findings:
        d: dict[str, Any] = f.to_dict()
        if not exact_messages:
            d["message"] = _canon(d["message"])
        out.append(json.dumps(d, sort_keys=True, default=str))
    return sorted(out)


def assert_same(source: Store | DataGraphs, day: date, *, exact_messages: bool = True, **kwargs: Any) -> int:
    a = validate(source, as_of=day, engine="pyshacl", **kwargs)
    b = validate(source, as_of=day, engine="scaled", **kwargs)
    assert _results(b, exact_messages=exact_messages) == _results(a, exact_messages=exact_messages)
    assert b.conforms == a.conforms
    return len(a.findings)


def _fixture_graphs(name: str) -> DataGraphs:
    names = ["base"] if name == "base" else ["base", name]
    claims = {URIRef(f"urn:test:claim:{n}"): Graph().parse(FIXTURES / f"{n}.ttl") for n in names}
    return DataGraphs(claims, Graph(), load_ontology(ONTOLOGY))


@pytest.mark.parametrize("fixture", sorted(p.stem for p in FIXTURES.glob("*.ttl")))
def test_same_results_on_every_fixture(fixture: str, tmp_path: Path) -> None:
    graphs = _fixture_graphs(fixture)
    store = open_store("oxigraph", tmp_path / "store")
    store.replace_all(graphs.quads())
    try:
        for day in DAYS:
            assert_same(graphs, day, exact_messages=False, evidence=False)
        assert_same(store, DAYS[-1], evidence=True)  # what `kg validate` reads: every field identical
    finally:
        store.close()


def test_fixtures_exercise_both_kinds_of_constraint() -> None:
    broken = validate(_fixture_graphs("integrity-broken"), as_of=DAYS[1], engine="scaled", evidence=False)
    assert {f.constraint for f in broken.findings} >= {"sh:MinCountConstraintComponent",
                                                        "sh:LessThanConstraintComponent",
                                                        "sh:MaxCountConstraintComponent"}
    sale = validate(_fixture_graphs("h20-sale-unlicensed"), as_of=DAYS[3], engine="scaled", evidence=False)
    assert {f.constraint for f in sale.findings} == {"sh:SPARQLConstraintComponent"}


@pytest.mark.parametrize("inferred", [True, False])
def test_same_results_on_shipped_graph(shipped: Build, oxigraph_store: Store, inferred: bool) -> None:
    graphs = DataGraphs(dict(shipped.curated.claim_graphs), shipped.curated.provenance, shipped.ontology,
                        shipped.inferred)
    for day in (DAYS[1], DAYS[3]):
        assert_same(graphs, day, inferred=inferred, evidence=False)
        assert_same(oxigraph_store, day, inferred=inferred, evidence=True)


@pytest.mark.slow
def test_same_results_on_generated_10k_graph(tmp_path: Path) -> None:
    from bench.generate import write_dataset

    write_dataset(tmp_path, triples=10_000)
    built = build(Sources(ONTOLOGY, tmp_path))
    claims = dict(built.curated.claim_graphs)
    for name in ("integrity-broken", "h20-sale-unlicensed", "offshore-unknown-operator", "state-funded-EarlyStage"):
        claims[URIRef(f"urn:test:claim:{name}")] = Graph().parse(FIXTURES / f"{name}.ttl")
    graphs = DataGraphs(claims, built.curated.provenance, built.ontology, built.inferred)
    assert assert_same(graphs, DAYS[3], exact_messages=False, evidence=False) > 0


def _unsupported_shapes(tmp_path: Path) -> Path:
    shapes = tmp_path / "shapes"
    shapes.mkdir()
    (shapes / "integrity.ttl").write_text(
        "@prefix sh: <http://www.w3.org/ns/shacl#> .\n@prefix aic: <https://w3id.org/aichips/ontology#> .\n"
        "aic:ClosedChip a sh:NodeShape ; sh:targetClass aic:Chip ; sh:closed true .\n", encoding="utf-8")
    return shapes


def test_setting_chooses_the_engine(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    shapes = _unsupported_shapes(tmp_path)
    graphs = _fixture_graphs("base")
    with pytest.raises(ShapesError, match="scaled validator cannot run"):
        validate(graphs, shapes="integrity", shapes_dir=shapes, engine="scaled", evidence=False)
    monkeypatch.setenv("KG_VALIDATOR", "scaled")
    with pytest.raises(ShapesError, match="scaled validator cannot run"):
        validate(graphs, shapes="integrity", shapes_dir=shapes, evidence=False)
    monkeypatch.setenv("KG_VALIDATOR", "auto")  # falls back to pyshacl
    assert validate(graphs, shapes="integrity", shapes_dir=shapes, evidence=False).findings


def test_load_time_integrity_check_uses_the_scaled_engine(sources: Sources,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    import kg.validation.engine as engine

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("pyshacl ran")

    monkeypatch.setattr(engine, "shacl_validate", refuse)
    monkeypatch.delenv("KG_VALIDATOR", raising=False)
    assert build(sources, reason=False).counts["claims"] > 0
