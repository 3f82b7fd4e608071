"""Named questions as REST endpoints: one documented route per question, parameters typed in OpenAPI.
Browsers (Accept: text/html) get the question as a page instead: a form of its typed parameters, the
answer as a table with each row's evidence, and links to the same answer as JSON and CSV."""

from __future__ import annotations

import inspect
import json
from datetime import date
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import JSONResponse

from kg.browse.pages import answer_csv, answer_table
from kg.errors import InputError, ParameterError
from kg.questions import Parameter, Question, get_question, questions

from .. import querylog
from ..deps import RuntimeDep
from ..runtime import Runtime
from .pages import browse, render, wants_html

router = APIRouter(tags=["Questions"])

# Empty is allowed, and means "not given": an HTML form sends every field, filled in or not.
ENTITY_PATTERN = r"^([a-z0-9][a-z0-9-]*|https?://\S+)?$"
DATE_PATTERN = r"^(today|\d{4}-\d{2}-\d{2})?$"


@router.get("/questions", summary="The named questions, with title, description and parameters",
            responses={"200": {"content": {"application/json": {}, "text/html": {}}}})
def list_questions(request: Request, runtime: RuntimeDep) -> Response:
    listed = [{**q.to_dict(), "path": f"/questions/{q.name}"} for q in questions().values()]
    if wants_html(request):
        return render(runtime, request, "questions.html", title="Named questions", questions=listed)
    return JSONResponse(listed, headers={"Vary": "Accept"})


def _params(request: Request, question: Question) -> dict[str, str]:
    known = {p.name for p in question.parameters}
    for key in request.query_params:
        if key not in known:
            raise ParameterError(f"question '{question.name}' has no parameter '{key}' "
                                 f"(parameters: {', '.join(sorted(known)) or 'none'})", term=key)
    params: dict[str, str] = {}
    for key, value in request.query_params.multi_items():
        if key in params:
            raise ParameterError(f"parameter '{key}' is given more than once", term=key)
        if value.strip():
            params[key] = value.strip()
    return params


def _ask(runtime: Runtime, request: Request, question: Question, params: dict[str, str]) -> bytes:
    # The worker hands back the answer already serialised (kg.questions.answer_json).
    with querylog.logged(request, "question", querylog.question_text(question.name, params)):
        body: bytes = runtime.run("ask", {"name": question.name, "params": params})
    return body


def _answer(runtime: Runtime, request: Request, question: Question) -> Response:
    if wants_html(request):
        return _page(runtime, request, question)
    body = _ask(runtime, request, question, _params(request, question))
    return Response(body, media_type="application/json", headers={"Vary": "Accept"})


def _choices(runtime: Runtime, p: Parameter) -> list[dict[str, Any]]:
    """What an entity picker offers: the entities of the parameter's class, with alternative labels."""
    cls = p.cls if p.cls and p.cls != "Thing" else None
    found: list[dict[str, Any]] = browse(runtime, "complete", {"q": "", "type": cls, "limit": 200})
    return found


def _shown(p: Parameter, value: str) -> str:
    """A parameter's value as its input shows it: a date input cannot hold the word 'today'."""
    return date.today().isoformat() if p.type == "date" and value == "today" else value


def _page(runtime: Runtime, request: Request, question: Question) -> Response:
    given = {k: v for k, v in request.query_params.items() if k in {p.name for p in question.parameters}}
    fields = [{**p.to_dict(), "value": _shown(p, given.get(p.name, p.default or "")),
               "choices": _choices(runtime, p) if p.type == "entity" else []} for p in question.parameters]
    error: dict[str, Any] | None = None
    table: dict[str, Any] | None = None
    status = 200
    try:
        params = _params(request, question)
        labels = {c["iri"]: c["label"] for f in fields for c in f["choices"]}
        table = answer_table(json.loads(_ask(runtime, request, question, params)), labels)
    except InputError as exc:  # shown beside the form, which keeps what was typed
        error, status = {"message": exc.message, "term": exc.term}, 400
    query = urlencode([(k, v) for k, v in request.query_params.multi_items()])
    suffix = f"?{query}" if query else ""
    return render(runtime, request, "question.html", status=status, title=question.title, question=question,
                  fields=fields, table=table, error=error, permalink=f"/questions/{question.name}{suffix}",
                  downloads={"JSON": f"/questions/{question.name}.json{suffix}",
                             "CSV": f"/questions/{question.name}.csv{suffix}"})


def _annotation(p: Parameter) -> Any:
    what = f" (an id such as {p.default}, or an IRI)" if p.type == "entity" and p.default else ""
    cls = f"; must be a {p.cls}" if p.cls and p.cls != "Thing" else ""
    description = f"{p.help}{what}{cls}".strip()
    if p.type == "integer":
        return Annotated[int | None, Query(description=description)]
    pattern = ENTITY_PATTERN if p.type == "entity" else DATE_PATTERN if p.type == "date" else None
    extra: dict[str, Any] = {"examples": [p.default]} if p.default else {}
    return Annotated[str | None, Query(description=description + (" [YYYY-MM-DD or 'today']"
                                                                   if p.type == "date" else ""),
                                       pattern=pattern, **extra)]


def _endpoint(question: Question) -> Any:
    def endpoint(request: Request, runtime: RuntimeDep, **_params: Any) -> Response:
        return _answer(runtime, request, question)

    parameters = [
        inspect.Parameter("request", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=Request),
        inspect.Parameter("runtime", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=RuntimeDep),
    ]
    parameters += [inspect.Parameter(p.name, inspect.Parameter.KEYWORD_ONLY, default=None,
                                     annotation=_annotation(p)) for p in question.parameters]
    endpoint.__signature__ = inspect.Signature(parameters)  # type: ignore[attr-defined]
    endpoint.__name__ = "ask_" + question.name.replace("-", "_")
    return endpoint


for _q in questions().values():
    router.add_api_route(
        f"/questions/{_q.name}", _endpoint(_q), methods=["GET"], summary=_q.title, response_class=JSONResponse,
        description=_q.description + "\n\nEach row carries its evidence: the claims behind it with their "
        "verbatim quote and document (or cited reference source), attribution and status.",
        responses={"400": {"description": "Bad or unknown parameter, unknown entity."},
                   "503": {"description": "Timed out (KG_QUERY_TIMEOUT)."}})


@router.get("/questions/{name}.json", summary="A named question's answer as a JSON download",
            responses={"200": {"content": {"application/json": {}}}})
def download_json(name: str, request: Request, runtime: RuntimeDep) -> Response:
    question = get_question(name)
    body = _ask(runtime, request, question, _params(request, question))
    return Response(body, media_type="application/json",
                    headers={"Content-Disposition": f'attachment; filename="{question.name}.json"'})


@router.get("/questions/{name}.csv", summary="A named question's answer as CSV (the claims of each row last)",
            responses={"200": {"content": {"text/csv": {}}}})
def download_csv(name: str, request: Request, runtime: RuntimeDep) -> Response:
    question = get_question(name)
    answer = json.loads(_ask(runtime, request, question, _params(request, question)))
    return Response(answer_csv(answer), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{question.name}.csv"'})


@router.get("/questions/{name}", summary="Any named question (unknown names give 404)", include_in_schema=False)
def ask_any(name: str, request: Request, runtime: RuntimeDep) -> Response:
    return _answer(runtime, request, get_question(name))
