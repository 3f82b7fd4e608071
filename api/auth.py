"""The one check every write endpoint makes: the bearer token of KG_UPDATE_TOKEN (compared in constant time)."""

from __future__ import annotations

import hmac

from kg.sparql.errors import UnauthorizedError, UpdateDisabledError

from .runtime import Runtime


def require_token(runtime: Runtime, authorization: str | None, what: str) -> None:
    token = runtime.settings.update_token
    if token is None:
        raise UpdateDisabledError(f"{what} is disabled on this service (no KG_UPDATE_TOKEN configured)")
    scheme, _, given = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(given.strip().encode(),
                                                             token.get_secret_value().encode()):
        raise UnauthorizedError(f"{what} needs 'Authorization: Bearer <KG_UPDATE_TOKEN>'")
