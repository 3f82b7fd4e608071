"""A SPARQL tokenizer just good enough to find keywords: it skips strings, comments and IRIs."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

_TOKEN = re.compile(r'''
    (?P<ws>\s+)
  | (?P<comment>\#[^\n\r]*)
  | (?P<string>"""(?:[^"\\]|\\.|"(?!""))*"""|\'\'\'(?:[^'\\]|\\.|'(?!''))*\'\'\'
               |"(?:[^"\\\n\r]|\\.)*"|'(?:[^'\\\n\r]|\\.)*')
  | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
  | (?P<var>[?$][A-Za-z0-9_\u00B7-\uFFFF]+)
  | (?P<word>[A-Za-z_][A-Za-z0-9_\-.:]*|:[A-Za-z0-9_\-.:]*)
  | (?P<open>[{(\[])
  | (?P<close>[})\]])
  | (?P<other>.)
''', re.X | re.S)

IRI_SAFE = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:[^\x00-\x20<>\"{}|^`\\]*$")


@dataclass(frozen=True)
class Token:
    kind: str
    text: str
    start: int
    depth: int


def tokens(text: str) -> Iterator[Token]:
    depth = 0
    for m in _TOKEN.finditer(text):
        kind = m.lastgroup or "other"
        if kind in ("ws", "comment"):
            continue
        if kind == "close":
            depth -= 1
        yield Token(kind, m.group(), m.start(), depth)
        if kind == "open":
            depth += 1


def is_safe_iri(value: str) -> bool:
    """An absolute IRI that can be written between < and > without escaping anything."""
    return bool(IRI_SAFE.match(value))
