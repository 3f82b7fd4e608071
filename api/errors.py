"""The one table from kg.errors classes to HTTP statuses, and the JSON error handlers.

Every error body is JSON: {"error": <class>, "message": ..., "file"/"line"/"term" when known}, except for
a browser (Accept prefers text/html, kg.sparql.formats.prefers_html): the same fields as an HTML page
(templates/error.html), with the same status and headers. Only 5xx are logged as errors.
"""

from __future__ import annotations

import logging
import re
from http import HTTPStatus

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

from kg.errors import (
    InputError,
    KGError,
    NotFoundError,
    ParameterError,
    QueryError,
    QuerySyntaxError,
    QueryTimeoutError,
    ResultTooLargeError,
    StoreError,
    UnknownQuestionError,
    UnsafeQueryError,
)
from kg.sparql.errors import (
    NotAcceptableError,
    ProtocolError,
    ServerBusyError,
    TooManyRequestsError,
    UnauthorizedError,
    UnsupportedMediaTypeError,
    UpdateDisabledError,
)
from kg.sparql.formats import prefers_html
from kg.sparql.validation import ValidationUnavailableError

log = logging.getLogger("api.errors")

# Most specific first: the first class the error is an instance of decides.
STATUS: list[tuple[type[KGError], int]] = [
    (UnknownQuestionError, 404),
    (NotFoundError, 404),
    (NotAcceptableError, 406),
    (UnsupportedMediaTypeError, 415),
    (UnauthorizedError, 401),
    (UpdateDisabledError, 403),
    (ResultTooLargeError, 422),
    (QueryTimeoutError, 503),
    (ServerBusyError, 503),
    (TooManyRequestsError, 429),
    (ValidationUnavailableError, 501),
    (QuerySyntaxError, 400),
    (UnsafeQueryError, 400),
    (ParameterError, 400),
    (ProtocolError, 400),
    (InputError, 400),
    (QueryError, 500),
    (StoreError, 500),
    (KGError, 500),
]


def status_of(exc: KGError) -> int:
    for cls, status in STATUS:
        if isinstance(exc, cls):
            return status
    return 500


# What a server-side failure message must not show a client: absolute paths (POSIX, file: URLs, Windows),
# and the store's own file and directory names (generations, RocksDB files).
_PATH = re.compile(r"""(?:(?<=^)|(?<=[\s'"(\[=<,]))(?:file://)?(?:~|[A-Za-z]:)?(?:[/\\][^\s'"()\[\]<>,;:]+)+""")
_STORE_NAMES = re.compile(r"\b(?:gen-\d+|(?:MANIFEST|OPTIONS)-\d+|[\w.-]+\.(?:sst|log|blob|ldb))\b")


def scrub(message: str) -> str:
    """A 5xx message fit for the response body: paths and store file names replaced by <path>/<file>.
    URLs (http://...) are kept: the '//' follows a scheme, not a separator."""
    message = _PATH.sub("<path>", message)
    return _STORE_NAMES.sub("<file>", message)


def error_body(exc: KGError, status: int | None = None) -> dict[str, object]:
    if isinstance(exc, InputError):
        body: dict[str, object] = {k: v for k, v in exc.to_dict().items() if v is not None}
    else:
        body = {"error": type(exc).__name__, "message": str(exc)}
    if (status if status is not None else status_of(exc)) >= 500:
        body = {k: scrub(v) if isinstance(v, str) else v for k, v in body.items()}
    return body


def respond(request: Request | None, body: dict[str, object], status: int,
            headers: dict[str, str] | None = None) -> Response:
    """`body` as JSON, or as the HTML error page when the client is a browser and the app's templates are
    there (the runtime exists once the lifespan has started); Vary: Accept either way."""
    headers = {**(headers or {}), "Vary": "Accept"}
    runtime = getattr(request.app.state, "runtime", None) if request is not None else None
    if request is not None and runtime is not None and prefers_html(request.headers.get("accept")):
        try:
            reason = HTTPStatus(status).phrase
        except ValueError:
            reason = ""
        fields = {k: v for k, v in body.items() if k in ("error", "message", "term", "file", "line")}
        html = runtime.templates.get_template("error.html").render(
            title=f"{status} {reason}".strip(), status=status, reason=reason, **fields)
        return HTMLResponse(html, status_code=status, headers=headers)
    return JSONResponse(body, status_code=status, headers=headers)


def error_response(exc: KGError, request: Request | None = None) -> Response:
    status = status_of(exc)
    if status >= 500:
        log.error("%s: %s", type(exc).__name__, exc)  # in full: only the body is scrubbed
    headers: dict[str, str] = {}
    if status == 401:
        headers["WWW-Authenticate"] = 'Bearer realm="sparql-update"'
    if status in (429, 503):
        headers["Retry-After"] = str(getattr(exc, "retry_after", 1))
    return respond(request, error_body(exc, status), status, headers)


def install(app: FastAPI) -> None:
    @app.exception_handler(KGError)
    async def kg_error(request: Request, exc: KGError) -> Response:
        return error_response(exc, request)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> Response:
        problems = "; ".join(f"{'.'.join(str(p) for p in e.get('loc', ()))}: {e.get('msg')}" for e in exc.errors())
        return respond(request, {"error": "ParameterError", "message": problems}, 400)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        message = str(exc.detail)
        if exc.status_code >= 500:
            log.error("HTTP %s: %s", exc.status_code, exc.detail)
            message = scrub(message)
        return respond(request, {"error": "HTTPError", "message": message}, exc.status_code,
                       getattr(exc, "headers", None))

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> Response:
        log.exception("unexpected error", exc_info=exc)
        return respond(request, {"error": "InternalError", "message": "internal server error"}, 500)
