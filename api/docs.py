"""The API docs served offline: /docs (Swagger UI) and /redoc (ReDoc) from this service's own origin.

FastAPI's built-in pages load their assets from a CDN and bootstrap with inline scripts, which the
Content-Security-Policy (api/security.py) blocks; they are turned off (`FastAPI(docs_url=None,
redoc_url=None)`). Here instead:

* the assets come from the npm packages in package.json (swagger-ui-dist, redoc), installed into
  node_modules/ by `npm ci` (scripts/serve and scripts/test run it), mounted at /assets/swagger-ui/ and
  /assets/redoc/ (and, for the other pages, @zazuko/yasgui at /assets/yasgui/ and cytoscape at
  /assets/cytoscape/; axe-core is for the browser tests only and is not served);
* the pages (templates/docs/swagger.html, templates/docs/redoc.html; apart from the other templates,
  which may hold no `<script>` at all: tests/test_api_hardening.py) load only those assets and their init code from
  /static/docs/*.js: no inline script, no other host. Their CSP is the service's plus `data:` images
  (DOCS_CSP: swagger-ui.css's icons) and, on /redoc, a per-response style nonce for the `<style>`
  elements ReDoc's styled-components inserts (redoc_csp).

Without node_modules the pages and the assets answer 503, saying to run scripts/serve or `npm ci`.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response
from starlette.types import Scope

from . import links
from .security import CSP

ROOT = Path(__file__).resolve().parent.parent
# KG_NODE_MODULES: where `npm ci` put the packages, when not beside the project (e.g. an installed wheel).
NODE_MODULES = Path(os.environ.get("KG_NODE_MODULES") or ROOT / "node_modules")
SWAGGER_UI = NODE_MODULES / "swagger-ui-dist"
REDOC = NODE_MODULES / "redoc" / "bundles"
# The pages' own front-end packages (templates/js/): the SPARQL editor and the entity pictures.
YASGUI = NODE_MODULES / "@zazuko" / "yasgui" / "build"
CYTOSCAPE = NODE_MODULES / "cytoscape" / "dist"
MISSING = ("The API docs' browser assets are not installed (node_modules/ is missing): "
           "run scripts/serve, or `npm ci` in the project root.")

_TEMPLATES = links.templates(Path(__file__).resolve().parent / "templates")
router = APIRouter(include_in_schema=False)
# The service's policy, plus `data:` images on these two pages only: swagger-ui.css draws its icons as
# data: SVGs (an image cannot run script). Still no inline script or style, no other host.
DOCS_CSP = CSP.replace("img-src 'self'", "img-src 'self' data:")
assert DOCS_CSP != CSP


# Two `<style>` elements redoc.standalone.js (2.5.4) inserts as it loads, before its `nonce` option can
# apply: an empty one and one of fixed text. Allowed by hash; the browser test (no console error) notices
# when an upgrade changes them.
REDOC_STYLE_HASHES = ("'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='",
                      "'sha256-QMIg+bpjm3JdElJ388KYke01izlUW0UoNOeKjpMxdgc='")


def redoc_csp(nonce: str) -> str:
    """/redoc's policy: DOCS_CSP, plus the `<style>` elements ReDoc (styled-components) creates: those carrying
    this response's nonce (ReDoc's `nonce` option) and the two of REDOC_STYLE_HASHES; and its search index
    worker, which it starts from a blob: URL (only a script of this origin can make one). Still no inline
    script and no other host."""
    styles = " ".join((f"'nonce-{nonce}'", *REDOC_STYLE_HASHES))
    policy = DOCS_CSP.replace("style-src 'self'", f"style-src 'self' {styles}") + "; worker-src 'self' blob:"
    assert styles in policy
    return policy


def installed() -> bool:
    return (SWAGGER_UI / "swagger-ui-bundle.js").is_file() and (REDOC / "redoc.standalone.js").is_file()


class Assets(StaticFiles):
    """StaticFiles of an npm package directory that may not be installed: then 503, not a crash."""

    def __init__(self, directory: Path) -> None:
        super().__init__(directory=str(directory), check_dir=False)
        self.root = directory

    async def get_response(self, path: str, scope: Scope) -> Response:
        if not self.root.is_dir():
            raise StarletteHTTPException(503, MISSING)
        return await super().get_response(path, scope)


# ReDoc's sidebar shows Redocly's logo from its CDN, unconditionally; served here as an empty image instead.
REDOC_LOGO = b'"https://cdn.redoc.ly/redoc/logo-mini.svg"'
EMPTY_SVG = b'"data:image/svg+xml,%3Csvg xmlns=%27http://www.w3.org/2000/svg%27/%3E"'


class RedocAssets(Assets):
    """ReDoc's bundles; redoc.standalone.js with REDOC_LOGO replaced (read once per file version)."""

    def __init__(self, directory: Path) -> None:
        super().__init__(directory)
        self._bundle: tuple[tuple[int, int], bytes] | None = None

    async def get_response(self, path: str, scope: Scope) -> Response:
        response = await super().get_response(path, scope)
        if path != "redoc.standalone.js" or response.status_code != 200:
            return response
        bundle = self.root / path
        stat = bundle.stat()
        version = (stat.st_mtime_ns, stat.st_size)
        if self._bundle is None or self._bundle[0] != version:
            self._bundle = (version, bundle.read_bytes().replace(REDOC_LOGO, EMPTY_SVG))
        return Response(self._bundle[1], media_type="text/javascript; charset=utf-8",
                        headers={"Cache-Control": "no-cache"})


def _page(request: Request, template: str, policy: str = DOCS_CSP, nonce: str = "") -> HTMLResponse:
    if not installed():
        raise StarletteHTTPException(503, MISSING)
    runtime = getattr(request.app.state, "runtime", None)
    engine = runtime.templates if runtime is not None else _TEMPLATES
    html = engine.get_template(template).render(title=request.app.title, openapi_url=request.app.openapi_url,
                                                nonce=nonce)
    return HTMLResponse(html, headers={"Content-Security-Policy": policy, "Cache-Control": "no-store"})


@router.get("/docs")
def swagger_ui(request: Request) -> HTMLResponse:
    return _page(request, "docs/swagger.html")


@router.get("/redoc")
def redoc(request: Request) -> HTMLResponse:
    nonce = secrets.token_urlsafe(18)  # a new one for every response
    return _page(request, "docs/redoc.html", redoc_csp(nonce), nonce)


def install(app: FastAPI) -> None:
    """The /docs and /redoc pages and the /assets/ mounts: swagger-ui, redoc, and for the other pages yasgui
    (the SPARQL editor) and cytoscape (entity pictures)."""
    app.include_router(router)
    app.mount("/assets/swagger-ui", Assets(SWAGGER_UI), name="swagger-ui")
    app.mount("/assets/redoc", RedocAssets(REDOC), name="redoc")
    app.mount("/assets/yasgui", Assets(YASGUI), name="yasgui")
    app.mount("/assets/cytoscape", Assets(CYTOSCAPE), name="cytoscape")
