"""Dates at the precision a source gives them: a year, a month or a day."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date

from rdflib import URIRef

from .namespaces import TIME

MIN_YEAR, MAX_YEAR = 1900, 2100
_PATTERN = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")

PRECISIONS = {"day": TIME.unitDay, "month": TIME.unitMonth, "year": TIME.unitYear}


@dataclass(frozen=True)
class FuzzyDate:
    """A date as precise as its source: `first` and `last` bound the period it names."""

    text: str
    first: date
    last: date
    precision: str  # "day" | "month" | "year"

    @property
    def precision_iri(self) -> URIRef:
        return PRECISIONS[self.precision]


def parse_fuzzy_date(text: str) -> FuzzyDate:
    """Parse `2025`, `2025-04` or `2025-04-15`; raise ValueError with a reason otherwise.

    >>> parse_fuzzy_date("2025-04").last
    datetime.date(2025, 4, 30)
    """
    m = _PATTERN.match(text.strip())
    if not m:
        raise ValueError(f"'{text}' is not a date of the form YYYY, YYYY-MM or YYYY-MM-DD")
    year = int(m.group(1))
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise ValueError(f"year {year} of '{text}' is out of range {MIN_YEAR}-{MAX_YEAR}")
    if m.group(2) is None:
        return FuzzyDate(text, date(year, 1, 1), date(year, 12, 31), "year")
    month = int(m.group(2))
    if not 1 <= month <= 12:
        raise ValueError(f"month {month} of '{text}' is out of range 1-12")
    if m.group(3) is None:
        last_day = calendar.monthrange(year, month)[1]
        return FuzzyDate(text, date(year, month, 1), date(year, month, last_day), "month")
    try:
        day = date(year, month, int(m.group(3)))
    except ValueError as exc:
        raise ValueError(f"'{text}' is not a calendar date: {exc}") from exc
    return FuzzyDate(text, day, day, "day")
