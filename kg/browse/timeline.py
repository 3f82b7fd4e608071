"""The validation page: findings grouped by the rule they concern, and a timeline of the rules in force
drawn as SVG on the server (so it shows without JavaScript): one row per regulation from its effective
date to its rescission (or on), suspensions marked, the day validated, and each finding at the day its
event happened."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

WIDTH, LEFT, RIGHT, ROW, TOP = 1200, 430, 20, 24, 30


def shape_label(iri: str) -> str:
    """`…shapes#OffshoreTrainingLeasedShape` -> "Offshore training leased"."""
    name = re.split(r"[#/]", iri)[-1]
    name = name[:-5] if name.endswith("Shape") and len(name) > 5 else name
    words = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", name).split()
    return " ".join([words[0], *(w.lower() for w in words[1:])]) if words else iri


def group_findings(report: dict[str, Any]) -> list[dict[str, Any]]:
    """Findings per rule (those without one last), each with its shape's readable name."""
    groups: dict[str, dict[str, Any]] = {}
    for finding in report.get("results", []):
        rule = finding.get("rule") or {}
        key = rule.get("iri") or ""
        group = groups.setdefault(key, {"rule": rule or None, "findings": []})
        group["findings"].append({**finding, "shapeLabel": shape_label(str(finding.get("shape", "")))})
    return sorted(groups.values(), key=lambda g: (g["rule"] is None, (g["rule"] or {}).get("label", "")))


def _day(text: str | None) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        return None


def timeline(rules: list[dict[str, Any]], as_of: str, report: dict[str, Any]) -> dict[str, Any]:
    """Coordinates for templates/_timeline.html: bars, ticks, the as-of line, finding marks."""
    day = _day(as_of) or date.today()
    # Each finding at the day its event happened (audit semantics: a run as of D reports every breach
    # that had happened by D, with its event date), else at the day validated: findings over dates.
    findings: dict[str, int] = {}
    marks: dict[str, dict[date, int]] = {}
    for f in report.get("results", []):
        iri = (f.get("rule") or {}).get("iri")
        if iri:
            findings[iri] = findings.get(iri, 0) + 1
            when = _day(f.get("eventDate")) or day
            marks.setdefault(iri, {})[when] = marks.setdefault(iri, {}).get(when, 0) + 1
    dated = [r for r in rules if _day(r.get("effective")) or _day(r.get("announced"))]
    days = [d for r in dated for d in (_day(r.get(k)) for k in ("announced", "effective", "rescinded",
                                                                  "suspendedUntil")) if d] + [day]
    days += [d for per_rule in marks.values() for d in per_rule]
    first = date(min(days).year, 1, 1)
    last = date(max(days).year + 1, 1, 1)
    span = (last - first).days or 1

    def x(d: date) -> float:
        return round(LEFT + (WIDTH - LEFT - RIGHT) * (d - first).days / span, 1)

    bars = []
    for i, r in enumerate(dated):
        y = TOP + i * ROW
        start = _day(r.get("effective"))
        announced = _day(r.get("announced"))
        end = _day(r.get("rescinded"))
        in_force = start is not None and start <= day and (end is None or day < end)
        bar: dict[str, Any] = {"y": y, "label": r["label"], "iri": r["iri"], "jurisdiction": r.get("jurisdiction"),
                               "in_force": in_force, "findings": findings.get(r["iri"], 0),
                               "dates": ", ".join(f"{k} {r[k]}" for k in ("announced", "effective", "rescinded",
                                                                          "suspendedFrom", "suspendedUntil")
                                                  if r.get(k))}
        if start is not None:
            bar["x1"], bar["x2"] = x(start), x(end) if end else WIDTH - RIGHT
            bar["open"] = end is None
        elif announced is not None:  # announced, never in force: a mark, no bar
            bar["x1"] = bar["x2"] = x(announced)
        bar["marks"] = [{"x": x(d), "n": n, "date": d.isoformat()} for d, n in sorted(marks.get(r["iri"], {}).items())]
        sf, su = _day(r.get("suspendedFrom")), _day(r.get("suspendedUntil"))
        if sf is not None:
            bar["s1"], bar["s2"] = x(sf), x(su) if su else WIDTH - RIGHT
        bars.append(bar)
    # the last year's line closes the axis; its label would run off the right edge
    ticks = [{"x": x(date(year, 1, 1)), "label": str(year) if year < last.year else ""}
             for year in range(first.year, last.year + 1)]
    height = TOP + len(bars) * ROW + 10
    return {"width": WIDTH, "height": height, "left": LEFT, "bars": bars, "ticks": ticks,
            "as_of": {"x": x(day), "label": day.isoformat()}, "label_x": LEFT - 8}
