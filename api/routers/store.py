"""Graph Store Protocol (read side) at /store, and the VoID description of the dataset at /void.

`GET /store?graph=<iri>` is one named graph; `GET /store?default` is the default graph, which in this
service is the union of all named graphs, each triple once (as for SPARQL queries; kg/store/oxigraph.py,
"Set semantics"). Turtle by default; N-Triples, RDF/XML by
Accept; TriG, N-Quads and JSON-LD keep each statement's named graph. HEAD answers the same status and
headers without a body (and without computing the dump). Both run in a query worker.
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from kg.sparql.errors import ProtocolError
from kg.sparql.formats import JSONLD, NQUADS, NTRIPLES, RDFXML, TRIG, TURTLE, Format, negotiate

from ..deps import RuntimeDep
from ..protocol import decode_pairs, single, values
from ..runtime import CLIENT, Runtime

router = APIRouter(tags=["Linked data"])

STORE_OFFERS: tuple[Format, ...] = (TURTLE, NTRIPLES, RDFXML, JSONLD, TRIG, NQUADS)
VOID_OFFERS: tuple[Format, ...] = (TURTLE, NTRIPLES, RDFXML, JSONLD)
# An absolute IRI as RDF allows it (scheme ":" then no spaces, angle brackets or quotes).
IRI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:[^\s<>\"{}|\\^`]*$")

STORE_RESPONSES: dict[int | str, dict[str, Any]] = {
    "200": {"description": "The graph: Turtle (default), N-Triples or RDF/XML; TriG, N-Quads or JSON-LD with "
                           "each statement's named graph.", "content": {f.media_type: {} for f in STORE_OFFERS}},
    "400": {"description": "Neither or both of `graph` and `default`, several `graph`, or a malformed IRI."},
    "404": {"description": "No such named graph."},
    "406": {"description": "No acceptable media type."},
    "422": {"description": "The graph holds more statements than KG_MAX_RESULTS."},
}


def _target(request: Request) -> str | None:
    """The graph IRI, or None for the default graph; 400 unless exactly one of graph=, default is given."""
    pairs = decode_pairs(request.scope.get("query_string", b""), "query string")
    graph = single(pairs, "graph")
    default = bool(values(pairs, "default"))
    if graph is not None and default:
        raise ProtocolError("give either 'graph=<iri>' or 'default', not both", term="graph")
    if graph is None and not default:
        raise ProtocolError("give 'graph=<iri>' (a named graph) or 'default' (the union of all graphs)")
    if graph is not None and not IRI.match(graph):
        raise ProtocolError(f"'{graph}' is not an absolute IRI", term=graph)
    return graph


def _read(request: Request, runtime: Runtime, head: bool) -> Response:
    graph = _target(request)
    fmt = negotiate(request.headers.get("accept"), STORE_OFFERS)
    payload = {"graph": graph, "format": fmt.name, "max": runtime.settings.max_results, "head": head}
    result: bytes | int = runtime.run("graph_store", payload)
    headers = {"Vary": "Accept"}
    if head:
        response = Response(b"", media_type=fmt.content_type, headers=headers)
        del response.headers["content-length"]  # unknown without serialising; HEAD may leave it out
        return response
    assert isinstance(result, bytes)
    return Response(result, media_type=fmt.content_type, headers=headers)


GraphParam = Annotated[str | None, Query(description="IRI of a named graph.")]
DefaultParam = Annotated[str | None, Query(description="Present (no value): the default graph, i.e. the union "
                                                       "of all named graphs, each triple once.")]


@router.get("/store", summary="Graph Store Protocol: read a named graph (?graph=<iri>) or the default graph "
            "(?default, the union of all graphs)", responses=STORE_RESPONSES)
def store_get(request: Request, runtime: RuntimeDep, graph: GraphParam = None,
              default: DefaultParam = None) -> Response:
    return _read(request, runtime, head=False)


@router.head("/store", summary="Graph Store Protocol: HEAD of a named graph or the default graph",
             responses=STORE_RESPONSES)
def store_head(request: Request, runtime: RuntimeDep, graph: GraphParam = None,
               default: DefaultParam = None) -> Response:
    return _read(request, runtime, head=True)


def _base(request: Request, runtime: Runtime) -> str:
    return (runtime.settings.base_url or str(request.base_url)).rstrip("/")


@router.get("/void", summary="VoID description of the dataset (statistics, subsets, licence, endpoint)",
            responses={"200": {"description": "Turtle (default), N-Triples, RDF/XML or JSON-LD by Accept.",
                               "content": {f.media_type: {} for f in VOID_OFFERS}},
                       "406": {"description": "No acceptable media type."}})
def void(request: Request, runtime: RuntimeDep) -> Response:
    fmt = negotiate(request.headers.get("accept"), VOID_OFFERS)
    payload = {"endpoint": _base(request, runtime) + "/sparql", "format": fmt.name}
    # Whole-store statistics (computed once per store version): the longer validation time limit applies.
    limit = max(runtime.settings.query_timeout, runtime.settings.validation_timeout)
    body: bytes = runtime.executor.run("void", payload, timeout=limit, client=CLIENT.get())
    return Response(body, media_type=fmt.content_type, headers={"Vary": "Accept"})
