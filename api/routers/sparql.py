"""SPARQL 1.1 Protocol: query at /sparql (GET, POST form, POST direct), update at /sparql/update."""

from __future__ import annotations

import asyncio
import json
from typing import Annotated, Any

import pyoxigraph as ox
from fastapi import APIRouter, Header, HTTPException, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, JSONResponse, Response

from kg.sparql.description import service_description
from kg.sparql.errors import ProtocolError, UnsupportedMediaTypeError
from kg.sparql.formats import HTML, JSONLD, NTRIPLES, RDFXML, TURTLE, negotiate, prefers_html
from kg.sparql.results import write_rdf
from kg.sparql.runner import SparqlRequest, SparqlResponse
from kg.sparql.update import apply_update
from kg.store.convert import to_ox

from .. import querylog
from ..auth import require_token
from ..deps import RuntimeDep
from ..protocol import Pairs, decode_pairs, media_type, single, utf8_body, values
from ..runtime import Runtime

router = APIRouter(tags=["SPARQL"])

QUERY_MEDIA = "application/sparql-query"
UPDATE_MEDIA = "application/sparql-update"
FORM_MEDIA = "application/x-www-form-urlencoded"
DATASET_PARAMS = ("default-graph-uri", "named-graph-uri")

RESULT_TYPES: dict[int | str, dict[str, Any]] = {
    "200": {"description": "Results: SPARQL JSON/XML/CSV/TSV for SELECT and ASK; Turtle, N-Triples, "
                           "RDF/XML, JSON-LD, TriG or N-Quads for CONSTRUCT and DESCRIBE (by Accept).",
            "content": {m: {} for m in ("application/sparql-results+json", "application/sparql-results+xml",
                                        "text/csv", "text/tab-separated-values", "text/turtle",
                                        "application/n-triples", "application/rdf+xml", "application/ld+json",
                                        "application/trig", "application/n-quads")}},
    "400": {"description": "Malformed query, refused query (SERVICE, remote FROM) or protocol error."},
    "406": {"description": "No acceptable media type for this kind of result."},
    "413": {"description": "Request body over KG_MAX_REQUEST_BYTES."},
    "415": {"description": "Unsupported request media type."},
    "422": {"description": "More results than KG_MAX_RESULTS."},
    "503": {"description": "The query ran past KG_QUERY_TIMEOUT and was stopped, or every worker was busy."},
}

DatasetParam = Annotated[list[str] | None, Query(alias="default-graph-uri",
                                                 description="Default graph of the dataset (repeatable); "
                                                             "overrides FROM in the query.")]
NamedParam = Annotated[list[str] | None, Query(alias="named-graph-uri",
                                               description="A named graph of the dataset (repeatable); "
                                                           "overrides FROM NAMED in the query.")]


def _execute(runtime: Runtime, query: str, pairs: Pairs, accept: str | None) -> Response:
    defaults = values(pairs, "default-graph-uri")
    named = values(pairs, "named-graph-uri")
    given = bool(defaults or named)
    # A browser (the form on GET /sparql) gets an HTML page of the results instead of a download.
    browser = prefers_html(accept)
    request = SparqlRequest(query=query, accept=JSON_RESULTS if browser else accept,
                            default_graphs=tuple(defaults) if given else None,
                            named_graphs=tuple(named) if given else None,
                            max_results=runtime.settings.max_results, base_iri=runtime.settings.base_iri)
    result: SparqlResponse = runtime.run("sparql", request)
    querylog.note_rows(result.count)
    if browser:
        html = runtime.templates.get_template("sparql_results.html").render(
            title="Query results", query=query, result=_for_page(result))
        return HTMLResponse(html, headers={"Vary": "Accept"})
    return Response(result.body, media_type=result.content_type, headers={**result.headers, "Vary": "Accept"})


def _for_page(result: SparqlResponse) -> dict[str, Any]:
    """SPARQL JSON results as the template's table, or a graph result as text."""
    if "json" not in result.content_type or "sparql-results" not in result.content_type:
        return {"text": result.body.decode("utf-8")}
    data = json.loads(result.body)
    if "boolean" in data:
        return {"boolean": data["boolean"]}
    return {"vars": data["head"]["vars"], "rows": data["results"]["bindings"]}


JSON_RESULTS = "application/sparql-results+json, text/turtle;q=0.9"


def _endpoint(request: Request, runtime: Runtime, path: str) -> str:
    base = runtime.settings.base_url or str(request.base_url)
    return base.rstrip("/") + path


def _describe_service(request: Request, runtime: Runtime) -> Response:
    accept = request.headers.get("accept")
    if prefers_html(accept):
        html = runtime.templates.get_template("sparql.html").render(
            endpoint=_endpoint(request, runtime, "/sparql"), update=runtime.settings.update_token is not None)
        return HTMLResponse(html, headers={"Vary": "Accept"})
    fmt = negotiate(accept, (TURTLE, RDFXML, NTRIPLES, JSONLD))
    graphs: list[str] = runtime.run("graph_names")
    update = _endpoint(request, runtime, "/sparql/update") if runtime.settings.update_token else None
    sd = service_description(_endpoint(request, runtime, "/sparql"), graphs, update_endpoint=update)
    body = write_rdf([ox.Triple(to_ox(s), to_ox(p), to_ox(o)) for s, p, o in sd], fmt)
    return Response(body, media_type=fmt.content_type, headers={"Vary": "Accept"})


@router.api_route("/sparql", methods=["GET", "HEAD"],
                  summary="SPARQL query by GET (or HEAD); without `query`, the service description",
            responses={**RESULT_TYPES, "200": {**RESULT_TYPES["200"], "content": {
                **RESULT_TYPES["200"]["content"], HTML.media_type: {}}}})
def sparql_get(
    request: Request, runtime: RuntimeDep,
    query: Annotated[str | None, Query(description="The SPARQL 1.1 query (exactly one).")] = None,
    default_graph_uri: DatasetParam = None, named_graph_uri: NamedParam = None,
) -> Response:
    pairs = decode_pairs(request.scope.get("query_string", b""), "query string")
    if values(pairs, "update"):
        raise ProtocolError("SPARQL Update is not accepted by GET; POST it to /sparql/update")
    text = single(pairs, "query")
    if text is None:
        if any(k in DATASET_PARAMS for k, _ in pairs):
            raise ProtocolError("the request names a dataset but has no 'query' parameter")
        return _describe_service(request, runtime)
    with querylog.logged(request, "query", text):
        return _execute(runtime, text, pairs, request.headers.get("accept"))


@router.post("/sparql", summary="SPARQL query by POST (form-encoded or application/sparql-query)",
             responses=RESULT_TYPES,
             openapi_extra={"requestBody": {"content": {
                 QUERY_MEDIA: {"schema": {"type": "string"}},
                 FORM_MEDIA: {"schema": {"type": "object", "properties": {
                     "query": {"type": "string"},
                     "default-graph-uri": {"type": "array", "items": {"type": "string"}},
                     "named-graph-uri": {"type": "array", "items": {"type": "string"}}},
                     "required": ["query"]}}}, "required": True}})
async def sparql_post(request: Request, runtime: RuntimeDep,
                      default_graph_uri: DatasetParam = None, named_graph_uri: NamedParam = None) -> Response:
    kind, params = media_type(request.headers.get("content-type"))
    url_pairs = decode_pairs(request.scope.get("query_string", b""), "query string")
    body = await request.body()
    if kind == FORM_MEDIA:
        pairs = decode_pairs(body, "form body")
        if values(pairs, "update"):
            raise ProtocolError("SPARQL Update goes to /sparql/update, not /sparql")
        if values(url_pairs, "query"):
            raise ProtocolError("the query is given both in the URL and in the form body", term="query")
        text = single(pairs, "query")
        if text is None:
            raise ProtocolError("the form body has no 'query' parameter", term="query")
        pairs += [(k, v) for k, v in url_pairs if k in DATASET_PARAMS]
    elif kind == QUERY_MEDIA:
        text = utf8_body(body, params, "query")
        if values(url_pairs, "query"):
            raise ProtocolError("the query is given both in the URL and in the request body", term="query")
        pairs = url_pairs
    elif kind == UPDATE_MEDIA:
        raise UnsupportedMediaTypeError("SPARQL Update goes to /sparql/update, not /sparql", term=kind)
    else:
        raise UnsupportedMediaTypeError(
            f"a SPARQL query must be sent as {FORM_MEDIA} or {QUERY_MEDIA}, not '{kind or 'no media type'}'",
            term=kind or None)
    accept = request.headers.get("accept")
    with querylog.logged(request, "query", text):
        return await run_in_threadpool(_execute, runtime, text, pairs, accept)


@router.post("/sparql/update", summary="SPARQL 1.1 Update (bearer token; off unless KG_UPDATE_TOKEN is set)",
             responses={"200": {"description": "Applied atomically."},
                        "400": {"description": "Malformed or refused update (LOAD, SERVICE), dataset given twice."},
                        "401": {"description": "Missing or wrong bearer token."},
                        "403": {"description": "Update is disabled."},
                        "415": {"description": "Unsupported request media type."}},
             openapi_extra={"requestBody": {"content": {
                 UPDATE_MEDIA: {"schema": {"type": "string"}},
                 FORM_MEDIA: {"schema": {"type": "object", "properties": {
                     "update": {"type": "string"},
                     "using-graph-uri": {"type": "array", "items": {"type": "string"}},
                     "using-named-graph-uri": {"type": "array", "items": {"type": "string"}}},
                     "required": ["update"]}}}, "required": True}})
async def sparql_update(
    request: Request, runtime: RuntimeDep,
    authorization: Annotated[str | None, Header(description="Bearer <KG_UPDATE_TOKEN>")] = None,
    using_graph_uri: Annotated[list[str] | None, Query(alias="using-graph-uri")] = None,
    using_named_graph_uri: Annotated[list[str] | None, Query(alias="using-named-graph-uri")] = None,
) -> Response:
    require_token(runtime, authorization, "SPARQL Update")
    kind, params = media_type(request.headers.get("content-type"))
    url_pairs = decode_pairs(request.scope.get("query_string", b""), "query string")
    body = await request.body()
    if kind == FORM_MEDIA:
        pairs = decode_pairs(body, "form body")
        if values(pairs, "query"):
            raise ProtocolError("queries go to /sparql, not /sparql/update", term="query")
        text = single(pairs, "update")
        if text is None:
            raise ProtocolError("the form body has no 'update' parameter", term="update")
    elif kind == UPDATE_MEDIA:
        text = utf8_body(body, params, "update")
        pairs = url_pairs
    else:
        raise UnsupportedMediaTypeError(
            f"a SPARQL update must be sent as {FORM_MEDIA} or {UPDATE_MEDIA}, not '{kind or 'no media type'}'",
            term=kind or None)
    # On the writer thread: one write at a time, no network (api.runtime.Runtime.writer). The answer
    # comes only once the new store generation is published and on disk.
    with querylog.logged(request, "update", text):
        done = runtime.writer.submit(_update, runtime, text, values(pairs, "using-graph-uri"),
                                     values(pairs, "using-named-graph-uri"))
        operations, version = await asyncio.wrap_future(done)
    return JSONResponse({"applied": operations, "version": version})


def _update(runtime: Runtime, text: str, using: list[str], using_named: list[str]) -> tuple[list[str], str]:
    operations = apply_update(runtime.store, text, using=using, using_named=using_named,
                              base_iri=runtime.settings.base_iri, timeout=runtime.settings.update_timeout)
    return operations, runtime.store.version


# OPTIONS and the 405 for other methods list every method of the endpoint (Starlette's 405 names only the
# first route of the path, so `Allow: GET` for /sparql). CORS preflights are answered by the middleware.
ALLOW = {"/sparql": "GET, HEAD, POST, OPTIONS", "/sparql/update": "POST, OPTIONS"}
OTHER_METHODS = ["OPTIONS", "PUT", "DELETE", "PATCH"]


def _other_method(request: Request, path: str) -> Response:
    if request.method == "OPTIONS":
        return Response(status_code=204, headers={"Allow": ALLOW[path]})
    raise HTTPException(405, "Method Not Allowed", headers={"Allow": ALLOW[path]})


@router.api_route("/sparql", methods=OTHER_METHODS, include_in_schema=False)
def sparql_other_method(request: Request) -> Response:
    return _other_method(request, "/sparql")


@router.api_route("/sparql/update", methods=OTHER_METHODS, include_in_schema=False)
def sparql_update_other_method(request: Request) -> Response:
    return _other_method(request, "/sparql/update")
