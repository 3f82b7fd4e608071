"""The embedded, persistent default store: Oxigraph (RocksDB) via pyoxigraph.

Content lives in generation directories (`gen-000001`, ...) and the `CURRENT` symlink names the
published one. A published generation is never written again: a load bulk-loads a fresh generation,
an update or graph replacement applies itself to a hard-linked checkpoint (RocksDB backup) of the
current one, and only then is `CURRENT` switched with one atomic rename. So every write is atomic
and crash-safe, and other processes may hold read-only handles on a generation without risk; they
call `refresh()` to move to the newest one.
"""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import orjson
import pyoxigraph as ox
from rdflib import Graph, URIRef
from rdflib.term import Identifier, Node

from ..errors import QueryError, QuerySyntaxError, StoreError
from ..namespaces import SERIALIZATION_PREFIXES
from .base import EXPORT_FORMATS, Quad, QueryResult, Store, Table, Triple
from .convert import from_ox, graph_name, json_term, to_ox
from .jsonrows import JsonRows, JsonTerm, from_sparql_json
from .values import bind_values

CURRENT = "CURRENT"
GEN_PREFIX = "gen-"


class OxigraphStore(Store):
    kind = "oxigraph"

    def __init__(self, path: Path, *, read_only: bool = False) -> None:
        self.root = path
        self.read_only = read_only
        self._lock = threading.RLock()
        try:
            path.mkdir(parents=True, exist_ok=True)
            self._gen_dir = self._current_generation()
            self._store = self._open(self._gen_dir)
        except OSError as exc:
            raise StoreError(f"cannot open store at {path}: {exc}") from exc

    # -- generations ---------------------------------------------------------------------------------

    def _current_generation(self) -> Path:
        link = self.root / CURRENT
        if link.is_symlink() or link.exists():
            return (self.root / os.readlink(link)).resolve()
        if self.read_only:
            raise StoreError(f"no store at {self.root}: run `kg load` first")
        gen = self.root / f"{GEN_PREFIX}{1:06d}"
        gen.mkdir(exist_ok=True)
        self._point_current_to(gen)
        return gen

    def _open(self, gen: Path) -> Any:
        try:
            return ox.Store.read_only(str(gen)) if self.read_only else ox.Store(str(gen))
        except OSError as exc:
            raise StoreError(f"cannot open store generation {gen}: {exc}") from exc

    def _point_current_to(self, gen: Path) -> None:
        tmp = self.root / f".{CURRENT}.tmp"
        if tmp.is_symlink() or tmp.exists():
            tmp.unlink()
        tmp.symlink_to(gen.name)
        os.replace(tmp, self.root / CURRENT)

    def _next_generation(self) -> Path:
        numbers = [int(p.name[len(GEN_PREFIX):]) for p in self.root.glob(f"{GEN_PREFIX}*")
                   if p.name[len(GEN_PREFIX):].isdigit()]
        return self.root / f"{GEN_PREFIX}{max(numbers, default=0) + 1:06d}"

    def _prune(self) -> None:
        """Keep the current and the previous generation (a reader may still be on it)."""
        gens = sorted(p for p in self.root.glob(f"{GEN_PREFIX}*") if p.is_dir())
        for old in gens[:-2]:
            if old != self._gen_dir:
                shutil.rmtree(old, ignore_errors=True)

    def _check_writable(self) -> None:
        if self.read_only:
            raise StoreError("store is open read-only")

    # -- Store ---------------------------------------------------------------------------------------

    @property
    def version(self) -> str:
        return self._gen_dir.name

    def refresh(self) -> bool:
        """Move to the newest published generation if another process published one; True if moved."""
        with self._lock:
            latest = self._current_generation()
            if latest == self._gen_dir:
                return False
            self._store = self._open(latest)
            self._gen_dir = latest
            return True

    @property
    def native(self) -> Any:
        """The pyoxigraph store, for code that serialises results natively (the HTTP layer)."""
        return self._store

    def query(self, sparql: str, bindings: Mapping[str, Identifier] | None = None, *,
              default_graphs: Sequence[URIRef] | None = None,
              named_graphs: Sequence[URIRef] | None = None) -> QueryResult:
        kwargs = query_options(bindings, default_graphs, named_graphs)
        with _query_errors():
            return convert_result(self._store.query(sparql, **kwargs))

    def select_json(self, sparql: str, bindings: Mapping[str, Identifier] | None = None) -> JsonRows:
        # Oxigraph's own JSON writer, then one parse: no Python object per term until the caller's.
        # Values go in a leading VALUES block, from which Oxigraph plans its joins (substitutions are
        # applied after planning: up to 2x slower on the named questions).
        text = bind_values(sparql, bindings) if bindings else sparql
        with _query_errors():
            result = self._select(text)
            data = orjson.loads(result.serialize(format=ox.QueryResultsFormat.JSON) or b"")
        return JsonRows(data["head"]["vars"], from_sparql_json(data["results"]["bindings"]))

    def select_iter(self, sparql: str) -> Iterator[dict[str, JsonTerm]]:
        # Row by row: parsing a whole large result at once holds every row's terms in memory together.
        with _query_errors():
            result = self._select(sparql)
            names = [v.value for v in result.variables]
            for solution in result:
                yield {name: json_term(value) for name in names if (value := solution[name]) is not None}

    def _select(self, sparql: str) -> Any:
        result = self._store.query(sparql, use_default_graph_as_union=True)
        if not isinstance(result, ox.QuerySolutions):
            raise QueryError("expected a SELECT query")
        return result

    def update(self, sparql: str) -> None:
        def apply(store: Any) -> None:
            try:
                store.update(sparql)
            except SyntaxError as exc:
                raise QuerySyntaxError(f"malformed SPARQL update: {exc}") from exc
            except (RuntimeError, ValueError, OSError) as exc:
                raise QueryError(f"update failed: {exc}") from exc

        self._write_new_generation(apply)

    def replace_all(self, quads: Iterable[Quad]) -> None:
        def fill(store: Any) -> None:
            store.bulk_extend(ox.Quad(to_ox(s), to_ox(p), to_ox(o), to_ox(g)) for s, p, o, g in quads)

        self._write_new_generation(fill, from_scratch=True)

    def load_file(self, path: Path, fmt: Any) -> None:
        """Replace the whole content with an N-Quads/TriG file, through Oxigraph's bulk loader."""
        self._write_new_generation(lambda store: store.bulk_load(path=str(path), format=fmt), from_scratch=True)

    def replace_graph(self, graph: URIRef, triples: Iterable[Triple]) -> None:
        g = ox.NamedNode(str(graph))

        def swap(store: Any) -> None:
            store.clear_graph(g)
            store.extend(ox.Quad(to_ox(s), to_ox(p), to_ox(o), g) for s, p, o in triples)

        self._write_new_generation(swap)

    def _write_new_generation(self, write: Any, *, from_scratch: bool = False) -> None:
        """Run `write` on a new generation (empty, or a checkpoint of the current one) and publish it."""
        self._check_writable()
        with self._lock:
            gen = self._next_generation()
            try:
                if not from_scratch:
                    self._store.backup(str(gen))
                fresh = ox.Store(str(gen))
                write(fresh)
                if from_scratch:
                    # Compact what the bulk loader wrote: reads over a freshly loaded million triples get
                    # ~25 % faster (docs/benchmarks.md); small updates are not worth a full compaction.
                    fresh.optimize()
                fresh.flush()
                del fresh
            except BaseException:
                shutil.rmtree(gen, ignore_errors=True)
                raise
            old_store = self._store
            self._point_current_to(gen)
            self._gen_dir = gen
            self._store = self._open(gen)
            del old_store
            self._prune()

    def quads(self, graph: URIRef | None = None) -> Iterator[Quad]:
        return self.match(graph=graph)

    def match(self, s: Any = None, p: Any = None, o: Any = None, graph: URIRef | None = None) -> Iterator[Quad]:
        pattern = [to_ox(t) if t is not None else None for t in (s, p, o, graph)]
        for q in self._store.quads_for_pattern(*pattern):
            name = graph_name(q.graph_name)
            if name is not None:
                yield from_ox(q.subject), from_ox(q.predicate), from_ox(q.object), name

    def graphs_about(self, s: Node) -> set[URIRef]:
        # Distinct graph names first, converted once: a node can have hundreds of (inferred) triples.
        names = {q.graph_name for q in self._store.quads_for_pattern(to_ox(s), None, None, None)}
        return {URIRef(n.value) for n in names if isinstance(n, ox.NamedNode)}

    def has_graph(self, graph: URIRef) -> bool:
        try:
            name = ox.NamedNode(str(graph))
        except ValueError:  # not an IRI, so certainly not one of our graphs
            return False
        return bool(self._store.contains_named_graph(name))

    def graph_names(self) -> list[URIRef]:
        return sorted(URIRef(n.value) for n in self._store.named_graphs() if isinstance(n, ox.NamedNode))

    def count(self, graph: URIRef | None = None) -> int:
        if graph is None:
            return len(self._store)
        q = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
        rows = list(self._store.query(q, substitutions={ox.Variable("g"): ox.NamedNode(str(graph))}))
        return int(rows[0]["n"].value) if rows else 0

    def dump(self, fmt: str, graph: URIRef | None = None) -> bytes:
        """Native serialisation: faithful to stored lexical forms and fast on large stores."""
        rdf_format = _OX_FORMATS[fmt]
        keeps_graphs = EXPORT_FORMATS[fmt][2]
        prefixes = dict(SERIALIZATION_PREFIXES)
        if graph is not None:
            if keeps_graphs:
                quads = self._store.quads_for_pattern(None, None, None, ox.NamedNode(str(graph)))
                return ox.serialize(quads, format=rdf_format, prefixes=prefixes) or b""
            return bytes(self._store.dump(format=rdf_format, from_graph=ox.NamedNode(str(graph)), prefixes=prefixes))
        if keeps_graphs:
            return bytes(self._store.dump(format=rdf_format, prefixes=prefixes))
        triples = self._store.query("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", use_default_graph_as_union=True)
        return ox.serialize(triples, format=rdf_format, prefixes=prefixes) or b""

    def close(self) -> None:
        with self._lock:
            if not self.read_only:
                self._store.flush()
            self._store = None


_OX_FORMATS = {
    "turtle": ox.RdfFormat.TURTLE,
    "ntriples": ox.RdfFormat.N_TRIPLES,
    "rdfxml": ox.RdfFormat.RDF_XML,
    "trig": ox.RdfFormat.TRIG,
    "nquads": ox.RdfFormat.N_QUADS,
    "jsonld": ox.RdfFormat.JSON_LD,
}


@contextmanager
def _query_errors() -> Iterator[None]:
    """Oxigraph's exceptions as the project's (evaluation is lazy: rows can fail while being read)."""
    try:
        yield
    except SyntaxError as exc:
        raise QuerySyntaxError(f"malformed SPARQL query: {exc}") from exc
    except (RuntimeError, ValueError) as exc:
        raise QueryError(f"query failed: {exc}") from exc


def query_options(bindings: Mapping[str, Identifier] | None, default_graphs: Sequence[URIRef] | None,
                  named_graphs: Sequence[URIRef] | None) -> dict[str, Any]:
    kwargs: dict[str, Any] = {}
    if default_graphs is not None:
        kwargs["default_graph"] = [ox.NamedNode(str(g)) for g in default_graphs]
    else:
        kwargs["use_default_graph_as_union"] = True
    if named_graphs is not None:
        kwargs["named_graphs"] = [ox.NamedNode(str(g)) for g in named_graphs]
    if bindings:
        kwargs["substitutions"] = {ox.Variable(k): to_ox(v) for k, v in bindings.items()}
    return kwargs


def convert_result(result: Any) -> QueryResult:
    if isinstance(result, ox.QueryBoolean):
        return bool(result)
    if isinstance(result, ox.QuerySolutions):
        variables = [v.value for v in result.variables]
        rows = []
        for solution in result:
            row = {}
            for name in variables:
                value = solution[name]
                if value is not None:
                    row[name] = from_ox(value)
            rows.append(row)
        return Table(variables, rows)
    graph = Graph()
    for t in result:
        graph.add((from_ox(t.subject), from_ox(t.predicate), from_ox(t.object)))
    return graph
