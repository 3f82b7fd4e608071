"""`kg ingest`: an unchanged copy and a registry entry that `kg load` accepts, or a precise refusal that
leaves data/ exactly as it was."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from kg.documents import read_documents
from kg.errors import LoadError
from kg.ingest.dating import infer_date
from kg.ingest.fingerprint import fingerprint
from kg.ingest.ingest import Ingested, Metadata, ingest_bytes
from kg.loader import Sources, build

from .conftest import ONTOLOGY

FIXTURES = Path(__file__).parent / "fixtures" / "ingest"
SHARED = Path(__file__).resolve().parents[2] / "shared" / "documents"
TODAY = date(2026, 12, 2)
MAX = 100_000


def tree(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def ingest(data: Path, name: str, meta: Metadata | None = None, raw: bytes | None = None) -> Ingested:
    body = raw if raw is not None else (FIXTURES / name).read_bytes()
    return ingest_bytes(data, body, name, meta or Metadata(), max_bytes=MAX, today=TODAY)


def test_the_copy_is_byte_for_byte_and_the_entry_loads(data_copy: Path) -> None:
    done = ingest(data_copy, "dateline-snippet.txt", Metadata(publisher="Example Wire", licence="written for tests"))
    stored = data_copy / "documents" / "dateline-snippet.txt"
    assert stored.read_bytes() == (FIXTURES / "dateline-snippet.txt").read_bytes()
    doc = read_documents(data_copy / "documents" / "documents.yaml")["dateline-snippet"]
    assert doc.sha256 == hashlib.sha256(stored.read_bytes()).hexdigest()
    assert (doc.date.text, doc.date.precision) == ("2026-03-03", "day")
    assert "dateline" in doc.dating_method and "SINGAPORE, March 3, 2026" in doc.dating_method
    assert done.entry["licence"] == "written for tests"
    build(Sources(ONTOLOGY, data_copy))  # the registry as written is what the loader accepts


def test_the_registry_keeps_what_curators_wrote(data_copy: Path) -> None:
    registry = data_copy / "documents" / "documents.yaml"
    before = registry.read_text(encoding="utf-8")
    ingest(data_copy, "dateline-snippet.txt")
    assert registry.read_text(encoding="utf-8").startswith(before)  # comments and order untouched


@pytest.mark.parametrize(("given", "text", "precision"), [
    ("2025", "2025", "year"), ("2025-11", "2025-11", "month"), ("2025-11-27", "2025-11-27", "day")])
def test_a_published_flag_keeps_its_precision(data_copy: Path, given: str, text: str, precision: str) -> None:
    ingest(data_copy, "undated.txt", Metadata(published=given, dating="the site's archive page"))
    doc = read_documents(data_copy / "documents" / "documents.yaml")["undated"]
    assert (doc.date.text, doc.date.precision) == (text, precision)
    assert doc.dating_method == f"from the curator (--published {given}): the site's archive page"


def test_dates_from_headers_datelines_and_date_lines() -> None:
    fr = (SHARED / "fr-2025-02655.txt").read_text(encoding="utf-8")
    found = infer_date(fr)
    assert found is not None and found.value == "2025-02-14" and "Federal Register header" in found.method
    assert infer_date("Thursday, January 15, 2026\n\nRules and Regulations").value == "2026-01-15"  # type: ignore[union-attr]
    assert infer_date("WASHINGTON, Jan. 13, 2025 -- The Department").value == "2025-01-13"  # type: ignore[union-attr]
    # A date in the body is about something else: the BIS page names a press release's date, not its own.
    assert infer_date((SHARED / "bis-ai-diffusion-public-information.txt").read_text(encoding="utf-8")) is None
    assert infer_date("The rule of January 13, 2025 applies.") is None


def test_an_exact_duplicate_is_refused_naming_the_existing_document(data_copy: Path) -> None:
    ingest(data_copy, "dateline-snippet.txt")
    before = tree(data_copy)
    with pytest.raises(LoadError, match="exact duplicate of document 'dateline-snippet'"):
        ingest(data_copy, "dateline-snippet.txt", Metadata(id="again"))
    assert tree(data_copy) == before


def test_a_near_duplicate_is_ingested_with_a_warning(data_copy: Path) -> None:
    assert fingerprint((FIXTURES / "dateline-snippet.txt").read_text()) == fingerprint(
        (FIXTURES / "dateline-snippet-rendered.html").read_text())
    ingest(data_copy, "dateline-snippet.txt")
    done = ingest(data_copy, "dateline-snippet-rendered.html")
    assert any("near-duplicate of document 'dateline-snippet'" in w for w in done.warnings)
    stored = data_copy / "documents" / "dateline-snippet-rendered.html"
    assert stored.read_bytes() == (FIXTURES / "dateline-snippet-rendered.html").read_bytes()  # furniture kept


@pytest.mark.parametrize(("raw", "meta", "message"), [
    (b"\x89PNG\r\n\x1a\n\x00\x00", Metadata(published="2025"), "binary"),
    ("caf\u00e9 au lait".encode("latin-1"), Metadata(published="2025"), "not UTF-8: byte 0xe9"),
    (b"", Metadata(published="2025"), "document is empty"),
    (b" \n\t\n", Metadata(published="2025"), "document is empty"),
    (b"x" * (MAX + 1), Metadata(published="2025"), "more than KG_MAX_DOCUMENT_BYTES"),
    (b"Some text.", Metadata(published="2025-13"), "month 13"),
    (b"Some text.", Metadata(published="next week"), "not a date of the form"),
    (b"Some text.", Metadata(published="2027-01-01"), "in the future"),
    (b"Some text.", Metadata(), "states no date of its own"),
    (b"Some text.", Metadata(published="2025", id="000_27b38dd4aa941715"), "exists already"),
    (b"Some text.", Metadata(published="2025", id="Bad Id!"), "must be 1-80 lower-case"),
    (b"Some text.", Metadata(published="2025", genre="tweet"), "unknown genre"),
])
def test_bad_input_is_refused_and_data_is_unchanged(data_copy: Path, raw: bytes, meta: Metadata,
                                                    message: str) -> None:
    before = tree(data_copy)
    with pytest.raises(LoadError, match=message) as info:
        ingest(data_copy, "upload.txt", meta, raw=raw)
    assert info.value.file is not None
    assert tree(data_copy) == before


def test_the_line_of_a_bad_byte_is_named(data_copy: Path) -> None:
    with pytest.raises(LoadError) as info:
        ingest(data_copy, "upload.txt", Metadata(published="2025"), raw=b"line one\nline two\n\xff three\n")
    assert info.value.line == 3


def test_kg_ingest_takes_a_folder_and_reports_each_refusal(data_copy: Path, tmp_path: Path) -> None:
    folder = tmp_path / "inbox"
    folder.mkdir()
    (folder / "a.txt").write_text("WASHINGTON, May 2, 2025 — A first hypothetical notice.\n", encoding="utf-8")
    (folder / "b.txt").write_text("WASHINGTON, May 3, 2025 — A second hypothetical notice.\n", encoding="utf-8")
    (folder / "c.txt").write_bytes(b"\x00\x01binary")
    run = subprocess.run([sys.executable, "-m", "kg", "ingest", str(folder), "--data", str(data_copy)],
                         capture_output=True, text=True, check=False)
    assert run.returncode == 2, run.stderr
    assert "ingested a:" in run.stdout and "ingested b:" in run.stdout
    assert "c.txt:1: document is binary" in run.stderr and "2 ingested, 1 refused" in run.stderr
    assert "ingest: 3/3 documents" in run.stderr  # a progress line, not a silent prompt
    docs = read_documents(data_copy / "documents" / "documents.yaml")
    assert {"a", "b"} <= set(docs) and "c" not in docs
