"""SHACL validation reports: JSON, Turtle, JSON-LD, plain text or an HTML page."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, PlainTextResponse, Response

from kg.browse.timeline import group_findings, timeline
from kg.sparql.formats import JSONLD, TURTLE, Format, negotiate, prefers_html

from ..deps import RuntimeDep
from .pages import browse, render

router = APIRouter(tags=["Validation"])

TEXT = Format("text", "text/plain")
JSON = Format("json", "application/json")
OFFERS = (JSON, TURTLE, JSONLD, TEXT)


@router.get("/validation", summary="Validate the graph against the SHACL shapes",
            responses={"200": {"description": "The report (format by `format` or Accept).",
                               "content": {"application/json": {}, "text/turtle": {}, "application/ld+json": {},
                                           "text/plain": {}, "text/html": {}}},
                       "501": {"description": "kg.validation is not available in this build."}})
def validation_report(
    request: Request, runtime: RuntimeDep,
    as_of: Annotated[date | None, Query(description="Day to evaluate rules and facts on (default today).")] = None,
    shapes: Annotated[Literal["integrity", "compliance", "all"], Query(description="Shape set.")] = "all",
    inferred: Annotated[bool, Query(description="Validate asserted plus inferred data (false: asserted only).")]
        = True,
    format: Annotated[Literal["json", "turtle", "jsonld", "text", "html"] | None,
                      Query(description="Overrides Accept.")] = None,
) -> Response:
    accept = request.headers.get("accept")
    html = format == "html" or (format is None and prefers_html(accept))
    fmt = "json" if html else (format or negotiate(accept, OFFERS).name)
    payload = {"as_of": as_of.isoformat() if as_of else None, "shapes": shapes, "inferred": inferred,
               "format": fmt, "shapes_dir": str(runtime.settings.shapes_dir)}
    result: dict[str, Any] = runtime.executor.run("validate", payload,
                                                  timeout=runtime.settings.validation_timeout)
    if html:
        report = result["report"]
        rules: list[dict[str, Any]] = browse(runtime, "timeline")
        return render(runtime, request, "validation.html", title="Validation report", report=report,
                      shapes=shapes, inferred=inferred, groups=group_findings(report),
                      chart=timeline(rules, str(report.get("asOf") or date.today().isoformat()), report))
    if fmt == "json":
        return JSONResponse(result["report"])
    if fmt == "text":
        return PlainTextResponse(result["body"])
    media = TURTLE if fmt == "turtle" else JSONLD
    return Response(result["body"], media_type=media.content_type, headers={"Vary": "Accept"})

