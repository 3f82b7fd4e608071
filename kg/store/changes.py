"""The change feed: one record per published store version, saying when it was published and which
claims (and so which documents) it added or removed, so that a client can follow the graph and a cache
can be invalidated precisely (`GET /changes?since=…`, `kg changes`).

Records are appended to `CHANGES.jsonl` beside the generations, after the version is published (a record
is never written for a version that was not). A writer killed between the two leaves the version without
a record; the next read-write open adds one that says so. Lists are capped per record (`truncated`), so a
full rebuild of a million-claim store does not write megabytes; the counts are always exact.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ..namespaces import CLAIM

JOURNAL = "CHANGES.jsonl"
MAX_LISTED = 1000
VERSION = re.compile(r"^gen-(\d{6})$")


def _document(claim: str) -> str:
    return claim[len(str(CLAIM)):].split("/", 1)[0]


def record(root: Path, version: str, previous: str | None, kind: str, before: Iterable[str],
           after: Iterable[str]) -> dict[str, Any]:
    """Append the record of `version` (claims compared by their graph names) and return it."""
    old = {g for g in before if g.startswith(str(CLAIM))}
    new = {g for g in after if g.startswith(str(CLAIM))}
    added, removed = sorted(new - old), sorted(old - new)
    docs_before, docs_after = {_document(c) for c in old}, {_document(c) for c in new}
    touched = {_document(c) for c in (*added, *removed)}
    entry: dict[str, Any] = {
        "version": version, "previous": previous, "kind": kind,
        "published": datetime.now(UTC).isoformat(timespec="seconds"),
        "claims_added": len(added), "claims_removed": len(removed),
        "documents_added": sorted(docs_after - docs_before), "documents_removed": sorted(docs_before - docs_after),
        "documents_changed": sorted(touched & docs_before & docs_after),
        "added": added[:MAX_LISTED], "removed": removed[:MAX_LISTED],
        "truncated": len(added) > MAX_LISTED or len(removed) > MAX_LISTED,
    }
    _append(root, entry)
    return entry


def record_unknown(root: Path, version: str) -> None:
    """A version published by a writer that stopped before recording it."""
    if not any(e["version"] == version for e in read(root)):
        _append(root, {"version": version, "previous": None, "kind": "unrecorded",
                       "published": None, "note": "the writer stopped before recording what changed"})


def _append(root: Path, entry: dict[str, Any]) -> None:
    with (root / JOURNAL).open("a", encoding="utf-8") as out:
        out.write(json.dumps(entry, sort_keys=True) + "\n")
        out.flush()
        os.fsync(out.fileno())


def read(root: Path) -> list[dict[str, Any]]:
    try:
        lines = (root / JOURNAL).read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        return []
    entries = []
    for line in lines:
        try:
            entries.append(json.loads(line))
        except ValueError:
            continue  # a line cut by a crash mid-append: the rest of the journal stands
    return entries


def since(root: Path, version: str | None, *, limit: int = 100) -> list[dict[str, Any]]:
    """Records of the versions after `version` (all if None), oldest first, at most `limit`."""
    entries = read(root)
    if version is None:
        return entries[-limit:]
    after = number(version)
    return [e for e in entries if number(e["version"]) > after][:limit]


def number(version: str) -> int:
    match = VERSION.match(version)
    if match is None:
        raise ValueError(f"'{version}' is not a store version (gen-NNNNNN)")
    return int(match.group(1))
