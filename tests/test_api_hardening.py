"""The hardened web surface (issue #9, part 4): links only to http(s) IRIs and the service's own paths,
security headers on every response, CORS closed by default and never for updates, no secret in errors."""

from __future__ import annotations

import asyncio
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import ValidationError
from starlette.types import Message, Receive, Scope, Send

from api import create_app
from api.links import link
from api.security import CSP, CrossOrigin
from kg.config import Settings
from kg.store import open_store
from tests.api_support import (  # noqa: F401 - fixtures
    TOKEN,
    Server,
    api_store_dir_fixture,
    client_fixture,
    copy_store,
    free_port,
    server_fixture,
    settings,
)

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
TEMPLATES = Path(__file__).resolve().parent.parent / "api" / "templates"
PROBE = "https://w3id.org/aichips/id/hardening-probe"
HOSTILE = [
    "javascript:alert(document.domain)",
    "JavaScript:alert(2)",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    "vbscript:msgbox(1)",
    "file:///etc/passwd",
    "https://w3id.org/aichips//evil.example/x",
    "https://w3id.org/aichips/id//evil.example/y",
]
EXPECTED_HEADERS = {"content-security-policy": CSP, "x-content-type-options": "nosniff",
                    "x-frame-options": "DENY", "referrer-policy": "no-referrer"}


class Hrefs(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []
        self.inline: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in ("href", "src", "action", "formaction") and value is not None:
                self.hrefs.append(value)
            if name == "style" or name.startswith("on"):
                self.inline.append(f"{tag} {name}")
        # Same-origin script files are allowed (the workbench's editor, graph picture and highlights);
        # inline scripts and styles are not (the CSP forbids them).
        src = dict(attrs).get("src") or ""
        if tag == "style" or (tag == "script" and not (src.startswith("/") and not src.startswith("//"))):
            self.inline.append(tag)


def hrefs_of(html: str) -> Hrefs:
    parser = Hrefs()
    parser.feed(html)
    return parser


def assert_safe_links(html: str) -> list[str]:
    found = hrefs_of(html)
    assert not found.inline, found.inline
    for href in found.hrefs:
        if href.startswith("/"):
            assert href[1:2] not in ("/", "\\"), href  # relative: only this service's own paths
        elif not href.startswith("?"):
            assert re.match(r"https?://[^/]", href), href  # otherwise absolute http(s) only
        assert "evil.example" not in href or href.startswith("https://w3id.org/aichips/"), href
    return found.hrefs


# -- the one decision: api.links.link ----------------------------------------------------------------------

@pytest.mark.parametrize(("iri", "href"), [
    ("https://w3id.org/aichips/id/alibaba", "/id/alibaba"),
    ("https://w3id.org/aichips/doc/000_27b38dd4aa941715", "/doc/000_27b38dd4aa941715"),
    ("https://w3id.org/aichips/claim/000_27b38dd4aa941715/some-claim", "/claim/000_27b38dd4aa941715/some-claim"),
    ("https://w3id.org/aichips/ontology#Chip", "/ontology#Chip"),
    ("https://w3id.org/aichips/ontology", "/ontology"),
    ("https://www.wikidata.org/entity/Q1", "https://www.wikidata.org/entity/Q1"),
    ("http://www.w3.org/ns/prov#Entity", "http://www.w3.org/ns/prov#Entity"),
    # project IRIs that would leave the service as a relative link: absolute (on w3id.org) instead
    ("https://w3id.org/aichips//evil.example/x", "https://w3id.org/aichips//evil.example/x"),
    ("https://w3id.org/aichips/id//evil.example/x", "https://w3id.org/aichips/id//evil.example/x"),
    ("https://w3id.org/aichips/claim/a/../../../x", "https://w3id.org/aichips/claim/a/../../../x"),
    ("https://w3id.org/aichips/graph/inferred", "https://w3id.org/aichips/graph/inferred"),
    # no link at all
    ("javascript:alert(document.domain)", None),
    ("JAVASCRIPT:alert(1)", None),
    ("data:text/html,hi", None),
    ("vbscript:msgbox(1)", None),
    ("file:///etc/passwd", None),
    ("urn:uuid:1234", None),
    ("//evil.example/x", None),
    ("/id/x", None),
    ("https:evil.example", None),
    ("https:///evil.example", None),
    ("java\tscript:alert(1)", None),
    (" javascript:alert(1)", None),
    ("https://w3id.org/aichips/\\evil.example", None),
    ("https://a.example/\x00", None),
    ("", None),
])
def test_link_decision(iri: str, href: str | None) -> None:
    assert link(iri) == href


def test_link_is_not_fooled_by_non_strings() -> None:
    assert link(None) is None
    assert link(42) is None


def test_templates_link_only_through_link_and_have_no_inline_code() -> None:
    for path in TEMPLATES.glob("*.html"):
        text = path.read_text()
        # every computed href is the result of link(); the rest are fixed paths of the service
        for match in re.finditer(r'(?:href|src|action)="([^"]*)"', text):
            value = match.group(1)
            assert "{{" not in value or value == "{{ href }}", (path.name, value)
        assert "[24:]" not in text, path.name
        assert not re.search(r"<script|<style|\sstyle=|\son[a-z]+=", text, re.IGNORECASE), path.name


def test_autoescape_stays_on(client: TestClient) -> None:
    runtime = client.app.state.runtime  # type: ignore[attr-defined]
    env = runtime.templates.env
    assert env.globals["link"] is link
    assert all(env.autoescape(path.name) for path in TEMPLATES.glob("*.html"))
    page = env.get_template("base.html").render(title="<script>x</script>")
    assert "<script>" not in page and "&lt;script&gt;" in page


# -- hostile IRIs on the pages -----------------------------------------------------------------------------

@pytest.fixture(scope="module", name="hostile")
def hostile_fixture(api_store_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    """The app on a throwaway copy of the shipped store, plus an entity whose facts (and whose claim, and
    whose referrers) are hostile IRIs."""
    path = copy_store(api_store_dir, tmp_path_factory.mktemp("hostile") / "store")
    claim = "javascript:alert(3)"
    aic = "https://w3id.org/aichips/ontology#"
    facts = " ".join(f"<{PROBE}> <https://w3id.org/aichips/ontology#relatedTo> <{iri}> ." for iri in HOSTILE)
    incoming = " ".join(f"<{iri}> <https://w3id.org/aichips/ontology#relatedTo> <{PROBE}> ." for iri in HOSTILE)
    with open_store("oxigraph", path) as store:
        store.update(f"""INSERT DATA {{
            GRAPH <https://w3id.org/aichips/graph/provenance> {{ <{claim}> a <{aic}Claim> }}
            GRAPH <{claim}> {{ <{PROBE}> <http://www.w3.org/2000/01/rdf-schema#label> "Probe" . {facts} {incoming}
              <{PROBE}> <https://w3id.org/aichips/ontology#relatedTo> <https://w3id.org/aichips/id/alibaba> .
              <{PROBE}> <https://w3id.org/aichips/ontology#relatedTo> <https://example.org/fine> . }}
        }}""")
    with TestClient(create_app(settings(path, query_workers=1))) as c:
        yield c


def test_entity_page_never_links_hostile_iris(hostile: TestClient) -> None:
    r = hostile.get("/id/hardening-probe", headers={"Accept": BROWSER})
    assert r.status_code == 200, r.text
    hrefs = assert_safe_links(r.text)
    assert "/id/alibaba" in hrefs and "https://example.org/fine" in hrefs
    assert "https://w3id.org/aichips//evil.example/x" in hrefs  # absolute, on w3id.org
    assert not any(h.startswith("//") for h in hrefs)
    for iri in ("javascript:alert(document.domain)", "vbscript:msgbox(1)", "file:///etc/passwd"):
        assert iri in r.text  # shown, as text
        assert f'href="{iri}' not in r.text
    assert 'href="javascript:alert(3)"' not in r.text  # the claim link of the evidence too


def test_sparql_html_results_never_link_hostile_iris(hostile: TestClient) -> None:
    query = f"SELECT ?s ?o WHERE {{ {{ <{PROBE}> ?p ?o }} UNION {{ ?s ?p <{PROBE}> }} }}"
    r = hostile.get("/sparql", params={"query": query}, headers={"Accept": BROWSER})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("text/html")
    hrefs = assert_safe_links(r.text)
    assert "/id/alibaba" in hrefs and "https://example.org/fine" in hrefs
    assert not any(h.startswith("//") or h.lower().startswith(("javascript:", "data:")) for h in hrefs)
    assert "javascript:alert(document.domain)" in r.text


def test_shipped_pages_links_are_safe(client: TestClient) -> None:
    for path in ("/id/alibaba", "/documents", "/ontology", "/sparql"):
        r = client.get(path, headers={"Accept": BROWSER})
        assert r.status_code == 200, path
        assert_safe_links(r.text)


# -- security headers ----------------------------------------------------------------------------------------

def assert_headers(r: object, what: str) -> None:
    headers = r.headers  # type: ignore[attr-defined]
    for name, value in EXPECTED_HEADERS.items():
        assert headers.get(name) == value, (what, name, headers.get(name))


def test_csp_is_strict() -> None:
    directives = dict(d.strip().split(" ", 1) for d in CSP.split(";"))
    assert directives["default-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'" and directives["base-uri"] == "'none'"
    assert directives["form-action"] == "'self'" and directives["object-src"] == "'none'"
    assert "unsafe-inline" not in CSP and "unsafe-eval" not in CSP and "*" not in CSP


def test_headers_on_html_json_rdf_static_and_errors(client: TestClient) -> None:
    cases = {
        "html": client.get("/id/alibaba", headers={"Accept": BROWSER}),
        "json": client.get("/entities", params={"limit": 1}),
        "turtle": client.get("/id/alibaba", headers={"Accept": "text/turtle"}),
        "sparql json": client.get("/sparql", params={"query": "ASK {}"},
                                  headers={"Accept": "application/sparql-results+json"}),
        "openapi": client.get("/openapi.json"),
        "css": client.get("/static/kg.css"),
        "404": client.get("/id/no-such-entity-anywhere", headers={"Accept": BROWSER}),
        "400": client.get("/sparql", params={"query": "SELEKT"}),
        "405": client.delete("/sparql"),
        "414": client.get("/sparql", params={"query": "x" * 60_000}),
        "401/403": client.post("/sparql/update", data={"update": "CLEAR ALL"}),
    }
    assert cases["openapi"].json()["paths"]
    assert cases["css"].headers["content-type"].startswith("text/css")
    assert cases["404"].status_code == 404 and cases["405"].status_code == 405
    assert cases["400"].status_code == 400 and cases["414"].status_code == 414
    for what, r in cases.items():
        assert_headers(r, what)


def test_headers_on_unexpected_500(api_store_dir: Path) -> None:
    app: FastAPI = create_app(settings(api_store_dir))

    def boom() -> None:
        raise RuntimeError("boom")

    app.add_api_route("/boom-for-test", boom)
    c = TestClient(app, raise_server_exceptions=False)  # no lifespan: the route needs no store
    r = c.get("/boom-for-test")
    assert r.status_code == 500
    assert_headers(r, "500")


def test_pages_load_their_css_from_this_origin(client: TestClient) -> None:
    html = client.get("/sparql", headers={"Accept": BROWSER}).text
    assert '<link rel="stylesheet" href="/static/kg.css">' in html
    assert client.get("/static/kg.css").status_code == 200


# -- CORS ----------------------------------------------------------------------------------------------------

PREFLIGHT = {"Origin": "https://yasgui.org", "Access-Control-Request-Method": "POST",
             "Access-Control-Request-Headers": "content-type"}


def cors_headers(r: object) -> dict[str, str]:
    return {k: v for k, v in r.headers.items() if k.lower().startswith("access-control-")}  # type: ignore[attr-defined]


def test_cors_closed_by_default(client: TestClient) -> None:
    assert Settings.model_fields["cors_origins"].default == ""
    r = client.options("/sparql", headers=PREFLIGHT)
    assert not cors_headers(r)
    r = client.get("/sparql", params={"query": "ASK {}"}, headers={"Origin": "https://yasgui.org"})
    assert r.status_code == 200 and not cors_headers(r)


@pytest.fixture(scope="module", name="cors_clients")
def cors_clients_fixture(api_store_dir: Path) -> Iterator[dict[str, TestClient]]:
    clients = {}
    for origins in ("https://yasgui.org", "*"):
        app = create_app(settings(api_store_dir, cors_origins=origins, query_workers=1))
        clients[origins] = TestClient(app).__enter__()
    try:
        yield clients
    finally:
        for c in clients.values():
            c.__exit__(None, None, None)


@pytest.mark.parametrize("origins", ["https://yasgui.org", "*"])
def test_allowed_origin_may_query(cors_clients: dict[str, TestClient], origins: str) -> None:
    c = cors_clients[origins]
    r = c.options("/sparql", headers=PREFLIGHT)
    assert r.status_code == 200
    assert r.headers["access-control-allow-origin"] in (origins, "https://yasgui.org")
    assert "access-control-allow-credentials" not in r.headers
    r = c.get("/sparql", params={"query": "ASK {}"}, headers={"Origin": "https://yasgui.org"})
    assert r.status_code == 200
    assert r.headers["access-control-allow-origin"] in (origins, "https://yasgui.org")
    assert "access-control-allow-credentials" not in r.headers


@pytest.mark.parametrize("origins", ["https://yasgui.org", "*"])
def test_authorization_is_not_an_allowed_cors_header(cors_clients: dict[str, TestClient], origins: str) -> None:
    r = cors_clients[origins].options("/sparql", headers={**PREFLIGHT,
                                                          "Access-Control-Request-Headers": "authorization"})
    assert "authorization" not in r.headers.get("access-control-allow-headers", "").lower()
    assert r.status_code != 200 or "access-control-allow-origin" not in r.headers


@pytest.mark.parametrize("origins", ["https://yasgui.org", "*"])
@pytest.mark.parametrize("path", ["/sparql/update", "/sparql/update/", "/SPARQL/update"])
def test_update_never_answers_another_origin(cors_clients: dict[str, TestClient], origins: str, path: str) -> None:
    c = cors_clients[origins]
    for headers in (PREFLIGHT, {**PREFLIGHT, "Access-Control-Request-Headers": "authorization, content-type"}):
        r = c.options(path, headers=headers)
        assert not cors_headers(r), (path, r.status_code, r.headers)
    r = c.post(path, data={"update": "CLEAR ALL"}, headers={"Origin": "https://yasgui.org"},
               follow_redirects=False)
    assert r.status_code >= 300 and not cors_headers(r), (path, r.status_code)


@pytest.mark.parametrize("path", ["/sparql/update", "//sparql/update", "/sparql//update/", "/Sparql/Update/x"])
def test_cross_origin_middleware_skips_update_paths(path: str) -> None:
    """At the ASGI level (HTTP clients rewrite `//` paths): the preflight reaches the endpoint untouched."""
    seen: list[str] = []

    async def endpoint(scope: Scope, receive: Receive, send: Send) -> None:
        seen.append(scope["path"])
        await send({"type": "http.response.start", "status": 405, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    sent: list[Message] = []

    async def send(message: Message) -> None:
        sent.append(message)

    async def receive() -> Message:
        return {"type": "http.request", "body": b"", "more_body": False}

    scope = {"type": "http", "method": "OPTIONS", "path": path, "query_string": b"",
             "headers": [(b"origin", b"https://yasgui.org"), (b"access-control-request-method", b"POST")]}
    asyncio.run(CrossOrigin(endpoint, ["*"])(scope, receive, send))
    assert seen == [path]
    assert not any(k.lower().startswith(b"access-control-") for k, _ in sent[0]["headers"])


def test_other_origin_refused_when_a_list_is_configured(cors_clients: dict[str, TestClient]) -> None:
    r = cors_clients["https://yasgui.org"].get("/sparql", params={"query": "ASK {}"},
                                                headers={"Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in r.headers


def test_cors_origins_are_checked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KG_CORS_ORIGINS", " https://A.example/ , http://localhost:3000 ")
    assert Settings().cors_origins == "https://a.example,http://localhost:3000"
    monkeypatch.setenv("KG_CORS_ORIGINS", "https://a.example/path")
    with pytest.raises(ValidationError, match="KG_CORS_ORIGINS"):
        Settings()


# -- secrets never printed -----------------------------------------------------------------------------------

WEAK = "weak-secret-weak-secret"  # 23 characters: refused


def test_weak_token_error_names_the_rule_not_the_value(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KG_UPDATE_TOKEN", WEAK)
    with pytest.raises(ValidationError) as info:
        Settings()
    text = f"{info.value}\n{info.value!r}\n{info.value.json()}\n{info.value.errors()}"
    assert "KG_UPDATE_TOKEN" in text and "24 characters" in text
    assert WEAK not in text
    with pytest.raises(ValidationError) as info:
        Settings(update_token=WEAK)  # given directly (as a SecretStr or str), not by the environment
    assert WEAK not in f"{info.value}\n{info.value.json()}\n{info.value.errors()}"


def test_kg_serve_with_weak_token_never_prints_it(tmp_path: Path) -> None:
    kg = Path(sys.executable).parent / "kg"
    env = {**os.environ, "KG_UPDATE_TOKEN": WEAK, "KG_STORE_PATH": str(tmp_path / "store"),
           "KG_PORT": str(free_port()), "KG_LOAD_IF_EMPTY": "false"}
    done = subprocess.run([str(kg), "serve"], env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode != 0
    assert "KG_UPDATE_TOKEN" in done.stderr
    assert WEAK not in done.stdout and WEAK not in done.stderr


def test_running_server_never_logs_the_token(server: Server) -> None:
    update = "INSERT DATA { GRAPH <urn:test:hardening> { <urn:a> <urn:b> 1 } }"
    wrong = "wrong-token-0123456789-abcdefghij"
    assert server.post("/sparql/update", data={"update": update},
                       headers={"Authorization": f"Bearer {wrong}"}).status_code == 401
    r = server.post("/sparql/update", data={"update": update}, headers={"Authorization": f"Bearer {TOKEN}"})
    assert r.status_code == 200 and TOKEN not in r.text
    server.post("/sparql/update", data={"update": "DROP SILENT GRAPH <urn:test:hardening>"},
                headers={"Authorization": f"Bearer {TOKEN}"})
    log = server.log.read_text()
    assert TOKEN not in log and wrong not in log
