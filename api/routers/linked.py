"""Linked data: every IRI of the graph dereferences here (HTML for browsers, RDF by Accept), plus the
ontology and the list of source documents."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response

from kg.browse.pages import entity_page
from kg.namespaces import CLAIM, DOC, ID
from kg.sparql.formats import HTML, JSONLD, NQUADS, NTRIPLES, RDFXML, TRIG, TURTLE, Format, negotiate

from ..deps import RuntimeDep
from ..runtime import Runtime
from .pages import browse, render

router = APIRouter(tags=["Linked data"])

RDF_OFFERS: tuple[Format, ...] = (TURTLE, JSONLD, NTRIPLES, RDFXML, TRIG, NQUADS)
PAGE_OFFERS: tuple[Format, ...] = (HTML, *RDF_OFFERS)
RDF_RESPONSES: dict[int | str, dict[str, Any]] = {
    "200": {"description": "HTML for browsers; Turtle, JSON-LD, N-Triples, RDF/XML, TriG or N-Quads by Accept "
                           "(TriG, N-Quads and JSON-LD keep the named graph of each triple).",
            "content": {f.media_type: {} for f in PAGE_OFFERS}},
    "404": {"description": "Not in the graph."}, "406": {"description": "No acceptable media type."}}
FormatParam = Annotated[str | None, Query(description="Overrides Accept: html, turtle, jsonld, ntriples, rdfxml, "
                                                      "trig or nquads.", max_length=40)]


def _choose(request: Request, requested: str | None) -> Format:
    """HTML only for clients that ask for it (browsers); RDF clients and */* get Turtle."""
    accept = request.headers.get("accept")
    if requested:
        return negotiate(accept, PAGE_OFFERS, requested=requested)
    rdf_first = negotiate(accept, (*RDF_OFFERS, HTML))
    return rdf_first


def _page(runtime: Runtime, request: Request, template: str, **context: Any) -> HTMLResponse:
    return render(runtime, request, template, **context)


def _rdf(runtime: Runtime, iri: str, fmt: Format) -> Response:
    body: bytes = runtime.run("describe", {"iri": iri, "format": fmt.name})
    return Response(body, media_type=fmt.content_type, headers={"Vary": "Accept"})


@router.get("/id/{slug}", summary="An entity (https://w3id.org/aichips/id/{slug})", responses=RDF_RESPONSES)
def entity(request: Request, runtime: RuntimeDep,
           slug: Annotated[str, Path(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$", max_length=200)],
           format: FormatParam = None) -> Response:
    fmt = _choose(request, format)
    if fmt is HTML:
        # the facts first: an unknown entity is a 404 before anything else is read
        found = entity_page(runtime.run("entity", slug), browse(runtime, "neighbourhood", slug))
        return _page(runtime, request, "entity.html", entity=found, title=found["label"] or slug)
    return _rdf(runtime, str(ID[slug]), fmt)


@router.get("/doc/{ident}", summary="A source document (https://w3id.org/aichips/doc/{ident})",
            responses=RDF_RESPONSES)
def document(request: Request, runtime: RuntimeDep,
             ident: Annotated[str, Path(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$", max_length=200)],
             format: FormatParam = None) -> Response:
    fmt = _choose(request, format)
    if fmt is HTML:
        doc: dict[str, Any] = browse(runtime, "reader", {"id": ident, "data_dir": str(runtime.settings.data_dir)})
        return _page(runtime, request, "document.html", doc=doc, title=doc["title"] or ident)
    return _rdf(runtime, str(DOC[ident]), fmt)


@router.get("/claim/{path:path}", summary="A claim (https://w3id.org/aichips/claim/...)", responses=RDF_RESPONSES)
def claim(request: Request, runtime: RuntimeDep,
          path: Annotated[str, Path(pattern=r"^[A-Za-z0-9][A-Za-z0-9_./-]*$", max_length=300)],
          format: FormatParam = None) -> Response:
    fmt = _choose(request, format)
    iri = str(CLAIM) + path
    if fmt is HTML:
        return _page(runtime, request, "claim.html", claim=runtime.run("claim", iri), title=path)
    return _rdf(runtime, iri, fmt)


@router.get("/ontology", summary="The ontology: Turtle (and other RDF syntaxes) or an HTML documentation page",
            responses=RDF_RESPONSES)
def ontology(request: Request, runtime: RuntimeDep, format: FormatParam = None) -> Response:
    fmt = _choose(request, format)
    if fmt is HTML:
        return _page(runtime, request, "ontology.html", doc=runtime.run("ontology_doc"), title="Ontology")
    body: bytes = runtime.run("ontology_rdf", fmt.name)
    return Response(body, media_type=fmt.content_type, headers={"Vary": "Accept"})


@router.get("/documents", summary="Source documents with their claims (quote, attribution, status)",
            responses={"200": {"content": {"application/json": {}, "text/html": {}}}})
def documents(request: Request, runtime: RuntimeDep,
              format: Annotated[str | None, Query(description="json or html (overrides Accept)",
                                                  pattern="^(json|html)$")] = None) -> Response:
    docs: list[dict[str, Any]] = runtime.run("documents")
    accept = request.headers.get("accept")
    wants_html = format == "html" or (format is None and negotiate(
        accept, (Format("json", "application/json"), HTML)) is HTML)
    if wants_html:
        return _page(runtime, request, "documents.html", docs=docs, title="Source documents")
    return JSONResponse(docs, headers={"Vary": "Accept"})
