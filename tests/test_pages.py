"""The analyst's pages without a browser: content negotiation (browsers get pages, JSON clients keep their
JSON), the question forms and downloads, entity completion, unknown classes, the document reader's
segments, the validation timeline, the editor's configuration, and the pages' script rules."""

from __future__ import annotations

import csv
import html
import io
import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from kg.browse.pages import _segments, answer_csv, answer_table, group_by_claim
from kg.browse.timeline import group_findings, shape_label, timeline
from kg.questions import questions
from tests.api_support import api_store_dir_fixture, client_fixture  # noqa: F401 - fixtures

BROWSER = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}
JSON = {"Accept": "application/json"}
ID = "https://w3id.org/aichips/id/"
SEED = "000_27b38dd4aa941715"
TEMPLATES = Path(__file__).resolve().parent.parent / "api" / "templates"


def test_home_page_and_its_json(client: TestClient) -> None:
    page = client.get("/", headers=BROWSER)
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    for text in ("What the graph holds", "documents", "claims", "rules", "Ask a question", "Latest changes",
                 'action="/entities"', 'href="/questions/firms-training-outside"', "Entities by class"):
        assert text in page.text, text
    data = client.get("/", headers=JSON).json()
    assert data["documents"] >= 1 and data["claims"] > 0 and data["rules"] > 0 and data["version"]
    assert {q["name"] for q in data["questions"]} == set(questions())
    assert any(c["name"] == "Chip" and c["count"] > 0 for c in data["classes"])


def test_questions_list_is_a_page_for_browsers_and_json_otherwise(client: TestClient) -> None:
    assert client.get("/questions", headers=BROWSER).headers["content-type"].startswith("text/html")
    listed = client.get("/questions").json()
    assert {q["name"] for q in listed} == set(questions())


def test_question_page_has_a_typed_form_and_the_answer(client: TestClient) -> None:
    r = client.get("/questions/firms-training-outside", params={"vendor": "nvidia", "jurisdiction": "china"},
                   headers=BROWSER)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    html = r.text
    assert '<form class="question-form" method="get" action="/questions/firms-training-outside">' in html
    assert 'name="vendor" value="nvidia" list="choices-vendor"' in html
    assert re.search(r'<option value="nvidia">Nvidia', html)  # the picker completes over labels
    assert html.count('<details class="ev">') == len(re.findall(r"<tr><td>", html.split("<tbody>")[1]))
    assert "Major firms like Alibaba and ByteDance" in html and "DeepSeek" not in html.split("<tbody>")[1]
    assert 'href="/questions/firms-training-outside.csv?vendor=nvidia&amp;jurisdiction=china"' in html
    assert 'href="/questions/firms-training-outside?vendor=nvidia&amp;jurisdiction=china" rel="bookmark"' in html
    dated = client.get("/questions/rules-for-chip", headers=BROWSER).text
    assert re.search(r'name="date" type="date" value="\d{4}-\d{2}-\d{2}"', dated)


def test_question_page_shows_a_bad_parameter_beside_the_form(client: TestClient) -> None:
    r = client.get("/questions/firms-training-outside", params={"vendor": "china"}, headers=BROWSER)
    assert r.status_code == 400 and "Cannot answer" in r.text and 'name="vendor" value="china"' in r.text


def test_json_answers_are_unchanged_and_empty_fields_mean_defaults(client: TestClient) -> None:
    default = client.get("/questions/rules-for-chip").json()
    empty = client.get("/questions/rules-for-chip", params={"chip": "", "destination": "", "date": ""}).json()
    assert empty == default and default["rows"]
    assert client.get("/questions/firms-training-outside", params={"vendor": "no-such"}).status_code == 400


def test_downloads(client: TestClient) -> None:
    params = {"vendor": "nvidia", "jurisdiction": "china"}
    answer = client.get("/questions/firms-training-outside", params=params).json()
    as_json = client.get("/questions/firms-training-outside.json", params=params)
    assert as_json.json() == answer and "attachment" in as_json.headers["content-disposition"]
    as_csv = client.get("/questions/firms-training-outside.csv", params=params)
    assert as_csv.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(as_csv.text)))
    assert {r["firm"] for r in rows} == {ID + "alibaba", ID + "bytedance"}
    assert all(r["evidence"].startswith("https://w3id.org/aichips/claim/") for r in rows)
    assert client.get("/questions/no-such.csv").status_code == 404


def test_answer_table_folds_labels_into_links() -> None:
    answer = {"variables": ["firm", "firmLabel", "vendor"], "rows": [{"values": {
        "firm": {"type": "uri", "value": ID + "alibaba"}, "firmLabel": {"type": "literal", "value": "Alibaba"},
        "vendor": {"type": "uri", "value": ID + "nvidia"}}, "evidence": [{"claim": "c1"}]}]}
    table = answer_table(answer, {ID + "nvidia": "Nvidia"})
    assert table["columns"] == ["firm", "vendor"]
    assert [c["label"] for c in table["rows"][0]["cells"]] == ["Alibaba", "Nvidia"]
    assert answer_csv(answer).splitlines()[1].endswith(",c1")


def test_entity_completion_over_labels_and_alternative_labels(client: TestClient) -> None:
    found = client.get("/complete", params={"q": "DEEP"}).json()
    assert any(e["id"] == "deepseek" for e in found)
    vendors = client.get("/complete", params={"type": "ChipVendor"}).json()
    assert "nvidia" in {e["id"] for e in vendors} and "alibaba" not in {e["id"] for e in vendors}
    alibaba = next(e for e in client.get("/complete", params={"q": "alibaba"}).json() if e["id"] == "alibaba")
    assert alibaba["label"] == "Alibaba Group" and "Alibaba" in alibaba["alt"]
    assert client.get("/complete", params={"type": "Banana"}).status_code == 400


def test_unknown_class_is_a_400_for_everyone(client: TestClient) -> None:
    r = client.get("/entities", params={"type": "Banana"})
    assert r.status_code == 400 and r.json()["error"] == "ParameterError" and r.json()["term"] == "Banana"
    page = client.get("/entities", params={"type": "Banana"}, headers=BROWSER)
    assert page.status_code == 400 and page.headers["content-type"].startswith("text/html")
    assert client.get("/entities", params={"type": "Chip"}).json()["entities"]


def test_entities_page_lists_and_searches(client: TestClient) -> None:
    r = client.get("/entities", params={"type": "Chip"}, headers=BROWSER)
    assert r.status_code == 200 and 'href="/id/h20"' in r.text and '<option value="Chip" selected>' in r.text
    found = client.get("/entities", params={"q": "deep"}, headers=BROWSER).text
    assert 'href="/id/deepseek"' in found


def test_entity_page_label_classes_and_one_block_per_claim(client: TestClient) -> None:
    html = client.get("/id/alibaba", headers=BROWSER).text
    assert "<h1>Alibaba Group</h1>" in html
    chips = re.findall(r'class="chip[^"]*"[^>]*>([^<]+)<', html)
    assert chips and len(chips) == len(set(chips))
    claims = re.findall(r'<a href="(/claim/[^"]+)">claim</a>', html)
    assert claims and len(claims) == len(set(claims))
    assert 'id="kg-graph"' in html and "data-graph=" in html and "inferred by OWL RL reasoning" in html


def test_group_by_claim_gives_one_group_per_claim() -> None:
    ev = {"claim": "c1", "quote": "q"}
    entity = {"facts": [{"property": {"value": "p1"}, "value": {"value": "a"}, "evidence": [ev]},
                        {"property": {"value": "p2"}, "value": {"value": "b"}, "evidence": [ev, {"claim": "c2"}]}],
              "incoming": [{"subject": {"value": "s"}, "property": {"value": "p3"}, "evidence": [ev]}]}
    groups = group_by_claim(entity)
    assert [g["evidence"]["claim"] for g in groups] == ["c1", "c2"]
    assert [f["direction"] for f in groups[0]["facts"]] == ["out", "out", "in"]


def test_segments_handle_overlapping_quotes() -> None:
    text = "abcdefghij"
    claims = [{"claim": "x/one", "start": 1, "end": 6}, {"claim": "x/two", "start": 4, "end": 9},
              {"claim": "x/three", "start": 2, "end": 3}, {"claim": "x/bad", "start": 8, "end": 99}]
    segments = _segments(text, claims)
    assert "".join(s["text"] for s in segments) == text
    for i, c in enumerate(claims[:3]):
        assert "".join(s["text"] for s in segments if i in s["claims"]) == text[c["start"]:c["end"]]
    assert [s["claims"] for s in segments if s["text"] == "ef"] == [[0, 1]]
    assert [a for s in segments for a in s["anchors"]] == ["one", "three", "two"]


def test_document_reader_shows_the_text_with_highlights(client: TestClient) -> None:
    r = client.get(f"/doc/{SEED}", headers=BROWSER)
    assert r.status_code == 200
    article = r.text.split('<article class="doc-text" id="doc-text">')[1].split("</article>")[0]
    text = re.sub(r"<[^>]+>", "", article)
    plain = html.unescape(text)
    assert plain.startswith("China\u2019s major tech firms")
    assert 'id="claim-training-in-sea-confirmed"' in article
    assert article.count('<mark class="q') > 10
    assert "<blockquote>" in r.text  # the claims, for readers without JavaScript
    assert "““" not in r.text  # a quote starting with its own quotation mark is not quoted twice


def test_validation_page_groups_findings_by_rule_and_draws_the_timeline(client: TestClient) -> None:
    r = client.get("/validation", params={"as_of": "2025-12-01", "format": "html"})
    if r.status_code == 501:
        pytest.skip("kg.validation is not available")
    assert r.status_code == 200
    assert '<svg viewBox="0 0 1200' in r.text and 'class="finding"' in r.text
    assert "US licence requirement for Nvidia H20" in r.text and "Offshore training leased" in r.text


def test_timeline_and_groups() -> None:
    rules = [{"iri": "r1", "label": "One", "effective": "2023-01-01", "rescinded": "2024-06-01"},
             {"iri": "r2", "label": "Two", "effective": "2025-04-09"},
             {"iri": "r3", "label": "Three", "announced": "2025-05-13"},
             {"iri": "r4", "label": "Undated"}]
    report = {"results": [{"rule": {"iri": "r2", "label": "Two"}, "shape": "x#AShape"}, {"shape": "x#Other"},
                          {"rule": {"iri": "r2"}, "shape": "x#AShape", "eventDate": "2025-06-01"},
                          {"rule": {"iri": "r2"}, "shape": "x#AShape", "eventDate": "2025-06-01"}]}
    chart = timeline(rules, "2025-12-01", report)
    bars = {b["iri"]: b for b in chart["bars"]}
    assert set(bars) == {"r1", "r2", "r3"}
    assert not bars["r1"]["in_force"] and bars["r2"]["in_force"] and bars["r2"]["open"]
    assert bars["r1"]["x1"] < bars["r1"]["x2"] < bars["r2"]["x1"] and bars["r3"]["x1"] == bars["r3"]["x2"]
    assert bars["r2"]["findings"] == 3 and chart["as_of"]["label"] == "2025-12-01"
    # findings over dates: each at its event's day, the one without an event date at the day validated
    assert [(m["date"], m["n"]) for m in bars["r2"]["marks"]] == [("2025-06-01", 2), ("2025-12-01", 1)]
    assert bars["r2"]["marks"][0]["x"] < bars["r2"]["marks"][1]["x"] == chart["as_of"]["x"]
    groups = group_findings(report)
    assert [g["rule"] and g["rule"]["iri"] for g in groups] == ["r2", None]
    assert shape_label("https://w3id.org/aichips/shapes#OffshoreTrainingLeasedShape") == "Offshore training leased"


def test_editor_configuration(client: TestClient) -> None:
    config = client.get("/sparql-editor.json").json()
    assert config["prefixes"]["aic"] == "https://w3id.org/aichips/ontology#"
    assert {e["name"] for e in config["examples"]} == set(questions())
    assert config["examples"][0]["name"] == "firms-training-outside"
    headline = config["examples"][0]["query"]
    assert "VALUES" in headline and "<https://w3id.org/aichips/id/nvidia>" in headline
    assert "https://w3id.org/aichips/ontology#Chip" in config["classes"]
    assert "https://w3id.org/aichips/ontology#locatedIn" in config["properties"]
    for example in config["examples"]:  # each runs as given
        r = client.post("/sparql", data={"query": example["query"]})
        assert r.status_code == 200, (example["name"], r.text)


def test_sparql_page_keeps_the_plain_form_and_loads_the_editor(client: TestClient) -> None:
    html = client.get("/sparql", headers=BROWSER).text
    assert '<form method="get" action="/sparql" class="plain-query"' in html
    assert '<script src="/assets/yasgui/yasgui.min.js"></script>' in html
    assert "<h1>SPARQL</h1>" in html


@pytest.mark.parametrize("path", ["/assets/yasgui/yasgui.min.js", "/assets/yasgui/yasgui.min.css",
                                  "/assets/cytoscape/cytoscape.min.js", "/static/js/sparql-editor.js",
                                  "/static/js/entity-graph.js", "/static/js/reader.js"])
def test_front_end_assets_are_served_by_the_service(client: TestClient, path: str) -> None:
    r = client.get(path)
    assert r.status_code == 200 and len(r.content) > 500


def test_script_partials_hold_only_same_origin_script_elements() -> None:
    """templates/js/ holds the pages' <script> elements (the other templates may hold none): fixed
    same-origin sources only, no inline code, no handler attributes."""
    partials = sorted((TEMPLATES / "js").glob("*.html"))
    assert partials
    for path in partials:
        text = path.read_text()
        scripts = re.findall(r"<script\b([^>]*)>(.*?)</script>", text, re.S | re.I)
        assert scripts, path.name
        for attrs, body in scripts:
            assert re.fullmatch(r' src="/(?:assets|static)/[\w./-]+\.js"', attrs) and not body.strip(), path.name
        assert not re.sub(r"<script\b[^>]*></script>", "", text).strip(), path.name
        assert not re.search(r"<style|\sstyle=|\son[a-z]+=|javascript:|\{\{", text, re.IGNORECASE), path.name


def test_static_scripts_reach_no_other_host() -> None:
    for path in sorted((TEMPLATES.parent / "static" / "js").glob("*.js")):
        # names, not requests: the SVG namespace, and the project's IRIs the editor links to their pages
        text = path.read_text().replace('"http://www.w3.org/2000/svg"', "").replace('"https://w3id.org/aichips/"', "")
        assert not re.search(r"https?://", text), path.name  # every fetch is to this origin
