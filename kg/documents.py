"""Source documents: the project's own unchanged copies, their metadata, and quote look-up."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from .dates import FuzzyDate, parse_fuzzy_date
from .yamlsrc import Mapping, Source

CONTEXT_CHARS = 32  # prefix/suffix length kept in each oa:TextQuoteSelector
# Every key of a documents.yaml entry (docs/curation.md, "The document registry").
DOCUMENT_KEYS = {"id", "file", "title", "publisher", "language", "date", "not_before", "dating", "retells",
                 "source_url", "media_type", "sha256", "genre", "licence", "excerpt"}
GENRES = ("news-article", "web-page", "official-publication")


@dataclass(frozen=True)
class Document:
    id: str
    path: Path
    text: str
    title: str
    publisher: str | None
    language: str
    date: FuzzyDate
    not_before: FuzzyDate | None
    dating_method: str
    retells: str | None
    source_url: str | None
    media_type: str
    genre: str = "news-article"
    licence: str | None = None
    excerpt: str | None = None

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()

    def find(self, quote: str) -> int:
        """Offset of `quote` in the text, or -1."""
        return self.text.find(quote)

    def near_miss(self, quote: str) -> str | None:
        """The document's own wording of a quote that only differs in quotes, dashes or spaces."""
        norm_quote = _normalise(quote)
        norm_text, index = _normalise_with_index(self.text)
        pos = norm_text.find(norm_quote)
        if pos < 0 or not norm_quote:
            return None
        start, end = index[pos], index[pos + len(norm_quote) - 1] + 1
        return self.text[start:end]

    def context(self, start: int, end: int) -> tuple[str, str]:
        return self.text[max(0, start - CONTEXT_CHARS):start], self.text[end:end + CONTEXT_CHARS]


_FOLD = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u2013": "-",
                       "\u2014": "-", "\u00a0": " "})


def _normalise(text: str) -> str:
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", text).translate(_FOLD)).strip().lower()


def _normalise_with_index(text: str) -> tuple[str, list[int]]:
    """Normalised text plus, for each of its characters, the offset it came from."""
    out: list[str] = []
    index: list[int] = []
    prev_space = False
    for i, ch in enumerate(unicodedata.normalize("NFC", text)):
        c = ch.translate(_FOLD).lower()
        if c.isspace():
            if prev_space:
                continue
            c, prev_space = " ", True
        else:
            prev_space = False
        out.append(c)
        index.append(i)
    return "".join(out), index


def read_documents(registry: Path) -> dict[str, Document]:
    """Read `documents.yaml` and the text files it names, checking each file's recorded digest."""
    src = Source.read(registry)
    root = src.mapping(src.root, "the document registry")
    docs: dict[str, Document] = {}
    for node in src.sequence(src.require(root, "documents"), "'documents'").items:
        entry = src.mapping(node, "a document entry")
        src.check_keys(entry, DOCUMENT_KEYS, "a document")
        doc_id = src.scalar(src.require(entry, "id"), "id").value
        if doc_id in docs:
            raise src.error(f"duplicate document id '{doc_id}'", entry, term=doc_id)
        file_node = src.scalar(src.require(entry, "file"), "file")
        path = registry.parent / file_node.value
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise src.error(f"cannot read document text {path}: {exc}", file_node) from exc
        doc = Document(
            id=doc_id,
            path=path,
            text=text,
            title=_text(src, entry, "title"),
            publisher=_opt(src, entry, "publisher"),
            language=_opt(src, entry, "language") or "en",
            date=_date(src, entry, "date"),
            not_before=_date(src, entry, "not_before") if entry.get("not_before") else None,
            dating_method=_text(src, entry, "dating"),
            retells=_opt(src, entry, "retells"),
            source_url=_opt(src, entry, "source_url"),
            media_type=_opt(src, entry, "media_type") or "text/plain",
            genre=_genre(src, entry),
            licence=_opt(src, entry, "licence"),
            excerpt=_opt(src, entry, "excerpt"),
        )
        expected = _opt(src, entry, "sha256")
        if expected and expected != doc.sha256:
            raise src.error(f"document text {path} changed: sha256 is {doc.sha256}, registry says {expected}",
                            entry.get("sha256"), term="sha256")
        docs[doc_id] = doc
    return docs


def _genre(src: Source, entry: Mapping) -> str:
    node = entry.get("genre")
    if node is None:
        return "news-article"
    value = src.scalar(node, "genre")
    if value.value not in GENRES:
        raise src.error(f"unknown genre '{value.value}' (allowed: {', '.join(GENRES)})", value, term=value.value)
    return value.value


def _text(src: Source, entry: Mapping, key: str) -> str:
    return src.scalar(src.require(entry, key), key).value


def _opt(src: Source, entry: Mapping, key: str) -> str | None:
    node = entry.get(key)
    return src.scalar(node, key).value if node is not None else None


def _date(src: Source, entry: Mapping, key: str) -> FuzzyDate:
    node = src.scalar(src.require(entry, key), key)
    try:
        return parse_fuzzy_date(node.value)
    except ValueError as exc:
        raise src.error(str(exc), node, term=node.value) from exc
