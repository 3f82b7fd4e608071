"""`kg review`: accepted proposals become claims with a record of their review, after every check `kg load`
runs; rejected ones are remembered; a failed check writes nothing. The round trip ends in a named question."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml
from rdflib import Literal, URIRef

from kg.errors import InputError, LoadError
from kg.ingest.ingest import Metadata, ingest_bytes
from kg.ingest.proposals import claims_path, known_ids, proposals_path, read_proposals, rejected_path, write_proposals
from kg.loader import Sources, load
from kg.namespaces import AIC, CLAIM, PROV
from kg.questions import ask
from kg.review import review
from kg.store import open_store
from kg.validation.errors import IntegrityError

from .conftest import ONTOLOGY

FIXTURES = Path(__file__).parent / "fixtures" / "ingest"
DOC = "dateline-snippet"
TRAINS = "Zentrix AI, a Chinese AI developer, is training its language models at a data centre in Johor, Malaysia"


def proposal(claim_id: str, **overrides: Any) -> dict[str, Any]:
    claim: dict[str, Any] = {
        "id": claim_id, "quote": TRAINS, "by": "people-familiar", "status": "reported",
        "facts": {
            "people-familiar": {"a": "AnonymousSource", "label": "people familiar with the matter", "new": True},
            "zentrix-ai": {"a": "AIDeveloper", "label": "Zentrix AI", "headquarteredIn": "china", "new": True},
            "zentrix-ai-training": {"a": "TrainingActivity", "label": "Zentrix AI's model training in Malaysia",
                                    "trainer": "zentrix-ai", "locatedIn": "malaysia",
                                    "usesHardwareFrom": "nvidia", "new": True},
        },
        "review": "proposed", "confidence": 0.8, "why": "training pattern: FIRM is training ... in PLACE",
    }
    claim.update(overrides)
    return claim


@pytest.fixture
def proposed(data_copy: Path) -> Path:
    ingest_bytes(data_copy, (FIXTURES / "dateline-snippet.txt").read_bytes(), "dateline-snippet.txt",
                 Metadata(publisher="Example Wire"), max_bytes=100_000, today=date(2026, 12, 2))
    second = proposal("zentrix-hardware", quote="on Nvidia hardware", confidence=0.6,
                      facts={"zentrix-ai-training": {"usesHardwareFrom": "nvidia"}})
    write_proposals(data_copy, DOC, [proposal("zentrix-trains-in-malaysia"), second])
    return data_copy


def tree(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_proposals_are_never_loaded(proposed: Path) -> None:
    assert proposals_path(proposed, DOC) not in Sources(ONTOLOGY, proposed).claim_files()


def test_accept_then_load_answers_the_headline_question(proposed: Path, tmp_path: Path) -> None:
    sources = Sources(ONTOLOGY, proposed)
    outcome = review(sources, DOC, accept=["zentrix-trains-in-malaysia"], reject=[], reviewer="A. Curator",
                     today=date(2026, 12, 2))
    assert outcome.accepted == ["zentrix-trains-in-malaysia"] and outcome.remaining == 1
    accepted = yaml.safe_load(claims_path(proposed, DOC).read_text(encoding="utf-8"))
    claim = accepted["claims"][0]
    assert claim["review"] == {"by": "A. Curator", "date": "2026-12-02", "confidence": "0.8",
                               "cue": "training pattern: FIRM is training ... in PLACE", "edited": "false"}
    assert "new" not in claim["facts"]["zentrix-ai"] and "confidence" not in claim
    store = open_store("oxigraph", tmp_path / "store")
    try:
        result = load(store, sources)
        iri = CLAIM[f"{DOC}/zentrix-trains-in-malaysia"]
        review_iri = URIRef(f"{iri}#review")
        prov = result.curated.provenance
        assert (iri, PROV.wasGeneratedBy, review_iri) in prov
        assert (review_iri, AIC.proposalConfidence, Literal("0.8", datatype=URIRef(
            "http://www.w3.org/2001/XMLSchema#decimal"))) in prov
        answer = ask(store, "firms-training-outside", {"vendor": "nvidia", "jurisdiction": "china"})
        firms = {str(row["firmLabel"]) for row in answer.table.rows}
        assert "Zentrix AI" in firms and "Alibaba Group" in firms
    finally:
        store.close()


def test_an_edit_by_hand_is_recorded(proposed: Path) -> None:
    path = proposals_path(proposed, DOC)
    text = path.read_text(encoding="utf-8").replace("status: reported", "status: confirmed", 1)
    path.write_text(text, encoding="utf-8")
    review(Sources(ONTOLOGY, proposed), DOC, accept=["zentrix-trains-in-malaysia"], reject=[], reviewer="me")
    claim = yaml.safe_load(claims_path(proposed, DOC).read_text(encoding="utf-8"))["claims"][0]
    assert claim["status"] == "confirmed" and claim["review"]["edited"] == "true"


def test_rejected_proposals_are_remembered(proposed: Path) -> None:
    review(Sources(ONTOLOGY, proposed), DOC, accept=[], reject=["zentrix-hardware"], reviewer="me")
    rejected = yaml.safe_load(rejected_path(proposed, DOC).read_text(encoding="utf-8"))["rejected"]
    assert [r["id"] for r in rejected] == ["zentrix-hardware"] and rejected[0]["by"] == "me"
    assert [c["id"] for c in read_proposals(proposals_path(proposed, DOC)).claims] == ["zentrix-trains-in-malaysia"]
    assert "zentrix-hardware" in known_ids(proposed, DOC)  # what kg propose leaves out next time


def test_an_altered_quote_is_refused_where_it_was_edited(proposed: Path) -> None:
    path = proposals_path(proposed, DOC)
    path.write_text(path.read_text(encoding="utf-8").replace("data centre in Johor", "data center in Johor"),
                    encoding="utf-8")
    before = tree(proposed)
    with pytest.raises(LoadError, match="quote not found in document dateline-snippet") as info:
        review(Sources(ONTOLOGY, proposed), DOC, accept=["zentrix-trains-in-malaysia"], reject=[], reviewer="me")
    assert info.value.file == str(path) and info.value.line is not None
    lines = path.read_text(encoding="utf-8").splitlines()
    assert "quote:" in lines[info.value.line - 1]
    assert tree(proposed) == before


def test_broken_yaml_names_the_line(proposed: Path) -> None:
    path = proposals_path(proposed, DOC)
    path.write_text(path.read_text(encoding="utf-8") + "  - id: [unclosed\n", encoding="utf-8")
    before = tree(proposed)
    with pytest.raises(LoadError, match="YAML does not parse") as info:
        review(Sources(ONTOLOGY, proposed), DOC, accept=["zentrix-hardware"], reject=[], reviewer="me")
    assert info.value.file == str(path) and info.value.line is not None
    assert tree(proposed) == before


@pytest.mark.parametrize(("edit", "message"), [
    (("usesHardwareFrom: nvidia", "usesHardwareFrom: nvidiaa"), "unknown entity 'nvidiaa'"),
    (("status: reported", "status: rumoured"), "unknown status 'rumoured'"),
    (("trainer: zentrix-ai", "trainerOf: zentrix-ai"), "unknown property 'trainerOf'"),
])
def test_a_bad_term_is_refused_and_nothing_written(proposed: Path, edit: tuple[str, str], message: str) -> None:
    path = proposals_path(proposed, DOC)
    path.write_text(path.read_text(encoding="utf-8").replace(*edit, 1), encoding="utf-8")
    before = tree(proposed)
    with pytest.raises(LoadError, match=message):
        review(Sources(ONTOLOGY, proposed), DOC, accept=["zentrix-trains-in-malaysia"], reject=[], reviewer="me")
    assert tree(proposed) == before


def test_an_integrity_violation_is_refused_with_the_report(proposed: Path) -> None:
    path = proposals_path(proposed, DOC)
    # A training activity needs a label (shapes/integrity.ttl): without it the graph would break a shape.
    text = path.read_text(encoding="utf-8")
    line = "      label: Zentrix AI's model training in Malaysia\n"
    assert line in text
    path.write_text(text.replace(line, "", 1), encoding="utf-8")
    before = tree(proposed)
    with pytest.raises(IntegrityError) as info:
        review(Sources(ONTOLOGY, proposed), DOC, accept=["zentrix-trains-in-malaysia"], reject=[], reviewer="me")
    assert "zentrix-ai-training" in info.value.report
    assert tree(proposed) == before


@pytest.mark.parametrize(("accept", "reject", "message"), [
    (["no-such-proposal"], [], "no proposal 'no-such-proposal'"),
    (["zentrix-hardware"], ["zentrix-hardware"], "both accepted and rejected"),
])
def test_bad_review_requests(proposed: Path, accept: list[str], reject: list[str], message: str) -> None:
    before = tree(proposed)
    with pytest.raises(InputError, match=message):
        review(Sources(ONTOLOGY, proposed), DOC, accept=accept, reject=reject, reviewer="me")
    assert tree(proposed) == before


def test_kg_review_lists_and_decides(proposed: Path) -> None:
    def kg(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "kg", *args, "--data", str(proposed)], capture_output=True,
                              text=True, check=False)

    listing = kg("review", DOC)
    assert listing.returncode == 0, listing.stderr
    assert "zentrix-trains-in-malaysia  [reported, 0.8]" in listing.stdout and "why: training pattern" in listing.stdout
    decided = kg("review", DOC, "--accept", "zentrix-trains-in-malaysia", "--reject", "zentrix-hardware",
                 "--reviewer", "A. Curator")
    assert decided.returncode == 0, decided.stderr
    assert "accepted 1" in decided.stdout and "rejected 1" in decided.stdout and "0 proposals left" in decided.stdout
    assert not proposals_path(proposed, DOC).exists()  # every proposal decided: the file goes
    assert "nothing proposed for dateline-snippet awaits review" in kg("review", DOC).stdout
    refused = kg("review", DOC, "--accept", "zentrix-trains-in-malaysia")
    assert refused.returncode == 2 and "no proposals for this document" in refused.stderr


def test_round_trip_ingest_propose_accept_load_ask(data_copy: Path, tmp_path: Path) -> None:
    """The whole pipeline through the commands a curator runs, with the real proposer."""
    text = ("KUALA LUMPUR, June 2, 2026 \u2014 Orbiton Labs, a Chinese AI start-up, is training its models at a "
            "data centre in Malaysia on Nvidia chips, according to people familiar with the matter.\n")
    source = tmp_path / "orbiton.txt"
    source.write_text(text, encoding="utf-8")

    def kg(*args: str) -> subprocess.CompletedProcess[str]:
        done = subprocess.run([sys.executable, "-m", "kg", *args], capture_output=True, text=True, check=False)
        assert done.returncode == 0, done.stderr
        return done

    kg("ingest", str(source), "--data", str(data_copy), "--publisher", "Example Wire")
    kg("propose", "orbiton", "--data", str(data_copy))
    listed = json.loads(kg("review", "orbiton", "--format", "json", "--data", str(data_copy)).stdout)
    training = [c for c in listed["claims"] if any(
        isinstance(body, dict) and body.get("a") == "TrainingActivity" for body in c["facts"].values())]
    assert training, listed["claims"]
    claim = training[0]
    assert text[claim["start"]:claim["end"]] == claim["quote"] and claim["status"] == "reported"
    kg("review", "orbiton", "--accept", claim["id"], "--reviewer", "A. Curator", "--data", str(data_copy))
    store_path = tmp_path / "store"
    kg("load", "--data", str(data_copy), "--store-path", str(store_path))
    with open_store("oxigraph", store_path, read_only=True) as store:
        answer = ask(store, "firms-training-outside", {"vendor": "nvidia", "jurisdiction": "china"})
    rows = [(row, evidence) for row, evidence in zip(answer.table.rows, answer.evidence, strict=True)
            if str(row["firmLabel"]) == "Orbiton Labs"]
    assert rows, [str(r["firmLabel"]) for r in answer.table.rows]
    assert any(ev.quote == claim["quote"] for _, evidence in rows for ev in evidence)


def test_propose_a_file_not_yet_ingested_as_json(data_copy: Path) -> None:
    before = tree(data_copy)
    done = subprocess.run([sys.executable, "-m", "kg", "propose", str(FIXTURES / "dateline-snippet.txt"),
                           "--format", "json", "--data", str(data_copy)], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    body = json.loads(done.stdout)
    assert body["document"]["date"] == "2026-03-03" and body["claims"]
    text = (FIXTURES / "dateline-snippet.txt").read_text(encoding="utf-8")
    for claim in body["claims"]:
        assert claim["review"] == "proposed" and 0 <= claim["confidence"] <= 1 and claim["why"]
        assert text[claim["start"]:claim["end"]] == claim["quote"]
    assert tree(data_copy) == before  # nothing written for a document that is not registered


def test_propose_an_unknown_document_id_is_refused(data_copy: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "kg", "propose", "no-such-document", "--data", str(data_copy)],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 2 and "no document 'no-such-document'" in done.stderr
