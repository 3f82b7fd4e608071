"""The API docs offline and errors as pages (issue #13, items 7 and 8).

* /docs (Swagger UI) and /redoc (ReDoc) render in Debian's Chromium against a real `kg serve` with no
  request to any host but the service's and no console error; their assets (node_modules/, installed by
  `npm ci`) are served by the service itself. Without npm the browser tests skip; with npm but no
  node_modules they fail, saying to run `npm ci`.
* A browser (Accept prefers text/html) gets errors as an HTML page with the same status; everyone else
  keeps the JSON body.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from fastapi.testclient import TestClient
from starlette.requests import Request

from api import docs
from api.errors import error_response
from api.security import CSP
from kg.errors import StoreError
from tests.api_support import (  # noqa: F401 - fixtures
    Server,
    api_store_dir_fixture,
    client_fixture,
    server_fixture,
)

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
SCREENSHOTS = Path(__file__).resolve().parent.parent / "var" / "screenshots"
HTML = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}
JSON = {"Accept": "application/json"}


def need_assets() -> None:
    """Skip only when npm is genuinely unavailable; with npm, missing node_modules is a failure."""
    if docs.installed():
        return
    if shutil.which("npm") is None:
        pytest.skip("npm is not installed, so the API docs' assets (node_modules/) cannot be: "
                    "install Debian's nodejs and npm, then run `npm ci` (scripts/test does both as root)")
    pytest.fail("node_modules/ is missing: run `npm ci` in the project root (scripts/test and scripts/serve do)")


# --- the assets and pages, in-process --------------------------------------------------------------------

@pytest.mark.parametrize(("path", "content_type"), [
    ("/assets/swagger-ui/swagger-ui-bundle.js", "javascript"),
    ("/assets/swagger-ui/swagger-ui.css", "text/css"),
    ("/assets/swagger-ui/favicon-32x32.png", "image/png"),
    ("/assets/redoc/redoc.standalone.js", "javascript"),
    ("/static/docs/swagger-init.js", "javascript"),
    ("/static/docs/redoc-init.js", "javascript"),
    ("/static/docs/redoc.css", "text/css"),
])
def test_assets_are_served_by_the_service(client: TestClient, path: str, content_type: str) -> None:
    need_assets()
    response = client.get(path)
    assert response.status_code == 200, response.text[:300]
    assert content_type in response.headers["content-type"]
    assert response.headers["x-content-type-options"] == "nosniff"


@pytest.mark.parametrize("path", ["/docs", "/redoc"])
def test_docs_pages_load_only_same_origin_assets_and_no_inline_script(client: TestClient, path: str) -> None:
    need_assets()
    response = client.get(path)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    policy = response.headers["content-security-policy"]
    assert "script-src 'self';" in policy and "default-src 'self';" in policy and "img-src 'self' data:;" in policy
    assert "unsafe" not in policy and "http" not in policy
    if path == "/docs":
        assert policy == docs.DOCS_CSP  # the service's CSP plus data: images
    else:  # plus ReDoc's own <style> elements (by this response's nonce, or hash) and its blob: worker
        nonce = re.search(r'data-nonce="([^"]+)"', response.text)
        assert nonce and policy == docs.redoc_csp(nonce.group(1))
        assert nonce.group(1) not in client.get(path).text  # a new nonce each time
    page = response.text
    scripts = re.findall(r"<script\b([^>]*)>(.*?)</script>", page, re.S)
    assert scripts and all('src="/' in attrs and not body.strip() for attrs, body in scripts), scripts
    for url in re.findall(r'(?:src|href)="([^"]+)"', page):
        assert url.startswith("/") and not url.startswith("//"), url
    assert "cdn" not in page.lower()


def test_docs_templates_hold_no_inline_code() -> None:
    """templates/docs/ is the one place with <script> elements (test_api_hardening bans them elsewhere):
    only fixed same-origin src, no inline script or style, no event handler attributes."""
    templates = sorted((Path(docs.__file__).parent / "templates" / "docs").glob("*.html"))
    assert [t.name for t in templates] == ["redoc.html", "swagger.html"]
    for path in templates:
        text = path.read_text()
        for attrs, body in re.findall(r"<script\b([^>]*)>(.*?)</script>", text, re.S | re.I):
            assert re.fullmatch(r' src="/(?:assets|static)/[\w./-]+\.js"', attrs) and not body.strip(), path.name
        assert not re.search(r"<style|\sstyle=|\son[a-z]+=|javascript:", text, re.IGNORECASE), path.name
        for value in re.findall(r'(?:href|src)="([^"]*)"', text):
            assert value.startswith("/") and "{{" not in value, (path.name, value)


def test_the_fastapi_cdn_docs_are_off(client: TestClient) -> None:
    assert "/docs/oauth2-redirect" not in client.get("/openapi.json").json()["paths"]
    assert client.get("/docs/oauth2-redirect").status_code == 404
    assert "/docs" not in client.get("/openapi.json").json()["paths"]


def test_without_node_modules_docs_answer_503_saying_what_to_run(
        client: TestClient, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(docs, "SWAGGER_UI", tmp_path / "swagger-ui-dist")
    monkeypatch.setattr(docs, "REDOC", tmp_path / "redoc")
    for path in ("/docs", "/redoc"):
        response = client.get(path, headers=JSON)
        assert response.status_code == 503
        assert "npm ci" in response.json()["message"] and "scripts/serve" in response.json()["message"]
        page = client.get(path, headers=HTML)
        assert page.status_code == 503 and page.headers["content-type"].startswith("text/html")
        assert "npm ci" in page.text
    app = client.app
    mounts = {getattr(r, "path", ""): r for r in app.routes}  # type: ignore[attr-defined]
    assert isinstance(mounts["/assets/swagger-ui"].app, docs.Assets)  # type: ignore[attr-defined]
    monkeypatch.setattr(mounts["/assets/swagger-ui"].app, "root", tmp_path / "none")  # type: ignore[attr-defined]
    response = client.get("/assets/swagger-ui/swagger-ui.css", headers=JSON)
    assert response.status_code == 503 and "npm ci" in response.json()["message"]


# --- errors for browsers ---------------------------------------------------------------------------------

def test_unknown_path_is_an_html_page_for_a_browser(client: TestClient) -> None:
    response = client.get("/nope", headers=HTML)
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
    assert "Not Found" in response.text and "HTTPError" in response.text
    assert 'href="/documents"' in response.text and 'rel="stylesheet" href="/static/kg.css"' in response.text
    assert response.headers["content-security-policy"] == CSP
    assert "Accept" in response.headers["vary"]


def test_unknown_path_is_json_for_everyone_else(client: TestClient) -> None:
    for headers in (JSON, {}, {"Accept": "*/*"}):
        response = client.get("/nope", headers=headers)
        assert response.status_code == 404
        assert response.headers["content-type"].startswith("application/json")
        assert response.json() == {"error": "HTTPError", "message": "Not Found"}


def test_a_bad_query_is_a_400_page_for_a_browser(client: TestClient) -> None:
    response = client.get("/sparql", params={"query": "SELEKT * WHERE { ?s ?p ?o }"}, headers=HTML)
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("text/html")
    assert "QuerySyntaxError" in response.text
    as_json = client.get("/sparql", params={"query": "SELEKT * WHERE { ?s ?p ?o }"}, headers=JSON)
    assert as_json.status_code == 400 and as_json.json()["error"] == "QuerySyntaxError"
    message = str(as_json.json()["message"])
    assert message.split("\n")[0].replace("<", "&lt;").replace(">", "&gt;")[:40] in response.text


def test_a_bad_parameter_is_a_400_page_for_a_browser(client: TestClient) -> None:
    response = client.get("/validation", params={"as_of": "not-a-date"}, headers=HTML)
    assert response.status_code == 400, response.text[:300]
    assert response.headers["content-type"].startswith("text/html")
    assert "ParameterError" in response.text


def test_a_5xx_page_is_scrubbed(client: TestClient) -> None:
    app: Any = client.app
    request = Request({"type": "http", "app": app, "headers": [(b"accept", b"text/html")]})
    response = error_response(StoreError("cannot open /srv/secret/store/gen-0007/000012.sst"), request)
    assert response.status_code == 500
    page = bytes(response.body).decode()
    assert "text/html" in response.headers["content-type"]
    assert "/srv/secret" not in page and "000012.sst" not in page and "StoreError" in page


def test_update_without_a_token_is_json_for_a_non_browser(server: Server) -> None:
    response = server.post("/sparql/update", data={"update": "INSERT DATA { <http://x/s> <http://x/p> 1 }"},
                           headers={"Accept": "application/json"})
    assert response.status_code == 401
    assert response.headers["content-type"].startswith("application/json")
    assert response.json()["error"] == "UnauthorizedError"
    assert response.headers["www-authenticate"].startswith("Bearer")
    page = server.post("/sparql/update", data={"update": "INSERT DATA { <http://x/s> <http://x/p> 1 }"},
                       headers=HTML)
    assert page.status_code == 401 and page.headers["content-type"].startswith("text/html")
    assert page.headers["www-authenticate"].startswith("Bearer")


# --- the docs in Chromium --------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def browser_context() -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian's chromium is not installed")
    playwright = pytest.importorskip("playwright.sync_api")
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        )
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        yield context
        context.close()
        browser.close()


class Watched:
    """A page whose requests and console errors are recorded."""

    def __init__(self, context: Any) -> None:
        self.page = context.new_page()
        self.requests: list[str] = []
        self.errors: list[str] = []
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))

    def check(self, server: Server) -> None:
        own = urlsplit(server.url).netloc
        others = [u for u in self.requests if urlsplit(u).scheme in ("http", "https", "ws", "wss")
                  and urlsplit(u).netloc != own]
        assert not others, f"requests to other hosts: {others}"
        assert not self.errors, f"console errors: {self.errors}"


def test_swagger_ui_renders_offline(browser_context: Any, server: Server) -> None:
    need_assets()
    watched = Watched(browser_context)
    p = watched.page
    response = p.goto(f"{server.url}/docs")
    assert response.status == 200
    p.wait_for_selector(".opblock-summary-path", timeout=30_000)
    p.wait_for_load_state("networkidle")
    assert "/sparql" in p.inner_text(".swagger-ui")
    assert "AI chips knowledge graph" in p.inner_text(".swagger-ui .info")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    p.screenshot(path=str(SCREENSHOTS / "docs.png"), full_page=True)
    watched.check(server)
    p.close()


def test_redoc_renders_offline(browser_context: Any, server: Server) -> None:
    need_assets()
    watched = Watched(browser_context)
    p = watched.page
    response = p.goto(f"{server.url}/redoc")
    assert response.status == 200
    p.wait_for_selector("#redoc h1", timeout=30_000)
    p.wait_for_load_state("networkidle")
    assert "AI chips knowledge graph" in p.inner_text("#redoc h1")
    assert "/sparql" in p.inner_text("#redoc")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    p.screenshot(path=str(SCREENSHOTS / "redoc.png"), full_page=False)
    watched.check(server)
    p.close()


def test_an_error_page_in_the_browser(browser_context: Any, server: Server) -> None:
    watched = Watched(browser_context)
    p = watched.page
    response = p.goto(f"{server.url}/nope")
    assert response.status == 404
    assert "Not Found" in p.inner_text("body")
    assert p.locator("a[href='/documents']").count() >= 1
    watched.errors = [e for e in watched.errors if "404" not in e]  # the page's own status, logged by Chromium
    watched.check(server)
    p.close()
    assert httpx.get(f"{server.url}/nope", timeout=30).json()["error"] == "HTTPError"
