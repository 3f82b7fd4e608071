"""The `kg` command line: load, reason, query, ask, export and stats over the configured store."""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import pyoxigraph as ox
import typer
from rdflib import Graph, URIRef

from .config import Settings
from .errors import InputError, KGError, QuerySyntaxError, StoreError
from .export import FORMATS, export
from .loader import Sources, load, reason
from .namespaces import INFERRED_GRAPH, ONTOLOGY_GRAPH, PROVENANCE_GRAPH, sparql_prefixes
from .progress import progress, stage
from .questions import Answer, ask, get_question, questions
from .sparql.formats import CSV, JSONLD, NTRIPLES, RDFXML, SPARQL_JSON, SPARQL_XML, TSV, TURTLE
from .sparql.results import write_boolean, write_rdf, write_solutions
from .sparql.safety import inspect_query
from .store import Store, Table, open_store
from .store.base import Quad
from .store.convert import to_ox


class _App(typer.Typer):
    """The Typer app, with one last handler: what the storage engine raises on a damaged or unreadable store
    (pyoxigraph raises OSError, RuntimeError or ValueError, at open or half-way through a query) becomes
    one line on stderr and exit code 3, never a traceback."""

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        try:
            return super().__call__(*args, **kwargs)
        except (OSError, RuntimeError, ValueError) as exc:
            if not _is_engine_error(exc):
                raise
            typer.echo(f"error: {_engine_message(exc)}", err=True)
            raise SystemExit(EXIT_STORE) from None


app = _App(help="Knowledge graph of who trains which AI models on which chips, where, under which rules.",
           no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False)

StorePathOpt = Annotated[Path | None, typer.Option("--store-path", help="Store directory (env KG_STORE_PATH).")]
DataOpt = Annotated[Path | None, typer.Option("--data", help="Curated data directory (env KG_DATA_DIR).")]
OntologyOpt = Annotated[Path | None, typer.Option("--ontology", help="Ontology file (env KG_ONTOLOGY).")]


def _settings(store_path: Path | None = None, data: Path | None = None, ontology: Path | None = None) -> Settings:
    settings = Settings()
    updates: dict[str, Any] = {}
    if store_path is not None:
        updates["store_path"] = store_path
    if data is not None:
        updates["data_dir"] = data
    if ontology is not None:
        updates["ontology"] = ontology
    return settings.model_copy(update=updates)


def _open(settings: Settings, *, read_only: bool) -> Store:
    return open_store(settings.store, settings.store_path, read_only=read_only, settings=settings)


EXIT_ERROR, EXIT_INPUT, EXIT_STORE = 1, 2, 3

# How the storage engine (RocksDB under pyoxigraph) words a damaged or unreadable store.
_ENGINE_MARKERS = ("Corruption:", "IO error:", "checksum mismatch", "MANIFEST-", ".sst")


def _counted(quads: Iterator[Quad], total: int) -> Iterator[Quad]:
    """The quads on their way to the store, counted on a progress bar (log lines when not on a terminal)."""
    with progress("store", total, "quads") as bar:
        for i, quad in enumerate(quads, 1):
            yield quad
            if i % 10_000 == 0:
                bar.advance(10_000)
        bar.advance(total % 10_000 if total else 0)


def _one_line(text: str, limit: int = 400) -> str:
    line = " ".join(text.split())
    return line if len(line) <= limit else line[:limit - 3] + "..."


def _fail(exc: KGError) -> typer.Exit:
    typer.echo(f"error: {_one_line(str(exc))}", err=True)
    if isinstance(exc, InputError):
        return typer.Exit(EXIT_INPUT)
    return typer.Exit(EXIT_STORE if isinstance(exc, StoreError) else EXIT_ERROR)


def _is_engine_error(exc: BaseException) -> bool:
    """Whether an OSError/RuntimeError/ValueError came from the store (raised in kg/store or by the engine,
    or worded like RocksDB), rather than being a bug elsewhere that deserves its traceback."""
    if isinstance(exc, KGError):
        return False
    tb = exc.__traceback__
    last = None
    while tb is not None:
        last = tb.tb_frame.f_code.co_filename
        tb = tb.tb_next
    in_store = last is not None and (f"{Path('kg', 'store')}" in last or "pyoxigraph" in last)
    return in_store or any(marker in str(exc) for marker in _ENGINE_MARKERS)


def _engine_message(exc: BaseException) -> str:
    return _one_line(f"the store is damaged or unreadable ({type(exc).__name__}: {exc}); "
                     "rebuild it with `kg load`")


@app.command("load")
def load_cmd(store_path: StorePathOpt = None, data: DataOpt = None, ontology: OntologyOpt = None) -> None:
    """Build the graph from the ontology and curated data (checking every quote and term), reason, and
    replace the store's content atomically. On any error the store is left unchanged."""
    settings = _settings(store_path, data, ontology)
    try:
        with _open(settings, read_only=False) as store:
            result = load(store, Sources.from_settings(settings), stage=stage, count=_counted)
            total = store.count()
    except KGError as exc:
        raise _fail(exc) from exc
    c = result.counts
    typer.echo(f"loaded {c['claims']} claims ({c['asserted']} asserted triples), {c['provenance']} provenance "
               f"triples, {c['ontology']} ontology triples, {c['inferred']} inferred triples; "
               f"{total} quads in {settings.store_path}")


@app.command("reason")
def reason_cmd(store_path: StorePathOpt = None) -> None:
    """Recompute the OWL RL inferences from the store's asserted graphs."""
    settings = _settings(store_path)
    try:
        with _open(settings, read_only=False) as store:
            inferred = reason(store)
    except KGError as exc:
        raise _fail(exc) from exc
    typer.echo(f"{len(inferred)} inferred triples in <{INFERRED_GRAPH}>")


@app.command("query")
def query_cmd(
    file: Annotated[Path | None, typer.Argument(help="A .rq file to run.")] = None,
    sparql: Annotated[str | None, typer.Option("--sparql", "-e", help="Inline SPARQL.")] = None,
    question: Annotated[str | None, typer.Option("--question", "-q", help="A named question.")] = None,
    param: Annotated[list[str] | None, typer.Option("--param", "-p", help="NAME=VALUE for a question.")] = None,
    fmt: Annotated[str, typer.Option("--format", "-f", help=(
        "table, or W3C json, xml, csv, tsv (SELECT/ASK); turtle, ntriples, rdfxml, jsonld (graphs)."))] = "table",
    store_path: StorePathOpt = None,
) -> None:
    """Run SPARQL from a file, inline, or a named question with parameters."""
    settings = _settings(store_path)
    given = [x for x in (file, sparql, question) if x is not None]
    if len(given) != 1:
        typer.echo("error: give exactly one of FILE, --sparql or --question", err=True)
        raise typer.Exit(2)
    try:
        with _open(settings, read_only=True) as store:
            if question is not None:
                answer = ask(store, question, _params(param or []))
                _print_answer(answer, fmt)
                return
            if file is not None:
                try:
                    text = file.read_text(encoding="utf-8")
                except OSError as exc:
                    raise InputError(f"cannot read query file: {exc}", file=str(file)) from exc
            else:
                text = sparql or ""
            # The service's policy and walls: SERVICE, LOAD and remote FROM refused on the text that
            # runs, and the engine on a thread without network (kg/sparql/safety.py, kg/sandbox.py).
            try:
                info = inspect_query(_with_prefixes(text), store.has_graph)
                result = _without_network(store, settings, lambda: store.query(info.text))
            except QuerySyntaxError as exc:
                raise _in_own_lines(exc) from exc
            _print_result(result, fmt)
    except KGError as exc:
        raise _fail(exc) from exc


@app.command("ask")
def ask_cmd(
    name: Annotated[str | None, typer.Argument(help="Question name; omit to list the questions.")] = None,
    params: Annotated[list[str] | None, typer.Argument(help="NAME=VALUE parameters.")] = None,
    fmt: Annotated[str, typer.Option("--format", "-f", help="text or json.")] = "text",
    store_path: StorePathOpt = None,
) -> None:
    """Ask a named question (with its evidence); called bare, list the questions."""
    if name is None:
        for q in questions().values():
            args = " ".join(f"{p.name}=<{p.type}>" + (f" (default {p.default})" if p.default else "")
                            for p in q.parameters)
            typer.echo(f"{q.name} {args}".rstrip())
            typer.echo(f"    {q.title}")
        return
    settings = _settings(store_path)
    try:
        get_question(name)
        with _open(settings, read_only=True) as store:
            _print_answer(ask(store, name, _params(params or [])), fmt)
    except KGError as exc:
        raise _fail(exc) from exc


@app.command("export")
def export_cmd(
    fmt: Annotated[str, typer.Option("--format", "-f", help=", ".join(FORMATS))] = "trig",
    graph: Annotated[str | None, typer.Option("--graph", help="Only this named graph (IRI).")] = None,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="File to write (default stdout).")] = None,
    as_of: Annotated[str | None, typer.Option(
        "--as-of", help="Audit day of the validation context the export carries (default today).")] = None,
    context: Annotated[bool, typer.Option(
        "--validation-context/--no-validation-context",
        help="Carry what the SHACL shapes need (audit day, each compliance shape's rule), so any SHACL engine "
             "run on the export with shapes/*.ttl gives kg validate's findings.")] = True,
    store_path: StorePathOpt = None,
) -> None:
    """Export the store as Turtle, N-Triples, RDF/XML, TriG, N-Quads or JSON-LD."""
    settings = _settings(store_path)
    try:
        day = _day(as_of) if as_of else date.today()
        with _open(settings, read_only=True) as store:
            text = export(store, fmt, URIRef(graph) if graph else None,
                          validation_as_of=day if context else None, shapes_dir=settings.shapes_dir)
    except KGError as exc:
        raise _fail(exc) from exc
    if output is None:
        sys.stdout.write(text)
    else:
        output.write_text(text, encoding="utf-8")


@app.command("changes")
def changes_cmd(
    since: Annotated[str | None, typer.Option(
        "--since", help="A store version (gen-NNNNNN); omitted: the latest.")] = None,
    fmt: Annotated[str, typer.Option("--format", "-f", help="text or json.")] = "text",
    store_path: StorePathOpt = None,
) -> None:
    """What each store version added or removed: claims and documents (the change feed)."""
    settings = _settings(store_path)
    try:
        with _open(settings, read_only=True) as store:
            try:
                records = store.changes_since(since)
            except ValueError as exc:
                raise InputError(str(exc), term=since) from None
            if fmt == "json":
                typer.echo(json.dumps({"version": store.version, "since": since, "changes": records}, indent=2))
                return
            for r in records:
                docs = ", ".join(f"{k.split('_')[1]} {', '.join(map(str, r[k]))}" for k in  # type: ignore[call-overload]
                                 ("documents_added", "documents_changed", "documents_removed") if r.get(k))
                typer.echo(f"{r['version']}  {r.get('published') or '?':<25} {r['kind']:<10} "
                           f"+{r.get('claims_added', 0)} -{r.get('claims_removed', 0)} claims  {docs}".rstrip())
    except KGError as exc:
        raise _fail(exc) from exc


@app.command("stats")
def stats_cmd(store_path: StorePathOpt = None) -> None:
    """Counts of quads per kind of graph, claims, and entities per class."""
    settings = _settings(store_path)
    try:
        with _open(settings, read_only=True) as store:
            names = store.graph_names()
            special = {ONTOLOGY_GRAPH: "ontology", PROVENANCE_GRAPH: "provenance", INFERRED_GRAPH: "inferred"}
            typer.echo(f"store: {settings.store_path} ({store.kind}), version {store.version}")
            typer.echo(f"quads: {store.count()}")
            for g, label in special.items():
                typer.echo(f"  {label:<11} {store.count(g)}")
            claims = [g for g in names if g not in special]
            typer.echo(f"  claims      {sum(store.count(g) for g in claims)} in {len(claims)} claim graphs")
            table = store.query(_with_prefixes(
                "SELECT ?class (COUNT(DISTINCT ?e) AS ?n) WHERE { GRAPH ?claim { ?e a ?class } "
                "?claim a aic:Claim } GROUP BY ?class ORDER BY DESC(?n) ?class"))
            assert isinstance(table, Table)
            typer.echo("entities by asserted class:")
            for row in table.rows:
                typer.echo(f"  {row['n']:>5}  {_short(row['class'])}")
    except KGError as exc:
        raise _fail(exc) from exc


@app.command("serve")
def serve_cmd(
    host: Annotated[str | None, typer.Option("--host", help="Listen address (env KG_HOST, default 127.0.0.1).")] = None,
    port: Annotated[int | None, typer.Option("--port", help="Port (env KG_PORT, default 8000).")] = None,
    store_path: StorePathOpt = None, data: DataOpt = None, ontology: OntologyOpt = None,
) -> None:
    """Serve the HTTP API (SPARQL endpoint, questions, linked data, validation) with uvicorn; an empty store
    is loaded from the curated data first. Configuration: KG_* environment variables (docs/api.md)."""
    from .serve import serve

    settings = _settings(store_path, data, ontology)
    updates: dict[str, Any] = {k: v for k, v in (("host", host), ("port", port)) if v is not None}
    try:
        _check_readable(settings)
        serve(settings.model_copy(update=updates))
    except KGError as exc:
        raise _fail(exc) from exc


def _check_readable(settings: Settings) -> None:
    """Before uvicorn starts: an existing Oxigraph store must open and be readable end to end, so a damaged
    one is one line on stderr (exit 3) rather than a traceback in the start-up log. A missing store is
    left to the service (it builds it when KG_LOAD_IF_EMPTY)."""
    current = settings.store_path / "CURRENT"
    if settings.store != "oxigraph" or not (current.is_symlink() or current.exists()):
        return
    with _open(settings, read_only=True) as store:
        store.count()


@app.command("validate")
def validate_cmd(
    as_of: Annotated[str | None, typer.Option("--as-of", help="Day to evaluate rules and facts on, YYYY-MM-DD "
                                                 "(default today).")] = None,
    shapes: Annotated[str, typer.Option("--shapes", help="integrity, compliance or all.")] = "all",
    fmt: Annotated[str, typer.Option("--format", "-f", help="text, json, turtle or jsonld.")] = "text",
    inferred: Annotated[bool, typer.Option("--inferred/--asserted", help="Validate with the OWL RL "
                                           "inferences, or the asserted facts only.")] = True,
    store_path: StorePathOpt = None,
) -> None:
    """Validate the store against the SHACL shapes; exit 1 when a rule is violated (warnings and
    infos alone exit 0)."""

    from .validation import SHAPE_SETS, validate

    settings = _settings(store_path)
    renderers = {"text": "to_text", "json": "to_json", "turtle": "to_turtle", "jsonld": "to_jsonld"}
    try:
        if fmt not in renderers:
            raise InputError(f"unknown format '{fmt}' (use {', '.join(renderers)})", term=fmt)
        if shapes not in SHAPE_SETS:
            raise InputError(f"unknown shape set '{shapes}' (use {', '.join(SHAPE_SETS)})", term=shapes)
        day = _day(as_of) if as_of is not None else date.today()
        with _open(settings, read_only=True) as store:
            result = validate(store, as_of=day, shapes=shapes, inferred=inferred,
                              shapes_dir=settings.shapes_dir)
    except KGError as exc:
        raise _fail(exc) from exc
    sys.stdout.write(getattr(result, renderers[fmt])().rstrip("\n") + "\n")
    if not result.conforms:
        raise typer.Exit(1)


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InputError(f"--as-of must be a date YYYY-MM-DD, got '{text}'", term=text) from None


def _params(items: list[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise _fail(InputError(f"parameter '{item}' must be NAME=VALUE", term=item))
        out[key] = value
    return out


def _without_network(store: Store, settings: Settings, run: Callable[[], Any]) -> Any:
    if store.kind == "remote":  # reached over the network by design
        return run()
    from concurrent.futures import ThreadPoolExecutor

    from .sandbox import enter_network_sandbox

    with ThreadPoolExecutor(1, initializer=enter_network_sandbox, initargs=(settings.sandbox,)) as pool:
        return pool.submit(run).result()


def _in_own_lines(exc: QuerySyntaxError) -> QuerySyntaxError:
    """The error with positions in the user's own text, not counting the PREFIX lines added for them."""
    added = sparql_prefixes().count("\n")

    def shift(m: re.Match[str]) -> str:
        line = int(m.group(2)) - added
        return f"{m.group(1)}{line}{m.group(3)}" if line >= 1 else m.group(0)

    message = re.sub(r"(error at |line )(\d+)([:,])", shift, exc.message)
    line = exc.line - added if exc.line is not None and exc.line > added else exc.line
    return QuerySyntaxError(message, file=exc.file, line=line, term=exc.term)


def _with_prefixes(text: str) -> str:
    """Let CLI users write aic:, id:, rdfs: ... without declaring them; their own PREFIXes still win."""
    return sparql_prefixes() + text


def _short(term: object) -> str:
    text = str(term)
    for prefix, ns in (("aic:", "https://w3id.org/aichips/ontology#"), ("id:", "https://w3id.org/aichips/id/")):
        if text.startswith(ns):
            return prefix + text[len(ns):]
    return text


RESULT_FORMATS = {"json": SPARQL_JSON, "xml": SPARQL_XML, "csv": CSV, "tsv": TSV}
GRAPH_FORMATS = {"turtle": TURTLE, "ntriples": NTRIPLES, "rdfxml": RDFXML, "jsonld": JSONLD}


def _print_result(result: object, fmt: str) -> None:
    """SELECT/ASK as a table or in the W3C result formats (what every SPARQL client reads); graphs in
    an RDF syntax (Turtle unless one is named)."""
    if isinstance(result, Graph):
        triples = [ox.Triple(to_ox(s), to_ox(p), to_ox(o)) for s, p, o in result]
        _write(write_rdf(triples, GRAPH_FORMATS.get(fmt, TURTLE)))
    elif fmt == "table":
        if isinstance(result, bool):
            typer.echo("true" if result else "false")
        elif isinstance(result, Table):
            _print_table(result)
    elif fmt in RESULT_FORMATS:
        if isinstance(result, bool):
            _write(write_boolean(result, RESULT_FORMATS[fmt]))
        elif isinstance(result, Table):
            rows = [[to_ox(r[v]) if v in r else None for v in result.variables] for r in result.rows]
            _write(write_solutions(result.variables, rows, RESULT_FORMATS[fmt]))
    else:
        raise _fail(InputError(f"unknown format '{fmt}' (use table, json, xml, csv or tsv; "
                               "turtle, ntriples, rdfxml or jsonld for graphs)", term=fmt))


def _write(data: bytes) -> None:
    sys.stdout.buffer.write(data if data.endswith(b"\n") else data + b"\n")
    sys.stdout.flush()


def _print_table(table: Table) -> None:
    widths = {v: max([len(v)] + [len(_short(r.get(v, ""))) for r in table.rows]) for v in table.variables}
    typer.echo("  ".join(v.ljust(widths[v]) for v in table.variables))
    for row in table.rows:
        typer.echo("  ".join(_short(row.get(v, "")).ljust(widths[v]) for v in table.variables))
    typer.echo(f"({len(table.rows)} rows)")


def _print_answer(answer: Answer, fmt: str) -> None:
    if fmt == "json":
        typer.echo(json.dumps(answer.to_dict(), indent=2, ensure_ascii=False))
        return
    if fmt not in ("text", "table"):
        raise _fail(InputError(f"unknown format '{fmt}' (use text or json)", term=fmt))
    typer.echo(f"{answer.question.title}")
    if answer.parameters:
        typer.echo("  " + ", ".join(f"{k}={_short(v)}" for k, v in answer.parameters.items()))
    if not answer.table.rows:
        typer.echo("(no answer in the graph)")
    for i, (row, evidence) in enumerate(zip(answer.table.rows, answer.evidence, strict=True), 1):
        values = ", ".join(f"{k}={_short(v)}" for k, v in row.items() if k not in answer.parameters)
        typer.echo(f"{i}. {values}")
        for ev in evidence:
            if ev.kind == "document":
                typer.echo(f"     \u201c{ev.quote}\u201d \u2014 {ev.attributed_to} ({ev.status}), "
                           f"{_short(ev.document)}")
            else:
                typer.echo(f"     [{ev.status}] {'; '.join(ev.citation)}")


def main() -> None:
    app()


# The document pipeline's commands live in their own module; importing it registers them on `app`.
from . import cli_pipeline  # noqa: E402,F401
