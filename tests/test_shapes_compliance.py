"""Compliance shapes on hand-made fixtures: for each shape a violating and a conforming case, and the
days around each boundary date of the time-bound rules. Audit semantics: as of a day, every breach that had
happened by then is reported, judged by the rule in force on the event's date (the finding's event date)."""

from __future__ import annotations

from datetime import date
from functools import cache
from pathlib import Path

import pytest
from rdflib import Graph, URIRef

from kg.config import PROJECT_ROOT
from kg.namespaces import ID
from kg.validation import DataGraphs, ValidationResult, validate
from kg.vocabulary import load_ontology

FIXTURES = Path(__file__).parent / "fixtures" / "shapes"


@cache
def _ontology() -> Graph:
    return load_ontology(PROJECT_ROOT / "ontology" / "aichips.ttl")


def run(*fixtures: str, as_of: str, shapes: str = "compliance") -> ValidationResult:
    claims = {}
    for name in ("base", *fixtures):
        claims[URIRef(f"urn:test:claim:{name}")] = Graph().parse(FIXTURES / f"{name}.ttl")
    graphs = DataGraphs(claims, Graph(), _ontology())
    return validate(graphs, as_of=date.fromisoformat(as_of), shapes=shapes, inferred=False, evidence=False)


def hits(result: ValidationResult, rule: str) -> list[tuple[str, str]]:
    """(focus id, severity) of the results whose shape encodes the rule."""
    return sorted((f.focus.removeprefix(str(ID)), f.severity)
                  for f in result.findings if f.rule is not None and f.rule.iri == str(ID[rule]))


def test_base_world_conforms_to_all_shapes() -> None:
    result = run(as_of="2025-12-01", shapes="all")
    assert result.findings == []
    assert result.conforms


# --- US H20 licence requirement --------------------------------------------------------------------

@pytest.mark.parametrize(("day", "expected"), [
    ("2025-04-08", []),
    ("2025-04-09", [("test-h20-sale", "violation")]),
    ("2025-04-10", [("test-h20-sale", "violation")]),
])
def test_h20_unlicensed_sale_around_effective_date(day: str, expected: list[tuple[str, str]]) -> None:
    result = run("h20-sale-unlicensed", as_of=day)
    assert [h for h in hits(result, "us-h20-licence-requirement") if h[0] == "test-h20-sale"] == expected
    assert result.conforms is (not expected)


def test_h20_licensed_sale_conforms() -> None:
    result = run("h20-sale-licensed", as_of="2025-06-01")
    assert hits(result, "us-h20-licence-requirement") == []
    assert result.conforms


def test_h20_violation_names_rule_and_chip() -> None:
    result = run("h20-sale-unlicensed", as_of="2025-06-01")
    [finding] = [f for f in result.findings if f.rule and f.rule.iri.endswith("us-h20-licence-requirement")]
    assert finding.focus_label == "H20 sale to China"
    assert "H20" in finding.message and "destination China" in finding.message
    assert finding.rule is not None and finding.rule.effective == "2025-04-09"


# --- Conditional approval (revenue share) ---------------------------------------------------------

def test_sale_under_approval_without_share_violates() -> None:
    result = run("approval-sale-no-share", as_of="2025-09-15")
    assert hits(result, "us-h20-mi308-conditional-approval") == [("test-mi308-sale", "violation")]
    # The approval is the licence: the April requirement is met.
    assert hits(result, "us-h20-licence-requirement") == []
    assert "15" in result.findings[0].message and "none" in result.findings[0].message


def test_sale_under_approval_with_low_share_violates() -> None:
    result = run("approval-sale-low-share", as_of="2025-09-15")
    assert hits(result, "us-h20-mi308-conditional-approval") == [("test-mi308-sale", "violation")]


def test_sale_under_approval_with_share_conforms() -> None:
    result = run("approval-sale-share", as_of="2025-09-15")
    assert result.findings == []


def test_blocked_sale_under_approval_needs_nothing() -> None:
    result = run("approval-sale-blocked", as_of="2025-09-15")
    assert result.findings == []


def test_approval_not_yet_in_force_before_august() -> None:
    # As of July the approval does not apply; the sale's own start (September) is in the future too.
    result = run("approval-sale-no-share", as_of="2025-07-31")
    assert hits(result, "us-h20-mi308-conditional-approval") == []


# --- Offshore training ----------------------------------------------------------------------------

def test_offshore_training_on_leased_capacity_is_info() -> None:
    result = run("offshore-leased", as_of="2025-06-01")
    assert hits(result, "us-h20-licence-requirement") == [("test-training", "info")]
    assert result.conforms
    assert "Offshore arrangement" in result.findings[0].message


def test_offshore_training_with_unknown_operator_is_warning() -> None:
    result = run("offshore-unknown-operator", as_of="2025-06-01")
    assert hits(result, "us-h20-licence-requirement") == [("test-training", "warning")]
    assert result.conforms


def test_offshore_training_not_flagged_before_the_rule() -> None:
    result = run("offshore-leased", as_of="2025-04-08")
    assert result.findings == []


def test_domestic_training_is_not_an_offshore_arrangement() -> None:
    result = run("domestic-training", as_of="2025-06-01")
    assert result.findings == []


# --- Headquarters rule ----------------------------------------------------------------------------

def test_supply_to_facility_of_chinese_parented_operator_violates() -> None:
    result = run("hq-supply-unlicensed", as_of="2025-07-01")
    assert hits(result, "us-acs-update-2023") == [("test-johor-dc", "violation"), ("test-supply", "violation")]
    supply = next(f for f in result.findings if f.focus.endswith("test-supply"))
    assert "Chinese parent" in supply.message and "Beijing" in supply.message
    assert supply.rule is not None and supply.rule.citation == ["88 FR 73458 (FR Doc 2023-23055)"]


def test_licensed_supply_to_chinese_parented_operator_conforms() -> None:
    result = run("hq-supply-licensed", as_of="2025-07-01")
    assert hits(result, "us-acs-update-2023") == []
    assert result.conforms


def test_leased_offshore_facility_is_not_a_breach() -> None:
    result = run("offshore-leased", as_of="2025-07-01")
    assert hits(result, "us-acs-update-2023") == []


# --- China's domestic-chip mandate ----------------------------------------------------------------

def test_state_funded_early_stage_with_foreign_chips_violates() -> None:
    result = run("state-funded-EarlyStage", as_of="2025-12-01")
    assert hits(result, "china-domestic-chip-mandate") == [("test-state-dc", "violation")]
    assert "remove foreign chips or cancel the project" in result.findings[0].message


def test_state_funded_advanced_stage_with_foreign_chips_warns() -> None:
    result = run("state-funded-AdvancedStage", as_of="2025-12-01")
    assert hits(result, "china-domestic-chip-mandate") == [("test-state-dc", "warning")]
    assert "case-by-case" in result.findings[0].message
    assert result.conforms


def test_state_funded_with_domestic_chips_conforms() -> None:
    result = run("state-funded-domestic", as_of="2025-12-01")
    assert result.findings == []


def test_mandate_applies_from_its_announcement_only() -> None:
    assert hits(run("state-funded-EarlyStage", as_of="2025-10-31"), "china-domestic-chip-mandate") == []
    assert hits(run("state-funded-EarlyStage", as_of="2025-11-01"), "china-domestic-chip-mandate") != []


# --- AI Diffusion rule (rescinded) ----------------------------------------------------------------

@pytest.mark.parametrize(("day", "fires"), [
    ("2025-01-14", False), ("2025-01-15", True), ("2025-01-16", True),
    ("2025-05-12", True), ("2025-05-13", True), ("2025-05-14", True),
])
def test_diffusion_rule_breach_while_in_force_stays_on_record(day: str, fires: bool) -> None:
    # The sale (from 1 January) breached the rule from its effective date; after the rescission the
    # breach is still on record, dated to the rule's first day.
    result = run("diffusion-sale", as_of=day)
    expected = [("test-h100-sale", "violation")] if fires else []
    assert hits(result, "us-ai-diffusion-rule") == expected
    for f in result.findings:
        if f.rule is not None and f.rule.iri.endswith("us-ai-diffusion-rule"):
            assert f.event_date == "2025-01-15"


@pytest.mark.parametrize("day", ["2025-05-12", "2025-05-13", "2025-05-14", "2025-12-01"])
def test_sale_begun_on_the_rescission_day_never_breaches_the_rescinded_rule(day: str) -> None:
    result = run("diffusion-sale-after-rescission", as_of=day)
    assert [h for h in hits(result, "us-ai-diffusion-rule") if h[0] == "test-late-h100-sale"] == []


# --- Malaysia permit ------------------------------------------------------------------------------

@pytest.mark.parametrize(("day", "fires"), [("2025-07-13", False), ("2025-07-14", True), ("2025-08-02", True)])
def test_malaysia_transit_without_permit(day: str, fires: bool) -> None:
    result = run("malaysia-transit", as_of=day)
    # Before its start date the shipment is not yet a fact of that day.
    expected = [("test-transit", "violation")] if fires and day >= "2025-08-01" else []
    assert hits(result, "malaysia-ai-chip-permit") == expected


def test_malaysia_transit_with_permit_conforms() -> None:
    result = run("malaysia-transit-permit", as_of="2025-08-02")
    assert hits(result, "malaysia-ai-chip-permit") == []


def _with_end(end: str) -> DataGraphs:
    claims = {URIRef("urn:test:claim:base"): Graph().parse(FIXTURES / "base.ttl"),
              URIRef("urn:test:claim:sale"): Graph().parse(FIXTURES / "h20-sale-unlicensed.ttl")}
    claims[URIRef("urn:test:claim:end")] = Graph().parse(data=f"""
        @prefix aic: <https://w3id.org/aichips/ontology#> . @prefix id: <https://w3id.org/aichips/id/> .
        @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
        id:test-h20-sale aic:endDate "{end}"^^xsd:date .""", format="turtle")
    return DataGraphs(claims, Graph(), _ontology())


@pytest.mark.parametrize("day", ["2025-05-31", "2025-06-01", "2025-12-01"])
def test_breach_stays_on_record_after_the_sale_ends(day: str) -> None:
    result = validate(_with_end("2025-05-31"), as_of=date.fromisoformat(day), shapes="compliance",
                      inferred=False, evidence=False)
    assert hits(result, "us-h20-licence-requirement") == [("test-h20-sale", "violation")]
    [finding] = [f for f in result.findings if f.rule and f.rule.iri.endswith("us-h20-licence-requirement")]
    assert finding.event_date == "2025-04-09"  # judged by the rule in force on the sale's first day under it
    assert "from 2025-04-09, under the rule as in force from 2025-04-09" in finding.message
    assert finding.to_dict()["eventDate"] == "2025-04-09"


@pytest.mark.parametrize("end", ["2025-04-07", "2025-04-08"])
def test_sale_that_ended_before_the_rule_never_breaches_it(end: str) -> None:
    result = validate(_with_end(end), as_of=date(2025, 12, 1), shapes="compliance", inferred=False, evidence=False)
    assert hits(result, "us-h20-licence-requirement") == []


def test_sale_ending_on_the_rules_first_day_breaches_it() -> None:
    result = validate(_with_end("2025-04-09"), as_of=date(2025, 12, 1), shapes="compliance", inferred=False,
                      evidence=False)
    assert hits(result, "us-h20-licence-requirement") == [("test-h20-sale", "violation")]


# --- Authorisation scope (chips, sellers, destinations) --------------------------------------------

def _scope(result: ValidationResult) -> list[tuple[str, str]]:
    return [(f.focus.removeprefix(str(ID)), f.severity) for f in result.findings
            if f.shape.endswith("UsConditionalApprovalScopeShape")]


@pytest.mark.parametrize(("day", "in_force"), [("2025-07-31", False), ("2025-08-01", True), ("2025-08-02", True)])
def test_h100_sale_under_the_h20_mi308_approval_is_flagged(day: str, in_force: bool) -> None:
    result = run("acs-destinations", "approval-sale-h100", as_of=day)
    assert _scope(result) == ([("test-h100-approval-sale", "violation")] if in_force else [])
    if in_force:
        [finding] = [f for f in result.findings if f.shape.endswith("UsConditionalApprovalScopeShape")]
        assert "does not cover H100" in finding.message
    # The approval is no licence for the H100: the October 2023 rule (3A090, destination in D:5) applies
    # on every day, before and after the approval.
    assert ("test-h100-approval-sale", "violation") in hits(result, "us-acs-update-2023")
    assert not result.conforms


@pytest.mark.parametrize(("day", "in_force"), [("2025-07-31", False), ("2025-08-01", True), ("2025-08-02", True)])
def test_sale_by_a_seller_the_approval_was_not_granted_to_is_flagged(day: str, in_force: bool) -> None:
    result = run("approval-sale-other-seller", as_of=day)
    assert _scope(result) == ([("test-resale", "violation")] if in_force else [])
    if in_force:
        assert any("not granted to Test trader" in f.message for f in result.findings)
    # Not covered by the approval, the resale needs the April licence on every day.
    assert hits(result, "us-h20-licence-requirement") == [("test-resale", "violation")]


@pytest.mark.parametrize("day", ["2025-07-31", "2025-08-01", "2025-08-02"])
def test_sale_within_the_approval_scope_from_its_first_day_is_licensed(day: str) -> None:
    result = run("acs-destinations", "approval-sale-in-scope", as_of=day)
    assert result.findings == []


@pytest.mark.parametrize("day", ["2025-07-31", "2025-08-01", "2025-08-02"])
def test_sale_begun_the_day_before_the_approval_breached_the_april_rule(day: str) -> None:
    result = run("acs-destinations", "approval-sale-day-before", as_of=day)
    assert _scope(result) == []
    assert hits(result, "us-h20-licence-requirement") == [("test-early-approval-sale", "violation")]
    [finding] = result.findings
    assert finding.event_date == "2025-07-31"


# --- Compliance dates -----------------------------------------------------------------------------

@pytest.mark.parametrize(("day", "expected"), [
    ("2025-01-14", []),
    ("2025-01-15", [("test-h100-sale", "info")]),
    ("2025-02-28", [("test-h100-sale", "info")]),
    ("2025-03-01", [("test-h100-sale", "violation")]),
    ("2025-03-02", [("test-h100-sale", "violation")]),
])
def test_diffusion_rule_breach_only_from_its_compliance_date(day: str, expected: list[tuple[str, str]]) -> None:
    result = run("diffusion-sale", "diffusion-compliance-date", as_of=day)
    assert hits(result, "us-ai-diffusion-rule") == expected
    if expected and expected[0][1] == "info":
        assert "not required until 2025-03-01" in result.findings[0].message
        assert result.conforms


@pytest.mark.parametrize(("day", "expected"), [
    ("2025-05-12", [("test-h100-sale", "info")]),
    ("2025-05-13", []), ("2025-05-14", []), ("2025-05-15", []), ("2025-05-16", []),
])
def test_diffusion_rule_rescinded_before_its_compliance_date_never_breaches(
        day: str, expected: list[tuple[str, str]]) -> None:
    result = run("diffusion-sale", "diffusion-compliance-after-rescission", as_of=day)
    assert hits(result, "us-ai-diffusion-rule") == expected


# --- Malaysia permit by origin --------------------------------------------------------------------

@pytest.mark.parametrize(("day", "fires"), [("2025-07-13", False), ("2025-07-14", True), ("2025-07-15", True)])
def test_malaysia_permit_covers_us_origin_chips(day: str, fires: bool) -> None:
    result = run("malaysia-transit-july", as_of=day)
    assert hits(result, "malaysia-ai-chip-permit") == ([("test-transit-july", "violation")] if fires else [])


@pytest.mark.parametrize("day", ["2025-07-13", "2025-07-14", "2025-07-15"])
def test_malaysia_permit_does_not_cover_chips_of_other_origin(day: str) -> None:
    result = run("malaysia-transit-domestic-origin", as_of=day)
    assert hits(result, "malaysia-ai-chip-permit") == []


# --- Month precision: dates as periods ------------------------------------------------------------

@pytest.mark.parametrize(("day", "expected"), [
    ("2025-10-31", []),
    ("2025-11-01", [("test-state-dc", "info")]),
    ("2025-11-30", [("test-state-dc", "info")]),
    ("2025-12-01", [("test-state-dc", "violation")]),
    ("2025-12-02", [("test-state-dc", "violation")]),
])
def test_rule_known_only_to_its_month_is_uncertain_inside_it(day: str, expected: list[tuple[str, str]]) -> None:
    result = run("state-funded-EarlyStage", "mandate-month-precision", as_of=day)
    assert hits(result, "china-domestic-chip-mandate") == expected
    if expected and expected[0][1] == "info":
        [finding] = result.findings
        assert finding.message.startswith("Uncertain:")
        assert "the rule is dated only to the period beginning 2025-11-01" in finding.message
        assert result.conforms


@pytest.mark.parametrize(("day", "expected"), [
    ("2025-04-30", []),
    ("2025-05-01", [("test-may-sale", "info")]),
    ("2025-05-31", [("test-may-sale", "info")]),
    ("2025-06-01", [("test-may-sale", "violation")]),
    ("2025-06-02", [("test-may-sale", "violation")]),
])
def test_event_known_only_to_its_month_is_uncertain_inside_it(day: str, expected: list[tuple[str, str]]) -> None:
    result = run("h20-sale-month", as_of=day)
    assert hits(result, "us-h20-licence-requirement") == expected
    if expected and expected[0][1] == "info":
        assert "the event is dated only to the period beginning 2025-05-01" in result.findings[0].message
