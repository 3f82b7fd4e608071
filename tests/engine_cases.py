"""Known engine (pyoxigraph) failure cases, as plain Python data, for tests that check the service survives them.

ORDER BY panic (pyoxigraph 0.5.13, spareval): sorting mixes two ways of comparing terms. Terms of one
comparable family (numerics; dates; dateTimes ...) are compared by value, any other pair falls back to the
lexical form (value, datatype, language). When the value order and the lexical order disagree a cycle appears:

    770 < 1726                (xsd:integer, by value)
    1726 < 2025-05-15         (integer vs xsd:date: incomparable, lexical "1726" < "2025-05-15")
    2025-05-15 < 770          (lexical "2025-05-15" < "770")

Rust's slice sort detects the inconsistency in its small-sort merge (21..32 rows reach it; 20 rows or fewer
are insertion-sorted and never panic) and panics "user-provided comparison function does not correctly
implement a total order"; pyoxigraph is built with panic=abort, so the Python process dies with SIGABRT.
The three terms come from the shipped graph (delta-debugged over its 1,784 distinct objects); the row pattern
below aborts deterministically in a fresh process, with ASC or DESC, from a store or from VALUES.
"""

from __future__ import annotations

XSD = "http://www.w3.org/2001/XMLSchema#"

# The minimal set of terms: (lexical form, datatype IRI); any two alone are consistent, the three form a cycle.
ORDER_BY_PANIC_TERMS: tuple[tuple[str, str], ...] = (
    ("770", XSD + "integer"),
    ("1726", XSD + "integer"),
    ("2025-05-15", XSD + "date"),
)

# Which term each of the 21 rows holds (indexes into ORDER_BY_PANIC_TERMS), in insertion order.
ORDER_BY_PANIC_ROWS: tuple[int, ...] = tuple("abc".index(ch) for ch in "bcccbabcabccbaaacbaca")

# Over a store holding exactly order_by_panic_ntriples().
ORDER_BY_PANIC_QUERY = "SELECT ?o WHERE { ?s ?p ?o } ORDER BY DESC(?o)"

# The same rows ordered by STR(?o): a total order, must not abort (the safe rewrite).
ORDER_BY_SAFE_QUERY = "SELECT ?o WHERE { ?s ?p ?o } ORDER BY DESC(STR(?o))"


def literal(index: int) -> str:
    lexical, datatype = ORDER_BY_PANIC_TERMS[index]
    return f'"{lexical}"^^<{datatype}>'


def order_by_panic_ntriples() -> str:
    """The 21 triples <http://example.org/sNN> <http://example.org/p> term, as N-Triples."""
    return "".join(f"<http://example.org/s{i:02d}> <http://example.org/p> {literal(t)} .\n"
                   for i, t in enumerate(ORDER_BY_PANIC_ROWS))


def order_by_panic_values_query() -> str:
    """A self-contained SELECT (no data needed: VALUES) that aborts pyoxigraph 0.5.13 on any store, e.g. a
    service serving the shipped graph."""
    rows = " ".join(f"({i} {literal(t)})" for i, t in enumerate(ORDER_BY_PANIC_ROWS))
    return f"SELECT ?o WHERE {{ VALUES (?i ?o) {{ {rows} }} }} ORDER BY DESC(?o)"


# A child program: argv[1] = "store" (load the triples into pyoxigraph.Store() and run ORDER_BY_PANIC_QUERY),
# "values" (run order_by_panic_values_query() on an empty store) or "safe" (ORDER_BY_SAFE_QUERY).
CHILD_PROGRAM = """
import sys
import pyoxigraph
from tests.engine_cases import (ORDER_BY_PANIC_QUERY, ORDER_BY_SAFE_QUERY, order_by_panic_ntriples,
                                order_by_panic_values_query)
store = pyoxigraph.Store()
mode = sys.argv[1]
if mode == "values":
    query = order_by_panic_values_query()
else:
    store.load(order_by_panic_ntriples().encode(), pyoxigraph.RdfFormat.N_TRIPLES)
    query = ORDER_BY_PANIC_QUERY if mode == "store" else ORDER_BY_SAFE_QUERY
rows = list(store.query(query))
print(len(rows))
"""
