"""The `kg` command line as a user runs it: real processes, real store directory, exit codes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import DATA


def kg(*args: str, store: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "KG_STORE_PATH": str(store)}
    return subprocess.run([sys.executable, "-m", "kg", *args], capture_output=True, text=True, env=env,
                          timeout=300, check=False)


@pytest.fixture(scope="module")
def store_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("cli-store")
    result = kg("load", store=path)
    assert result.returncode == 0, result.stderr
    assert "claims" in result.stdout
    return path


def test_ask_bare_lists_questions(store_dir: Path) -> None:
    result = kg("ask", store=store_dir)
    assert result.returncode == 0
    assert "firms-training-outside" in result.stdout
    assert "rules-for-chip" in result.stdout


def test_ask_headline_question_with_evidence(store_dir: Path) -> None:
    result = kg("ask", "firms-training-outside", "vendor=nvidia", "jurisdiction=china", store=store_dir)
    assert result.returncode == 0, result.stderr
    assert "Alibaba" in result.stdout and "ByteDance" in result.stdout
    assert "DeepSeek" not in result.stdout
    assert "\u201c" in result.stdout  # quoted evidence


def test_ask_json(store_dir: Path) -> None:
    result = kg("ask", "conditional-approvals", "--format", "json", store=store_dir)
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout)
    assert answer["question"] == "conditional-approvals"
    assert all(row["evidence"] for row in answer["rows"])


def test_query_inline_named_and_file(store_dir: Path, tmp_path: Path) -> None:
    inline = kg("query", "-e", "SELECT ?l WHERE { id:nvidia rdfs:label ?l }", "-f", "csv", store=store_dir)
    assert inline.returncode == 0, inline.stderr
    assert inline.stdout.splitlines() == ["l", "Nvidia"]
    named = kg("query", "-q", "firms-training-inside", "-p", "jurisdiction=china", store=store_dir)
    assert named.returncode == 0 and "DeepSeek" in named.stdout
    rq = tmp_path / "q.rq"
    rq.write_text("ASK { id:alibaba a aic:AIDeveloper }", encoding="utf-8")
    from_file = kg("query", str(rq), store=store_dir)
    assert from_file.stdout.strip() == "true"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("query", "-e", "SELECT * WHERE { ?s ?p }"), "malformed SPARQL query"),
        (("query", "/no/such/file.rq"), "cannot read query file"),
        (("ask", "nope"), "unknown question 'nope'"),
        (("ask", "firms-training-outside", "vendor=atlantis"), "unknown entity 'atlantis'"),
        (("ask", "rules-for-chip", "date=yesterday"), "must be a date"),
        (("ask", "firms-training-outside", "vendor"), "must be NAME=VALUE"),
        (("export", "--format", "xml"), "unknown export format"),
    ],
)
def test_bad_input_gives_a_message_and_exit_code_2(store_dir: Path, args: tuple[str, ...], message: str) -> None:
    result = kg(*args, store=store_dir)
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_failed_load_exits_non_zero_and_keeps_the_store(store_dir: Path, tmp_path: Path) -> None:
    import shutil

    data = tmp_path / "data"
    shutil.copytree(DATA, data)
    (data / "claims" / "zz.yaml").write_text("document: [\n", encoding="utf-8")
    before = kg("stats", store=store_dir).stdout
    result = kg("load", "--data", str(data), store=store_dir)
    assert result.returncode == 2
    assert "zz.yaml" in result.stderr and "YAML does not parse" in result.stderr
    assert kg("stats", store=store_dir).stdout == before


def test_export_and_stats(store_dir: Path) -> None:
    stats = kg("stats", store=store_dir)
    assert stats.returncode == 0 and "inferred" in stats.stdout
    nq = kg("export", "--format", "nquads", store=store_dir)
    assert nq.returncode == 0 and nq.stdout.count("\n") > 100


def test_reason_recomputes_inferences(store_dir: Path) -> None:
    result = kg("reason", store=store_dir)
    assert result.returncode == 0, result.stderr
    assert "inferred triples" in result.stdout
    again = kg("ask", "firms-training-outside", store=store_dir)
    assert "ByteDance" in again.stdout


def test_query_writes_the_w3c_result_formats(store_dir: Path) -> None:
    q = "SELECT ?l WHERE { id:nvidia rdfs:label ?l }"
    data = json.loads(kg("query", "-e", q, "-f", "json", store=store_dir).stdout)
    assert data == {"head": {"vars": ["l"]}, "results": {"bindings": [{"l": {"type": "literal", "value": "Nvidia"}}]}}
    xml = kg("query", "-e", q, "-f", "xml", store=store_dir).stdout
    assert "<sparql" in xml and "<literal>Nvidia</literal>" in xml
    assert kg("query", "-e", q, "-f", "tsv", store=store_dir).stdout.splitlines() == ["?l", '"Nvidia"']
    assert json.loads(kg("query", "-e", "ASK { ?s ?p ?o }", "-f", "json", store=store_dir).stdout)["boolean"] is True
    nt = kg("query", "-e", "CONSTRUCT WHERE { id:nvidia rdfs:label ?l }", "-f", "ntriples", store=store_dir)
    label = "<http://www.w3.org/2000/01/rdf-schema#label>"
    assert nt.stdout.strip() == f'<https://w3id.org/aichips/id/nvidia> {label} "Nvidia" .'


def test_query_errors_point_into_the_users_own_text(store_dir: Path) -> None:
    # the CLI adds PREFIX lines for aic:, id:, rdfs: ...; positions must not count them
    result = kg("query", "-e", "SELECT * WHERE { ?s ?p }", store=store_dir)
    assert result.returncode == 2 and "error at 1:" in result.stderr, result.stderr
    result = kg("query", "-e", "SELECT * WHERE {\n ?s ?p ?o FILTER(?o<?a&&?b>?y) }", store=store_dir)
    assert result.returncode == 2 and "line 2, column 20" in result.stderr, result.stderr
