"""A child process that writes one new store generation from a SPARQL update, for a time limit that
really stops it (kg/store/isolated.py kills it; a forked child cannot be used: RocksDB's background
threads do not survive a fork, and its flush then waits for them for ever).

Run as a script (`python kg/store/write_child.py`), so that it imports only pyoxigraph (tens of ms, not
the whole project). Reads a JSON job on stdin: source generation (to back up) or null, target directory,
update text, base IRI, name of the metadata file, and `probe` (see `sync_default`) or null. Exit 0 when
the generation is written, its default graph brought in line with its named graphs, flushed and synced;
otherwise exit 1 with {"kind": ..., "message": ...} on stdout.

The default graph of every generation is the *set* union of its named graphs, stored (kg/store/oxigraph.py,
"Set semantics"); the functions below keep it so, and are imported by kg/store/oxigraph.py as well (this
file imports only pyoxigraph, so the child stays light).
"""

import json
import os
import re
import sys
from collections.abc import Iterable
from typing import Any

import pyoxigraph as ox

# Kept in step with kg/store/oxigraph.py (_MISSING_GRAPH) and kg/store/generations.py (fsync_dir, META,
# DEFAULT_GRAPH_MARK): copied rather than imported, so that the child loads pyoxigraph only.
MISSING_GRAPH = re.compile(r"The graph <[^>]*> does not exist")
DEFAULT_GRAPH_MARK = "distinct-union"

DEFAULT = ox.DefaultGraph()
# After an arbitrary update: drop from the default graph what no named graph holds any more, then add what
# a named graph holds and the default graph does not. Two hash anti-joins over the store (MINUS, which
# Oxigraph runs as one join; FILTER NOT EXISTS would be evaluated once per row).
FULL_SYNC = ("DELETE { ?s ?p ?o } WHERE { ?s ?p ?o MINUS { GRAPH ?g { ?s ?p ?o } } } ;\n"
             "INSERT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } MINUS { ?s ?p ?o } }")
CANDIDATES_MAX = 100_000  # beyond this many triples to re-check one by one, the full sync is cheaper


def named_quads(store: Any) -> Iterable[Any]:
    """Every quad of every named graph, graph by graph (never the default graph's)."""
    for graph in store.named_graphs():
        yield from store.quads_for_pattern(None, None, None, graph)


def derive_default(store: Any) -> None:
    """Fill the (empty) default graph of a store with the union of its named graphs, through the bulk
    loader (which writes each triple once however many graphs hold it). The quads are handed over as
    terms, never as text: a parser would give blank nodes new identities."""
    store.bulk_extend(ox.Quad(q.subject, q.predicate, q.object, DEFAULT) for q in named_quads(store))


def sync_default(store: Any, candidates: Iterable[Any] | None = None) -> None:
    """Bring the default graph in line with the named graphs after a write. With `candidates` (triples
    that a write may have added to or removed from some named graph: a superset of what changed), only
    those are re-checked, each with one index lookup; without, the whole store is compared."""
    if candidates is None:
        store.update(FULL_SYNC)
        return
    add: list[Any] = []
    remove: list[Any] = []
    for triple in candidates:
        s, p, o = triple
        held = any(not isinstance(q.graph_name, ox.DefaultGraph) for q in store.quads_for_pattern(s, p, o, None))
        (add if held else remove).append(ox.Quad(s, p, o, DEFAULT))
    store.extend(add)
    for quad in remove:
        store.remove(quad)


def probe_candidates(probe: str, base_iri: str | None) -> list[Any] | None:
    """The triples an update made only of INSERT DATA / DELETE DATA operations names, from `probe` (the
    same text with every DELETE DATA written INSERT DATA, built by the parent), applied to an empty
    in-memory store. None when that cannot be told exactly (blank nodes get new identities there, or the
    probe fails): the caller then compares the whole store."""
    scratch = ox.Store()
    try:
        scratch.update(probe, base_iri=base_iri)
    except (SyntaxError, RuntimeError, ValueError, OSError):
        return None
    triples = []
    for q in scratch.quads_for_pattern(None, None, None, None):
        if isinstance(q.subject, (ox.BlankNode, ox.Triple)) or isinstance(q.object, (ox.BlankNode, ox.Triple)):
            return None
        triples.append((q.subject, q.predicate, q.object))
    if len(triples) > CANDIDATES_MAX:
        return None
    return triples


def _fsync_dir(path: str) -> None:
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def main() -> int:
    job = json.load(sys.stdin)
    target = job["target"]
    try:
        if job["source"] is not None:
            ox.Store.read_only(job["source"]).backup(target)
        fresh = ox.Store(target)
        try:
            fresh.update(job["update"], base_iri=job["base_iri"])
        except SyntaxError as exc:
            return _fail("syntax", str(exc))
        except (RuntimeError, ValueError) as exc:
            return _fail("missing_graph" if MISSING_GRAPH.search(str(exc)) else "query", str(exc))
        probe = job.get("probe")
        sync_default(fresh, probe_candidates(probe, job["base_iri"]) if probe is not None else None)
        fresh.flush()
        empty = next(iter(fresh.quads_for_pattern(None, None, None, None)), None) is None
        del fresh
        with open(os.path.join(target, job["meta"]), "w", encoding="utf-8") as out:
            json.dump({"empty": empty, "default_graph": DEFAULT_GRAPH_MARK}, out)
            out.flush()
            os.fsync(out.fileno())
        _fsync_dir(target)
    except OSError as exc:
        return _fail("os", exc.strerror or str(exc))
    return 0


def _fail(kind: str, message: str) -> int:
    json.dump({"kind": kind, "message": message}, sys.stdout)
    return 1


if __name__ == "__main__":
    sys.exit(main())
