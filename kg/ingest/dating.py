"""A document's date from its own text: a Federal Register header, a dateline, a "Posted"/"Published" line.

Only the opening of the text is read, and only forms that state the document's own date: a date in the
body ("the January 13, 2025 press release") is about something else and is never taken.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from .fingerprint import plain

MONTHS = {m: i for i, m in enumerate(
    ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
     "november", "december"], start=1)}
_ABBREV = {m[:3]: i for m, i in MONTHS.items()} | {"sept": 9}
HEAD_CHARS = 1500  # a dateline or header sits in the first lines; deeper dates are about other things

_MONTH = r"(?P<month>[A-Z][a-z]{2,8})\.?"
_DAY_YEAR = r"(?P<day>\d{1,2}),?\s+(?P<year>\d{4})"
_WEEKDAY = r"(?:(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day,\s+)?"
_FORMS: list[tuple[str, re.Pattern[str]]] = [
    ("the Federal Register header", re.compile(
        r"^\[Federal Register Volume \d+, Number \d+ \(" + _WEEKDAY + _MONTH + r"\s+" + _DAY_YEAR + r"\)\]",
        re.MULTILINE)),
    ("a 'Published'/'Posted' line", re.compile(
        r"^\s*(?:Published|Posted|Released|Date)(?:\s+on)?:?\s+" + _WEEKDAY + _MONTH + r"\s+" + _DAY_YEAR,
        re.MULTILINE | re.IGNORECASE)),
    ("a dateline", re.compile(
        r"^\s*[A-Z][A-Z .'-]{2,40},\s+" + _MONTH + r"\s+" + _DAY_YEAR + r"\s*(?:[-\u2013\u2014/]|\(|$)",
        re.MULTILINE)),
    ("a date line", re.compile(r"^\s*" + _WEEKDAY + _MONTH + r"\s+" + _DAY_YEAR + r"\s*$", re.MULTILINE)),
]


@dataclass(frozen=True)
class Dating:
    value: str  # YYYY-MM-DD
    method: str  # how it was found, with the words it was found in


def infer_date(text: str) -> Dating | None:
    """The document's own date, if its opening states one in a recognised form."""
    head = plain(text)[:HEAD_CHARS]
    for name, pattern in _FORMS:
        for m in pattern.finditer(head):
            day = _to_date(m.group("month"), m.group("day"), m.group("year"))
            if day is not None:
                words = " ".join(m.group(0).split()).strip("[]")
                return Dating(day.isoformat(), f"from the text: {name} '{words}'")
    return None


def _to_date(month: str, day: str, year: str) -> date | None:
    key = month.lower().rstrip(".")
    number = MONTHS.get(key) or _ABBREV.get(key[:4]) or _ABBREV.get(key[:3])
    if number is None or (key not in MONTHS and len(key) > 4):
        return None
    try:
        return date(int(year), number, int(day))
    except ValueError:
        return None
