"""A child process that writes one new store generation from a SPARQL update, for a time limit that
really stops it (kg/store/isolated.py kills it; a forked child cannot be used: RocksDB's background
threads do not survive a fork, and its flush then waits for them for ever).

Run as a script (`python kg/store/write_child.py`), so that it imports only pyoxigraph (tens of ms, not
the whole project). Reads a JSON job on stdin: source generation (to back up) or null, target directory,
update text, base IRI, name of the metadata file. Exit 0 when the generation is written, flushed and
synced; otherwise exit 1 with {"kind": ..., "message": ...} on stdout.
"""

import json
import os
import re
import sys

import pyoxigraph as ox

# Kept in step with kg/store/oxigraph.py (_MISSING_GRAPH) and kg/store/generations.py (fsync_dir, META):
# copied rather than imported, so that the child loads pyoxigraph only.
MISSING_GRAPH = re.compile(r"The graph <[^>]*> does not exist")


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
        fresh.flush()
        empty = next(iter(fresh.quads_for_pattern(None, None, None, None)), None) is None
        del fresh
        with open(os.path.join(target, job["meta"]), "w", encoding="utf-8") as out:
            json.dump({"empty": empty}, out)
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
