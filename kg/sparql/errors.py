"""Errors of the SPARQL service core, in the kg.errors hierarchy (the HTTP layer maps them to statuses)."""

from __future__ import annotations

from ..errors import InputError, KGError, QueryError


class NotAcceptableError(InputError):
    """None of the media types the client accepts can carry this kind of result."""


class UnsupportedMediaTypeError(InputError):
    """The request body has a media type the operation does not take."""


class ProtocolError(InputError):
    """The request breaks the SPARQL 1.1 Protocol (e.g. two `query` parameters, a dataset given twice)."""


class UpdateDisabledError(KGError):
    """SPARQL Update is off: no KG_UPDATE_TOKEN is configured."""


class UnauthorizedError(KGError):
    """The request lacks the bearer token this operation needs."""


class ServerBusyError(KGError):
    """Every query worker stayed busy for the whole time limit."""

    def __init__(self, message: str, *, retry_after: int = 1) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class TooManyRequestsError(KGError):
    """Admission control: the client holds its share of the workers, or the queue is full (429)."""

    def __init__(self, message: str, *, retry_after: int = 1) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class EngineCrashError(QueryError):
    """The engine aborted on a query (a Rust panic); the query ran in a throwaway process, so the
    worker survived."""
