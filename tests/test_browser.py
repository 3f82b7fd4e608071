"""The HTML pages as a person meets them: Debian's Chromium, driven by Playwright, against a real
`kg serve` on loopback. Skipped only where Chromium is not installed (scripts/test installs it)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.api_support import Server, api_store_dir_fixture, server_fixture  # noqa: F401 - fixtures

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed")

playwright = pytest.importorskip("playwright.sync_api")


@pytest.fixture(scope="module")
def page(server: Server) -> Iterator[object]:
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        )
        context = browser.new_context()
        yield context.new_page()
        context.close()
        browser.close()


def test_entity_page_shows_facts_with_their_quotes(page: object, server: Server, tmp_path: Path) -> None:
    p = page
    response = p.goto(f"{server.url}/id/alibaba-offshore-training")  # type: ignore[attr-defined]
    assert response.status == 200
    body = p.inner_text("body")  # type: ignore[attr-defined]
    assert "Alibaba's model training in Southeast Asia" in body
    assert "Major firms like Alibaba and ByteDance are training large language models" in body
    assert "sources with direct knowledge" in body
    p.screenshot(path=str(tmp_path / "entity.png"), full_page=True)  # type: ignore[attr-defined]


def test_links_lead_from_an_activity_to_the_firm_and_to_a_claim(page: object, server: Server) -> None:
    p = page
    p.goto(f"{server.url}/id/alibaba-offshore-training")  # type: ignore[attr-defined]
    p.click("a[href='/id/alibaba']")  # type: ignore[attr-defined]
    p.wait_for_url(f"{server.url}/id/alibaba")  # type: ignore[attr-defined]
    assert "Alibaba Group" in p.inner_text("body")  # type: ignore[attr-defined]
    with p.expect_navigation():  # type: ignore[attr-defined]
        p.click("a[href^='/claim/']")  # type: ignore[attr-defined]
    assert "/claim/" in p.url  # type: ignore[attr-defined]
    assert "\u201c" in p.inner_text("body") or "quote" in p.inner_text("body").lower()  # type: ignore[attr-defined]


def test_sparql_form_runs_a_query(page: object, server: Server) -> None:
    p = page
    p.goto(f"{server.url}/sparql")  # type: ignore[attr-defined]
    with p.expect_navigation():  # type: ignore[attr-defined]
        p.click("button[type=submit]")  # type: ignore[attr-defined]
    body = p.content()  # type: ignore[attr-defined]
    assert "ByteDance" in body and "Alibaba" in body, body[:2000]


def test_validation_page_lists_offshore_training_as_info(page: object, server: Server) -> None:
    p = page
    response = p.goto(f"{server.url}/validation?as_of=2025-12-01&format=html")  # type: ignore[attr-defined]
    assert response.status == 200
    body = p.inner_text("body")  # type: ignore[attr-defined]
    assert "Alibaba's model training in Southeast Asia" in body
    assert "ByteDance's model training in Southeast Asia" in body
    assert "(0 violation" in body.lower()


def test_ontology_page_documents_classes_and_properties(page: object, server: Server) -> None:
    p = page
    response = p.goto(f"{server.url}/ontology")  # type: ignore[attr-defined]
    assert response.status == 200
    body = p.inner_text("body")  # type: ignore[attr-defined]
    assert "training activity" in body.lower()
    assert "A firm training one or more AI models" in body
