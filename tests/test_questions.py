"""Each named question's answer on the shipped data, identical on both stores, with evidence."""

from __future__ import annotations

from datetime import date

import pytest

from kg.errors import ParameterError, UnknownQuestionError
from kg.evidence import claim_evidence
from kg.namespaces import CLAIM, ID
from kg.questions import ask, bind_parameters, get_question, questions
from kg.store import Store, Table


@pytest.fixture
def store(oxigraph_store: Store) -> Store:
    """Questions run on the default store here; equivalence with the memory store is tested below."""
    return oxigraph_store


def labels(store: Store, name: str, column: str, **params: str) -> list[str]:
    answer = ask(store, name, params)
    return sorted({str(row[column]) for row in answer.table.rows if column in row})


def ids(store: Store, name: str, column: str, **params: str) -> list[str]:
    """Entity ids (slugs) in one column of a question's answer."""
    answer = ask(store, name, params)
    return sorted({str(row[column]).removeprefix(str(ID)) for row in answer.table.rows if column in row})


def test_every_question_has_title_description_and_typed_parameters() -> None:
    assert len(questions()) >= 8
    for q in questions().values():
        assert q.title and q.description, q.name
        for p in q.parameters:
            assert p.type in {"entity", "date", "string", "integer"}
            assert p.help, f"{q.name}.{p.name} has no description"


def test_headline_nvidia_outside_china_is_alibaba_and_bytedance_not_deepseek(store: Store) -> None:
    firms = ids(store, "firms-training-outside", "firm", vendor="nvidia", jurisdiction="china")
    assert firms == ["alibaba", "bytedance"]


def test_headline_places_are_singapore_and_malaysia(store: Store) -> None:
    places = labels(store, "firms-training-outside", "placeLabel", vendor="nvidia", jurisdiction="china")
    assert places == ["Malaysia", "Singapore"]


def test_headline_rows_carry_quoted_evidence(store: Store) -> None:
    answer = ask(store, "firms-training-outside", {"vendor": "nvidia", "jurisdiction": "china"})
    assert answer.table.rows
    for evidence in answer.evidence:
        quotes = [e for e in evidence if e.kind == "document"]
        assert quotes, "every row needs at least one quoted claim"
        for e in quotes:
            assert e.quote and e.document and e.attributed_to and e.status


def test_firms_training_inside_china_is_deepseek(store: Store) -> None:
    assert ids(store, "firms-training-inside", "firm", jurisdiction="china") == ["deepseek"]


def test_firms_training_inside_southeast_asia(store: Store) -> None:
    firms = ids(store, "firms-training-inside", "firm", jurisdiction="south-eastern-asia")
    assert firms == ["alibaba", "bytedance"]


def test_where_alibaba_trains(store: Store) -> None:
    answer = ask(store, "where-firm-trains", {"firm": "alibaba"})
    places = {str(r["placeLabel"]) for r in answer.table.rows if "placeLabel" in r}
    models = {str(r["modelLabel"]) for r in answer.table.rows if "modelLabel" in r}
    vendors = {str(r["vendorLabel"]) for r in answer.table.rows if "vendorLabel" in r}
    assert places == {"Singapore", "Malaysia"}
    assert "Qwen" in models
    assert vendors == {"Nvidia"}


def test_where_alibaba_trains_pairs_each_facility_with_its_own_country(store: Store) -> None:
    answer = ask(store, "where-firm-trains", {"firm": "alibaba"})
    pairs = {(str(r["facilityLabel"]), str(r.get("placeLabel"))) for r in answer.table.rows if "facilityLabel" in r}
    assert pairs, "the shipped data records Alibaba's facilities"
    for facility, place in pairs:
        assert place in facility, f"{facility} paired with {place}"


def test_where_deepseek_trains_is_china_on_stockpiled_nvidia(store: Store) -> None:
    answer = ask(store, "where-firm-trains", {"firm": "deepseek"})
    rows = answer.table.rows
    assert {str(r["placeLabel"]) for r in rows if "placeLabel" in r} == {"China"}
    assert {str(r["vendorLabel"]) for r in rows if "vendorLabel" in r} == {"Nvidia"}
    assert any("stockpile" in str(r.get("accessLabel", "")).lower() for r in rows)


def test_models_trained_offshore_are_qwen_and_doubao(store: Store) -> None:
    models = ids(store, "models-trained-offshore", "model")
    assert models == ["doubao", "qwen"]


@pytest.mark.parametrize(
    ("on", "expected", "absent"),
    [
        ("2025-04-08", set(), {"us-h20-licence-requirement"}),
        ("2025-04-09", {"us-h20-licence-requirement"}, set()),
        ("2025-09-01", {"us-h20-licence-requirement", "us-h20-mi308-conditional-approval"}, set()),
    ],
)
def test_rules_covering_h20_for_china_are_time_aware(store: Store, on: str, expected: set[str],
                                                     absent: set[str]) -> None:
    answer = ask(store, "rules-for-chip", {"chip": "h20", "destination": "china", "date": on})
    rules = {str(r["rule"]).removeprefix(str(ID)) for r in answer.table.rows}
    assert expected <= rules
    assert not (absent & rules)


@pytest.mark.parametrize(
    ("on", "in_force"),
    [("2025-01-13", False), ("2025-01-14", False), ("2025-01-15", True), ("2025-01-16", True),
     ("2025-05-12", True), ("2025-05-13", False), ("2025-05-14", False)],
)
def test_rescinded_diffusion_rule_is_in_force_only_between_its_dates(store: Store, on: str, in_force: bool) -> None:
    answer = ask(store, "rules-in-force", {"jurisdiction": "united-states", "date": on})
    rules = {str(r["rule"]).removeprefix(str(ID)) for r in answer.table.rows}
    assert ("us-ai-diffusion-rule" in rules) is in_force
    assert "us-acs-update-2023" in rules


def test_recorded_status_is_labelled_as_recorded_not_as_on_the_date(store: Store) -> None:
    """In force on 2025-03-01, rescinded since: the column says what is recorded, its name says so."""
    answer = ask(store, "rules-in-force", {"jurisdiction": "united-states", "date": "2025-03-01"})
    assert "statusLabel" not in answer.table.variables
    recorded = {str(r["rule"]).removeprefix(str(ID)): str(r.get("recordedStatusLabel")) for r in answer.table.rows}
    assert recorded["us-ai-diffusion-rule"] == "rescinded"
    assert "recorded now" in get_question("rules-in-force").description


def test_h100_to_china_is_covered_through_its_export_classification(store: Store) -> None:
    answer = ask(store, "rules-for-chip", {"chip": "h100", "destination": "china", "date": "2025-06-01"})
    via = {(str(r["rule"]).removeprefix(str(ID)), str(r["via"])) for r in answer.table.rows}
    assert ("us-acs-update-2023", "export classification") in via


def test_rules_cover_destinations_through_country_groups_and_containment(store: Store) -> None:
    answer = ask(store, "rules-for-chip", {"chip": "h20", "destination": "macau", "date": "2025-06-01"})
    assert ID["us-h20-licence-requirement"] in {r["rule"] for r in answer.table.rows}


def test_conditional_approvals_are_nvidia_and_amd_with_15_percent(store: Store) -> None:
    answer = ask(store, "conditional-approvals")
    vendors = {str(r["vendor"]).removeprefix(str(ID)) for r in answer.table.rows}
    assert vendors == {"nvidia", "amd"}
    shares = {(str(r["authorization"]).removeprefix(str(ID)), float(str(r["revenueSharePercent"])))
              for r in answer.table.rows if "revenueSharePercent" in r}
    # The August 2025 licences (15%) and the December 2025 H200 announcement (25%, granted to Nvidia).
    assert shares == {("us-h20-mi308-conditional-approval", 15.0), ("us-h200-announcement-2025-12", 25.0)}
    chips = {(str(r["vendor"]).removeprefix(str(ID)), str(r["chipLabel"]))
             for r in answer.table.rows if "chipLabel" in r}
    assert {("nvidia", "Nvidia H20"), ("amd", "AMD MI308"), ("nvidia", "Nvidia H200")} <= chips


def test_domestic_chip_partners_are_deepseek_and_huawei(store: Store) -> None:
    answer = ask(store, "domestic-chip-partners")
    pairs = {frozenset({r["partner"], r["otherPartner"]}) for r in answer.table.rows}
    assert pairs == {frozenset({ID["deepseek"], ID["huawei"]})}


def test_evidence_about_an_entity_returns_quotes_and_citations(store: Store) -> None:
    answer = ask(store, "evidence", {"entity": "nvidia"})
    kinds = {e.kind for ev in answer.evidence for e in ev}
    assert kinds == {"document", "reference"}
    assert all(ev for ev in answer.evidence)
    assert any("LEI" in str(r.get("predicate", "")) or "lei" in str(r.get("predicate", ""))
               for r in answer.table.rows)


@pytest.mark.parametrize("name", sorted(questions()))
def test_answers_do_not_depend_on_the_store(oxigraph_store: Store, memory_store: Store, name: str) -> None:
    question = questions()[name]
    bound = bind_parameters(oxigraph_store, question, {})
    a, b = oxigraph_store.query(question.sparql, bound), memory_store.query(question.sparql, bound)
    assert isinstance(a, Table) and isinstance(b, Table)
    assert a.variables == b.variables
    canon = sorted(tuple(sorted((k, str(v)) for k, v in row.items())) for row in a.rows)
    assert canon == sorted(tuple(sorted((k, str(v)) for k, v in row.items())) for row in b.rows)


def test_evidence_does_not_depend_on_the_store(oxigraph_store: Store, memory_store: Store) -> None:
    claim = CLAIM["000_27b38dd4aa941715/shift-training-to-southeast-asia"]
    on_disk, in_memory = claim_evidence(oxigraph_store, claim), claim_evidence(memory_store, claim)
    assert on_disk is not None and on_disk == in_memory
    assert on_disk.quote and on_disk.quote.startswith("China\u2019s major tech firms")


def test_unknown_question_is_refused(store: Store) -> None:
    with pytest.raises(UnknownQuestionError, match="unknown question 'nope'"):
        ask(store, "nope")


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"vendor": "nonexistent-vendor"}, "unknown entity 'nonexistent-vendor'"),
        ({"vendor": "china"}, "not a ChipVendor"),
        ({"vendor": "Robert'); DROP"}, "not an entity id or IRI"),
        ({"colour": "blue"}, "has no parameter 'colour'"),
    ],
)
def test_bad_parameters_are_refused(store: Store, params: dict[str, str], message: str) -> None:
    with pytest.raises(ParameterError, match=message):
        ask(store, "firms-training-outside", params)


def test_bad_date_parameter_is_refused(store: Store) -> None:
    with pytest.raises(ParameterError, match="must be a date"):
        ask(store, "rules-for-chip", {"date": "2025-02-30"})


def test_date_defaults_to_today(store: Store) -> None:
    answer = ask(store, "rules-for-chip", {"chip": "h20"})
    assert str(answer.parameters["date"]) == date.today().isoformat()


def test_injection_attempt_in_a_string_is_bound_not_pasted(store: Store) -> None:
    hostile = 'https://w3id.org/aichips/id/x> } ; DROP ALL ; SELECT * { <a'
    with pytest.raises(ParameterError):
        ask(store, "evidence", {"entity": hostile})


@pytest.mark.parametrize(("on", "certainty"), [
    ("2025-10-31", None), ("2025-11-01", "uncertain"), ("2025-11-30", "uncertain"),
    ("2025-12-01", "in force"), ("2025-12-02", "in force"),
])
def test_rule_without_an_effective_date_is_in_force_with_its_precision(store: Store, on: str,
                                                                        certainty: str | None) -> None:
    """Beijing's mandate is known only from a report of November 2025 (month precision, no effective date)."""
    answer = ask(store, "rules-in-force", {"jurisdiction": "china", "date": on})
    rows = {str(r["rule"]).removeprefix(str(ID)): r for r in answer.table.rows}
    if certainty is None:
        assert "china-domestic-chip-mandate" not in rows
        return
    row = rows["china-domestic-chip-mandate"]
    assert str(row["certainty"]) == certainty
    assert str(row["datePrecisionLabel"]) == "month"
    assert str(row["dateBasis"]).startswith("announced")


def test_rules_with_a_day_are_in_force_with_certainty(store: Store) -> None:
    answer = ask(store, "rules-in-force", {"jurisdiction": "united-states", "date": "2025-04-09"})
    rows = {str(r["rule"]).removeprefix(str(ID)): r for r in answer.table.rows}
    assert str(rows["us-h20-licence-requirement"]["certainty"]) == "in force"
    assert str(rows["us-h20-licence-requirement"]["dateBasis"]) == "effective"


def test_month_precision_approval_is_uncertain_inside_its_month(store: Store) -> None:
    """The August 2025 approval (reported 10-11 August) is not certainly in force on 5 August."""
    inside = ask(store, "rules-in-force", {"jurisdiction": "united-states", "date": "2025-08-05"})
    after = ask(store, "rules-in-force", {"jurisdiction": "united-states", "date": "2025-09-01"})
    rule = ID["us-h20-mi308-conditional-approval"]
    assert [str(r["certainty"]) for r in inside.table.rows if r["rule"] == rule] == ["uncertain"]
    assert [str(r["certainty"]) for r in after.table.rows if r["rule"] == rule] == ["in force"]
