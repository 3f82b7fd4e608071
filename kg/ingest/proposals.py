"""The proposals file, data/claims/<doc>.proposed.yaml: written by `kg propose`, read by `kg review`.

It holds claims in the format of data/claims/ plus the proposer's keys (`review: proposed`, `confidence`,
`why`, `digest`, and `new: true` on entities the graph does not know). `digest` fingerprints the claim as
proposed, so review can record whether the curator edited it. The loader never reads this file.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from .. import yamlio
from ..errors import LoadError
from .registry import write_atomically

CONTENT_KEYS = ("quote", "by", "status", "time", "note", "facts")
PROPOSER_KEYS = ("review", "confidence", "why", "digest")


def proposals_path(data_dir: Path, doc_id: str) -> Path:
    return data_dir / "claims" / f"{doc_id}.proposed.yaml"


def claims_path(data_dir: Path, doc_id: str) -> Path:
    return data_dir / "claims" / f"{doc_id}.yaml"


def rejected_path(data_dir: Path, doc_id: str) -> Path:
    return data_dir / "claims" / f"{doc_id}.rejected.yaml"


def digest(claim: dict[str, Any]) -> str:
    """A fingerprint of what a claim says (not of the proposer's keys), stable across YAML round trips."""
    content = {k: claim[k] for k in CONTENT_KEYS if k in claim}
    canonical = json.dumps(content, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:16]


@dataclass(frozen=True)
class ProposalsFile:
    document: str
    claims: list[dict[str, Any]]


def dump(doc_id: str, claims: list[dict[str, Any]], header: str) -> str:
    lines = [f"# {line}" if line else "#" for line in header.splitlines()]
    body = yamlio.dump({"document": doc_id, "claims": claims})
    return "\n".join(lines) + "\n" + body


def write_proposals(data_dir: Path, doc_id: str, claims: list[dict[str, Any]]) -> Path:
    for claim in claims:
        claim["digest"] = digest(claim)
    header = (f"Claims proposed for document {doc_id} by `kg propose`: NOT loaded until accepted.\n"
              "Edit a proposal here if it says more or less than its quote, then accept or reject it:\n"
              f"  kg review {doc_id} --accept ID ... --reject ID ...\n"
              "Accepted claims move to the document's claims file with a record of the review.")
    path = proposals_path(data_dir, doc_id)
    write_atomically(path, dump(doc_id, claims, header).encode("utf-8"))
    return path


def read_proposals(path: Path) -> ProposalsFile:
    """The proposals as plain data; a file edited into broken YAML is a LoadError with its line."""
    try:
        data = yamlio.load(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise LoadError("no proposals for this document (run kg propose first)", file=str(path)) from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc)
        raise LoadError(f"YAML does not parse: {problem}", file=str(path),
                        line=mark.line + 1 if mark is not None else None) from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise LoadError(f"cannot read file: {exc}", file=str(path)) from exc
    if not isinstance(data, dict) or not isinstance(data.get("claims", []), list):
        raise LoadError("a proposals file is a mapping with 'document' and a list of 'claims'", file=str(path))
    claims = [c for c in data.get("claims") or [] if isinstance(c, dict)]
    return ProposalsFile(str(data.get("document", "")), claims)


def stripped(claim: dict[str, Any]) -> dict[str, Any]:
    """The claim as the loader reads it: without the proposer's keys and entities' `new` marks."""
    out = {k: v for k, v in claim.items() if k not in PROPOSER_KEYS}
    facts = out.get("facts")
    if isinstance(facts, dict):
        out["facts"] = {s: ({k: v for k, v in body.items() if k != "new"} if isinstance(body, dict) else body)
                        for s, body in facts.items()}
    return out


def known_ids(data_dir: Path, doc_id: str) -> frozenset[str]:
    """Ids the proposer must not offer again: claims already accepted and proposals rejected before."""
    ids: set[str] = set()
    for path, key in ((claims_path(data_dir, doc_id), "claims"), (rejected_path(data_dir, doc_id), "rejected")):
        if path.exists():
            try:
                data = yamlio.load(path.read_text(encoding="utf-8")) or {}
            except yaml.YAMLError as exc:
                raise LoadError(f"YAML does not parse: {exc}", file=str(path)) from exc
            ids.update(str(c.get("id")) for c in data.get(key) or [] if isinstance(c, dict))
    return frozenset(ids)
