"""Named questions as REST endpoints: one documented route per question, parameters typed in OpenAPI."""

from __future__ import annotations

import inspect
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import JSONResponse

from kg.errors import ParameterError
from kg.questions import Parameter, Question, get_question, questions

from .. import querylog
from ..deps import RuntimeDep
from ..runtime import Runtime

router = APIRouter(tags=["Questions"])

ENTITY_PATTERN = r"^([a-z0-9][a-z0-9-]*|https?://\S+)$"
DATE_PATTERN = r"^(today|\d{4}-\d{2}-\d{2})$"


@router.get("/questions", summary="The named questions, with title, description and parameters")
def list_questions(request: Request) -> list[dict[str, Any]]:
    return [{**q.to_dict(), "path": f"/questions/{q.name}"} for q in questions().values()]


def _answer(runtime: Runtime, request: Request, question: Question) -> Response:
    known = {p.name for p in question.parameters}
    for key in request.query_params:
        if key not in known:
            raise ParameterError(f"question '{question.name}' has no parameter '{key}' "
                                 f"(parameters: {', '.join(sorted(known)) or 'none'})", term=key)
    params: dict[str, str] = {}
    for key, value in request.query_params.multi_items():
        if key in params:
            raise ParameterError(f"parameter '{key}' is given more than once", term=key)
        params[key] = value
    # The worker hands back the answer already serialised (kg.questions.answer_json).
    with querylog.logged(request, "question", querylog.question_text(question.name, params)):
        body: bytes = runtime.run("ask", {"name": question.name, "params": params})
    return Response(body, media_type="application/json")


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


@router.get("/questions/{name}", summary="Any named question (unknown names give 404)", include_in_schema=False)
def ask_any(name: str, request: Request, runtime: RuntimeDep) -> Response:
    return _answer(runtime, request, get_question(name))
