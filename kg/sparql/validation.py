"""Validation reports through kg.validation (SHACL), run inside a query worker."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from ..errors import KGError, ParameterError
from ..store.base import Store

REPORT_FORMATS = ("json", "turtle", "jsonld", "text")


class ValidationUnavailableError(KGError):
    """kg.validation is not installed in this build."""


def run_validation(store: Store, payload: dict[str, Any]) -> dict[str, Any]:
    """payload: as_of (ISO date or None: today), shapes (integrity|compliance|all), inferred (bool),
    format (json|turtle|jsonld|text), shapes_dir (path or None). Returns conforms, counts, and either
    `report` (the JSON report as a dict, format json) or `body` (text of the other formats)."""
    try:
        from ..validation import validate
    except ImportError:
        raise ValidationUnavailableError("SHACL validation (kg.validation) is not available") from None
    as_of: date | None = None
    if payload.get("as_of"):
        try:
            as_of = date.fromisoformat(payload["as_of"])
        except ValueError:
            raise ParameterError(f"as_of must be a date YYYY-MM-DD, got '{payload['as_of']}'",
                                 term=payload["as_of"]) from None
    fmt = payload.get("format") or "json"
    if fmt not in REPORT_FORMATS:
        raise ParameterError(f"unknown report format '{fmt}' (use {', '.join(REPORT_FORMATS)})", term=fmt)
    shapes_dir = Path(payload["shapes_dir"]) if payload.get("shapes_dir") else None
    result = validate(store, as_of=as_of, shapes=payload.get("shapes") or "all",
                      inferred=bool(payload.get("inferred", True)), shapes_dir=shapes_dir)
    out: dict[str, Any] = {"conforms": result.conforms, "counts": result.counts(), "format": fmt}
    if fmt == "json":
        out["report"] = result.to_dict()
    else:
        out["body"] = {"turtle": result.to_turtle, "jsonld": result.to_jsonld, "text": result.to_text}[fmt]()
    return out
