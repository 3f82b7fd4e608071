"""Run one SPARQL protocol query against a store: check safety, pick the dataset, negotiate the
format, evaluate, enforce the result cap and serialise. Runs inside a query worker."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Literal

import pyoxigraph as ox
import rdflib.plugins.sparql
from rdflib import Graph, URIRef

from ..errors import QueryError, QuerySyntaxError, ResultTooLargeError, UnsafeQueryError
from ..store.base import Store, Table
from ..store.convert import to_ox
from .formats import OFFERS, Format, negotiate
from .results import write_boolean, write_rdf, write_solutions
from .safety import QueryInfo, inspect_query
from .tokens import is_safe_iri

# rdflib (memory store) must never fetch graphs named in FROM / FROM NAMED
rdflib.plugins.sparql.SPARQL_LOAD_GRAPHS = False


@dataclass(frozen=True)
class SparqlRequest:
    query: str
    accept: str | None = None
    format: str | None = None  # explicit `format=` override of Accept
    default_graphs: tuple[str, ...] | None = None  # protocol default-graph-uri (None: not given)
    named_graphs: tuple[str, ...] | None = None  # protocol named-graph-uri (None: not given)
    max_results: int = 10_000
    base_iri: str | None = None  # against which relative IRIs in the query resolve


@dataclass(frozen=True)
class SparqlResponse:
    content_type: str
    body: bytes
    form: str
    count: int | None = None
    headers: dict[str, str] = field(default_factory=dict)


def run_sparql(store: Store, request: SparqlRequest) -> SparqlResponse:
    # Membership lookups, not a listing: a large store holds one named graph per claim.
    # The engine runs the normalised text the check read (kg/sparql/tokens.py), never the original.
    info = inspect_query(request.query, store.has_graph)
    for iri in (*(request.default_graphs or ()), *(request.named_graphs or ())):
        if not store.has_graph(URIRef(iri)):
            raise UnsafeQueryError(f"graph <{iri}> named in the request is not a graph of this store; "
                                   "remote graphs are never fetched", term=iri)
    fmt = negotiate(request.accept, OFFERS[info.result_kind], requested=request.format)
    if _is_oxigraph(store):
        return _run_oxigraph(store, request, info, fmt)
    return _run_generic(store, request, info, fmt)


def _is_oxigraph(store: Store) -> bool:
    return store.kind == "oxigraph" and hasattr(store, "reading")


def _dataset_options(request: SparqlRequest, info: QueryInfo) -> tuple[list[str] | None, list[str] | None, bool]:
    """(default graphs, named graphs, union default graph). The request's dataset overrides the query's
    FROM/FROM NAMED (SPARQL 1.1 Protocol 2.1.4); with neither, the default graph is the union of all, each
    triple once (the store's own default graph: kg/store/oxigraph.py, "Set semantics")."""
    if request.default_graphs is not None or request.named_graphs is not None:
        return list(request.default_graphs or ()), list(request.named_graphs or ()), False
    if info.has_dataset:
        return [str(g) for g in info.from_graphs], [str(g) for g in info.from_named], False
    return None, None, True


def _run_oxigraph(store: Store, request: SparqlRequest, info: QueryInfo, fmt: Format) -> SparqlResponse:
    default, named, union = _dataset_options(request, info)
    kwargs: dict[str, Any] = {"base_iri": request.base_iri}
    if not union:
        # An empty list is an empty default graph (only named graphs given): never the stored union.
        kwargs["default_graph"] = [ox.NamedNode(g) for g in default or []]
        kwargs["named_graphs"] = [ox.NamedNode(g) for g in named or []]
    try:
        for _ in range(_MAX_UNKNOWN_FUNCTIONS + 1):
            try:
                with store.reading() as (native, default_options):  # type: ignore[attr-defined]
                    options = {**default_options, **kwargs} if union else kwargs
                    return _evaluate(native.query(info.text, **options), request, info, fmt)
            except RuntimeError as exc:
                # An unknown extension function is an evaluation error (SPARQL 1.1 section 17.6): the
                # expression is unbound, not the query refused. Oxigraph names one at a time.
                unknown = _UNKNOWN_FUNCTION.search(str(exc))
                if unknown is None:
                    raise
                kwargs.setdefault("custom_functions", {})[ox.NamedNode(unknown.group(1))] = _unbound
        raise QueryError(f"the query calls more than {_MAX_UNKNOWN_FUNCTIONS} unknown functions")
    except SyntaxError as exc:
        raise QuerySyntaxError(f"malformed SPARQL query: {exc}") from None
    except (OSError, RuntimeError, ValueError) as exc:
        raise QueryError(f"query failed: {exc}") from None


_UNKNOWN_FUNCTION = re.compile(r"The custom function <([^>]+)> is not supported")
_MAX_UNKNOWN_FUNCTIONS = 16


def _unbound(*_args: Any) -> None:
    return None


def _evaluate(result: Any, request: SparqlRequest, info: QueryInfo, fmt: Format) -> SparqlResponse:
    kind = _result_kind(result)
    if kind != info.result_kind:  # the engine's reading of the form decides, not the token scan
        fmt = negotiate(request.accept, OFFERS[kind], requested=request.format)
    if isinstance(result, ox.QueryBoolean):
        return SparqlResponse(fmt.content_type, write_boolean(bool(result), fmt), info.form)
    if isinstance(result, ox.QuerySolutions):
        variables = [v.value for v in result.variables]
        rows = _capped(([sol[v] for v in variables] for sol in result), request.max_results, "rows")
        return SparqlResponse(fmt.content_type, write_solutions(variables, rows, fmt), info.form, len(rows))
    triples = _capped(iter(result), request.max_results, "triples")
    return SparqlResponse(fmt.content_type, write_rdf(triples, fmt), info.form, len(triples))


def _result_kind(result: Any) -> Literal["solutions", "boolean", "graph"]:
    if isinstance(result, ox.QueryBoolean):
        return "boolean"
    return "solutions" if isinstance(result, ox.QuerySolutions) else "graph"


def _run_generic(store: Store, request: SparqlRequest, info: QueryInfo, fmt: Format) -> SparqlResponse:
    default, named, _union = _dataset_options(request, info)
    text = info.text
    if request.base_iri is not None and is_safe_iri(request.base_iri):
        text = f"BASE <{request.base_iri}>\n{text}"
    result = store.query(text,
                         default_graphs=[URIRef(g) for g in default] if default is not None else None,
                         named_graphs=[URIRef(g) for g in named] if named is not None else None)
    if isinstance(result, bool):
        return SparqlResponse(fmt.content_type, write_boolean(result, fmt), info.form)
    if isinstance(result, Table):
        variables = result.variables
        rows = _capped(([to_ox(r[v]) if v in r else None for v in variables] for r in result.rows),
                       request.max_results, "rows")
        return SparqlResponse(fmt.content_type, write_solutions(variables, rows, fmt), info.form, len(rows))
    assert isinstance(result, Graph)
    triples = _capped((ox.Triple(to_ox(s), to_ox(p), to_ox(o)) for s, p, o in result), request.max_results,
                      "triples")
    return SparqlResponse(fmt.content_type, write_rdf(triples, fmt), info.form, len(triples))


def _capped(items: Any, cap: int, what: str) -> list[Any]:
    out: list[Any] = []
    for item in items:
        if len(out) >= cap:
            raise ResultTooLargeError(f"the query returns more than {cap} {what} (KG_MAX_RESULTS); "
                                      "narrow it or add a LIMIT")
        out.append(item)
    return out
