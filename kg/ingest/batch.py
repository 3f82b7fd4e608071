"""Ingest and propose over many files: what `kg ingest`, `kg propose` and POST /documents call.

One document at a time is atomic; a batch reports each refusal and goes on, so one bad file in a folder
does not hide the rest (the command's exit code still says something was refused).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from ..dates import FuzzyDate, parse_fuzzy_date
from ..documents import Document, read_documents
from ..errors import KGError, LoadError
from ..progress import Progress
from .dating import infer_date
from .ingest import Ingested, Known, Metadata, decode, ingest_bytes, registry_path
from .proposals import known_ids, write_proposals


def expand(paths: Iterable[Path]) -> list[Path]:
    """Files named, and the regular files of folders named (not hidden ones), in a stable order."""
    out: list[Path] = []
    for path in paths:
        if path.is_dir():
            out += sorted(p for p in path.rglob("*") if p.is_file() and not any(
                part.startswith(".") for part in p.relative_to(path).parts))
        elif path.is_file():
            out.append(path)
        else:
            raise LoadError("no such file or folder", file=str(path))
    return out


@dataclass
class Batch:
    ingested: list[Ingested] = field(default_factory=list)
    refused: list[tuple[Path, KGError]] = field(default_factory=list)


def ingest_paths(data_dir: Path, paths: list[Path], meta: Metadata, *, max_bytes: int,
                 bar: Progress | None = None, today: date | None = None) -> Batch:
    files = expand(paths)
    if len(files) > 1 and (meta.id or meta.title):
        raise LoadError("--id and --title name one document; give them with a single file", term="--id/--title")
    batch = Batch()
    known = Known.read(registry_path(data_dir))
    for path in files:
        try:
            data = path.read_bytes()
            batch.ingested.append(ingest_bytes(data_dir, data, str(path), meta, max_bytes=max_bytes, today=today,
                                               known=known))
        except KGError as exc:
            batch.refused.append((path, exc))
        except OSError as exc:
            batch.refused.append((path, LoadError(f"cannot read: {exc.strerror}", file=str(path))))
        if bar is not None:
            bar.advance()
    return batch


class Proposer:
    """The proposer with its link index built once (reading the graph's entities), for many documents."""

    def __init__(self, data_dir: Path, ontology: Path, exclude_documents: frozenset[str] = frozenset()) -> None:
        from .propose import LinkIndex  # spaCy is imported only by the commands that propose

        self.data_dir = data_dir
        self.index = LinkIndex.build(data_dir, ontology, exclude_documents=exclude_documents)

    def claims(self, text: str, doc_id: str, day: FuzzyDate, rejected: frozenset[str] = frozenset()
               ) -> list[dict[str, Any]]:
        from .propose import propose

        return propose(text, document_id=doc_id, document_date=day, index=self.index, rejected=rejected)

    def document(self, doc: Document, *, write: bool = True) -> tuple[Path | None, list[dict[str, Any]]]:
        """Propose for a registered document, leaving out what was accepted or rejected before."""
        claims = self.claims(doc.text, doc.id, doc.date, known_ids(self.data_dir, doc.id))
        return (write_proposals(self.data_dir, doc.id, claims) if write else None), claims


def registered(data_dir: Path, doc_id: str, docs: dict[str, Document] | None = None) -> Document:
    """A registered document; `docs` (from read_documents, once per batch) saves re-reading the registry
    and every text for each document of a batch."""
    docs = docs if docs is not None else read_documents(registry_path(data_dir))
    if doc_id not in docs:
        raise LoadError(f"no document '{doc_id}' in the registry (ingest it first, or give a file)",
                        file=str(registry_path(data_dir)), term=doc_id)
    return docs[doc_id]


def unregistered(path: Path, published: str | None, *, max_bytes: int) -> tuple[str, str, FuzzyDate]:
    """A file not yet ingested: its text, a provisional id and its date (flag, else from the text)."""
    text = decode(path.read_bytes(), str(path), max_bytes=max_bytes)
    if published:
        try:
            day = parse_fuzzy_date(published)
        except ValueError as exc:
            raise LoadError(f"--published: {exc}", file=str(path), term=published) from exc
    else:
        found = infer_date(text)
        if found is None:
            raise LoadError("the text states no date of its own: give --published", file=str(path))
        day = parse_fuzzy_date(found.value)
    return text, path.stem.lower(), day


def as_json(doc: dict[str, Any], text: str, claims: list[dict[str, Any]]) -> dict[str, Any]:
    """The `{"document", "claims"}` shape of `kg propose --format json` and GET /documents/{id}/proposals:
    each claim with the offsets of its quote, for highlighting."""
    out = []
    for claim in claims:
        start = text.find(str(claim.get("quote", "")))
        out.append({**claim, "start": start if start >= 0 else None,
                    "end": start + len(str(claim["quote"])) if start >= 0 else None})
    return {"document": doc, "claims": out}


def document_summary(doc: Document) -> dict[str, Any]:
    return {"id": doc.id, "title": doc.title, "date": doc.date.text, "precision": doc.date.precision,
            "dating": doc.dating_method, "publisher": doc.publisher, "file": doc.path.name, "sha256": doc.sha256}
