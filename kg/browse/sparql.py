"""The browse package's SPARQL files (kg/browse/queries/*.rq)."""

from __future__ import annotations

from functools import cache
from importlib import resources


@cache
def query(name: str) -> str:
    return (resources.files("kg.browse") / "queries" / f"{name}.rq").read_text(encoding="utf-8")
