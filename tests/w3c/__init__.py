"""The project's runner for the W3C SPARQL test suites (w3c/rdf-tests), run against a real `kg serve`.

The suite files are not part of the repository: they are read from `../shared/w3c-rdf-tests` beside the
project root (CI lays them out the same way), or from `$KG_W3C_RDF_TESTS`. Absent, the tests skip.
"""

from __future__ import annotations

import os
from pathlib import Path

from kg.config import PROJECT_ROOT

SUITE_ROOT = Path(os.environ.get("KG_W3C_RDF_TESTS") or PROJECT_ROOT.parent / "shared" / "w3c-rdf-tests")
SPARQL = SUITE_ROOT / "sparql"
PROTOCOL_DIR = SPARQL / "sparql11" / "protocol"
QUERY_SYNTAX_DIRS = ("sparql11/syntax-query", "sparql10/syntax-sparql1", "sparql10/syntax-sparql2",
                     "sparql10/syntax-sparql3", "sparql10/syntax-sparql4", "sparql10/syntax-sparql5")
UPDATE_SYNTAX_DIRS = ("sparql11/syntax-update-1", "sparql11/syntax-update-2")


def missing_reason() -> str | None:
    """Why the W3C tests cannot run here (the suite is absent), or None."""
    if (PROTOCOL_DIR / "manifest.ttl").is_file():
        return None
    return (f"W3C SPARQL test suite not found at {SUITE_ROOT} (expected ../shared/w3c-rdf-tests beside the "
            "project root, or set KG_W3C_RDF_TESTS)")
