"""`kg ingest`: keep an unchanged copy of a new document and register it, or refuse with the reason.

Everything is checked before anything is written (size, encoding, emptiness, id, exact duplicate, date);
then the text and the registry are each replaced atomically, the text first, and the text is removed
again if the registry cannot be written, so a refused or failed ingest leaves data/ as it was.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from ..dates import FuzzyDate, parse_fuzzy_date
from ..documents import GENRES, read_documents
from ..errors import LoadError
from .dating import infer_date
from .fingerprint import NearDuplicates, furniture
from .registry import appended, entry_text, write_atomically

ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_-]{0,79}$")
NEAR_DUPLICATE = 0.9  # share of shared 8-word shingles above which two texts are the same document


@dataclass(frozen=True)
class Metadata:
    """What the curator says of a document (flags of `kg ingest`, fields of POST /documents)."""

    id: str | None = None
    title: str | None = None
    publisher: str | None = None
    published: str | None = None  # YYYY, YYYY-MM or YYYY-MM-DD; else inferred from the text
    dating: str | None = None  # why that date, when given by hand
    not_before: str | None = None
    url: str | None = None
    licence: str | None = None
    excerpt: str | None = None
    genre: str | None = None
    retells: str | None = None
    language: str = "en"


@dataclass
class Ingested:
    document_id: str
    file: Path
    entry: dict[str, str]
    warnings: list[str] = field(default_factory=list)


def registry_path(data_dir: Path) -> Path:
    return data_dir / "documents" / "documents.yaml"


def decode(data: bytes, name: str, *, max_bytes: int) -> str:
    """The text of an upload, or a LoadError saying exactly why it is not a text document."""
    if len(data) > max_bytes:
        raise LoadError(f"document is {len(data)} bytes, more than KG_MAX_DOCUMENT_BYTES ({max_bytes})", file=name)
    if b"\x00" in data:
        line = data[:data.index(b"\x00")].count(b"\n") + 1
        raise LoadError("document is binary (a NUL byte), not text", file=name, line=line)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        raise LoadError(f"document is not UTF-8: byte 0x{data[exc.start]:02x} at offset {exc.start}", file=name,
                        line=line) from exc
    if not text.strip():
        raise LoadError("document is empty", file=name)
    return text


@dataclass
class Known:
    """What is registered already: ids, digests and the near-duplicate index, read once per batch."""

    ids: set[str]
    digests: dict[str, str]  # sha256 -> document id
    near: NearDuplicates

    @classmethod
    def read(cls, registry: Path) -> Known:
        docs = read_documents(registry) if registry.exists() else {}
        near = NearDuplicates()
        for doc in docs.values():
            near.add(doc.id, doc.text)
        return cls(set(docs), {d.sha256: d.id for d in docs.values()}, near)

    def add(self, doc_id: str, text: str, digest: str) -> None:
        self.ids.add(doc_id)
        self.digests[digest] = doc_id
        self.near.add(doc_id, text)


def ingest_bytes(data_dir: Path, data: bytes, name: str, meta: Metadata, *, max_bytes: int,
                 today: date | None = None, known: Known | None = None) -> Ingested:
    """Register `data` (the file's bytes, kept byte for byte) under data_dir/documents/. `known` (from
    `Known.read`, kept up to date here) saves re-reading the registry for each document of a batch."""
    text = decode(data, name, max_bytes=max_bytes)
    registry = registry_path(data_dir)
    known = known if known is not None else Known.read(registry)
    doc_id = _document_id(meta, name, known.ids, registry)
    target = registry.parent / f"{doc_id}{Path(name).suffix or '.txt'}"
    if target.exists():
        raise LoadError(f"a file named {target.name} already exists in {registry.parent}", file=name,
                        term=target.name)
    digest = hashlib.sha256(data).hexdigest()
    if digest in known.digests:
        other = known.digests[digest]
        raise LoadError(f"exact duplicate of document '{other}': not ingested again", file=name, term=other)
    warnings = _near_duplicates(text, known.near)
    day, method = _dating(meta, text, name, today or date.today())
    entry = _entry(meta, name, doc_id, target.name, text, day, method, digest)
    new_registry = appended(registry, entry)
    write_atomically(target, data)
    try:
        _check_entry(registry, entry)
        write_atomically(registry, new_registry.encode("utf-8"))
    except BaseException:
        target.unlink(missing_ok=True)
        raise
    known.add(doc_id, text, digest)
    return Ingested(doc_id, target, entry, warnings)


def _check_entry(registry: Path, entry: dict[str, str]) -> None:
    """What is written is what `kg load` accepts: the new entry, as appended, read with the loader's own
    reader. (The entries before it were read when the batch started; an appended list item cannot change
    how they parse, so the whole registry is not parsed again for each document of a batch.)"""
    check = registry.parent / f".{registry.name}.check"
    check.write_text("documents:\n" + entry_text(entry, None), encoding="utf-8")
    try:
        read_documents(check)
    finally:
        check.unlink(missing_ok=True)


def _document_id(meta: Metadata, name: str, existing: set[str], registry: Path) -> str:
    doc_id = meta.id or re.sub(r"[^a-z0-9_-]+", "-", Path(name).stem.lower()).strip("-_")
    if not ID_PATTERN.match(doc_id):
        raise LoadError(f"document id '{doc_id}' must be 1-80 lower-case letters, digits, '-' or '_' "
                        "(give one with --id)", file=name, term=doc_id)
    if doc_id in existing:
        raise LoadError(f"document id '{doc_id}' exists already (give another with --id)", file=str(registry),
                        term=doc_id)
    return doc_id


def _near_duplicates(text: str, near: NearDuplicates) -> list[str]:
    same = near.same_words(text)
    if same is not None:
        return [f"near-duplicate of document '{same}': the same text once markup, page furniture and spacing "
                "are ignored"]
    return [f"near-duplicate of document '{other}': {share:.0%} of the shorter text's passages appear in the other"
            for other, share in near.overlapping(text, NEAR_DUPLICATE)]


def _dating(meta: Metadata, text: str, name: str, today: date) -> tuple[FuzzyDate, str]:
    if meta.published:
        try:
            day = parse_fuzzy_date(meta.published)
        except ValueError as exc:
            raise LoadError(f"--published: {exc}", file=name, term=meta.published) from exc
        if day.first > today:
            raise LoadError(f"--published {meta.published} is in the future (today is {today.isoformat()})",
                            file=name, term=meta.published)
        method = f"from the curator (--published {meta.published})"
        return day, f"{method}: {meta.dating}" if meta.dating else method
    found = infer_date(text)
    if found is None:
        raise LoadError("the text states no date of its own (no Federal Register header, dateline or 'Published' "
                        "line in its opening): give --published YYYY, YYYY-MM or YYYY-MM-DD", file=name)
    day = parse_fuzzy_date(found.value)
    if day.first > today:
        raise LoadError(f"the text's date {found.value} is in the future", file=name, term=found.value)
    return day, found.method


def _entry(meta: Metadata, name: str, doc_id: str, file: str, text: str, day: FuzzyDate, method: str,
           digest: str) -> dict[str, str]:
    if meta.genre is not None and meta.genre not in GENRES:
        raise LoadError(f"unknown genre '{meta.genre}' (allowed: {', '.join(GENRES)})", file=name, term=meta.genre)
    if meta.not_before is not None:
        try:
            parse_fuzzy_date(meta.not_before)
        except ValueError as exc:
            raise LoadError(f"--not-before: {exc}", file=name, term=meta.not_before) from exc
    entry: dict[str, str] = {"id": doc_id, "file": file, "title": meta.title or _title(text)}
    optional = {"publisher": meta.publisher, "genre": meta.genre, "language": meta.language,
                "media_type": "text/plain", "date": day.text, "not_before": meta.not_before, "dating": method,
                "retells": meta.retells, "source_url": meta.url, "licence": meta.licence, "excerpt": meta.excerpt,
                "sha256": digest}
    entry.update({k: v for k, v in optional.items() if v})
    return entry


def _title(text: str) -> str:
    """The first line that is not page furniture: a title good enough until a curator gives one."""
    for line in text.splitlines():
        words = " ".join(line.split())
        if words and not furniture(words) and not words.startswith("["):
            return words[:117] + "..." if len(words) > 120 else words
    return "untitled"
