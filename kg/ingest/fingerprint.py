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


def overlap(a: str, b: str) -> float:
    """Share of the shorter text's 8-word shingles found in the longer one: 1.0 when one text is an
    excerpt of the other, whatever the furniture around it."""
    sa, sb = _shingles(normalised(a)), _shingles(normalised(b))
    if not sa or not sb:
        return 0.0
    small, large = (sa, sb) if len(sa) <= len(sb) else (sb, sa)
    return len(small & large) / len(small)


def _shingles(text: str, size: int = 8) -> set[str]:
    words = re.findall(r"\w+", text)
    return {" ".join(words[i:i + size]) for i in range(max(0, len(words) - size + 1))}
