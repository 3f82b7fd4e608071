"""A workaround for an engine defect: ORDER BY keys rewritten into a total order.

pyoxigraph 0.5.13 aborts the process when an ORDER BY compares terms of different kinds (values compared
by value within a family — numbers, dates — and by their text across families, which can form a cycle:
tests/engine_cases.py). When a query's child process dies that way, the worker runs it once more with
every ORDER BY condition `c` replaced by keys that are each of one type, so that no comparison can be
inconsistent:

    (kind of term: unbound or error, blank node, IRI, number, date or dateTime, other literal)
    (the number as xsd:double, else 0)   (STR(c))   (STR(DATATYPE(c)))   (LANG(c))

in the condition's direction. Where SPARQL defines an order (numbers by value, strings, IRIs, unbound
first) the result is the same; across kinds it is the kind order above; dates sort by their text, which is
chronological for dates written alike (no time zone). The answer says it was ordered this way
(`KG-Order: total-order-fallback`). Delete this module once the engine is fixed (tests/test_engine_panic.py
tells when).
"""

from __future__ import annotations

from ..errors import KGError
from .tokens import Token, tokens

XSD = "http://www.w3.org/2001/XMLSchema#"
_STOP = {"LIMIT", "OFFSET", "VALUES"}


def _keys(direction: str, expr: str) -> str:
    e = expr
    # An unbound or erroneous condition makes the IF an error, and COALESCE turns that into 0 (first).
    kind = (f"COALESCE(IF(isBlank({e}), 1, IF(isIRI({e}), 2, IF(isNumeric({e}), 3, "
            f"IF(DATATYPE({e}) = <{XSD}date> || DATATYPE({e}) = <{XSD}dateTime>, 4, 5)))), 0)")
    keys = [kind, f"IF(isNumeric({e}), <{XSD}double>({e}), 0)", f"STR({e})", f"STR(DATATYPE({e}))", f"LANG({e})"]
    return " ".join(f"{direction}({k})" for k in keys)


def _balanced(toks: list[Token], i: int) -> int:
    """Index just past the bracket group opening at toks[i]."""
    depth = 0
    for j in range(i, len(toks)):
        if toks[j].kind == "open":
            depth += 1
        elif toks[j].kind == "close":
            depth -= 1
            if depth == 0:
                return j + 1
    raise ValueError("unbalanced brackets")


def total_order(text: str) -> str | None:
    """`text` with every ORDER BY condition rewritten into total-order keys; None if it has none (or the
    conditions are not of a shape this understands)."""
    try:
        toks = list(tokens(text))
    except KGError:
        return None
    edits: list[tuple[int, int, str]] = []
    i = 0
    while i < len(toks) - 1:
        if not (toks[i].kind == "word" and toks[i].text.upper() == "ORDER"
                and toks[i + 1].kind == "word" and toks[i + 1].text.upper() == "BY"):
            i += 1
            continue
        j = i + 2
        conditions: list[str] = []
        start = toks[j].start if j < len(toks) else len(text)
        end = start
        try:
            while j < len(toks):
                tok = toks[j]
                word = tok.text.upper() if tok.kind == "word" else ""
                if word in ("ASC", "DESC") and j + 1 < len(toks) and toks[j + 1].text == "(":
                    k = _balanced(toks, j + 1)
                    conditions.append(_keys(word, _span(text, toks, j + 1, k)))
                elif tok.kind == "var":
                    k = j + 1
                    conditions.append(_keys("ASC", tok.text))
                elif tok.text == "(":
                    k = _balanced(toks, j)
                    conditions.append(_keys("ASC", _span(text, toks, j, k)))
                elif (tok.kind in ("iri", "pname") or (tok.kind == "word" and word not in _STOP)) \
                        and j + 1 < len(toks) and toks[j + 1].text == "(":
                    k = _balanced(toks, j + 1)
                    conditions.append(_keys("ASC", _span(text, toks, j, k)))
                else:
                    break
                end = toks[k - 1].start + len(toks[k - 1].text)
                j = k
        except ValueError:
            return None
        if not conditions:
            return None
        edits.append((start, end, " ".join(conditions)))
        i = j
    if not edits:
        return None
    for start, end, replacement in reversed(edits):
        text = text[:start] + replacement + text[end:]
    return text


def _span(text: str, toks: list[Token], i: int, k: int) -> str:
    return text[toks[i].start: toks[k - 1].start + len(toks[k - 1].text)]
