"""Where an IRI shown on an HTML page may link to: the one decision every template uses (`link`).

* An IRI of the project (`https://w3id.org/aichips/...`) that this service dereferences (`/id/…`,
  `/doc/…`, `/claim/…`, `/ontology`) links to the service's own path, relative.
* Any other `http:`/`https:` IRI with a host links to itself, absolute (a project IRI whose local path
  would leave the service, such as `https://w3id.org/aichips//evil.example/x`, is one of these: it stays on
  w3id.org, never becomes `//evil.example/x`).
* Everything else (`javascript:`, `data:`, `vbscript:`, `file:`, no scheme, control characters or spaces,
  a backslash) gets no link: the template shows it as text.

Templates call it as `link(iri)` (a Jinja global set by `templates()`); autoescaping stays on, so the value
is also attribute-escaped.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

from fastapi.templating import Jinja2Templates

from kg.namespaces import BASE

# The service's own linked-data paths, exactly as the routes in api/routers/linked.py accept them.
_LOCAL = re.compile(r"/(?:(?:id|doc)/[A-Za-z0-9][A-Za-z0-9_.-]*"
                    r"|claim/[A-Za-z0-9][A-Za-z0-9_.-]*(?:/[A-Za-z0-9_-][A-Za-z0-9_.-]*)*"
                    r"|ontology(?:#[A-Za-z0-9_.-]*)?)")
# ASCII controls, space, backslash and characters never valid in an IRI: browsers strip or reinterpret them.
_UNSAFE = re.compile(r'[\x00-\x20\x7f\\<>"`{}|^]')


def link(iri: object) -> str | None:
    """The href for `iri` on a page of this service, or None when it must be shown as text."""
    if not isinstance(iri, str) or not iri or _UNSAFE.search(iri):
        return None
    if iri.startswith(BASE):
        local = "/" + iri[len(BASE):]
        if _LOCAL.fullmatch(local):  # no empty, "." or ".." segment can match
            return local
    try:
        parts = urlsplit(iri)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return None
    return iri


def templates(directory: str | Path) -> Jinja2Templates:
    """The app's templates: autoescaping on (Starlette's default for .html), `link` available to all."""
    engine = Jinja2Templates(directory=str(directory))
    engine.env.globals["link"] = link
    return engine
