"""Browser security of the service: security headers on every response, CORS (closed unless configured,
never for updates) and the static assets the Content-Security-Policy allows. `install(app, settings)`.

Headers (docs/api.md, "Browser security"):

* `Content-Security-Policy`: only this origin's own scripts, styles and images (no inline script or style:
  the pages' CSS is `/static/kg.css`), no plugins, no `<base>`, forms post only here, no framing.
  `/docs` and `/redoc` (api/docs.py) are served offline from this origin and set their own, slightly
  wider policy (data: images; ReDoc's nonced styles and blob: worker).
* `X-Content-Type-Options: nosniff`, `X-Frame-Options: DENY` (frame-ancestors for old browsers).
* `Referrer-Policy: no-referrer`: SPARQL queries travel in page URLs; a click on an external IRI must not
  send them to that site.

The headers are added by a wrapper around the whole middleware stack, so they are on every response,
including the 500 that Starlette's outermost error middleware sends and the 413/414 of the size limit.
"""

from __future__ import annotations

import re
from pathlib import Path

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.staticfiles import StaticFiles
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from kg.config import Settings

STATIC = Path(__file__).resolve().parent / "static"

CSP = "; ".join((
    "default-src 'self'", "script-src 'self'", "style-src 'self'", "img-src 'self'", "connect-src 'self'",
    "object-src 'none'", "base-uri 'none'", "form-action 'self'", "frame-ancestors 'none'",
))
HEADERS: tuple[tuple[str, str], ...] = (
    ("Content-Security-Policy", CSP),
    ("X-Content-Type-Options", "nosniff"),
    ("X-Frame-Options", "DENY"),
    ("Referrer-Policy", "no-referrer"),
)

# Paths that never answer another origin, whatever KG_CORS_ORIGINS says.
_NO_CORS = re.compile(r"/sparql/update(?:/.*)?", re.IGNORECASE)


class SecurityHeaders:
    """Adds HEADERS to every HTTP response (a header the endpoint set itself is kept)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in HEADERS:
                    if name not in headers:
                        headers[name] = value
            await send(message)

        await self.app(scope, receive, with_headers)


def cors_origins(settings: Settings) -> list[str]:
    """KG_CORS_ORIGINS as a list (empty: same-origin only)."""
    return [o.strip() for o in settings.cors_origins.split(",") if o.strip()]


class CrossOrigin:
    """CORS for reading: the configured origins (or `*`) may GET/POST with Accept and Content-Type headers,
    never with credentials or Authorization; `/sparql/update` never answers another origin (no
    Access-Control-Allow-* header, its preflight reaches the endpoint and fails). No origins: a no-op."""

    def __init__(self, app: ASGIApp, origins: list[str]) -> None:
        self.app = app
        self.cors: ASGIApp | None = None
        if origins:
            self.cors = CORSMiddleware(app, allow_origins=origins, allow_methods=["GET", "POST"],
                                       allow_headers=["Accept", "Content-Type"], allow_credentials=False,
                                       max_age=600)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = re.sub("/{2,}", "/", scope.get("path", "")) if scope["type"] == "http" else ""
        if self.cors is None or scope["type"] != "http" or _NO_CORS.fullmatch(path):
            await self.app(scope, receive, send)
            return
        await self.cors(scope, receive, send)


def install(app: FastAPI, settings: Settings) -> None:
    """CORS (innermost of the middleware added so far), /static, and the security headers around the
    whole stack (Starlette builds the stack on the first request, after every add_middleware)."""
    app.add_middleware(CrossOrigin, origins=cors_origins(settings))
    app.mount("/static", StaticFiles(directory=str(STATIC)), name="static")
    build = app.build_middleware_stack

    def build_with_headers() -> ASGIApp:
        return SecurityHeaders(build())

    setattr(app, "build_middleware_stack", build_with_headers)  # noqa: B010 - an instance override
