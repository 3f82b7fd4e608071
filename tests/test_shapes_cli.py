"""`kg validate` in each format, with exit codes: 0 when only infos or warnings, 1 on a violation,
2 on bad input."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from rdflib import Graph, URIRef
from typer.testing import CliRunner

from kg.cli import app
from kg.loader import Build
from kg.store import open_store

FIXTURES = Path(__file__).parent / "fixtures" / "shapes"
runner = CliRunner()


@pytest.fixture(scope="module")
def shipped_dir(shipped: Build, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    path = tmp_path_factory.mktemp("validate-store")
    store = open_store("oxigraph", path)
    store.replace_all(shipped.quads())
    store.close()
    yield path


@pytest.fixture(scope="module")
def violating_dir(shipped: Build, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The ontology plus the hypothetical unlicensed H20 sale."""
    path = tmp_path_factory.mktemp("violating-store")
    store = open_store("oxigraph", path)
    quads = [(s, p, o, g) for s, p, o, g in shipped.quads() if g == URIRef("https://w3id.org/aichips/graph/ontology")]
    for name in ("base", "h20-sale-unlicensed"):
        quads += [(s, p, o, URIRef(f"urn:test:claim:{name}")) for s, p, o in Graph().parse(FIXTURES / f"{name}.ttl")]
    store.replace_all(quads)
    store.close()
    return path


def _validate(store: Path, *args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["validate", "--store-path", str(store), *args])
    return result.exit_code, result.output


def test_text_lists_rule_citation_and_evidence(shipped_dir: Path) -> None:
    code, out = _validate(shipped_dir, "--as-of", "2025-12-01")
    assert code == 0
    # Info: the joint Singapore/Malaysia training in leased capacity (once per trainer); warning: each firm's
    # own Southeast Asian training, whose facility operator is not recorded.
    assert "conforms (0 violations, 2 warnings, 2 infos)" in out
    assert "[INFO] Alibaba's and ByteDance's training in Singapore and Malaysia" in out
    assert "[WARNING] Alibaba's model training in Southeast Asia" in out
    assert "citation: NVIDIA Corporation, Form 8-K, 15 April 2025" in out
    assert "evidence: \u201c" in out


def test_json(shipped_dir: Path) -> None:
    code, out = _validate(shipped_dir, "--as-of", "2025-12-01", "--format", "json", "--asserted")
    assert code == 0
    data = json.loads(out)
    assert data["asOf"] == "2025-12-01" and data["inferred"] is False and data["conforms"] is True
    assert {r["severity"] for r in data["results"]} == {"info", "warning"}
    assert all(r["rule"]["iri"].endswith("us-h20-licence-requirement") for r in data["results"])


@pytest.mark.parametrize("fmt", ["turtle", "jsonld"])
def test_standard_report_formats(shipped_dir: Path, fmt: str) -> None:
    code, out = _validate(shipped_dir, "--as-of", "2025-12-01", "--format", fmt)
    assert code == 0
    report = Graph().parse(data=out, format="json-ld" if fmt == "jsonld" else "turtle")
    sh = "http://www.w3.org/ns/shacl#"
    assert len(list(report.subjects(URIRef(sh + "resultSeverity"), URIRef(sh + "Info")))) == 2


def test_violation_exits_one(violating_dir: Path) -> None:
    code, out = _validate(violating_dir, "--as-of", "2025-06-01", "--shapes", "compliance")
    assert code == 1
    assert "[VIOLATION] H20 sale to China" in out


def test_violation_not_in_force_exits_zero(violating_dir: Path) -> None:
    code, _ = _validate(violating_dir, "--as-of", "2025-04-08", "--shapes", "compliance")
    assert code == 0


@pytest.mark.parametrize(("args", "message"), [
    (("--as-of", "2025-02-30"), "--as-of must be a date"),
    (("--shapes", "everything"), "unknown shape set"),
    (("--format", "xml"), "unknown format"),
])
def test_bad_input_exits_two(shipped_dir: Path, args: tuple[str, ...], message: str) -> None:
    code, out = _validate(shipped_dir, *args)
    assert code == 2
    assert message in out


def test_malformed_shapes_file_is_reported(shipped_dir: Path, tmp_path: Path) -> None:
    (tmp_path / "integrity.ttl").write_text("@prefix sh: <http://www.w3.org/ns/shacl#> .\n<urn:a> sh:x\n",
                                            encoding="utf-8")
    (tmp_path / "compliance.ttl").write_text("", encoding="utf-8")
    result = runner.invoke(app, ["validate", "--store-path", str(shipped_dir)], env={"KG_SHAPES_DIR": str(tmp_path)})
    assert result.exit_code == 2
    assert f"{tmp_path / 'integrity.ttl'}:2" in result.output
