"""The one table from kg.errors classes to HTTP statuses, and the JSON error handlers.

Every error body is JSON: {"error": <class>, "message": ..., "file"/"line"/"term" when known}.
Only 5xx are logged as errors.
"""

from __future__ import annotations

import logging
import re

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

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


def error_response(exc: KGError) -> JSONResponse:
    status = status_of(exc)
    if status >= 500:
        log.error("%s: %s", type(exc).__name__, exc)  # in full: only the body is scrubbed
    headers: dict[str, str] = {}
    if status == 401:
        headers["WWW-Authenticate"] = 'Bearer realm="sparql-update"'
    if status in (429, 503):
        headers["Retry-After"] = str(getattr(exc, "retry_after", 1))
    return JSONResponse(error_body(exc, status), status_code=status, headers=headers)


def install(app: FastAPI) -> None:
    @app.exception_handler(KGError)
    async def kg_error(_request: Request, exc: KGError) -> JSONResponse:
        return error_response(exc)

    @app.exception_handler(RequestValidationError)
    async def invalid(_request: Request, exc: RequestValidationError) -> JSONResponse:
        problems = "; ".join(f"{'.'.join(str(p) for p in e.get('loc', ()))}: {e.get('msg')}" for e in exc.errors())
        return JSONResponse({"error": "ParameterError", "message": problems}, status_code=400)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
        message = str(exc.detail)
        if exc.status_code >= 500:
            log.error("HTTP %s: %s", exc.status_code, exc.detail)
            message = scrub(message)
        return JSONResponse({"error": "HTTPError", "message": message}, status_code=exc.status_code,
                            headers=getattr(exc, "headers", None))

    @app.exception_handler(Exception)
    async def unexpected(_request: Request, exc: Exception) -> JSONResponse:
        log.exception("unexpected error", exc_info=exc)
        return JSONResponse({"error": "InternalError", "message": "internal server error"}, status_code=500)
