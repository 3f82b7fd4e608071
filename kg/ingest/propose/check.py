"""Would a proposal compile? The curation compiler's checks, run on the dict before it is offered.

A proposal that fails here is dropped and counted rather than shown to the curator: accepting it would
make `kg load` refuse the whole data set. Every proposal is self-contained (it declares each new entity
it uses), so a curator may accept any subset of them.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from kg.curation import CLAIM_KEYS, DOC_STATUSES, SLUG, SPECIAL_KEYS, TIME_RELATIONS
from kg.dates import parse_fuzzy_date
from kg.vocabulary import Kind

from .linking import LinkIndex

REVIEW_KEYS = {"review", "confidence", "why"}


def strip_review(claim: dict[str, object]) -> dict[str, object]:
    """The claim as a curator accepts it: without `review`, `confidence`, `why` and the `new` markers."""
    out = {k: v for k, v in claim.items() if k not in REVIEW_KEYS}
    facts = claim.get("facts")
    if isinstance(facts, dict):
        out["facts"] = {s: {k: v for k, v in body.items() if k != "new"} for s, body in facts.items()
                        if isinstance(body, dict)}
    return out


_TERMS: dict[tuple[int, str, tuple[Kind, ...]], bool] = {}


def _known(index: LinkIndex, name: str, *kinds: Kind) -> bool:
    # Vocabulary look-ups build IRIs each time; proposals ask for the same few terms over and over.
    key = (id(index), name, kinds)
    hit = _TERMS.get(key)
    if hit is None:
        hit = _TERMS[key] = index.vocab.lookup(name, *kinds) is not None
    return hit


def problems(claim: dict[str, object], index: LinkIndex) -> list[str]:
    found: list[str] = []
    for key in claim:
        if key not in CLAIM_KEYS | REVIEW_KEYS:
            found.append(f"unknown key {key}")
    if not isinstance(claim.get("id"), str) or not SLUG.match(str(claim["id"])):
        found.append("bad id")
    if not isinstance(claim.get("quote"), str) or not claim["quote"]:
        found.append("empty quote")
    if claim.get("status") not in DOC_STATUSES:
        found.append(f"unknown status {claim.get('status')}")
    facts = claim.get("facts")
    if not isinstance(facts, dict) or not facts:
        return [*found, "no facts"]
    declared = {s for s, body in facts.items() if isinstance(body, dict) and body.get("a")}
    known = set(index.entities) | declared
    if claim.get("by") not in known:
        found.append(f"unknown agent {claim.get('by')}")
    time = claim.get("time")
    if time is not None:
        if not isinstance(time, dict):
            found.append("time is not a mapping")
        else:
            try:
                parse_fuzzy_date(str(time.get("value")))
            except ValueError as exc:
                found.append(str(exc))
            if time.get("relation", "at") not in TIME_RELATIONS:
                found.append("bad time relation")
    for subject, body in facts.items():
        if not SLUG.match(str(subject)):
            found.append(f"bad entity id {subject}")
        if not isinstance(body, dict) or not body:
            found.append(f"empty facts for {subject}")
            continue
        if subject not in known:
            found.append(f"undeclared subject {subject}")
        for prop, value in body.items():
            if prop == "new":
                continue
            values = value if isinstance(value, list) else [value]
            if prop == "a":
                found += [f"unknown class {v}" for v in values if not _known(index, str(v), Kind.CLASS)]
                continue
            if prop in SPECIAL_KEYS:
                continue
            if not _known(index, prop, Kind.OBJECT, Kind.DATATYPE, Kind.ANNOTATION):
                found.append(f"unknown property {prop}")
                continue
            kind = Kind.OBJECT if prop in index.object_properties else Kind.DATATYPE
            for v in values:
                found += _value_problems(prop, str(v), kind, index, known)
    return found


def _value_problems(prop: str, text: str, kind: Kind, index: LinkIndex, known: set[str]) -> list[str]:
    if not text:
        return [f"empty value of {prop}"]
    if kind is Kind.OBJECT:
        if re.fullmatch(r"wd:Q\d+", text):
            return []
        if SLUG.match(text):
            return [] if text in known else [f"unknown entity {text}"]
        return [] if _known(index, text, Kind.INDIVIDUAL, Kind.CLASS) else [f"unknown term {text}"]
    rng = index.datatype_ranges.get(prop, "string")
    if rng == "date":
        try:
            parse_fuzzy_date(text)
        except ValueError as exc:
            return [str(exc)]
    elif rng == "decimal":
        try:
            Decimal(text)
        except InvalidOperation:
            return [f"{text} is not a decimal"]
    elif rng == "boolean" and text not in ("true", "false"):
        return [f"{text} is not a boolean"]
    return []
