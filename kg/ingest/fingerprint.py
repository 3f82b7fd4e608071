"""What makes two texts "the same document": the words, without markup, page furniture or spacing.

Used to warn on near-duplicates (the same rule rendered by another site); the stored copy is never
changed by it. `furniture()` tells which lines are page furniture, so the proposer can skip them too.
"""

from __future__ import annotations

import hashlib
import html
import re
import unicodedata

_TAG = re.compile(r"<[^>]{0,500}>")
_FURNITURE = re.compile(
    r"^\s*(?:skip to (?:main )?content|main menu|menu|search|home|share|print|back to top|"
    r"an official website of the united states government|here's how you know|"
    r"\[\[page \d+\]\]|from the federal register online via .*|[=\-_*]{5,}|"
    r"(?:\u2022|\*|-)?\s*(?:about|contact|careers|privacy policy|accessibility))\s*$",
    re.IGNORECASE)
_FOLD = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "`": "'",
                       "\u2013": "-", "\u2014": "-", "\u00a0": " "})


def furniture(line: str) -> bool:
    """A navigation, rule or page-number line: not part of what the document says."""
    return bool(_FURNITURE.match(line))


def plain(text: str) -> str:
    """The text without markup or page-furniture lines, line breaks kept (for reading dates and names)."""
    body = html.unescape(_TAG.sub(" ", text))
    return "\n".join(line for line in body.splitlines() if not furniture(line))


def normalised(text: str) -> str:
    kept = plain(text).splitlines()
    folded = unicodedata.normalize("NFKC", "\n".join(kept)).translate(_FOLD).replace("''", '"')
    return re.sub(r"\s+", " ", folded).strip().lower()


def fingerprint(text: str) -> str:
    return hashlib.sha256(normalised(text).encode("utf-8")).hexdigest()


def shingles(text: str, size: int = 8) -> set[int]:
    """Hashes of the normalised text's overlapping 8-word runs."""
    words = re.findall(r"\w+", normalised(text))
    return {hash(" ".join(words[i:i + size])) for i in range(max(0, len(words) - size + 1))}


class NearDuplicates:
    """Which known texts share most of a new text's passages, through an inverted index of shingles, so a
    batch of a thousand documents costs a look-up per passage rather than a comparison per pair."""

    def __init__(self) -> None:
        self.fingerprints: dict[str, str] = {}  # fingerprint -> document id
        self.sizes: dict[str, int] = {}
        self.postings: dict[int, list[str]] = {}

    def add(self, doc_id: str, text: str) -> None:
        self.fingerprints.setdefault(fingerprint(text), doc_id)
        runs = shingles(text)
        self.sizes[doc_id] = len(runs)
        for h in runs:
            self.postings.setdefault(h, []).append(doc_id)

    def same_words(self, text: str) -> str | None:
        return self.fingerprints.get(fingerprint(text))

    def overlapping(self, text: str, threshold: float) -> list[tuple[str, float]]:
        """Documents sharing at least `threshold` of the shorter text's passages (1.0: one is an excerpt
        of the other, whatever the furniture around it)."""
        runs = shingles(text)
        shared: dict[str, int] = {}
        for h in runs:
            for doc_id in self.postings.get(h, ()):
                shared[doc_id] = shared.get(doc_id, 0) + 1
        out = []
        for doc_id, n in shared.items():
            share = n / max(1, min(len(runs), self.sizes[doc_id]))
            if share >= threshold:
                out.append((doc_id, share))
        return sorted(out, key=lambda hit: -hit[1])
