"""Errors of the SPARQL service core, in the kg.errors hierarchy (the HTTP layer maps them to statuses)."""

from __future__ import annotations

from ..errors import InputError, KGError


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
