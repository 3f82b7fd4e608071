"""Accept and reject proposals: check the graph as it would be, then write the three files or nothing."""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from .. import yamlio
from ..curation import Compiler
from ..documents import read_documents
from ..errors import InputError, LoadError
from ..ingest.proposals import (
    claims_path,
    digest,
    dump,
    proposals_path,
    read_proposals,
    rejected_path,
    stripped,
)
from ..ingest.registry import write_atomically
from ..loader import Build, Sources, build
from ..vocabulary import Vocabulary, load_ontology


@dataclass
class Outcome:
    document: str
    accepted: list[str] = field(default_factory=list)
    rejected: list[str] = field(default_factory=list)
    remaining: int = 0
    claims_file: Path | None = None
    build: Build | None = None  # the graph as it now is, when claims were accepted
    _previous: dict[Path, bytes | None] = field(default_factory=dict, repr=False)

    def undo(self) -> None:
        """Put the files back as they were (the HTTP path calls this when the store write fails)."""
        for path, data in self._previous.items():
            if data is None:
                path.unlink(missing_ok=True)
            else:
                write_atomically(path, data)


def review(sources: Sources, doc_id: str, *, accept: list[str], reject: list[str], reviewer: str,
           today: date | None = None) -> Outcome:
    data_dir = sources.data_dir
    ppath = proposals_path(data_dir, doc_id)
    proposals = read_proposals(ppath)
    if proposals.document != doc_id:
        raise LoadError(f"the proposals file is for document '{proposals.document}', not '{doc_id}'", file=str(ppath),
                        term=proposals.document)
    by_id = {str(c.get("id")): c for c in proposals.claims}
    for claim_id in [*accept, *reject]:
        if claim_id not in by_id:
            raise LoadError(f"no proposal '{claim_id}' for document {doc_id}", file=str(ppath), term=claim_id)
    both = set(accept) & set(reject)
    if both:
        raise InputError(f"proposal '{sorted(both)[0]}' is both accepted and rejected", term=sorted(both)[0])
    if not reviewer.strip():
        raise InputError("a review needs a reviewer's name", term="reviewer")
    day = (today or date.today()).isoformat()
    outcome = Outcome(doc_id, list(accept), list(reject))

    cpath, rpath = claims_path(data_dir, doc_id), rejected_path(data_dir, doc_id)
    writes: dict[Path, bytes | None] = {}  # None: remove the file
    if accept:
        _check_proposals(sources, ppath, set(accept))
        new_claims = _with_accepted(sources, cpath, doc_id, [by_id[i] for i in accept], reviewer, day)
        outcome.build = _check_whole(sources, cpath, new_claims)
        writes[cpath] = new_claims.encode("utf-8")
        outcome.claims_file = cpath
    remaining = [c for c in proposals.claims if str(c.get("id")) not in set(accept) | set(reject)]
    outcome.remaining = len(remaining)
    # Once every proposal is decided the file goes: what remains of the review is in the claims and
    # rejected files.
    writes[ppath] = _rewritten_proposals(ppath, doc_id, remaining).encode("utf-8") if remaining else None
    if reject:
        writes[rpath] = _with_rejected(rpath, doc_id, [by_id[i] for i in reject], reviewer, day).encode("utf-8")

    # The claims file first: it is what the graph is built from. A crash between writes leaves an accepted
    # claim also still proposed, which the next review refuses as a duplicate id rather than losing it.
    outcome._previous = {p: (p.read_bytes() if p.exists() else None) for p in writes}
    try:
        for path, data in writes.items():
            if data is None:
                path.unlink(missing_ok=True)
            else:
                write_atomically(path, data)
    except BaseException:
        outcome.undo()
        raise
    return outcome


def _check_proposals(sources: Sources, ppath: Path, ids: set[str]) -> None:
    """Compile the accepted proposals where the curator edited them, so errors name that file and line."""
    vocab = Vocabulary(load_ontology(sources.ontology))
    documents = read_documents(sources.registry)
    compiler = Compiler(vocab, documents, proposals=True, only={ppath: ids})
    compiler.compile([*sources.claim_files(), ppath], sources.reference_files())


def _with_accepted(sources: Sources, cpath: Path, doc_id: str, claims: list[dict[str, Any]], reviewer: str,
                   day: str) -> str:
    if cpath.exists():
        text = cpath.read_text(encoding="utf-8")
        if not text.endswith("\n"):
            text += "\n"
    else:
        text = (f"# Document claims of {doc_id}, accepted in review from the proposals of `kg propose`\n"
                "# (each keeps its review record: who accepted it, when, the proposer's confidence and cue).\n"
                f'document: "{doc_id}"\nclaims:\n')
    entries = []
    for claim in claims:
        record: dict[str, Any] = {"by": reviewer, "date": day}
        if claim.get("confidence") is not None:
            record["confidence"] = str(claim["confidence"])
        if claim.get("why"):
            record["cue"] = str(claim["why"])
        record["edited"] = "true" if claim.get("digest") not in (None, digest(claim)) else "false"
        entries.append({**stripped(claim), "review": record})
    body = yamlio.dump(entries)
    text += "\n" + "\n".join("  " + line if line else line for line in body.splitlines()) + "\n"
    try:
        parsed = yamlio.load(text)
    except yaml.YAMLError as exc:
        raise LoadError(f"cannot append to the claims file (its last key must be 'claims'): {exc}",
                        file=str(cpath)) from exc
    got = {str(c.get("id")) for c in (parsed or {}).get("claims") or [] if isinstance(c, dict)}
    missing = [str(c.get("id")) for c in claims if str(c.get("id")) not in got]
    if missing:
        raise LoadError("cannot append to the claims file: its last top-level key must be 'claims'", file=str(cpath),
                        term=missing[0])
    return text


def _check_whole(sources: Sources, cpath: Path, new_claims: str) -> Build:
    """Build the whole graph with the new claims file in place, in a scratch copy of data/ (links to the
    documents, reference data and other claims files), so integrity shapes and reasoning judge the result."""
    with tempfile.TemporaryDirectory(prefix="kg-review-") as tmp:
        scratch = Path(tmp)
        for part in ("documents", "reference"):
            os.symlink((sources.data_dir / part).resolve(), scratch / part)
        claims_dir = scratch / "claims"
        claims_dir.mkdir()
        for path in sources.claim_files():
            if path.name != cpath.name:
                os.symlink(path.resolve(), claims_dir / path.name)
        (claims_dir / cpath.name).write_text(new_claims, encoding="utf-8")
        try:
            return build(Sources(sources.ontology, scratch, sources.shapes_dir))
        except InputError as exc:
            if exc.file and exc.file.startswith(str(scratch)):
                exc.file = str(sources.data_dir / Path(exc.file).relative_to(scratch)) + " (as it would be written)"
                exc.args = (str(exc),)
            raise


def _rewritten_proposals(ppath: Path, doc_id: str, remaining: list[dict[str, Any]]) -> str:
    header = (f"Claims proposed for document {doc_id} by `kg propose`, not yet reviewed: NOT loaded until accepted.\n"
              f"  kg review {doc_id} --accept ID ... --reject ID ...")
    return dump(doc_id, remaining, header)


def _with_rejected(rpath: Path, doc_id: str, claims: list[dict[str, Any]], reviewer: str, day: str) -> str:
    previous: list[dict[str, Any]] = []
    if rpath.exists():
        try:
            previous = (yamlio.load(rpath.read_text(encoding="utf-8")) or {}).get("rejected") or []
        except yaml.YAMLError as exc:
            raise LoadError(f"YAML does not parse: {exc}", file=str(rpath)) from exc
    added = [{"id": str(c.get("id")), "quote": c.get("quote"), "why": c.get("why"), "by": reviewer, "date": day}
             for c in claims]
    header = (f"# Proposals rejected in review for document {doc_id}: never loaded, and `kg propose` does not\n"
              "# offer them again.\n")
    return header + yamlio.dump({"document": doc_id, "rejected": previous + added})
