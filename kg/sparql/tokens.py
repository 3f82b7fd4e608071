"""The SPARQL 1.1 terminals (grammar section 19.8), and the normalised text the engine is given.

The safety check and the engine must read the same query. Two parsers read comments, strings and IRIs
differently in corner cases (a carriage return ends a comment for Oxigraph, not for rdflib; `<` is an
operator for Oxigraph where the grammar's terminals make it an IRI), so the check never trusts a second
parser: it lexes the text itself and `normalise()` rewrites it so that no such corner is left for the
engine to read differently:

- comments become spaces (same length, so error positions stay right);
- a `#` inside an IRI or a string becomes the escape `\\u0023` (Oxigraph unescapes both), and one in a
  prefixed name (`ex:a\\#b`) is refused: after this the engine sees no comment at all;
- characters that one reader may take for a line break and another not (form feed, vertical tab, NEL,
  U+2028/2029) and other control characters outside strings are refused.

What the engine then runs is exactly the normalised text; its tokens are the ones checked.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from ..errors import QuerySyntaxError

_HEX = "[0-9A-Fa-f]"
_UCHAR = rf"\\u{_HEX}{{4}}|\\U{_HEX}{{8}}"
_ECHAR = r"""\\[tbnrf"'\\]"""
_BASE = ("A-Za-z\u00C0-\u00D6\u00D8-\u00F6\u00F8-\u02FF\u0370-\u037D\u037F-\u1FFF\u200C-\u200D"
         "\u2070-\u218F\u2C00-\u2FEF\u3001-\uD7FF\uF900-\uFDCF\uFDF0-\uFFFD\U00010000-\U000EFFFF")
_U = _BASE + "_"
_CHARS = _U + r"\-0-9\u00B7\u0300-\u036F\u203F-\u2040"
_PLX = rf"%{_HEX}{_HEX}|\\[_~.\-!$&'()*+,;=/?#@%]"
_PREFIX = rf"[{_BASE}](?:[{_CHARS}.]*[{_CHARS}])?"
_LOCAL = rf"(?:[{_U}:0-9]|{_PLX})(?:(?:[{_CHARS}.:]|{_PLX})*(?:[{_CHARS}:]|{_PLX}))?"

_TOKEN = re.compile(rf'''
    (?P<ws>[ \t\r\n]+)
  | (?P<comment>\#[^\r\n]*)
  | (?P<string>"""(?:(?:"|"")?(?:[^"\\]|{_ECHAR}|{_UCHAR}))*"""
             |\'\'\'(?:(?:\'|\'\')?(?:[^'\\]|{_ECHAR}|{_UCHAR}))*\'\'\'
             |"(?:[^"\\\n\r]|{_ECHAR}|{_UCHAR})*"
             |'(?:[^'\\\n\r]|{_ECHAR}|{_UCHAR})*')
  | (?P<iri><(?:[^<>"{{}}|^`\\\x00-\x20]|{_UCHAR})*>)
  | (?P<var>[?$][{_U}0-9][{_U}0-9\u00B7\u0300-\u036F\u203F-\u2040]*)
  | (?P<bnode>_:[{_U}0-9](?:[{_CHARS}.]*[{_CHARS}])?)
  | (?P<pname>(?:{_PREFIX})?:(?:{_LOCAL})?)
  | (?P<langtag>@[a-zA-Z]+(?:-[a-zA-Z0-9]+)*)
  | (?P<number>[0-9]+(?:\.[0-9]*)?(?:[eE][+-]?[0-9]+)?|\.[0-9]+(?:[eE][+-]?[0-9]+)?)
  | (?P<word>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<open>[{{(\[]|<<)
  | (?P<close>[}})\]]|>>)
  | (?P<other>.)
''', re.X | re.S)

# Outside strings these read as line breaks to some parsers and not to others, or as nothing at all.
_AMBIGUOUS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\x85\u2028\u2029\ufeff]")

IRI_SAFE = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:[^\x00-\x20<>\"{}|^`\\]*$")
MAX_DEPTH = 256  # brackets nested deeper than this crash the engine's recursive parser (~5,000 deep)


@dataclass(frozen=True)
class Token:
    kind: str
    text: str
    start: int
    depth: int


def _position(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


def _refuse(text: str, offset: int, message: str, term: str | None = None) -> QuerySyntaxError:
    line, column = _position(text, offset)
    return QuerySyntaxError(f"{message} (line {line}, column {column})", line=line, term=term)


def lex(text: str) -> Iterator[Token]:
    """The tokens of `text`, with comments and white space; brackets carry their nesting depth."""
    depth = 0
    for m in _TOKEN.finditer(text):
        kind = m.lastgroup or "other"
        if kind == "close":
            depth -= 1
        yield Token(kind, m.group(), m.start(), depth)
        if kind == "open":
            depth += 1
            if depth > MAX_DEPTH:
                raise _refuse(text, m.start(), f"brackets nested more than {MAX_DEPTH} deep")


def tokens(text: str) -> Iterator[Token]:
    """The tokens without white space and comments."""
    for tok in lex(text):
        if tok.kind not in ("ws", "comment"):
            yield tok


_EXPRESSION_OPENERS = {"FILTER", "BIND", "HAVING", "BY", "SELECT", "AS"}
_TERMS = ("var", "number", "string", "iri", "pname")


def _check_expression_iris(text: str, toks: list[Token]) -> None:
    """Refuse an IRI that directly follows a term inside an expression: `FILTER(?x<?a&&?b>?y)` is
    `?x` then the IRI `<?a&&?b>` by the grammar's terminals, which Oxigraph reads as two comparisons."""
    stack: list[bool] = []  # per open bracket: is it an expression parenthesis?
    previous: Token | None = None
    for tok in toks:
        if tok.kind == "open":
            if tok.text == "(":
                word = previous.text.upper() if previous is not None and previous.kind == "word" else ""
                in_expression = bool(stack) and stack[-1]
                stack.append(in_expression or word in _EXPRESSION_OPENERS
                             or (previous is not None and previous.kind == "word" and word not in ("A", "VALUES"))
                             or (not stack and previous is not None and previous.kind in ("var", "other")))
            else:
                stack.append(False)
        elif tok.kind == "close":
            if stack:
                stack.pop()
        elif tok.kind == "iri" and stack and stack[-1] and previous is not None and (
                previous.kind in _TERMS or previous.text == ")"):
            raise _refuse(text, tok.start, f"{tok.text} reads as an IRI here; put spaces around '<' if it is "
                          "meant as less-than", term=tok.text)
        previous = tok


def normalise(text: str) -> str:
    """The text the engine runs: the same tokens with no comment left and no character that two
    readers could take differently. Raises QuerySyntaxError (with line and column) for what it refuses."""
    out: list[str] = []
    lexed = list(lex(text))  # one pass of the lexer serves both the expression check and the rewrite
    _check_expression_iris(text, [t for t in lexed if t.kind not in ("ws", "comment")])
    for tok in lexed:
        if tok.kind == "comment":
            out.append(" " * len(tok.text))
            continue
        if tok.kind != "string" and (bad := _AMBIGUOUS.search(tok.text)):
            raise _refuse(text, tok.start + bad.start(),
                          f"character U+{ord(bad.group()):04X} is not allowed outside strings")
        if tok.kind in ("iri", "string"):
            out.append(tok.text.replace("#", "\\u0023"))
        elif tok.kind == "pname" and "#" in tok.text:
            raise _refuse(text, tok.start, "a '#' inside a prefixed name: write the full IRI <...> instead",
                          term=tok.text)
        else:
            out.append(tok.text)
    return "".join(out)


def unescape_iri(token_text: str) -> str:
    """The IRI of an IRIREF token (`<...>`, with \\u escapes)."""
    inner = token_text[1:-1]
    return re.sub(rf"{_UCHAR}", lambda m: chr(int(m.group()[2:], 16)), inner)


def is_safe_iri(value: str) -> bool:
    """An absolute IRI that can be written between < and > without escaping anything."""
    return bool(IRI_SAFE.match(value))
