"""The HTML pages as a person meets them: Debian's Chromium, driven by Playwright, against a real
`kg serve` on loopback. Skipped only where Chromium is not installed (scripts/test installs it).

Every page is visited the same way (`visit`): no request may go to any host but the service's, no console
error, axe-core (npm, read from node_modules/ and evaluated in the page) finds no serious or critical
violation, the page fits 1280 px without sideways scrolling, and a screenshot goes to var/screenshots/
so that anyone can look at the pages without a browser."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.api_support import Server, api_store_dir_fixture, server_fixture  # noqa: F401 - fixtures

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = ROOT / "var" / "screenshots"
WIDTH, HEIGHT = 1280, 900
SEED = "000_27b38dd4aa941715"
pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed")

playwright = pytest.importorskip("playwright.sync_api")


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with playwright.sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        )
        yield b
        b.close()


@dataclass
class Watch:
    """What a page did: requests to other hosts, console errors, uncaught exceptions."""

    origin: str
    foreign: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def request(self, request: Any) -> None:
        parts = urlsplit(request.url)
        if parts.scheme in ("data", "blob", "about"):
            return
        if f"{parts.scheme}://{parts.netloc}" != self.origin:
            self.foreign.append(request.url)

    def console(self, message: Any) -> None:
        if message.type != "error":
            return
        where = (message.location or {}).get("url", "")
        # The reader asks for proposals where the API offers them; "nothing proposed" is a 404 it ignores.
        if where.endswith("/proposals") and "404" in message.text:
            return
        self.errors.append(f"{message.text} ({where})")

    def check(self) -> None:
        assert not self.foreign, f"requests to other hosts: {self.foreign}"
        assert not self.errors, f"console errors: {self.errors}"


@pytest.fixture
def page(browser: Any, server: Server) -> Iterator[tuple[Any, Watch]]:
    context = browser.new_context(viewport={"width": WIDTH, "height": HEIGHT})
    p = context.new_page()
    watch = Watch(server.url)
    p.on("request", watch.request)
    p.on("console", watch.console)
    p.on("pageerror", lambda exc: watch.errors.append(f"uncaught: {exc}"))
    yield p, watch
    context.close()


def axe_violations(p: Any) -> list[str]:
    """Serious and critical axe-core violations of the page as it is now."""
    p.evaluate(AXE.read_text(encoding="utf-8"))  # evaluated, not a <script>: the page's CSP stays as served
    result = p.evaluate("""async () => {
        const r = await axe.run(document, {resultTypes: ["violations"]});
        return r.violations.filter(v => v.impact === "serious" || v.impact === "critical")
            .map(v => v.id + " (" + v.impact + "): " + v.help + " -- "
                 + v.nodes.slice(0, 3).map(n => n.target.join(" ")).join(" | "));
    }""")
    return list(result)


def settle(p: Any) -> None:
    p.wait_for_load_state("networkidle")


def inspect(p: Any, watch: Watch, name: str, *, axe: bool = True) -> None:
    """The checks every page passes, then its screenshot."""
    settle(p)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    p.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
    width = p.evaluate("document.scrollingElement.scrollWidth")
    assert width <= WIDTH, f"{name} is {width} px wide: it scrolls sideways at {WIDTH} px"
    if axe:
        violations = axe_violations(p)
        assert not violations, f"{name}: " + "\n".join(violations)
    watch.check()


def visit(p: Any, watch: Watch, url: str, name: str, status: int = 200, **kwargs: Any) -> None:
    response = p.goto(url)
    assert response is not None and response.status == status, (url, response and response.status)
    inspect(p, watch, name, **kwargs)


PAGES = [
    ("/", "home"),
    ("/questions", "questions"),
    ("/questions/firms-training-outside?vendor=nvidia&jurisdiction=china", "question-firms-training-outside"),
    ("/questions/rules-for-chip?chip=h20&destination=china&date=2025-09-01", "question-rules-for-chip"),
    ("/entities", "entities"),
    ("/entities?type=Chip", "entities-chip"),
    ("/id/alibaba", "entity-alibaba"),
    ("/id/alibaba-offshore-training", "entity-alibaba-offshore-training"),
    ("/id/us-h20-licence-requirement", "entity-us-h20-licence-requirement"),
    (f"/doc/{SEED}", "document"),
    ("/documents", "documents"),
    ("/validation?as_of=2025-12-01&format=html", "validation"),
    ("/ontology", "ontology"),
    ("/sparql", "sparql"),
    ("/docs", "api-docs"),
    ("/redoc", "api-redoc"),
]


@pytest.mark.parametrize(("path", "name"), PAGES, ids=[n for _, n in PAGES])
def test_every_page_is_clean(page: tuple[Any, Watch], server: Server, path: str, name: str) -> None:
    p, watch = page
    visit(p, watch, server.url + path, name)


@pytest.mark.parametrize(("path", "status", "name"), [
    ("/no-such-page", 404, "error-404"),
    ("/id/no-such-entity", 404, "error-404-entity"),
    ("/entities?type=Banana", 400, "error-400-unknown-class"),
    ("/validation?as_of=not-a-date", 400, "error-400-date"),
])
def test_error_pages(page: tuple[Any, Watch], server: Server, path: str, status: int, name: str) -> None:
    p, watch = page
    # The failed main request is the one console error a browser logs for an error page.
    p.remove_listener("console", watch.console)
    visit(p, watch, server.url + path, name, status=status)
    body = p.inner_text("main")
    assert str(status) in body and "Home" in body


def test_headline_question_through_its_form(page: tuple[Any, Watch], server: Server) -> None:
    p, watch = page
    p.goto(f"{server.url}/questions")
    p.click("a[href='/questions/firms-training-outside']")
    p.fill("#p-vendor", "nvidia")
    p.fill("#p-jurisdiction", "china")
    with p.expect_navigation():
        p.click("form.question-form button[type=submit]")
    assert "vendor=nvidia" in p.url and "jurisdiction=china" in p.url  # the permalink is the page's URL
    table = p.locator("table.answer")
    rows = table.locator("tbody tr")
    assert rows.count() >= 2  # a row per firm and place
    text = table.inner_text()
    assert "Alibaba Group" in text and "ByteDance" in text and "DeepSeek" not in text
    first = rows.first.locator("details.ev")
    first.locator("summary").click()
    evidence = first.inner_text()
    assert "Major firms like Alibaba and ByteDance" in evidence and "confirmed" in evidence
    passage = first.locator("a", has_text="passage").first
    assert passage.get_attribute("href").startswith(f"/doc/{SEED}#claim-")
    inspect(p, watch, "question-evidence-open")
    with p.expect_navigation():
        passage.click()
    p.wait_for_selector("mark.q.current")
    assert p.locator("#panel .claim-item").count() >= 1
    inspect(p, watch, "document-from-evidence")


def test_sparql_editor_runs_a_query(page: tuple[Any, Watch], server: Server) -> None:
    p, watch = page
    p.goto(f"{server.url}/sparql")
    p.wait_for_selector(".yasqe .CodeMirror")
    assert p.locator("#plain-query").is_hidden()  # the no-script form gives way to the editor
    tabs = p.locator(".yasgui .tabsList .tab").all_inner_texts()
    assert any("Firms training on a vendor" in t for t in tabs), tabs
    query = ("PREFIX aic: <https://w3id.org/aichips/ontology#>\nPREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
             "SELECT DISTINCT ?firm ?label WHERE { ?firm a aic:AIDeveloper ; rdfs:label ?label } ORDER BY ?label")
    p.evaluate("q => window.kgYasgui.getTab().getYasqe().setValue(q)", query)
    p.click(".yasqe_queryButton")
    p.wait_for_selector(".yasr table.dataTable tbody tr td")
    results = p.inner_text(".yasr")
    assert "Alibaba Group" in results and "ByteDance" in results and "DeepSeek" in results
    assert p.locator(".yasr a[href='/id/alibaba']").count() == 1  # the graph's IRIs open their pages here
    inspect(p, watch, "sparql-results")
    counts = ("PREFIX aic: <https://w3id.org/aichips/ontology#>\n"
              "SELECT ?class (COUNT(DISTINCT ?e) AS ?n) WHERE {\n"
              "  ?e a ?class . FILTER(STRSTARTS(STR(?class), STR(aic:)))\n}\n"
              "GROUP BY ?class ORDER BY DESC(?n) LIMIT 10")
    p.evaluate("q => window.kgYasgui.getTab().getYasqe().setValue(q)", counts)
    p.click(".yasqe_queryButton")
    p.wait_for_selector(".yasr table.dataTable tbody tr td")
    p.click(".yasr .select_chart")
    p.wait_for_selector("svg.kg-chart rect.chart-bar")
    assert p.locator("svg.kg-chart rect.chart-bar").count() == 10
    assert "Regulation" in p.inner_text(".kg-chart-figure")
    inspect(p, watch, "sparql-chart")


def test_seed_document_highlights_quotes(page: tuple[Any, Watch], server: Server) -> None:
    p, watch = page
    p.goto(f"{server.url}/doc/{SEED}")
    quote = "Major firms like Alibaba and ByteDance are training large language models"
    mark = p.locator("mark.q", has_text="Major firms like Alibaba").first
    assert mark.count() == 1
    article = p.inner_text("#doc-text")
    assert quote in article
    mark.click()
    panel = p.inner_text("#panel")
    assert "sources with direct knowledge" in panel and "confirmed" in panel
    assert "Alibaba" in p.inner_text("#panel table.triples")  # the claims' triples
    inspect(p, watch, "document-claim-selected")


def test_entity_picture_leads_to_another_entity(page: tuple[Any, Watch], server: Server) -> None:
    p, watch = page
    p.goto(f"{server.url}/id/alibaba")
    p.wait_for_function("window.kgGraph && window.kgGraph.nodes().length > 1")
    heading = p.inner_text("h1")
    assert heading == "Alibaba Group"
    styles = p.evaluate("window.kgGraph.edges().map(e => [e.data('inferred'), e.style('line-style')])")
    assert any(flag == 1 and style == "dashed" for flag, style in styles), "inferred edges are dashed"
    assert any(flag == 0 and style == "solid" for flag, style in styles), "asserted edges are solid"
    target = p.evaluate("""() => {
        const n = window.kgGraph.getElementById('alibaba-offshore-training');
        const box = window.kgGraph.container().getBoundingClientRect();
        const pos = n.renderedPosition();
        return {x: box.left + pos.x, y: box.top + pos.y};
    }""")
    with p.expect_navigation():
        p.mouse.click(target["x"], target["y"])
    assert p.url.endswith("/id/alibaba-offshore-training")
    assert "Alibaba's model training in Southeast Asia" in p.inner_text("h1")
    inspect(p, watch, "entity-after-click")


def test_entity_page_shows_label_classes_once_and_one_block_per_claim(page: tuple[Any, Watch],
                                                                       server: Server) -> None:
    p, watch = page
    p.goto(f"{server.url}/id/alibaba-offshore-training")
    body = p.inner_text("body")
    assert "Alibaba's model training in Southeast Asia" in body
    assert "Major firms like Alibaba and ByteDance are training large language models" in body
    assert "sources with direct knowledge" in body
    chips = p.locator("p.classes .chip").all_inner_texts()
    assert len(chips) == len(set(chips)) and "TrainingActivity" in chips
    claims = p.locator("article.claim-group .evidence .meta a", has_text="claim").evaluate_all(
        "els => els.map(e => e.getAttribute('href'))")
    assert claims and len(claims) == len(set(claims)), "one evidence block per claim"
    inspect(p, watch, "entity-claims")


def test_links_lead_from_an_activity_to_the_firm_and_to_a_claim(page: tuple[Any, Watch], server: Server) -> None:
    p, watch = page
    p.goto(f"{server.url}/id/alibaba-offshore-training")
    p.click("article.claim-group a[href='/id/alibaba']")
    p.wait_for_url(f"{server.url}/id/alibaba")
    assert "Alibaba Group" in p.inner_text("h1")
    with p.expect_navigation():
        p.click("a[href^='/claim/']")
    assert "/claim/" in p.url
    assert "Asserted facts" in p.inner_text("body")
    inspect(p, watch, "claim")


def test_validation_page_lists_offshore_training_by_rule_with_a_timeline(page: tuple[Any, Watch],
                                                                          server: Server) -> None:
    p, watch = page
    p.goto(f"{server.url}/validation?as_of=2025-12-01&format=html")
    body = p.inner_text("body")
    assert "Alibaba's model training in Southeast Asia" in body
    assert "ByteDance's model training in Southeast Asia" in body
    assert "(0 violation" in body.lower()
    rule = p.locator("article.rule-group h3").first.inner_text()
    assert "licence requirement" in rule.lower() and "https://" not in rule
    assert p.locator("svg.timeline-svg g.rule").count() >= 10
    assert p.locator("svg.timeline-svg circle.finding").count() >= 1
    watch.check()


def test_ontology_page_documents_classes_and_properties(page: tuple[Any, Watch], server: Server) -> None:
    p, watch = page
    p.goto(f"{server.url}/ontology")
    body = p.inner_text("body")
    assert "training activity" in body.lower()
    assert "A firm training one or more AI models" in body
    watch.check()


# -- without JavaScript ---------------------------------------------------------------------------------

@pytest.fixture
def plain(browser: Any, server: Server) -> Iterator[tuple[Any, Watch]]:
    context = browser.new_context(viewport={"width": WIDTH, "height": HEIGHT}, java_script_enabled=False)
    p = context.new_page()
    watch = Watch(server.url)
    p.on("request", watch.request)
    yield p, watch
    context.close()


def test_without_javascript_forms_submit_and_tables_render(plain: tuple[Any, Watch], server: Server) -> None:
    p, watch = plain
    p.goto(f"{server.url}/questions/firms-training-outside")
    p.fill("#p-vendor", "nvidia")
    p.fill("#p-jurisdiction", "china")
    with p.expect_navigation():
        p.click("form.question-form button[type=submit]")
    assert p.locator("table.answer tbody tr").count() >= 2
    p.locator("table.answer details.ev summary").first.click()
    assert "Major firms like Alibaba" in p.inner_text("table.answer")
    inspect(p, watch, "nojs-question", axe=False)

    p.goto(f"{server.url}/sparql")
    assert p.locator("#plain-query").is_visible()
    with p.expect_navigation():
        p.click("#plain-query button[type=submit]")
    body = p.inner_text("body")
    assert "ByteDance" in body and "Alibaba" in body
    rows = p.locator("table tbody tr").all_inner_texts()
    assert len(rows) == len(set(rows)), "DISTINCT: no repeated rows"
    inspect(p, watch, "nojs-sparql-results", axe=False)

    p.goto(f"{server.url}/id/alibaba")
    assert p.locator("#kg-graph ul.neighbours a").count() >= 1  # the picture's fallback list
    inspect(p, watch, "nojs-entity", axe=False)

    p.goto(f"{server.url}/doc/{SEED}")
    assert p.locator("mark.q").count() > 10
    assert "Major firms like Alibaba" in p.inner_text("ol.claims")
    inspect(p, watch, "nojs-document", axe=False)

    p.goto(f"{server.url}/entities?q=deep")
    with p.expect_navigation():
        p.click("form.filter button[type=submit]")
    assert "DeepSeek" in p.inner_text("main table")

    p.goto(f"{server.url}/validation?as_of=2025-12-01&format=html")
    assert p.locator("svg.timeline-svg g.rule").count() >= 10  # drawn by the server

