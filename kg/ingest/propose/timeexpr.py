"""Time expressions resolved against the document's date, never more precisely than the text.

"January 15, 2026" is a day; "in April" is April of the document's year (of the year before when the
document is dated earlier in the year than that month); "earlier this year" is the document's year,
with the exact range in a note; "post-April" is after April. Values use the claims format's
`time: {value, expression, relation}` (relations: at, since, before, until, after).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from kg.dates import FuzzyDate, parse_fuzzy_date

MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august", "september",
          "october", "november", "december")
_MONTH = r"(?P<month>January|February|March|April|May|June|July|August|September|October|November|December)"
_REL = (r"(?P<rel>(?i:since|after|following|post-|pre-|before|prior to|until|through|by|no later than|"
        r"from|as of|in|on|during|effective|early|late|mid-|earlier in|later in))")
_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("mdy", re.compile(rf"(?:{_REL}\s*(?:the\s+)?)?{_MONTH}\s+(?P<day>\d{{1,2}}),\s*(?P<year>\d{{4}})\b")),
    ("dmy", re.compile(rf"(?:{_REL}\s*(?:the\s+)?)?(?P<day>\d{{1,2}})\s+{_MONTH}\s+(?P<year>\d{{4}})\b")),
    ("iso", re.compile(rf"(?:{_REL}\s*)?\b(?P<year>\d{{4}})-(?P<mnum>\d{{2}})-(?P<day>\d{{2}})\b")),
    ("my", re.compile(rf"(?:{_REL}\s*(?:the\s+)?)?{_MONTH},?\s+(?P<year>\d{{4}})\b")),
    ("rel", re.compile(r"\b(?P<rel>earlier|later|late|early)\s+this\s+year\b", re.IGNORECASE)),
    ("this", re.compile(r"\b(?P<rel>this|last|past)\s+year\b|\byear-over-year\b|\bover the (?:past|last) year\b",
                        re.IGNORECASE)),
    # "the January 16 IFR": a day of the document's year (a month later than the document's: the year before).
    ("md", re.compile(rf"(?:{_REL}\s*(?:the\s+)?)?{_MONTH}\s+(?P<day>\d{{1,2}})\b"
                      rf"(?!,?\s*\d{{4}})(?!\s*[-\u2013]\s*\d)")),
    ("m", re.compile(rf"(?:{_REL}\s*(?:the\s+)?)?{_MONTH}(?P<poss>\u2019s|'s)?(?![\w-])")),
    ("y", re.compile(rf"{_REL}\s+(?:the\s+)?(?:(?:end|start|beginning|middle) of\s+)?"
                     rf"(?P<year>(?:19|20)\d{{2}})(?![\d-])")),
]
_RELATION = {"since": "since", "from": "since", "as of": "since", "after": "after", "following": "after",
             "post-": "after", "later in": "after", "pre-": "before", "before": "before", "prior to": "before",
             "until": "until", "through": "until", "by": "until", "no later than": "until"}


@dataclass(frozen=True)
class TimeExpr:
    start: int  # character offsets into the sentence text passed in (add the sentence offset)
    end: int
    value: str  # YYYY, YYYY-MM or YYYY-MM-DD
    relation: str
    expression: str
    note: str | None = None

    @property
    def fuzzy(self) -> FuzzyDate:
        return parse_fuzzy_date(self.value)


_ANY = re.compile(r"\d{4}|January|February|March|April|May|June|July|August|September|October|November|"
                  r"December|year", re.IGNORECASE)


def find_times(text: str, document_date: FuzzyDate) -> list[TimeExpr]:
    """Every time expression in `text`, leftmost-longest, resolved against `document_date`."""
    found: list[TimeExpr] = []
    if not _ANY.search(text):
        return found  # most sentences have no date: skip the eight patterns
    taken: list[tuple[int, int]] = []
    for kind, pattern in _PATTERNS:
        for m in pattern.finditer(text):
            if any(m.start() < e and s < m.end() for s, e in taken):
                continue
            expr = _resolve(kind, m, document_date)
            if expr is None:
                continue
            taken.append((m.start(), m.end()))
            found.append(expr)
    return sorted(found, key=lambda t: t.start)


def _resolve(kind: str, m: re.Match[str], doc: FuzzyDate) -> TimeExpr | None:
    groups = m.groupdict()
    rel_word = (groups.get("rel") or "").lower()
    relation = _RELATION.get(rel_word, "at")
    expression = m.group(0).strip()
    year = doc.first.year
    note: str | None
    if kind in ("mdy", "dmy", "iso"):
        month = int(groups["mnum"]) if kind == "iso" else MONTHS.index(groups["month"].lower()) + 1
        value = f"{int(groups['year']):04d}-{month:02d}-{int(groups['day']):02d}"
    elif kind == "md":
        month = MONTHS.index(groups["month"].lower()) + 1
        if doc.precision != "year" and month > doc.first.month:
            year -= 1
        try:
            value = date(year, month, int(groups["day"])).isoformat()
        except ValueError:
            return None
        if rel_word in ("on", "effective", "during", "in"):
            relation = "at"
    elif kind == "my":
        value = f"{int(groups['year']):04d}-{MONTHS.index(groups['month'].lower()) + 1:02d}"
    elif kind == "y":
        if rel_word in ("on", "effective", "early", "late", "mid-"):
            relation = "at"
        value = groups["year"]
    elif kind == "rel":
        value = str(year)
        if rel_word == "earlier":
            note = f"from the start of {year} to the document date ({doc.text})"
            return _checked(TimeExpr(m.start(), m.end(), value, "at", expression, note))
        return _checked(TimeExpr(m.start(), m.end(), value, "at", expression))
    elif kind == "this":
        word = (groups.get("rel") or "").lower()
        value = str(year - 1 if word == "last" and "over the" not in expression.lower() else year)
        note = "the twelve months before the document date" if "past" in expression.lower() or "over" in \
            expression.lower() or "year-over-year" in expression.lower() else None
        return _checked(TimeExpr(m.start(), m.end(), value, "at", expression, note))
    else:  # a bare month: only with a preposition, an article or a possessive, since "May" is also a verb
        name = groups["month"]
        if not rel_word and not groups.get("poss"):
            before = m.string[max(0, m.start() - 5):m.start()].lower()
            if not re.search(r"(\b(the|in|of)|\u2019s|'s)\s*$", before):
                return None
        if name == "May" and not rel_word and not groups.get("poss"):
            return None
        month = MONTHS.index(name.lower()) + 1
        if doc.precision != "year" and month > doc.first.month:
            year -= 1  # a month later than the document's is last year's
        value = f"{year:04d}-{month:02d}"
        if rel_word in ("early", "late", "mid-", "on", "effective", "during", "in"):
            relation = "at"
    return _checked(TimeExpr(m.start(), m.end(), value, relation, expression))


def _checked(expr: TimeExpr) -> TimeExpr | None:
    try:
        parse_fuzzy_date(expr.value)
    except ValueError:
        return None
    return expr
