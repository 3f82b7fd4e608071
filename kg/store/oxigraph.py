"""The embedded, persistent default store: Oxigraph (RocksDB) via pyoxigraph.

Content lives in generation directories (`gen-000001`, ...) and the `CURRENT` symlink names the
published one (kg/store/generations.py). A published generation is never written again and is only
ever opened read-only: a load bulk-loads a fresh generation, an update or graph replacement applies
itself to a hard-linked checkpoint (RocksDB backup) of the current one; the fresh generation is flushed,
closed and reopened read-only *before* `CURRENT` is switched with one atomic, fsynced rename. So a write
that fails at any step (ENOSPC, I/O error, kill -9) leaves nothing published, and one that was
acknowledged is on disk. Every handle holds a lease on its generation, so a generation is deleted only
when no process reads it; readers call `refresh()` to move to the newest one.

Set semantics. Every claim has its own named graph, so one triple asserted by several claims is several
quads; Oxigraph's union default graph (`use_default_graph_as_union`) gives one solution per quad, i.e. the
same fact several times. So each generation *stores* its default graph as the distinct union of its named
graphs, and queries run against that stored default graph: one solution per triple, `COUNT(*)` = distinct
triples, while `GRAPH ?g` still sees every claim graph. Every writer keeps it so before publishing: a load
(`replace_all`, `load_file`) writes each triple once more into the default graph in the same bulk load;
`replace_graph` re-checks the triples it removed or added; a SPARQL update (here or in the write child,
kg/store/write_child.py) re-checks the triples named by INSERT DATA / DELETE DATA, or for any other update
compares the whole default graph with the named graphs. The default graph is therefore not a place of its
own: what an update writes into it (INSERT or DELETE without GRAPH, CLEAR/DROP DEFAULT, ADD/MOVE/COPY ...
TO DEFAULT) is undone when the default graph is brought back in line, and the WHERE clause of an update
reads it as it was when the update began (plus the update's own writes to it). `match`, `quads`, `count`,
`graph_names` and quad-format dumps cover the named graphs only, as before. Generations written before this
(no mark in KG-META.json) are read with the union default graph, and a read-write open brings them up to
date in a new generation (kind "migrate" in the change feed).
"""

from __future__ import annotations

import io
import logging
import re
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

from ..errors import QueryError, QuerySyntaxError, StoreCorruptError, StoreError, UpdateEvaluationError
from ..namespaces import SERIALIZATION_PREFIXES
from ..sparql.tokens import tokens
from . import changes
from . import generations as gens
from .base import EXPORT_FORMATS, Quad, QueryResult, Store, Table, Triple
from .convert import from_ox, graph_name, json_term, to_ox
from .isolated import write_generation
from .jsonrows import JsonRows, JsonTerm, from_sparql_json
from .values import bind_values
from .write_child import CANDIDATES_MAX, derive_default, named_quads, probe_candidates, sync_default

CURRENT = gens.CURRENT
log = logging.getLogger("kg.store.oxigraph")
_MISSING_GRAPH = re.compile(r"The graph <[^>]*> does not exist")
GEN_PREFIX = gens.GEN_PREFIX


class _Handle:
    """A read-only pyoxigraph store on one generation, with its lease. Readers pin it while they use it;
    once retired (a newer generation was opened) the lease goes with the last pin, so a lazily read result
    never outlives the files it reads."""

    def __init__(self, gen: Path, lease: gens.Lease) -> None:
        self.gen = gen
        self.lease = lease
        try:
            self.native: Any = ox.Store.read_only(str(gen))
            if gens.published_empty(gen) is False and _is_empty(self.native):
                raise StoreCorruptError(f"the store is damaged: generation {gen.name} held data when published "
                                        "and opens empty; rebuild it with `kg load`")
        except (OSError, ValueError, RuntimeError) as exc:
            lease.release()
            raise StoreCorruptError(f"the store is damaged: cannot open generation {gen.name}: {exc}; "
                                    "rebuild it with `kg load`") from exc
        except StoreError:
            lease.release()
            raise
        # False only for a generation written before the default graph was stored (read as the union).
        self.distinct_default = gens.default_graph_is_union(gen)
        self.pins = 0
        self.retired = False

    def close_if_done(self) -> None:
        if self.retired and self.pins == 0 and self.native is not None:
            self.native = None
            self.lease.release()


class OxigraphStore(Store):
    kind = "oxigraph"

    def __init__(self, path: Path, *, read_only: bool = False) -> None:
        self.root = path
        self.read_only = read_only
        self._lock = threading.RLock()
        try:
            path.mkdir(parents=True, exist_ok=True)
            if not read_only:
                with gens.write_lock(path):
                    if gens.published(path) is None:
                        self._create_empty()
                    gens.prune(path)  # what a killed writer left half-written
                    current = gens.published(path)
                    if current is not None:
                        changes.record_unknown(path, current.name)
            lease = gens.lease_published(path)
        except gens.DamagedStoreError as exc:
            raise StoreCorruptError(f"the store is damaged: {exc}; rebuild it with `kg load`") from exc
        except OSError as exc:
            raise StoreError(f"cannot open store at {path}: {exc.strerror or exc}") from exc
        if lease is None:
            raise StoreError(f"no store at {path}: run `kg load` first")
        self._handle = _Handle(lease.gen, lease)
        if not read_only and not self._handle.distinct_default and not _is_empty(self._handle.native):
            # A store from before the stored default graph: write it once, as a new generation (what an
            # update of the previous version wrote into the default graph goes, as it would now).
            self._write_new_generation(_migrate, kind="migrate")

    # -- generations ---------------------------------------------------------------------------------

    def _create_empty(self) -> None:
        gen = gens.next_generation(self.root)
        store = ox.Store(str(gen))
        store.flush()
        del store
        gens.write_meta(gen, empty=True)
        gens.fsync_dir(gen)
        gens.publish(self.root, gen)
        changes.record(self.root, gen.name, None, "create", [], [])

    def _check_writable(self) -> None:
        if self.read_only:
            raise StoreError("store is open read-only")

    def _switch_to(self, handle: _Handle) -> None:
        with self._lock:
            old = self._handle
            self._handle = handle
            old.retired = True
            old.close_if_done()

    @contextmanager
    def _pinned_handle(self) -> Iterator[_Handle]:
        with self._lock:
            handle = self._handle
            handle.pins += 1
        try:
            yield handle
        finally:
            with self._lock:
                handle.pins -= 1
                handle.close_if_done()

    @contextmanager
    def _pinned(self) -> Iterator[Any]:
        with self._pinned_handle() as handle:
            yield handle.native

    # -- Store ---------------------------------------------------------------------------------------

    @property
    def version(self) -> str:
        return self._handle.gen.name

    @property
    def generation(self) -> Path:
        return self._handle.gen

    def changes_since(self, version: str | None, *, limit: int = 100) -> list[dict[str, Any]]:
        """The change feed (kg/store/changes.py): what each version after `version` added or removed."""
        return changes.since(self.root, version, limit=limit)

    def refresh(self) -> bool:
        """Move to the newest published generation if another process published one; True if moved."""
        with self._lock:
            latest = gens.published(self.root)
            if latest is None or latest.name == self._handle.gen.name:
                return False
            try:
                lease = gens.lease_published(self.root)
            except OSError as exc:
                raise StoreError(f"cannot open the newest store generation: {exc.strerror or exc}") from exc
            if lease is None:
                return False
            self._switch_to(_Handle(lease.gen, lease))
            return True

    @property
    def native(self) -> Any:
        """The pyoxigraph store of the current generation. Callers that read lazily beyond one task use
        `pinned()` instead, so the generation outlives their reading."""
        return self._handle.native

    def pinned(self) -> Any:
        """Context manager giving the pyoxigraph store, its generation kept while inside."""
        return self._pinned()

    @contextmanager
    def reading(self) -> Iterator[tuple[Any, dict[str, Any]]]:
        """The pyoxigraph store, its generation kept while inside, and the `query()` options that give
        this service's default graph (the distinct union of the named graphs) when the query names none:
        none for a generation that stores it, the engine's union for an older one."""
        with self._pinned_handle() as handle:
            yield handle.native, _default_options(handle)

    def query(self, sparql: str, bindings: Mapping[str, Identifier] | None = None, *,
              default_graphs: Sequence[URIRef] | None = None,
              named_graphs: Sequence[URIRef] | None = None) -> QueryResult:
        with _query_errors(), self._pinned_handle() as handle:
            kwargs = query_options(bindings, default_graphs, named_graphs, union=not handle.distinct_default)
            return convert_result(handle.native.query(sparql, **kwargs))

    def select_json(self, sparql: str, bindings: Mapping[str, Identifier] | None = None) -> JsonRows:
        # Oxigraph's own JSON writer, then one parse: no Python object per term until the caller's.
        # Values go in a leading VALUES block, from which Oxigraph plans its joins (substitutions are
        # applied after planning: up to 2x slower on the named questions).
        text = bind_values(sparql, bindings) if bindings else sparql
        with _query_errors(), self._pinned_handle() as handle:
            result = _select(handle, text)
            data = orjson.loads(result.serialize(format=ox.QueryResultsFormat.JSON) or b"")
        return JsonRows(data["head"]["vars"], from_sparql_json(data["results"]["bindings"]))

    def select_iter(self, sparql: str) -> Iterator[dict[str, JsonTerm]]:
        # Row by row: parsing a whole large result at once holds every row's terms in memory together.
        with _query_errors(), self._pinned_handle() as handle:
            result = _select(handle, sparql)
            names = [v.value for v in result.variables]
            for solution in result:
                yield {name: json_term(value) for name in names if (value := solution[name]) is not None}

    def update(self, sparql: str, *, base_iri: str | None = None, timeout: float | None = None) -> None:
        """Apply an update atomically; with `timeout`, in a child process stopped at the limit."""

        probe = data_only_probe(sparql)

        def apply(store: Any) -> None:
            try:
                store.update(sparql, base_iri=base_iri)
            except SyntaxError as exc:
                raise QuerySyntaxError(f"malformed SPARQL update: {exc}") from exc
            except (RuntimeError, ValueError) as exc:
                if _MISSING_GRAPH.search(str(exc)):  # DROP/CLEAR of a graph that is not there, without SILENT
                    raise UpdateEvaluationError(f"update failed: {exc} (add SILENT to ignore this)") from exc
                raise QueryError(f"update failed: {exc}") from exc
            sync_default(store, probe_candidates(probe, base_iri) if probe is not None else None)

        if timeout is None:
            self._write_new_generation(apply, kind="update")
        else:
            self._write_new_generation(apply, kind="update", isolated_update=(sparql, base_iri, timeout, probe))

    def replace_all(self, quads: Iterable[Quad]) -> None:
        def both() -> Iterator[Any]:
            # Each quad, and its triple in the default graph: the bulk loader keeps one of each key, so a
            # triple several graphs hold is there once (cheaper than reading the quads back afterwards).
            default = ox.DefaultGraph()
            for s, p, o, g in quads:
                s_, p_, o_ = to_ox(s), to_ox(p), to_ox(o)
                yield ox.Quad(s_, p_, o_, to_ox(g))
                yield ox.Quad(s_, p_, o_, default)

        self._write_new_generation(lambda store: store.bulk_extend(both()), from_scratch=True)

    def load_file(self, path: Path, fmt: Any) -> None:
        """Replace the whole content with an N-Quads/TriG file, through Oxigraph's bulk loader. Statements
        of the file's default graph are not kept (the default graph is the union of the named graphs)."""
        def load(store: Any) -> None:
            if fmt == ox.RdfFormat.N_QUADS:
                # One document holding each statement twice, with and without its graph: the native
                # loader reads it at full speed, and a blank node label is the same node in both.
                doubled = _DoubledNQuads(path)
                store.bulk_load(input=doubled, format=fmt)
                if doubled.unread:  # a line this reader could not split: the default graph from the store
                    sync_default(store)
                return
            default = ox.DefaultGraph()
            store.bulk_extend(q2 for q in ox.parse(path=str(path), format=fmt)
                              if not isinstance(q.graph_name, ox.DefaultGraph)
                              for q2 in (q, ox.Quad(q.subject, q.predicate, q.object, default)))

        self._write_new_generation(load, from_scratch=True)

    def replace_graph(self, graph: URIRef, triples: Iterable[Triple]) -> None:
        g = ox.NamedNode(str(graph))

        def swap(store: Any) -> None:
            old = [(q.subject, q.predicate, q.object) for q in store.quads_for_pattern(None, None, None, g)]
            store.clear_graph(g)
            new = [ox.Quad(to_ox(s), to_ox(p), to_ox(o), g) for s, p, o in triples]
            store.extend(new)
            # Only these triples can have entered or left the union; past a size, one pass over it is cheaper.
            if len(old) + len(new) <= CANDIDATES_MAX:
                sync_default(store, [*old, *((q.subject, q.predicate, q.object) for q in new)])
            else:
                sync_default(store)

        self._write_new_generation(swap)

    def _write_new_generation(self, write: Any, *, from_scratch: bool = False,
                              isolated_update: tuple[str, str | None, float, str | None] | None = None,
                              kind: str = "graph") -> None:
        """Run `write` on a new generation (empty, or a checkpoint of the published one) and publish it.
        Nothing is published unless every step succeeded; the new generation is durable when this returns.
        With `isolated_update` (text, base IRI, time limit, probe), a child process writes the generation and is
        killed at the limit (kg/store/isolated.py)."""
        self._check_writable()
        with self._lock, gens.write_lock(self.root):
            self.refresh()  # another process (kg load, a second server) may have published meanwhile
            gen = gens.next_generation(self.root)
            source = self._handle.gen
            lease: gens.Lease | None = None

            def prepare() -> None:
                if not from_scratch:
                    with self._pinned() as native:
                        native.backup(str(gen))
                fresh = ox.Store(str(gen))
                write(fresh)
                if from_scratch:
                    # Compact what the bulk loader wrote: reads over a freshly loaded million triples get
                    # ~25 % faster (docs/benchmarks.md); small updates are not worth a full compaction.
                    fresh.optimize()
                fresh.flush()
                empty = _is_empty(fresh)
                del fresh  # closes the read-write instance; published generations are only read
                gens.write_meta(gen, empty=empty)
                gens.fsync_dir(gen)

            try:
                if isolated_update is None:
                    prepare()
                else:
                    text, base_iri, limit, probe = isolated_update
                    write_generation(None if from_scratch else source, gen, text, base_iri, gens.META, limit,
                                     probe=probe)
                lease = gens.Lease(gen)
                handle = _Handle(gen, lease)
                before, after = _graph_names(self._handle.native), _graph_names(handle.native)
                gens.publish(self.root, gen)
            except BaseException as exc:
                if lease is not None:
                    lease.release()
                shutil.rmtree(gen, ignore_errors=True)
                if isinstance(exc, OSError):
                    raise StoreError(f"the write failed and was not applied: {exc.strerror or exc}") from exc
                raise
            previous = self._handle.gen.name
            self._switch_to(handle)
            try:
                changes.record(self.root, gen.name, previous, "load" if from_scratch else kind, before, after)
            except OSError:  # published and durable; only its feed record is missing (said at next open)
                log.exception("could not record the changes of %s", gen.name)
            gens.prune(self.root)

    def quads(self, graph: URIRef | None = None) -> Iterator[Quad]:
        return self.match(graph=graph)

    def match(self, s: Any = None, p: Any = None, o: Any = None, graph: URIRef | None = None) -> Iterator[Quad]:
        pattern = [to_ox(t) if t is not None else None for t in (s, p, o, graph)]
        with self._pinned() as native:
            # Nothing bound: graph by graph, so the default graph's copy of every triple is not read at all.
            found = named_quads(native) if pattern == [None] * 4 else native.quads_for_pattern(*pattern)
            for q in found:
                name = graph_name(q.graph_name)
                if name is not None:
                    yield from_ox(q.subject), from_ox(q.predicate), from_ox(q.object), name

    def graphs_about(self, s: Node) -> set[URIRef]:
        # Distinct graph names first, converted once: a node can have hundreds of (inferred) triples.
        with self._pinned() as native:
            names = {q.graph_name for q in native.quads_for_pattern(to_ox(s), None, None, None)}
        return {URIRef(n.value) for n in names if isinstance(n, ox.NamedNode)}

    def has_graph(self, graph: URIRef) -> bool:
        try:
            name = ox.NamedNode(str(graph))
        except ValueError:  # not an IRI, so certainly not one of our graphs
            return False
        with self._pinned() as native:
            return bool(native.contains_named_graph(name))

    def graph_names(self) -> list[URIRef]:
        with self._pinned() as native:
            return sorted(URIRef(n.value) for n in native.named_graphs() if isinstance(n, ox.NamedNode))

    def count(self, graph: URIRef | None = None) -> int:
        """Quads of the named graphs (or of one): the stored default graph is not counted."""
        with self._pinned() as native:
            if graph is None:
                rows = list(native.query("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"))
                return int(rows[0]["n"].value) if rows else 0
            q = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
            rows = list(native.query(q, substitutions={ox.Variable("g"): ox.NamedNode(str(graph))}))
        return int(rows[0]["n"].value) if rows else 0

    def dump(self, fmt: str, graph: URIRef | None = None) -> bytes:
        """Native serialisation: faithful to stored lexical forms and fast on large stores. Quad formats
        hold the named graphs' quads; triple formats the default graph, each triple once."""
        rdf_format = _OX_FORMATS[fmt]
        keeps_graphs = EXPORT_FORMATS[fmt][2]
        prefixes = dict(SERIALIZATION_PREFIXES)
        with self._pinned_handle() as handle:
            native = handle.native
            if graph is not None:
                if keeps_graphs:
                    quads = native.quads_for_pattern(None, None, None, ox.NamedNode(str(graph)))
                    return ox.serialize(quads, format=rdf_format, prefixes=prefixes) or b""
                return bytes(native.dump(format=rdf_format, from_graph=ox.NamedNode(str(graph)), prefixes=prefixes))
            if keeps_graphs:
                return ox.serialize(named_quads(native), format=rdf_format, prefixes=prefixes) or b""
            if handle.distinct_default:
                return bytes(native.dump(format=rdf_format, from_graph=ox.DefaultGraph(), prefixes=prefixes))
            triples = native.query("SELECT DISTINCT ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } }")
            return ox.serialize((ox.Triple(r["s"], r["p"], r["o"]) for r in triples), format=rdf_format,
                                prefixes=prefixes) or b""

    def close(self) -> None:
        with self._lock:
            self._handle.retired = True
            self._handle.close_if_done()


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
        if _DAMAGE.search(str(exc)):
            raise StoreCorruptError(f"the store is damaged: {exc}; rebuild it with `kg load`") from exc
        raise QueryError(f"query failed: {exc}") from exc
    except OSError as exc:  # RocksDB could not read a file of the generation (corruption, I/O error)
        raise StoreCorruptError(f"the store is damaged or unreadable: {exc.strerror or exc}") from exc


_DAMAGE = re.compile(r"Corruption|IO error|checksum mismatch|block checksum|\.sst|MANIFEST", re.I)


def _graph_names(native: Any) -> list[str]:
    return [g.value for g in native.named_graphs() if isinstance(g, ox.NamedNode)]


def _is_empty(native: Any) -> bool:
    return next(iter(native.quads_for_pattern(None, None, None, None)), None) is None


def _migrate(store: Any) -> None:
    store.clear_graph(ox.DefaultGraph())
    derive_default(store)


def _default_options(handle: _Handle) -> dict[str, Any]:
    return {} if handle.distinct_default else {"use_default_graph_as_union": True}


def query_options(bindings: Mapping[str, Identifier] | None, default_graphs: Sequence[URIRef] | None,
                  named_graphs: Sequence[URIRef] | None, *, union: bool = False) -> dict[str, Any]:
    """`query()` options. Without `default_graphs`, the stored default graph (the distinct union of the
    named graphs), or with `union` (a generation that does not store it) the engine's union of all graphs."""
    kwargs: dict[str, Any] = {}
    if default_graphs is not None:
        kwargs["default_graph"] = [ox.NamedNode(str(g)) for g in default_graphs]
    elif union:
        kwargs["use_default_graph_as_union"] = True
    if named_graphs is not None:
        kwargs["named_graphs"] = [ox.NamedNode(str(g)) for g in named_graphs]
    if bindings:
        kwargs["substitutions"] = {ox.Variable(k): to_ox(v) for k, v in bindings.items()}
    return kwargs


def _select(handle: _Handle, sparql: str) -> Any:
    result = handle.native.query(sparql, **_default_options(handle))
    if not isinstance(result, ox.QuerySolutions):
        raise QueryError("expected a SELECT query")
    return result


_NQ_TERM = r'<[^<>\s]*>|_:\S+|"(?:[^"\\]|\\.)*"(?:@[A-Za-z0-9-]+|\^\^<[^<>\s]*>)?'
_NQ_LINE = re.compile(rf"[ \t]*((?:{_NQ_TERM})[ \t]*(?:{_NQ_TERM})[ \t]*(?:{_NQ_TERM}))"
                      rf"[ \t]*({_NQ_TERM})?[ \t]*\.[ \t]*\r?$")


class _DoubledNQuads(io.RawIOBase):
    """An N-Quads file read as a document with each quad of a named graph followed by its triple (the
    default graph); the file's own default-graph lines are left out. Lines it cannot split (comments,
    quoted triples) are passed on as they are and counted in `unread`."""

    def __init__(self, path: Path) -> None:
        self._file = path.open("rb")
        self._buffer = memoryview(b"")
        self.unread = 0

    def readable(self) -> bool:
        return True

    def readinto(self, target: Any) -> int:
        while not self._buffer:
            if self._file.closed:
                return 0
            chunk = self._file.readlines(1 << 20)
            if not chunk:
                self._file.close()
                return 0
            self._buffer = memoryview(b"".join(self._double(line) for line in chunk))
        size = min(len(target), len(self._buffer))
        target[:size] = self._buffer[:size]
        self._buffer = self._buffer[size:]  # a view: no copy of the rest
        return size

    def _double(self, line: bytes) -> bytes:
        text = line.decode("utf-8").rstrip("\n")
        match = _NQ_LINE.fullmatch(text)
        if match is None:
            if text.strip():
                self.unread += 1
            return line if line.endswith(b"\n") else line + b"\n"
        if match.group(2) is None:
            return b""  # the file's default graph: not kept
        return f"{text}\n{match.group(1)} .\n".encode()


_DATA_ONLY_WORDS = {"PREFIX", "BASE", "INSERT", "DELETE", "DATA"}


def data_only_probe(update: str) -> str | None:
    """For an update made only of INSERT DATA and DELETE DATA operations (with PREFIX/BASE), the same
    text with each DELETE DATA written INSERT DATA: applied to an empty store, it gives every triple the
    update names, the only ones whose place in the default graph can change (write_child.probe_candidates).
    None for any other update (or one this lexer does not read plainly): the whole store is compared then."""
    try:
        toks = list(tokens(update))
    except Exception:  # the engine judges the syntax; without a probe, the full comparison
        return None
    deletes = []
    for i, tok in enumerate(toks):
        if tok.depth != 0:
            continue
        if tok.kind == "word":
            word = tok.text.upper()
            if word not in _DATA_ONLY_WORDS:
                return None
            if word in ("INSERT", "DELETE"):
                nxt = toks[i + 1] if i + 1 < len(toks) else None
                if nxt is None or nxt.kind != "word" or nxt.text.upper() != "DATA":
                    return None
                if word == "DELETE":
                    deletes.append(tok.start)
        elif tok.kind not in ("open", "close", "iri", "pname") and tok.text != ";":
            return None
    probe = update
    for start in deletes:  # same length: later positions stay right
        probe = probe[:start] + "INSERT" + probe[start + len("DELETE"):]
    return probe


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
