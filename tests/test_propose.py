"""The claim proposer: verbatim quotes, linking, relation families, dates, status cues, stable ids, and
proposals that compile. Sentences are the project's own (hypothetical firms), never news text."""

from __future__ import annotations

import hashlib
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from kg.curation import Compiler
from kg.dates import parse_fuzzy_date
from kg.documents import read_documents
from kg.ingest.propose import LinkIndex, propose, propose_counted, strip_review
from kg.ingest.propose.sentences import read_text
from kg.ingest.propose.timeexpr import find_times
from kg.loader import Sources, build
from kg.vocabulary import Vocabulary, load_ontology

from .conftest import DATA, ONTOLOGY

FIXTURES = Path(__file__).parent / "fixtures" / "propose"
SHARED = Path("/work/shared/documents")
DATE = parse_fuzzy_date("2025-11-30")

Claim = dict[str, object]


@pytest.fixture(scope="module")
def index() -> LinkIndex:
    return LinkIndex.build(DATA, ONTOLOGY)


def run(index: LinkIndex, text: str, date: str = "2025-11-30", rejected: frozenset[str] = frozenset()) -> list[Claim]:
    claims = propose(text, document_id="test-doc", document_date=parse_fuzzy_date(date), index=index,
                     rejected=rejected)
    for claim in claims:
        assert str(claim["quote"]) in text, claim["quote"]
    return claims


def facts_of(claim: Claim) -> dict[str, dict[str, object]]:
    body = claim["facts"]
    assert isinstance(body, dict)
    return body


def facts(claims: list[Claim]) -> Iterator[tuple[str, str, object]]:
    for claim in claims:
        for subject, body in facts_of(claim).items():
            for prop, value in body.items():
                for v in value if isinstance(value, list) else [value]:
                    yield subject, prop, v


def has(claims: list[Claim], prop: str, value: object, subject: str | None = None) -> bool:
    return any(p == prop and v == value and (subject is None or s == subject) for s, p, v in facts(claims))


def of_class(claims: list[Claim], cls: str) -> dict[str, dict[str, object]]:
    out: dict[str, dict[str, object]] = {}
    for claim in claims:
        for subject, body in facts_of(claim).items():
            if body.get("a") == cls:
                out.setdefault(subject, {}).update(body)
    return out


# -- the shape of a proposal --------------------------------------------------------------------------


def test_proposals_have_the_claims_format_and_review_keys(index: LinkIndex) -> None:
    text = (FIXTURES / "briefing.txt").read_text(encoding="utf-8")
    claims = run(index, text)
    assert claims
    for claim in claims:
        assert {"id", "quote", "by", "status", "facts", "review", "confidence", "why"} <= set(claim)
        assert claim["review"] == "proposed"
        assert isinstance(claim["confidence"], float) and 0.0 <= claim["confidence"] <= 1.0
        assert str(claim["why"])
        assert claim["status"] in {"reported", "confirmed", "estimated", "prospective", "opinion"}


def test_page_furniture_never_quoted(index: LinkIndex) -> None:
    text = (FIXTURES / "briefing.txt").read_text(encoding="utf-8")
    notice = (FIXTURES / "notice.txt").read_text(encoding="utf-8")
    for doc in (text, notice):
        for claim in run(index, doc, "2026-01-12"):
            quote = str(claim["quote"])
            assert "Skip to main content" not in quote and "[[Page" not in quote and "=====" not in quote
            assert "Home | World" not in quote and "[FR Doc" not in quote


def test_smallest_clause_is_quoted(index: LinkIndex) -> None:
    text = "Under pressure from investors, Acme AI is training models in Malaysia, the company said on Monday."
    claims = [c for c in run(index, text) if str(c["id"]).startswith("training-")]
    assert claims
    assert claims[0]["quote"] == "Acme AI is training models in Malaysia"


# -- linking ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("sentence", "surface", "entity"), [
    ("Chinese firms are growing.", "Chinese", "china"),
    ("The U.S. tightened its rules.", "U.S.", "united-states"),
    ("Washington tightened its rules again.", "Washington", "us-government"),
    ("Beijing\u2019s policies changed.", "Beijing", "chinese-government"),
    ("BIS published guidance.", "BIS", "bis"),
    ("The Bureau of Industry and Security published guidance.", "Bureau of Industry and Security", "bis"),
    ("Sales of the H20 fell.", "H20", "h20"),
    ("The H200 is faster.", "H200", "h200"),
    ("AMD shipped the MI308 last year.", "MI308", "mi308"),
    ("Huawei ships the Ascend 910B.", "Ascend 910B", "ascend-910b"),
    ("The rule revises ECCN 3A090 today.", "ECCN 3A090", "eccn-3a090"),
    ("Firms train in Southeast Asian data centres.", "Southeast Asian", "south-eastern-asia"),
    ("Nvidia\u2019s chips are in demand.", "Nvidia", "nvidia"),
    ("The Commerce Department issued a rule.", "Commerce Department", "department-of-commerce"),
])
def test_mentions_link_to_graph_entities(index: LinkIndex, sentence: str, surface: str, entity: str) -> None:
    text = read_text(index.nlp, sentence)
    found = {(text.span_text(m.start, m.end), m.entity) for m in index.mentions(text)}
    assert (surface, entity) in found, found


def test_capital_as_a_place_is_not_the_government(index: LinkIndex) -> None:
    text = read_text(index.nlp, "The firm opened an office in Washington last year.")
    assert "us-government" not in {m.entity for m in index.mentions(text)}


def test_unlinked_names_become_new_entities(index: LinkIndex) -> None:
    text = "Orchid Robotics, a Malaysian AI developer, released a model. Representatives of Quillon Partners attended."
    claims = run(index, text)
    orchid = of_class(claims, "AIDeveloper").get("orchid-robotics")
    assert orchid is not None and orchid["new"] is True and orchid["label"] == "Orchid Robotics"
    quillon = [b for c in claims for s, b in facts_of(c).items() if s == "quillon-partners"]
    assert quillon and quillon[0]["new"] is True and quillon[0]["label"] == "Quillon Partners"


def test_graph_entities_are_not_redeclared_as_new(index: LinkIndex) -> None:
    claims = run(index, "Alibaba is training models in Malaysia on Nvidia hardware.")
    for subject, prop, _ in facts(claims):
        if prop == "new":
            assert subject not in index.entities, subject


# -- relation families: one sentence that must produce the fact, one that must not ------------------


POSITIVE = [
    ("training", "Acme AI is training large language models in Malaysia on Nvidia hardware.",
     [("trainer", "acme-ai"), ("locatedIn", "malaysia"), ("usesHardwareFrom", "nvidia")]),
    ("training-chip", "Acme AI trains its models using H20 chips.", [("usesChip", "h20")]),
    ("lease", "Acme AI leases data centres in Singapore from Zenith Hosting.",
     [("leasedBy", "acme-ai"), ("locatedIn", "singapore"), ("operatedBy", "zenith-hosting")]),
    ("operate", "Zenith Hosting operates data centres in Malaysia.", [("operatedBy", "zenith-hosting")]),
    ("headquarters", "Orchid Robotics, a Malaysian AI developer, released a model.",
     [("headquarteredIn", "malaysia")]),
    ("partnership", "Acme AI is partnering with Huawei to develop domestic chips.",
     [("partner", "acme-ai"), ("partner", "huawei"), ("aim", "DomesticChipDevelopment")]),
    ("develops", "Acme AI\u2019s Falcon models rank among the best.", [("developer", "acme-ai")]),
    ("blocked", "In April, regulators blocked H20 sales to China.",
     [("saleStatus", "SalesBlocked"), ("chipSold", "h20"), ("destination", "china"), ("seller", "nvidia")]),
    ("approved", "In August, the US government approved sales of H20 chips by Nvidia to China, "
                 "stipulating a 15% revenue share for the US.",
     [("saleStatus", "SalesPermitted"), ("revenueSharePercent", "15"), ("grantedTo", "nvidia"),
      ("coversDestination", "china")]),
    ("growth", "Data centre capacity in Malaysia grew 30% last year, per industry reports.",
     [("capacityGrowthPercent", "30"), ("observedIn", "malaysia")]),
    ("amount", "Acme AI reported losses of $2.5 billion after the ban.",
     [("amountUSD", "2500000000"), ("affectedOrganization", "acme-ai")]),
    ("rule-chip", "The new US export restrictions on H20 chips apply to China.",
     [("coversChip", "h20"), ("jurisdiction", "united-states")]),
]
NEGATIVE = [
    ("training", "Training in Malaysia has become cheaper, analysts said.", "trainer"),
    ("lease", "Data centres are expensive to lease.", "leasedBy"),
    ("operate", "Zenith Hosting operates a chain of restaurants.", "operatedBy"),
    ("headquarters", "Orchid Robotics sold servers to a Malaysian bank.", "headquarteredIn"),
    ("partnership", "Acme AI competes with Huawei for engineers.", "partner"),
    ("develops", "Acme AI\u2019s engineers build better tools.", "developer"),
    ("blocked", "Nvidia expects H20 sales to recover.", "saleStatus"),
    ("approved", "Nvidia expects demand for its H20 chips to grow.", "grantedTo"),
    ("growth", "Malaysia has 30 data centres.", "capacityGrowthPercent"),
    ("amount", "Acme AI hired 2,500 engineers.", "amountUSD"),
    ("rule-chip", "Engineers compared the H20 and the H200 benchmarks.", "coversChip"),
]


@pytest.mark.parametrize(("family", "sentence", "expected"), POSITIVE, ids=[p[0] for p in POSITIVE])
def test_relation_family_found(index: LinkIndex, family: str, sentence: str, expected: list[tuple[str, str]]) -> None:
    claims = run(index, sentence)
    for prop, value in expected:
        assert has(claims, prop, value), (family, prop, value, list(facts(claims)))


@pytest.mark.parametrize(("family", "sentence", "prop"), NEGATIVE, ids=[n[0] for n in NEGATIVE])
def test_relation_family_not_found(index: LinkIndex, family: str, sentence: str, prop: str) -> None:
    claims = run(index, sentence)
    assert not any(p == prop for _, p, _ in facts(claims)), (family, list(facts(claims)))


def test_rule_issuer_dates_and_classification_from_a_notice(index: LinkIndex) -> None:
    text = (FIXTURES / "notice.txt").read_text(encoding="utf-8")
    claims = run(index, text, "2026-01-12")
    rule = "fr-doc-2026-00123-rule"
    assert has(claims, "issuedBy", "bis", rule)
    assert has(claims, "coversClassification", "eccn-3a090", rule)
    assert has(claims, "effectiveDate", "2026-03-10", rule)
    assert has(claims, "requiredAction", "comply within 90 days from date of publication", rule)
    # "received by BIS no later than April 1" is a comment deadline, not an effective date or an issuer.
    assert not has(claims, "effectiveDate", "2026-04-01")
    issuer_quotes = [str(c["quote"]) for c in claims if has([c], "issuedBy", "bis")]
    assert all("Comments" not in q for q in issuer_quotes)


@pytest.mark.parametrize(("sentence", "words"), [
    ("The US rule on H200 exports to China sets a presumption of denial for licence applications.",
     "presumption of denial"),
    ("Under the US rule, licence applications for H200 exports to China are reviewed case-by-case.",
     "case-by-case review"),
])
def test_licence_review_policy(index: LinkIndex, sentence: str, words: str) -> None:
    claims = run(index, sentence, "2026-02-01")
    assert any(p == "description" and words in str(v) for _, p, v in facts(claims)), list(facts(claims))


def test_no_review_policy_without_a_rule(index: LinkIndex) -> None:
    claims = run(index, "Engineers reviewed the H200 benchmarks case by case.", "2026-02-01")
    assert not any(p == "description" for _, p, _ in facts(claims))


# -- time ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "doc_date", "value", "relation"), [
    ("the ban imposed in April", "2025-11-30", "2025-04", "at"),
    ("the ban imposed in April", "2025", "2025-04", "at"),
    ("the ban imposed in April", "2026-02-10", "2025-04", "at"),  # April is later than February: last year
    ("the rule takes effect January 15, 2026", "2025-12-01", "2026-01-15", "at"),
    ("it was scrapped earlier this year", "2025-11-30", "2025", "at"),
    ("a steady rise post-April", "2025-11-30", "2025-04", "after"),
    ("accelerated since the April restrictions", "2025", "2025-04", "since"),
    ("comments by March 14, 2025", "2025-02-14", "2025-03-14", "until"),
    ("published on 14 February 2025", "2025", "2025-02-14", "at"),
    # Regression: "the January 16 IFR" (FR Doc 2025-02655) was read as the month January, dropping the day.
    ("the license requirement added in the January 16 IFR", "2025-02-14", "2025-01-16", "at"),
])
def test_dates_resolve_against_the_document(text: str, doc_date: str, value: str, relation: str) -> None:
    found = find_times(text, parse_fuzzy_date(doc_date))
    assert found, text
    assert (found[0].value, found[0].relation) == (value, relation)


def test_earlier_this_year_keeps_the_range_in_a_note() -> None:
    (expr,) = find_times("eliminated earlier this year", parse_fuzzy_date("2025-11-30"))
    assert expr.note is not None and "2025" in expr.note and "2025-11-30" in expr.note


def test_may_the_verb_is_not_a_month() -> None:
    assert find_times("Firms may train abroad.", DATE) == []


def test_claim_time_uses_the_claims_format(index: LinkIndex) -> None:
    claims = run(index, "In April, regulators blocked H20 sales to China.")
    sale = next(c for c in claims if str(c["id"]).startswith("sale-"))
    assert sale["time"] == {"value": "2025-04", "relation": "at", "expression": "In April"}
    assert str(sale["quote"]).startswith("In April")


# -- status and attribution ---------------------------------------------------------------------------


@pytest.mark.parametrize(("sentence", "status", "by"), [
    ("According to people familiar with the matter, Acme AI trains its models in Singapore.", "reported",
     "people-familiar-with-the-matter"),
    ("Acme AI trains its models in Singapore, per industry reports.", "reported", "industry-reports"),
    ("This shift, confirmed by sources with direct knowledge, follows Acme AI training models in Singapore.",
     "confirmed", "sources-with-direct-knowledge"),
    ("Acme AI trains an estimated 40% of its models in Malaysia.", "estimated", "article-author"),
    ("Acme AI could move its model training to Malaysia.", "prospective", "article-author"),
    ("Officials hinted that Acme AI may train models in Malaysia.", "prospective", "article-author"),
    ("Analysts anticipate that Acme AI will train models in Malaysia.", "prospective", "analysts"),
    ("Jane Doe, head of policy at the Lumen Institute, criticised the plan: \u201cTraining abroad will not "
     "change the underlying rules at all.\u201d", "opinion", "jane-doe"),
])
def test_status_and_attribution_cues(index: LinkIndex, sentence: str, status: str, by: str) -> None:
    claims = run(index, sentence)
    assert claims
    assert any(c["status"] == status and c["by"] == by for c in claims), [(c["status"], c["by"]) for c in claims]
    for claim in claims:
        body = facts_of(claim).get(str(claim["by"]))
        # `by` is an entity: of the graph, or declared in the proposal itself.
        assert claim["by"] in index.entities or (body is not None and body.get("a")), claim


def test_quoted_critique_becomes_a_critical_statement(index: LinkIndex) -> None:
    claims = run(index, "Jane Doe, head of policy at the Lumen Institute, criticised the plan: \u201cTraining "
                        "abroad will not change the underlying rules at all.\u201d")
    statements = of_class(claims, "Statement")
    assert statements
    body = next(iter(statements.values()))
    assert body["speaker"] == "jane-doe" and body["stance"] == "Critical"
    assert "Training abroad will not change" in str(body["statementText"])
    assert has(claims, "org:memberOf", "lumen-institute", "jane-doe")


# -- ids and rejection --------------------------------------------------------------------------------


def test_ids_are_stable_and_rejected_ids_stay_rejected(index: LinkIndex) -> None:
    text = (FIXTURES / "briefing.txt").read_text(encoding="utf-8")
    first = run(index, text)
    again = run(index, text)
    assert [c["id"] for c in first] == [c["id"] for c in again]
    assert len({c["id"] for c in first}) == len(first)
    rejected = frozenset(str(c["id"]) for c in first[:3])
    after = run(index, text, rejected=rejected)
    assert not {c["id"] for c in after} & rejected
    assert {c["id"] for c in after} == {c["id"] for c in first} - rejected


# -- compiling ----------------------------------------------------------------------------------------


def _data_with(tmp_path: Path, name: str, text: str, date: str, claims: list[Claim]) -> Path:
    data = tmp_path / "data"
    shutil.copytree(DATA, data)
    (data / "documents" / f"{name}.txt").write_text(text, encoding="utf-8")
    registry = data / "documents" / "documents.yaml"
    entry = {"id": name, "file": f"{name}.txt", "title": f"Test fixture {name}", "publisher": "project tests",
             "language": "en", "media_type": "text/plain", "date": date, "dating": "fixture",
             "sha256": hashlib.sha256(text.encode("utf-8")).hexdigest()}
    root = yaml.safe_load(registry.read_text(encoding="utf-8"))
    root["documents"].append(entry)
    registry.write_text(yaml.safe_dump(root, allow_unicode=True, sort_keys=False), encoding="utf-8")
    stripped = [strip_review(c) for c in claims]
    (data / "claims" / f"{name}.yaml").write_text(
        yaml.safe_dump({"document": name, "claims": stripped}, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return data


@pytest.mark.parametrize(("fixture", "date"), [("briefing", "2025-11-30"), ("notice", "2026-01-12")])
def test_stripped_proposals_compile_and_load(index: LinkIndex, tmp_path: Path, fixture: str, date: str) -> None:
    text = (FIXTURES / f"{fixture}.txt").read_text(encoding="utf-8")
    claims, stats = propose_counted(text, document_id=fixture, document_date=parse_fuzzy_date(date), index=index)
    assert claims and stats.dropped == 0, stats.drop_reasons
    data = _data_with(tmp_path, fixture, text, date, claims)
    documents = read_documents(data / "documents" / "documents.yaml")
    vocab = Vocabulary(load_ontology(ONTOLOGY))
    sources = Sources(ONTOLOGY, data)
    curated = Compiler(vocab, documents).compile(sources.claim_files(), sources.reference_files())
    assert any(f"/{fixture}/" in str(iri) for iri in curated.claim_graphs)
    build(sources, reason=False)  # the whole loader, integrity shapes included


def test_proposals_on_the_curated_document_compile(tmp_path: Path) -> None:
    doc = "000_27b38dd4aa941715"
    hidden = LinkIndex.build(DATA, ONTOLOGY, exclude_documents=frozenset({doc}))
    text = (DATA / "documents" / f"{doc}.txt").read_text(encoding="utf-8")
    claims, stats = propose_counted(text, document_id=doc, document_date=parse_fuzzy_date("2025"), index=hidden)
    assert len(claims) >= 30 and stats.dropped == 0, stats.drop_reasons
    assert all(str(c["quote"]) in text for c in claims)
    data = tmp_path / "data"
    shutil.copytree(DATA, data)
    (data / "claims" / f"{doc}.proposed-accepted.yaml").write_text(
        yaml.safe_dump({"document": doc, "claims": [strip_review(c) for c in claims]}, allow_unicode=True,
                       sort_keys=False), encoding="utf-8")
    build(Sources(ONTOLOGY, data), reason=False)


# -- the two public-domain documents ------------------------------------------------------------------


def _shared(name: str) -> str:
    path = SHARED / name
    if not path.exists():
        pytest.skip(f"{path} is not available")
    return path.read_text(encoding="utf-8")


def test_bis_page_proposes_the_120_day_compliance(index: LinkIndex) -> None:
    text = _shared("bis-ai-diffusion-public-information.txt")
    claims = run(index, text, "2025")
    compliance = [c for c in claims if has([c], "complianceDate", "2025-05-15", "us-ai-diffusion-rule")]
    assert compliance, list(facts(claims))
    assert "120 days" in str(compliance[0]["quote"]) and "120 days" in str(compliance[0]["note"])
    assert has(claims, "issuedBy", "bis", "us-ai-diffusion-rule")


def test_fr_notice_proposes_effective_date_for_eccn_3a090(index: LinkIndex) -> None:
    text = _shared("fr-2025-02655.txt")
    claims = run(index, text, "2025-02-14")
    effective = [(s, c) for c in claims for s, p, v in facts([c]) if p == "effectiveDate" and v == "2025-02-11"]
    assert effective, list(facts(claims))
    rule = effective[0][0]
    assert has(claims, "coversClassification", "eccn-3a090", rule)
    assert "February 11, 2025" in str(effective[0][1]["quote"])
    assert all("[[Page" not in str(c["quote"]) for c in claims)


@pytest.mark.parametrize("text", ["", "  \n\n", "Skip to main content\n=====\n[[Page 3]]\n", "\u201c",
                                  "May 2025-13-45."])
def test_degenerate_text_gives_no_error(index: LinkIndex, text: str) -> None:
    assert isinstance(run(index, text), list)


def test_quotes_stay_verbatim_on_arbitrary_cuts(index: LinkIndex) -> None:
    # Cut the fixtures at arbitrary places and re-wrap some lines: quotes must still be substrings.
    base = "".join((FIXTURES / f).read_text(encoding="utf-8") for f in ("briefing.txt", "notice.txt"))
    for step in range(0, len(base), 97):
        piece = base[step:step + 700]
        run(index, piece.replace(" ", "\n", step % 4), "2026-01-12")
